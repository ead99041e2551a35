"""Read a county's plan text (``N.名称工程。… (牵头单位:…,责任单位:…)``) into a draft register.

Shandong's provincial city-quality plan was handed down to every county, and each county's
implementation plan has the same shape: top-level sections ``一、…``, actions ``(一)…行动``,
numbered works ``1.规划设计提升工程。…`` each ending with its lead and responsible units,
phases ``(一)宣传发动阶段(2020年4月30日前)`` and safeguards. :func:`parse_plan_text` turns
such a text, in traditional or simplified characters, into a :class:`DraftRegister`;
:func:`citymap.plandraft.draft_to_yaml` writes it in the format of ``geo/register.yaml`` for a
planner to review; :func:`citymap.plandraft.compare_with_register` lists where a draft and a
reviewed register differ.

Targets are drafted only from sentences that give a year and a number with a unit. A metric is
filled in only when a keyword rule maps the words next to the number, unambiguously and with a
matching unit, to a metric citymap knows; everything else is listed in
:attr:`DraftRegister.unplaced`, never guessed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs

from citymap.errors import Problem, ValidationError, WorkspaceError
from citymap.vocab import METRICS, PLAN_YEARS

__all__ = [
    "DraftAction",
    "DraftPhase",
    "DraftPlan",
    "DraftRegister",
    "DraftTarget",
    "DraftWork",
    "KEYWORD_RULES",
    "UNIT_NAMES",
    "Unplaced",
    "parse_plan_text",
    "read_plan_file",
    "to_simplified",
]

# ----------------------------------------------------------------------------- records


@attrs.frozen
class DraftAction:
    """An action heading ``(一)风貌特色提升行动``."""

    number: int
    name: str


@attrs.frozen
class DraftPhase:
    """A phase heading ``(一)宣传发动阶段(2020年4月30日前)`` with its dates, if given."""

    number: int
    name: str
    start: dt.date | None
    end: dt.date | None


@attrs.frozen
class DraftTarget:
    """A target drafted from a sentence with a year and a number.

    Attributes
    ----------
    id
        ``"<work>.<n>"`` or ``"P.<n>"`` for a plan-level target.
    work
        The work number, or ``None`` for text outside the works (safeguards, goals).
    metric
        A key of :data:`citymap.vocab.METRICS`, or ``None`` when no keyword rule placed it.
    name
        The words around the number, years and comparison words removed.
    value, unit, comparison
        The number, its unit normalised to the register's units, ``">="`` or ``"="``.
    year, start_year
        The deadline year; the first year for a total over several years.
    text
        The clause it was read from.
    note
        How it was drafted when not obvious (metric carried over, one per year, ...).
    """

    id: str
    work: int | None
    metric: str | None
    name: str
    value: float
    unit: str
    comparison: str
    year: int
    start_year: int
    text: str
    note: str = ""


@attrs.frozen
class DraftWork:
    """A numbered work ``N.名称工程。…`` with its units and drafted targets."""

    number: int
    action: int | None
    name: str
    lead_units: tuple[str, ...]
    partner_units: tuple[str, ...]
    summary: str
    plan_only: bool
    targets: tuple[DraftTarget, ...] = ()
    text: str = ""


@attrs.frozen
class DraftPlan:
    """The plan's header as far as the text gives it."""

    title: str
    county: str
    issued_by: str = ""
    issued: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    basis: tuple[str, ...] = ()
    partner_units_of_every_work: tuple[str, ...] = ()


@attrs.frozen
class Unplaced:
    """A piece of the text the parser could not place, and why.

    Attributes
    ----------
    text
        The fragment (a clause or a line).
    reason
        Why it was not placed, in words for the planner.
    work
        The work it belongs to, or ``None``.
    value, unit
        The number and its (normalised) unit, when the fragment is a number.
    metric
        The metric a keyword next to the number suggests, if any (a hint, not a placement).
    """

    text: str
    reason: str
    work: int | None = None
    value: float | None = None
    unit: str | None = None
    metric: str | None = None

    def __str__(self) -> str:
        where = f"工程{self.work}: " if self.work is not None else ""
        return f"{where}{self.text!r} — {self.reason}"


@attrs.define
class DraftRegister:
    """A register drafted from a plan text, to be reviewed before use.

    Attributes
    ----------
    source
        Where the text came from (a file name or ``"<text>"``).
    plan, phases, actions, works
        What was found.
    plan_targets
        Targets outside the works (e.g. the pilot zone under the safeguards).
    unplaced
        What could not be placed: numbers without a year, numbers no keyword rule maps to a
        metric, works without units, phases without dates, ...
    """

    source: str
    plan: DraftPlan
    phases: list[DraftPhase]
    actions: list[DraftAction]
    works: list[DraftWork]
    plan_targets: list[DraftTarget] = attrs.field(factory=list)
    unplaced: list[Unplaced] = attrs.field(factory=list)

    @property
    def targets(self) -> list[DraftTarget]:
        """Every drafted target: the works' in order, then the plan-level ones."""
        return [t for w in self.works for t in w.targets] + list(self.plan_targets)

    def work(self, number: int) -> DraftWork:
        """The work numbered ``number``; ``KeyError`` if there is none."""
        for w in self.works:
            if w.number == number:
                return w
        raise KeyError(number)


# ----------------------------------------------------------------------------- vocabulary

#: Units of numbers recognised in target sentences → the unit the register uses.
UNIT_NAMES: dict[str, str] = {
    "万平方米": "万m²",
    "平方公里": "km²",
    "平方米": "m²",
    "公里": "km",
    "千米": "km",
    "吨/日": "吨/日",
    "吨/天": "吨/日",
    "个": "个",
    "处": "处",
    "条": "条",
    "座": "座",
    "项": "项",
    "%": "%",
}


@attrs.frozen
class _Rule:
    keyword: str
    metrics: tuple[str, ...]
    unless: tuple[str, ...] = ()


def _rule(keyword: str, *metrics: str, unless: tuple[str, ...] = ()) -> _Rule:
    return _Rule(keyword, metrics, unless)


#: Keyword rules: a keyword next to a number → the metric(s) it may be. When a keyword names
#: several metrics, the number's unit picks one (a metric's unit must equal the number's).
KEYWORD_RULES: tuple[_Rule, ...] = (
    _rule("装灯率", "lamp_install_rate"),
    _rule("亮灯率", "lamp_lit_rate"),
    _rule("照明设施完好率", "lighting_intact_rate"),
    _rule("背街小巷", "back_street_lighting_share"),
    _rule("商业街", "commercial_street_lighting"),
    _rule("商业片区", "commercial_area_lighting"),
    _rule("示范路", "facade_demo_road"),
    _rule("雨污分流", "sewer_separation_roads", "sewer_separation_communities"),
    _rule("污水处理厂", "wastewater_plant_expansion"),
    _rule("污水处理能力", "wastewater_capacity_added"),
    _rule("口袋公园", "pocket_parks"),
    _rule("绿道", "greenway_length"),
    _rule("在线监测", "construction_sites_monitored"),
    _rule("消纳场", "construction_waste_sites"),
    _rule("深度保洁", "deep_cleaning_share"),
    _rule("集中供热面积", "heating_area_added", unless=("接通", "累计")),
    _rule("供热接通面积", "heating_area_connected"),
    _rule("断头路", "dead_end_roads_opened"),
    _rule("水系桥", "water_bridges_built"),
    _rule("老旧小区", "old_communities_retrofitted", unless=("雨污分流",)),
    _rule("易涝", "waterlogging_sections_fixed"),
    _rule("环城水系", "ring_water_system"),
    _rule("分类示范", "sorting_demo_townships", "sorting_demo_township_share"),
    _rule("文化中心", "culture_center_built"),
    _rule("试点片区", "pilot_zone_area"),
)

for _r in KEYWORD_RULES:  # a rule naming an unknown metric is a programming error
    for _m in _r.metrics:
        if _m not in METRICS:  # pragma: no cover
            raise RuntimeError(f"keyword rule {_r.keyword!r} names unknown metric {_m!r}")

_GE_BEFORE = ("不少于", "至少", "不低于", "达到", "超过")
_GE_AFTER = ("以上", "及以上")
_LE_WORDS = ("以下", "以内", "不超过", "不高于", "不大于")

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "一二三四五六七八九十"

_CJK = "\u4e00-\u9fff"
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNIT_NAMES, key=len, reverse=True))
_NUMBER = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)\s*({_UNIT_RE})")
_YEAR_RANGE = re.compile(r"(20\d\d)\s*年?\s*(?:至|到|-|—|–|~|－)\s*(20\d\d)\s*年")
_YEAR_ONE = re.compile(r"(20\d\d)\s*年")
# "2021新增…": a bare year right before a word (not a unit, not a date like 2020.06.21)
_YEAR_BARE = re.compile(rf"(?<![\d.〔\[(])(20\d\d)(?=[{_CJK}])(?![年个处条座公万平吨项千])")
_EACH_YEAR = re.compile(r"每年")

_SECTION = re.compile(rf"^([{_CN_NUM}]+)\s*[、.]\s*(.{{1,30}})$")
_PAREN_HEAD = re.compile(rf"^\(([{_CN_NUM}]+)\)\s*(.+)$")
_WORK = re.compile(rf"^(\d{{1,3}})\s*[.、]\s*(?=[{_CJK}《“(])(.+)$")
_DATE_LINE = re.compile(r"^(20\d\d)\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?$")
_ISSUER = re.compile(
    rf"^([{_CJK}()]{{2,30}}?(?:人民政府办公室|人民政府|办公室|委员会|指挥部|局|委|中心|部))$"
)
_TITLE = re.compile(rf"^[{_CJK}0-9()《》“”\-—]{{4,60}}(?:方案|计划|意见|规划|通知)$")

_BOILERPLATE = [
    re.compile(p)
    for p in (
        r"^(当前)?位置\s*:", r"首页\s*>", r"^标签\s*:", r"^关键词\s*:", r"^(上一篇|下一篇)",
        r"(范文|文库|文秘|公文)(站|网|网站|大全)$", r"^以上内容由.{1,20}提报。?$",
        r"^(来源|作者|发布时间|发布日期|浏览|阅读|责任编辑|编辑)\s*[:：]",
        r"^(相关|推荐|热门)(文章|阅读|范文)", r"^(打印本页|关闭窗口|分享到|收藏|复制)",
        r"^【?字体", r"版权所有", r"^(免费)?下载",
    )
]

# ----------------------------------------------------------------------------- text helpers


@functools.lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Normalise ``text`` (NFKC: full-width punctuation and digits) and convert it to simplified.

    Parameters
    ----------
    text
        Traditional or simplified Chinese.

    Returns
    -------
    str
        Simplified text with ASCII punctuation where the text had full-width forms.
    """
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    return str(_converter().convert(text))


def _cn_int(s: str) -> int:
    """``"三"`` → 3, ``"十二"`` → 12, ``"二十"`` → 20."""
    if s == "十":
        return 10
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0))
    return _CN_DIGITS.get(s, 0)


def _clean_unit(u: str) -> str:
    u = re.sub(r"\s+", "", u)
    u = u.strip(",;。:、")
    u = re.sub(r"^由", "", u)
    u = re.sub(r"(牵头(制定|负责)?(实施方案)?|等单位|等)$", "", u)
    return u


def _split_top(s: str, seps: str = "、,;") -> list[str]:
    """Split ``s`` at ``seps`` outside parentheses."""
    out: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in s:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if ch in seps and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _split_units(s: str, *, drop: Sequence[str] = ()) -> tuple[str, ...]:
    s = re.sub(r"\s+", "", s)
    for d in drop:
        s = s.replace(d, "")
    units: list[str] = []
    for part in _split_top(s):
        u = _clean_unit(part)
        if u and u not in units:
            units.append(u)
    return tuple(units)


def _paren_groups(s: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the top-level ``( … )`` groups of ``s`` (end exclusive)."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for i, ch in enumerate(s):
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    return spans


def _is_boilerplate(line: str) -> bool:
    return any(p.search(line) for p in _BOILERPLATE)


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# ----------------------------------------------------------------------------- units of a work

_EVERY_WORK = re.compile(
    r"(?:以下|下列)各项工作的?责任单位中?均有(.+?)[,。;]\s*(?:不再|不)重复列出"
)
_PARTNER_KEY = re.compile(r"(?:责任单位|配合单位|参与单位)\s*:")
_LEAD_KEY = re.compile(r"牵头单位\s*:")


def _units_from_block(block: str, common: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Lead and responsible units of a unit block (a parenthesis or the tail of a work)."""
    partners: tuple[str, ...] = ()
    head = block
    pm = _PARTNER_KEY.search(block)
    if pm:
        tail = block[pm.end():]
        note = re.search(r"(?:以下|下列)各项工作", tail)
        if note:
            tail = tail[: note.start()]
        partners = _split_units(tail, drop=common)
        head = block[: pm.start()]
    lm = _LEAD_KEY.search(head)
    if lm:
        lead = _split_units(head[lm.end():])
    elif "按职责分工负责" in head:
        m = re.search(r"由?([^。]*?)按职责分工负责", head)
        lead = _split_units(m.group(1)) if m else ()
    else:
        m = re.search(r"(?:^|[。,;])\s*由?([^。,;]*?)牵头", head)
        lead = _split_units(m.group(1)) if m else ()
    return lead, partners


def _work_units(body: str, common: Sequence[str]
                ) -> tuple[tuple[str, ...], tuple[str, ...], str, bool]:
    """Lead units, responsible units, the body without the unit block, and whether found."""
    keys = ("牵头单位", "责任单位", "按职责分工负责", "牵头")
    for start, end in reversed(_paren_groups(body)):
        inner = body[start + 1: end - 1]
        if any(k in inner for k in keys) and (
            "单位" in inner or "按职责分工负责" in inner or re.search(r"牵头(制定|负责)?$", inner)
        ):
            lead, partners = _units_from_block(inner, common)
            if lead:
                rest = (body[:start] + body[end:]).strip()
                return lead, partners, rest, True
    # no parenthesis: "由X牵头制定。责任单位:…" (work 1) or "…,责任单位:…" (work 28)
    lead, partners = _units_from_block(body, common)
    pm = _PARTNER_KEY.search(body)
    rest = body[: pm.start()] if pm else body
    return lead, partners, rest.strip(), bool(lead)


_PLAN_ONLY = re.compile(r"^由?[^。,;]{1,80}?牵头(?:制定|编制)(?:实施方案|工作方案|方案)?[。,;]?$")

# ----------------------------------------------------------------------------- targets


@attrs.frozen
class _Num:
    start: int
    end: int
    value: float
    unit: str
    raw: str


@attrs.frozen
class _Years:
    start: int
    end: int
    each: bool = False  # one target per year (分别, 每年)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[。!?])|\n", text) if s.strip()]


def _clauses(sentence: str) -> list[str]:
    return [c for c in (p.strip() for p in _split_top(sentence, ",;:")) if c]


def _year_spans(clause: str, plan_years: tuple[int, int]
                ) -> list[tuple[int, int, _Years | None]]:
    """Year expressions of a clause: (start, end, years) — ``None`` marks ``分别``."""
    spans: list[tuple[int, int, _Years | None]] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _YEAR_RANGE.finditer(clause):
        spans.append((m.start(), m.end(), _Years(int(m.group(1)), int(m.group(2)))))
        taken.append(m.span())
    for rx in (_YEAR_ONE, _YEAR_BARE):
        for m in rx.finditer(clause):
            if free(*m.span()):
                y = int(m.group(1))
                spans.append((m.start(), m.end(), _Years(y, y)))
                taken.append(m.span())
    for m in _EACH_YEAR.finditer(clause):
        spans.append((m.start(), m.end(), _Years(plan_years[0], plan_years[1], each=True)))
    for m in re.finditer("分别", clause):
        spans.append((m.start(), m.end(), None))
    return sorted(spans, key=lambda s: s[0])


def _numbers(clause: str, years: Sequence[tuple[int, int, Any]]) -> list[_Num]:
    out = []
    for m in _NUMBER.finditer(clause):
        if any(not (m.end() <= s or m.start() >= e) for s, e, _ in years):
            continue
        out.append(_Num(m.start(), m.end(), float(m.group(1)), UNIT_NAMES[m.group(2)],
                        m.group(0)))
    return out


def _metrics_in(seg: str, unit: str) -> tuple[set[str], bool]:
    """Metrics whose keyword is in ``seg`` and whose unit is ``unit``; and whether any keyword."""
    found: set[str] = set()
    any_kw = False
    for r in KEYWORD_RULES:
        if r.keyword in seg and not any(u in seg for u in r.unless):
            any_kw = True
            found.update(m for m in r.metrics if METRICS[m].unit == unit)
    return found, any_kw


_NAME_DROP = re.compile(
    r"20\d\d\s*年?\s*(?:至|到|-|—|–|~)\s*20\d\d\s*年|20\d\d\s*年底?|(?<![\d.])20\d\d(?=[\u4e00-\u9fff])"
    r"|每年|分别|至少|不少于|不低于|达到|超过|及以上|以上|^到|^的|的$"
)


def _name_of(before: str, after: str) -> str:
    name = before + after
    for _ in range(3):
        name = _NAME_DROP.sub("", name).strip(" ,;、。")
    return name


def _metric_for(n: _Num, clause: str, before: str, after: str
                ) -> tuple[str | None, str]:
    """The metric a keyword next to ``n`` names (after it first, then before), or a reason."""
    found, _ = _metrics_in(after, n.unit)
    if not found:
        found, _ = _metrics_in(before, n.unit)
    if len(found) == 1:
        return next(iter(found)), ""
    if len(found) > 1:
        return None, f"{n.raw}: several metrics fit ({', '.join(sorted(found))})"
    return None, f"{n.raw}: no keyword rule maps it to a metric citymap knows in {n.unit!r}"


def _targets_of(text: str, *, work: int | None, plan_years: tuple[int, int],
                unplaced: list[Unplaced]) -> list[DraftTarget]:
    """Draft targets from ``text`` (a work's body or a plan-level paragraph).

    A year expression (``2020年``, ``2021-2022年``, ``2020年至2021年``, ``每年``) holds for the
    numbers after it up to the end of the sentence; ``分别`` after a span of years makes one
    target per year, without it a span gives one target summed over the years.
    """
    targets: list[DraftTarget] = []
    for sentence in _sentences(text):
        years: _Years | None = None
        each = False
        seen: list[DraftTarget] = []
        for clause in _clauses(sentence):
            yspans = _year_spans(clause, plan_years)
            nums = _numbers(clause, yspans)
            clause_has_kw = any(_metrics_in(clause, n.unit)[1] for n in nums)
            events: list[tuple[int, _Years | None, _Num | None]] = [
                (s, y, None) for s, _e, y in yspans]
            events += [(n.start, None, n) for n in nums]
            events.sort(key=lambda e: (e[0], e[2] is not None))
            for _pos, y, n in events:
                if n is None:
                    if y is None:
                        each = True
                    else:
                        years, each = y, y.each
                    continue
                i = nums.index(n)
                prev_end = nums[i - 1].end if i else 0
                next_start = nums[i + 1].start if i + 1 < len(nums) else len(clause)
                after = clause[n.end: next_start].split("和")[0]
                before = clause[prev_end: n.start].split("和")[-1]
                metric, reason = _metric_for(n, clause, before, after)
                if years is None:
                    hint = f" (keyword suggests {metric})" if metric else ""
                    unplaced.append(Unplaced(clause, f"{n.raw}: no year in the sentence{hint}",
                                             work, n.value, n.unit, metric))
                    continue
                if any(after.lstrip().startswith(w) for w in _LE_WORDS) or "不超过" in before:
                    unplaced.append(Unplaced(clause, f"{n.raw}: an upper bound (以下/不超过); "
                                             "the register knows only '>=' and '='",
                                             work, n.value, n.unit, metric))
                    continue
                comparison = "="
                if after.lstrip().startswith(_GE_AFTER) or any(w in before for w in _GE_BEFORE):
                    comparison = ">="
                name = _name_of(before, after)
                note = ""
                if metric is None and not clause_has_kw:
                    same = {t.metric for t in seen if t.unit == n.unit and t.metric}
                    if len(same) == 1:
                        metric, reason = next(iter(same)), ""
                        name = [t for t in seen if t.metric == metric][-1].name
                        note = "指标沿用同句上文"
                if reason:
                    unplaced.append(Unplaced(clause, reason, work, n.value, n.unit, None))
                if each and years.start != years.end:
                    spans = [(yy, yy) for yy in range(years.start, years.end + 1)]
                    note = "; ".join(x for x in (note, "原文为每年/分别, 按年分列") if x)
                else:
                    spans = [(years.start, years.end)]
                for y0, y1 in spans:
                    if not (PLAN_YEARS[0] <= y0 <= y1 <= PLAN_YEARS[1]):
                        unplaced.append(Unplaced(clause, f"{n.raw}: year {y1} is outside the "
                                                 f"plan years {PLAN_YEARS}", work, n.value,
                                                 n.unit, metric))
                        continue
                    t = DraftTarget(
                        id="", work=work, metric=metric, name=name, value=n.value,
                        unit=n.unit, comparison=comparison, year=y1, start_year=y0,
                        text=clause, note=note,
                    )
                    targets.append(t)
                    seen.append(t)
    return targets


def _numbered(targets: Iterable[DraftTarget], prefix: str) -> tuple[DraftTarget, ...]:
    return tuple(attrs.evolve(t, id=f"{prefix}.{i}") for i, t in enumerate(targets, start=1))


# ----------------------------------------------------------------------------- phases


_POINT = re.compile(r"(?:(20\d\d)\s*年)?\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")


def _phase_dates(s: str, plan_start: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """Dates of ``2020年4月30日前``, ``2020年5月—2022年9月``, ``2022年10月—12月``."""
    points = list(_POINT.finditer(s))
    if not points:
        return None, None
    year: int | None = None
    dates: list[tuple[int, int, int | None]] = []
    for m in points:
        if m.group(1):
            year = int(m.group(1))
        if year is None:
            return None, None
        dates.append((year, int(m.group(2)), int(m.group(3)) if m.group(3) else None))
    if len(dates) == 1:
        y, mo, d = dates[0]
        if not 1 <= mo <= 12:
            return None, None
        if re.search(r"(前|以前|之前|底前)\s*$", s):
            end = _safe_date(y, mo, d) if d else _last_day(y, mo)
            return plan_start, end
        start = _safe_date(y, mo, d or 1)
        return start, None
    (y0, m0, d0), (y1, m1, d1) = dates[0], dates[-1]
    if not (1 <= m0 <= 12 and 1 <= m1 <= 12):
        return None, None
    start = _safe_date(y0, m0, d0 or 1)
    end = _safe_date(y1, m1, d1) if d1 else _last_day(y1, m1)
    return start, end


# ----------------------------------------------------------------------------- parsing


def _prepare_lines(text: str) -> list[str]:
    # put headings and works that a web copy glued onto the previous paragraph on their own line
    text = re.sub(rf"(?<=[。)])[ \t]*(?=\d{{1,3}}[.、][{_CJK}])", "\n", text)
    text = re.sub(rf"(?<=[。])[ \t]*(?=\([{_CN_NUM}]+\)[{_CJK}])", "\n", text)
    lines: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or _is_boilerplate(line):
            continue
        if lines and line == lines[-1]:
            continue
        lines.append(line)
    return lines


def parse_plan_text(text: str, *, source: str = "<text>") -> DraftRegister:
    r"""Parse a county plan text into a draft register.

    Parameters
    ----------
    text
        The plan, traditional or simplified, as copied from a web page or a document
        (navigation lines, tags and "以上内容由…提报" notes are dropped).
    source
        Shown in error messages and in the draft's header.

    Returns
    -------
    DraftRegister
        Actions, works (number, name, action, lead and responsible units, summary,
        plan-only), phases, the plan header and drafted targets; what could not be placed is
        in :attr:`DraftRegister.unplaced`.

    Raises
    ------
    ValidationError
        When the text holds no numbered works (``1.名称工程。…``): not a plan of this shape.

    Examples
    --------
    >>> d = parse_plan_text("(一)蓝绿空间提升行动\n1.园林绿化工程。2020年建成口袋公园5处以上。"
    ...                     "(牵头单位:县住建局,责任单位:县财政局)")
    >>> d.works[0].lead_units, d.works[0].targets[0].metric
    (('县住建局',), 'pocket_parks')
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    lines = _prepare_lines(to_simplified(text))
    unplaced: list[Unplaced] = []
    m: re.Match[str] | None

    # the note "以下各项工作的责任单位中均有…" names the units of every work
    common: list[str] = []
    for m in _EVERY_WORK.finditer("\n".join(lines)):
        u = re.sub(r"\s+", "", m.group(1)).strip()
        if u not in common:
            common.append(u)

    title = ""
    issued_by = ""
    issued: dt.date | None = None
    section = ""
    action: int | None = None
    actions: list[DraftAction] = []
    phase_heads: list[tuple[int, str, str]] = []
    works_raw: list[tuple[int, int | None, str, list[str]]] = []
    plan_paras: list[str] = []
    current: list[str] | None = None

    for line in lines:
        if m := _DATE_LINE.match(line):
            issued = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) or issued
            current = None
            continue
        if not title and "。" not in line and _TITLE.match(line):
            title = line
            continue
        if line == title:
            continue
        if (m := _SECTION.match(line)) and "。" not in line:
            section = m.group(2)
            current = None
            action = None
            continue
        if m := _PAREN_HEAD.match(line):
            head = m.group(2)
            number = _cn_int(m.group(1))
            if "阶段" in head[:12]:
                phase_heads.append((number, head, line))
                current = None
                continue
            if "。" not in head and len(head) <= 30 and (head.endswith("行动")
                                                         or "任务" in section):
                actions.append(DraftAction(number, head))
                action = number
                current = None
                continue
        if m := _WORK.match(line):
            lines_of: list[str] = [m.group(2)]
            works_raw.append((int(m.group(1)), action, m.group(2), lines_of))
            current = lines_of
            continue
        if _ISSUER.match(line) and len(line) <= 30:
            issued_by = line
            current = None
            continue
        if current is not None:
            current.append(line)
        else:
            plan_paras.append(line)

    if not works_raw:
        raise ValidationError([Problem(
            source, "", "",
            "no numbered works found (lines like '1.规划设计提升工程。… (牵头单位:…,责任单位:…)'): "
            "is this a county plan text of the provincial shape?",
        )])

    whole = "\n".join(lines)
    plan_start: dt.date | None = None
    plan_end: dt.date | None = None
    if m := re.search(r"自?(20\d\d)\s*年(?:(\d{1,2})\s*月)?(?:起|开始)", whole):
        plan_start = _safe_date(int(m.group(1)), int(m.group(2) or 1), 1)
    if m := re.search(r"至(20\d\d)\s*年底?结束", whole):
        plan_end = dt.date(int(m.group(1)), 12, 31)

    phases: list[DraftPhase] = []
    for number, head, line in phase_heads:
        nm = re.match(r"^([^()]*?阶段)", head)
        name = nm.group(1) if nm else head
        inner = re.search(r"\(([^()]*\d[^()]*)\)", head)
        start, end = _phase_dates(inner.group(1), plan_start) if inner else (None, None)
        if start is None or end is None:
            unplaced.append(Unplaced(line, "phase without a start and end date"))
        phases.append(DraftPhase(number, name, start, end))
    if phases:
        if plan_start is None:
            plan_start = min((p.start for p in phases if p.start), default=None)
        if plan_end is None:
            plan_end = max((p.end for p in phases if p.end), default=None)
    plan_years = (plan_start.year if plan_start else PLAN_YEARS[0],
                  plan_end.year if plan_end else PLAN_YEARS[1])

    works: list[DraftWork] = []
    seen_numbers: set[int] = set()
    for number, act, _first, body_lines in works_raw:
        first = body_lines[0]
        nm = re.match(r"^(.{2,40}?)[。.]", first)
        if nm and len(nm.group(1)) <= 30:
            name, body0 = nm.group(1), first[nm.end():]
        else:
            km = re.match(r"^(.{2,30}?(?:工程|行动|项目))", first)
            name = km.group(1) if km else first[:30]
            body0 = first[len(name):].lstrip("。.,;")
        body = "".join([body0, *body_lines[1:]]).strip()
        if number in seen_numbers:
            unplaced.append(Unplaced(first, f"work number {number} appears twice; the second "
                                     "is left out", number))
            continue
        seen_numbers.add(number)
        lead, partners, rest, found = _work_units(body, common)
        if not found:
            unplaced.append(Unplaced(body[:80] or first, "no lead units found (expected "
                                     "'(牵头单位:…,责任单位:…)' or '由…牵头')", number))
        if act is None:
            unplaced.append(Unplaced(first, "work is not under an action heading", number))
        summary = re.sub(r"\s+", " ", rest).strip(" ,;")
        if summary and not summary.endswith(("。", ")", "”")):
            summary += "。"
        plan_only = bool(_PLAN_ONLY.match(summary))
        targets = _targets_of(rest, work=number, plan_years=plan_years, unplaced=unplaced)
        works.append(DraftWork(
            number=number, action=act, name=name.strip(), lead_units=lead,
            partner_units=partners, summary=summary, plan_only=plan_only,
            targets=_numbered(targets, str(number)), text=first,
        ))
    works.sort(key=lambda w: w.number)

    plan_targets = _targets_of("\n".join(plan_paras), work=None, plan_years=plan_years,
                               unplaced=unplaced)

    county = ""
    for cand in (issued_by, title, whole):
        if m := re.search(rf"([{_CJK}]{{2,4}}?[县市区])(?=[{_CJK}])", cand):
            county = m.group(1)
            if cand is not whole or county.endswith("县"):
                break
    if county and title and not title.startswith(county):
        title = county + title
    basis = tuple(
        f"{m.group(1)} ({m.group(2)})" if m.group(2) else m.group(1)
        for m in re.finditer(r"《关于印发(.+?)的通知》(?:\(([^()]*?〔20\d\d〕[^()]*?)\))?",
                             "\n".join(plan_paras[:3]))
    )

    return DraftRegister(
        source=source,
        plan=DraftPlan(title=title, county=county, issued_by=issued_by, issued=issued,
                       start=plan_start, end=plan_end, basis=basis,
                       partner_units_of_every_work=tuple(common)),
        phases=phases, actions=actions, works=works,
        plan_targets=list(_numbered(plan_targets, "P")), unplaced=unplaced,
    )


# ----------------------------------------------------------------------------- files


def read_plan_file(path: str | Path) -> tuple[str, str]:
    """Read a plan text file, UTF-8 or GB18030/GBK (tried in that order).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    tuple of (str, str)
        The text and the encoding it was read with.

    Raises
    ------
    WorkspaceError
        The file is missing or cannot be read.
    ValidationError
        The file is not text in UTF-8, UTF-16 (with BOM) or GB18030.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise WorkspaceError(f"{str(p)!r}: no such file") from None
    except IsADirectoryError:
        raise WorkspaceError(f"{str(p)!r}: is a folder, not a plan text file") from None
    except OSError as exc:
        raise WorkspaceError(f"{str(p)!r}: cannot read: {exc.strerror}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(enc), "utf-8" if enc == "utf-8-sig" else enc
            except UnicodeDecodeError:
                continue
    raise ValidationError([Problem(str(p), "", "", "is not a text file in UTF-8 or "
                                   "GB18030/GBK: save the plan as UTF-8 text")])
