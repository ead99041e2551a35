"""The workspace folder as a store (:class:`FolderStore`, the default).

:class:`FolderStore` implements :class:`citymap.store.base.Store` on the files of a
workspace folder: ``load`` is :func:`citymap.workspace.load_workspace`, ``write_layer``
rewrites one layer's GeoJSON file atomically, ``attachments`` is ``geo/attachments/``
(:class:`citymap.attachments.FolderAttachments`) and ``append_events`` appends to the
status log as described below.

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
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

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
from citymap.i18n import _
from citymap.io.atomic import write_bytes
from citymap.io.csvsafe import escape_record
from citymap.io.lock import log_lock
from citymap.limits import read_bounded
from citymap.store.base import current_user
from citymap.store.stamp import load_records, load_validated
from citymap.workspace import Workspace, WorkspaceRecords, find_workspace, load_config

if TYPE_CHECKING:
    import geopandas as gpd

    from citymap.attachments import FolderAttachments
    from citymap.store.folder_reviews import FolderReviews

__all__ = ["FolderStore", "append_events"]


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
                shown, "", "", _("does not parse, so nothing was added to it: fix the lines "
                                 "above first (the log is never appended to blind)"))]) from None
        problems = check_events(log, events, known_ids=known_ids, today=today,
                                first_date=first_date, locations=locations, shown=shown)
        if problems:
            raise ValidationError(problems)
        added, unchanged = split_new(log, events, recorded_at=stamp)
        if added and not dry_run:
            write_bytes(path, _log_bytes(path, added))
    return AppendResult(tuple(added), tuple(unchanged), path, dry_run)


class FolderStore:
    """A workspace folder as a :class:`~citymap.store.base.Store`.

    Parameters
    ----------
    root
        The workspace folder (default: as :func:`~citymap.workspace.find_workspace` finds
        it: $CITYMAP_WORKSPACE, else the current folder or a parent holding citymap.toml).
    who
        Who acts (default :func:`~citymap.store.base.current_user`).

    Raises
    ------
    WorkspaceError
        If no workspace folder is found.
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, *,
                 who: str | None = None) -> None:
        self.root = find_workspace(root)
        self._who = who or current_user()

    def __repr__(self) -> str:
        return f"FolderStore({str(self.root)!r})"

    @property
    def where(self) -> str:
        """The folder."""
        return str(self.root)

    @property
    def who(self) -> str:
        """The person acting."""
        return self._who

    @property
    def output_base(self) -> Path:
        """Outputs go under the workspace folder."""
        return self.root

    @property
    def folder(self) -> Path:
        """The workspace folder."""
        return self.root

    def load(self, *, repair: bool = False, today: dt.date | None = None) -> Workspace:
        """The validated workspace (:func:`~citymap.workspace.load_workspace`); the files it
        accepted are stamped (:func:`citymap.store.stamp.load_validated`).
        """
        return load_validated(self.root, repair=repair, today=today)

    def load_records(self, *, today: dt.date | None = None) -> WorkspaceRecords:
        """The records without geometry when the stamp matches every file, else the validated
        workspace (:func:`citymap.store.stamp.load_records`).
        """
        return load_records(self.root, today=today)

    def append_events(
        self,
        ws: Workspace,
        events: Sequence[StatusEvent],
        *,
        locations: Sequence[tuple[str, str]] | None = None,
        today: dt.date | None = None,
        dry_run: bool = False,
        action: str = "status",
    ) -> AppendResult:
        """Append ``events`` to the status log (:func:`append_events`, under its lock).

        ``ws`` gives the log's path, the ids events may name and the plan's first day;
        ``action`` is not recorded (the folder keeps no audit trail: git does).
        """
        del action
        known = ws.site_ids | {str(w.number) for w in ws.register.works}
        return append_events(self.root, events, log_path=ws.config.status_log,
                             known_ids=known, today=today, locations=locations,
                             dry_run=dry_run, first_date=ws.register.plan.start)

    def write_layer(self, ws: Workspace, layer: str, sites: gpd.GeoDataFrame, *,
                    columns: Sequence[str] | None = None, action: str = "import") -> str:
        """Rewrite the layer's GeoJSON file (RFC 7946, lon/lat) atomically.

        Returns the file, relative to the workspace.
        """
        from citymap.io.atomic import write_text
        from citymap.io.export import geojson_text

        del action
        source = ws.layers[layer].source
        write_text(self.root / source, geojson_text(sites, columns))
        return source

    def attachments(self) -> FolderAttachments:
        """``geo/attachments/`` of the folder."""
        from citymap.attachments import open_attachments

        return open_attachments(self.root)

    def reviews(self) -> FolderReviews:
        """``geo/reviews/`` of the folder: submissions and decisions."""
        from citymap.store.folder_reviews import FolderReviews

        return FolderReviews(self.root)
