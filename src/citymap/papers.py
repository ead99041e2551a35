"""The 调度表: one printable xlsx of every work, the sheet a 调度会 works from.

One row per work of the register: number, name, lead and responsible units, this year's
targets, progress (sites done / planned up to the year, percent), status on the date, the
late flag (the work is on the overdue list of the date), problem and next step. Status
comes from the status on the date (:func:`citymap.supervise.day_status`), i.e. from the
accepted records only (today: the status log).

Problem (存在问题) and next step (下步计划) come from the notes of the status log: the
latest note on or before the date, of the work's own events and of its sites' events, that
carries ``问题：…`` / ``存在问题：…`` or ``下步：…`` / ``下一步：…`` / ``下步计划：…``;
a note without these marks on a 滞后 event counts as the problem (``citymap status set 16
滞后 --note 资金未到位``). Without such notes the cells are left empty for the meeting.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from citymap.i18n import N_, tr
from citymap.io.atomic import write_with
from citymap.sites import parse_works
from citymap.supervise import DayStatus
from citymap.vocab import BEHIND, DONE, label
from citymap.workspace import Workspace

__all__ = ["DispatchRow", "dispatch_rows", "note_parts", "write_dispatch", "DISPATCH_COLUMNS"]

#: (key, English message id of the heading, width) of the 调度表's columns.
DISPATCH_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("number", N_("No."), 6), ("name", N_("Work name"), 24),
    ("lead", N_("Lead unit"), 18), ("partners", N_("Responsible units"), 22),
    ("target", N_("This year's targets"), 30), ("done", N_("Sites done"), 8),
    ("planned", N_("Sites planned"), 8), ("percent", N_("Done (%)"), 10),
    ("status", N_("Status"), 10), ("late", N_("Late"), 8),
    ("problem", N_("Problem"), 28), ("next", N_("Next step"), 28),
)
_PROBLEM = re.compile(r"(?:存在)?问题[:：]\s*(.*?)(?=(?:下一?步(?:计划|打算)?[:：])|$)", re.S)
_NEXT = re.compile(r"下一?步(?:计划|打算)?[:：]\s*(.*?)(?=(?:(?:存在)?问题[:：])|$)", re.S)


def note_parts(note: str, status: str) -> tuple[str, str]:
    """(problem, next step) written in a note; see the module notes."""
    p = _PROBLEM.search(note)
    n = _NEXT.search(note)
    problem = p.group(1).strip(" ;；,，。\n") if p else ""
    nxt = n.group(1).strip(" ;；,，。\n") if n else ""
    if not p and not n and status == BEHIND:
        problem = note.strip()
    return problem, nxt


@attrs.frozen
class DispatchRow:
    """One work's row of the 调度表."""

    number: int
    name: str
    lead: str
    partners: str
    target: str
    done: int | None
    planned: int | None
    percent: float | None
    status: str
    late: bool
    problem: str = ""
    next: str = ""


def _targets_text(ws: Workspace, number: int, year: int) -> str:
    out = []
    for t in ws.register.work(number).targets:
        if t.start_year <= year <= t.year:
            cmp = "≥" if t.comparison == ">=" else ""
            years = str(t.year) if t.start_year == t.year else f"{t.start_year}–{t.year}"
            out.append(f"{t.name} {cmp}{t.value:g}{t.unit}({years})")
    return "；".join(out)


def dispatch_rows(ws: Workspace, st: DayStatus) -> list[DispatchRow]:
    """The rows of the 调度表 on ``st.date`` (register order)."""
    day = st.date
    sites = st.sites
    late_works = {i.work for i in st.overdue}
    site_works: dict[str, tuple[int, ...]] = {}
    if len(sites):
        site_works = {str(i): parse_works(w) for i, w in zip(sites["id"], sites["works"],
                                                             strict=True)}
    notes: dict[int, list[tuple[dt.date, str, str, str]]] = {}
    for e in ws.history.events:
        if e.date > day or not e.note.strip():
            continue
        nums = (int(e.id),) if e.id.isdigit() else site_works.get(e.id, ())
        for n in nums:
            notes.setdefault(n, []).append((e.date, e.recorded_at, e.note, e.status))
    rows = []
    for w in ws.register.works:
        planned = done = None
        if len(sites):
            mine = sites[[w.number in site_works[str(i)] for i in sites["id"]]]
            mine = mine[mine["year"].astype(int) <= day.year]
            if len(mine):
                planned = len(mine)
                done = int((mine["status"].astype(str) == DONE).sum())
        problem = nxt = ""
        for _, _, note, state in sorted(notes.get(w.number, [])):
            got_problem, got_next = note_parts(note, state)
            problem = got_problem or problem
            nxt = got_next or nxt
        units = ws.register.canonical_unit
        rows.append(DispatchRow(
            w.number, w.name, "、".join(dict.fromkeys(units(u) for u in w.lead_units)),
            "、".join(dict.fromkeys(units(u) for u in w.partner_units)),
            _targets_text(ws, w.number, day.year), done, planned,
            round(100 * done / planned, 1) if planned and done is not None else None,
            st.works[w.number].status, w.number in late_works, problem, nxt))
    return rows


def _set_text(cell: Any, text: str) -> None:
    """Put ``text`` in ``cell`` as a text cell, never a formula (even when it starts with =)."""
    cell.value = text
    cell.data_type = "s"


def write_dispatch(ws: Workspace, st: DayStatus, path: str | os.PathLike[str], *,
                   lang: str = "zh") -> Path:
    """Write the 调度表 of ``st.date`` to ``path`` (xlsx, atomically; an existing ``path``
    is replaced only when citymap wrote it, :mod:`citymap.io.owned`).

    A title row (plan, date, and the 示意 notice when the workspace is schematic), the
    header, one row per work; header frozen, columns sized, text wrapped, A4 landscape,
    fitted to the page width, header repeated on every printed page.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from citymap.io.owned import GENERATOR, check_file_replaceable, recognise_xlsx

    path = Path(path)
    check_file_replaceable(path, recognise_xlsx, kind="workbook")
    rows = dispatch_rows(ws, st)
    wb = Workbook()
    wb.properties.creator = wb.properties.lastModifiedBy = GENERATOR  # its mark (io.owned)
    sh = wb.active
    assert sh is not None
    sh.title = tr("Dispatch", lang)
    ncol = len(DISPATCH_COLUMNS)
    last = get_column_letter(ncol)
    name = (ws.config.name_en or ws.config.name) if lang == "en" else ws.config.name
    title = tr("{workspace} — dispatch sheet as of {date}", lang).format(
        workspace=name, date=st.date.isoformat())
    if ws.is_schematic:
        title += " " + tr("(schematic data, not surveyed)", lang)
    _set_text(sh.cell(row=1, column=1), title)
    sh.merge_cells(f"A1:{last}1")
    sh["A1"].font = Font(bold=True, size=14)
    sh["A1"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sh.row_dimensions[1].height = 30
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    late_fill = PatternFill("solid", fgColor="FCE4D6")
    for j, (_key, head, width) in enumerate(DISPATCH_COLUMNS, start=1):
        c = sh.cell(row=2, column=j)
        _set_text(c, tr(head, lang))
        c.font = Font(bold=True)
        c.fill = head_fill
        c.border = box
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sh.column_dimensions[get_column_letter(j)].width = width
    yes, no = tr("yes", lang), tr("no", lang)
    for i, r in enumerate(rows, start=3):
        values: dict[str, object] = attrs.asdict(r)
        values["status"] = label(r.status, lang)
        values["late"] = yes if r.late else no
        for j, (key, *_rest) in enumerate(DISPATCH_COLUMNS, start=1):
            c = sh.cell(row=i, column=j)
            v = values[key]
            if v is None:
                pass
            elif isinstance(v, int | float) and not isinstance(v, bool):
                c.value = v
                if key == "percent":
                    c.number_format = "0.0"
            else:
                _set_text(c, str(v))
            c.border = box
            c.alignment = Alignment(vertical="top", wrap_text=True,
                                    horizontal="center" if key in (
                                        "number", "done", "planned", "percent", "late") else None)
            if r.late:
                c.fill = late_fill
    sh.freeze_panes = "C3"
    sh.print_title_rows = "2:2"
    sh.page_setup.orientation = "landscape"
    sh.page_setup.paperSize = sh.PAPERSIZE_A4
    sh.page_setup.fitToWidth = 1
    sh.page_setup.fitToHeight = 0
    sh.sheet_properties.pageSetUpPr.fitToPage = True
    sh.print_options.horizontalCentered = True
    sh.page_margins.left = sh.page_margins.right = 0.4
    sh.oddFooter.center.text = tr("Page {page} of {pages}", lang).format(page="&P",
                                                                          pages="&N")
    write_with(path, lambda tmp: wb.save(tmp))
    return path


def dispatch_table(rows: Sequence[DispatchRow]) -> list[dict[str, object]]:
    """The rows as plain dicts (for JSON output and tests)."""
    return [attrs.asdict(r) for r in rows]
