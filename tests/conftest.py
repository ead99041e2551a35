"""Fixtures shared by every test module.

- ``pg_server``: one PostgreSQL/PostGIS server for the whole session (a throw-away cluster
  started on first use and stopped at the end, or $CITYMAP_TEST_STORE); without binaries the
  tests using it skip with the reason — or fail when $CI is set, so CI never passes by
  skipping them.
- ``pg_url``: a fresh database with PostGIS on that server, for one test.
- every test starts in citymap's default language (Chinese); ``english`` switches a test's
  library messages to English (``citymap.i18n``).
- the user cache (``$XDG_CACHE_HOME``, where the folder store keeps its stamps of validated
  files, :mod:`citymap.store.stamp`) is a folder of the session, never the real one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from _pg import ExternalServer, PgCluster, start_server, unavailable
from citymap import i18n


@pytest.fixture(autouse=True, scope="session")
def _session_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The session's own user cache (subprocesses inherit it)."""
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts (and leaves) the process in the default language."""
    i18n.set_lang(i18n.DEFAULT_LANG)
    yield
    i18n.set_lang(i18n.DEFAULT_LANG)


@pytest.fixture
def english() -> Iterator[None]:
    """Library messages in English for this test."""
    with i18n.use_lang("en"):
        yield


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
