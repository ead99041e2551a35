"""督办: what is behind on a date, against its deadline and against the schedule (序时进度).

Pure computation from the status on a date; no IO. ``citymap remind`` (``citymap.notify``)
sends what :func:`reminders` returns.

Two ways of being behind (docs/progress.md):

- **逾期 (past the deadline)**: the overdue list of the date (``citymap overdue``): a work
  whose status is 滞后, its targets past their deadline with sites not all done, its sites
  whose planned year has ended and that are not done (or reported 滞后). Days late are
  counted from the deadline.
- **落后序时进度 (behind the schedule)**: the expected share done by the date grows linearly
  over the item's planned period — a site's planned year (1 January … 31 December), a
  target's years (1 January of ``start_year`` … 31 December of ``year``; the plan's phases
  are year-long, so the target's years are its phase). Expected = days elapsed (the date
  included) / days of the period. Done share: a site's reported percent (已完成 = 100 %,
  unknown = 0); a target's mean over the sites it counts. An item not yet past its deadline
  is behind the schedule when its done share is more than ``margin`` percentage points
  below the expected share; its *days behind* are the days of its period the gap
  represents, ``ceil((expected - done) × days of the period)``.

Escalation: days late (逾期) or days behind (序时) of ``level2_after_days`` or more make an
item level 2 (its unit's 分管 leader is told too), of ``level3_after_days`` or more level 3
(the county's lead too). Everything else behind is level 1 (the unit).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import attrs

from citymap.state import StatusAsOf
from citymap.vocab import DONE
from citymap.workspace import Workspace

__all__ = ["DayStatus", "RemindItem", "day_status", "schedule_share", "reminders", "levels"]

LATE = "逾期"
SCHEDULE = "序时"


#: Every site's and work's status on one day: :class:`citymap.state.StatusAsOf`.
DayStatus = StatusAsOf


def day_status(ws: Workspace, day: dt.date) -> DayStatus:
    """The status on ``day``: :meth:`Workspace.status_as_of` (computed once per day)."""
    return ws.status_as_of(day)


def schedule_share(start: dt.date, end: dt.date, day: dt.date) -> float:
    """The expected share done on ``day`` (its end) of a period ``start`` … ``end``.

    0 before ``start``, 1 from ``end`` on, linear in days between.

    Examples
    --------
    >>> schedule_share(dt.date(2022, 1, 1), dt.date(2022, 12, 31), dt.date(2022, 7, 2))
    0.5
    """
    total = (end - start).days + 1
    done = (day - start).days + 1
    return min(max(done / total, 0.0), 1.0)


@attrs.frozen
class RemindItem:
    """One thing behind, under one lead unit.

    Attributes
    ----------
    unit, work, work_name
        The lead unit and the work.
    kind
        ``"工程"``, ``"目标"`` or ``"点位"``.
    id, name
        What is behind.
    reason
        ``"逾期"`` (past its deadline) or ``"序时"`` (behind the schedule).
    days
        Days late (逾期) or days behind the schedule (序时).
    level
        1, 2 or 3.
    due
        The deadline.
    expected, done
        Expected and done share in percent (序时), else ``None``.
    """

    unit: str
    work: int
    work_name: str
    kind: str
    id: str
    name: str
    reason: str
    days: int
    level: int
    due: dt.date | None = None
    expected: float | None = None
    done: float | None = None

    @property
    def key(self) -> str:
        """What the item is, for the send log: ``kind:id:reason``."""
        return f"{self.kind}:{self.id}:{self.reason}"


def level_of(days: int, *, level2_after_days: int, level3_after_days: int) -> int:
    """The escalation level of an item ``days`` late or behind."""
    if days >= level3_after_days:
        return 3
    return 2 if days >= level2_after_days else 1


def _site_done(status: str, percent: float) -> float:
    if status == DONE:
        return 1.0
    return 0.0 if percent is None or math.isnan(percent) else percent / 100.0


def _schedule_lines(ws: Workspace, st: DayStatus, margin: float
                    ) -> list[tuple[int, str, str, str, dt.date, float, float, int]]:
    """(work, kind, id, name, due, expected, done, days) of what is behind the schedule."""
    from citymap.derived import _target_sites

    day = st.date
    out: list[tuple[int, str, str, str, dt.date, float, float, int]] = []

    def check(work: int, kind: str, ident: str, name: str, start: dt.date, end: dt.date,
              done: float) -> None:
        if not start <= day < end:
            return
        expected = schedule_share(start, end, day)
        if done * 100 < expected * 100 - margin:
            days = math.ceil(round((expected - done) * ((end - start).days + 1), 6))
            out.append((work, kind, ident, name, end, expected * 100, done * 100, days))

    sites = st.sites
    for w in ws.register.works:
        if st.works[w.number].status == DONE:
            continue
        for t in w.targets:
            counted = _target_sites(ws, t, sites) if len(sites) else sites
            if not len(counted):
                continue
            shares = [_site_done(str(s), float(p)) for s, p in
                      zip(counted["status"], counted["percent"], strict=True)]
            check(w.number, "目标", t.id, t.name, dt.date(t.start_year, 1, 1), t.deadline,
                  sum(shares) / len(shares))
    if len(sites):
        from citymap.sites import parse_works

        for r in sites.itertuples():
            if str(r.status) == DONE:
                continue
            year = int(r.year)
            for num in parse_works(r.works):
                if num in st.works and st.works[num].status != DONE:
                    check(num, "点位", str(r.id), str(r.name), dt.date(year, 1, 1),
                          dt.date(year, 12, 31), _site_done(str(r.status), float(r.percent)))
    return out


def reminders(ws: Workspace, st: DayStatus, *, level2_after_days: int = 15,
              level3_after_days: int = 30, margin: float = 10.0) -> list[RemindItem]:
    """Everything behind on ``st.date``, by lead unit, with its escalation level.

    Parameters
    ----------
    ws
        The workspace.
    st
        The status on the day (:func:`day_status`).
    level2_after_days, level3_after_days
        Days late or behind from which an item is level 2 / level 3.
    margin
        Percentage points below the expected share tolerated before an item is behind the
        schedule.

    Returns
    -------
    list of RemindItem
        Past-deadline items in the overdue list's order, then behind-schedule items;
        ordered by unit, work, kind.
    """
    def lvl(days: int) -> int:
        return level_of(days, level2_after_days=level2_after_days,
                        level3_after_days=level3_after_days)

    out = [RemindItem(i.unit, i.work, i.work_name, i.kind, i.id, i.name, LATE, i.days_late,
                      lvl(i.days_late), i.due) for i in st.overdue]
    listed = {(i.unit, i.id) for i in out}
    for work, kind, ident, name, due, expected, done, days in _schedule_lines(ws, st, margin):
        w = ws.register.work(work)
        for lead in dict.fromkeys(ws.register.canonical_unit(u) for u in w.lead_units):
            if (lead, ident) in listed:
                continue
            listed.add((lead, ident))
            out.append(RemindItem(lead, work, w.name, kind, ident, name, SCHEDULE, days,
                                  lvl(days), due, round(expected, 1), round(done, 1)))
    units = {u: i for i, u in enumerate(dict.fromkeys(i.unit for i in out))}
    order = {"工程": 0, "目标": 1, "点位": 2}
    out.sort(key=lambda i: (units[i.unit], i.work, order[i.kind], i.reason != LATE))
    return out


def levels(items: Sequence[RemindItem]) -> dict[int, list[RemindItem]]:
    """Items by level (1, 2, 3; every level present)."""
    return {lv: [i for i in items if i.level == lv] for lv in (1, 2, 3)}
