"""The PostGIS store: the same workspaces as the file folders, shared in one database.

Several workspaces (counties) live in one database, each row keyed by its ``workspace``
text. ``push`` validates a file workspace exactly as ``load_workspace`` does and copies it in
one transaction; ``pull`` writes the files back (losslessly: the register, config and layer
definitions as written, the features' properties in file order with their JSON types and
the geometry as exact WKB doubles); status updates are appended in transactions that lock
the workspace, so concurrent writers lose nothing and a failed import leaves nothing behind.
Every change is recorded in ``citymap.audit`` with who and when.

All SQL is parameterised; identifiers are composed with :mod:`psycopg.sql`. Connection
strings are shown only through :func:`citymap.store.redact`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import attrs
import psycopg
import shapely
import shapely.geometry
from psycopg import sql
from psycopg.types.json import Jsonb

if TYPE_CHECKING:
    import geopandas as gpd

    from citymap.attachments import Attachments
    from citymap.store.postgis_reviews import PostgisReviews
    from citymap.workspace import Workspace, WorkspaceRecords

from citymap.errors import StoreError, ValidationError, WorkspaceError
from citymap.history import (
    AppendResult,
    StatusEvent,
    StatusLog,
    check_events,
    now_stamp,
    split_new,
)
from citymap.i18n import N_, _, ngettext
from citymap.io.atomic import atomic_dir, write_bytes
from citymap.sites import SITE_COLUMNS
from citymap.store._pg_rows import (
    ABSENT,
    collection_text,
    common_columns,
    coords,
    feature_chunks,
    file_value,
    read_geojson,
    status_log_text,
)
from citymap.store._url import redact, scrub
from citymap.store.base import current_user
from citymap.store.postgis_attachments import PostgisAttachments, pull_photos, push_photos

__all__ = ["PostgisStore", "Migration", "WorkspaceInfo", "PushResult", "SCHEMA", "migrations"]

#: The database schema holding citymap's tables.
SCHEMA = "citymap"
_KEY_MAX = 200
_SITE_COLS = ("workspace", "layer", "id", "ord", "works", "name", "year", "status",
              "status_date", "source", "kind", "attrs", "raw", "geom")


@attrs.frozen
class Migration:
    """One schema migration: ``migrations/NNNN_name.sql``."""

    version: int
    name: str
    text: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the SQL text (a changed, already applied migration is refused)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@attrs.frozen
class WorkspaceInfo:
    """A workspace in the store."""

    workspace: str
    name: str
    county: str
    sites: int
    events: int
    pushed_at: dt.datetime
    pushed_by: str


@attrs.frozen
class PushResult:
    """What ``push`` stored."""

    workspace: str
    layers: int
    features: int
    events: int
    photos: int = 0


def migrations() -> list[Migration]:
    """Every migration shipped with citymap, in version order."""
    out = []
    folder = resources.files("citymap.store") / "migrations"
    for entry in folder.iterdir():
        m = re.match(r"^(\d{4})_([a-z0-9_]+)\.sql$", entry.name)
        if m:
            out.append(Migration(int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(out, key=lambda m: m.version)


def _t(name: str) -> sql.Composed:
    """``citymap.<name>`` as a quoted identifier."""
    return sql.SQL(".").join([sql.Identifier(SCHEMA), sql.Identifier(name)])


def _split_fragment(url: str) -> tuple[str, str | None]:
    """Split ``url#workspace`` into the connection string and the workspace key."""
    base, sep, frag = url.partition("#")
    if not sep:
        return url, None
    return base, urllib.parse.unquote(frag) or None


def check_key(key: object) -> str:
    """A valid workspace key (any non-empty text up to 200 characters, no control characters).

    Raises
    ------
    StoreError
        Naming the bad key.
    """
    if not isinstance(key, str) or not key.strip() or len(key) > _KEY_MAX or any(
            ord(c) < 32 for c in key):
        raise StoreError(_("workspace key {key!r} must be a non-empty text of at most {limit} "
                           "characters without control characters (e.g. the county, 阳信县)")
                         .format(key=key, limit=_KEY_MAX))
    return key


def _safe_relpath(path: str, *, what: str) -> PurePosixPath:
    p = PurePosixPath(path.replace("\\", "/"))
    if not path or p.is_absolute() or ".." in p.parts or re.match(r"^[A-Za-z]:", path):
        raise StoreError(_("{what} {path!r} must be a relative path inside the workspace")
                         .format(what=what, path=path))
    return p


# ----------------------------------------------------------------------------- the store


class PostgisStore:
    """Workspaces in a PostGIS database.

    Parameters
    ----------
    url
        ``postgresql://…`` or ``key=value`` connection string; ``#key`` names the workspace.
    who
        Who makes the changes (default $CITYMAP_USER, else the login name).
    """

    def __init__(self, url: str, *, who: str | None = None) -> None:
        self._conninfo, self.key = _split_fragment(url)
        self.who = who or current_user()

    @property
    def url(self) -> str:
        """The connection string with its password hidden."""
        return redact(self._conninfo)

    def __repr__(self) -> str:
        return f"PostgisStore({self.url!r})"

    @property
    def where(self) -> str:
        """The database (password hidden) and, when named, the workspace key: ``URL#KEY``."""
        return f"{self.url}#{self.key}" if self.key else self.url

    @property
    def output_base(self) -> Path:
        """Outputs go under the current folder (the loaded workspace is a temporary copy)."""
        return Path.cwd()

    @property
    def folder(self) -> None:
        """A database is no folder."""
        return None

    # -- connections and errors

    def _scrub(self, text: str) -> str:
        out = scrub(text, self._conninfo)
        try:
            password = psycopg.conninfo.conninfo_to_dict(self._conninfo).get("password")
        except psycopg.Error:
            password = None
        if password:
            out = out.replace(str(password), "***")
        return out

    @contextlib.contextmanager
    def _errors(self, doing: str) -> Iterator[None]:
        try:
            yield
        except psycopg.errors.UndefinedTable:
            raise StoreError(_("{url}: no citymap schema there: run `citymap store init --store "
                               "URL` first").format(url=self.url)) from None
        except psycopg.Error as exc:
            msg = self._scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else
                              type(exc).__name__)
            raise StoreError(_("{doing} failed on {url}: {error}")
                             .format(doing=_(doing), url=self.url, error=msg)) from None

    @contextlib.contextmanager
    def connect(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection (closed at the end of the block; commit happens per transaction).

        Raises
        ------
        StoreError
            If the server cannot be reached (the message shows the URL without password).
        """
        with self._errors(N_("connecting")):
            conn = psycopg.connect(self._conninfo, connect_timeout=10,
                                   application_name="citymap")
        try:
            yield conn
        finally:
            conn.close()

    # -- schema

    def applied(self) -> dict[int, str]:
        """Applied migrations: version → checksum (empty before ``init``)."""
        with self.connect() as conn, self._errors(N_("reading the schema version")):
            return self._applied(conn)

    def _applied(self, conn: psycopg.Connection[Any]) -> dict[int, str]:
        exists = conn.execute("SELECT to_regclass(%s)",
                              (f"{SCHEMA}.schema_migrations",)).fetchone()
        if not exists or exists[0] is None:
            return {}
        rows = conn.execute(sql.SQL("SELECT version, checksum FROM {}").format(
            _t("schema_migrations"))).fetchall()
        return {int(v): str(c) for v, c in rows}

    def init(self) -> list[str]:
        """Create or upgrade the schema: apply pending migrations in one transaction.

        Idempotent: a second call applies nothing. Returns the names applied.

        Raises
        ------
        StoreError
            If an applied migration was changed since, or the SQL fails (nothing is applied).
        """
        done: list[str] = []
        with self.connect() as conn, self._errors("store init"), conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                         ("citymap:schema",))
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(SCHEMA)))
            conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (version integer PRIMARY KEY, name text NOT NULL, "
                "checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), "
                "applied_by text NOT NULL DEFAULT current_user)").format(
                    _t("schema_migrations")))
            applied = {int(v): str(c) for v, c in conn.execute(sql.SQL(
                "SELECT version, checksum FROM {}").format(_t("schema_migrations"))).fetchall()}
            for m in migrations():
                if m.version in applied:
                    if applied[m.version] != m.checksum:
                        raise StoreError(_("migration {version:04d}_{name} was changed after it "
                                           "was applied; add a new migration instead")
                                         .format(version=m.version, name=m.name))
                    continue
                conn.execute(m.text.encode("utf-8"))
                conn.execute(sql.SQL("INSERT INTO {} (version, name, checksum) VALUES "
                                     "(%s, %s, %s)").format(_t("schema_migrations")),
                             (m.version, m.name, m.checksum))
                done.append(f"{m.version:04d}_{m.name}")
        return done

    def _require_schema(self, conn: psycopg.Connection[Any]) -> None:
        applied = self._applied(conn)
        pending = [m for m in migrations() if m.version not in applied]
        if pending:
            if not applied:
                raise StoreError(_("{url}: no citymap schema: run `citymap store init --store "
                                   "URL`").format(url=self.url))
            raise StoreError(ngettext("{url}: {n} pending migration: run `citymap store init "
                                      "--store URL`",
                                      "{url}: {n} pending migrations: run `citymap store init "
                                      "--store URL`", len(pending))
                             .format(url=self.url, n=len(pending)))

    # -- workspaces

    def workspaces(self) -> list[WorkspaceInfo]:
        """Every workspace in the store, by key."""
        with self.connect() as conn, self._errors(N_("listing workspaces")):
            self._require_schema(conn)
            rows = conn.execute(sql.SQL(
                "SELECT w.workspace, w.name, w.county, "
                "(SELECT count(*) FROM {s} s WHERE s.workspace = w.workspace), "
                "(SELECT count(*) FROM {l} l WHERE l.workspace = w.workspace), "
                "w.pushed_at, w.pushed_by FROM {w} w ORDER BY w.workspace").format(
                    s=_t("sites"), l=_t("status_log"), w=_t("workspaces"))).fetchall()
        return [WorkspaceInfo(r[0], r[1], r[2], int(r[3]), int(r[4]), r[5], r[6]) for r in rows]

    def resolve_key(self, key: str | None = None) -> str:
        """The workspace meant: ``key``, else the URL's ``#key``, else the only one stored.

        Raises
        ------
        StoreError
            If none is given and the store holds none or several (they are listed).
        """
        key = key or self.key
        if key:
            return check_key(key)
        keys = [w.workspace for w in self.workspaces()]
        if len(keys) == 1:
            return keys[0]
        if not keys:
            raise StoreError(_("{url} holds no workspace yet: `citymap store push` one")
                             .format(url=self.url))
        raise StoreError(_("{url} holds {n} workspaces ({keys}): name one with "
                           "--store-workspace KEY or URL#KEY")
                         .format(url=self.url, n=len(keys), keys=", ".join(map(repr, keys))))

    @staticmethod
    def _lock(conn: psycopg.Connection[Any], key: str) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                     (f"citymap:ws:{key}",))

    def _audit(self, conn: psycopg.Connection[Any], key: str, action: str,
               detail: Mapping[str, Any]) -> None:
        conn.execute(sql.SQL("INSERT INTO {} (workspace, who, action, detail) VALUES "
                             "(%s, %s, %s, %s)").format(_t("audit")),
                     (key, self.who, action, Jsonb(dict(detail))))

    def push(self, root: str | os.PathLike[str] | None = None, *, key: str | None = None,
             replace: bool = False) -> PushResult:
        """Validate the file workspace ``root`` and copy it into the store (one transaction).

        Parameters
        ----------
        root
            The workspace folder (as for :func:`~citymap.workspace.load_workspace`).
        key
            The workspace key; default the URL's ``#key``, else the config's county.
        replace
            Replace status events in the store that the folder lacks. Without it, a push is
            refused when the store's log holds events recorded since the folder was pulled.

        Raises
        ------
        ValidationError
            If the folder does not validate (nothing is stored).
        StoreError
            If the store refuses it (nothing is stored).
        """
        from citymap.workspace import CONFIG_FILE, load_workspace

        ws = load_workspace(root)
        key = check_key(key or self.key or ws.config.county)
        folder = ws.root
        try:
            config_text = (folder / CONFIG_FILE).read_text(encoding="utf-8")
            register_text = (folder / ws.config.register).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise WorkspaceError(_("cannot read the workspace files: {error}")
                                 .format(error=exc)) from None
        register = ws.register
        layer_files = []
        for name, spec in ws.layers.items():
            _safe_relpath(spec.source, what=_("layer {name!r} source").format(name=name))
            layer_files.append((name, spec, (folder / spec.path).read_text(encoding="utf-8")))
        events = list(ws.history.events)
        measure_srid = _srid(ws.config.measure_crs)
        n_features = 0
        with self.connect() as conn, self._errors("store push"), conn.transaction():
            self._require_schema(conn)
            self._lock(conn, key)
            stored = self._events(conn, key)
            if stored and not replace and events[:len(stored)] != stored:
                extra = len(stored) - sum(1 for a, b in zip(stored, events, strict=False)
                                          if a == b)
                raise StoreError(_("workspace {key!r} in the store holds {extra} status event(s) "
                                   "the folder lacks (recorded since it was pulled): `citymap "
                                   "store pull` first, or push with --replace to overwrite them")
                                 .format(key=key, extra=extra))
            conn.execute(sql.SQL("DELETE FROM {} WHERE workspace = %s").format(
                _t("workspaces")), (key,))
            conn.execute(sql.SQL(
                "INSERT INTO {} (workspace, name, county, config, register_path, status_log_path,"
                " measure_srid, pushed_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)").format(
                    _t("workspaces")),
                (key, ws.config.name, ws.config.county, config_text, ws.config.register,
                 ws.config.status_log, measure_srid, self.who))
            conn.execute(sql.SQL("INSERT INTO {} (workspace, text) VALUES (%s, %s)").format(
                _t("register")), (key, register_text))
            with conn.cursor() as cur:
                cur.executemany(sql.SQL(
                    "INSERT INTO {} (workspace, number, action, name, lead_units, "
                    "partner_units, status, site_bound, plan_only) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s)").format(_t("works")),
                    [(key, w.number, w.action, w.name, list(w.lead_units),
                      list(w.partner_units), w.status, w.site_bound, w.plan_only)
                     for w in register.works])
                cur.executemany(sql.SQL(
                    "INSERT INTO {} (workspace, id, work, metric, name, value, unit, comparison,"
                    " year, start_year, layer, \"where\", denominator) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)").format(
                        _t("targets")),
                    [(key, t.id, t.work, t.metric, t.name, t.value, t.unit, t.comparison,
                      t.year, t.start_year, t.layer, Jsonb({k: list(v) for k, v in t.where}),
                      None if t.denominator is None else Jsonb({
                          "layer": t.denominator.layer,
                          "where": {k: list(v) for k, v in t.denominator.where}}))
                     for t in register.targets])
                cols = sql.SQL(", ").join(map(sql.Identifier, _SITE_COLS))
                for pos, (name, spec, toml) in enumerate(layer_files):
                    # read, convert and COPY one layer at a time, in chunks: the server
                    # stores a chunk while the next one is made
                    collection, features = read_geojson(folder / spec.source, spec.source)
                    cur.execute(sql.SQL(
                        "INSERT INTO {} (workspace, layer, position, path, toml, role, source, "
                        "geometry_type, properties, collection) VALUES "
                        "(%s, %s, %s, %s, %s, %s, %s, %s, '{{}}', %s)").format(_t("layers")),
                        (key, name, pos, spec.path, toml, spec.role, spec.source,
                         spec.geometry, json.dumps(collection, ensure_ascii=False)))
                    order: dict[str, None] = {}
                    gdf = ws.data.get(name)
                    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                            _t("sites"), cols)) as copy:
                        for chunk in feature_chunks(key, name, spec.role, features, order,
                                                     None if gdf is None
                                                     else gdf.geometry.values):
                            copy.write(chunk.encode("utf-8"))
                    cur.execute(sql.SQL("UPDATE {} SET properties = %s WHERE workspace = %s "
                                        "AND layer = %s").format(_t("layers")),
                                (list(order), key, name))
                    n_features += len(features)
                    del features, collection
            self._insert_events(conn, key, events, who=None)
            self._audit(conn, key, "push", {"layers": len(layer_files),
                                            "features": n_features, "events": len(events),
                                            "replace": replace})
            n_photos = push_photos(conn, self, key, folder, stamp=now_stamp())
        return PushResult(key, len(layer_files), n_features, len(events), n_photos)

    def delete(self, key: str) -> None:
        """Remove workspace ``key`` from the store (the audit trail stays)."""
        key = check_key(key)
        with self.connect() as conn, self._errors(N_("deleting")), conn.transaction():
            self._require_schema(conn)
            self._lock(conn, key)
            for table in ("workspaces", "attachments"):  # photos are kept by a push
                conn.execute(sql.SQL("DELETE FROM {} WHERE workspace = %s").format(
                    _t(table)), (key,))
            self._audit(conn, key, "delete", {})

    # -- reading

    def files(self, key: str | None = None) -> dict[str, bytes]:
        """The workspace's files as pulled: relative path → content.

        Raises
        ------
        StoreError
            If the workspace is not in the store.
        """
        key = self.resolve_key(key)
        with self.connect() as conn, self._errors("store pull"):
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            conn.read_only = True
            return self._files(conn, key)

    def _files(self, conn: psycopg.Connection[Any], key: str) -> dict[str, bytes]:
        with conn.transaction():
            self._require_schema(conn)
            row = conn.execute(sql.SQL(
                "SELECT w.config, w.register_path, w.status_log_path, r.text FROM {} w "
                "JOIN {} r USING (workspace) WHERE w.workspace = %s").format(
                    _t("workspaces"), _t("register")), (key,)).fetchone()
            if row is None:
                known = [r[0] for r in conn.execute(sql.SQL(
                    "SELECT workspace FROM {} ORDER BY 1").format(_t("workspaces")))]
                raise StoreError(_("no workspace {key!r} in {url}; it holds: {keys}")
                                 .format(key=key, url=self.url,
                                         keys=", ".join(map(repr, known)) or "—"))
            config, register_path, log_path, register_text = row
            out: dict[str, bytes] = {"citymap.toml": config.encode("utf-8")}
            out[str(_safe_relpath(register_path, what=_("register")))] = register_text.encode(
                "utf-8")
            layers = conn.execute(sql.SQL(
                "SELECT layer, path, toml, role, source, properties, collection FROM {} "
                "WHERE workspace = %s ORDER BY position").format(_t("layers")), (key,)).fetchall()
            features: dict[str, list[dict[str, Any]]] = {lay[0]: [] for lay in layers}
            cur = conn.cursor(binary=True)
            cur.execute(sql.SQL(
                "SELECT layer, id, works, name, year, status, status_date, source, kind, attrs, "
                "raw, ST_AsBinary(geom) FROM {} WHERE workspace = %s ORDER BY layer, ord, id"
            ).format(_t("sites")), (key,))
            spec = {lay[0]: lay for lay in layers}
            for (layer, id_, works, name, year, status, sdate, source, kind, attrs_, raw,
                 wkb) in cur:
                role, order = spec[layer][3], spec[layer][5]
                values = dict(zip(SITE_COLUMNS, (id_, works, name, year, status, sdate, source,
                                                 kind), strict=True))
                props: dict[str, Any] = {}
                common = common_columns(role)
                absent = set(raw.get(ABSENT, ()))
                for p in order:
                    if p in common:
                        if p not in absent:
                            props[p] = raw[p] if p in raw else file_value(p, values[p])
                    elif p in attrs_:
                        props[p] = attrs_[p]
                for p, v in attrs_.items():  # fields added in the database
                    props.setdefault(p, v)
                features[layer].append({"type": "Feature", "properties": props,
                                        "geometry": coords(shapely.from_wkb(bytes(wkb)))})
            for layer, path, toml, _role, source, _order, collection in layers:
                out[str(_safe_relpath(path, what=_("layer definition")))] = toml.encode("utf-8")
                out[str(_safe_relpath(source, what=_("layer source")))] = collection_text(
                    collection, features[layer]).encode("utf-8")
            events = self._events(conn, key)
            if events:
                out[str(_safe_relpath(log_path, what=_("status log")))] = status_log_text(
                    events).encode("utf-8")
        return out

    def pull(self, dest: str | os.PathLike[str], *, key: str | None = None,
             overwrite: bool = False, photos: bool = True) -> Path:
        """Write workspace ``key`` into the folder ``dest`` (atomically).

        With ``photos``, its photos are written into ``geo/attachments`` (through
        :class:`~citymap.attachments.FolderAttachments`). A new folder appears whole or
        not at all. An existing folder is refused unless
        ``overwrite``: then each file is replaced atomically and layer definitions not in
        the store are removed (outputs such as ``maps/`` stay).

        Returns
        -------
        Path
            The folder.
        """
        dest = Path(dest)
        if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
            raise StoreError(_("{dest!r} is a file or a link, not a folder: pull into a new "
                               "folder").format(dest=str(dest)))
        if dest.exists() and any(dest.iterdir()):
            if not overwrite:
                raise StoreError(_("{dest!r} exists and is not empty: pull into a new folder, or "
                                   "pass --overwrite to replace its workspace files")
                                 .format(dest=str(dest)))
            if not (dest / "citymap.toml").is_file():
                raise StoreError(_("{dest!r} is not a citymap workspace (no citymap.toml): "
                                   "--overwrite only replaces the files of a workspace; pull "
                                   "into a new folder").format(dest=str(dest)))
        files = self.files(key)
        if dest.exists() and any(dest.iterdir()):
            keep = {dest / p for p in files}
            for old in (dest / "layers").glob("*.toml"):
                if old not in keep:
                    old.unlink()
            for rel, data in files.items():
                write_bytes(dest / rel, data)
            if photos:
                pull_photos(self, self.resolve_key(key), dest)
            return dest
        with atomic_dir(dest, mark=None) as tmp:  # a workspace is data, not an output
            for rel, data in files.items():
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            if photos:
                pull_photos(self, self.resolve_key(key), tmp)
        return dest

    def load(self, *, repair: bool = False, today: dt.date | None = None,
             key: str | None = None) -> Workspace:
        """The validated :class:`~citymap.workspace.Workspace` of ``key`` (default: this
        store's, :meth:`resolve_key`).

        Pulled into a fresh temporary folder (removed when the process exits) and loaded
        from there with :func:`~citymap.workspace.load_workspace`, so the rules and the
        result are those of the file workspace. ``ws.root`` is that folder. The photos stay
        in the store: read them through :meth:`attachments`.
        """
        import atexit
        import shutil

        from citymap.workspace import load_workspace

        tmp = Path(tempfile.mkdtemp(prefix="citymap-store-"))
        atexit.register(shutil.rmtree, tmp, True)
        folder = self.pull(tmp / "workspace", key=key, photos=False)
        return load_workspace(folder, repair=repair, today=today)

    def load_records(self, *, today: dt.date | None = None) -> WorkspaceRecords:
        """The validated workspace (:meth:`load`): the database keeps no stamp of what was
        validated, so what the status needs comes from the full load.
        """
        return self.load(today=today)

    def attachments(self) -> Attachments:
        """The photos of the workspace (:class:`PostgisAttachments`)."""
        return PostgisAttachments(self, self.resolve_key())

    def _events(self, conn: psycopg.Connection[Any], key: str) -> list[StatusEvent]:
        rows = conn.execute(sql.SQL(
            "SELECT date, id, status, percent, note, unit, recorded_at FROM {} "
            "WHERE workspace = %s ORDER BY seq").format(_t("status_log")), (key,)).fetchall()
        return [StatusEvent(r[0], r[1], r[2], None if r[3] is None else float(r[3]), r[4],
                            r[5], r[6]) for r in rows]

    def status_log(self, key: str | None = None) -> StatusLog:
        """The status log of workspace ``key``."""
        key = self.resolve_key(key)
        with self.connect() as conn, self._errors(N_("reading the status log")):
            self._require_schema(conn)
            return StatusLog(tuple(self._events(conn, key)))

    def audit(self, key: str | None = None) -> list[dict[str, Any]]:
        """The audit trail of ``key`` (or of every workspace), oldest first."""
        with self.connect() as conn, self._errors(N_("reading the audit trail")):
            self._require_schema(conn)
            cur = conn.cursor(row_factory=psycopg.rows.dict_row)
            query = sql.SQL("SELECT seq, workspace, at, who, db_user, action, detail, txid "
                            "FROM {}").format(_t("audit"))
            if key is not None:
                cur.execute(query + sql.SQL(" WHERE workspace = %s ORDER BY seq"), (key,))
            else:
                cur.execute(query + sql.SQL(" ORDER BY seq"))
            return list(cur.fetchall())

    # -- writing status

    def _insert_events(self, conn: psycopg.Connection[Any], key: str,
                       events: Sequence[StatusEvent], *, who: str | None) -> None:
        if not events:
            return
        with conn.cursor() as cur:
            cur.executemany(sql.SQL(
                "INSERT INTO {} (workspace, date, id, status, percent, note, unit, recorded_at,"
                " recorded_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)").format(
                    _t("status_log")),
                [(key, e.date, e.id, e.status, e.percent, e.note, e.unit, e.recorded_at,
                  who or self.who) for e in events])

    def known_ids(self, conn: psycopg.Connection[Any], key: str) -> set[str]:
        """Site ids and work numbers (as text) of ``key``: what status events may name."""
        ids = {r[0] for r in conn.execute(sql.SQL(
            "SELECT id FROM {} s JOIN {} l USING (workspace, layer) WHERE s.workspace = %s "
            "AND l.role = 'sites'").format(_t("sites"), _t("layers")), (key,))}
        works = {str(r[0]) for r in conn.execute(sql.SQL(
            "SELECT number FROM {} WHERE workspace = %s").format(_t("works")), (key,))}
        return ids | works

    def _plan_start(self, conn: psycopg.Connection[Any], key: str) -> dt.date:
        """The start of the plan of the register stored for ``key`` (validated on push)."""
        import yaml

        from citymap.register import parse_register

        row = conn.execute(sql.SQL("SELECT text FROM {} WHERE workspace = %s").format(
            _t("register")), (key,)).fetchone()
        if row is None:
            raise StoreError(_("no register of workspace {key!r} in {url}")
                             .format(key=key, url=self.url))
        return parse_register(yaml.safe_load(row[0]), shown=f"{key} register").plan.start

    def append_events(
        self,
        ws: Workspace,
        events: Sequence[StatusEvent],
        *,
        locations: Sequence[tuple[str, str]] | None = None,
        today: dt.date | None = None,
        dry_run: bool = False,
        action: str = "status",
    ) -> AppendResult:
        """Append status events to the log of this store's workspace, all or none
        (:meth:`append_log` with the ids and the plan's start of ``ws``, as loaded from
        this store).
        """
        known = ws.site_ids | {str(w.number) for w in ws.register.works}
        return self.append_log(events, known_ids=known, today=today, locations=locations,
                               dry_run=dry_run, action=action,
                               first_date=ws.register.plan.start)

    def append_log(
        self,
        events: Sequence[StatusEvent],
        *,
        key: str | None = None,
        known_ids: set[str] | None = None,
        today: dt.date | None = None,
        locations: Sequence[tuple[str, str]] | None = None,
        recorded_at: str | None = None,
        dry_run: bool = False,
        action: str = "status",
        validate: bool = True,
        first_date: dt.date | None = None,
    ) -> AppendResult:
        """Append status events to the log of ``key`` in one transaction.

        The same contract as :func:`citymap.store.folder.append_events` for the file log: the
        workspace is locked for the transaction (concurrent writers wait, nothing is lost),
        the log is read again inside it, the events are checked with
        :func:`citymap.history.check_events` (the same rules), events already recorded are
        skipped (idempotent re-imports), and all the new ones are appended or none.
        ``recorded_by``, the database user and the transaction id are stored with each row
        and the change is written to the audit trail.

        Parameters
        ----------
        events
            The events; their ``recorded_at`` is replaced by ``recorded_at``.
        key
            The workspace.
        known_ids
            Ids events may name; default the site ids and work numbers in the store.
        today
            Latest allowed date (default today).
        locations
            ``(where, item)`` of each event, for messages.
        recorded_at
            The time stamp of the new rows (default now).
        dry_run
            Check and report, write nothing.
        action
            What the audit trail calls it (``status``, ``progress import`` …).
        validate
            Check the events (``False`` only to test the database's own constraints).
        first_date
            The earliest allowed date (default: the start of the stored register's plan).

        Raises
        ------
        ValidationError
            Listing every bad event (nothing is appended).
        StoreError
            If the database refuses them (nothing is appended).
        """
        key = self.resolve_key(key)
        stamp = recorded_at or now_stamp()
        with self.connect() as conn, self._errors(action), conn.transaction():
            self._require_schema(conn)
            self._lock(conn, key)
            row = conn.execute(sql.SQL("SELECT status_log_path FROM {} WHERE workspace = %s "
                                       "FOR UPDATE").format(_t("workspaces")), (key,)).fetchone()
            if row is None:
                raise StoreError(_("no workspace {key!r} in {url}").format(key=key, url=self.url))
            log = StatusLog(tuple(self._events(conn, key)))
            if validate:
                ids = known_ids if known_ids is not None else self.known_ids(conn, key)
                first = first_date or self._plan_start(conn, key)
                problems = check_events(log, events, known_ids=ids, today=today,
                                        first_date=first, locations=locations,
                                        shown=_("status log of {key}").format(key=key))
                if problems:
                    raise ValidationError(problems)
            added, unchanged = split_new(log, events, recorded_at=stamp)
            if added and not dry_run:
                self._insert_events(conn, key, added, who=None)
                self._audit(conn, key, action, {"events": len(added),
                                                "ids": sorted({e.id for e in added})[:100]})
        return AppendResult(tuple(added), tuple(unchanged), Path(row[0]), dry_run)

    def reviews(self, key: str | None = None) -> PostgisReviews:
        """The submissions and decisions of workspace ``key`` (:mod:`citymap.review`)."""
        from citymap.store.postgis_reviews import PostgisReviews

        return PostgisReviews(self, key)

    # -- writing sites

    def write_layer(self, ws: Workspace, layer: str, sites: gpd.GeoDataFrame, *,
                    columns: Sequence[str] | None = None, action: str = "import") -> str:
        """Replace the features of ``layer`` with ``sites`` in one transaction.

        The features are stored as the folder store writes them (RFC 7946 GeoJSON, the
        properties ``columns`` in order), under the workspace's lock; the change is written
        to the audit trail with who and how many. Status events are not touched.

        Raises
        ------
        StoreError
            If the store has no such layer, or the database refuses a feature (nothing is
            changed).
        """
        from citymap.io.export import geojson_text

        del ws  # the layer's role and order come from the store itself
        key = self.resolve_key()
        features = json.loads(geojson_text(sites, columns))["features"]
        cols = sql.SQL(", ").join(map(sql.Identifier, _SITE_COLS))
        with self.connect() as conn, self._errors(action), conn.transaction():
            self._require_schema(conn)
            self._lock(conn, key)
            row = conn.execute(sql.SQL("SELECT role FROM {} WHERE workspace = %s AND "
                                       "layer = %s").format(_t("layers")),
                               (key, layer)).fetchone()
            if row is None:
                raise StoreError(_("no layer {layer!r} in workspace {key!r} of {url}")
                                 .format(layer=layer, key=key, url=self.url))
            conn.execute(sql.SQL("DELETE FROM {} WHERE workspace = %s AND layer = %s").format(
                _t("sites")), (key, layer))
            order: dict[str, None] = {}
            with conn.cursor() as cur, cur.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(
                    _t("sites"), cols)) as copy:
                for chunk in feature_chunks(key, layer, row[0], features, order):
                    copy.write(chunk.encode("utf-8"))
            conn.execute(sql.SQL("UPDATE {} SET properties = %s WHERE workspace = %s AND "
                                 "layer = %s").format(_t("layers")), (list(order), key, layer))
            self._audit(conn, key, action, {"layer": layer, "features": len(features)})
        return _("{url}#{key} layer {layer}").format(url=self.url, key=key, layer=layer)


def _srid(crs: str) -> int:
    from citymap.crs import resolve_crs

    epsg = resolve_crs(crs, what="measure_crs").to_epsg()
    return int(epsg) if epsg else 4548
