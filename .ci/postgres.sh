#!/bin/sh
# Install PostgreSQL 15 and PostGIS 3 from Debian's packages when they are missing, so that
# the store tests (tests/_pg.py) can start a throw-away cluster. Nothing else: the tests
# start and stop the server themselves. Called from .ci/run.
set -eu
if [ -x /usr/lib/postgresql/15/bin/initdb ] && \
   [ -f /usr/share/postgresql/15/extension/postgis.control ]; then
    echo "postgres.sh: postgresql-15 and postgresql-15-postgis-3 are installed"
    exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends postgresql-15 postgresql-15-postgis-3
