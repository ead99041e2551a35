"""Processes of the review concurrency tests (started with multiprocessing's spawn)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

TODAY = dt.date(2022, 6, 30)


def open_side(target: str) -> tuple[Any, Any]:
    """``(store, workspace)`` of a folder path or a ``postgresql://`` URL."""
    from citymap.store import open_store

    url = target if target.startswith("postgresql://") else None
    store = open_store(url, workspace=None if url else target)
    return store, store.load()


def submitter(target: str, person: str, jobs: list[tuple[str, str, int]], go: Any) -> int:
    """Submit one status set per job ``(id, unit, day of January 2021)``, in order."""
    from citymap.history import StatusEvent
    from citymap.review_flow import submit

    store, ws = open_side(target)
    go.wait()
    n = 0
    for ident, unit, day in jobs:
        ev = StatusEvent(dt.date(2021, 1, day), ident, "进行中", float(day), f"{person} {day}",
                         unit)
        res = submit(store, ws, [ev], person=person, source=f"{ident}-{day}.csv",
                     resubmits="", today=TODAY)
        n += len(res.submissions)
    return n


def reviewer(target: str, person: str, verdict: str, total: int, go: Any) -> dict[str, int]:
    """Decide every pending submission (accept, or return with a reason) until ``total``
    submissions are decided; count what happened.
    """
    from citymap.errors import ValidationError
    from citymap.review import PENDING, DecisionConflict, states
    from citymap.review_flow import accept, return_submission

    store, ws = open_side(target)
    go.wait()
    seen = {"won": 0, "conflicts": 0, "refused": 0, "bad": 0}
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        rv = store.reviews()
        subs = rv.submissions()
        st = states(subs, rv.decisions())
        if len(subs) == total and PENDING not in st.values():
            break
        for s in subs:
            if st[s.id] != PENDING:
                continue
            try:
                if verdict == "accepted":
                    accept(store, ws, s.id, person=person, today=TODAY)
                else:
                    return_submission(store, ws, s.id, person=person, reason=f"{person} 退回")
                seen["won"] += 1
            except DecisionConflict as exc:
                seen["conflicts"] += 1  # one line naming who decided and when
                text = str(exc)
                named = "已由" in text and s.id in text and exc.decision.person in text
                seen["bad"] += 0 if named and exc.decision.at in text else 1
            except ValidationError:  # a later status of that site was accepted first
                seen["refused"] += 1
        time.sleep(0.01)
    return seen
