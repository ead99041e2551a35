"""Submissions and decisions of a folder workspace: ``geo/reviews/*.jsonl``, append-only.

``geo/reviews/submissions.jsonl`` and ``geo/reviews/decisions.jsonl`` hold one JSON object
a line (:mod:`citymap.review`). Every write happens under one exclusive lock
(``fcntl.flock`` on ``geo/reviews/.reviews.lock``, as the status log's): the files are read
again, the new line is checked against them (a submission's id is the next free one; a
submission is decided once) and the file is rewritten atomically with its old bytes
unchanged and the new line after them (:func:`citymap.io.atomic.write_bytes`), so a killed
process leaves the previous file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from citymap.errors import WorkspaceError
from citymap.history import StatusEvent, now_stamp, one_line
from citymap.io.atomic import write_bytes
from citymap.io.lock import log_lock
from citymap.limits import read_bounded
from citymap.review import (
    Decision,
    Submission,
    check_decision,
    decision_from_json,
    decision_to_json,
    next_id,
    submission_from_json,
    submission_to_json,
)

__all__ = ["FolderReviews", "REVIEWS_DIR"]

#: Where the review files live, relative to the workspace.
REVIEWS_DIR = "geo/reviews"
T = TypeVar("T")


class FolderReviews:
    """The :class:`citymap.review.Reviews` of a folder workspace.

    Parameters
    ----------
    root
        The workspace folder.
    timeout
        Seconds to wait for the lock.
    """

    def __init__(self, root: str | Path, *, timeout: float = 120.0) -> None:
        self.folder = Path(root) / REVIEWS_DIR
        self.timeout = timeout

    @property
    def _subs(self) -> Path:
        return self.folder / "submissions.jsonl"

    @property
    def _decs(self) -> Path:
        return self.folder / "decisions.jsonl"

    def _read(self, path: Path, parse: Callable[[dict[str, Any]], T]) -> tuple[T, ...]:
        if not path.exists():
            return ()
        shown = f"{REVIEWS_DIR}/{path.name}"
        out = []
        text = read_bounded(path, shown=shown, kind="log").decode("utf-8")
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                out.append(parse(json.loads(line)))
            except (ValueError, KeyError, TypeError) as exc:
                raise WorkspaceError(f"{shown} line {n}: cannot be read ({exc}); it is written "
                                     "by citymap only: restore it from a backup") from None
        return tuple(out)

    @staticmethod
    def _append(path: Path, obj: dict[str, Any]) -> None:
        old = path.read_bytes() if path.exists() else b""
        if old and not old.endswith(b"\n"):
            old += b"\n"
        line = json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"
        write_bytes(path, old + line.encode("utf-8"))

    def submissions(self) -> tuple[Submission, ...]:
        """Every submission, oldest first."""
        return self._read(self._subs, submission_from_json)

    def decisions(self) -> tuple[Decision, ...]:
        """Every decision, oldest first."""
        return self._read(self._decs, decision_from_json)

    def submit(self, *, unit: str, person: str, source: str,
               events: Sequence[StatusEvent], resubmits: str = "",
               at: str | None = None) -> Submission:
        """Record a new submission with the next free id (under the lock)."""
        with log_lock(self.folder / "reviews", timeout=self.timeout):
            sub = Submission(next_id(self.submissions()), unit, person, at or now_stamp(),
                             source, tuple(events), resubmits)
            self._append(self._subs, submission_to_json(sub))
        return sub

    def decide(self, submission: str, verdict: str, *, person: str, reason: str = "",
               at: str | None = None) -> Decision:
        """Record a decision, exactly one per submission (under the lock).

        Raises
        ------
        citymap.review.DecisionConflict
            If it was decided already (naming who and when).
        citymap.review.ReviewError
            If there is no such submission or a return has no reason.
        """
        with log_lock(self.folder / "reviews", timeout=self.timeout):
            check_decision(self.submissions(), self.decisions(), submission, verdict,
                           person=person, reason=reason)
            dec = Decision(submission, verdict, person.strip(), at or now_stamp(),
                           one_line(reason))
            self._append(self._decs, decision_to_json(dec))
        return dec
