"""Progress spreadsheets: the template's shape and protection, reading xlsx and csv."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from citymap.errors import ValidationError
from citymap.io.xlsx import COLUMNS, SHEET_NAME, read_progress_file, write_template

ROWS = [
    {"id": "8", "kind": "工程", "works": "8", "name": "园林绿化提档升级工程", "year": 2020,
     "current": "进行中", "current_date": None},
    {"id": "PP-1", "kind": "点位", "works": "8", "name": "东门口袋公园", "year": 2020,
     "current": "未开始", "current_date": "2020-06-21"},
]


def col(key: str) -> int:
    return [c.key for c in COLUMNS].index(key) + 1


def test_template_is_protected_with_dropdowns(tmp_path: Path) -> None:
    path = write_template(tmp_path / "t.xlsx", ROWS, unit="县综合行政执法局",
                          as_of=dt.date(2021, 6, 1), title="测试方案")
    wb = load_workbook(path)
    assert wb.sheetnames == [SHEET_NAME, "填报说明"]
    sh = wb[SHEET_NAME]
    assert [c.value for c in sh[1]] == [c.zh for c in COLUMNS]
    assert sh.protection.sheet is True
    assert sh.cell(row=2, column=col("id")).value == "8"
    assert sh.cell(row=3, column=col("id")).protection.locked is True
    assert sh.cell(row=3, column=col("name")).protection.locked is True
    for key in ("status", "date", "percent", "note"):
        assert sh.cell(row=3, column=col(key)).protection.locked is False
    assert sh.cell(row=3, column=col("unit")).value == "县综合行政执法局"
    kinds = {dv.type: dv for dv in sh.data_validations.dataValidation}
    assert set(kinds) == {"list", "date", "decimal"}
    assert kinds["list"].formula1 == '"未开始,进行中,已完成,滞后"'
    assert "H2:H3" in str(kinds["list"].sqref)
    assert sh.column_dimensions["D"].width == 32
    assert sh.freeze_panes == "B2"
    assert "县综合行政执法局" in [c.value for c in wb["填报说明"]["B"]]


def test_template_as_csv(tmp_path: Path) -> None:
    path = write_template(tmp_path / "t.csv", ROWS, unit="县综合行政执法局",
                          as_of=dt.date(2021, 6, 1))
    text = path.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == ",".join(c.zh for c in COLUMNS)
    assert read_progress_file(path).rows == ()  # nothing filled in yet
    assert read_progress_file(path).skipped == 2


@pytest.mark.usefixtures("english")
def test_template_refuses_other_formats(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="xlsx or .csv"):
        write_template(tmp_path / "t.xls", ROWS, unit="u", as_of=dt.date(2021, 6, 1))


def test_read_filled_template(tmp_path: Path) -> None:
    path = write_template(tmp_path / "t.xlsx", ROWS, unit="县综合行政执法局",
                          as_of=dt.date(2021, 6, 1))
    wb = load_workbook(path)
    sh = wb[SHEET_NAME]
    sh.cell(row=3, column=col("status"), value="已完成")
    sh.cell(row=3, column=col("date"), value=dt.date(2020, 11, 1))
    sh.cell(row=3, column=col("percent"), value=100)
    wb.save(path)
    pf = read_progress_file(path)
    assert pf.skipped == 1 and len(pf.rows) == 1
    row = pf.rows[0]
    assert row.row == 3 and row.where == f"t.xlsx [{SHEET_NAME}]"
    assert row.text("id") == "PP-1" and row.text("status") == "已完成"
    assert row.text("date") == "2020-11-01" and row.values["percent"] == 100
    assert row.label("status") == "H 新状态"


def test_read_percent_formatted_cell_and_english_headers(tmp_path: Path) -> None:
    wb = Workbook()
    sh = wb.active
    assert sh is not None
    sh.append(["ID", "Status", "Date", "Percent complete"])
    sh.append([16, "进行中", "2021/5/1", 0.8])
    sh.cell(row=2, column=4).number_format = "0%"
    wb.save(tmp_path / "en.xlsx")
    row = read_progress_file(tmp_path / "en.xlsx").rows[0]
    assert row.text("id") == "16" and row.values["percent"] == pytest.approx(80)


def test_read_gb18030_csv(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("编号,新状态,日期\nOC-1,进行中,2021-05-01\n".encode("gb18030"))
    row = read_progress_file(path).rows[0]
    assert (row.text("id"), row.text("status"), row.label("date")) == (
        "OC-1", "进行中", "C 日期")


@pytest.mark.usefixtures("english")
def test_missing_columns_and_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("编号,备注\nOC-1,x\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="missing column") as info:
        read_progress_file(path)
    assert "新状态" in str(info.value) and "日期" in str(info.value)
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ValidationError, match="cannot be read"):
        read_progress_file(tmp_path / "bad.xlsx")
    with pytest.raises(ValidationError, match="not found"):
        read_progress_file(tmp_path / "none.xlsx")
    with pytest.raises(ValidationError, match="xlsx or .csv"):
        read_progress_file(_touch(tmp_path / "x.ods"))


def _touch(p: Path) -> Path:
    p.write_bytes(b"")
    return p
