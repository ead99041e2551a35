"""The map's time axis: the dates it offers and the status log it carries to replay them.

A map offers the end of every month of the plan's years (the slider), with the end of
every plan year and today as quick positions (:func:`date_options`). The statuses of the
sites on all those dates travel as the status *events* of each site (:func:`site_events`),
not as a copy per date: the script replays them (the status on a day is that of the last
event on or before it), exactly as :meth:`citymap.history.StatusLog.status_on` reads the
log. The works' own events travel the same way (:func:`work_events`), so that the script
can tell which late sites the overdue list shows (a site is listed only under a work that
is not done).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from citymap.history import StatusEvent, parse_date
from citymap.i18n import N_, tr
from citymap.render.encoding import delta, encode_ints
from citymap.sites import parse_works
from citymap.vocab import DONE, SITE_STATUSES
from citymap.workspace import Workspace

__all__ = ["EPOCH", "DateOption", "date_options", "day_number", "site_events", "work_events",
           "works_groups", "due_days", "sorted_events"]

#: Day 0 of the day numbers in the map's data.
EPOCH = dt.date(2000, 1, 1)
#: A month of the time axis, by month number − 1.
_MONTHS = (N_("Jan {year}"), N_("Feb {year}"), N_("Mar {year}"), N_("Apr {year}"),
           N_("May {year}"), N_("Jun {year}"), N_("Jul {year}"), N_("Aug {year}"),
           N_("Sep {year}"), N_("Oct {year}"), N_("Nov {year}"), N_("Dec {year}"))


@attrs.frozen
class DateOption:
    """One position of the time axis.

    Attributes
    ----------
    date
        The day (its end).
    label
        What the page shows (``2021年底``, ``2021年6月``, ``今天 (…)``).
    quick
        A quick position (end of a plan year, today, the date asked) besides the slider.
    """

    date: dt.date
    label: str
    quick: bool = True


def day_number(day: dt.date) -> int:
    """Days since :data:`EPOCH`."""
    return (day - EPOCH).days


def _month_label(day: dt.date, lang: str) -> str:
    return tr(_MONTHS[day.month - 1], lang).format(year=day.year)


def date_options(as_of: dt.date | None, today: dt.date, lang: str = "zh",
                 years: Sequence[int] = (2020, 2021, 2022), *,
                 months: bool = False) -> tuple[tuple[DateOption, ...], int]:
    """The time axis: the end of every plan year, today, ``as_of``; with ``months`` every month.

    Returns
    -------
    options, selected
        The positions in date order and the index of ``as_of`` (else today).
    """
    found: dict[dt.date, DateOption] = {}
    if months:
        for y in years:
            for m in range(1, 13):
                d = dt.date(y, m, calendar.monthrange(y, m)[1])
                found[d] = DateOption(d, _month_label(d, lang), quick=False)
    for y in years:
        d = dt.date(y, 12, 31)
        found[d] = DateOption(d, tr("end of {year}", lang).format(year=y))
    found[today] = DateOption(today, tr("today ({date})", lang).format(date=today.isoformat()))
    if as_of is not None and as_of not in found:
        found[as_of] = DateOption(as_of, as_of.isoformat())
    opts = tuple(found[d] for d in sorted(found))
    want = as_of or today
    return opts, [o.date for o in opts].index(want)


def _code(status: str) -> int:
    try:
        return SITE_STATUSES.index(status)
    except ValueError:
        return 0


def sorted_events(ws: Workspace) -> dict[str, list[StatusEvent]]:
    """The log's events by id, each oldest first (date, then time recorded)."""
    by_id: dict[str, list[StatusEvent]] = {}
    for e in sorted(ws.history.events, key=lambda e: (e.date, e.recorded_at)):
        by_id.setdefault(e.id, []).append(e)
    return by_id


def site_events(ws: Workspace, gdf: pd.DataFrame,
                events: dict[str, list[StatusEvent]] | None = None) -> dict[str, Any]:
    """The status events of every site of ``gdf`` (a layer's rows), compactly.

    The register's status counts as an event on its ``status_date`` when that is before
    the site's first logged event (later, a logged event always wins, as in
    :meth:`~citymap.history.StatusLog.status_on`); before the first event a site is 未开始.

    Returns
    -------
    dict
        ``n``: events per site; ``day``: their day numbers (delta-coded over the layer);
        ``code``: their status codes (one digit each, index into the statuses).
    """
    events = sorted_events(ws) if events is None else events
    counts: list[int] = []
    days: list[int] = []
    codes: list[str] = []
    for ident, st, sd in zip(gdf["id"], gdf["status"], gdf["status_date"], strict=True):
        logged = events.get(str(ident), [])
        try:
            base: dt.date | None = parse_date(sd)
        except ValueError:
            base = None
        k = 0
        if base is not None and (not logged or base < logged[0].date):
            days.append(day_number(base))
            codes.append(str(_code(str(st))))
            k += 1
        for e in logged:
            days.append(day_number(e.date))
            codes.append(str(_code(e.status)))
            k += 1
        counts.append(k)
    arr = np.asarray(days, dtype=np.int64)
    return {"n": encode_ints(counts), "day": encode_ints(delta(arr)), "code": "".join(codes)}


def work_events(ws: Workspace, numbers: Sequence[int],
                events: dict[str, list[StatusEvent]] | None = None) -> dict[str, Any]:
    """Per work: ``done`` events ``[[day, 1|0], …]`` set for the work itself, and ``fixed``.

    ``fixed`` is 1 when the work keeps its register status (plan-only, or no site) and that
    status is 已完成, 0 when it keeps another, ``None`` when its status derives from its sites.
    """
    events = sorted_events(ws) if events is None else events
    sites = ws.sites()
    with_sites: set[int] = set()
    for v in sites["works"] if len(sites) else ():
        with_sites.update(parse_works(v))
    out: dict[str, Any] = {}
    for n in numbers:
        try:
            w = ws.register.work(n)
        except KeyError:
            continue
        evs = [[day_number(e.date), int(e.status == DONE)]
               for e in events.get(str(n), [])]
        fixed = int(w.status == DONE) if (w.plan_only or n not in with_sites) \
            else None
        out[str(n)] = {"ev": evs, "fixed": fixed}
    return out


def works_groups(values: pd.Series) -> tuple[list[list[int]], npt.NDArray[np.int64]]:
    """The work numbers of every site as groups: ``groups[index[i]]`` are site ``i``'s works."""
    table: dict[tuple[int, ...], int] = {}
    index = np.empty(len(values), dtype=np.int64)
    for k, v in enumerate(values):
        key = parse_works(v)
        index[k] = table.setdefault(key, len(table))
    return [list(g) for g in table], index


def due_days(years: pd.Series) -> npt.NDArray[np.int64]:
    """Day number of 31 December of every site's planned year (its deadline)."""
    return np.asarray([day_number(dt.date(int(y), 12, 31)) for y in years], dtype=np.int64)
