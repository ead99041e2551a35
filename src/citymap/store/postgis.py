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
import csv
import datetime as dt
import getpass
import hashlib
import io
import json
import os
import re
import tempfile
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import psycopg
import shapely
import shapely.geometry
from psycopg import sql
from psycopg.types.json import Jsonb

if TYPE_CHECKING:
    from citymap.attachments import Attachments
    from citymap.progress import ImportResult
    from citymap.store.postgis_reviews import PostgisReviews
    from citymap.workspace import Workspace

from citymap.errors import StoreError, ValidationError, WorkspaceError
from citymap.history import (
    LOG_COLUMNS,
    AppendResult,
    StatusEvent,
    StatusLog,
    check_events,
    now_stamp,
    parse_date,
    split_new,
)
from citymap.io.atomic import atomic_dir, write_bytes
from citymap.io.csvsafe import escape_record
from citymap.sites import CONTEXT_COLUMNS, SITE_COLUMNS, parse_works
from citymap.store import redact, scrub
from citymap.store.postgis_attachments import PostgisAttachments, pull_photos, push_photos

__all__ = ["PostgisStore", "Migration", "WorkspaceInfo", "PushResult", "SCHEMA", "migrations"]

#: The database schema holding citymap's tables.
SCHEMA = "citymap"
_KEY_MAX = 200
#: Key in ``sites.raw`` listing the common properties a feature does not have at all.
_ABSENT = "__absent__"
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
        raise StoreError(f"workspace key {key!r} must be a non-empty text of at most "
                         f"{_KEY_MAX} characters without control characters (e.g. the county, "
                         "阳信县)")
    return key


def _safe_relpath(path: str, *, what: str) -> PurePosixPath:
    p = PurePosixPath(path.replace("\\", "/"))
    if not path or p.is_absolute() or ".." in p.parts or re.match(r"^[A-Za-z]:", path):
        raise StoreError(f"{what} {path!r} must be a relative path inside the workspace")
    return p


# ------------------------------------------------------------------------ feature rows


def _common_columns(role: str) -> tuple[str, ...]:
    return SITE_COLUMNS if role == "sites" else CONTEXT_COLUMNS


def _canonical(col: str, value: Any) -> Any:
    """The typed value stored in column ``col`` for a file value."""
    if value is None:
        return None
    if col == "works":
        return ";".join(map(str, parse_works(value)))
    if col == "year":
        return int(value)
    if col == "status_date":
        return parse_date(value)
    return str(value)


def _file_value(col: str, value: Any) -> Any:
    """The JSON value written to the file for a stored column value."""
    if value is None:
        return None
    if col == "status_date" and isinstance(value, dt.date):
        return value.isoformat()
    return value


def _same_json(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _read_geojson(path: Path, shown: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(f"{shown}: the store copies GeoJSON layer files and this one cannot "
                         f"be read as GeoJSON ({exc}); convert it to GeoJSON first") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise StoreError(f"{shown}: is not a GeoJSON FeatureCollection")
    features = data.get("features") or []
    return {k: v for k, v in data.items() if k != "features"}, list(features)


_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"
#: EWKB: the type word's flag saying an SRID follows; 4326 as 4 little-endian bytes.
_EWKB_SRID_FLAG = 0x20000000
_SRID_HEX = (4326).to_bytes(4, "little").hex().upper()
#: Common columns whose canonical value is the file's text itself when that is a string.
_PLAIN_TEXT = frozenset({"id", "name", "status", "source", "kind"})
_MISSING = object()


def _copy_text(value: Any) -> str:
    r"""``value`` as a field of COPY's text format (``\N`` for None)."""
    if value is None:
        return _COPY_NULL
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPE)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _canonical_cached(col: str, value: Any, cache: dict[tuple[str, type, Any], tuple[Any, bool]]
                      ) -> tuple[Any, bool]:
    """``(canonical value, whether the file value is its canonical JSON form)``."""
    if col in _PLAIN_TEXT and type(value) is str:
        return value, True
    try:
        return cache[(col, type(value), value)]
    except KeyError:
        pass
    except TypeError:  # an unhashable file value (a list, an object)
        canon = _canonical(col, value)
        return canon, _same_json(_file_value(col, canon), value)
    canon = _canonical(col, value)
    out = canon, _same_json(_file_value(col, canon), value)
    cache[(col, type(value), value)] = out
    return out


def _ewkb_hex(geoms: Sequence[Any]) -> list[str]:
    """Hex EWKB with SRID 4326 of every geometry (vectorised WKB, SRID spliced in)."""
    if not len(geoms):
        return []
    wkb = shapely.to_wkb(np.asarray(geoms, dtype=object), hex=True, byte_order=1)
    heads: dict[str, str] = {}
    out = []
    for h in wkb:  # "01" (little endian), the type (4 bytes), the rest
        head = heads.get(h[:10])
        if head is None:
            kind = int.from_bytes(bytes.fromhex(h[2:10]), "little") | _EWKB_SRID_FLAG
            head = heads[h[:10]] = "01" + kind.to_bytes(4, "little").hex().upper() + _SRID_HEX
        out.append(head + h[10:])
    return out


def _feature_chunks(key: str, layer: str, role: str, features: Sequence[Mapping[str, Any]],
                    order: dict[str, None], geoms: Sequence[Any] | None = None,
                    size: int = 20_000) -> Iterator[str]:
    """The COPY text (one line a feature) of one layer's features, ``size`` lines a chunk.

    Parameters
    ----------
    key, layer, role
        The workspace key, the layer and its role.
    features
        The GeoJSON features as read with :mod:`json`.
    order
        Filled with the property names in the order of the file.
    geoms
        The features' geometries, if already read (``load_workspace`` reads them exactly
        from the same file); else they are made from the GeoJSON.
    size
        Features per chunk (the server stores one chunk while the next is made).
    """
    common = _common_columns(role)
    if geoms is None or len(geoms) != len(features):
        geoms = [shapely.geometry.shape(f["geometry"]) for f in features]
    head = f"{_copy_text(key)}\t{_copy_text(layer)}\t"
    cache: dict[tuple[str, type, Any], tuple[Any, bool]] = {}
    last_keys: tuple[str, ...] = ()
    for start in range(0, len(features), size):
        lines = []
        for ord_, feat, wkb in zip(range(start, start + size), features[start:start + size],
                                   _ewkb_hex(geoms[start:start + size]), strict=False):
            props = feat.get("properties") or {}
            keys = tuple(props)
            if keys != last_keys:
                for k in keys:
                    order.setdefault(k, None)
                last_keys = keys
            vals: list[str] = []
            raw: dict[str, Any] = {}
            for col in SITE_COLUMNS:
                if col not in common:
                    vals.append(_COPY_NULL)
                    continue
                v = props.get(col, _MISSING)
                if v is _MISSING:
                    raw.setdefault(_ABSENT, []).append(col)
                    vals.append(_COPY_NULL)
                    continue
                canon, same = _canonical_cached(col, v, cache)
                if not same:
                    raw[col] = v
                vals.append(_copy_text(canon))
            attrs_ = {k: v for k, v in props.items() if k not in common}
            attrs_text = _copy_text(json.dumps(attrs_, ensure_ascii=False)) if attrs_ else "{}"
            raw_text = _copy_text(json.dumps(raw, ensure_ascii=False)) if raw else "{}"
            rest = "\t".join(vals[1:])
            lines.append(f"{head}{vals[0]}\t{ord_}\t{rest}\t{attrs_text}\t{raw_text}\t{wkb}\n")
        yield "".join(lines)


def _geojson_text(collection: Mapping[str, Any], features: Iterable[dict[str, Any]]) -> str:
    """A FeatureCollection, one feature a line (floats in their shortest exact form)."""
    head = {"type": "FeatureCollection", **{k: v for k, v in collection.items()}}
    parts = [json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [']
    feats = [json.dumps(f, ensure_ascii=False) for f in features]
    parts.append(",\n".join(feats))
    parts.append("]}\n")
    return "\n".join(parts) if feats else parts[0] + "]}\n"


def _coords(geom: shapely.Geometry) -> dict[str, Any]:
    mapped: dict[str, Any] = shapely.geometry.mapping(geom)  # tuples: written as JSON lists
    return mapped


def status_log_text(events: Iterable[StatusEvent]) -> str:
    """The CSV text of a status log (header ``date,id,status,percent,note,unit,recorded_at``)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(LOG_COLUMNS), lineterminator="\n")
    w.writeheader()
    for e in events:
        w.writerow(escape_record(e.as_row()))
    return buf.getvalue()


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
        self.who = who or os.environ.get("CITYMAP_USER") or _login()

    @property
    def url(self) -> str:
        """The connection string with its password hidden."""
        return redact(self._conninfo)

    def __repr__(self) -> str:
        return f"PostgisStore({self.url!r})"

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
            raise StoreError(f"{self.url}: no citymap schema there: run `citymap store init "
                             "--store URL` first") from None
        except psycopg.Error as exc:
            msg = self._scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else
                              type(exc).__name__)
            raise StoreError(f"{doing} failed on {self.url}: {msg}") from None

    @contextlib.contextmanager
    def connect(self) -> Iterator[psycopg.Connection[Any]]:
        """A connection (closed at the end of the block; commit happens per transaction).

        Raises
        ------
        StoreError
            If the server cannot be reached (the message shows the URL without password).
        """
        with self._errors("connecting"):
            conn = psycopg.connect(self._conninfo, connect_timeout=10,
                                   application_name="citymap")
        try:
            yield conn
        finally:
            conn.close()

    # -- schema

    def applied(self) -> dict[int, str]:
        """Applied migrations: version → checksum (empty before ``init``)."""
        with self.connect() as conn, self._errors("reading the schema version"):
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
                        raise StoreError(f"migration {m.version:04d}_{m.name} was changed after "
                                         "it was applied; add a new migration instead")
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
            what = "no citymap schema" if not applied else (
                f"{len(pending)} pending migration(s)")
            raise StoreError(f"{self.url}: {what}: run `citymap store init --store URL`")

    # -- workspaces

    def workspaces(self) -> list[WorkspaceInfo]:
        """Every workspace in the store, by key."""
        with self.connect() as conn, self._errors("listing workspaces"):
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
            raise StoreError(f"{self.url} holds no workspace yet: `citymap store push` one")
        raise StoreError(f"{self.url} holds {len(keys)} workspaces ({', '.join(map(repr, keys))})"
                         ": name one with --store-workspace KEY or URL#KEY")

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
            raise WorkspaceError(f"cannot read the workspace files: {exc}") from None
        register = ws.register
        layer_files = []
        for name, spec in ws.layers.items():
            _safe_relpath(spec.source, what=f"layer {name!r} source")
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
                raise StoreError(f"workspace {key!r} in the store holds {extra} status "
                                 "event(s) the folder lacks (recorded since it was pulled): "
                                 "`citymap store pull` first, or push with --replace to "
                                 "overwrite them")
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
                    collection, features = _read_geojson(folder / spec.source, spec.source)
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
                        for chunk in _feature_chunks(key, name, spec.role, features, order,
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
        with self.connect() as conn, self._errors("deleting"), conn.transaction():
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
                raise StoreError(f"no workspace {key!r} in {self.url}; it holds: "
                                 f"{', '.join(map(repr, known)) or 'none'}")
            config, register_path, log_path, register_text = row
            out: dict[str, bytes] = {"citymap.toml": config.encode("utf-8")}
            out[str(_safe_relpath(register_path, what="register"))] = register_text.encode(
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
                common = _common_columns(role)
                absent = set(raw.get(_ABSENT, ()))
                for p in order:
                    if p in common:
                        if p not in absent:
                            props[p] = raw[p] if p in raw else _file_value(p, values[p])
                    elif p in attrs_:
                        props[p] = attrs_[p]
                for p, v in attrs_.items():  # fields added in the database
                    props.setdefault(p, v)
                features[layer].append({"type": "Feature", "properties": props,
                                        "geometry": _coords(shapely.from_wkb(bytes(wkb)))})
            for layer, path, toml, _role, source, _order, collection in layers:
                out[str(_safe_relpath(path, what="layer definition"))] = toml.encode("utf-8")
                out[str(_safe_relpath(source, what="layer source"))] = _geojson_text(
                    collection, features[layer]).encode("utf-8")
            events = self._events(conn, key)
            if events:
                out[str(_safe_relpath(log_path, what="status log"))] = status_log_text(
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
            raise StoreError(f"{str(dest)!r} is a file or a link, not a folder: pull into a "
                             "new folder")
        if dest.exists() and any(dest.iterdir()):
            if not overwrite:
                raise StoreError(f"{str(dest)!r} exists and is not empty: pull into a new "
                                 "folder, or pass --overwrite to replace its workspace files")
            if not (dest / "citymap.toml").is_file():
                raise StoreError(f"{str(dest)!r} is not a citymap workspace (no citymap.toml): "
                                 "--overwrite only replaces the files of a workspace; pull "
                                 "into a new folder")
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

    def load(self, key: str | None = None, **kwargs: Any) -> Any:
        """The validated :class:`~citymap.workspace.Workspace` of ``key``.

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
        return load_workspace(folder, **kwargs)

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
        with self.connect() as conn, self._errors("reading the status log"):
            self._require_schema(conn)
            return StatusLog(tuple(self._events(conn, key)))

    def audit(self, key: str | None = None) -> list[dict[str, Any]]:
        """The audit trail of ``key`` (or of every workspace), oldest first."""
        with self.connect() as conn, self._errors("reading the audit trail"):
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
            raise StoreError(f"no register of workspace {key!r} in {self.url}")
        return parse_register(yaml.safe_load(row[0]), shown=f"{key} register").plan.start

    def append_events(
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
                raise StoreError(f"no workspace {key!r} in {self.url}")
            log = StatusLog(tuple(self._events(conn, key)))
            if validate:
                ids = known_ids if known_ids is not None else self.known_ids(conn, key)
                first = first_date or self._plan_start(conn, key)
                problems = check_events(log, events, known_ids=ids, today=today,
                                        first_date=first, locations=locations,
                                        shown=f"{key} status log")
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

    def set_status(self, ws: Workspace, ident: str, status: str, date: dt.date, *,
                   percent: float | None = None, note: str = "", unit: str | None = None,
                   today: dt.date | None = None, dry_run: bool = False,
                   key: str | None = None) -> AppendResult:
        """``citymap status set`` on the store: :func:`citymap.progress.set_status`'s checks,
        then :meth:`append_events` in one transaction.

        Parameters
        ----------
        ws
            The workspace as loaded from this store (:meth:`load`).
        """
        from citymap.progress import ids_of, status_event

        event, problems = status_event(ws, ident, status, date, percent=percent, note=note,
                                       unit=unit)
        if problems:
            raise ValidationError(problems)
        return self.append_events([event], key=key, known_ids=set(ids_of(ws)), today=today,
                                  locations=[("status set", event.id)], dry_run=dry_run,
                                  first_date=ws.register.plan.start)

    def import_progress(self, ws: Workspace, path: str | os.PathLike[str], *,
                        unit: str | None = None, sheet: str | None = None,
                        dry_run: bool = False, today: dt.date | None = None,
                        key: str | None = None) -> ImportResult:
        """``citymap progress import`` on the store: every row checked as for the files
        (:func:`citymap.progress.read_events`), then all appended in one transaction or
        none.

        Raises
        ------
        ValidationError
            Listing every problem of the file; nothing is appended.
        """
        from citymap.io.xlsx import read_progress_file
        from citymap.progress import ImportResult, ids_of, read_events

        today = today or dt.date.today()
        pf = read_progress_file(Path(path), sheet=sheet)
        events, locations, problems = read_events(ws, pf, unit=unit, today=today)
        if problems:
            raise ValidationError(problems)
        res = self.append_events(events, key=key, known_ids=set(ids_of(ws)), today=today,
                                 locations=locations, dry_run=dry_run,
                                 action="progress import", first_date=ws.register.plan.start)
        return ImportResult(Path(path), len(pf.rows), pf.skipped, res.added, res.unchanged,
                            dry_run)


def _srid(crs: str) -> int:
    from citymap.crs import resolve_crs

    epsg = resolve_crs(crs, what="measure_crs").to_epsg()
    return int(epsg) if epsg else 4548


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no login name in some containers
        return "unknown"
