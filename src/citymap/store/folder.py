"""The workspace folder as a store: the status log written safely under a lock.

``geo/status_log.csv`` is written through :func:`append_events` only: under an exclusive
lock (:func:`citymap.io.lock.log_lock` on ``geo/.status_log.lock``) it re-reads the log,
checks the new events against it (:func:`citymap.history.check_events`), drops events
already recorded (idempotent re-imports) and rewrites the whole file atomically (temporary
file, fsync, rename) with the old bytes unchanged and the new rows after them. An
interrupted write leaves the previous log as it was: an in-place append could leave half a
row behind when the process is killed mid-write.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

from citymap.errors import Problem, ValidationError
from citymap.history import (
    FIRST_DATE,
    LOG_COLUMNS,
    AppendResult,
    StatusEvent,
    check_events,
    now_stamp,
    read_status_log,
    split_new,
)
from citymap.io.atomic import write_bytes
from citymap.io.csvsafe import escape_record
from citymap.io.lock import log_lock
from citymap.limits import read_bounded
from citymap.workspace import load_config

__all__ = ["append_events"]


def _log_bytes(path: Path, events: Sequence[StatusEvent]) -> bytes:
    """The log's current bytes unchanged, then ``events`` as new rows."""
    old = read_bounded(path, shown=path.name, kind="log") if path.exists() else b""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=LOG_COLUMNS, lineterminator="\n")
    if not old.strip():
        old = b""
        writer.writeheader()
    elif not old.endswith(b"\n"):
        old += b"\n"
    for e in events:
        writer.writerow(escape_record(e.as_row()))
    return old + buf.getvalue().encode("utf-8")


def _resolve_log_path(root: Path, log_path: str | Path | None) -> Path:
    if log_path is not None:
        p = Path(log_path)
        return p if p.is_absolute() else root / p
    return root / load_config(root).status_log


def append_events(
    ws_root: str | Path,
    events: Sequence[StatusEvent],
    *,
    log_path: str | Path | None = None,
    known_ids: set[str] | None = None,
    today: dt.date | None = None,
    locations: Sequence[tuple[str, str]] | None = None,
    recorded_at: str | None = None,
    dry_run: bool = False,
    timeout: float = 120.0,
    first_date: dt.date = FIRST_DATE,
) -> AppendResult:
    """Check ``events`` and append the new ones to the status log, safely.

    Under the log's lock (:func:`log_lock`) the log is read again, so that a concurrent
    import is seen; the events are checked against it (:func:`check_events`) and either
    all are accepted or none is written. Events the log already holds (same date, id,
    status, percent, note and unit) are skipped, so re-importing a file adds nothing. The
    new rows are written with the old bytes of the file unchanged, through an atomic
    rewrite (temporary file, fsync, rename): if the process dies, the log is the old one.

    Parameters
    ----------
    ws_root
        The workspace folder.
    events
        The events to add; their ``recorded_at`` is replaced by ``recorded_at``.
    log_path
        The log, relative to ``ws_root`` (default: ``status_log`` of ``citymap.toml``).
    known_ids
        Site ids and work numbers (text) that events may name; ``None`` skips the check.
    today
        Latest allowed date (default: today).
    locations
        ``(where, item)`` of each event, for messages.
    recorded_at
        The time stamp of the new rows (default: now).
    dry_run
        Check and report, write nothing.
    timeout
        Seconds to wait for the lock.
    first_date
        The earliest allowed date: the plan's start (``Plan.start``).

    Returns
    -------
    AppendResult

    Raises
    ------
    ValidationError
        With every problem; the log is not touched.
    WorkspaceError
        If the lock cannot be had or the log cannot be written.

    Examples
    --------
    >>> ev = StatusEvent(dt.date(2021, 5, 1), "OC-1", "进行中", 40.0, unit="县住房城乡建设局")
    >>> append_events(".", [ev])  # doctest: +SKIP
    """
    root = Path(ws_root)
    path = _resolve_log_path(root, log_path)
    try:
        shown = str(path.relative_to(root))
    except ValueError:
        shown = str(path)
    stamp = recorded_at or now_stamp()
    if not events:
        return AppendResult((), (), path, dry_run)
    with log_lock(path, timeout=timeout):
        try:
            log = read_status_log(path, shown=shown, today=today,
                                  first_date=first_date)
        except ValidationError as exc:
            raise ValidationError([*exc.problems, Problem(
                shown, "", "", "does not parse, so nothing was added to it: fix the lines "
                "above first (the log is never appended to blind)")]) from None
        problems = check_events(log, events, known_ids=known_ids, today=today,
                                first_date=first_date, locations=locations, shown=shown)
        if problems:
            raise ValidationError(problems)
        added, unchanged = split_new(log, events, recorded_at=stamp)
        if added and not dry_run:
            write_bytes(path, _log_bytes(path, added))
    return AppendResult(tuple(added), tuple(unchanged), path, dry_run)
