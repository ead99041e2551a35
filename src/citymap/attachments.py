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

A PostGIS/object-storage store implements the same four calls (docs/attachments.md).
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
from citymap.io.atomic import write_bytes

__all__ = ["KINDS", "KIND_EN", "Photo", "NewPhoto", "AddResult", "Attachments",
           "FolderAttachments", "ATTACHMENTS_DIR", "INDEX_NAME", "open_attachments",
           "kind_label", "parse_kind"]

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
            raise ValueError("is not a JSON object")
        try:
            sha = str(d["sha256"])
            if not _SHA.fullmatch(sha):
                raise ValueError(f"sha256 {sha[:80]!r} is not 64 hex digits")
            kind = str(d["kind"])
            if kind not in KINDS:
                raise ValueError(f"kind {kind[:20]!r} is not one of {'/'.join(KINDS)}")
            keys = (str(d["original"]), str(d["thumbnail"]))
            for k in keys:
                if k.startswith("/") or ".." in Path(k).parts or "\\" in k:
                    raise ValueError(f"path {k[:80]!r} leads out of {ATTACHMENTS_DIR}")
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
            raise ValueError(f"lacks the field {exc.args[0]!r}") from None
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


@attrs.frozen
class AddResult:
    """What :meth:`Attachments.add` did: the photos stored, and those already there
    (``(new, stored)``: the same bytes, imported before or twice in this batch).
    """

    added: tuple[Photo, ...]
    duplicates: tuple[tuple[NewPhoto, Photo], ...]
    dry_run: bool = False


class Attachments(Protocol):
    """The calls every attachment store implements (folder now, PostGIS/object storage next).

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


def _by_date(photos: Iterable[Photo]) -> list[Photo]:
    return sorted(photos, key=lambda p: (p.date, p.added_at, p.sha256))


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
            raise WorkspaceError(f"{str(self.index)!r}: cannot be read: {exc}") from None
        out: list[Photo] = []
        problems: list[Problem] = []
        shown = f"{ATTACHMENTS_DIR}/{INDEX_NAME}"
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                out.append(Photo.from_json(json.loads(line)))
            except ValueError as exc:
                problems.append(Problem(shown, f"line {n}", "", f"{exc}; the index is "
                                        "written by citymap only: restore it from a backup"))
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
        return _by_date(p for p in self._read() if site is None or p.site == site)

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
            raise WorkspaceError(f"{ATTACHMENTS_DIR}/{key}: cannot be read ({exc.strerror}); "
                                 "the photo's file is missing: import it again") from None

    def _write_once(self, key: str, data: bytes) -> None:
        """Write ``data`` under ``key`` unless the same bytes are there; refuse other bytes
        (a file citymap did not write is never replaced).
        """
        path = self._path(key)
        if path.is_symlink():
            raise WorkspaceError(f"{ATTACHMENTS_DIR}/{key} is a symbolic link: citymap does "
                                 "not replace links; remove it")
        if path.exists():
            if path.is_file() and path.read_bytes() == data:
                return
            raise WorkspaceError(f"{ATTACHMENTS_DIR}/{key} exists with other content: "
                                 "citymap never replaces a file it did not write; move it "
                                 "away and import again")
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
            stored = {p.sha256: p for p in self._read()}
            added: list[Photo] = []
            dups: list[tuple[NewPhoto, Photo]] = []
            writes: list[tuple[Photo, NewPhoto]] = []
            for item in items:
                sha = item.sha256
                if sha in stored:
                    dups.append((item, stored[sha]))
                    continue
                base = f"{site_folder(item.site)}/"
                photo = Photo(
                    sha256=sha, site=item.site, date=item.date, kind=item.kind,
                    date_from=item.date_from, original=f"{base}{sha[:16]}{item.extension}",
                    thumbnail=f"{base}thumbs/{sha[:16]}.jpg", source=item.source,
                    width=item.width, height=item.height, lat=item.lat, lon=item.lon,
                    distance_m=item.distance_m, flags=item.flags, added_at=stamp)
                stored[sha] = photo
                added.append(photo)
                writes.append((photo, item))
            if added and not dry_run:
                for photo, item in writes:
                    data = item.read()
                    if hashlib.sha256(data).hexdigest() != photo.sha256:
                        raise WorkspaceError(f"{item.source}: changed while it was imported; "
                                             "import again")
                    self._write_once(photo.original, data)
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
