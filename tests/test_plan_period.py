"""A plan of another period (2023–2025): every plan year comes from the register.

The workspace is :mod:`_ws_core`'s with the register of a 2023–2025 plan (``plan.start`` /
``plan.end``), sites planned for 2024 and a status log of 2023–2025. Nothing of it may be
measured against the seed's 2020–2022.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import _ws_core as core
from _ws_period import LOG, REGISTER, default_features, make_workspace
from citymap.cli.main import cli
from citymap.workspace import load_workspace


def run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["-w", str(root), *args])


@pytest.fixture
def ws2023(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def test_the_plan_years_are_the_registers(ws2023: Path) -> None:
    ws = load_workspace(ws2023)
    assert ws.register.plan.years == (2023, 2025)
    assert ws.plan_years == (2023, 2025)
    assert len(ws.history.events) == 4
    r = run(ws2023, "validate")
    assert r.exit_code == 0, r.output


def test_years_outside_the_period_are_refused(tmp_path: Path) -> None:
    feats = default_features()
    feats["pocket_parks"][0]["properties"]["year"] = 2022
    log = LOG + "2022-12-31,PP-2,进行中,,,县综合行政执法局,2023-01-02T09:00:00+08:00\n"
    r = run(make_workspace(tmp_path / "a", features=feats, log=log), "--lang", "en", "validate")
    assert r.exit_code == 2
    assert "feature 'PP-1': year: must be a plan year 2023–2025, got 2022" in r.output
    assert "row 6: date: '2022-12-31' is outside 2023-01-01 …" in r.output
    assert "Traceback" not in r.output


def test_a_register_without_a_period_keeps_the_seeds_years(tmp_path: Path) -> None:
    # the 2024 sites of a register that gives no start/end: the default 2020–2022 holds
    r = run(core.make_workspace(tmp_path / "b", features=default_features()),
            "--lang", "en", "validate")
    assert r.exit_code == 2
    assert "year: must be a plan year 2020–2022, got 2024" in r.output


def test_a_period_ending_before_it_starts_is_refused(tmp_path: Path) -> None:
    register = REGISTER.replace("end: 2025-12-31", "end: 2022-12-31")
    r = run(make_workspace(tmp_path / "c", register=register), "--lang", "en", "validate")
    assert r.exit_code == 2
    assert "plan (line 2): end: '2022-12-31' is before the start '2023-01-01'" in r.output


def test_metrics_of_a_year_of_the_period(ws2023: Path) -> None:
    r = run(ws2023, "metrics", "--year", "2024", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["year"] == 2024 and data["as_of"] == "2024-12-31"
    got = {t["id"]: (t["actual"], t["verdict"]) for t in data["targets"]}
    # both parks done in 2024; no community done by 2024-12-31 (OC-1 in 2025)
    assert got == {"8.1": (2.0, "met"), "16.1": (0.0, "behind"), "16.2": (0.0, "in progress")}


@pytest.mark.parametrize(("lang", "want"), [
    ("zh", "错误: --year 2021 不在规划期 2023–2025 内: 请给出 2023–2025 之间的年份\n"),
    ("en", "Error: --year 2021 is outside the plan's period 2023–2025: give a year from "
           "2023 to 2025\n")])
@pytest.mark.parametrize("command", ["metrics", "report"])
def test_a_year_outside_the_period_is_refused(ws2023: Path, command: str, lang: str,
                                              want: str) -> None:
    r = CliRunner().invoke(cli, ["-w", str(ws2023), "--lang", lang, command, "--year", "2021"])
    assert r.exit_code == 2
    assert r.output == want
    assert not (ws2023 / "reports").exists()


def test_build_dates_and_panels_are_the_plans_years(ws2023: Path, tmp_path: Path) -> None:
    out = tmp_path / "maps"
    r = run(ws2023, "build", "-o", str(out))
    assert r.exit_code == 0, r.output
    page = (out / "index.html").read_text(encoding="utf-8")
    m = re.search(r'id="citymap-data">(.*?)</script>', page, re.S)
    assert m is not None
    blob = json.loads(m.group(1))
    today = dt.date.today()
    dates = blob["dates"]
    quick = [k for k, d in enumerate(dates) if d["quick"]]
    assert [(dates[k]["iso"], dates[k]["label"]) for k in quick] == [
        ("2023-12-31", "2023年底"), ("2024-12-31", "2024年底"), ("2025-12-31", "2025年底"),
        (today.isoformat(), f"今天 ({today.isoformat()})")]
    # the month axis runs over the plan's own years: first and last month-end of 2023–2025
    months = [d["iso"] for d in dates if not d["quick"] or d["iso"].endswith("-12-31")]
    assert months[0] == "2023-01-31"
    assert "2025-11-30" in months
    assert not any(m < "2023-01-01" for m in months)
    # each year's panel shows that year's targets; today (after the plan) shows its last year
    panels = [blob["panel"][k] for k in quick]
    assert [p["year"] for p in panels] == [2023, 2024, 2025, 2025]
    ids = [[row["id"] for row in p["rows"]] for p in panels]
    assert ids == [["16.2"], ["8.1", "16.1", "16.2"], ["16.2"], ["16.2"]]


def test_progress_template_checks_dates_from_the_plans_start(ws2023: Path,
                                                             tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "进度.xlsx"
    r = run(ws2023, "progress", "template", "--unit", "县综合行政执法局", "-o", str(out))
    assert r.exit_code == 0, r.output
    sheet = load_workbook(out).worksheets[0]
    dates = [dv for dv in sheet.data_validations.dataValidation if dv.type == "date"]
    assert len(dates) == 1
    assert (dates[0].formula1, dates[0].formula2) == ("DATE(2023,1,1)", "TODAY()")
    assert dates[0].error == "日期须在 2023-01-01 与今天之间, 格式 YYYY-MM-DD"


def test_status_before_the_plans_start_is_refused(ws2023: Path) -> None:
    r = run(ws2023, "--lang", "en", "status", "set", "PP-2", "进行中", "--date", "2022-12-31",
            "--unit", "县综合行政执法局")
    assert r.exit_code == 2
    assert "'2022-12-31' is outside 2023-01-01 …" in r.output
    assert (ws2023 / "geo" / "status_log.csv").read_text(encoding="utf-8") == LOG
    r = run(ws2023, "--lang", "en", "status", "set", "OC-2", "进行中", "--date", "2025-01-10",
            "--unit", "县住房城乡建设局")
    assert r.exit_code == 0, r.output


def test_import_reads_years_of_the_period(ws2023: Path, tmp_path: Path) -> None:
    src = tmp_path / "parks.geojson"
    core.write_geojson(src, [
        core.feature(core.square(117.60, 37.66), name="北门口袋公园", year="2025年"),
        core.feature(core.square(117.61, 37.66), name="南门口袋公园", year="2022")])
    r = run(ws2023, "--lang", "en", "import", str(src), "--layer", "pocket_parks")
    assert r.exit_code == 2
    assert "year: '2022' is not a plan year 2023–2025" in r.output
    assert "2025" not in r.output.replace("2023–2025", "")  # 2025年 was read
    core.write_geojson(src, [
        core.feature(core.square(117.60, 37.66), name="北门口袋公园", year="2025年")])
    r = run(ws2023, "--lang", "en", "import", str(src), "--layer", "pocket_parks")
    assert r.exit_code == 0, r.output
    parks = load_workspace(ws2023).data["pocket_parks"]
    assert sorted(parks["year"].tolist()) == [2024, 2024, 2025]


@pytest.mark.parametrize(("end", "overview"), [("2025-12-31", "2023–2025 三年总评"),
                                               ("2027-12-31", "2023–2027 五年总评")])
def test_report_overview_names_the_period(tmp_path: Path, end: str, overview: str) -> None:
    register = REGISTER.replace("end: 2025-12-31", f"end: {end}")
    root = make_workspace(tmp_path / "ws", register=register)
    out = tmp_path / "总评.html"
    r = run(root, "report", "--no-maps", "-o", str(out))
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert f"<title>测试县三年行动 {overview}</title>" in html
    assert f"· {overview}</p>" in html
    assert f"({overview.split()[0]}), 截至" in html
    text = re.sub(r"data:[^\"')]+", "", html)  # the inlined pictures
    assert "2020" not in text and "2022" not in text


def test_an_unreadable_register_does_not_judge_years(tmp_path: Path) -> None:
    # the period is unknown: the register's problem is told, not 2024 against 2020–2022
    register = REGISTER.replace("metric: pocket_parks", "metric: pocket_park")
    r = run(make_workspace(tmp_path / "d", register=register), "--lang", "en", "validate")
    assert r.exit_code == 2
    assert "unknown metric 'pocket_park'" in r.output
    assert "year:" not in r.output and "date:" not in r.output


def test_monthly_report_of_a_month_of_the_period(ws2023: Path, tmp_path: Path) -> None:
    r = run(ws2023, "report", "--month", "2021-12")
    assert r.exit_code == 2
    assert r.output == ("错误: --month 2021-12 不在规划期 2023–2025 内: "
                        "请给出 2023–2025 之间的月份\n")
    out = tmp_path / "月报.html"
    r = run(ws2023, "report", "--month", "2024-11", "--no-maps", "-o", str(out))
    assert r.exit_code == 0, r.output
    assert "2024 年 11 月 月度通报" in out.read_text(encoding="utf-8")
