"""The photos of a workspace in the PostGIS store (table ``citymap.attachments``).

:class:`PostgisAttachments` implements :class:`citymap.attachments.Attachments` with the
semantics of the folder store — what is new and what is a duplicate, the records' keys and
the order of listing come from the same functions of :mod:`citymap.attachments` — on one
row per photo (migration ``0003_attachments``): the record, the original and the thumbnail
in ``bytea`` columns, who added it and when.

``add`` is one transaction: it takes the workspace's lock (the one status writes and pushes
take, so concurrent writers wait for each other and lose nothing), reads the stored photos
again, inserts every new one or none and writes one ``audit`` row.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from citymap.attachments import (
    ATTACHMENTS_DIR,
    MIME,
    AddResult,
    FolderAttachments,
    NewPhoto,
    Photo,
    by_day,
    checked_bytes,
    copy_items,
    copy_photos,
    photo_keys,
    plan_add,
)
from citymap.errors import StoreError, WorkspaceError
from citymap.i18n import N_, _

if TYPE_CHECKING:
    from citymap.store.postgis import PostgisStore

__all__ = ["PostgisAttachments", "push_photos", "pull_photos"]

_TABLE = sql.SQL("citymap.attachments")
_RECORD = ("sha256, site, day, kind, date_from, source, width, height, lat, lon, distance_m, "
           "flags, extension, added_at")
_INSERT = sql.SQL(
    "INSERT INTO citymap.attachments (workspace, sha256, site, day, kind, date_from, source, "
    "width, height, lat, lon, distance_m, flags, extension, mime, original, thumbnail, "
    "added_at, added_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
    "%s, %s, %s, %s)")


def _photo(row: Sequence[Any]) -> Photo:
    """The record of a row of ``_RECORD`` (keys made as every store makes them)."""
    (sha, site, day, kind, date_from, source, width, height, lat, lon, distance_m, flags,
     extension, added_at) = row
    original, thumbnail = photo_keys(site, sha, extension)
    return Photo(sha256=sha, site=site, date=day, kind=kind, date_from=date_from,
                 original=original, thumbnail=thumbnail, source=source, width=int(width),
                 height=int(height), lat=lat, lon=lon, distance_m=distance_m,
                 flags=tuple(flags), added_at=added_at)


class PostgisAttachments:
    """The photos of workspace ``key`` in the PostGIS store ``store``.

    Reads share one connection, opened at the first read and closed with :meth:`close`
    (or when the object is collected); ``add`` has its own transaction.

    Parameters
    ----------
    store
        The store.
    key
        The workspace key.
    """

    def __init__(self, store: PostgisStore, key: str) -> None:
        self.store = store
        self.key = key
        self._conn: psycopg.Connection[Any] | None = None
        self._closer: weakref.finalize[Any, Any] | None = None

    def __repr__(self) -> str:
        return f"PostgisAttachments({self.store.url!r}, {self.key!r})"

    # -- reading

    @contextlib.contextmanager
    def _reading(self, doing: str) -> Iterator[psycopg.Connection[Any]]:
        with self.store._errors(doing):
            if self._conn is None or self._conn.closed:
                conn = psycopg.connect(self.store._conninfo, connect_timeout=10,
                                       application_name="citymap", autocommit=True)
                self.store._require_schema(conn)
                self._conn = conn
                self._closer = weakref.finalize(self, conn.close)
            yield self._conn

    def close(self) -> None:
        """Close the reading connection (a later read opens another)."""
        if self._closer is not None:
            self._closer()
        self._conn = None

    def _rows(self, conn: psycopg.Connection[Any], site: str | None) -> list[Photo]:
        query = sql.SQL("SELECT " + _RECORD + " FROM {} WHERE workspace = %s").format(_TABLE)
        args: tuple[str, ...] = (self.key,)
        if site is not None:
            query += sql.SQL(" AND site = %s")
            args += (site,)
        return [_photo(r) for r in conn.execute(query + sql.SQL(" ORDER BY seq"), args)]

    def stored(self) -> list[Photo]:
        """Every photo in the order stored."""
        with self._reading(N_("reading photos")) as conn:
            return self._rows(conn, None)

    def photos(self, site: str | None = None) -> list[Photo]:
        """Every photo (of ``site``), oldest day first."""
        with self._reading(N_("reading photos")) as conn:
            return by_day(self._rows(conn, site))

    def read_original(self, photo: Photo) -> bytes:
        """The original bytes of ``photo``."""
        return self._read("original", photo, photo.original)

    def read_thumbnail(self, photo: Photo) -> bytes:
        """The thumbnail (JPEG) of ``photo``."""
        return self._read("thumbnail", photo, photo.thumbnail)

    def _read(self, column: str, photo: Photo, shown: str) -> bytes:
        with self._reading("reading a photo") as conn:
            row = conn.execute(sql.SQL("SELECT {} FROM {} WHERE workspace = %s AND sha256 = %s"
                                       ).format(sql.Identifier(column), _TABLE),
                               (self.key, photo.sha256)).fetchone()
        if row is None:
            raise WorkspaceError(_("{key} {folder}/{shown}: not in the store {url}; "
                                   "import the photo again")
                                 .format(key=self.key, folder=ATTACHMENTS_DIR, shown=shown,
                                         url=self.store.url))
        return bytes(row[0])

    # -- writing

    def add(self, items: Sequence[NewPhoto], *, dry_run: bool = False,
            added_at: str | None = None) -> AddResult:
        """Store the photos whose bytes are not stored yet, all or none, in one transaction.

        Raises
        ------
        StoreError
            If the workspace is not in the store or the database refuses a row (nothing is
            stored).
        WorkspaceError
            If a photo's file changed since it was inspected (nothing is stored).
        """
        from citymap.history import now_stamp

        stamp = added_at or now_stamp()
        if not items:
            return AddResult((), (), dry_run)
        if dry_run:
            with self._reading(N_("reading photos")) as conn:
                new, dups = plan_add(self._rows(conn, None), items, stamp)
            return AddResult(tuple(p for p, _ in new), tuple(dups), True)
        with self.store.connect() as conn, self.store._errors(N_("adding photos")), \
                conn.transaction():
            self.store._require_schema(conn)
            return self.add_in(conn, items, stamp=stamp)

    def add_in(self, conn: psycopg.Connection[Any], items: Sequence[NewPhoto], *, stamp: str,
               action: str = "photos") -> AddResult:
        """:meth:`add` inside the caller's transaction on ``conn`` (a push adds the folder's
        photos in its own transaction).
        """
        self.store._lock(conn, self.key)
        row = conn.execute(sql.SQL("SELECT 1 FROM citymap.workspaces WHERE workspace = %s "
                                   "FOR UPDATE"), (self.key,)).fetchone()
        if row is None:
            raise StoreError(_("no workspace {key!r} in {url}: `citymap store push` it first")
                             .format(key=self.key, url=self.store.url))
        new, dups = plan_add(self._rows(conn, None), items, stamp)
        with conn.cursor() as cur:
            for photo, item in new:  # one original in memory at a time
                cur.execute(_INSERT, (
                    self.key, photo.sha256, photo.site, photo.date, photo.kind, photo.date_from,
                    photo.source, photo.width, photo.height, photo.lat, photo.lon,
                    photo.distance_m, list(photo.flags), item.extension,
                    MIME.get(item.extension, "image/" + item.extension.lstrip(".")),
                    checked_bytes(photo, item), item.thumbnail, photo.added_at,
                    self.store.who))
        if new:
            self.store._audit(conn, self.key, action, {
                "photos": len(new), "sites": sorted({p.site for p, _ in new})[:100],
                "sha256": [p.sha256 for p, _ in new][:100]})
        return AddResult(tuple(p for p, _ in new), tuple(dups), False)


def push_photos(conn: psycopg.Connection[Any], store: PostgisStore, key: str,
                folder: str | Path, *, stamp: str) -> int:
    """Add the photos of the workspace folder ``folder`` (``geo/attachments``) to ``key``
    inside the push's transaction on ``conn``; photos already stored are kept. Returns how
    many were added.

    Raises
    ------
    ValidationError
        If the folder's index is damaged (nothing is pushed).
    WorkspaceError
        If a photo's file is missing or not what the index says (nothing is pushed).
    """
    source = FolderAttachments(Path(folder) / ATTACHMENTS_DIR)
    if not source.index.exists():
        return 0
    items = copy_items(source.stored(), source)
    target = PostgisAttachments(store, key)
    return len(target.add_in(conn, items, stamp=stamp, action="push photos").added)


def pull_photos(store: PostgisStore, key: str, folder: str | Path) -> int:
    """Write the photos of ``key`` into the workspace folder ``folder`` through its
    :class:`~citymap.attachments.FolderAttachments` (all or none, in the order stored).
    Returns how many were written.
    """
    source = PostgisAttachments(store, key)
    try:
        photos = source.stored()
        if not photos:
            return 0
        dest = FolderAttachments(Path(folder) / ATTACHMENTS_DIR)
        return len(copy_photos(photos, source, dest).added)
    finally:
        source.close()
