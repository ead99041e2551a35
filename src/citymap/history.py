"""The status history: an append-only log of status events, and status "as of" a date.

``geo/status_log.csv`` holds one event per row (``date,id,status,percent,note,unit,
recorded_at``). The status of a site on a date is its latest event on or before that
date; without one, the ``status``/``status_date`` recorded on the feature when that date is
not before ``status_date``; otherwise 未开始.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from pathlib import Path

import attrs
import numpy as np
import pandas as pd

from citymap.errors import Problem, ValidationError
from citymap.vocab import SITE_STATUSES

__all__ = ["LOG_COLUMNS", "StatusEvent", "StatusLog", "read_status_log", "parse_date"]

LOG_COLUMNS = ("date", "id", "status", "percent", "note", "unit", "recorded_at")


def parse_date(value: object) -> dt.date:
    """Parse ``YYYY-MM-DD`` (a date or date-time string, or a date) into a date.

    Raises
    ------
    ValueError
        With the bad value.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD") from None


@attrs.frozen
class StatusEvent:
    """One row of the status log."""

    date: dt.date
    id: str
    status: str
    percent: float | None = None
    note: str = ""
    unit: str = ""
    recorded_at: str = ""

    def as_row(self) -> dict[str, str]:
        """The event as CSV cells."""
        pct = "" if self.percent is None else f"{self.percent:g}"
        return {"date": self.date.isoformat(), "id": self.id, "status": self.status,
                "percent": pct, "note": self.note, "unit": self.unit,
                "recorded_at": self.recorded_at}


@attrs.frozen
class StatusLog:
    """All status events, in file order (the log is append-only)."""

    events: tuple[StatusEvent, ...] = ()

    def __len__(self) -> int:
        return len(self.events)

    def for_id(self, ident: str) -> tuple[StatusEvent, ...]:
        """The events of one site or work, oldest first."""
        return tuple(sorted((e for e in self.events if e.id == ident),
                            key=lambda e: (e.date, e.recorded_at)))

    def last_date(self, ident: str) -> dt.date | None:
        """Date of the latest event of ``ident``, if any."""
        evs = self.for_id(ident)
        return evs[-1].date if evs else None

    def latest(self, as_of: dt.date) -> dict[str, StatusEvent]:
        """The latest event on or before ``as_of`` of every id that has one."""
        out: dict[str, StatusEvent] = {}
        for e in sorted(self.events, key=lambda e: (e.date, e.recorded_at)):
            if e.date <= as_of:
                out[e.id] = e
        return out

    def status_on(
        self,
        sites: pd.DataFrame,
        as_of: dt.date,
    ) -> pd.DataFrame:
        """Status and status date of every site on ``as_of``.

        Parameters
        ----------
        sites
            A frame with ``id``, ``status`` and ``status_date`` columns (a site layer).
        as_of
            The day asked for.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``sites`` with columns ``status``, ``status_date`` (ISO text) and
            ``percent`` (float, NaN where unknown).
        """
        latest = self.latest(as_of)
        status, date, pct = [], [], []
        for ident, st, sd in zip(sites["id"], sites["status"], sites["status_date"],
                                 strict=True):
            ev = latest.get(str(ident))
            if ev is not None:
                status.append(ev.status)
                date.append(ev.date.isoformat())
                pct.append(np.nan if ev.percent is None else ev.percent)
                continue
            try:
                base = parse_date(sd)
            except ValueError:
                base = None
            if base is not None and base <= as_of:
                status.append(str(st))
                date.append(base.isoformat())
            else:
                status.append("未开始")
                date.append("")
            pct.append(np.nan)
        return pd.DataFrame({"status": status, "status_date": date, "percent": pct},
                            index=sites.index)

    def with_events(self, events: Iterable[StatusEvent]) -> StatusLog:
        """A new log with ``events`` appended."""
        return StatusLog(self.events + tuple(events))


def _parse_rows(rows: Iterable[Mapping[str, str]], shown: str, *, known_ids: set[str] | None,
                today: dt.date, first_line: int = 2) -> tuple[list[StatusEvent], list[Problem]]:
    events: list[StatusEvent] = []
    problems: list[Problem] = []
    for n, row in enumerate(rows, start=first_line):
        item = f"row {n}"

        def bad(field: str, msg: str, item: str = item) -> None:
            problems.append(Problem(shown, item, field, msg))

        ident = (row.get("id") or "").strip()
        if not ident:
            bad("id", "is empty: give a site id or a work number")
        elif known_ids is not None and ident not in known_ids:
            bad("id", f"unknown site or work {ident!r}")
        status = (row.get("status") or "").strip()
        if status not in SITE_STATUSES:
            bad("status", f"unknown status {status!r}; use one of {', '.join(SITE_STATUSES)}")
        try:
            date = parse_date(row.get("date") or "")
            if date < dt.date(2020, 1, 1) or date > today:
                bad("date", f"{date.isoformat()!r} is outside 2020-01-01 … {today.isoformat()}")
        except ValueError as exc:
            bad("date", str(exc))
            date = None
        pct_text = (row.get("percent") or "").strip()
        percent: float | None = None
        if pct_text:
            try:
                percent = float(pct_text.rstrip("%"))
                if not 0 <= percent <= 100:
                    bad("percent", f"{pct_text!r} is outside 0–100")
            except ValueError:
                bad("percent", f"{pct_text!r} is not a number")
        if date is not None and ident and status in SITE_STATUSES:
            events.append(StatusEvent(date, ident, status, percent, (row.get("note") or ""),
                                      (row.get("unit") or "").strip(),
                                      (row.get("recorded_at") or "").strip()))
    return events, problems


def read_status_log(
    path: str | Path,
    *,
    shown: str | None = None,
    known_ids: set[str] | None = None,
    today: dt.date | None = None,
    problems: list[Problem] | None = None,
) -> StatusLog:
    """Read and check ``status_log.csv``; a missing file is an empty log.

    Parameters
    ----------
    path
        The CSV file.
    shown
        Its name in messages.
    known_ids
        Site ids and work numbers (as text) that events may name.
    today
        Latest allowed date (default: today).
    problems
        Where to add problems; when ``None`` they are raised as one
        :class:`~citymap.errors.ValidationError`.
    """
    path = Path(path)
    shown = shown or str(path)
    today = today or dt.date.today()
    if not path.exists():
        return StatusLog()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        err = [Problem(shown, "", "", "is not UTF-8: save it as UTF-8 CSV")]
        if problems is None:
            raise ValidationError(err) from None
        problems.extend(err)
        return StatusLog()
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("date", "id", "status") if c not in (reader.fieldnames or [])]
    if missing:
        err = [Problem(shown, "row 1", ", ".join(missing), "missing column(s); the header is "
                       + ",".join(LOG_COLUMNS))]
        if problems is None:
            raise ValidationError(err)
        problems.extend(err)
        return StatusLog()
    events, found = _parse_rows(reader, shown, known_ids=known_ids, today=today)
    if found:
        if problems is None:
            raise ValidationError(found)
        problems.extend(found)
    return StatusLog(tuple(events))
