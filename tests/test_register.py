"""Loading the register: the shipped plan, and every validation error with its message."""

from __future__ import annotations

from pathlib import Path

import pytest

from _ws_core import REGISTER
from citymap.errors import CitymapError, ValidationError
from citymap.register import load_register

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "geo" / "register.yaml"


@pytest.fixture(scope="module")
def shipped():
    return load_register(SHIPPED)


def test_shipped_register_has_the_whole_plan(shipped):
    assert [a.number for a in shipped.actions] == list(range(1, 9))
    assert [w.number for w in shipped.works] == list(range(1, 29))
    assert shipped.action(2).name == "蓝绿空间提升行动"
    assert [(p.start.isoformat(), p.end.isoformat()) for p in shipped.phases] == [
        ("2020-01-01", "2020-04-30"), ("2020-05-01", "2022-09-30"),
        ("2022-10-01", "2022-12-31")]
    # the townships share every work: recorded once, not 28 times
    assert shipped.plan.partner_units_of_every_work == ("各乡镇(街道)党(工)委、政府(办事处)",)
    assert all("各乡镇(街道)党(工)委、政府(办事处)" not in w.partner_units for w in shipped.works)


@pytest.mark.parametrize(("work", "expected"), [
    (16, [(2020, 24), (2021, 31), (2022, 30)]),
    (12, [(2020, 81), (2021, 65), (2022, 70), (2022, 292.6)]),
    (14, [(2020, 3), (2020, 3), (2022, 7)]),
    (23, [(2020, 1), (2021, 30), (2022, 50)]),
    (11, [(2020, 40), (2022, 60)]),
    (17, [(2021, 2), (2022, 1)]),
])
def test_yearly_targets(shipped, work, expected):
    assert [(t.year, t.value) for t in shipped.work(work).targets] == expected


def test_work_4_lighting_targets(shipped):
    by_metric = {(t.metric, t.year): (t.comparison, t.value) for t in shipped.work(4).targets}
    assert by_metric[("lamp_install_rate", 2022)] == ("=", 100)
    assert by_metric[("lamp_lit_rate", 2022)] == ("=", 99)
    assert by_metric[("lighting_intact_rate", 2022)] == (">=", 95)
    assert [by_metric[("back_street_lighting_share", y)][1] for y in (2020, 2021, 2022)] == [
        30, 50, 100]
    assert by_metric[("commercial_street_lighting", 2021)] == (">=", 1)
    assert by_metric[("commercial_area_lighting", 2022)] == ("=", 1)


def test_greenways_and_parks(shipped):
    t = {(x.metric, x.year): x.value for x in shipped.work(8).targets}
    assert t[("pocket_parks", 2020)] == 5 and t[("greenway_length", 2020)] == 10
    assert t[("pocket_parks", 2021)] == 10 and t[("greenway_length", 2022)] == 20


def test_capacity_slip_recorded_as_written_and_flagged(shipped):
    cap = next(t for t in shipped.work(6).targets if t.metric == "wastewater_capacity_added")
    assert (cap.value, cap.unit) == (1.5, "吨/日")
    assert "万吨" in cap.flag


def test_pilot_zone_targets(shipped):
    assert [(t.year, t.value, t.unit, t.comparison) for t in shipped.plan_targets] == [
        (y, 2.0, "km²", ">=") for y in (2020, 2021, 2022)]


@pytest.mark.parametrize("number", [1, 7, 13, 15, 18, 20, 28])
def test_plan_only_works(shipped, number):
    w = shipped.work(number)
    assert w.plan_only and w.status == "方案待定" and not w.targets


def test_units_and_aliases(shipped):
    zj = {w.number for w in shipped.works_of_unit("县住房城乡建设局")}
    assert {6, 9, 12, 14, 16, 17}.issubset(zj) and 11 not in zj
    lead = {w.number for w in shipped.works_of_unit("县住房城乡建设局", lead_only=True)}
    assert lead == {5, 6, 9, 10, 12, 14, 16, 17, 24, 25, 26}
    # 县卫生健康委 and 县卫生健康局 are one unit
    assert shipped.works_of_unit("县卫生健康委") == shipped.works_of_unit("县卫生健康局")


def _load_text(tmp_path: Path, text: str):
    p = tmp_path / "register.yaml"
    p.write_text(text, encoding="utf-8")
    return load_register(p, shown="geo/register.yaml")


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("old", "new", "expected"), [
    ("    action: 1\n", "    action: 9\n",
     "geo/register.yaml: work 8 (line 13): action: unknown action 9; the actions are [1, 2]"),
    ("  - number: 16\n", "  - number: 8\n",
     "geo/register.yaml: work 8 (line 21): number: duplicate work number 8: each work number "
     "is used once"),
    ('layer: pocket_parks}', 'layer: pocket_parks, year: 2023}', "duplicate key 'year'"),
    ("year: 2020, layer: pocket_parks", "year: 2019, layer: pocket_parks",
     "geo/register.yaml: work 8 target 8.1 (line 20): year: must be a year from 2020 to "
     "2022, got 2019"),
    ("    lead_units: [县民政局]\n", "    lead_units: []\n",
     "geo/register.yaml: work 18 (line 30): lead_units: is empty: every work needs at least "
     "one lead unit"),
    ("metric: pocket_parks", "metric: pocket_park_count",
     "geo/register.yaml: work 8 target 8.1 (line 20): metric: unknown metric "
     "'pocket_park_count'"),
    ("unit: 处", "unit: 个",
     "unit: '个' does not fit metric 'pocket_parks', which is in '处'"),
    ("    status: 方案待定\n", "    status: 搁置\n", "status: unknown status '搁置'"),
    ("    name: 园林绿化提档升级工程\n", "    name: 园林绿化提档升级工程\n    budget: 100\n",
     "budget: unknown field 'budget'"),
    ('comparison: ">="', 'comparison: ">"', "comparison: must be one of >=, =, got '>'"),
])
def test_each_validation_error_has_its_message(tmp_path, old, new, expected):
    assert old in REGISTER
    with pytest.raises(ValidationError) as info:
        _load_text(tmp_path, REGISTER.replace(old, new, 1))
    assert expected in str(info.value)
    assert isinstance(info.value, CitymapError) and isinstance(info.value, ValueError)


@pytest.mark.usefixtures("english")
def test_all_problems_reported_at_once(tmp_path):
    text = REGISTER.replace("    action: 1\n", "    action: 9\n").replace(
        "lead_units: [县民政局]", "lead_units: []")
    with pytest.raises(ValidationError) as info:
        _load_text(tmp_path, text)
    assert len(info.value.problems) == 2
    assert str(info.value).startswith("2 problems found:")


@pytest.mark.usefixtures("english")
def test_yaml_syntax_error_is_one_line(tmp_path):
    with pytest.raises(ValidationError) as info:
        _load_text(tmp_path, "works: [\n")
    msg = str(info.value)
    assert "\n" not in msg and msg.startswith("geo/register.yaml: line ")


@pytest.mark.usefixtures("english")
def test_not_utf8(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_bytes("工程".encode("gbk"))
    with pytest.raises(ValidationError, match="is not UTF-8"):
        load_register(p)
