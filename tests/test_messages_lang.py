"""Library messages speak Chinese by default and complete English with ``use_lang("en")``.

Representative errors from the catalogue (citymap.i18n): a bad status-log row, an unknown
CRS, an import with a bad value, a broken register, the problem-list header, and the
measurement statement that travels in both languages.
"""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from _ws import make_workspace
from _ws_core import make_workspace as make_core_workspace
from citymap.cli.main import cli
from citymap.crs import resolve_crs
from citymap.errors import CRSError, Problem, ValidationError
from citymap.i18n import use_lang
from citymap.io.importer import import_sites
from citymap.metrics.output import measurement
from citymap.store.folder import FolderStore
from citymap.workspace import load_workspace

LOG = ("date,id,status,percent,note,unit,recorded_at\n"
       "2020-09-01,PP-1,已完成,100,,县综合行政执法局,2020-09-01T09:00:00+08:00\n"
       "2020-09-02,XX-9,完成,120,,,\n")


def _bad_log_error(tmp_path) -> str:
    with pytest.raises(ValidationError) as info:
        load_workspace(make_core_workspace(tmp_path, status_log=LOG))
    return str(info.value)


def test_a_bad_status_log_row_is_chinese_by_default(tmp_path):
    msg = _bad_log_error(tmp_path / "zh")
    assert msg.splitlines()[0] == "发现 3 个问题:"
    assert "geo/status_log.csv: 第 3 行: id: 未知的点位或工程 'XX-9'" in msg
    assert "第 3 行: status: 未知状态 '完成'; 请用以下之一: 未开始, 进行中, 已完成, 滞后" in msg
    assert "第 3 行: percent: '120' 不在 0–100 之间" in msg
    assert not re.search(r"\b(row|unknown|problems|outside)\b", msg), msg


def test_a_bad_status_log_row_in_english(tmp_path):
    with use_lang("en"):
        msg = _bad_log_error(tmp_path / "en")
    assert msg.splitlines()[0] == "3 problems found:"
    assert "geo/status_log.csv: row 3: id: unknown site or work 'XX-9'" in msg
    assert "row 3: percent: '120' is outside 0–100" in msg
    data = ("未开始, 进行中, 已完成, 滞后", "'完成'")  # the status words are data
    rest = msg
    for d in data:
        rest = rest.replace(d, "")
    assert not re.search(r"[\u4e00-\u9fff]", rest), msg


def test_an_unknown_crs_in_both_languages():
    with pytest.raises(CRSError) as info:
        resolve_crs("EPSG:999999", what="--crs")
    assert str(info.value).startswith("--crs 'EPSG:999999' 不是 pyproj 认识的坐标参照系; ")
    with use_lang("en"), pytest.raises(CRSError) as info:
        resolve_crs("EPSG:999999", what="--crs")
    assert str(info.value).startswith("--crs 'EPSG:999999' is not a coordinate reference "
                                      "system pyproj knows; ")


def test_an_import_with_a_bad_value_names_row_field_and_value(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    f = tmp_path / "公厕.csv"
    f.write_text("名称,经度,纬度,year,seats\n城东公厕,117.6,37.66,2021,1.5\n",
                 encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        import_sites(ws, f, layer="toilets", dry_run=True, store=FolderStore(ws.root))
    assert str(info.value) == f"{f}: 第 1 行 (城东公厕): seats: '1.5' 不是整数"
    with use_lang("en"), pytest.raises(ValidationError) as info:
        import_sites(ws, f, layer="toilets", dry_run=True, store=FolderStore(ws.root))
    assert str(info.value) == f"{f}: row 1 (城东公厕): seats: '1.5' is not a whole number"


def test_the_problem_header_counts_in_each_language():
    problems = [Problem("a.csv", "", "", "x"), Problem("a.csv", "", "", "y")]
    assert str(ValidationError(problems)).splitlines()[0] == "发现 2 个问题:"
    with use_lang("en"):
        assert str(ValidationError(problems)).splitlines()[0] == "2 problems found:"
        assert str(ValidationError(problems[:1])) == "a.csv: x"


def test_the_measurement_statement_carries_both_catalogues():
    m = measurement("EPSG:4548", (117.5, 37.6, 117.66, 37.7))
    assert m["zh"].startswith("长度、面积均为 EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger "
                              "CM 117E) 平面量算 (米、平方米)。QGIS")
    assert m["en"].startswith("Lengths and areas are planar in EPSG:4548")
    assert "(planar larger)" in m["en"] and "(平面值偏大)" in m["zh"]


def test_validate_speaks_chinese_unless_told_otherwise(tmp_path):
    root = make_core_workspace(tmp_path / "ws", status_log=LOG)
    zh = CliRunner().invoke(cli, ["--workspace", str(root), "validate"])
    en = CliRunner().invoke(cli, ["--workspace", str(root), "--lang", "en", "validate"])
    assert zh.exit_code == en.exit_code == 2
    assert zh.stderr.startswith("错误: 发现 3 个问题:\n") and "未知状态 '完成'" in zh.stderr
    assert en.stderr.startswith("Error: 3 problems found:\n")
    assert "unknown status '完成'" in en.stderr
