"""Attachments: the photos of sites (形象进度), behind one small interface.

A photo is identified by the SHA-256 of its bytes: the same photo imported twice is one
photo. Every photo has a site, a day (EXIF ``DateTimeOriginal``, else the day given), a
kind (前 before / 中 during / 后 after), its original bytes (kept byte for byte) and a
JPEG thumbnail made once.

:class:`Attachments` is the interface every store implements; :class:`FolderAttachments`
is the folder store beside the workspace, and the ONLY writer of ``geo/attachments/``::

    geo/attachments/index.jsonl             one JSON object per photo, append-only
    geo/attachments/<site>/<sha16>.jpg      the original, byte for byte
    geo/attachments/<site>/thumbs/<sha16>.jpg   the thumbnail

:class:`citymap.store.postgis_attachments.PostgisAttachments` keeps them in the PostGIS
store (docs/attachments.md). What does not depend on where the bytes live — which items are
new and which are duplicates, the records' keys, the order of listing, copying from one store
to another — is here, so that both stores behave the same.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs

from citymap.errors import Problem, ValidationError, WorkspaceError
from citymap.i18n import _
from citymap.io.atomic import write_bytes

__all__ = ["KINDS", "KIND_EN", "MIME", "Photo", "NewPhoto", "AddResult", "Attachments",
           "FolderAttachments", "ATTACHMENTS_DIR", "INDEX_NAME", "open_attachments",
           "kind_label", "parse_kind", "by_day", "plan_add", "checked_bytes", "copy_items",
           "copy_photos", "photo_keys", "site_folder"]

#: Where the folder store keeps photos, relative to the workspace.
ATTACHMENTS_DIR = "geo/attachments"
#: The index file of the folder store.
INDEX_NAME = "index.jsonl"
#: Kinds of photo: before, during, after the works.
KINDS: tuple[str, ...] = ("前", "中", "后")
KIND_EN: dict[str, str] = {"前": "before", "中": "during", "后": "after"}
_KIND_WORDS: dict[str, str] = {
    "前": "前", "中": "中", "后": "后", "後": "后", "施工前": "前", "施工中": "中", "施工后": "后",
    "完工后": "后", "竣工后": "后", "before": "前", "during": "中", "after": "后"}
#: The media type of each extension an original is stored under.
MIME: dict[str, str] = {".jpg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}
_SAFE_DIR = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_SHA = re.compile(r"[0-9a-f]{64}")


def kind_label(kind: str, lang: str = "zh") -> str:
    """``前`` → ``before`` in English; the kind itself in Chinese."""
    return KIND_EN.get(kind, kind) if lang == "en" else kind


def parse_kind(text: str) -> str | None:
    """前/中/后 (also 施工前, before, during, after …) → 前, 中 or 后; None if not a kind."""
    return _KIND_WORDS.get(text.strip().lower())


@attrs.frozen
class Photo:
    """One stored photo (one line of the index).

    Attributes
    ----------
    sha256
        SHA-256 of the original bytes (the photo's identity).
    site
        The site id.
    date
        The day taken.
    kind
        前, 中 or 后.
    date_from
        Where the day came from: ``exif``, ``name`` (the file name), ``sheet`` or ``given``.
    original, thumbnail
        The store's keys of the original and the thumbnail (paths relative to
        ``geo/attachments`` in the folder store).
    source
        The file (or workbook cell) it was imported from.
    width, height
        Pixels of the original.
    lat, lon
        EXIF GPS position, if any.
    distance_m
        Distance to the site's geometry in the measuring CRS, when the photo has a position.
    flags
        Findings accepted with ``--accept-flagged`` (``far``, ``period``).
    added_at
        When it was stored (ISO time).
    """

    sha256: str
    site: str
    date: dt.date
    kind: str
    date_from: str
    original: str
    thumbnail: str
    source: str
    width: int
    height: int
    lat: float | None = None
    lon: float | None = None
    distance_m: float | None = None
    flags: tuple[str, ...] = ()
    added_at: str = ""

    def as_json(self) -> dict[str, Any]:
        """The index record."""
        d = attrs.asdict(self)
        d["date"] = self.date.isoformat()
        d["flags"] = list(self.flags)
        return d

    @classmethod
    def from_json(cls, d: Any) -> Photo:
        """Read an index record.

        Raises
        ------
        ValueError
            Naming the bad field.
        """
        if not isinstance(d, dict):
            raise ValueError(_("is not a JSON object"))
        try:
            sha = str(d["sha256"])
            if not _SHA.fullmatch(sha):
                raise ValueError(_("sha256 {sha!r} is not 64 hex digits").format(sha=sha[:80]))
            kind = str(d["kind"])
            if kind not in KINDS:
                raise ValueError(_("kind {kind!r} is not one of {choices}")
                                 .format(kind=kind[:20], choices="/".join(KINDS)))
            keys = (str(d["original"]), str(d["thumbnail"]))
            for k in keys:
                if k.startswith("/") or ".." in Path(k).parts or "\\" in k:
                    raise ValueError(_("path {key!r} leads out of {folder}")
                                     .format(key=k[:80], folder=ATTACHMENTS_DIR))
            return cls(
                sha256=sha, site=str(d["site"]), date=dt.date.fromisoformat(str(d["date"])),
                kind=kind, date_from=str(d.get("date_from", "")), original=keys[0],
                thumbnail=keys[1], source=str(d.get("source", "")),
                width=int(d.get("width", 0)), height=int(d.get("height", 0)),
                lat=_opt_float(d.get("lat")), lon=_opt_float(d.get("lon")),
                distance_m=_opt_float(d.get("distance_m")),
                flags=tuple(str(f) for f in d.get("flags", ()) or ()),
                added_at=str(d.get("added_at", "")))
        except KeyError as exc:
            raise ValueError(_("lacks the field {field!r}").format(field=exc.args[0])) from None
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from None


def _opt_float(v: Any) -> float | None:
    return None if v is None else float(v)


@attrs.frozen
class NewPhoto:
    """A photo to store: its record (without store keys), the SHA-256 of its bytes, a
    reader of the bytes (called once, when it is stored: a folder of photos is never held
    in memory) and its thumbnail.
    """

    site: str
    date: dt.date
    kind: str
    date_from: str
    source: str
    width: int
    height: int
    extension: str
    sha256: str
    read: Callable[[], bytes] = attrs.field(repr=False, eq=False)
    thumbnail: bytes = attrs.field(repr=False)
    lat: float | None = None
    lon: float | None = None
    distance_m: float | None = None
    flags: tuple[str, ...] = ()
    added_at: str = ""
    """When it was first stored, for a photo copied from another store (else the time of
    :meth:`Attachments.add`)."""


@attrs.frozen
class AddResult:
    """What :meth:`Attachments.add` did: the photos stored, and those already there
    (``(new, stored)``: the same bytes, imported before or twice in this batch).
    """

    added: tuple[Photo, ...]
    duplicates: tuple[tuple[NewPhoto, Photo], ...]
    dry_run: bool = False


class Attachments(Protocol):
    """The calls every attachment store implements (the folder, PostGIS).

    Each store has one owner of its writes: only :meth:`add` writes, all or nothing.
    """

    def photos(self, site: str | None = None) -> list[Photo]:
        """Every photo (of ``site``), oldest day first."""
        ...

    def add(self, items: Sequence[NewPhoto], *, dry_run: bool = False,
            added_at: str | None = None) -> AddResult:
        """Store the photos not stored yet (by SHA-256), all or none."""
        ...

    def read_original(self, photo: Photo) -> bytes:
        """The original bytes of ``photo``."""
        ...

    def read_thumbnail(self, photo: Photo) -> bytes:
        """The thumbnail (JPEG) of ``photo``."""
        ...


def site_folder(site: str) -> str:
    """The folder name of a site's photos: the id when it is a safe file name, else a
    stable hash of it.
    """
    if _SAFE_DIR.fullmatch(site) and site not in (".", ".."):
        return site
    return "site-" + hashlib.sha256(site.encode("utf-8")).hexdigest()[:16]


def by_day(photos: Iterable[Photo]) -> list[Photo]:
    """``photos`` oldest day first (then by when they were stored, then by SHA-256): the
    order every store lists them in.
    """
    return sorted(photos, key=lambda p: (p.date, p.added_at, p.sha256))


def photo_keys(site: str, sha256: str, extension: str) -> tuple[str, str]:
    """The keys of a photo's original and thumbnail, the same in every store:
    ``<site>/<sha16><ext>`` and ``<site>/thumbs/<sha16>.jpg``.
    """
    base = f"{site_folder(site)}/"
    return f"{base}{sha256[:16]}{extension}", f"{base}thumbs/{sha256[:16]}.jpg"


def _record(item: NewPhoto, stamp: str) -> Photo:
    """The stored record of ``item``: its keys and when it was stored."""
    original, thumbnail = photo_keys(item.site, item.sha256, item.extension)
    return Photo(
        sha256=item.sha256, site=item.site, date=item.date, kind=item.kind,
        date_from=item.date_from, original=original, thumbnail=thumbnail, source=item.source,
        width=item.width, height=item.height, lat=item.lat, lon=item.lon,
        distance_m=item.distance_m, flags=item.flags, added_at=item.added_at or stamp)


def plan_add(stored: Iterable[Photo], items: Sequence[NewPhoto], stamp: str
             ) -> tuple[list[tuple[Photo, NewPhoto]], list[tuple[NewPhoto, Photo]]]:
    """Decide what :meth:`Attachments.add` stores: ``(new, duplicates)``.

    Parameters
    ----------
    stored
        The photos stored now.
    items
        The photos to add, in order.
    stamp
        When they are stored (kept from ``item.added_at`` when it has one).

    Returns
    -------
    tuple
        ``new``: ``(record, item)`` of every item whose bytes are not stored yet, in the
        order given; ``duplicates``: ``(item, record)`` of the others, the record being the
        stored one or the one made for the same bytes earlier in the batch.
    """
    known = {p.sha256: p for p in stored}
    new: list[tuple[Photo, NewPhoto]] = []
    dups: list[tuple[NewPhoto, Photo]] = []
    for item in items:
        if item.sha256 in known:
            dups.append((item, known[item.sha256]))
            continue
        photo = known[item.sha256] = _record(item, stamp)
        new.append((photo, item))
    return new, dups


def checked_bytes(photo: Photo, item: NewPhoto) -> bytes:
    """The original bytes of ``item``, read now and checked against its SHA-256.

    Raises
    ------
    WorkspaceError
        If the file changed since it was inspected.
    """
    data = item.read()
    if hashlib.sha256(data).hexdigest() != photo.sha256:
        raise WorkspaceError(_("{source}: changed while it was imported; import again")
                             .format(source=item.source))
    return data


def copy_items(photos: Sequence[Photo], source: Attachments) -> list[NewPhoto]:
    """``photos`` of the store ``source`` as items to add to another store, keeping every
    field of their records (also when they were first stored). The thumbnails are read now,
    each original when it is stored.
    """
    def reader(p: Photo) -> Callable[[], bytes]:
        return lambda: source.read_original(p)

    return [NewPhoto(site=p.site, date=p.date, kind=p.kind, date_from=p.date_from,
                     source=p.source, width=p.width, height=p.height,
                     extension=Path(p.original).suffix, sha256=p.sha256, read=reader(p),
                     thumbnail=source.read_thumbnail(p), lat=p.lat, lon=p.lon,
                     distance_m=p.distance_m, flags=p.flags, added_at=p.added_at)
            for p in photos]


def copy_photos(photos: Sequence[Photo], source: Attachments, dest: Attachments) -> AddResult:
    """Copy ``photos`` of the store ``source`` into the store ``dest`` (all or none, see
    :func:`copy_items`); photos ``dest`` has already are skipped.
    """
    return dest.add(copy_items(photos, source))


class FolderAttachments:
    """The folder store: ``geo/attachments/`` beside the workspace (see the module notes).

    Parameters
    ----------
    folder
        The attachments folder (``<workspace>/geo/attachments``).
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.index = self.folder / INDEX_NAME

    def _read(self) -> list[Photo]:
        if not self.index.exists():
            return []
        try:
            text = self.index.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise WorkspaceError(_("{index!r}: cannot be read: {error}")
                                 .format(index=str(self.index), error=exc)) from None
        out: list[Photo] = []
        problems: list[Problem] = []
        shown = f"{ATTACHMENTS_DIR}/{INDEX_NAME}"
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                out.append(Photo.from_json(json.loads(line)))
            except ValueError as exc:
                problems.append(Problem(shown, _("line {line}").format(line=n), "", _(
                    "{error}; the index is written by citymap only: restore it from a backup")
                    .format(error=exc)))
        if problems:
            raise ValidationError(problems)
        return out

    def photos(self, site: str | None = None) -> list[Photo]:
        """Every photo (of ``site``), oldest day first.

        Raises
        ------
        ValidationError
            If the index is damaged (one problem per bad line).
        """
        return by_day(p for p in self._read() if site is None or p.site == site)

    def stored(self) -> list[Photo]:
        """Every photo in the order stored (the index's order)."""
        return self._read()

    def _path(self, key: str) -> Path:
        return self.folder / key

    def read_original(self, photo: Photo) -> bytes:
        """The original bytes of ``photo``."""
        return self._read_key(photo.original)

    def read_thumbnail(self, photo: Photo) -> bytes:
        """The thumbnail of ``photo``."""
        return self._read_key(photo.thumbnail)

    def _read_key(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except OSError as exc:
            raise WorkspaceError(_("{folder}/{key}: cannot be read ({strerror}); the "
                                   "photo's file is missing: import it again")
                                 .format(folder=ATTACHMENTS_DIR, key=key,
                                         strerror=exc.strerror)) from None

    def _write_once(self, key: str, data: bytes) -> None:
        """Write ``data`` under ``key`` unless the same bytes are there; refuse other bytes
        (a file citymap did not write is never replaced).
        """
        path = self._path(key)
        if path.is_symlink():
            raise WorkspaceError(_("{folder}/{key} is a symbolic link: citymap does not "
                                   "replace links; remove it")
                                 .format(folder=ATTACHMENTS_DIR, key=key))
        if path.exists():
            if path.is_file() and path.read_bytes() == data:
                return
            raise WorkspaceError(_("{folder}/{key} exists with other content: citymap "
                                   "never replaces a file it did not write; move it away and "
                                   "import again").format(folder=ATTACHMENTS_DIR, key=key))
        write_bytes(path, data)

    def add(self, items: Sequence[NewPhoto], *, dry_run: bool = False,
            added_at: str | None = None) -> AddResult:
        """Store the photos whose bytes are not stored yet, all or none.

        Under the index's lock the index is read again (a concurrent import is seen);
        originals and thumbnails are written first (each atomically, named by their
        SHA-256, so a repeated write is a no-op), then the index is rewritten with its old
        bytes unchanged and the new lines after them, atomically. A run killed part-way
        leaves at most files no index line names; the next import of the same photo uses
        them as they are.

        Raises
        ------
        WorkspaceError
            If a file cannot be written, or a foreign file sits where a photo goes.
        """
        from citymap.history import now_stamp
        from citymap.io.lock import log_lock

        stamp = added_at or now_stamp()
        if not items:
            return AddResult((), (), dry_run)
        lock = contextlib.nullcontext() if dry_run else log_lock(self.index)
        with lock:
            stored = self._read()
            new, dups = plan_add(stored, items, stamp)
            added = [photo for photo, _ in new]
            if added and not dry_run:
                for photo, item in new:
                    self._write_once(photo.original, checked_bytes(photo, item))
                    self._write_once(photo.thumbnail, item.thumbnail)
                old = self.index.read_bytes() if self.index.exists() else b""
                if old and not old.endswith(b"\n"):
                    old += b"\n"
                lines = "".join(json.dumps(p.as_json(), ensure_ascii=False) + "\n"
                                for p in added)
                write_bytes(self.index, old + lines.encode("utf-8"))
        return AddResult(tuple(added), tuple(dups), dry_run)


def open_attachments(root: str | Path) -> FolderAttachments:
    """The attachment store of the workspace folder ``root``."""
    return FolderAttachments(Path(root) / ATTACHMENTS_DIR)
