"""Concurrent writers on the PostGIS store lose nothing; a failed import rolls back whole."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import psycopg
import pytest

from _ws_progress import LEAD_8, LEAD_16, TODAY, make_workspace, write_csv
from citymap.errors import StoreError, ValidationError
from citymap.history import StatusEvent
from citymap.progress import import_progress, set_status
from citymap.store import open_postgis

WRITER = textwrap.dedent("""
    import datetime as dt, sys
    from citymap.history import StatusEvent
    from citymap.store import open_postgis
    url, ident, unit, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    st = open_postgis(url, who=f"writer-{ident}")
    sys.stdin.readline()  # start together
    for i in range(n):
        ev = StatusEvent(dt.date(2021, 1, 1) + dt.timedelta(days=i), ident, "进行中",
                         float(i), note=f"{ident} #{i}", unit=unit)
        st.append_log([ev], today=dt.date(2022, 6, 30))
    print("done")
""")


def _counts(url):
    with psycopg.connect(url) as conn:
        log = conn.execute("SELECT count(*) FROM citymap.status_log").fetchone()
        audit = conn.execute("SELECT count(*) FROM citymap.audit WHERE action <> 'push'"
                             ).fetchone()
        assert log is not None and audit is not None
        return (log[0], audit[0])


@pytest.fixture
def store(pg_url, tmp_path):
    st = open_postgis(pg_url)
    st.init()
    st.push(make_workspace(tmp_path / "ws"))
    return st


def test_two_processes_append_at_once_and_both_are_kept(store, pg_url):
    n = 25
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, pg_url, ident, unit, str(n)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for ident, unit in (("PP-1", LEAD_8), ("OC-1", LEAD_16))]
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        assert out.strip() == "done"
    log = store.status_log()
    assert len(log) == 2 * n
    for ident in ("PP-1", "OC-1"):
        assert [e.note for e in log.for_id(ident)] == [f"{ident} #{i}" for i in range(n)]
    assert _counts(pg_url) == (2 * n, 2 * n)
    who = {a["who"] for a in store.audit() if a["action"] == "status"}
    assert who == {"writer-PP-1", "writer-OC-1"}


def test_same_events_from_two_writers_are_recorded_once(store):
    ev = StatusEvent(dt.date(2021, 5, 1), "OC-2", "进行中", 40.0, unit=LEAD_16)
    assert len(store.append_log([ev], today=TODAY).added) == 1
    again = store.append_log([ev], today=TODAY)
    assert (len(again.added), len(again.unchanged)) == (0, 1)
    assert len(store.status_log()) == 1


@pytest.mark.usefixtures("english")
def test_a_bad_event_refuses_the_whole_batch(store, pg_url):
    good = [StatusEvent(dt.date(2021, 5, d), "PP-1", "进行中", 10.0 * d) for d in (1, 2, 3)]
    bad = StatusEvent(dt.date(2021, 5, 4), "NO-SUCH", "进行中")
    with pytest.raises(ValidationError, match="unknown site or work 'NO-SUCH'"):
        store.append_log([*good, bad], today=TODAY)
    assert _counts(pg_url) == (0, 0)


def test_a_database_failure_mid_import_rolls_back_whole(store, pg_url):
    good = [StatusEvent(dt.date(2021, 5, d), "PP-1", "进行中", 10.0 * d) for d in (1, 2, 3)]
    bad = StatusEvent(dt.date(2021, 5, 4), "PP-1", "finished", 150.0)  # past the checks
    with pytest.raises(StoreError, match="status_log_status_check|status_log_percent_check"):
        store.append_log([*good, bad], validate=False, today=TODAY)
    assert _counts(pg_url) == (0, 0)
    assert len(store.append_log(good, today=TODAY).added) == 3


def test_progress_import_into_the_store_is_all_or_nothing(store, pg_url, tmp_path):
    ws = store.load(today=TODAY)
    rows = [{"id": "OC-1", "status": "进行中", "date": "2021-05-01", "percent": "40",
             "unit": LEAD_16},
            {"id": "OC-2", "status": "已完成", "date": "2021-05-02", "unit": LEAD_16}]
    bad = write_csv(tmp_path / "bad.csv", [*rows, {"id": "PP-1", "status": "搞定",
                                                   "date": "2021-05-03", "unit": LEAD_16}])
    with pytest.raises(ValidationError, match="搞定"):
        import_progress(ws, bad, store=store, today=TODAY)
    assert _counts(pg_url) == (0, 0)
    good = write_csv(tmp_path / "good.csv", rows)
    res = import_progress(ws, good, store=store, today=TODAY)
    assert [e.id for e in res.added] == ["OC-1", "OC-2"]
    assert import_progress(ws, good, store=store, today=TODAY).added == ()
    assert [a["action"] for a in store.audit()] == ["push", "progress import"]


@pytest.mark.usefixtures("english")
def test_status_set_checks_the_unit(store):
    ws = store.load(today=TODAY)
    with pytest.raises(ValidationError, match="neither leads nor shares"):
        set_status(ws, "OC-1", "已完成", dt.date(2021, 6, 1), store=store, unit="县民政局",
                   today=TODAY)
    res = set_status(ws, "OC-1", "已完成", dt.date(2021, 6, 1), store=store, unit=LEAD_16,
                     today=TODAY)
    assert res.added[0].unit == LEAD_16
    assert store.load(today=TODAY).history.for_id("OC-1")[-1].status == "已完成"
