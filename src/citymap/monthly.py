"""The monthly 通报: what changed in one month, the status at its end, and what is late.

Built from the accepted records only (today: the status log) and rendered into the
annual report's page (:func:`citymap.report.render_report` with ``month=``): the report's
targets and charts as of the month's last day, and before them the month's own sections.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from citymap.errors import Problem, ValidationError
from citymap.i18n import N_, _, get_lang
from citymap.remind.messages import KINDS
from citymap.supervise import DayStatus
from citymap.vocab import SITE_STATUSES, WORK_STATUSES, label
from citymap.workspace import Workspace

#: The month of a monthly bulletin, as its title and sections name it.
MONTH_LABEL = N_("{year}-{month:02d}")

__all__ = ["parse_month", "month_end", "month_events", "month_context"]


def parse_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` → (year, month).

    Raises
    ------
    ValidationError
        If it is not a month.
    """
    try:
        y, m = (int(p) for p in text.strip().split("-"))
        dt.date(y, m, 1)
    except ValueError:
        raise ValidationError([Problem("--month", "", "", f"{text!r} is not a month; "
                                       "write it YYYY-MM, e.g. 2021-12")]) from None
    return y, m


def month_end(year: int, month: int) -> dt.date:
    """The month's last day."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def month_events(ws: Workspace, year: int, month: int) -> list[dict[str, Any]]:
    """Every event of the status log dated in the month, by date then record time."""
    names = {str(w.number): w.name for w in ws.register.works}
    for gdf in ws.data.values():
        if "id" in gdf.columns and "name" in gdf.columns:
            names.update(zip(gdf["id"].astype(str), gdf["name"].astype(str), strict=True))
    evs = sorted((e for e in ws.history.events
                  if e.date.year == year and e.date.month == month),
                 key=lambda e: (e.date, e.recorded_at, e.id))
    return [{"date": e.date.isoformat(), "id": e.id, "name": names.get(e.id, ""),
             "status": label(e.status, get_lang()),
             "percent": "" if e.percent is None else f"{e.percent:g}",
             "unit": e.unit, "note": e.note} for e in evs]


def month_context(ws: Workspace, st: DayStatus, year: int, month: int) -> dict[str, Any]:
    """The month's sections of the report: events, status at month end, late items."""
    sites = st.sites
    col = sites["status"].astype(str) if len(sites) else None
    lang = get_lang()
    site_counts = [(label(s, lang), int((col == s).sum()) if col is not None else 0)
                   for s in SITE_STATUSES]
    work_counts = [(label(s, lang), sum(1 for w in st.works.values() if w.status == s))
                   for s in WORK_STATUSES]
    late = [{"unit": i.unit, "work": i.work, "work_name": i.work_name,
             "kind": _(KINDS[i.kind]) if i.kind in KINDS else i.kind,
             "id": i.id, "name": i.name, "due": i.due.isoformat() if i.due else "—",
             "status": label(i.status, lang), "days": i.days_late} for i in st.overdue]
    return {"label": _(MONTH_LABEL).format(year=year, month=month),
            "key": f"{year:04d}-{month:02d}",
            "end": st.date.isoformat(), "events": month_events(ws, year, month),
            "site_counts": site_counts, "work_counts": [c for c in work_counts if c[1]],
            "late": late}
