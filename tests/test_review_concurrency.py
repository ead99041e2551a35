"""Several submitters and two reviewers at once, in processes: nothing is lost, every
submission gets exactly one decision, and the log holds exactly the accepted events —
in the folder store and in PostGIS.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from _review_workers import reviewer, submitter
from _ws_review import (
    LEAD_8,
    LEAD_16,
    PERSON_8,
    PERSON_16,
    REVIEWER,
    REVIEWER2,
    make_review_workspace,
)
from citymap.history import event_key
from citymap.review import ACCEPTED, states

K = 4  # submissions per submitter
JOBS = {
    PERSON_8: [(i, LEAD_8) for i in ("PP-1", "PP-2")],
    PERSON_16: [(i, LEAD_16) for i in ("OC-1", "OC-2")],
    REVIEWER: [("8", LEAD_8), ("16", LEAD_16)],  # a reviewer enters paper reports too
}


def _jobs(person: str) -> list[tuple[str, str, int]]:
    sites = JOBS[person]
    return [(sites[k % 2][0], sites[k % 2][1], 2 + k) for k in range(K)]


def _run(target: str) -> list[dict[str, int]]:
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Manager().Event()
    total = K * len(JOBS)
    with ctx.Pool(len(JOBS) + 2) as pool:
        subs = [pool.apply_async(submitter, (target, p, _jobs(p), go)) for p in JOBS]
        revs = [pool.apply_async(reviewer, (target, REVIEWER, "accepted", total, go)),
                pool.apply_async(reviewer, (target, REVIEWER2, "returned", total, go))]
        go.set()
        assert sum(s.get(timeout=300) for s in subs) == total
        return [r.get(timeout=300) for r in revs]


def _check(store, log_events, seen: list[dict[str, int]]) -> None:
    rv = store.reviews()
    subs, decs = rv.submissions(), rv.decisions()
    total = K * len(JOBS)
    assert sorted(s.id for s in subs) == sorted(f"S{n}" for n in range(1, total + 1))
    assert sorted(d.submission for d in decs) == sorted(s.id for s in subs)  # one each
    assert {s.person for s in subs} == set(JOBS)
    st = states(subs, decs)
    accepted = {event_key(e) for s in subs if st[s.id] == ACCEPTED for e in s.events}
    assert {event_key(e) for e in log_events} == accepted
    assert len(log_events) == len(accepted)
    assert sum(x["won"] for x in seen) == total
    assert [x["bad"] for x in seen] == [0, 0]  # every loser was told who and when
    assert {d.person for d in decs} <= {REVIEWER, REVIEWER2}
    for d in decs:
        if d.verdict != ACCEPTED:
            assert d.reason == f"{d.person} 退回"


def test_folder_store(tmp_path: Path) -> None:
    from citymap.history import read_status_log
    from citymap.store.folder import FolderStore

    root = make_review_workspace(tmp_path / "ws")
    seen = _run(str(root))
    _check(FolderStore(root), read_status_log(root / "geo" / "status_log.csv").events, seen)


@pytest.mark.postgis
def test_postgis_store(tmp_path: Path, pg_url: str) -> None:
    from citymap.store import open_postgis

    st = open_postgis(pg_url)
    st.init()
    st.push(make_review_workspace(tmp_path / "ws"))
    seen = _run(pg_url)
    _check(st, st.status_log().events, seen)
