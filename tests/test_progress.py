"""The progress workflow: template → fill → import → status as of a date; every refusal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from _ws_progress import LEAD_8, LEAD_16, LOG_HEADER, fill_template, make_workspace, write_csv
from citymap.derived import site_statuses, work_status
from citymap.errors import ValidationError
from citymap.progress import (
    import_progress,
    make_template,
    overdue_items,
    parse_report_date,
    reporting_unit,
    set_status,
    template_rows,
    works_reported_by,
)
from citymap.store.folder import FolderStore
from citymap.workspace import Workspace, load_workspace

D = dt.date


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def log_text(root: Path) -> str:
    p = root / "geo" / "status_log.csv"
    return p.read_text(encoding="utf-8") if p.exists() else ""


def done_count(ws: Workspace, day: dt.date) -> int:
    return int((site_statuses(ws, day)["status"] == "已完成").sum())


def test_walk_through(root: Path, tmp_path: Path) -> None:
    """A new user: template for a unit, fill it, import it, see the date change."""
    ws = load_workspace(root)
    tpl = tmp_path / "执法局.xlsx"
    res = make_template(ws, LEAD_8, tpl, as_of=D(2020, 12, 1))
    assert (res.works, res.sites) == (1, 2)
    fill_template(tpl, {
        "PP-1": {"status": "已完成", "date": D(2020, 11, 20), "percent": 100,
                 "note": "已验收"},
        "PP-2": {"status": "进行中", "date": D(2020, 11, 20), "percent": 60},
    })
    dry = import_progress(ws, tpl, dry_run=True, store=FolderStore(ws.root))
    assert len(dry.added) == 2 and log_text(root) == ""
    out = import_progress(ws, tpl, store=FolderStore(ws.root))
    assert [e.id for e in out.added] == ["PP-1", "PP-2"] and out.skipped == 1
    assert all(e.unit == LEAD_8 for e in out.added)

    ws = load_workspace(root)
    parks = ws.layer("pocket_parks")
    on = ws.history.status_on(parks, D(2020, 11, 20)).set_index(parks["id"])
    assert on.loc["PP-1", "status"] == "已完成" and on.loc["PP-2", "percent"] == 60
    before = ws.history.status_on(parks, D(2020, 11, 19)).set_index(parks["id"])
    assert before["status"].tolist() == ["未开始", "未开始"]  # the earlier date is unchanged
    assert done_count(ws, D(2020, 11, 20)) == 1 and done_count(ws, D(2020, 11, 19)) == 0
    assert work_status(ws, 8, D(2020, 11, 19)) == "未开始"
    assert work_status(ws, 8, D(2020, 11, 20)) == "进行中"
    assert work_status(ws, 8, D(2020, 12, 31)) == "滞后"  # PP-2 missed 2020

    # the next round: a new template shows the current status; re-import adds nothing
    again = import_progress(ws, tpl, store=FolderStore(ws.root))
    assert not again.added and len(again.unchanged) == 2
    rows = {r["id"]: r for r in template_rows(ws, LEAD_8, D(2020, 12, 1))}
    assert rows["PP-1"]["current"] == "已完成" and rows["PP-1"]["current_date"] == "2020-11-20"
    assert rows["8"]["current"] == "进行中"


def test_reimport_is_idempotent(root: Path, tmp_path: Path) -> None:
    ws = load_workspace(root)
    f = write_csv(tmp_path / "p.csv", [
        {"id": "OC-1", "status": "进行中", "date": "2020-08-01", "percent": 30, "unit": LEAD_16},
        {"id": "OC-1", "status": "已完成", "date": "2020-10-01", "percent": 100,
         "unit": LEAD_16},
    ])
    assert len(import_progress(ws, f, store=FolderStore(ws.root)).added) == 2
    text = log_text(root)
    ws = load_workspace(root)
    # the 08-01 row is earlier than the last entry, but known
    res = import_progress(ws, f, store=FolderStore(ws.root))
    assert not res.added and len(res.unchanged) == 2
    assert log_text(root) == text


def refused(ws: Workspace, path: Path, **kw: object) -> list[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as info:
        import_progress(ws, path, **kw, store=FolderStore(ws.root))  # type: ignore[arg-type]
    return [(p.item, p.field, p.message) for p in info.value.problems]


@pytest.mark.usefixtures("english")
def test_each_refusal_is_listed_and_nothing_written(root: Path, tmp_path: Path) -> None:
    make = load_workspace(root)
    set_status(make, "OC-2", "进行中", D(2021, 3, 1), unit=LEAD_16, store=FolderStore(make.root))
    before = log_text(root)
    ws = load_workspace(root)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    f = write_csv(tmp_path / "bad.csv", [
        {"id": "OC-1", "status": "进行中", "date": "2020-08-01", "unit": LEAD_16},   # ok
        {"id": "OC-404", "status": "进行中", "date": "2020-08-01", "unit": LEAD_16},  # 3
        {"id": "PP-1", "status": "进行中", "date": "2020-08-01", "unit": LEAD_16},    # 4 ok
        {"id": "OC-1", "status": "搞定", "date": "2020-08-02", "unit": LEAD_16},      # 5
        {"id": "OC-1", "status": "进行中", "date": "2019-12-31", "unit": LEAD_16},    # 6
        {"id": "OC-1", "status": "进行中", "date": tomorrow, "unit": LEAD_16},        # 7
        {"id": "OC-2", "status": "已完成", "date": "2021-02-01", "unit": LEAD_16},    # 8
        {"id": "OC-1", "status": "进行中", "date": "2020-08-03", "percent": "120",
         "unit": LEAD_16},                                                          # 9
        {"id": "OC-1", "status": "进行中", "date": "2020-08-01", "unit": LEAD_16},    # 10 dup
        {"id": "OC-1", "status": "进行中", "date": "soon", "unit": LEAD_16},          # 11
    ])
    probs = refused(ws, f)
    got = [(item, field) for item, field, _ in probs]
    assert got == [("row 3", "A 编号"), ("row 5", "B 新状态"), ("row 6", "C 日期"),
                   ("row 7", "C 日期"), ("row 8", "C 日期"), ("row 9", "D 完成百分比"),
                   ("row 10", "A 编号"), ("row 11", "C 日期")]
    msgs = dict(((i, f), m) for i, f, m in probs)
    assert "unknown site or work 'OC-404'" in msgs[("row 3", "A 编号")]
    assert "'搞定'" in msgs[("row 5", "B 新状态")]
    assert "outside 2020-01-01" in msgs[("row 6", "C 日期")]
    assert "earlier than the last status of 'OC-2' (2021-03-01)" in msgs[("row 8", "C 日期")]
    assert "outside 0–100" in msgs[("row 9", "D 完成百分比")]
    assert "given twice" in msgs[("row 10", "A 编号")]
    assert "not a date" in msgs[("row 11", "C 日期")]
    assert log_text(root) == before


@pytest.mark.usefixtures("english")
def test_unit_must_lead_or_share_the_work(root: Path, tmp_path: Path) -> None:
    ws = load_workspace(root)
    f = write_csv(tmp_path / "u.csv", [
        {"id": "OC-1", "status": "进行中", "date": "2020-08-01", "unit": LEAD_8},   # not its work
        {"id": "PP-1", "status": "进行中", "date": "2020-08-01", "unit": LEAD_8},   # leads 8
        {"id": "18", "status": "进行中", "date": "2020-08-01", "unit": LEAD_8},     # not its work
    ])
    probs = refused(ws, f)
    assert [(i, fl) for i, fl, _ in probs] == [("row 2", "A 编号"), ("row 4", "A 编号")]
    assert "neither leads nor shares work 16" in probs[0][2]
    # a partner unit may report, under an alias too
    ok = write_csv(tmp_path / "ok.csv", [
        {"id": "PP-1", "status": "进行中", "date": "2020-08-01", "unit": LEAD_16},  # shares 8
        {"id": "OC-1", "status": "进行中", "date": "2020-08-01", "unit": "县卫生健康委"},
    ])
    added = import_progress(ws, ok, store=FolderStore(ws.root)).added
    assert [e.unit for e in added] == [LEAD_16, "县卫生健康局"]


@pytest.mark.usefixtures("english")
def test_unit_column_or_option(root: Path, tmp_path: Path) -> None:
    ws = load_workspace(root)
    no_unit = write_csv(tmp_path / "n.csv", [{"id": "OC-1", "status": "进行中",
                                              "date": "2020-08-01"}],
                        header=("编号", "新状态", "日期"))
    assert refused(ws, no_unit)[0][1:] == ("填报单位", "is empty: give the reporting unit "
                                           "(the 填报单位 column or --unit)")
    assert import_progress(ws, no_unit, unit=LEAD_16, dry_run=True,
                           store=FolderStore(ws.root)).added[0].unit == LEAD_16
    mine = write_csv(tmp_path / "m.csv", [{"id": "OC-1", "status": "进行中",
                                           "date": "2020-08-01", "unit": LEAD_16}])
    assert "not by --unit" in refused(ws, mine, unit=LEAD_8)[0][2]
    other = write_csv(tmp_path / "o.csv", [{"id": "OC-1", "status": "进行中",
                                            "date": "2020-08-01", "unit": "县财政局"}])
    assert "not a unit of the plan" in refused(ws, other)[0][2]


@pytest.mark.usefixtures("english")
def test_townships_may_not_report(root: Path) -> None:
    ws = load_workspace(root)
    with pytest.raises(ValidationError, match="collective partner"):
        reporting_unit(ws.register, "各乡镇(街道)")
    assert [w.number for w in works_reported_by(ws.register, LEAD_16)] == [8, 16]
    assert [w.number for w in works_reported_by(ws.register, LEAD_16, lead_only=True)] == [16]


@pytest.mark.usefixtures("english")
def test_empty_status_or_date_in_a_filled_row(root: Path, tmp_path: Path) -> None:
    ws = load_workspace(root)
    f = write_csv(tmp_path / "e.csv", [
        {"id": "OC-1", "status": "", "date": "2020-08-01", "unit": LEAD_16},
        {"id": "OC-2", "status": "进行中", "date": "", "note": "开工", "unit": LEAD_16},
        {"id": "", "status": "进行中", "date": "2020-08-01", "unit": LEAD_16},
    ])
    assert [(i, fl) for i, fl, _ in refused(ws, f)] == [
        ("row 2", "B 新状态"), ("row 3", "C 日期"), ("row 4", "A 编号")]


@pytest.mark.usefixtures("english")
def test_parse_report_date() -> None:
    for text in ("2021-05-01", "2021/5/1", "2021.5.1", "2021年5月1日", 44317,
                 dt.datetime(2021, 5, 1, 8, 0)):
        assert parse_report_date(text) == D(2021, 5, 1)
    with pytest.raises(ValueError, match="not a date"):
        parse_report_date("2021-02-30")


@pytest.mark.usefixtures("english")
def test_set_status_and_refusals(root: Path) -> None:
    ws = load_workspace(root)
    res = set_status(ws, "16", "滞后", D(2021, 3, 1), note="资金未到位", unit=LEAD_16,
                     store=FolderStore(ws.root))
    assert res.added[0].id == "16" and "16,滞后,,资金未到位,县住房城乡建设局" in log_text(root)
    ws = load_workspace(root)
    with pytest.raises(ValidationError, match="neither leads nor shares"):
        set_status(ws, "OC-1", "进行中", D(2021, 3, 1), unit=LEAD_8, store=FolderStore(ws.root))
    with pytest.raises(ValidationError, match="earlier than the last status"):
        set_status(ws, "16", "进行中", D(2021, 2, 1), store=FolderStore(ws.root))
    assert not set_status(ws, "16", "滞后", D(2021, 3, 1), note="资金未到位",
                          unit=LEAD_16, store=FolderStore(ws.root)).added


def test_overdue_items_by_lead_unit(root: Path) -> None:
    root_log = root / "geo" / "status_log.csv"
    root_log.write_text(LOG_HEADER + "2020-10-01,PP-1,已完成,100,,,a\n"
                        "2020-10-01,OC-1,已完成,100,,,a\n", encoding="utf-8")
    ws = load_workspace(root)
    assert overdue_items(ws, D(2020, 12, 30)) == []
    assert [i.days_late for i in overdue_items(ws, D(2020, 12, 31))] == [0, 0, 0]
    items = overdue_items(ws, D(2021, 3, 1))
    assert [(i.unit, i.kind, i.id, i.days_late) for i in items] == [
        (LEAD_8, "工程", "8", 60), (LEAD_8, "目标", "8.1", 60), (LEAD_8, "点位", "PP-2", 60)]
    later = overdue_items(ws, D(2022, 1, 2))
    assert {(i.unit, i.id) for i in later} >= {(LEAD_16, "16"), (LEAD_16, "16.2"),
                                               (LEAD_16, "OC-2")}
    assert {i.unit for i in overdue_items(ws, D(2022, 1, 2), unit=LEAD_16)} == {LEAD_16}


@pytest.mark.usefixtures("english")
def test_every_problem_of_a_row_at_once(root: Path, tmp_path: Path) -> None:
    """A bad date no longer hides the row's other problems until the next import."""
    ws = load_workspace(root)
    f = write_csv(tmp_path / "m.csv", [
        {"id": "OC-1", "status": "搞定", "date": "2021/13/01", "unit": LEAD_16},
        {"id": "OC-99", "status": "进行中", "date": "昨天", "percent": "140", "unit": LEAD_16},
        {"id": "OC-2", "status": "", "date": "", "percent": "abc", "unit": LEAD_16},
    ])
    found = [(i, fl) for i, fl, _ in refused(ws, f)]
    assert sorted(found) == [
        ("row 2", "B 新状态"), ("row 2", "C 日期"),
        ("row 3", "A 编号"), ("row 3", "C 日期"), ("row 3", "D 完成百分比"),
        ("row 4", "B 新状态"), ("row 4", "C 日期"), ("row 4", "D 完成百分比"),
    ], found
    messages = " | ".join(m for _, _, m in refused(ws, f))
    assert "unknown status '搞定'" in messages and "unknown site or work 'OC-99'" in messages
    assert "140 is outside 0–100" in messages
    assert not (root / "geo" / "status_log.csv").exists()


def test_statuses_as_departments_write_them(root: Path, tmp_path: Path) -> None:
    ws = load_workspace(root)
    f = write_csv(tmp_path / "p.csv", [
        {"id": "OC-1", "status": "在建", "date": "2020-08-01", "percent": 30, "unit": LEAD_16},
        {"id": "OC-1", "status": "已竣工", "date": "2020-10-01", "percent": 100,
         "unit": LEAD_16},
    ])
    res = import_progress(ws, f, store=FolderStore(ws.root))
    assert [e.status for e in res.added] == ["进行中", "已完成"]
    assert "OC-1,已完成" in log_text(root) and "已竣工" not in log_text(root)
