"""Progress reporting: who may report on what, templates, imports, single updates, overdue lists.

The workflow (docs/progress.md):

1. ``citymap progress template --unit U -o U.xlsx`` — a sheet of the works unit ``U`` leads
   or shares and their sites, with today's status (:func:`make_template`);
2. the unit fills in 新状态 / 日期 / 完成百分比 / 备注 and sends the file back;
3. ``citymap progress import U.xlsx`` — every row is checked (:func:`read_events`); any
   problem refuses the whole file with the list of problems; otherwise the new events are
   appended to the status log through the store it is given
   (:meth:`citymap.store.base.Store.append_events`: serialised, all or none, idempotent).

Reporting rights: a unit may report on a work it leads (牵头) or shares (责任单位) as the
register names them, aliases resolved (``县卫生健康委`` is ``县卫生健康局``), and on the sites
of those works. The plan's collective partner of every work (``各乡镇(街道)…``) is not one
unit and may not report: townships report through the work's lead unit, which answers for
the work at the 督导 meetings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs
import pandas as pd

from citymap.derived import SiteSource, WorkState
from citymap.errors import Problem, ValidationError
from citymap.history import (
    AppendResult,
    StatusEvent,
    check_events,
    field_problems,
    parse_date,
)
from citymap.i18n import _
from citymap.io.xlsx import ProgressFile, SheetRow, read_progress_file, write_template
from citymap.records import parse_works
from citymap.register import Register, Work
from citymap.vocab import BEHIND, DONE

if TYPE_CHECKING:
    from citymap.store.base import Store
    from citymap.workspace import Workspace

__all__ = [
    "ImportResult",
    "OverdueItem",
    "TemplateResult",
    "reporting_unit",
    "works_reported_by",
    "may_report",
    "reporters_of",
    "ids_of",
    "template_rows",
    "make_template",
    "read_events",
    "import_progress",
    "read_checked",
    "set_status",
    "overdue_items",
    "overdue_from",
    "parse_report_date",
    "summarize",
]


# ----------------------------------------------------------------------------- units

def reporting_unit(register: Register, unit: str, *, shown: str = "--unit") -> str:
    """The canonical name of a unit that may report progress.

    Raises
    ------
    ValidationError
        If ``unit`` is not a unit of the plan, or is the collective partner of every work.
    """
    name = register.canonical_unit(unit)
    common = {register.canonical_unit(u) for u in register.plan.partner_units_of_every_work}
    if name in common:
        raise ValidationError([Problem(shown, "", "", _("{unit!r} is the plan's collective "
                                                        "partner of every work, not one unit; a "
                                                        "township reports through the work's "
                                                        "lead unit").format(unit=unit))])
    explicit = {register.canonical_unit(u) for w in register.works
                for u in register.units_of(w, with_common=False)}
    if name not in explicit:
        raise ValidationError([Problem(shown, "", "", _("{unit!r} is not a unit of the plan; see "
                                                        "`citymap tasks --format json` for the "
                                                        "units (aliases such as 县卫生健康委 are "
                                                        "understood)").format(unit=unit))])
    return name


def works_reported_by(register: Register, unit: str, *, lead_only: bool = False) -> tuple[
        Work, ...]:
    """The works ``unit`` may report on: those it leads or (unless ``lead_only``) shares.

    The collective partner of every work does not count (see the module notes).
    """
    want = register.canonical_unit(unit)
    out = []
    for w in register.works:
        names = w.lead_units if lead_only else register.units_of(w, with_common=False)
        if any(register.canonical_unit(n) == want for n in names):
            out.append(w)
    return tuple(out)


def ids_of(ws: Workspace) -> dict[str, tuple[int, ...]]:
    """Every id an event may name → the works it belongs to (a work number names itself)."""
    out: dict[str, tuple[int, ...]] = {str(w.number): (w.number,) for w in ws.register.works}
    sites = ws.sites()
    for ident, works in zip(sites["id"], sites.get("works", []), strict=False):
        out.setdefault(str(ident), parse_works(works))
    return out


def may_report(register: Register, unit: str, works: Iterable[int]) -> bool:
    """True when ``unit`` leads or shares any of ``works``."""
    mine = {w.number for w in works_reported_by(register, unit)}
    return any(n in mine for n in works)


# ----------------------------------------------------------------------------- template

@attrs.frozen
class TemplateResult:
    """What :func:`make_template` wrote."""

    path: Path
    unit: str
    works: int
    sites: int


def template_rows(ws: Workspace, unit: str, as_of: dt.date, *,
                  lead_only: bool = False) -> list[dict[str, object]]:
    """The rows of ``unit``'s progress sheet: each work, then its sites, status on ``as_of``."""
    works = works_reported_by(ws.register, unit, lead_only=lead_only)
    now = ws.status_as_of(as_of)
    sites, states = now.sites, now.works
    rows: list[dict[str, object]] = []
    listed: set[str] = set()
    for w in works:
        st = states[w.number]
        years = [t.year for t in w.targets]
        rows.append({"id": str(w.number), "kind": "工程", "works": str(w.number),
                     "name": w.name, "year": max(years) if years else None,
                     "current": st.status, "current_date": st.date or None})
        if not len(sites):
            continue
        own = sites[[w.number in parse_works(v) for v in sites["works"]]]
        for rec in own.sort_values(["year", "id"]).itertuples():
            if str(rec.id) in listed:
                continue
            listed.add(str(rec.id))
            rows.append({"id": str(rec.id), "kind": "点位", "works": str(rec.works),
                         "name": str(rec.name), "year": int(rec.year),
                         "current": str(rec.status),
                         "current_date": str(rec.status_date) or None})
    return rows


def make_template(ws: Workspace, unit: str, path: str | Path, *, as_of: dt.date | None = None,
                  lead_only: bool = False) -> TemplateResult:
    """Write ``unit``'s progress sheet (``.xlsx`` or ``.csv``) to ``path``.

    Raises
    ------
    ValidationError
        If ``unit`` may not report (see :func:`reporting_unit`) or has no work.
    """
    name = reporting_unit(ws.register, unit)
    as_of = as_of or dt.date.today()
    rows = template_rows(ws, name, as_of, lead_only=lead_only)
    if not rows:
        message = (_("{unit!r} leads no work") if lead_only
                   else _("{unit!r} leads no work and shares none"))
        raise ValidationError([Problem("--unit", "", "", message.format(unit=unit))])
    out = write_template(path, rows, unit=name, as_of=as_of, title=ws.register.plan.title,
                         first_date=ws.register.plan.start)
    n_works = sum(1 for r in rows if r["kind"] == "工程")
    return TemplateResult(out, name, n_works, len(rows) - n_works)


# ----------------------------------------------------------------------------- import

def parse_report_date(value: object) -> dt.date:
    """A date cell of a progress sheet: :func:`citymap.history.parse_date`, Excel day
    numbers included (``2021-05-01``, ``2021/5/1``, ``2021.5.1``, ``2021年5月1日``, a
    spreadsheet date, or a day number such as 44317).

    Raises
    ------
    ValueError
        With the bad value.
    """
    return parse_date(value, serial=True)


def _percent(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return float(str(value).strip().rstrip("%％").strip())


def read_events(
    ws: Workspace,
    pf: ProgressFile,
    *,
    unit: str | None = None,
    today: dt.date | None = None,
) -> tuple[list[StatusEvent], list[tuple[str, str]], list[Problem]]:
    """Turn the rows of a progress file into status events, checking every row.

    A row is refused when its 编号 is unknown, its unit neither leads nor shares the work,
    新状态 is not a status (department words such as 完工 or 在建 are read through the
    status synonyms, :func:`citymap.io.intake.values.status_synonyms`), 日期 is missing,
    not a date, outside the plan's start … today or earlier than the last status of that id,
    完成百分比 is not a number in 0–100, or the same 编号 and 日期 appear twice in the file.

    Parameters
    ----------
    ws
        The workspace (its log is the one checked against).
    pf
        The rows read by :func:`citymap.io.xlsx.read_progress_file`.
    unit
        The reporting unit when the file has no 填报单位 column (or to confirm it).
    today
        The latest allowed date (default: today).

    Returns
    -------
    tuple
        ``(events, locations, problems)``: the events of the rows that could be read,
        their ``(where, item)``, and every problem (empty when the file may be imported).
    """
    from citymap.io.intake.values import status_synonyms

    today = today or dt.date.today()
    reg = ws.register
    ids = ids_of(ws)
    synonyms = status_synonyms(ws.root)  # 完工 → 已完成, as departments write it
    events: list[StatusEvent] = []
    locations: list[tuple[str, str]] = []
    problems: list[Problem] = []
    given_unit: str | None = None
    if unit is not None:
        given_unit = reporting_unit(reg, unit)
    unit_ok: dict[str, str | None] = {}
    for row in pf.rows:
        item = _("row {row}").format(row=row.row)

        def bad(key: str, msg: str, row: SheetRow = row, item: str = item) -> None:
            problems.append(Problem(row.where, item, row.label(key), msg))

        ident = row.text("id")
        status = row.text("status")
        status = synonyms.get(status, status) if status else status
        raw_unit = row.text("unit")
        name: str | None = None
        if raw_unit:
            if raw_unit not in unit_ok:
                try:
                    unit_ok[raw_unit] = reporting_unit(reg, raw_unit)
                except ValidationError as exc:
                    unit_ok[raw_unit] = None
                    bad("unit", exc.problems[0].message)
            name = unit_ok[raw_unit]
            if name is not None and given_unit is not None and name != given_unit:
                bad("unit", _("the row is reported by {name!r}, not by --unit {given_unit!r}")
                            .format(name=name, given_unit=given_unit))
                name = None
        elif given_unit is not None:
            name = given_unit
        else:
            bad("unit", _("is empty: give the reporting unit (the 填报单位 column or --unit)"))
        if not ident:
            bad("id", _("is empty: every row needs the id of a site or work"))
        elif ident in ids and name is not None and not may_report(reg, name, ids[ident]):
            works = "、".join(str(n) for n in ids[ident])
            bad("id", _("{name!r} neither leads nor shares work {works} of {ident!r}; the lead "
                        "unit reports it").format(name=name, works=works, ident=ident))
        if not status:
            bad("status", _("is empty: choose the new status from the drop-down"))
        date: dt.date | None = None
        raw_date = row.values.get("date")
        if raw_date is None or not row.text("date"):
            bad("date", _("is empty: give the date the new status holds from"))
        else:
            try:
                date = parse_report_date(raw_date)
            except ValueError as exc:
                bad("date", str(exc))
        percent: float | None = None
        raw_pct = row.values.get("percent")
        if raw_pct is not None and row.text("percent"):
            try:
                percent = _percent(raw_pct)
            except ValueError:
                bad("percent", _("{value!r} is not a number; write 0–100")
                               .format(value=row.text("percent")))
        if ident and status and date is not None:
            events.append(StatusEvent(date, ident, status, percent, row.text("note"),
                                      name or raw_unit or ""))
            locations.append((row.where, item))
        else:  # no event to check later: report the row's other problems now, all at once
            for field, msg in field_problems(ident, status, percent, known_ids=set(ids)):
                if (field == "id" and not ident) or (field == "status" and not status):
                    continue  # "is empty" was said above
                bad(field, msg)
    row_of = {(r.where, _("row {row}").format(row=r.row)): r for r in pf.rows}
    for p in check_events(ws.history, events, known_ids=set(ids), today=today,
                          first_date=ws.register.plan.start, locations=locations):
        found = row_of.get((p.where, p.item))
        problems.append(Problem(p.where, p.item, found.label(p.field) if found else p.field,
                                p.message))
    problems.sort(key=lambda p: (p.where, _row_number(p.item)))
    return events, locations, problems


def _row_number(item: str) -> int:
    m = re.search(r"\d+", item)
    return int(m.group()) if m else 0


@attrs.frozen
class ImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    path: Path
    rows: int
    skipped: int
    added: tuple[StatusEvent, ...]
    unchanged: tuple[StatusEvent, ...]
    dry_run: bool


def read_checked(ws: Workspace, path: str | Path, *, unit: str | None = None,
                 sheet: str | None = None, today: dt.date | None = None,
                 ) -> tuple[ProgressFile, list[StatusEvent], list[tuple[str, str]]]:
    """Read a filled progress file and check every row (:func:`read_events`).

    Returns
    -------
    tuple
        ``(file, events, locations)``.

    Raises
    ------
    ValidationError
        Listing every problem of the file (any problem refuses it whole).
    """
    pf = read_progress_file(path, sheet=sheet)
    events, locations, problems = read_events(ws, pf, unit=unit, today=today)
    if problems:
        raise ValidationError(problems)
    return pf, events, locations


def import_progress(
    ws: Workspace,
    path: str | Path,
    *,
    store: Store,
    unit: str | None = None,
    sheet: str | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Check a filled progress file and append its new statuses to the log.

    All or nothing: one problem in any row refuses the whole file
    (:class:`~citymap.errors.ValidationError` listing every problem with sheet, row,
    column and what is wrong) and the log is not touched. Rows already in the log add
    nothing, so importing the same file twice is harmless.

    Parameters
    ----------
    ws
        The workspace, as loaded from ``store``.
    path
        The ``.xlsx`` or ``.csv`` file.
    store
        Where the statuses are written (:meth:`~citymap.store.base.Store.append_events`).
    unit
        The reporting unit, when the file has no 填报单位 column (or to confirm it).
    sheet
        The sheet to read (default 进度填报, else the first).
    dry_run
        Check and report what would change; write nothing.
    today
        Latest allowed date (default: today).
    """
    today = today or dt.date.today()
    pf, events, locations = read_checked(ws, path, unit=unit, sheet=sheet, today=today)
    res: AppendResult = store.append_events(ws, events, locations=locations, today=today,
                                            dry_run=dry_run, action="progress import")
    return ImportResult(Path(path), len(pf.rows), pf.skipped, res.added, res.unchanged,
                        dry_run)


def set_status(
    ws: Workspace,
    ident: str,
    status: str,
    date: dt.date,
    *,
    store: Store,
    percent: float | None = None,
    note: str = "",
    unit: str | None = None,
    today: dt.date | None = None,
    dry_run: bool = False,
) -> AppendResult:
    """Record one status of a site or work (``citymap status set``) in ``store``.

    With ``unit``, the unit must lead or share the work (as in an import). ``ws`` is the
    workspace as loaded from ``store``.

    Raises
    ------
    ValidationError
        With every problem; nothing is written.
    """
    event, problems = status_event(ws, ident, status, date, percent=percent, note=note,
                                   unit=unit)
    ids = set(ids_of(ws))
    loc = [("status set", event.id)]
    first = ws.register.plan.start
    problems += check_events(ws.history, [event], known_ids=ids, today=today, first_date=first,
                             locations=loc)
    if problems:
        raise ValidationError(problems)
    return store.append_events(ws, [event], locations=loc, today=today, dry_run=dry_run)


def status_event(ws: Workspace, ident: str, status: str, date: dt.date, *,
                 percent: float | None = None, note: str = "",
                 unit: str | None = None) -> tuple[StatusEvent, list[Problem]]:
    """The event of ``citymap status set``, and whether ``unit`` may report it.

    Used by :func:`set_status` (whichever store it writes to), so that it applies the same
    rule as a progress sheet: the unit must lead or share the work of ``ident``. Without
    ``unit`` the event is refused when the register declares who reports that work (its
    lead and responsible units; the message names them); only an id whose works declare
    no unit may be recorded without one.
    """
    ids = ids_of(ws)
    ident = ident.strip()
    problems: list[Problem] = []
    name = ""
    if unit:
        name = reporting_unit(ws.register, unit)
        if ident in ids and not may_report(ws.register, name, ids[ident]):
            works = "、".join(str(n) for n in ids[ident])
            problems.append(Problem("status set", ident, "unit", _(
                "{name!r} neither leads nor shares work {works} of {ident!r}")
                .format(name=name, works=works, ident=ident)))
    elif ident in ids:
        declared = reporters_of(ws.register, ids[ident])
        if declared:
            works = "、".join(str(n) for n in ids[ident])
            problems.append(Problem("status set", ident, "--unit", _(
                "is missing: say which unit reports; work {works} of {ident!r} is reported by "
                "{declared} (--unit NAME)").format(works=works, ident=ident,
                                                   declared="、".join(declared))))
    return StatusEvent(date, ident, status, percent, note, name), problems


def reporters_of(register: Register, works: Iterable[int]) -> tuple[str, ...]:
    """The units the register names for ``works`` (lead units first), who may report them
    (the collective partner of every work left out; canonical names).
    """
    common = {register.canonical_unit(u) for u in register.plan.partner_units_of_every_work}
    out: dict[str, None] = {}
    for n in works:
        try:
            w = register.work(n)
        except KeyError:
            continue
        for u in register.units_of(w, with_common=False):
            if register.canonical_unit(u) not in common:
                out[register.canonical_unit(u)] = None
    return tuple(out)


# ----------------------------------------------------------------------------- overdue

@attrs.frozen
class OverdueItem:
    """One line of the overdue list: a work, target or site behind, under a lead unit.

    Attributes
    ----------
    unit
        The lead unit (a work with several lead units is listed under each).
    work, work_name
        The work.
    kind
        ``"工程"`` (work), ``"目标"`` (target) or ``"点位"`` (site).
    id, name
        What is behind.
    due
        Its deadline (``None`` when a unit reported it 滞后 without one having passed).
    status
        Its status on the date.
    days_late
        Days from ``due`` to the date asked (0 when not yet due).
    """

    unit: str
    work: int
    work_name: str
    kind: str
    id: str
    name: str
    due: dt.date | None
    status: str
    days_late: int

    def as_dict(self) -> dict[str, object]:
        """The item as JSON-friendly values."""
        d = attrs.asdict(self)
        d["due"] = self.due.isoformat() if self.due else None
        return d


def overdue_items(ws: Workspace, as_of: dt.date, *,
                  unit: str | None = None) -> list[OverdueItem]:
    """Works, targets and sites behind on ``as_of``, by lead unit (the 督导 list).

    A work is listed when its status on ``as_of`` is 滞后 (set or derived, see
    :func:`citymap.derived.work_state`); under it, its targets past their deadline whose
    sites are not all done, and its sites whose planned year has ended (on the date) and
    that are not done, or that were reported 滞后. Sites are listed even when the work's
    own status was set otherwise (unless set 已完成). The list comes from
    :meth:`Workspace.status_as_of` (one status per date for every view).

    Parameters
    ----------
    ws
        The workspace.
    as_of
        The date of the meeting.
    unit
        Only the works this unit leads.
    """
    items = ws.status_as_of(as_of).overdue
    if not unit:
        return list(items)
    want = ws.register.canonical_unit(unit)
    return [i for i in items if i.unit == want]


def overdue_from(ws: SiteSource, as_of: dt.date, sites: pd.DataFrame,
                 states: Mapping[int, WorkState]) -> list[OverdueItem]:
    """The overdue list of every lead unit from the sites' and works' status on ``as_of``.

    ``sites`` is :func:`citymap.derived.site_statuses` and ``states``
    :func:`citymap.derived.work_states` of that day (see :func:`overdue_items`).
    """
    by_id = {str(r.id): r for r in sites.itertuples()} if len(sites) else {}
    behind_ids = set(sites.loc[sites["overdue"] | (sites["status"] == BEHIND), "id"].astype(
        str)) if len(sites) else set()
    targets = {t.id: t for t in ws.register.targets}
    out: list[OverdueItem] = []

    def late(due: dt.date | None) -> int:
        return max((as_of - due).days, 0) if due else 0

    for w in ws.register.works:
        st = states[w.number]
        if st.status == DONE:
            continue
        own_behind = [i for i in by_id if i in behind_ids
                      and w.number in parse_works(by_id[i].works)]
        if st.status != BEHIND and not own_behind:
            continue
        lines: list[tuple[str, str, str, dt.date | None, str]] = []
        if st.status == BEHIND:
            lines.append(("工程", str(w.number), w.name, st.due, st.status))
        for tid in st.missed_targets:
            t = targets[tid]
            lines.append(("目标", tid, t.name, t.deadline, BEHIND))
        for sid in sorted(own_behind, key=lambda i: (int(by_id[i].year), i)):
            r = by_id[sid]
            due = dt.date(int(r.year), 12, 31)
            lines.append(("点位", sid, str(r.name), due if due <= as_of else None,
                          str(r.status)))
        for lead in dict.fromkeys(ws.register.canonical_unit(u) for u in w.lead_units):
            out.extend(OverdueItem(lead, w.number, w.name, kind, ident, name, due, status,
                                   late(due)) for kind, ident, name, due, status in lines)
    order = {"工程": 0, "目标": 1, "点位": 2}
    units = {u: i for i, u in enumerate(dict.fromkeys(i.unit for i in out))}
    out.sort(key=lambda i: (units[i.unit], i.work, order[i.kind]))
    return out


def summarize(items: Sequence[OverdueItem]) -> dict[str, dict[str, int]]:
    """Per lead unit: how many works, targets and sites are behind."""
    out: dict[str, dict[str, int]] = {}
    for i in items:
        d = out.setdefault(i.unit, {"工程": 0, "目标": 0, "点位": 0})
        d[i.kind] += 1
    return out
