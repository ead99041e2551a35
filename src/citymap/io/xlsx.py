"""Progress spreadsheets: the pre-filled template units fill in, and reading it back.

The template (``citymap progress template``) has one row per work and site of a unit. The
columns that identify a row (编号, 类型, 所属工程, 名称 …) are locked by sheet protection;
新状态 is a drop-down of the site statuses, 日期 and 完成百分比 are checked by Excel/WPS as
they are typed. A second sheet (填报说明) explains the columns.

Reading (:func:`read_progress_file`) accepts the template as ``.xlsx`` and the same columns
as ``.csv`` (UTF-8, or GB18030 as Excel saves it on Chinese Windows). Headers may be the
Chinese ones, the English ones or the keys (``id, status, date, percent, note, unit``).
Nothing is validated here beyond the file's shape: :mod:`citymap.progress` checks the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

if TYPE_CHECKING:
    from openpyxl import Workbook

from citymap.errors import Problem, ValidationError
from citymap.history import FIRST_DATE
from citymap.i18n import _
from citymap.io.atomic import write_bytes, write_text
from citymap.io.csvsafe import FORMULA_START, escape_row, unescape_cell
from citymap.limits import (
    MAX_NOTE_CHARS,
    MAX_SHEET_ROWS,
    MAX_TEXT_CHARS,
    MAX_XLSX_MEMBERS,
    MAX_XLSX_UNCOMPRESSED,
    MB,
    check_regular,
    read_bounded,
    text_problem,
)
from citymap.vocab import SITE_STATUSES

__all__ = [
    "Column",
    "COLUMNS",
    "SHEET_NAME",
    "SheetRow",
    "ProgressFile",
    "write_template",
    "read_progress_file",
]

#: The sheet units fill in.
SHEET_NAME = "进度填报"
HELP_SHEET = "填报说明"


@attrs.frozen
class Column:
    """One column of the progress sheet."""

    key: str
    zh: str
    en: str
    width: float
    locked: bool
    help_zh: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("id", "编号", "ID", 12, True, "点位编号或工程编号, 不可修改"),
    Column("kind", "类型", "Kind", 7, True, "工程 (work) 或 点位 (site)"),
    Column("works", "所属工程", "Works", 10, True, "点位所属的工程编号"),
    Column("name", "名称", "Name", 32, True, "工程或点位名称"),
    Column("year", "计划年份", "Planned year", 10, True, "点位计划完成的年份"),
    Column("current", "当前状态", "Current status", 11, True, "制表日的状态"),
    Column("current_date", "状态日期", "Status date", 12, True, "当前状态的日期"),
    Column("status", "新状态", "New status", 11, False,
           "从下拉列表选择: " + " / ".join(SITE_STATUSES)),
    Column("date", "日期", "Date", 12, False,
           "新状态的日期 YYYY-MM-DD, 不早于状态日期, 不晚于今天"),
    Column("percent", "完成百分比", "Percent complete", 12, False, "0–100 的数字, 可不填"),
    Column("note", "备注", "Note", 36, False, "说明, 可不填"),
    Column("unit", "填报单位", "Reporting unit", 24, True, "制表时指定的单位"),
)
_BY_KEY = {c.key: c for c in COLUMNS}
#: Header text (lower case) → column key; Chinese, English and key spellings.
_HEADER_KEYS: dict[str, str] = {}
for _c in COLUMNS:
    for _h in (_c.key, _c.zh, _c.en):
        _HEADER_KEYS[_h.lower()] = _c.key
_HEADER_KEYS.update({"状态": "status", "完成比例": "percent", "进度": "percent",
                     "单位": "unit", "percent complete (%)": "percent"})
#: Columns an import needs.
REQUIRED = ("id", "status", "date")
#: Columns whose content is a report (a row with all of them empty is not one).
REPORT_KEYS = ("status", "date", "percent", "note")


@attrs.frozen
class SheetRow:
    """One data row of a progress file.

    Attributes
    ----------
    where
        The file and sheet, e.g. ``"进度.xlsx [进度填报]"``.
    row
        The row number as the spreadsheet shows it (the header is row 1).
    values
        Column key → cell value (text, number, date or ``None``).
    columns
        Column key → label for messages, e.g. ``"H 新状态"``.
    """

    where: str
    row: int
    values: Mapping[str, object]
    columns: Mapping[str, str]

    def text(self, key: str) -> str:
        """The cell as stripped text (``""`` when empty)."""
        v = self.values.get(key)
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, dt.datetime):
            return v.date().isoformat()
        return str(v).strip()

    def label(self, key: str) -> str:
        """The column's label for messages."""
        return self.columns.get(key, _BY_KEY[key].zh if key in _BY_KEY else key)

    @property
    def is_report(self) -> bool:
        """True when any of 新状态, 日期, 完成百分比, 备注 is filled in."""
        return any(self.text(k) for k in REPORT_KEYS)


@attrs.frozen
class ProgressFile:
    """The rows of a progress file that carry a report, and the file's own problems."""

    path: Path
    rows: tuple[SheetRow, ...]
    skipped: int = 0


# ----------------------------------------------------------------------------- writing

def write_template(
    path: str | Path,
    rows: Sequence[Mapping[str, object]],
    *,
    unit: str,
    as_of: dt.date,
    title: str = "",
    first_date: dt.date = FIRST_DATE,
) -> Path:
    """Write the progress sheet of one unit.

    Parameters
    ----------
    path
        ``.xlsx`` (protected, with drop-downs) or ``.csv`` (the same columns, UTF-8 with a
        byte-order mark so that Excel opens it as UTF-8).
    rows
        One mapping per row with the keys of :data:`COLUMNS` (``status``, ``date``,
        ``percent`` and ``note`` are normally absent: the unit fills them in).
    unit
        The reporting unit (written in every row).
    as_of
        The date of 当前状态.
    title
        The plan's title, for the help sheet.
    first_date
        The earliest date a status may have: the plan's start (``Plan.start``); the
        workbook's date check allows ``first_date`` … today.

    Returns
    -------
    pathlib.Path
        ``path``; written atomically.
    """
    from citymap.io.owned import check_file_replaceable, recognise_xlsx

    path = Path(path)
    csv_out = path.suffix.lower() == ".csv"
    if csv_out or path.suffix.lower() == ".xlsx":
        check_file_replaceable(path, None if csv_out else recognise_xlsx,
                               kind="CSV file" if csv_out else "workbook")
    if csv_out:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([c.zh for c in COLUMNS])
        for r in rows:
            writer.writerow(escape_row(_cell(r.get(c.key)) if c.key != "unit" else unit
                                       for c in COLUMNS))
        write_text(path, "\ufeff" + buf.getvalue())
        return path
    if path.suffix.lower() != ".xlsx":
        raise ValidationError([Problem(str(path), "", "", _("use a .xlsx or .csv file name"))])
    data = io.BytesIO()  # built in memory: a full disk cannot leave a half-closed zip
    _build_workbook(rows, unit=unit, as_of=as_of, title=title,
                    first_date=first_date).save(data)
    write_bytes(path, data.getvalue())
    return path


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _put(sheet: Any, row: int, column: int, value: object) -> Any:
    """Write one cell; text is always text, never a formula.

    openpyxl turns a string starting with ``=`` into a live formula; a name or note from
    the data must not run in Excel/WPS. Text cells get the type ``s`` and Excel's
    quote prefix (a user editing the cell keeps it text), and control characters that
    the XML of a workbook cannot hold are dropped.
    """
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    return cell


def _build_workbook(rows: Sequence[Mapping[str, object]], *, unit: str, as_of: dt.date,
                    title: str, first_date: dt.date) -> Workbook:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.properties.creator = wb.properties.lastModifiedBy = "citymap"  # its mark (io.owned)
    sh = wb.active
    assert sh is not None
    sh.title = SHEET_NAME
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    edit_fill = PatternFill("solid", fgColor="FFF2CC")
    for j, col in enumerate(COLUMNS, start=1):
        c = _put(sh, 1, j, col.zh)
        c.font = Font(bold=True)
        c.fill = edit_fill if not col.locked else head_fill
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sh.column_dimensions[get_column_letter(j)].width = col.width
    unlocked = Protection(locked=False)
    for i, r in enumerate(rows, start=2):
        for j, col in enumerate(COLUMNS, start=1):
            value = unit if col.key == "unit" else r.get(col.key)
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                value = value.isoformat() if col.locked else value
            c = _put(sh, i, j, value)
            if col.key in ("id", "works"):
                c.number_format = "@"
            if not col.locked:
                c.protection = unlocked
                c.fill = edit_fill
            if col.key == "date":
                c.number_format = "yyyy-mm-dd"
            if col.key == "note":
                c.alignment = Alignment(wrap_text=True)
    last = max(len(rows) + 1, 2)
    letter = {c.key: get_column_letter(j) for j, c in enumerate(COLUMNS, start=1)}
    status_dv = DataValidation(
        type="list", formula1='"' + ",".join(SITE_STATUSES) + '"', allow_blank=True,
        showErrorMessage=True, errorTitle="状态", error="请从下拉列表选择: "
        + " / ".join(SITE_STATUSES), promptTitle="新状态", prompt="从下拉列表选择",
        showInputMessage=True)
    status_dv.add(f"{letter['status']}2:{letter['status']}{last}")
    date_dv = DataValidation(
        type="date", operator="between", formula2="TODAY()",
        formula1=f"DATE({first_date.year},{first_date.month},{first_date.day})",
        allow_blank=True, showErrorMessage=True, errorTitle="日期",
        error=f"日期须在 {first_date.isoformat()} 与今天之间, 格式 YYYY-MM-DD")
    date_dv.add(f"{letter['date']}2:{letter['date']}{last}")
    pct_dv = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
        showErrorMessage=True, errorTitle="完成百分比", error="请填写 0–100 的数字")
    pct_dv.add(f"{letter['percent']}2:{letter['percent']}{last}")
    for dv in (status_dv, date_dv, pct_dv):
        sh.add_data_validation(dv)
    sh.freeze_panes = "B2"
    sh.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{last}"
    prot = sh.protection
    prot.sheet = True
    prot.formatColumns = False  # widening columns stays allowed
    prot.formatRows = False
    prot.autoFilter = False

    helper = wb.create_sheet(HELP_SHEET)
    lines: list[tuple[str, str]] = [
        ("方案", title),
        ("填报单位", unit),
        ("制表日期 (当前状态截至)", as_of.isoformat()),
        ("", ""),
        ("填写方法", "只填写黄色列 (新状态、日期、完成百分比、备注); 不需更新的行留空。"),
        ("", "编号等灰色列已锁定 (工作表保护, 无密码), 请勿修改或增删行。"),
        ("", "填好后交回, 由 citymap progress import 文件名 导入; 有错误时整个文件不导入,"
             " 并列出每处错误 (工作表、行、列、原因)。"),
        ("", ""),
        ("列", "说明"),
    ]
    lines += [(f"{c.zh} ({c.en})", c.help_zh) for c in COLUMNS]
    for i, (a, b) in enumerate(lines, start=1):
        _put(helper, i, 1, a).font = Font(bold=bool(a))
        _put(helper, i, 2, b)
    helper.column_dimensions["A"].width = 26
    helper.column_dimensions["B"].width = 90
    wb.active = 0
    return wb


# ----------------------------------------------------------------------------- reading

def _header_map(headers: Sequence[object], where: str) -> tuple[dict[str, int], list[Problem]]:
    from openpyxl.utils import get_column_letter

    found: dict[str, int] = {}
    problems: list[Problem] = []
    for j, h in enumerate(headers):
        key = _HEADER_KEYS.get(str(h or "").strip().lower())
        if key is None:
            continue
        if key in found:
            problems.append(Problem(where, _("row {row}").format(row=1),
                                    f"{get_column_letter(j + 1)} {h}",
                                    _("column {header!r} appears twice").format(header=h)))
            continue
        found[key] = j
    missing = [k for k in REQUIRED if k not in found]
    if missing:
        names = "、".join(f"{_BY_KEY[k].zh} ({k})" for k in missing)
        problems.append(Problem(where, _("row {row}").format(row=1), "",
                                _("missing column(s) {names}; use the sheet made by "
                                  "`citymap progress template`").format(names=names)))
    return found, problems


def _rows_from_table(table: Sequence[Sequence[object]], where: str,
                     path: Path) -> ProgressFile:
    from openpyxl.utils import get_column_letter

    if not table:
        raise ValidationError([Problem(where, "", "", _("is empty"))])
    found, problems = _header_map(table[0], where)
    if problems:
        raise ValidationError(problems)
    if len(table) - 1 > MAX_SHEET_ROWS:
        raise ValidationError([Problem(where, "", "", _(
            "has {n} rows; at most {limit} are read — split the file")
            .format(n=len(table) - 1, limit=MAX_SHEET_ROWS))])
    labels = {k: f"{get_column_letter(j + 1)} {table[0][j]}" for k, j in found.items()}
    rows: list[SheetRow] = []
    skipped = 0
    for n, raw in enumerate(table[1:], start=2):
        values = {k: (raw[j] if j < len(raw) else None) for k, j in found.items()}
        values = {k: (None if isinstance(v, str) and not v.strip() else v)
                  for k, v in values.items()}
        for k, v in values.items():
            why = text_problem(v, limit=MAX_NOTE_CHARS if k == "note" else MAX_TEXT_CHARS) \
                if isinstance(v, str) else None
            if why is not None:
                problems.append(Problem(where, _("row {row}").format(row=n), labels[k], why))
        row = SheetRow(where, n, values, labels)
        if row.is_report:
            rows.append(row)
        else:
            skipped += 1
    if problems:
        raise ValidationError(problems)
    return ProgressFile(path, tuple(rows), skipped)


def _read_csv_text(path: Path) -> str:
    data = read_bounded(path, shown=path.name, kind="sheet")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValidationError([Problem(path.name, "", "", _("is neither UTF-8 nor GB18030 text: save "
                                                        "it as CSV UTF-8"))])


def _csv_table(path: Path) -> list[list[object]]:
    """The cells of a progress CSV (escaped cells read back as written)."""
    text = _read_csv_text(path)
    table: list[list[object]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for cells in reader:
            table.append([unescape_cell(c) for c in cells])
            if len(table) > MAX_SHEET_ROWS + 1:
                break
    except csv.Error as exc:
        if "field larger" in str(exc):
            why = (_("holds a cell of over {limit} characters (a note is at most {note}); an "
                     "unterminated quote?")
                   .format(limit=csv.field_size_limit(), note=MAX_NOTE_CHARS))
        else:
            why = _("is not valid CSV ({error}); an unterminated quote?").format(error=exc)
        raise ValidationError([Problem(path.name, _("row {row}").format(row=len(table) + 1), "",
                                       why)]) from None
    return table


def check_xlsx_zip(path: Path, shown: str, *, kind: str = "sheet") -> None:
    """Refuse an ``.xlsx`` whose zip would unpack to too much, before openpyxl opens it.

    The file must be a regular file within ``FILE_CAPS[kind]``, a zip of at most
    :data:`~citymap.limits.MAX_XLSX_MEMBERS` members whose declared uncompressed sizes add
    up to at most :data:`~citymap.limits.MAX_XLSX_UNCOMPRESSED` bytes (a zip bomb of a few
    MB that unpacks to gigabytes is refused here). Python's zip reader never returns more
    than a member's declared size, so the declared sizes bound what is read.
    """
    import zipfile

    check_regular(path, shown=shown, kind=kind)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError([Problem(shown, "", "", _("cannot be read as a workbook: {error}; "
                                                        "save it again as .xlsx")
                                                      .format(error=exc))]) from None
    total = sum(i.file_size for i in infos)
    if len(infos) > MAX_XLSX_MEMBERS or total > MAX_XLSX_UNCOMPRESSED:
        raise ValidationError([Problem(
            shown, "", "", _("unpacks to {mb:.0f} MB in {n} parts; a workbook citymap "
                             "reads is at most {limit} MB in {parts} parts — copy "
                             "the sheet into a new workbook")
                           .format(mb=total / MB, n=len(infos), limit=MAX_XLSX_UNCOMPRESSED // MB,
                                   parts=MAX_XLSX_MEMBERS))])


def read_progress_file(path: str | Path, *, sheet: str | None = None) -> ProgressFile:
    """Read a filled progress file (``.xlsx`` or ``.csv``).

    The workbook is checked before it is parsed (:func:`check_xlsx_zip`), read with
    openpyxl's streaming reader over the known columns only (a sheet that claims a
    million rows or columns allocates nothing), and at most
    :data:`~citymap.limits.MAX_SHEET_ROWS` rows of at most
    :data:`~citymap.limits.MAX_NOTE_CHARS` (note) / :data:`~citymap.limits.MAX_TEXT_CHARS`
    characters a cell are accepted. A hidden sheet is refused: what is imported must be
    what the unit saw. Dates typed as day numbers use the workbook's own date system
    (1900 or 1904).

    Parameters
    ----------
    path
        The file.
    sheet
        For ``.xlsx``: the sheet (default 进度填报, else the first sheet).

    Returns
    -------
    ProgressFile
        The rows that carry a report; rows with 新状态, 日期, 完成百分比 and 备注 all
        empty are skipped (counted in ``skipped``).

    Raises
    ------
    ValidationError
        If the file cannot be read, is too large, or lacks the 编号, 新状态 or 日期 column.
    """
    path = Path(path)
    if not path.is_file():
        raise ValidationError([Problem(str(path), "", "", _("file not found"))])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _rows_from_table(_csv_table(path), path.name, path)
    if suffix not in (".xlsx", ".xlsm"):
        raise ValidationError([Problem(path.name, "", "", _(
            "is not a .xlsx or .csv file (save an .xls or .et file as .xlsx first)"))])
    check_xlsx_zip(path, path.name)
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # files saved by Excel/WPS carry extensions openpyxl does not read; harmless
            warnings.simplefilter("ignore", UserWarning)
            wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
        line = str(exc).splitlines()[0] if str(exc) else exc
        raise ValidationError([Problem(path.name, "", "", _(
            "cannot be read as a workbook: {error!r}").format(error=line))]) from None
    try:
        if sheet is not None:
            if sheet not in wb.sheetnames:
                raise ValidationError([Problem(path.name, "", "", _(
                    "has no sheet {sheet!r}; its sheets: {sheets}")
                    .format(sheet=sheet, sheets=", ".join(wb.sheetnames)))])
            sh = wb[sheet]
        else:
            sh = wb[SHEET_NAME] if SHEET_NAME in wb.sheetnames else wb.worksheets[0]
        where = f"{path.name} [{sh.title}]"
        if getattr(sh, "sheet_state", "visible") != "visible":
            raise ValidationError([Problem(where, "", "", _(
                "is a hidden sheet: unhide it in Excel/WPS (右键 → 取消隐藏) and check it, so "
                "that what is imported is what the unit sees"))])
        try:
            table = _sheet_table(sh, where, epoch=wb.epoch)
        except ValidationError:
            raise
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
            raise ValidationError([Problem(where, "", "", _("cannot be read: {error!r}")
                                                          .format(error=exc))]) \
                from None
        return _rows_from_table(table, where, path)
    finally:
        wb.close()


_HEADER_COLUMNS = 64


def _sheet_table(sh: Any, where: str, *, epoch: dt.datetime) -> list[list[object]]:
    """The cells of the known columns, streamed; empty rows cost nothing to keep."""
    head = next(sh.iter_rows(min_row=1, max_row=1, max_col=_HEADER_COLUMNS), ())
    headers: list[object] = [c.value for c in head]
    found, _problems = _header_map(headers, where)
    if not found:
        return [headers]
    width = max(found.values()) + 1
    date_col = found.get("date")
    table: list[list[object]] = [headers[:width]]
    blank = 0
    for n, cells in enumerate(sh.iter_rows(min_row=2, max_col=width), start=2):
        values = [_cell_value(c) for c in cells]
        if date_col is not None and date_col < len(values):
            values[date_col] = _day_number(values[date_col], cells[date_col], epoch)
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            blank += 1
            continue
        if n - 1 > MAX_SHEET_ROWS:
            raise ValidationError([Problem(where, _("row {row}").format(row=n), "", _(
                "is beyond row {limit}, the last row read — split the file or delete stray "
                "cells").format(limit=MAX_SHEET_ROWS + 1))])
        table.extend([[None] * width] * blank)
        blank = 0
        table.append(values)
    return table


def _day_number(value: object, cell: object, epoch: dt.datetime) -> object:
    """A number in the date column as a date of the workbook's date system (1900 or 1904)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 30000 < value < 60000:
        from openpyxl.utils.datetime import from_excel

        try:
            return from_excel(value, epoch=epoch)
        except (ValueError, OverflowError):
            return value
    return value


def _cell_value(cell: object) -> object:
    value = getattr(cell, "value", None)
    fmt = str(getattr(cell, "number_format", "") or "")
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in fmt:
        return float(value) * 100  # 80% typed in a percent-formatted cell is 0.8
    return value
