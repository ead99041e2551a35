"""Reminders: what is behind (逾期, 序时进度), escalation levels, recipients, dry runs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from _remind import LOG, remind_workspace
from _ws_progress import LEAD_8, LEAD_16, LOG_HEADER, make_workspace
from citymap.cli.main import cli
from citymap.errors import ValidationError
from citymap.remind import load_remind_config, plan_messages
from citymap.remind.config import parse_remind
from citymap.supervise import day_status, level_of, reminders, schedule_share
from citymap.workspace import load_workspace

REPO = Path(__file__).resolve().parents[1]
D = dt.date


def run(root: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    return r.exit_code, r.stdout, r.stderr


def test_schedule_share_is_linear_in_days() -> None:
    y = (D(2021, 1, 1), D(2021, 12, 31))
    assert schedule_share(*y, D(2020, 12, 31)) == 0
    assert schedule_share(*y, D(2021, 1, 1)) == pytest.approx(1 / 365)
    assert schedule_share(*y, D(2021, 7, 2)) == pytest.approx(183 / 365)
    assert schedule_share(*y, D(2021, 12, 31)) == 1
    assert schedule_share(D(2020, 1, 1), D(2022, 12, 31), D(2021, 12, 31)) == \
        pytest.approx(731 / 1096)


def test_levels_by_days() -> None:
    assert [level_of(d, level2_after_days=15, level3_after_days=30)
            for d in (0, 14, 15, 29, 30, 400)] == [1, 1, 2, 2, 3, 3]


@pytest.mark.parametrize(("day", "level"), [("2021-01-10", 1), ("2021-01-20", 2),
                                            ("2021-03-01", 3)])
def test_late_items_escalate(tmp_path: Path, day: str, level: int) -> None:
    ws = load_workspace(make_workspace(tmp_path / "ws", status_log=LOG))
    d = D.fromisoformat(day)
    items = reminders(ws, day_status(ws, d))
    late = (d - D(2020, 12, 31)).days
    # PP-2 (2020) is not done: work 8, its target 8.1 and PP-2 are late, under work 8's lead
    assert [(i.unit, i.kind, i.id, i.reason, i.days, i.level) for i in items
            if i.reason == "逾期"] == [
        (LEAD_8, "工程", "8", "逾期", late, level), (LEAD_8, "目标", "8.1", "逾期", late, level),
        (LEAD_8, "点位", "PP-2", "逾期", late, level)]
    # OC-2 (2021), not started: behind the schedule once 10 % of 2021 has passed (day 37)
    expected = [(LEAD_16, "目标", "16.2", 60, 3), (LEAD_16, "点位", "OC-2", 60, 3)] \
        if d > D(2021, 2, 6) else []
    assert [(i.unit, i.kind, i.id, i.days, i.level) for i in items
            if i.reason == "序时"] == expected


def test_behind_schedule(tmp_path: Path) -> None:
    log = LOG + "2021-06-01,OC-2,进行中,45,,,b\n"
    ws = load_workspace(make_workspace(tmp_path / "ws", status_log=log))
    st = day_status(ws, D(2021, 7, 2))
    # 45 % done against 183/365 = 50.1 % expected: within the 10-point margin
    assert [i.id for i in reminders(ws, st) if i.reason == "序时"] == []
    got = [(i.unit, i.kind, i.id, i.days, i.expected, i.done)
           for i in reminders(ws, st, margin=0) if i.reason == "序时"]
    days = -(-((183 / 365 - 0.45) * 365) // 1)  # ceil: 18.75 → 19
    assert days == 19
    # target 16.2 (2021) counts OC-2 only; the site itself
    assert got == [(LEAD_16, "目标", "16.2", 19, 50.1, 45.0),
                   (LEAD_16, "点位", "OC-2", 19, 50.1, 45.0)]
    # not started at all on 2021-07-02: 183 days behind → level 3
    ws = load_workspace(make_workspace(tmp_path / "ws2", status_log=LOG))
    items = [i for i in reminders(ws, day_status(ws, D(2021, 7, 2))) if i.id == "OC-2"]
    assert [(i.days, i.level, i.done) for i in items] == [(183, 3, 0.0)]


def test_recipients_by_level(tmp_path: Path) -> None:
    root = remind_workspace(tmp_path / "ws", "")
    ws = load_workspace(root)
    cfg = load_remind_config(root, canonical=ws.register.canonical_unit)
    assert [(p.name, p.level) for p in cfg.people] == [
        ("王住建", 1), ("李执法", 1), ("赵副县长", 2), ("钱县长", 3)]
    for day, names in (("2021-01-10", ["李执法"]), ("2021-01-20", ["李执法", "赵副县长"]),
                       ("2021-02-01", ["李执法", "赵副县长", "钱县长"])):
        msgs = plan_messages(cfg, reminders(ws, day_status(ws, D.fromisoformat(day))))
        assert [m.person.name for m in msgs] == names
        # one message each, with every item
        assert all([i.id for i in m.items] == ["8", "8.1", "PP-2"] for m in msgs)


def test_config_problems_listed() -> None:
    data = {"remind": {"level2_after_days": 20, "level3_after_days": 10, "channel": "x",
                       "channels": {"d": {"type": "dingtalk"}, "q": {"type": "fax"}}},
            "people": [{"name": "甲", "role": "boss", "unit": "u"}, {"name": "乙", "role": "unit"}]}
    with pytest.raises(ValidationError) as exc:
        parse_remind(data)
    text = str(exc.value)
    for part in ("level3_after_days", "'x' is no [remind.channels.*]", "[remind.channels.d]",
                 "'fax' must be one of", "'boss' must be one of", "[[people]] 乙"):
        assert part in text, part


def test_cli_bad_config_one_line(tmp_path: Path) -> None:
    root = remind_workspace(tmp_path / "ws", "", remind="")
    cfg = root / "citymap.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('role = "county"', 'role = "boss"'),
                   encoding="utf-8")
    code, _, err = run(root, "remind", "--dry-run", "--as-of", "2021-03-01")
    assert code == 2 and "'boss' must be one of" in err and "Traceback" not in err


def test_dry_run_small(tmp_path: Path) -> None:
    root = remind_workspace(tmp_path / "ws", "")
    code, out, err = run(root, "remind", "--dry-run", "--as-of", "2021-01-20")
    assert code == 0, err
    assert "一级督办(责任单位): 0 项工程, 0 个事项" in out
    assert "二级督办(分管领导): 1 项工程, 3 个事项" in out
    assert "=== → 李执法" in out and "=== → 赵副县长" in out and "钱县长" not in out
    assert "点位 PP-2 西门口袋公园:逾期 20 天(截止 2020-12-31)〔二级督办〕" in out
    assert not (root / "geo" / "remind_log.csv").exists()
    code, out, _ = run(root, "remind", "--dry-run", "--as-of", "2021-01-20", "--lang", "en")
    assert "Level 2 (leader in charge): 1 works, 3 items" in out
    assert "site PP-2 西门口袋公园: 20 days late (due 2020-12-31) [Level 2]" in out


def test_dry_run_nothing_behind(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", status_log=LOG_HEADER)
    code, out, _ = run(root, "remind", "--dry-run", "--as-of", "2020-01-20")
    assert code == 0 and "没有需要发送的新提醒" in out


def test_shipped_dry_run_matches_overdue() -> None:
    """The shipped workspace on 2021-12-31: the late works per level, as overdue lists them."""
    code, out, err = run(REPO, "overdue", "--as-of", "2021-12-31", "--format", "json")
    assert code == 0, err
    overdue = json.loads(out)
    works = {(r["unit"], r["work"]) for r in overdue}
    assert len(overdue) == 4 and works == {("县住房城乡建设局", 16)}
    assert {r["days_late"] for r in overdue} == {0}  # due that day: all level 1
    code, out, err = run(REPO, "remind", "--dry-run", "--as-of", "2021-12-31")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[1] == f"一级督办(责任单位): {len(works)} 项工程, {len(overdue)} 个事项"
    assert lines[2] == "  县住房城乡建设局 · 16 居住环境改造提升工程: " + "; ".join(
        f"{r['kind']} {r['id']} 逾期 0 天" for r in overdue)
    assert lines[3] == "二级督办(分管领导): 0 项工程, 0 个事项"
    assert lines[4] == "三级督办(县级牵头): 0 项工程, 0 个事项"
    assert "=== → 县住房城乡建设局 · 渠道 未配置(未配置人员) ===" in out
    assert "(示意数据,非实测)" in out
    assert not (REPO / "geo" / "remind_log.csv").exists()
