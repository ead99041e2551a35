"""Tests of citymap.planparse: the Yangxin seed text against the shipped register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from _plans import fill_gaps
from citymap.errors import ValidationError, WorkspaceError
from citymap.plandraft import compare_with_register, draft_to_yaml
from citymap.planparse import (
    DraftRegister,
    parse_plan_text,
    read_plan_file,
    to_simplified,
)
from citymap.register import Register, load_register
from citymap.vocab import METRICS

ROOT = Path(__file__).resolve().parents[1]
SEED = Path(__file__).parent / "data" / "plan_yangxin_zh-hant.txt"


@pytest.fixture(scope="module")
def register() -> Register:
    return load_register(ROOT / "geo" / "register.yaml")


@pytest.fixture(scope="module")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def drafts(seed_text: str) -> dict[str, DraftRegister]:
    return {
        "traditional": parse_plan_text(seed_text, source=SEED.name),
        "simplified": parse_plan_text(to_simplified(seed_text), source="simplified"),
    }


@pytest.fixture(scope="module", params=["traditional", "simplified"])
def draft(request: pytest.FixtureRequest, drafts: dict[str, DraftRegister]) -> DraftRegister:
    return drafts[request.param]


# ----------------------------------------------------------------------------- structure


def test_seed_is_traditional(seed_text: str) -> None:
    assert "牽頭單位" in seed_text and "牵头单位" not in seed_text


def test_all_28_works_match_the_register(draft: DraftRegister, register: Register) -> None:
    assert [w.number for w in draft.works] == list(range(1, 29))
    for r in register.works:
        d = draft.work(r.number)
        assert (d.number, d.name, d.action) == (r.number, r.name, r.action), r.number
        assert d.lead_units == r.lead_units, r.number
        assert d.partner_units == r.partner_units, r.number
        assert d.plan_only == r.plan_only, r.number


def test_actions_match(draft: DraftRegister, register: Register) -> None:
    assert [(a.number, a.name) for a in draft.actions] == [
        (a.number, a.name) for a in register.actions]


def test_plan_header(draft: DraftRegister, register: Register) -> None:
    p = draft.plan
    assert p.title == register.plan.title
    assert p.county == "阳信县"
    assert p.issued_by == register.plan.issued_by
    assert p.issued == dt.date(2020, 6, 21)
    assert (p.start, p.end) == (dt.date(2020, 1, 1), dt.date(2022, 12, 31))
    assert p.basis == register.plan.basis
    # the note under work 1: recorded once, not repeated in every work
    assert p.partner_units_of_every_work == register.plan.partner_units_of_every_work
    assert all("各乡镇(街道)" not in u for w in draft.works for u in w.partner_units)


def test_unit_variants(draft: DraftRegister) -> None:
    # "(牵头单位:县综合行政执法局牵头,…)": the suffix 牵头 is dropped
    assert draft.work(3).lead_units == ("县综合行政执法局",)
    # stray space "县公安局 、"
    assert draft.work(11).partner_units == ("县公安局", "县卫生健康局")
    # "(由A、B…按职责分工负责)": all lead, no partners
    assert len(draft.work(25).lead_units) == 8 and draft.work(25).partner_units == ()
    # "(由…牵头制定。责任单位:…)"
    assert draft.work(26).lead_units[0] == "县自然资源规划局"
    assert draft.work(26).partner_units[-1] == "县综合行政执法局"
    # work 28 has no parentheses
    assert draft.work(28).lead_units == ("县委宣传部",)
    assert draft.work(28).partner_units == ("县民政局", "县公安局", "县综合行政执法局",
                                            "县文化旅游局")
    # units are kept as written (aliases are the register's business)
    assert draft.work(12).partner_units[-1] == "县自然资源和规划局"


def test_boilerplate_is_dropped(draft: DraftRegister) -> None:
    text = draft_to_yaml(draft)
    for junk in ("范文站", "首页", "标签", "以上内容由住建局提报"):
        assert junk not in text
    assert "以上内容" not in draft.work(5).summary


def test_summaries(draft: DraftRegister) -> None:
    assert draft.work(1).summary == "由县自然资源规划局牵头制定。"
    assert draft.work(14).summary == "2020年打通断头路3条,新建3座水系桥。2021-2022年打通7条断头路。"
    assert "牵头单位" not in draft.work(14).summary


def test_phases(draft: DraftRegister, register: Register) -> None:
    got = [(p.number, p.name, p.start, p.end) for p in draft.phases]
    assert got == [(p.number, p.name, p.start, p.end) for p in register.phases]
    assert got[0][3] == dt.date(2020, 4, 30)
    assert got[1][2:] == (dt.date(2020, 5, 1), dt.date(2022, 9, 30))
    assert got[2][2:] == (dt.date(2022, 10, 1), dt.date(2022, 12, 31))


def test_traditional_and_simplified_agree(drafts: dict[str, DraftRegister]) -> None:
    a, b = drafts["traditional"], drafts["simplified"]
    assert a.works == b.works
    assert a.plan == b.plan and a.phases == b.phases and a.actions == b.actions
    assert a.plan_targets == b.plan_targets and a.unplaced == b.unplaced


# ----------------------------------------------------------------------------- targets


#: Register targets the text gives with a year and a number. Not here: 4.1-4.3 (no year in the
#: text), 4.6 ("全部", no number).
DRAFTABLE = {4: {"4.4", "4.5", "4.7", "4.8"}}


@pytest.mark.parametrize("work", [4, 8, 12, 14, 16, 23])
def test_targets_with_year_and_number(draft: DraftRegister, register: Register,
                                      work: int) -> None:
    reviewed = [t for t in register.work(work).targets
                if work not in DRAFTABLE or t.id in DRAFTABLE[work]]
    drafted = draft.work(work).targets
    assert sorted((t.start_year, t.year, t.value, t.unit, t.metric) for t in drafted) == sorted(
        (t.start_year, t.year, t.value, t.unit, t.metric) for t in reviewed)
    # comparison as written; 23.1 "2020年1个乡镇(街道)" has no 以上, the register reads ">="
    comparisons = {(t.year, t.value, t.unit): t.comparison for t in reviewed}
    comparisons[(2020, 1.0, "个")] = "=" if work == 23 else comparisons.get((2020, 1.0, "个"), "")
    for t in drafted:
        assert t.comparison == comparisons[(t.year, t.value, t.unit)], t
        assert t.id.startswith(f"{work}.")


def test_work_4_targets_spelled_out(draft: DraftRegister) -> None:
    got = {(t.year, t.value, t.unit, t.comparison, t.metric) for t in draft.work(4).targets}
    assert got == {
        (2020, 30, "%", ">=", "back_street_lighting_share"),
        (2021, 50, "%", ">=", "back_street_lighting_share"),
        (2021, 1, "处", ">=", "commercial_street_lighting"),  # 至少
        (2022, 1, "处", "=", "commercial_area_lighting"),
    }


def test_year_ranges(draft: DraftRegister) -> None:
    # 2021-2022年打通7条断头路: one total over two years
    t = [t for t in draft.work(14).targets if t.value == 7][0]
    assert (t.start_year, t.year, t.metric) == (2021, 2022, "dead_end_roads_opened")
    # 2021-2022年,分别…: one target per year
    assert sorted((t.year, t.value) for t in draft.work(8).targets if t.unit == "km") == [
        (2020, 10), (2021, 20), (2022, 20)]
    # "2021新增…" (no 年) still reads as a year
    assert {t.year for t in draft.work(12).targets} == {2020, 2021, 2022}


def test_pilot_zone(draft: DraftRegister, register: Register) -> None:
    pilots = [t for t in draft.plan_targets if t.metric == "pilot_zone_area"]
    assert sorted((t.year, t.value, t.unit, t.comparison) for t in pilots) == sorted(
        (t.year, t.value, t.unit, t.comparison) for t in register.plan_targets)
    assert all(t.work is None and t.id.startswith("P.") for t in pilots)


def test_every_drafted_metric_is_known_and_fits_the_unit(draft: DraftRegister) -> None:
    for t in draft.targets:
        if t.metric is not None:
            assert METRICS[t.metric].unit == t.unit


@pytest.mark.usefixtures("english")
def test_register_targets_found_or_explained(draft: DraftRegister, register: Register) -> None:
    diffs = compare_with_register(draft, register)
    not_drafted = [d for d in diffs if "not drafted" in d]
    # every register target not drafted is explained: a gap or a number without a year
    assert all("expected gap" in d or "without a year" in d for d in not_drafted)
    gaps = {d.split("register target ")[1].split()[0] for d in not_drafted
            if "expected gap" in d}
    assert {"2.1", "2.2", "2.3", "5.1", "5.2", "6.1", "6.3", "10.1", "17.1", "17.2", "21.1",
            "21.2", "21.3", "27.1", "4.6"} == gaps
    loose = {d.split("register target ")[1].split()[0] for d in not_drafted
             if "without a year" in d}
    assert loose == {"4.1", "4.2", "4.3"}
    # no difference in works, units or actions
    assert not [d for d in diffs if "units" in d or "name" in d or "action" in d]


# ----------------------------------------------------------------------------- unplaced


def test_unplaced_items_reported(draft: DraftRegister) -> None:
    reasons = [(u.work, u.value, u.unit, u.reason) for u in draft.unplaced]
    # 装灯率100%, 亮灯率99%, 完好率95%以上: no year in the sentence, metric only suggested
    no_year = {(w, v, m) for w, v, _u, m in
               ((u.work, u.value, u.unit, u.metric) for u in draft.unplaced
                if "no year" in u.reason)}
    # and 推进三个装配式建材基地建设 (a Chinese numeral, no year)
    assert no_year == {(4, 100, "lamp_install_rate"), (4, 99, "lamp_lit_rate"),
                       (4, 95, "lighting_intact_rate"), (26, 3, None)}
    # "确定1个…试点片区": 1个 has no keyword of its own
    assert any(w is None and v == 1 and u == "个" and "no keyword" in r
               for w, v, u, r in reasons)
    for u in draft.unplaced:
        assert u.text and u.reason and str(u)


# ----------------------------------------------------------------------------- YAML


def test_draft_yaml_round_trips(draft: DraftRegister) -> None:
    text = draft_to_yaml(draft)
    assert text.startswith("# 草稿 (DRAFT)")
    data = yaml.safe_load(text)
    assert [w["number"] for w in data["works"]] == list(range(1, 29))
    w4 = next(w for w in data["works"] if w["number"] == 4)
    assert w4["lead_units"] == ["县综合行政执法局"]
    assert {(t["year"], t["value"], t["unit"]) for t in w4["targets"]} == {
        (2020, 30, "%"), (2021, 50, "%"), (2021, 1, "处"), (2022, 1, "处")}
    w14 = next(w for w in data["works"] if w["number"] == 14)
    assert w14["targets"][2]["start_year"] == 2021
    assert data["plan"]["partner_units_of_every_work"] == ["各乡镇(街道)党(工)委、政府(办事处)"]
    assert data["phases"][1]["end"] == dt.date(2022, 9, 30)
    # unknown metrics stay null, for the planner to fill in
    assert any(t["metric"] is None for t in data["plan_targets"])
    assert "# 未能归位的内容" in text


def test_draft_yaml_loads_as_register_once_reviewed(draft: DraftRegister) -> None:
    """After the planner fills in the nulls, the draft is a valid register."""
    from citymap.register import parse_register

    data = yaml.safe_load(draft_to_yaml(draft))
    fill_gaps(data, draft)
    reg = parse_register(data, shown="draft")
    assert len(reg.works) == 28


# ----------------------------------------------------------------------------- other counties

OTHER = """\
某某范文网
位置：首页 > 公文
惠民县城市品质提升三年行动实施方案

一、重点任务

（一）蓝绿空间提升行动

1．园林绿化提升工程。2021年建成口袋公园8处以上，2022年建成绿道15公里。（牵头单位：县园林局，责任单位：县财政局、县住建局）

2．城市排水工程。由县水务局牵头制定实施方案。（牵头单位：县水务局，责任单位：县财政局）

（二）道路交通提升行动

3．城市路网提升工程。2020年至2021年新建停车泊位500个。2021年打通断头路2条。（由县交通局、县住建局按职责分工负责）

二、方法步骤

（一）宣传发动阶段（2020年5月31日前）
（二）品质提升阶段（2020年6月—2022年10月）
（三）总结评价阶段（2022年11月—12月）

惠民县住房和城乡建设局
2020.07.01
"""


def test_other_county_two_actions_three_works() -> None:
    d = parse_plan_text(OTHER, source="huimin.txt")
    assert [(a.number, a.name) for a in d.actions] == [(1, "蓝绿空间提升行动"),
                                                      (2, "道路交通提升行动")]
    assert [(w.number, w.action, w.name) for w in d.works] == [
        (1, 1, "园林绿化提升工程"), (2, 1, "城市排水工程"), (3, 2, "城市路网提升工程")]
    assert d.work(1).lead_units == ("县园林局",)
    assert d.work(1).partner_units == ("县财政局", "县住建局")
    assert d.work(2).plan_only and not d.work(1).plan_only
    assert d.work(3).lead_units == ("县交通局", "县住建局") and d.work(3).partner_units == ()
    assert d.plan.county == "惠民县" and d.plan.title == "惠民县城市品质提升三年行动实施方案"
    assert d.plan.issued == dt.date(2020, 7, 1)
    assert d.plan.partner_units_of_every_work == ()
    assert [(p.start, p.end) for p in d.phases] == [
        (None, dt.date(2020, 5, 31)), (dt.date(2020, 6, 1), dt.date(2022, 10, 31)),
        (dt.date(2022, 11, 1), dt.date(2022, 12, 31))]
    assert {(t.year, t.value, t.unit, t.comparison, t.metric) for t in d.work(1).targets} == {
        (2021, 8, "处", ">=", "pocket_parks"), (2022, 15, "km", "=", "greenway_length")}
    t3 = {(t.start_year, t.year, t.value, t.unit, t.metric) for t in d.work(3).targets}
    # 停车泊位: no rule → metric None, and reported as unplaced
    assert t3 == {(2020, 2021, 500, "个", None), (2021, 2021, 2, "条", "dead_end_roads_opened")}
    assert [(u.work, u.value) for u in d.unplaced if u.value is not None] == [(3, 500)]
    # the first phase has no start and the text does not say when the plan starts: reported
    assert any("phase" in u.reason for u in d.unplaced)
    text = draft_to_yaml(d)
    assert yaml.safe_load(text)["works"][2]["lead_units"] == ["县交通局", "县住建局"]


# ----------------------------------------------------------------------------- errors


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("garbage", ["", "hello world\n1 2 3", "这不是一个实施方案。\n只有两行。",
                                     "\x00\x01\x02"])
def test_garbage_is_a_clear_error(garbage: str) -> None:
    with pytest.raises(ValidationError, match="no numbered works found"):
        parse_plan_text(garbage, source="junk.txt")


def test_not_text_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_plan_text(b"1.xx")  # type: ignore[arg-type]


@pytest.mark.usefixtures("english")
def test_read_plan_file_encodings(tmp_path: Path, seed_text: str) -> None:
    simplified = to_simplified(seed_text)
    (tmp_path / "u8.txt").write_text(seed_text, encoding="utf-8")
    (tmp_path / "gbk.txt").write_bytes(simplified.replace("\xa0", " ").encode("gbk"))
    (tmp_path / "gb18030.txt").write_bytes(seed_text.encode("gb18030"))
    assert read_plan_file(tmp_path / "u8.txt") == (seed_text, "utf-8")
    text, enc = read_plan_file(tmp_path / "gbk.txt")
    assert enc == "gb18030" and parse_plan_text(text).work(4).lead_units == ("县综合行政执法局",)
    assert read_plan_file(tmp_path / "gb18030.txt") == (seed_text, "gb18030")
    (tmp_path / "bin.dat").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(ValidationError, match="not a text file"):
        read_plan_file(tmp_path / "bin.dat")
    with pytest.raises(WorkspaceError, match="no such file"):
        read_plan_file(tmp_path / "missing.txt")
