"""Values as people write them: years and numbers as text, loose dates, department statuses.

The tables are written the way Excel writes them (a CSV with BOM and CRLF, an XLSX made
with openpyxl with real date cells), imported with the options a planner types.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
import shapely

from _intake import metres, run, sites, tree_hash
from _ws import make_workspace
from citymap.io.intake.values import to_date, to_status, to_year

LON, LAT = 117.6, 37.66


def excel_csv(path, header, rows, encoding="utf-8-sig"):
    text = "\r\n".join([",".join(header), *(",".join(map(str, r)) for r in rows)]) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def test_years_dates_and_statuses_as_departments_write_them(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    rows = [
        ["城东公厕", LON, LAT, "2021年", "完工", "2021/5/1", "８"],
        ["城西公厕", LON + 0.01, LAT, "2021", "在建", "2021.05.01", "1.5"],
        ["城南公厕", LON + 0.02, LAT, "2022年", "未开工", "2021年5月1日", ""],
        ["城北公厕", LON + 0.03, LAT, "2020", "前期", "44317", "6"],
        ["站前公厕", LON + 0.04, LAT, " 2021 ", "已竣工", "2021-05-01", "4.0"],
    ]
    f = excel_csv(tmp_path / "公厕.csv", ["名称", "经度", "纬度", "建设年份", "进展", "日期",
                                         "厕位"], rows)
    r = run("--lang", "en",
            "import", f, "--layer", "toilets", "--map", "建设年份=year", "--map", "进展=status",
            "--map", "日期=status_date", "--map", "厕位=seats", "-w", ws)
    assert r.exit_code == 2, r.output  # "1.5" is not a whole number: the only problem
    assert r.output == (f"Error: {f}: row 2 (城西公厕): seats: '1.5' is not a whole number\n")
    rows[1][6] = "12"
    excel_csv(f, ["名称", "经度", "纬度", "建设年份", "进展", "日期", "厕位"], rows)
    r = run("--lang", "en",
            "import", f, "--layer", "toilets", "--map", "建设年份=year", "--map", "进展=status",
            "--map", "日期=status_date", "--map", "厕位=seats", "-w", ws)
    assert r.exit_code == 0, r.output
    assert "coordinate columns read as lon/lat" in r.stderr
    got = sites(ws, "toilets")
    assert [got[n]["year"] for n in ("城东公厕", "城西公厕", "城南公厕", "城北公厕", "站前公厕")] \
        == [2021, 2021, 2022, 2020, 2021]
    assert [got[n]["status"] for n in ("城东公厕", "城西公厕", "城南公厕", "城北公厕")] == [
        "已完成", "进行中", "未开始", "未开始"]
    assert {got[n]["status_date"] for n in got if n.endswith("公厕") and n != "人民公园公厕"
            and n != "幸福小区公厕"} == {"2021-05-01"}
    assert got["城东公厕"]["seats"] == 8 and got["城西公厕"]["seats"] == 12
    assert got["城南公厕"]["seats"] is None and got["站前公厕"]["seats"] == 4
    assert metres(got["城北公厕"]["geometry"], shapely.Point(LON + 0.03, LAT)) < 1.0


def test_one_wrong_value_is_one_problem_with_its_row_and_value(tmp_path):
    # 28 features, years as text (as web GeoJSON and KML carry them), one of them wrong
    ws = make_workspace(tmp_path / "ws")
    rows = [[f"公厕{i}", LON + i * 0.001, LAT, "2021年", "进行中", "2021-03-01"]
            for i in range(28)]
    rows[6][3] = "明年"
    f = excel_csv(tmp_path / "t.csv", ["名称", "lon", "lat", "年份", "状态", "状态日期"], rows)
    before = tree_hash(ws)
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.output == (f"Error: {f}: row 7 (公厕6): year: '明年' is not a year; write a plan "
                        "year 2020–2022\n")
    assert tree_hash(ws) == before


def test_workspace_extends_the_status_synonyms(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    f = excel_csv(tmp_path / "t.csv", ["名称", "lng", "lat", "年份", "状态"],
                  [["城东公厕", LON, LAT, 2021, "基本完工"]])
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws)
    assert r.exit_code == 2
    assert "status: '基本完工' is not a status; use one of 未开始, 进行中, 已完成, 滞后 (or add " \
        "the word to [import.status_synonyms] in citymap.toml)" in r.output
    with open(ws / "citymap.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[import.status_synonyms]\n"基本完工" = "进行中"\n')
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws)
    assert r.exit_code == 0, r.output
    assert sites(ws, "toilets")["城东公厕"]["status"] == "进行中"


def test_xlsx_with_date_cells_serials_and_text_years(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.title = "公厕台账"
    sh.append(["序号", "名称", "经度", "纬度", "建设年份", "建设状态", "状态日期", "厕位"])
    sh.append([1, "城东公厕", LON, LAT, "2021年", "施工中", dt.datetime(2021, 5, 1), 8])
    sh.append([2, "城西公厕", LON + 0.01, LAT, 2022, "竣工", dt.datetime(2021, 6, 30), "10"])
    wb.save(tmp_path / "公厕.xlsx")
    r = run("--lang", "en",
            "import", tmp_path / "公厕.xlsx", "--layer", "toilets", "--map", "厕位=seats",
            "--dry-run", "-w", ws)
    assert r.exit_code == 0, r.output
    assert "序号 ← 序号 (kept: not a field of the layer)" in r.stderr
    assert "status ← 建设状态 (header synonym)" in r.stderr
    r = run("--lang", "en",
            "import", tmp_path / "公厕.xlsx", "--layer", "toilets", "--map", "厕位=seats",
            "-w", ws)
    assert r.exit_code == 0, r.output
    got = sites(ws, "toilets")
    assert got["城东公厕"]["year"] == 2021 and got["城东公厕"]["status"] == "进行中"
    assert got["城东公厕"]["status_date"] == "2021-05-01"
    assert got["城西公厕"]["status"] == "已完成" and got["城西公厕"]["seats"] == 10
    assert got["城西公厕"]["status_date"] == "2021-06-30"
    assert metres(got["城西公厕"]["geometry"], shapely.Point(LON + 0.01, LAT)) < 1.0


@pytest.mark.parametrize(("text", "day"), [
    ("2021/5/1", "2021-05-01"), ("2021.05.01", "2021-05-01"), ("2021年5月1日", "2021-05-01"),
    (44317, "2021-05-01"), ("44317", "2021-05-01"), ("２０２１/５/１", "2021-05-01"),
])
def test_dates(text, day):
    assert to_date(text) == day


@pytest.mark.usefixtures("english")
def test_years_and_statuses():
    assert [to_year(v) for v in ("2021年", " 2021 ", 2021.0, "２０２１", dt.date(2021, 3, 1))] \
        == [2021] * 5
    for bad in ("2019", "明年", 2021.5):
        with pytest.raises(ValueError, match="plan year 2020–2022"):
            to_year(bad)
    assert [to_status(v) for v in ("完工", "已竣工", "竣工", "在建", "施工中", "未开工",
                                   "前期", "滞后")] == [
        "已完成", "已完成", "已完成", "进行中", "进行中", "未开始", "未开始", "滞后"]


def test_xlsx_with_a_title_row_above_the_header(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    wb = openpyxl.Workbook()
    sh = wb.active
    sh.append(["阳信县公厕台账（2021年）"])
    sh.append(["名称", "经度", "纬度", "年份", "状态", "状态日期"])
    sh.append(["城东公厕", LON, LAT, "2021年", "完工", dt.datetime(2021, 5, 1)])
    wb.save(tmp_path / "台账.xlsx")
    r = run("import", tmp_path / "台账.xlsx", "--layer", "toilets", "-w", ws)
    assert r.exit_code == 0, r.output
    got = sites(ws, "toilets")["城东公厕"]
    assert (got["year"], got["status"], got["status_date"]) == (2021, "已完成", "2021-05-01")
    assert metres(got["geometry"], shapely.Point(LON, LAT)) < 1.0


def test_a_synonym_naming_no_status_is_refused_on_loading(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    with open(ws / "citymap.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[import.status_synonyms]\n"基本完工" = "差不多"\n')
    r = run("--lang", "en", "validate", "-w", ws)
    assert r.exit_code == 2
    assert "citymap.toml: [import.status_synonyms]: 基本完工: '差不多' is not a status; use " \
        "one of 未开始, 进行中, 已完成, 滞后" in r.output
