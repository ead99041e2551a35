"""Where photos come from: a folder (file names or a sheet name the site) and workbooks
with pictures placed in cells (Excel's and WPS's floating pictures anchored to a cell, and
WPS's cell images ``=DISPIMG("ID_…",1)`` kept in ``xl/cellimages.xml``).

Each source yields :class:`Candidate` photos (bytes plus what the source says: site, day,
kind) and :class:`~citymap.errors.Problem` lines; nothing here writes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree as ET

import attrs

from citymap.attachments import parse_kind
from citymap.errors import Problem
from citymap.i18n import _
from citymap.photos.images import MAX_BYTES

__all__ = ["Candidate", "parse_name", "read_folder", "read_mapping", "read_workbook_images",
           "SHEET_SUFFIXES"]

#: Files of a folder that are sheets, not photos.
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".csv")
_JUNK = {"thumbs.db", "desktop.ini", ".ds_store"}
#: Largest workbook read for pictures (uncompressed), and most members.
MAX_WORKBOOK_BYTES = 400 * 1024 * 1024
MAX_WORKBOOK_MEMBERS = 5000
_DATE_IN_NAME = re.compile(
    r"(?<!\d)(\d{4})(?:([-._/])(\d{1,2})\2(\d{1,2})|年(\d{1,2})月(\d{1,2})日?|(\d{2})(\d{2}))"
    r"(?!\d)")
_SPLIT = re.compile(r"[_\s()（）\[\]【】,，;；+.\-]+")
_DISPIMG = re.compile(r'DISPIMG\(\s*"([^"]+)"')
_NS = {
    "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_ID_HEADERS = {"编号", "id", "点位编号", "site", "site id", "项目编号"}
_DATE_HEADERS = {"日期", "date", "拍摄日期", "photo date"}
_KIND_HEADERS = {"阶段", "照片类型", "photo kind", "kind of photo", "前中后"}
_FILE_HEADERS = {"文件", "文件名", "照片", "照片文件", "file", "photo", "filename"}


@attrs.frozen
class Candidate:
    """A photo found in a source, before it is checked and matched.

    Attributes
    ----------
    where, item
        The file and the place in it (``""``, ``"row 5"``, ``"D5"``), for messages.
    read
        Reads the image bytes (a file is read when needed, not held in memory).
    site
        The site the source names (None: match by GPS position).
    date, date_from
        The day the source gives (from the file ``name``, the ``sheet``), if any.
    kind
        The kind the source gives (前/中/后), if any.
    """

    where: str
    item: str
    read: Callable[[], bytes] = attrs.field(repr=False, eq=False)
    site: str | None = None
    date: dt.date | None = None
    date_from: str = ""
    kind: str | None = None

    @property
    def shown(self) -> str:
        """``where`` and ``item`` in one."""
        return f"{self.where} {self.item}".strip()


def _site_pattern(site_ids: Iterable[str]) -> re.Pattern[str] | None:
    ids = sorted({s for s in site_ids if s}, key=len, reverse=True)
    if not ids:
        return None
    return re.compile(r"(?<![A-Za-z0-9])(" + "|".join(re.escape(i) for i in ids)
                      + r")(?![A-Za-z0-9])")


def _day(y: str, m: str, d: str) -> dt.date | None:
    try:
        day = dt.date(int(y), int(m), int(d))
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2099 else None


def parse_name(stem: str, sites: re.Pattern[str] | None) -> tuple[str | None, str | None,
                                                                  dt.date | None]:
    """Site id, kind and day named in a file name (without its extension).

    ``OC-2021-07_前_2021-03-01`` → (OC-2021-07, 前, 2021-03-01); ``OC-2021-07 (2)`` →
    (OC-2021-07, None, None); ``IMG_20210301_101500`` → (None, None, 2021-03-01). The site
    is the longest known id standing alone in the name; the kind a part 前/中/后 (施工前,
    before …); the day ``YYYY-MM-DD``, ``YYYY.MM.DD``, ``YYYY年M月D日`` or ``YYYYMMDD``.
    """
    text = unicodedata.normalize("NFKC", stem)
    site = None
    if sites is not None:
        m = sites.search(text)
        if m is not None:
            site = m[1]
            text = text[:m.start()] + " " + text[m.end():]
    kind = None
    for part in _SPLIT.split(text):
        k = parse_kind(part) if part else None
        if k is not None:
            kind = k
            break
    day = None
    for m in _DATE_IN_NAME.finditer(text):
        g = m.groups()
        day = (_day(g[0], g[2], g[3]) if g[1] else _day(g[0], g[4], g[5]) if g[4]
               else _day(g[0], g[6], g[7]))
        if day is not None:
            break
    return site, kind, day


def _file_reader(path: Path, shown: str) -> tuple[Callable[[], bytes] | None, Problem | None]:
    """A reader of ``path`` (read when the photo is checked and again when it is stored),
    or the problem: missing, unreadable, too big.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, Problem(shown, "", "", _("cannot be read: {strerror}")
                                            .format(strerror=exc.strerror))
    if size > MAX_BYTES:
        return None, Problem(shown, "", "", _("is {mb:.0f} MB, more than the {limit} MB a "
                                              "photo may have: save a smaller copy")
                                            .format(mb=size / 1048576, limit=MAX_BYTES // 1048576))
    return path.read_bytes, None


def _bytes_reader(data: bytes) -> Callable[[], bytes]:
    """A reader of bytes already in memory (a workbook's picture)."""
    return lambda: data


def read_folder(folder: Path, site_ids: Iterable[str]) -> tuple[list[Candidate], list[Problem]]:
    """The photos of ``folder`` (and its subfolders), the site, kind and day taken from
    each file name (:func:`parse_name`). Hidden files, ``Thumbs.db``/``desktop.ini`` and
    sheets are skipped.
    """
    pattern = _site_pattern(site_ids)
    out: list[Candidate] = []
    problems: list[Problem] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or path.name.lower() in _JUNK \
                or path.suffix.lower() in SHEET_SUFFIXES:
            continue
        shown = str(PurePosixPath(folder.name, *rel.parts))
        read, problem = _file_reader(path, shown)
        if read is None:
            problems.append(problem or Problem(shown, "", "", _("cannot be read")))
            continue
        site, kind, day = parse_name(path.stem, pattern)
        out.append(Candidate(shown, "", read, site, day, "name" if day else "", kind))
    return out, problems


# ----------------------------------------------------------------------------- sheets

def _norm(v: object) -> str:
    return unicodedata.normalize("NFKC", str(v if v is not None else "")).strip().lower()


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    return unicodedata.normalize("NFKC", str(v)).strip()


def _table(path: Path) -> tuple[str, list[list[object]]]:
    """(where, rows) of a CSV or the first sheet of a workbook.

    Raises
    ------
    ValidationError
    """
    from citymap.errors import ValidationError
    from citymap.io.xlsx import _read_csv_text

    if path.suffix.lower() == ".csv":
        return path.name, [list(r) for r in csv.reader(io.StringIO(_read_csv_text(path)))]
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ValidationError([Problem(path.name, "", "", _("is not a .xlsx or .csv file"))])
    _check_zip(path)
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        raise ValidationError([Problem(path.name, "", "", _("cannot be read as a workbook: "
                                                            "{error}")
                                                          .format(error=exc))]) from None
    try:
        sh = wb.worksheets[0]
        return f"{path.name} [{sh.title}]", [list(r) for r in sh.iter_rows(values_only=True)]
    finally:
        wb.close()


def _find(headers: Sequence[object], names: set[str]) -> int | None:
    for j, h in enumerate(headers):
        if _norm(h) in names:
            return j
    return None


def _given(row: Sequence[object], col: int | None, where: str, item: str, label: str,
           problems: list[Problem]) -> tuple[dt.date | None, str | None]:
    """The day (or kind, for label 'kind') in ``row[col]``; a bad value is a problem."""
    from citymap.history import parse_date

    if col is None or col >= len(row) or _cell_text(row[col]) == "":
        return None, None
    value = row[col]
    if label == "kind":
        k = parse_kind(_cell_text(value))
        if k is None:
            problems.append(Problem(where, item, "kind", _(
                "{value!r} is not a kind of photo: write 前, 中 or 后")
                .format(value=_cell_text(value)[:40])))
        return None, k
    try:
        return parse_date(value, serial=True), None
    except ValueError as exc:
        problems.append(Problem(where, item, "date", str(exc)))
        return None, None


def read_mapping(sheet: Path, folder: Path) -> tuple[list[Candidate], list[Problem]]:
    """The photos a sheet lists: a column 文件 (file, relative to ``folder``), 编号 (site)
    and optionally 日期 (day) and 阶段 (kind: 前/中/后).
    """
    from citymap.errors import ValidationError

    where, rows = _table(sheet)
    if not rows:
        raise ValidationError([Problem(where, "", "", _("is empty"))])
    head = rows[0]
    cf, cs = _find(head, _FILE_HEADERS), _find(head, _ID_HEADERS)
    if cf is None or cs is None:
        raise ValidationError([Problem(where, _("row {row}").format(row=1), "", _(
            "needs a column 文件 (the photo's file name) and a column 编号 (the site id)"))])
    cd, ck = _find(head, _DATE_HEADERS), _find(head, _KIND_HEADERS)
    out: list[Candidate] = []
    problems: list[Problem] = []
    base = folder.resolve()
    for n, row in enumerate(rows[1:], start=2):
        name = _cell_text(row[cf]) if cf < len(row) else ""
        site = _cell_text(row[cs]) if cs < len(row) else ""
        if not name and not site:
            continue
        item = _("row {row}").format(row=n)
        if not name or not site:
            problems.append(Problem(where, item, "file" if not name else "site",
                                    _("is empty: give both the file and the site id")))
            continue
        path = (folder / name).resolve()
        if base not in path.parents:
            problems.append(Problem(where, item, "file", _(
                "{name!r} is not inside {folder!r}: name a file of the photo folder")
                .format(name=name[:80], folder=str(folder))))
            continue
        if not path.is_file():
            problems.append(Problem(where, item, "file", _(
                "{name!r}: no such file in {folder!r}").format(name=name[:80], folder=str(folder))))
            continue
        read, problem = _file_reader(path, f"{where} {item} {name}")
        if read is None:
            problems.append(problem or Problem(where, item, "file", _("cannot be read")))
            continue
        day, _ok = _given(row, cd, where, item, "date", problems)
        _ok2, kind = _given(row, ck, where, item, "kind", problems)
        out.append(Candidate(f"{where} {name}", item, read, site, day,
                             "sheet" if day else "", kind))
    return out, problems


# ----------------------------------------------------------------------------- workbooks

def _check_zip(path: Path) -> None:
    """Refuse a workbook that would unpack to too much (a zip bomb) before opening it.

    Raises
    ------
    ValidationError
    """
    from citymap.errors import ValidationError

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (OSError, zipfile.BadZipFile) as exc:
        raise ValidationError([Problem(path.name, "", "", _("is not a workbook (.xlsx): {error}")
                                                          .format(error=exc))]) from None
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_WORKBOOK_MEMBERS or total > MAX_WORKBOOK_BYTES:
        raise ValidationError([Problem(
            path.name, "", "", _("unpacks to {n} parts and {mb:.0f} MB, more than the "
                                 "{parts} parts and {limit} MB citymap opens: "
                                 "split the workbook or export the photos to a folder")
                               .format(n=len(infos), mb=total / 1048576,
                                       parts=MAX_WORKBOOK_MEMBERS,
                                       limit=MAX_WORKBOOK_BYTES // 1048576))])


def _wps_cell_images(zf: zipfile.ZipFile) -> dict[str, bytes]:
    """WPS's cell images: picture name (``ID_…``) → image bytes, from
    ``xl/cellimages.xml`` and its relationships.
    """
    try:
        xml = zf.read("xl/cellimages.xml")
        rels = zf.read("xl/_rels/cellimages.xml.rels")
    except KeyError:
        return {}
    targets = {}
    for r in ET.fromstring(rels).findall("rel:Relationship", _NS):
        target = str(r.get("Target", ""))
        full = str(PurePosixPath("xl", target)) if not target.startswith("/") else target[1:]
        targets[str(r.get("Id"))] = full
    out: dict[str, bytes] = {}
    for pic in ET.fromstring(xml).iter(f"{{{_NS['xdr']}}}pic"):
        nv = pic.find("xdr:nvPicPr/xdr:cNvPr", _NS)
        blip = pic.find("xdr:blipFill/a:blip", _NS)
        if nv is None or blip is None:
            continue
        rid = blip.get(f"{{{_NS['r']}}}embed")
        member = targets.get(str(rid))
        if member is None:
            continue
        # normalise xl/media/../media/x.png
        parts: list[str] = []
        for p in PurePosixPath(member).parts:
            if p == "..":
                if parts:
                    parts.pop()
            elif p != ".":
                parts.append(p)
        try:
            out[str(nv.get("name"))] = zf.read("/".join(parts))
        except KeyError:
            continue
    return out


def _anchor_cell(anchor: Any) -> tuple[int, int] | None:
    """(row, column), 1-based, of a picture's top-left cell; None for an absolute anchor."""
    from openpyxl.utils.cell import coordinate_to_tuple

    if isinstance(anchor, str):
        row, col = coordinate_to_tuple(anchor)
        return int(row), int(col)
    start = getattr(anchor, "_from", None)
    if start is None:
        return None
    return int(start.row) + 1, int(start.col) + 1


def read_workbook_images(path: Path) -> tuple[list[Candidate], list[Problem]]:
    """The pictures of a workbook, each given the site of its row.

    Every sheet whose first row has a column 编号 is read: a picture anchored to a cell
    (Excel's and WPS's "place over cells", openpyxl's ``ws._images``) belongs to the row of
    its top-left corner; a WPS cell image is the formula ``=DISPIMG("ID_…",1)`` in a cell,
    its bytes in ``xl/cellimages.xml``. The row's 日期 (if any) is the day given; its 阶段
    (前/中/后) the kind. Pictures Excel 365 places *in* cells (``xl/richData``) are not
    read: one problem says so.
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    from citymap.errors import ValidationError

    _check_zip(path)
    problems: list[Problem] = []
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        try:
            wps = _wps_cell_images(zf)
        except ET.ParseError as exc:
            raise ValidationError([Problem(path.name, "xl/cellimages.xml", "",
                                           _("is not valid XML: {error}")
                                           .format(error=exc))]) from None
    if any(n.startswith("xl/richData/") for n in names):
        problems.append(Problem(path.name, "", "", _("has pictures placed IN cells by Excel 365 "
                                                     "(Place in Cell), which citymap does not "
                                                     "read yet: use Place over Cells, or save "
                                                     "the photos to a folder")))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            wb = load_workbook(path, data_only=False)
        except Exception as exc:  # noqa: BLE001 - openpyxl/Pillow raise many kinds
            raise ValidationError([Problem(path.name, "", "", _("cannot be read as a workbook "
                                                                "({error}); an image in it may "
                                                                "be damaged or too big")
                                                              .format(error=exc))]) from None
    for w in caught:
        if "cannot be read" in str(w.message):  # openpyxl drops a picture it cannot open
            problems.append(Problem(path.name, "", "", _("{message}: the picture is not an image "
                                                         "citymap reads; replace it with a JPEG")
                                                       .format(message=w.message)))
    out: list[Candidate] = []
    try:
        for sh in wb.worksheets:
            where = f"{path.name} [{sh.title}]"
            head = [c.value for c in next(sh.iter_rows(min_row=1, max_row=1), ())]
            cs = _find(head, _ID_HEADERS)
            images = list(getattr(sh, "_images", []))
            if cs is None:
                if images:
                    problems.append(Problem(where, _("row {row}").format(row=1), "", _(
                        "has pictures but no column 编号 naming each row's site")))
                continue
            cd, ck = _find(head, _DATE_HEADERS), _find(head, _KIND_HEADERS)
            found: list[tuple[int, int, bytes]] = []
            for img in images:
                cell = _anchor_cell(img.anchor)
                if cell is None:
                    problems.append(Problem(where, "", "", _("has a picture not anchored to a "
                                                             "cell: move it onto its site's row")))
                    continue
                found.append((cell[0], cell[1], img._data()))
            for row in sh.iter_rows(min_row=2):
                for c in row:
                    m = _DISPIMG.search(c.value) if isinstance(c.value, str) else None
                    if m is None:
                        continue
                    if m[1] not in wps:
                        problems.append(Problem(where, c.coordinate, "", _(
                            "shows the cell image {image!r}, which is not in the workbook: save "
                            "it again in WPS").format(image=m[1][:60])))
                        continue
                    found.append((c.row, c.column, wps[m[1]]))
            for r, col, data in sorted(found, key=lambda f: (f[0], f[1])):
                item = f"{get_column_letter(col)}{r}"
                values = [c.value for c in sh[r]] if r >= 2 else []
                site = _cell_text(values[cs]) if cs < len(values) else ""
                if not site:
                    problems.append(Problem(where, item, "编号", _("the picture is not on a row "
                                                                 "with a site id: move it onto "
                                                                 "its site's row")))
                    continue
                day, _ok = _given(values, cd, where, item, "date", problems)
                _ok2, kind = _given(values, ck, where, item, "kind", problems)
                out.append(Candidate(where, item, _bytes_reader(data), site, day,
                                     "sheet" if day else "", kind))
    finally:
        wb.close()
    return out, problems
