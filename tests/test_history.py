"""The status history: derived site and work status, and safe, idempotent appends."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from _ws_progress import LOG_HEADER, make_workspace
from citymap.derived import site_statuses, work_state, work_status
from citymap.errors import ValidationError, WorkspaceError
from citymap.history import (
    StatusEvent,
    StatusLog,
    check_events,
    event_key,
    read_status_log,
)
from citymap.io.lock import log_lock
from citymap.store.folder import append_events
from citymap.workspace import load_workspace

D = dt.date


def ws_with(tmp_path: Path, log: str = ""):
    root = make_workspace(tmp_path / "ws", status_log=LOG_HEADER + log if log else None)
    return load_workspace(root)


def test_site_statuses_keep_recorded_status_and_flag_overdue(tmp_path: Path) -> None:
    ws = ws_with(tmp_path, "2020-09-01,PP-1,进行中,50,,县综合行政执法局,t\n")
    before = site_statuses(ws, D(2020, 12, 30)).set_index("id")
    assert before.loc["PP-1", "status"] == "进行中"
    assert before.loc["PP-1", "percent"] == 50
    assert not before["overdue"].any()
    after = site_statuses(ws, D(2021, 1, 1)).set_index("id")
    assert after.loc["PP-1", "status"] == "进行中"  # recorded status unchanged
    assert bool(after.loc["PP-1", "overdue"]) and bool(after.loc["OC-1", "overdue"])
    assert not bool(after.loc["OC-2", "overdue"])  # planned for 2021
    assert after.loc["OC-2", "due"] == "2021-12-31"


def test_work_status_rules(tmp_path: Path) -> None:
    log = ("2020-08-01,PP-1,进行中,,,,a\n"
           "2020-10-01,PP-1,已完成,100,,,b\n"
           "2020-11-01,PP-2,已完成,100,,,c\n"
           "2020-07-01,OC-1,进行中,10,,,d\n")
    ws = ws_with(tmp_path, log)
    assert work_status(ws, 8, D(2020, 6, 30)) == "未开始"
    assert work_status(ws, 8, D(2020, 9, 1)) == "进行中"
    assert work_status(ws, 8, D(2020, 11, 1)) == "已完成"
    assert work_status(ws, 16, D(2020, 12, 30)) == "进行中"
    st = work_state(ws, 16, D(2020, 12, 31))  # the status at the end of the deadline day
    assert st.status == "滞后" and st.source == "sites"
    assert st.overdue_sites == ("OC-1",) and st.missed_targets == ("16.1",)
    assert st.due == D(2020, 12, 31)
    assert work_status(ws, 18, D(2022, 12, 31)) == "方案待定"  # plan-only stays


def test_explicit_work_status_wins(tmp_path: Path) -> None:
    ws = ws_with(tmp_path, "2021-03-01,16,进行中,,整改中,县住房城乡建设局,a\n"
                           "2021-05-01,18,进行中,,方案已批复,县民政局,b\n")
    assert work_status(ws, 16, D(2021, 2, 28)) == "滞后"
    st = work_state(ws, 16, D(2021, 3, 1))
    assert (st.status, st.source, st.date) == ("进行中", "log", "2021-03-01")
    assert work_status(ws, 18, D(2021, 5, 1)) == "进行中"


def test_reported_behind_site_makes_work_behind(tmp_path: Path) -> None:
    ws = ws_with(tmp_path, "2020-07-01,PP-1,滞后,,拆迁未完成,,a\n")
    assert work_status(ws, 8, D(2020, 7, 2)) == "滞后"


def test_status_on_keeps_public_api(tmp_path: Path) -> None:
    ws = ws_with(tmp_path, "2021-05-01,OC-1,已完成,100,,,a\n")
    sites = ws.layer("old_communities")
    out = ws.history.status_on(sites, D(2021, 5, 1))
    assert list(out.columns) == ["status", "status_date", "percent"]
    assert out["status"].tolist() == ["已完成", "未开始"]
    assert ws.history.status_on(sites, D(2020, 1, 1))["status_date"].tolist() == ["", ""]


# ----------------------------------------------------------------------------- appending

def ev(day: str, ident: str, status: str, pct: float | None = None, note: str = "",
       unit: str = "") -> StatusEvent:
    return StatusEvent(D.fromisoformat(day), ident, status, pct, note, unit)


def test_append_creates_log_and_is_idempotent(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    log = root / "geo" / "status_log.csv"
    events = [ev("2021-05-01", "OC-1", "进行中", 40, "外墙保温", "县住房城乡建设局")]
    res = append_events(root, events, recorded_at="2021-05-02T09:00:00+08:00")
    assert len(res.added) == 1 and not res.unchanged
    text = log.read_text(encoding="utf-8")
    assert text == (LOG_HEADER + "2021-05-01,OC-1,进行中,40,外墙保温,县住房城乡建设局,"
                    "2021-05-02T09:00:00+08:00\n")
    again = append_events(root, events)
    assert not again.added and len(again.unchanged) == 1
    assert log.read_text(encoding="utf-8") == text
    assert (root / "geo" / ".status_log.lock").exists()
    assert len(load_workspace(root).history) == 1


def test_append_keeps_old_bytes(tmp_path: Path) -> None:
    old = "\ufeff" + LOG_HEADER + "2020-09-01,PP-1,进行中,,\"a, b\",,x"  # BOM, no final newline
    root = make_workspace(tmp_path / "ws")
    log = root / "geo" / "status_log.csv"
    log.write_text(old, encoding="utf-8")
    append_events(root, [ev("2020-10-01", "PP-1", "已完成")], recorded_at="y")
    assert log.read_text(encoding="utf-8") == old + "\n2020-10-01,PP-1,已完成,,,,y\n"


@pytest.mark.usefixtures("english")
def test_check_events_finds_every_problem() -> None:
    log = StatusLog((ev("2021-06-01", "OC-1", "进行中"),))
    events = [
        ev("2021-05-01", "OC-1", "已完成"),       # earlier than the last entry
        ev("2021-07-01", "XX-9", "进行中"),       # unknown id
        ev("2021-07-01", "OC-2", "完工"),         # unknown status
        ev("2019-12-31", "PP-1", "进行中"),       # before the plan
        ev("2021-07-01", "PP-2", "进行中", 120),  # percent
        ev("2021-07-02", "PP-2", "进行中"),
        ev("2021-07-02", "PP-2", "已完成"),       # same id and date twice
        ev("2021-06-01", "OC-1", "进行中"),       # already in the log: fine
    ]
    problems = check_events(log, events, known_ids={"OC-1", "OC-2", "PP-1", "PP-2"},
                            today=D(2022, 1, 1))
    fields = [(p.item, p.field) for p in problems]
    assert fields == [("event 1", "date"), ("event 2", "id"), ("event 3", "status"),
                      ("event 4", "date"), ("event 5", "percent"), ("event 7", "id")]
    assert "earlier than the last status" in problems[0].message
    future = check_events(StatusLog(), [ev("2022-01-02", "OC-1", "进行中")],
                          today=D(2022, 1, 1))
    assert "outside 2020-01-01 … 2022-01-01" in future[0].message


def test_append_refuses_all_or_nothing(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    with pytest.raises(ValidationError) as info:
        append_events(root, [ev("2021-05-01", "OC-1", "进行中"), ev("2021-05-01", "OC-9",
                                                                  "进行中")],
                      known_ids={"OC-1"})
    assert "OC-9" in str(info.value)
    assert not (root / "geo" / "status_log.csv").exists()


def test_event_key_ignores_recorded_at() -> None:
    a = ev("2021-05-01", "OC-1", "进行中", 40, "x ")
    b = StatusEvent(a.date, "OC-1", "进行中", 40.0, "x", "", "2021-05-02T00:00:00")
    assert event_key(a) == event_key(b)
    assert event_key(a) != event_key(ev("2021-05-01", "OC-1", "进行中", 41, "x"))


def test_failing_writer_leaves_log_as_it_was(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_workspace(tmp_path / "ws", status_log=LOG_HEADER + "2020-09-01,PP-1,进行中,,,,a\n")
    log = root / "geo" / "status_log.csv"
    before = log.read_bytes()

    def boom(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("citymap.io.atomic.os.replace", boom)
    with pytest.raises(OSError, match="No space left"):
        append_events(root, [ev("2020-10-01", "PP-1", "已完成")])
    monkeypatch.undo()
    assert log.read_bytes() == before
    assert [p.name for p in log.parent.iterdir() if p.name.startswith(".status_log.csv")] == []
    assert len(load_workspace(root).history) == 1


def test_killed_mid_write_leaves_log_intact(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", status_log=LOG_HEADER + "2020-09-01,PP-1,进行中,,,,a\n")
    log = root / "geo" / "status_log.csv"
    before = log.read_bytes()
    marker = tmp_path / "temp-written"
    code = textwrap.dedent(f"""
        import datetime as dt, os, time
        import citymap.io.atomic as atomic
        from citymap.history import StatusEvent
        from citymap.store.folder import append_events
        def stuck(src, dst):
            open({str(marker)!r}, "w").close()
            time.sleep(60)
        atomic.os.replace = stuck
        append_events({str(root)!r}, [StatusEvent(dt.date(2020, 10, 1), "PP-1", "已完成")])
    """)
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        for _ in range(600):
            if marker.exists() or proc.poll() is not None:
                break
            import time
            time.sleep(0.05)
        assert marker.exists(), "the writer never reached the rename"
        temps = [p for p in log.parent.iterdir() if p.name.startswith(".status_log.csv.")]
        assert temps and b"2020-10-01" in temps[0].read_bytes()  # the new log was complete
    finally:
        proc.kill()
        proc.wait()
    assert log.read_bytes() == before
    assert len(read_status_log(log)) == 1
    # the lock died with the process: the next write goes through
    res = append_events(root, [ev("2020-10-01", "PP-1", "已完成")])
    assert len(res.added) == 1
    assert len(load_workspace(root).history) == 2


@pytest.mark.usefixtures("english")
def test_lock_times_out_when_held(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    log = root / "geo" / "status_log.csv"
    code = textwrap.dedent(f"""
        import sys, time
        from citymap.io.lock import log_lock
        with log_lock({str(log)!r}):
            print("locked", flush=True)
            time.sleep(30)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(WorkspaceError, match="another citymap process"):
            append_events(root, [ev("2021-05-01", "OC-1", "进行中")], timeout=0.3)
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    with log_lock(log, timeout=5):
        pass


APPENDER = """
import datetime as dt, sys
from citymap.history import StatusEvent
from citymap.store.folder import append_events
root, tag = sys.argv[1], sys.argv[2]
for i in range(6):
    ev = StatusEvent(dt.date(2021, 1, 1) + dt.timedelta(days=i), tag, "进行中", float(i))
    append_events(root, [ev])
"""


def test_concurrent_appenders_lose_nothing(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    tags = ["PP-1", "PP-2", "OC-1", "OC-2"]
    procs = [subprocess.Popen([sys.executable, "-c", APPENDER, str(root), t],
                              stderr=subprocess.PIPE, text=True) for t in tags]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    log = read_status_log(root / "geo" / "status_log.csv")
    assert len(log) == 24
    for t in tags:
        assert len(log.for_id(t)) == 6
    assert os.path.getsize(root / "geo" / "status_log.csv") > 0
