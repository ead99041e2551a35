"""``citymap papers dispatch``: the 调度表 — values, print set-up, no formula cell."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from _remind import LOG
from _ws_progress import LEAD_8, LEAD_16, make_workspace
from citymap.cli.main import cli
from citymap.papers import note_parts

REPO = Path(__file__).resolve().parents[1]
HEAD = ["序号", "工程名称", "牵头单位", "责任单位", "年度目标", "已完成", "计划", "完成率(%)",
        "状态", "是否滞后", "存在问题", "下步计划"]


def run(root: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    return r.exit_code, r.stdout, r.stderr


def no_formulas(path: Path) -> None:
    wb = load_workbook(path)
    for sh in wb.worksheets:
        for row in sh.iter_rows():
            for c in row:
                assert c.data_type != "f", (sh.title, c.coordinate, c.value)


def test_note_parts() -> None:
    assert note_parts("问题：资金未到位；下步：协调财政局", "进行中") == \
        ("资金未到位", "协调财政局")
    assert note_parts("下一步计划:6月底完工 存在问题:拆迁", "进行中") == ("拆迁", "6月底完工")
    assert note_parts("资金未到位", "滞后") == ("资金未到位", "")
    assert note_parts("外墙保温施工", "进行中") == ("", "")


def test_dispatch_small(tmp_path: Path) -> None:
    log = LOG + ("2021-03-01,OC-2,进行中,30,问题：居民意见不一；下步：入户协调,县住房城乡建设局,b\n"
                 "2021-04-01,8,滞后,,=HYPERLINK(\"http://x\"),县综合行政执法局,c\n"
                 "2021-05-01,OC-2,进行中,40,下步：6月开工,县住房城乡建设局,d\n"
                 "2022-01-05,OC-2,已完成,100,问题：已解决,县住房城乡建设局,e\n")
    root = make_workspace(tmp_path / "ws", status_log=log)
    out = tmp_path / "调度表.xlsx"
    code, stdout, err = run(root, "papers", "dispatch", "--as-of", "2021-06-30", "-o", str(out))
    assert code == 0, err
    assert stdout.strip() == str(out)
    no_formulas(out)
    wb = load_workbook(out)
    sh = wb.active
    assert sh is not None and sh.title == "调度表"
    title = sh["A1"].value
    assert title.startswith("测试县三年行动 工作调度表") and "2021-06-30" in title
    assert "示意" in title
    assert [c.value for c in sh[2]] == HEAD
    rows = [[c.value for c in r] for r in sh.iter_rows(min_row=3)]
    assert [r[0] for r in rows] == [8, 16, 18]
    w8, w16, w18 = rows
    # work 8: PP-1 done, PP-2 not (both 2020); set 滞后 with a note: the problem, as text
    assert w8[2:4] == [LEAD_8, LEAD_16]
    assert w8[5:10] == [1, 2, 50.0, "滞后", "是"]
    assert w8[10] == '=HYPERLINK("http://x")' and w8[11] is None
    # work 16: OC-1 (2020) done; OC-2 (2021) in progress; latest problem and next step
    assert w16[2:4] == [LEAD_16, "县卫生健康局"]
    assert w16[4] == "改造老旧小区 1个(2021)"
    assert w16[5:10] == [1, 2, 50.0, "进行中", "否"]
    assert w16[10:12] == ["居民意见不一", "6月开工"]
    # work 18: plan only, no site
    assert w18[5:10] == [None, None, None, "方案待定", "否"]
    assert sh.freeze_panes == "C3"
    assert sh.page_setup.orientation == "landscape" and int(sh.page_setup.paperSize) == 9
    assert sh.print_title_rows == "$2:$2"
    assert sh.column_dimensions["B"].width == 24
    assert sh["K3"].alignment.wrap_text
    # English, and a file that is not .xlsx is refused
    code, _, err = run(root, "--lang", "en", "papers", "dispatch", "--as-of", "2022-01-31",
                       "-o", str(tmp_path / "d.xlsx"))
    sh = load_workbook(tmp_path / "d.xlsx").active
    assert sh is not None and sh["A3"].value == 8 and sh["I4"].value == "done"
    assert sh["K4"].value == "已解决"
    code, _, err = run(root, "papers", "dispatch", "-o", str(tmp_path / "d.csv"))
    assert code == 2 and ".xlsx" in err


def test_dispatch_replaces_only_its_own(tmp_path: Path) -> None:
    from openpyxl import Workbook

    root = make_workspace(tmp_path / "ws", status_log=LOG)
    out = tmp_path / "调度表.xlsx"
    assert run(root, "--lang", "en",
               "papers", "dispatch", "--as-of", "2021-06-30", "-o", str(out))[0] == 0
    assert run(root, "--lang", "en",
               "papers", "dispatch", "--as-of", "2021-07-31", "-o", str(out))[0] == 0
    sh = load_workbook(out).active
    assert sh is not None and "2021-07-31" in str(sh["A1"].value)
    theirs = tmp_path / "会议.xlsx"
    wb = Workbook()
    wb.properties.creator = "张三"
    wb.save(theirs)
    before = theirs.read_bytes()
    code, _, err = run(root, "--lang", "en", "papers", "dispatch", "-o", str(theirs))
    assert code == 2 and "never replaces" in err and theirs.read_bytes() == before


def _expected_shipped(day: str) -> dict[int, tuple[int, int]]:
    """(done, planned) per work from the shipped files, computed without citymap."""
    register: dict[int, tuple[int, int]] = {}
    sites: list[dict[str, object]] = []
    for p in sorted((REPO / "geo" / "sites").glob("*.geojson")):
        for f in json.loads(p.read_text(encoding="utf-8"))["features"]:
            sites.append(f["properties"])
    latest: dict[str, tuple[str, str, str]] = {}
    with (REPO / "geo" / "status_log.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["date"] <= day:
                key = (r["date"], r["recorded_at"])
                if r["id"] not in latest or key >= latest[r["id"]][:2]:
                    latest[r["id"]] = (r["date"], r["recorded_at"], r["status"])
    for s in sites:
        if int(str(s["year"])) > int(day[:4]):
            continue
        if s["id"] in latest:
            status = latest[str(s["id"])][2]
        elif s.get("status_date") and str(s["status_date"]) <= day:
            status = str(s["status"])
        else:
            status = "未开始"
        for w in str(s["works"]).replace(";", ",").split(","):
            if w.strip():
                d, n = register.get(int(w), (0, 0))
                register[int(w)] = (d + (status == "已完成"), n + 1)
    return register


def test_dispatch_shipped(tmp_path: Path) -> None:
    out = tmp_path / "调度表.xlsx"
    code, _, err = run(REPO, "papers", "dispatch", "--as-of", "2021-12-31", "-o", str(out))
    assert code == 0, err
    no_formulas(out)
    sh = load_workbook(out).active
    assert sh is not None
    rows = [[c.value for c in r] for r in sh.iter_rows(min_row=3)]
    assert len(rows) == 28 and [r[0] for r in rows] == list(range(1, 29))
    expected = _expected_shipped("2021-12-31")
    got = {r[0]: (r[5], r[6]) for r in rows if r[6] is not None}
    assert got == expected
    for r in rows:
        if r[6]:
            assert r[7] == round(100 * r[5] / r[6], 1)
    # late: what citymap overdue lists on that day (work 16 only)
    assert [r[0] for r in rows if r[9] == "是"] == [16]
    assert "示意" in sh["A1"].value
