"""The status history: the append-only log of status events, pure.

``geo/status_log.csv`` holds one event per row (``date,id,status,percent,note,unit,
recorded_at``). This module is the log's model: :class:`StatusEvent`, :class:`StatusLog`
(status "as of" a date), the one date parser (:func:`parse_date`), reading and checking
log text (:func:`read_status_log`, :func:`split_log`, :func:`check_events`) and what makes
two events the same (:func:`event_key`, :func:`split_new`).

The status of a site on a date is its latest event on or before that date; without one,
the ``status``/``status_date`` recorded on the feature when that date is not before
``status_date``; otherwise 未开始. Derived states (the overdue flag, a work's status) are
in :mod:`citymap.derived`; writing the log is the store's (:mod:`citymap.store.folder`,
:mod:`citymap.store.postgis`).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import attrs
import numpy as np
import pandas as pd

from citymap.errors import Problem, ValidationError
from citymap.i18n import N_, _
from citymap.io.csvsafe import unescape_cell
from citymap.limits import (
    MAX_NOTE_CHARS,
    MAX_TEXT_CHARS,
    id_problem,
    read_bounded,
    text_problem,
)
from citymap.vocab import NOT_STARTED, PLAN_YEARS, SITE_STATUSES

__all__ = [
    "LOG_COLUMNS",
    "FIRST_DATE",
    "StatusEvent",
    "StatusLog",
    "AppendResult",
    "read_status_log",
    "parse_date",
    "EXCEL_EPOCH",
    "event_key",
    "check_events",
    "field_problems",
    "split_new",
    "now_stamp",
]

#: The earliest date a status may have when no plan is given: the first day of the default
#: plan (:data:`citymap.vocab.PLAN_YEARS`). A workspace passes its plan's ``start``.
FIRST_DATE = dt.date(PLAN_YEARS[0], 1, 1)

LOG_COLUMNS = ("date", "id", "status", "percent", "note", "unit", "recorded_at")


#: Day 0 of Excel's (1900) date system: serial 1 is 1900-01-01 counting Lotus' 1900-02-29.
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: Excel serial numbers accepted as dates: 2000-01-01 … 2064-03-10.
_SERIALS = (36526, 60000)
_SEP_DATE = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
_ZH_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                           r"(Z|[+-]\d{2}:?\d{2})?")
_DATE_FORMS = N_("YYYY-MM-DD (also 2021/5/1, 2021.05.01 or 2021年5月1日)")


def parse_date(value: object, *, serial: bool = False,
               epoch: dt.date = EXCEL_EPOCH) -> dt.date:
    """Parse a date as people write it — the one date parser of every entry point.

    Accepted: a :class:`datetime.date` or :class:`datetime.datetime` (also
    ``pandas.Timestamp``: its day); text ``2021-11-30``, ``2021/11/30``, ``2021/5/1``,
    ``2021.05.01``, ``2021-5-1`` (one separator throughout), ``2021年11月30日``,
    ``2021年5月1日``, an ISO date-time ``2021-11-30T08:00:00`` (its day); full-width digits
    are read as digits. With ``serial``, also an Excel serial day number (a number, not
    text) between 36526 (2000-01-01) and 60000, counted from ``epoch``.

    Parameters
    ----------
    value
        The value to read.
    serial
        True where the caller knows the value is a spreadsheet cell that may hold a day
        number.
    epoch
        Day 0 of the workbook's date system (1899-12-30; 1904-01-01 for the 1904 system).

    Raises
    ------
    ValueError
        Naming the bad value and the forms accepted.
    """
    if value is pd.NaT:  # a datetime subclass: no day
        raise ValueError(_("{value!r} is not a date: write {forms}")
                         .format(value=value, forms=_(_DATE_FORMS)))
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if serial and math.isfinite(value) and _SERIALS[0] <= value < _SERIALS[1]:
            return epoch + dt.timedelta(days=int(value))
        if serial:
            raise ValueError(_("{value!r} is not a date (a spreadsheet day number must lie in "
                               "{lo}–{hi}): write {forms}")
                             .format(value=value, lo=_SERIALS[0], hi=_SERIALS[1] - 1,
                                     forms=_(_DATE_FORMS)))
        raise ValueError(_("{value!r} is not a date: write {forms}")
                         .format(value=value, forms=_(_DATE_FORMS)))
    if not isinstance(value, str):
        raise ValueError(_("{value!r} is not a date: write {forms}")
                         .format(value=value, forms=_(_DATE_FORMS)))
    text = unicodedata.normalize("NFKC", value).strip()
    m = _SEP_DATE.fullmatch(text) or _ZH_DATE.fullmatch(text)
    if m is not None:
        y, mo, d = (int(g) for g in m.groups() if g and g.isdigit())
        try:
            return dt.date(y, mo, d)
        except ValueError:
            raise ValueError(_("{value!r} is not a date: there is no day {day} in month {month} "
                               "of {year}").format(value=value, day=d, month=mo, year=y)) from None
    if _ISO_DATETIME.fullmatch(text):
        try:
            return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            pass
    shown = value if len(value) <= 60 else value[:57] + "…"
    raise ValueError(_("{value!r} is not a date: write {forms}")
                     .format(value=shown, forms=_(_DATE_FORMS)))


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
    """All status events, in file order (the log is append-only).

    The events are sorted and indexed once, on first use: by date (for the latest event of
    every id on a date, kept per date asked) and by id. A build asks the same few dates
    hundreds of times, so each query after the first of its date is a lookup.
    """

    events: tuple[StatusEvent, ...] = ()
    _memo: dict[object, object] = attrs.field(factory=dict, init=False, eq=False, repr=False)

    def __len__(self) -> int:
        return len(self.events)

    def _sorted(self) -> tuple[list[StatusEvent], list[dt.date]]:
        """The events oldest first (date, then recorded_at) and their dates."""
        got = self._memo.get("sorted")
        if got is None:
            evs = sorted(self.events, key=lambda e: (e.date, e.recorded_at))
            got = (evs, [e.date for e in evs])
            self._memo["sorted"] = got
        return got  # type: ignore[return-value]

    def for_id(self, ident: str) -> tuple[StatusEvent, ...]:
        """The events of one site or work, oldest first."""
        by_id = self._memo.get("by_id")
        if by_id is None:
            index: dict[str, list[StatusEvent]] = {}
            for e in self._sorted()[0]:
                index.setdefault(e.id, []).append(e)
            by_id = {k: tuple(v) for k, v in index.items()}
            self._memo["by_id"] = by_id
        return by_id.get(ident, ())  # type: ignore[attr-defined, no-any-return]

    def last_date(self, ident: str) -> dt.date | None:
        """Date of the latest event of ``ident``, if any."""
        evs = self.for_id(ident)
        return evs[-1].date if evs else None

    def _latest(self, as_of: dt.date) -> dict[str, StatusEvent]:
        key = ("latest", as_of)
        got = self._memo.get(key)
        if got is None:
            evs, dates = self._sorted()
            got = {e.id: e for e in evs[:bisect.bisect_right(dates, as_of)]}
            self._memo[key] = got
        return got  # type: ignore[return-value]

    def latest(self, as_of: dt.date) -> dict[str, StatusEvent]:
        """The latest event on or before ``as_of`` of every id that has one."""
        return dict(self._latest(as_of))

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
        latest = self._latest(as_of)
        parsed: dict[object, dt.date | None] = {}
        status, date, pct = [], [], []
        for ident, st, sd in zip(sites["id"].tolist(), sites["status"].tolist(),
                                 sites["status_date"].tolist(), strict=True):
            ev = latest.get(str(ident))
            if ev is not None:
                status.append(ev.status)
                date.append(ev.date.isoformat())
                pct.append(np.nan if ev.percent is None else ev.percent)
                continue
            key = sd if isinstance(sd, str | dt.date) else repr(sd)
            if key not in parsed:
                try:
                    parsed[key] = parse_date(sd)
                except ValueError:
                    parsed[key] = None
            base = parsed[key]
            if base is not None and base <= as_of:
                status.append(str(st))
                date.append(base.isoformat())
            else:
                status.append(NOT_STARTED)
                date.append("")
            pct.append(np.nan)
        return pd.DataFrame({"status": status, "status_date": date, "percent": pct},
                            index=sites.index)

    def with_events(self, events: Iterable[StatusEvent]) -> StatusLog:
        """A new log with ``events`` appended."""
        return StatusLog(self.events + tuple(events))


def _parse_rows(rows: Iterable[tuple[int, Mapping[str, str]]], shown: str, *,
                known_ids: set[str] | None, today: dt.date,
                first_date: dt.date | None) -> tuple[list[StatusEvent], list[Problem]]:
    events: list[StatusEvent] = []
    problems: list[Problem] = []
    for n, row in rows:
        item = _("row {row}").format(row=n)

        def bad(field: str, msg: str, item: str = item) -> None:
            problems.append(Problem(shown, item, field, msg))

        ident = (row.get("id") or "").strip()
        if not ident:
            bad("id", _("is empty: give a site id or a work number"))
        elif known_ids is not None and ident not in known_ids:
            bad("id", _("unknown site or work {ident!r}").format(ident=ident))
        status = (row.get("status") or "").strip()
        if status not in SITE_STATUSES:
            bad("status", _("unknown status {status!r}; use one of {choices}")
                          .format(status=status, choices=", ".join(SITE_STATUSES)))
        try:
            date = parse_date(row.get("date") or "")
            if (first_date is not None and date < first_date) or date > today:
                bad("date", _("{date!r} is outside {first_date} … {today}")
                            .format(date=date.isoformat(),
                                    first_date=first_date.isoformat() if first_date else "",
                                    today=today.isoformat()))
        except ValueError as exc:
            bad("date", str(exc))
            date = None
        pct_text = (row.get("percent") or "").strip()
        percent: float | None = None
        if pct_text:
            try:
                percent = float(pct_text.rstrip("%"))
                if not 0 <= percent <= 100:
                    bad("percent", _("{value!r} is outside 0–100").format(value=pct_text))
            except ValueError:
                bad("percent", _("{value!r} is not a number").format(value=pct_text))
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
    first_date: dt.date | None = FIRST_DATE,
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
    first_date
        Earliest allowed date: the plan's start (``Plan.start``); None: not checked (the
        register could not be read).
    problems
        Where to add problems; when ``None`` they are raised as one
        :class:`~citymap.errors.ValidationError`.
    """
    path = Path(path)
    shown = shown or str(path)
    today = today or dt.date.today()
    if not path.exists() and not path.is_symlink():
        return StatusLog()
    own: list[Problem] = []
    try:
        rows = split_log(read_bounded(path, shown=shown, kind="log"), shown)
        events, own = _parse_rows(rows, shown, known_ids=known_ids, today=today,
                                  first_date=first_date)
    except ValidationError as exc:
        events, own = [], exc.problems
    if own:
        if problems is None:
            raise ValidationError(own)
        problems.extend(own)
    return StatusLog(tuple(events))


def split_log(data: bytes, shown: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a status log as ``(line, {column: text})``, parsed strictly.

    Every row must have as many cells as the header, no cell may span lines (an
    unterminated quote swallows the rows after it: refused with its row — the file's line
    number — never read as one long note), and every cell is bounded
    (:data:`citymap.limits.MAX_NOTE_CHARS` for ``note``,
    :data:`citymap.limits.MAX_TEXT_CHARS` for the others). Cells written by
    :func:`citymap.io.csvsafe.escape_cell` are read back as they were.

    Raises
    ------
    ValidationError
        With every problem (file, line, column).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError([Problem(shown, "", "", _("is not UTF-8: save it as UTF-8 CSV"))]) \
            from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    out: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger" in str(exc):
                why = (_("holds a cell of over {limit} characters (a note is at most {note}); "
                         "an unterminated quote? fix the row in a text editor")
                       .format(limit=csv.field_size_limit(), note=MAX_NOTE_CHARS))
            else:
                why = (_("is not valid CSV ({error}); an unterminated quote? fix the row in a "
                         "text editor").format(error=exc))
            problems.append(Problem(shown, _("row {row}").format(row=start), "", why))
            break
        line = start
        if not cells:
            continue
        if header is None:
            header = [c.strip() for c in cells]
            missing = [c for c in ("date", "id", "status") if c not in header]
            if missing:
                raise ValidationError([Problem(shown, _("row {row}").format(row=line),
                                               ", ".join(missing),
                                               _("missing column(s); the header is {header}")
                                               .format(header=",".join(LOG_COLUMNS)))])
            continue
        if reader.line_num != line:
            problems.append(Problem(shown, _("row {row}").format(row=line), "", _(
                "a quoted cell runs on to line {line}: an unterminated quote? each event is one "
                "line").format(line=reader.line_num)))
            continue
        if len(cells) != len(header):
            problems.append(Problem(shown, _("row {row}").format(row=line), "", _(
                "has {n} cells, the header {header}: quote a cell that holds a comma")
                .format(n=len(cells), header=len(header))))
            continue
        row = {k: unescape_cell(c) for k, c in zip(header, cells, strict=True)}
        for key, value in row.items():
            too = text_problem(value, limit=MAX_NOTE_CHARS if key == "note" else MAX_TEXT_CHARS)
            if too is not None:
                problems.append(Problem(shown, _("row {row}").format(row=line), key, too))
        out.append((line, row))
    if problems:
        raise ValidationError(problems)
    return out


# ----------------------------------------------------------------------------- writing

def now_stamp() -> str:
    """The current local time as ISO text with offset, to the second (``recorded_at``)."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def event_key(event: StatusEvent) -> tuple[object, ...]:
    """What makes two events the same: date, id, status, percent, note and unit.

    ``recorded_at`` is left out, so that importing the same file twice adds nothing.
    """
    return (event.date, event.id.strip(), event.status, event.percent, one_line(event.note),
            event.unit.strip())


@attrs.frozen
class AppendResult:
    """What :func:`append_events` did (or, with ``dry_run``, would do).

    Attributes
    ----------
    added
        The events written (stamped with ``recorded_at``).
    unchanged
        The events given that the log already held (or that repeated an earlier one).
    path
        The log file.
    dry_run
        True when nothing was written.
    """

    added: tuple[StatusEvent, ...]
    unchanged: tuple[StatusEvent, ...]
    path: Path
    dry_run: bool = False


def field_problems(ident: str, status: str, percent: float | None, *,
                   known_ids: set[str] | None = None) -> list[tuple[str, str]]:
    """``(field, message)`` of every problem of one event's id, status and percent — the
    checks that need no date, so that a row with a bad date has them reported too.
    """
    out: list[tuple[str, str]] = []
    if not ident.strip():
        out.append(("id", _("is empty: give a site id or a work number")))
    elif id_problem(ident) is not None:
        out.append(("id", str(id_problem(ident))))
    elif known_ids is not None and ident not in known_ids:
        out.append(("id", _("unknown site or work {ident!r}; ids are on the map popups and in "
                            "`citymap progress template`").format(ident=ident)))
    if status not in SITE_STATUSES:
        out.append(("status", _("unknown status {status!r}; use one of {choices}")
                              .format(status=status, choices=", ".join(SITE_STATUSES))))
    if percent is not None and not 0 <= percent <= 100:
        out.append(("percent", _("{percent:g} is outside 0–100").format(percent=percent)))
    return out


def check_events(
    log: StatusLog,
    events: Sequence[StatusEvent],
    *,
    known_ids: set[str] | None = None,
    today: dt.date | None = None,
    first_date: dt.date = FIRST_DATE,
    locations: Sequence[tuple[str, str]] | None = None,
    shown: str = "status",
) -> list[Problem]:
    """Every problem of ``events`` as additions to ``log``.

    Events the log already holds are not checked again (they add nothing). The others
    must name a known id, use a site status, lie in ``first_date`` … ``today``, not be
    earlier than the latest event of their id in the log, have a percent in 0–100, and not
    repeat the id and date of another new event.

    Parameters
    ----------
    log
        The log as it is now.
    events
        The events to add.
    known_ids
        Site ids and work numbers (as text); ``None`` skips the check.
    today
        The latest allowed date (default: today).
    first_date
        The earliest allowed date: the plan's start (``Plan.start``).
    locations
        ``(where, item)`` of each event for the messages (e.g. ``("a.xlsx [进度填报]",
        "row 5")``); default ``(shown, "event N")``.
    shown
        Used when ``locations`` is not given.
    """
    today = today or dt.date.today()
    existing = {event_key(e) for e in log.events}
    last: dict[str, dt.date] = {}
    for e in log.events:
        if e.id not in last or e.date > last[e.id]:
            last[e.id] = e.date
    seen: dict[tuple[str, dt.date], str] = {}
    problems: list[Problem] = []
    for n, e in enumerate(events):
        where, item = (locations[n] if locations is not None
                       else (shown, _("event {number}").format(number=n + 1)))

        def bad(field: str, msg: str, where: str = where, item: str = item) -> None:
            problems.append(Problem(where, item, field, msg))

        if event_key(e) in existing:
            continue
        for field, msg in field_problems(e.id, e.status, e.percent, known_ids=known_ids):
            bad(field, msg)
        if not first_date <= e.date <= today:
            bad("date", _("{date!r} is outside {first_date} … {today}")
                        .format(date=e.date.isoformat(), first_date=first_date.isoformat(),
                                today=today.isoformat()))
        prev = last.get(e.id)
        if prev is not None and e.date < prev:
            bad("date", _("{date!r} is earlier than the last status of {id!r} ({prev}); the log "
                          "only grows forward — report the current status with today's date "
                          "instead")
                        .format(date=e.date.isoformat(), id=e.id, prev=prev.isoformat()))
        for field, value, limit in (("note", e.note, MAX_NOTE_CHARS),
                                    ("unit", e.unit, MAX_TEXT_CHARS)):
            why = text_problem(value, limit=limit)
            if why is not None:
                bad(field, why)
        key = (e.id, e.date)
        if key in seen:
            bad("id", _("{id!r} on {date} is given twice (also {other}); keep one row per site "
                        "and date").format(id=e.id, date=e.date.isoformat(), other=seen[key]))
        else:
            seen[key] = f"{where} {item}".strip()
    return problems


def one_line(text: str) -> str:
    """``text`` stripped, with line breaks and tabs as spaces: a log event is one line."""
    return " ".join(text.replace("\t", " ").splitlines()).strip()


def split_new(log: StatusLog, events: Iterable[StatusEvent], *,
              recorded_at: str) -> tuple[list[StatusEvent], list[StatusEvent]]:
    """Split ``events`` into those to add (stamped ``recorded_at``) and those ``log`` holds.

    An event the log already holds, or one repeating an earlier event of ``events``, is
    unchanged: this is what makes re-imports idempotent. Used by the file log
    (:func:`append_events`) and the store alike.
    """
    keys = {event_key(e) for e in log.events}
    added: list[StatusEvent] = []
    unchanged: list[StatusEvent] = []
    for e in events:
        k = event_key(e)
        if k in keys:
            unchanged.append(e)
            continue
        keys.add(k)
        added.append(attrs.evolve(e, id=e.id.strip(), note=one_line(e.note),
                                  unit=e.unit.strip(), recorded_at=recorded_at))
    return added, unchanged
