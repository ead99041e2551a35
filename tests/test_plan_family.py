"""Plans of the family (city quality / renewal / check-up), each against its expected register.

``tests/data/plans/*.txt`` are plan texts written for these tests in the usual variants of
the family (numbering 一、/(一)/1./1、/(1)/一是, units in brackets, 牵头/配合 forms and own
lines, several wordings of the township rule, periods 2021–2023 to 2023–2025, targets in
Arabic and Chinese numerals, traditional and simplified characters). Each has an
``.expected.yaml`` read by hand as a planner would. The parser is scored on works, units,
targets and the numbers it lists without a year; the scores must reach the thresholds.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from _plans import fill_gaps
from citymap.planparse import DraftRegister, parse_plan_text

PLANS = Path(__file__).parent / "data" / "plans"
TEXTS = sorted(PLANS.glob("*.txt"))

#: Minimum share found of what is expected, per kind (all plans must reach them).
THRESHOLDS = {"works": 1.0, "units": 1.0, "targets": 0.9, "unplaced": 0.9, "precision": 0.9}


@attrs.frozen
class Score:
    """Found / expected per kind, and drafted targets that are not expected."""

    works: tuple[int, int]
    units: tuple[int, int]
    targets: tuple[int, int]
    unplaced: tuple[int, int]
    extra_targets: list[str]

    def share(self, kind: str) -> float:
        if kind == "precision":
            found = self.targets[0]
            return found / (found + len(self.extra_targets)) if found else 1.0
        got, want = getattr(self, kind)
        return got / want if want else 1.0


def _expected(text: Path) -> dict[str, Any]:
    data = yaml.safe_load(text.with_suffix(".expected.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _target_key(t: Any) -> tuple[Any, ...]:
    return (t.work, t.start_year, t.year, t.unit_written, t.comparison)


def score(draft: DraftRegister, exp: dict[str, Any]) -> Score:
    """Score ``draft`` against an expected register (format: see the .expected.yaml files)."""
    works = {w.number: w for w in draft.works}
    w_ok = u_ok = 0
    for number, action, name, lead, partners in exp["works"]:
        w = works.get(number)
        if w is not None and (w.name, w.action) == (name, action):
            w_ok += 1
        if w is not None and (list(w.lead_units), list(w.partner_units)) == (lead, partners):
            u_ok += 1
    drafted = list(draft.targets)
    t_ok = 0
    for work, y0, y1, value, unit, cmp, base, base_unit in exp["targets"]:
        for t in drafted:
            if (_target_key(t) == (work, y0, y1, unit, cmp) and t.base_unit == base_unit
                    and t.base_value is not None and math.isclose(t.base_value, base,
                                                                  abs_tol=0.01)
                    and t.written.startswith(_written_start(value, t.written))):
                drafted.remove(t)
                t_ok += 1
                break
    loose = [u for u in draft.unplaced if u.field == "year" and u.value is not None]
    n_ok = 0
    for work, value, unit in exp.get("unplaced", []):
        hit = next((u for u in loose if (u.work, u.value, u.unit_written) == (work, value, unit)),
                   None)
        if hit is not None:
            loose.remove(hit)
            n_ok += 1
    extra = [f"{t.work}: {t.start_year}-{t.year} {t.written} {t.comparison}" for t in drafted]
    return Score((w_ok, len(exp["works"])), (u_ok, len(exp["works"])),
                 (t_ok, len(exp["targets"])), (n_ok, len(exp.get("unplaced", []))), extra)


def _written_start(value: float, written: str) -> str:
    """The expected value is the number as written when written in Arabic digits."""
    if written[:1].isdigit():
        return str(int(value)) if float(value).is_integer() else str(value)
    return ""


@pytest.fixture(scope="module", params=[p.name for p in TEXTS])
def case(request: pytest.FixtureRequest) -> tuple[DraftRegister, dict[str, Any]]:
    path = PLANS / request.param
    return parse_plan_text(path.read_text(encoding="utf-8"), source=path.name), _expected(path)


def test_there_are_six_variants_in_both_scripts() -> None:
    assert len(TEXTS) >= 6
    assert any("zh-hant" in p.name for p in TEXTS) and any("zh-hans" in p.name for p in TEXTS)
    assert "牽頭" in (PLANS / "shunde_2021-2025_zh-hant.txt").read_text(encoding="utf-8")


def test_scores_reach_the_thresholds(case: tuple[DraftRegister, dict[str, Any]]) -> None:
    draft, exp = case
    s = score(draft, exp)
    for kind, least in THRESHOLDS.items():
        assert s.share(kind) >= least, (kind, s)


def test_header_and_period(case: tuple[DraftRegister, dict[str, Any]]) -> None:
    draft, exp = case
    p, e = draft.plan, exp["plan"]
    assert (p.title, p.county, p.issued_by) == (e["title"], e["county"], e["issued_by"])
    assert p.issued == e["issued"]
    assert (p.start, p.end) == (e["start"], e["end"])
    assert list(p.partner_units_of_every_work) == e["every_work"]
    assert [a.name for a in draft.actions] == exp["actions"]
    # the township rule is never a unit of a work
    for w in draft.works:
        assert not any(u.startswith("各") for u in w.lead_units + w.partner_units), w


def test_every_target_carries_its_sentence(case: tuple[DraftRegister, dict[str, Any]]) -> None:
    draft, _exp = case
    for t in draft.targets:
        assert t.written and t.written.replace(" ", "")[:2] in t.text.replace(" ", ""), t
        assert t.text.endswith(("。", ")", ";")) or "\n" not in t.text
    for u in draft.unplaced:
        assert u.text and u.reason and u.reason_zh


def test_score_can_fail() -> None:
    """The scoring notices a wrong unit, a lost target and a wrong year."""
    path = PLANS / "wudi_2021-2023_zh-hans.txt"
    draft = parse_plan_text(path.read_text(encoding="utf-8"))
    exp = _expected(path)
    w1 = draft.works[0]
    spoilt = attrs.evolve(w1, lead_units=("县财政局",), targets=w1.targets[1:])
    draft.works[0] = spoilt
    draft.plan_targets.append(attrs.evolve(w1.targets[0], year=2022, start_year=2022))
    s = score(draft, exp)
    assert s.units[0] == s.units[1] - 1 and s.targets[0] == s.targets[1] - 1
    assert s.extra_targets


def test_county_is_never_guessed() -> None:
    """Titles whose words end in 市/区 but name no place leave the county empty."""
    for title in ("全面提升城市品质三年行动实施方案", "城市更新工程提升城市功能实施方案",
                  "逐步完善城市功能工作方案", "综合实验区城市品质提升行动方案"):
        d = parse_plan_text(f"{title}\n一、重点任务\n(一)城市功能提升行动\n"
                            "1.道路工程。2021年新建道路3条。(住建局牵头,财政局配合)\n")
        assert d.plan.county == "", title
        assert any(u.field == "county" for u in d.unplaced)
        assert d.works[0].lead_units == ("住建局",) and d.works[0].partner_units == ("财政局",)


@pytest.mark.parametrize("rule", [
    "各镇(街道)均为责任单位,不再列出。", "各镇街均为责任单位。",
    "各乡镇(街道)按职责分工负责。", "各区县(市)人民政府均为各项任务的责任单位,不再一一列出。",
    "各镇(街道)负责本辖区内相关工作,不再列出。",
])
def test_township_rule_wordings(rule: str) -> None:
    text = ("某县城市品质提升三年行动实施方案(2021—2023年)\n二、重点任务\n" + rule + "\n"
            "(一)城市功能提升行动\n1.道路工程。2021年新建道路3条。(牵头单位:县住建局;"
            "责任单位:县财政局," + rule.split("均")[0].split("按")[0].split("负责")[0] + ")\n")
    d = parse_plan_text(text)
    subject = rule.split("均")[0].split("按")[0].split("负责")[0]
    assert d.plan.partner_units_of_every_work == (subject,)
    assert d.works[0].partner_units == ("县财政局",)


@pytest.mark.parametrize(("block", "lead", "partners"), [
    ("(牵头单位:县住建局;责任单位:县财政局、县发改局)", ["县住建局"], ["县财政局", "县发改局"]),
    ("(县自然资源局牵头,县住建局、县财政局配合)", ["县自然资源局"], ["县住建局", "县财政局"]),
    ("(县住建局牵头,县水利局参与)", ["县住建局"], ["县水利局"]),
    ("(县住建局牵头)", ["县住建局"], []),
    ("〔责任单位:县住建局、县财政局〕", ["县住建局", "县财政局"], []),
    ("\n责任单位:县住建局(牵头)、县财政局", ["县住建局"], ["县财政局"]),
    ("\n牵头部门:县住建局\n配合部门:县财政局、县水利局", ["县住建局"], ["县财政局", "县水利局"]),
    ("(牵头部门:县交通局,配合单位:县公安局)", ["县交通局"], ["县公安局"]),
    ("(由县住建局、县水利局按职责分工负责)", ["县住建局", "县水利局"], []),
    ("由县住建局牵头制定。责任单位:县财政局", ["县住建局"], ["县财政局"]),
])
def test_unit_forms(block: str, lead: list[str], partners: list[str]) -> None:
    d = parse_plan_text(f"(一)城市更新行动\n1.道路工程。2021年新建道路3条。{block}\n")
    w = d.works[0]
    assert (list(w.lead_units), list(w.partner_units)) == (lead, partners)
    assert "责任单位" not in w.summary and "牵头" not in w.summary.replace("由县住建局牵头制定", "")


def test_year_range_is_not_overridden_by_every_year() -> None:
    text = ("某县城市更新行动实施方案(2021—2023年)\n(一)城市更新行动\n"
            "1.改造工程。2021—2022年累计改造老旧小区20个,2022—2023年每年改造10个以上。"
            "(县住建局牵头)\n")
    d = parse_plan_text(text)
    got = sorted((t.start_year, t.year, t.value, t.comparison) for t in d.works[0].targets)
    assert got == [(2021, 2022, 20, "="), (2022, 2022, 10, ">="), (2023, 2023, 10, ">=")]


def test_dates_are_dates(case: tuple[DraftRegister, dict[str, Any]]) -> None:
    draft, _exp = case
    assert isinstance(draft.plan.start, dt.date) and isinstance(draft.plan.end, dt.date)


# ----------------------------------------------------------------------------- validate

SITES_LAYER = """\
name = "sites"
role = "sites"
source = "geo/sites/sites.geojson"
geometry = "Polygon"
action = 1
works = [{work}]
title = {{ zh = "项目", en = "Sites" }}
popup = ["name", "year", "status"]
"""


PARTIAL = ("城市品质提升工作方案\n一、重点任务\n1.道路建设工程。2021年新建道路3条。\n"
           "2.绿化提升工程。2022年新建口袋公园二处。\n")


def test_partial_draft_validates_once_filled(tmp_path: Path) -> None:
    """No county, no period, no action, no units: all listed, and filled in, it validates."""
    draft = parse_plan_text(PARTIAL)
    assert {u.field for u in draft.unplaced} >= {"county", "start", "action", "lead_units"}
    assert (draft.plan.county, draft.actions) == ("", [])
    test_draft_validates_once_the_listed_gaps_are_filled(tmp_path, (draft, {}))


def test_draft_validates_once_the_listed_gaps_are_filled(
        tmp_path: Path, case: tuple[DraftRegister, dict[str, Any]]) -> None:
    from click.testing import CliRunner

    from _ws_core import LAYERS, default_features, make_workspace, site, square
    from citymap.cli.main import cli
    from citymap.plandraft import draft_to_yaml

    draft, _exp = case
    data = yaml.safe_load(draft_to_yaml(draft))
    first = data["works"][0]["number"]
    layers = {"sites": SITES_LAYER.format(work=first), "roads": LAYERS["roads"]}

    def validate(register: dict[str, Any], name: str) -> Any:
        text = yaml.safe_dump(register, allow_unicode=True, sort_keys=False)
        # a site of the plan's own first year (2021 when the draft has no period yet)
        start = register["plan"].get("start")
        year = int(str(start)[:4]) if start else 2021
        features = {"sites": [site("S-1", str(first), "项目一", year, square(117.57, 37.64))],
                    "roads": default_features()["roads"]}
        ws = make_workspace(tmp_path / name, register=text, layers=layers, features=features)
        return CliRunner().invoke(cli, ["validate", "--workspace", str(ws)])

    if any(t.metric is None for t in draft.targets):  # as drafted: refused until reviewed
        raw = validate(data, "raw")
        assert raw.exit_code == 2 and "metric" in raw.stderr
    fill_gaps(data, draft)
    res = validate(data, "filled")
    assert res.exit_code == 0, res.output
    assert f"完成: 工程 {len(draft.works)} 项" in res.stderr


@pytest.mark.parametrize(("text", "found"), [
    ("打通断头路三条", [(3, None, "条", "条", 3, "条")]),
    ("新建改造城市道路二十公里以上", [(20, None, "公里", "km", 20000, "m")]),
    ("覆盖率达到百分之六十", [(60, None, "百分之", "%", 60, "%")]),
    ("六成以上面积达到要求", [(60, None, "成", "%", 60, "%")]),
    ("每年打造试点3—5个", [(3, 5, "个", "个", 3, "个")]),
    ("新增污水处理能力2万吨/日", [(2, None, "万吨/日", "万吨/日", 20000, "吨/日")]),
    ("新建海绵型绿地120亩", [(120, None, "亩", "亩", 80000, "m²")]),
    ("惠及居民1.2万户", [(1.2, None, "万户", "万户", 12000, "户")]),
    ("拆迁面积二十万平方米", [(20, None, "万平方米", "万m²", 200000, "m²")]),
    ("新增供水能力10万立方米/日", [(10, None, "万立方米/日", "万m³/日", 100000, "m³/日")]),
    ("分别完成24、31、30个", [(24, None, "个", "个", 24, "个"), (31, None, "个", "个", 31, "个"),
                           (30, None, "个", "个", 30, "个")]),
    ("执行“十个必须”和六个百分之百", []),
    ("千家万户,第一个,城市品质提升是一项复杂的系统工程,分三个阶段实施", []),
])
def test_quantities(text: str, found: list[tuple[Any, ...]]) -> None:
    from citymap.planparse.numerals import find_quantities

    got = [(q.value, q.high, q.unit_written, q.unit, round(q.base_value, 2), q.base_unit)
           for q in find_quantities(text)]
    assert got == found


@pytest.mark.parametrize("name", [p.name for p in TEXTS if "zh-hant" in p.name])
def test_traditional_reads_as_its_simplified_copy(name: str) -> None:
    from citymap.planparse import to_simplified

    text = (PLANS / name).read_text(encoding="utf-8")
    a, b = parse_plan_text(text), parse_plan_text(to_simplified(text))
    assert a.works == b.works and a.plan == b.plan and a.unplaced == b.unplaced


def test_units_after_sub_items_belong_to_the_work() -> None:
    text = ("某县城市品质提升三年行动实施方案(2021—2023年)\n二、重点任务\n(一)城市功能提升行动\n"
            "1.道路畅通工程。\n(1)2021年打通断头路3条。\n(2)2022年新建改造道路20公里。\n"
            "(牵头单位:县住建局;责任单位:县财政局)\n2.园林绿化工程。\n①2021年新建口袋公园5处;\n"
            "②2022年新建绿道10公里。\n责任单位:县综合行政执法局(牵头)、县自然资源局\n")
    d = parse_plan_text(text)
    assert [(w.number, w.name, w.lead_units, w.partner_units) for w in d.works] == [
        (1, "道路畅通工程", ("县住建局",), ("县财政局",)),
        (2, "园林绿化工程", ("县综合行政执法局",), ("县自然资源局",))]
    assert [(t.year, t.written) for t in d.works[1].targets] == [(2021, "5处"), (2022, "10公里")]
    assert d.works[0].summary == "(1)2021年打通断头路3条。(2)2022年新建改造道路20公里。"


def test_items_inside_one_action_paragraph() -> None:
    """一是…;二是…;三是… on one line, full-width digits, a work that is only name + units."""
    text = ("某某市某某区城市品质提升三年行动实施方案（２０２１—２０２３年）\n二、重点任务\n"
            "（一）实施城市生态修复行动。一是推进河道整治，２０２２年完成河道治理５公里（区水利局牵头，"
            "区住建局配合）；二是加强园林绿化，每年新建口袋公园不少于３处（区城管局牵头）；"
            "三是推进海绵城市建设（区住建局牵头，区水利局配合）。\n（二）实施城市功能完善行动\n"
            "１．老旧小区改造。２０２１年改造老旧小区１０个。（区住建局牵头，区财政局配合）\n")
    d = parse_plan_text(text)
    assert [(w.number, w.action, w.name, w.lead_units, w.partner_units) for w in d.works] == [
        (1, 1, "推进河道整治", ("区水利局",), ("区住建局",)),
        (2, 1, "加强园林绿化", ("区城管局",), ()),
        (3, 1, "推进海绵城市建设", ("区住建局",), ("区水利局",)),
        (4, 2, "老旧小区改造", ("区住建局",), ("区财政局",))]
    assert [(t.year, t.value) for t in d.works[1].targets] == [(2021, 3), (2022, 3), (2023, 3)]
    assert d.works[2].summary == "" and d.plan.county == "某某区"
