"""Fixtures shared by every test module.

- ``pg_server``: one PostgreSQL/PostGIS server for the whole session (a throw-away cluster
  started on first use and stopped at the end, or $CITYMAP_TEST_STORE); without binaries the
  tests using it skip with the reason — or fail when $CI is set, so CI never passes by
  skipping them.
- ``pg_url``: a fresh database with PostGIS on that server, for one test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from _pg import ExternalServer, PgCluster, start_server, unavailable


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgCluster | ExternalServer]:
    """The session's PostgreSQL/PostGIS server (skips, or fails under $CI, without one)."""
    try:
        server = start_server()
    except LookupError as exc:
        unavailable(str(exc))
        raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server: PgCluster | ExternalServer) -> str:
    """The URL of a fresh database with PostGIS, for one test."""
    return pg_server.new_database()
