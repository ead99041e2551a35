"""Photo evidence (形象进度): import photos of sites, list them, show them on maps and in the
report.

``import_photos`` finds photos in a source (:mod:`citymap.photos.sources`), decides site,
day, kind and flags (:mod:`citymap.photos.match`) and stores the unflagged ones (all or
none) through an :class:`~citymap.attachments.Attachments` store. ``map_photos`` and
``report_pictures`` are what the maps and the report show.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import attrs

from citymap.attachments import AddResult, Attachments, NewPhoto, Photo, open_attachments
from citymap.errors import Problem, ValidationError
from citymap.i18n import _
from citymap.photos.match import DEFAULT_MAX_DISTANCE_M, Period, Planned, plan_photos
from citymap.photos.sources import (
    SHEET_SUFFIXES,
    Candidate,
    parse_name,
    read_folder,
    read_mapping,
    read_workbook_images,
)
from citymap.workspace import Workspace

__all__ = ["ImportResult", "Period", "collect", "import_photos", "map_photos",
           "report_pictures", "thumbnail_uri", "photo_blob", "before_after", "by_site",
           "DEFAULT_MAX_DISTANCE_M", "period_of_month"]


@attrs.frozen
class ImportResult:
    """What an import did (or, with ``dry_run``, would do).

    Attributes
    ----------
    attached
        Photos stored now.
    duplicates
        Photos already stored (the same bytes): ``(new, stored)``.
    flagged
        Photos far from their site or dated outside the period, not stored (unless
        accepted, then they are in ``attached`` too, with their flags).
    accepted
        True when flagged photos were accepted.
    dry_run
        Nothing was written.
    """

    attached: tuple[Photo, ...]
    duplicates: tuple[tuple[NewPhoto, Photo], ...]
    flagged: tuple[Planned, ...]
    accepted: bool = False
    dry_run: bool = False


def period_of_month(text: str) -> Period:
    """``2021-11`` (or ``2021年11月``) → the period 2021-11-01 to 2021-11-30.

    Raises
    ------
    ValueError
    """
    import re

    m = re.fullmatch(r"\s*(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?\s*", text)
    if m is None or not 1 <= int(m[2]) <= 12:
        raise ValueError(_("{text!r} is not a month: write YYYY-MM, e.g. 2021-11")
                         .format(text=text[:40]))
    start = dt.date(int(m[1]), int(m[2]), 1)
    nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return Period(start, nxt - dt.timedelta(days=1))


def collect(ws: Workspace, source: Path, *,
            sheet: Path | None = None) -> tuple[list[Candidate], list[Problem]]:
    """The candidate photos of ``source``: a folder (names, or ``sheet`` naming file →
    site), a workbook with pictures in its cells, or one image file.

    Raises
    ------
    ValidationError
        If ``source`` or ``sheet`` cannot be read at all.
    """
    if sheet is not None:
        if not sheet.is_file():
            raise ValidationError([Problem(str(sheet), "", "", _("no such file: --sheet names a "
                                                                 "sheet (.xlsx or .csv)"))])
        if not source.is_dir():
            raise ValidationError([Problem(str(source), "", "", _("is not a folder: --sheet "
                                                                  "names the files of a photo "
                                                                  "folder"))])
        return read_mapping(sheet, source)
    if source.is_dir():
        return read_folder(source, ws.site_ids)
    if not source.is_file():
        raise ValidationError([Problem(str(source), "", "", _("no such file or folder"))])
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        return read_workbook_images(source)
    if source.suffix.lower() in SHEET_SUFFIXES:
        raise ValidationError([Problem(source.name, "", "", _("is a sheet without pictures "
                                                              "citymap reads: give the photo "
                                                              "folder and --sheet {source}, or "
                                                              "save it as .xlsx")
                                                            .format(source=source.name))])
    from citymap.photos.sources import _file_reader, _site_pattern

    read, problem = _file_reader(source, source.name)
    if read is None:
        return [], [problem or Problem(source.name, "", "", _("cannot be read"))]
    site, kind, day = parse_name(source.stem, _site_pattern(ws.site_ids))
    return [Candidate(source.name, "", read, site, day, "name" if day else "", kind)], []


def import_photos(
    ws: Workspace,
    source: str | Path,
    *,
    store: Attachments | None = None,
    sheet: str | Path | None = None,
    period: Period | None = None,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    site: str | None = None,
    date: dt.date | None = None,
    kind: str | None = None,
    accept_flagged: bool = False,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Import the photos of ``source`` into the workspace's attachments, all or none.

    Parameters
    ----------
    ws
        The workspace.
    source
        A folder of photos, a workbook with pictures in cells, or one photo.
    store
        The attachment store (default: the folder store beside the workspace).
    sheet
        A sheet (xlsx/csv) naming, for each file of the folder ``source``, its site.
    period
        The report period: photos dated outside are flagged.
    max_distance_m
        Photos farther than this from their site are flagged.
    site, date, kind
        Defaults for photos whose source names no site / whose day is unknown / kind.
    accept_flagged
        Store flagged photos too (their flags are recorded).
    dry_run
        Check and list, write nothing.
    today
        The latest day a photo may have.

    Raises
    ------
    ValidationError
        One problem per photo that cannot be imported (not an image, too big, unknown
        site, no day); nothing is written then.
    """
    store = store if store is not None else open_attachments(ws.root)
    candidates, problems = collect(ws, Path(source),
                                   sheet=Path(sheet) if sheet is not None else None)
    stored = frozenset(p.sha256 for p in store.photos())
    planned, more = plan_photos(ws, candidates, period=period, max_distance_m=max_distance_m,
                                site=site, date=date, kind=kind, today=today, stored=stored)
    problems += more
    if problems:
        raise ValidationError(problems)
    flagged = tuple(p for p in planned if p.flags and p.photo.sha256 not in stored)
    keep = [p.photo for p in planned if accept_flagged or not p.flags
            or p.photo.sha256 in stored]
    res: AddResult = store.add(keep, dry_run=dry_run)
    return ImportResult(res.added, res.duplicates, flagged, accept_flagged, dry_run)


# ----------------------------------------------------------------------------- showing

def _best(photos: Sequence[Photo], kind: str, *, last: bool) -> Photo | None:
    mine = [p for p in photos if p.kind == kind]
    if not mine:
        return None
    return mine[-1] if last else mine[0]


def before_after(photos: Sequence[Photo]) -> list[Photo]:
    """What a popup shows: the first 前 (before) photo and the last 后 (after) one, else the
    last 中 (during); photos sorted by day.
    """
    before = _best(photos, "前", last=False)
    after = _best(photos, "后", last=True) or _best(photos, "中", last=True)
    return [p for p in (before, after) if p is not None]


def by_site(photos: Iterable[Photo], *, as_of: dt.date | None = None) -> dict[str, list[Photo]]:
    """Photos (dated on or before ``as_of``) grouped by site, oldest first."""
    out: dict[str, list[Photo]] = {}
    for p in sorted(photos, key=lambda p: (p.date, p.added_at, p.sha256)):
        if as_of is None or p.date <= as_of:
            out.setdefault(p.site, []).append(p)
    return out


def map_photos(store: Attachments, *, as_of: dt.date | None = None,
               folder: str = "photos") -> tuple[dict[str, list[list[str]]], dict[str, Photo]]:
    """The photos of the maps: per site ``[[path, day, kind], …]`` (before/after, see
    :func:`before_after`) with ``path`` relative to the maps folder, and the thumbnails to
    copy there (path → photo).
    """
    blob: dict[str, list[list[str]]] = {}
    files: dict[str, Photo] = {}
    for site, photos in by_site(store.photos(), as_of=as_of).items():
        for p in before_after(photos):
            path = f"{folder}/{p.thumbnail}"
            files[path] = p
            blob.setdefault(site, []).append([path, p.date.isoformat(), p.kind])
    return blob, files


_KIND_WORDS = {"zh": {"前": "施工前", "中": "施工中", "后": "完工后"},
               "en": {"前": "before", "中": "during", "后": "after"}}


def photo_blob(sites: Mapping[str, Sequence[Sequence[str]]], *, lang: str = "zh",
               up: str = "") -> dict[str, Any] | None:
    """The ``photos`` member of a map's blob: a label, the kinds' words and per site
    ``[[url, day, kind], …]`` with ``url`` relative to the page (``up`` = ``../`` for the
    maps one folder down). None when no site has photos.
    """
    if not sites:
        return None
    return {"label": "形象进度" if lang == "zh" else "Photos",
            "kinds": _KIND_WORDS["en" if lang == "en" else "zh"],
            "s": {site: [[up + quote(str(e[0])), str(e[1]), str(e[2])] for e in entries]
                  for site, entries in sites.items()}}


def thumbnail_uri(store: Attachments, photo: Photo) -> str:
    """The thumbnail of ``photo`` as a ``data:image/jpeg`` URI."""
    return "data:image/jpeg;base64," + base64.b64encode(store.read_thumbnail(photo)).decode()


def report_pictures(store: Attachments, site_ids: Iterable[str], *, as_of: dt.date,
                    names: Mapping[str, str] | None = None) -> list[dict[str, str]]:
    """One picture per site of ``site_ids`` that has photos on or before ``as_of``: the
    latest 后 (after), else the latest photo; as rows for the report (site, name, day,
    kind, data URI).
    """
    wanted = list(dict.fromkeys(site_ids))
    groups = by_site(store.photos(), as_of=as_of)
    rows = []
    for site in wanted:
        photos = groups.get(site)
        if not photos:
            continue
        p = _best(photos, "后", last=True) or photos[-1]
        rows.append({"site": site, "name": (names or {}).get(site, ""),
                     "date": p.date.isoformat(), "kind": p.kind,
                     "uri": thumbnail_uri(store, p)})
    return rows
