"""A throw-away PostgreSQL/PostGIS cluster for the store tests.

``PgCluster.start()`` runs ``initdb`` (as the ``postgres`` user when the tests run as root,
since PostgreSQL refuses to run as root) in a fresh folder under the system temp dir, starts
the server on a unix socket in that folder (no TCP) on a random port, and creates a template
database with PostGIS installed. Each test gets its own database copied from that template.

Without binaries the store tests skip with the reason, unless ``CI`` is set: then they fail,
so a CI run can never pass by silently skipping them. ``CITYMAP_TEST_STORE`` may name an
existing server (``postgresql://user@host/db``) to use instead of starting one.

The fixtures ``pg_server`` (one per test session) and ``pg_url`` (a fresh database per test)
are in ``tests/conftest.py``.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

TEMPLATE = "citymap_test_template"
_counter = itertools.count(1)


def find_bindir() -> Path | None:
    """The folder of ``initdb``/``pg_ctl``: $CITYMAP_PG_BIN, PATH, pg_config or Debian's."""
    env = os.environ.get("CITYMAP_PG_BIN")
    candidates = [env] if env else []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True,
                                 check=True, timeout=30).stdout.strip()
            candidates.append(out)
        except (OSError, subprocess.SubprocessError):
            pass
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").is_file() and (Path(c) / "pg_ctl").is_file():
            return Path(c)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """A throw-away cluster: ``start()``, ``url(dbname)``, ``new_database()``, ``stop()``."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="citymap-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.user = "postgres"
        self._as: list[str] = []
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no 'postgres' user to run "
                                   "the server as") from None
            os.chown(self.folder, pw.pw_uid, pw.pw_gid)
            runuser = shutil.which("runuser")
            self._as = [runuser, "-u", "postgres", "--"] if runuser else [
                "su", "postgres", "-s", "/bin/sh", "-c"]
        os.chmod(self.folder, 0o755)

    def _run(self, *args: str) -> None:
        cmd = [*self._as, *args]
        if self._as and self._as[0] == "su":
            cmd = [*self._as, " ".join(f"'{a}'" for a in args)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed ({proc.returncode}):\n"
                               f"{proc.stdout}\n{proc.stderr}")

    def start(self) -> PgCluster:
        """initdb, start the server on a unix socket, create the PostGIS template."""
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user,
                  "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
        opts = (f"-k {self.folder} -p {self.port} -c listen_addresses='' -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=40")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.folder / "server.log"), "-o", opts, "-w", "-t", "60", "start")
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        with psycopg.connect(self.url(TEMPLATE), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self

    def url(self, dbname: str) -> str:
        """A connection URL to database ``dbname`` over the unix socket."""
        return f"postgresql://{self.user}@/{dbname}?host={self.folder}&port={self.port}"

    def new_database(self) -> str:
        """A fresh database (with PostGIS) and its URL."""
        import psycopg

        name = f"citymap_t{os.getpid()}_{next(_counter)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        return self.url(name)

    def stop(self) -> None:
        """Stop the server and remove its folder."""
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                      "-w", "stop")
        except (RuntimeError, subprocess.SubprocessError):
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


class ExternalServer:
    """An existing server named by $CITYMAP_TEST_STORE: fresh databases made on it."""

    def __init__(self, url: str) -> None:
        self.base = url

    def new_database(self) -> str:
        """A fresh database (with PostGIS) on the server and its URL."""
        import psycopg
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        name = f"citymap_t{os.getpid()}_{next(_counter)}_{int(time.time())}"
        with psycopg.connect(self.base, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        params = conninfo_to_dict(self.base)
        params["dbname"] = name
        url = make_conninfo(**params)  # type: ignore[arg-type]
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return url

    def stop(self) -> None:
        """Nothing to stop."""


def unavailable(reason: str) -> None:
    """Skip with ``reason`` — or fail when $CI is set (never a silent skip in CI)."""
    if os.environ.get("CI"):
        pytest.fail(f"PostGIS store tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"PostGIS store tests need a PostgreSQL server: {reason}")


def start_server() -> PgCluster | ExternalServer:
    """Start the throw-away cluster (or name the external server).

    Raises
    ------
    LookupError
        With the reason when no server can be had.
    """
    external = os.environ.get("CITYMAP_TEST_STORE")
    if external:
        return ExternalServer(external)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise LookupError("psycopg is not installed (pip install 'citymap[postgis]')") from None
    bindir = find_bindir()
    if bindir is None:
        raise LookupError("no initdb/pg_ctl found (install postgresql-15 and "
                          "postgresql-15-postgis-3, or set CITYMAP_PG_BIN or CITYMAP_TEST_STORE)")
    if not glob.glob("/usr/share/postgresql/*/extension/postgis.control") and not glob.glob(
            str(bindir.parent.parent / "share" / "**" / "postgis.control"), recursive=True):
        raise LookupError("PostGIS is not installed (apt-get install postgresql-15-postgis-3)")
    cluster = PgCluster(bindir)
    try:
        return cluster.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        cluster.stop()
        raise LookupError(f"the throw-away cluster did not start: {exc}") from None


def login_role(url: str, role: str, member_of: str) -> str:
    """A login role in ``member_of`` (made afresh) and the URL that connects as it."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        conn.execute(f'CREATE ROLE "{role}" LOGIN IN ROLE {member_of}')
    return url.replace("postgresql://postgres@", f"postgresql://{role}@")
