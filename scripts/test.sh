#!/usr/bin/env bash
# Install everything the tests need (system packages via apt-get when missing, the package
# with its test tools, the JavaScript libraries), then run lint, type checks and the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)
[ -e /usr/lib/x86_64-linux-gnu/mod_spatialite.so ] || [ -e /usr/lib/aarch64-linux-gnu/mod_spatialite.so ] \
  || need+=(libsqlite3-mod-spatialite)
command -v npm >/dev/null 2>&1 || need+=(npm)  # acorn (ES2020 check), maplibre-gl (benchmark)
fc-list 2>/dev/null | grep -qi "noto sans cjk" || need+=(fonts-noto-cjk)
[ -x /usr/lib/postgresql/15/bin/initdb ] && ls /usr/share/postgresql/15/extension/postgis.control >/dev/null 2>&1 \
  || need+=(postgresql-15 postgresql-15-postgis-3)
if [ ${#need[@]} -gt 0 ]; then
  echo "test: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
bash scripts/setup.sh --test
.venv/bin/ruff check src tests benchmarks tools
.venv/bin/mypy
.venv/bin/pytest "$@"
