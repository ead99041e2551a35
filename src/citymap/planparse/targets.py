"""Targets from plan sentences: a quantity, the year(s) it is due and the comparison.

Years: ``2021年``, ``2021—2022年`` (a total over the years, 累计), ``2021、2022、2023年``
and ``2021年、2022年…`` (with ``分别`` and as many numbers: one each), ``每年`` (each year
of the range just written, else of the plan period), ``三年累计`` / ``三年内`` (the plan
period). A year holds for the quantities after it up to the end of the sentence; a number
after 惠及/涉及 counts over all the sentence's years. A quantity without a year is listed in
:attr:`~citymap.planparse.DraftRegister.unplaced` with its sentence, never guessed.

Comparison: ``以上``, ``不少于``, ``至少``, ``不低于``, ``达到``, ``超过``, ``力争`` and the lower
end of a range (``3—5个``) give ``">="``; otherwise ``"="``. Upper bounds (以下, 不超过) are
listed, not drafted.

A metric is filled in only when a keyword rule maps the words next to the number,
unambiguously and with a unit of the same kind, to a metric citymap knows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import attrs
import cn2an

from citymap.planparse.messages import unplaced as _unplaced
from citymap.planparse.numerals import Quantity, convert, find_quantities
from citymap.planparse.records import DraftTarget, Unplaced
from citymap.planparse.text import CJK, split_top
from citymap.vocab import METRICS

__all__ = ["KEYWORD_RULES", "draft_targets", "numbered"]


@attrs.frozen
class _Rule:
    keyword: str
    metrics: tuple[str, ...]
    unless: tuple[str, ...] = ()


def _rule(keyword: str, *metrics: str, unless: tuple[str, ...] = ()) -> _Rule:
    return _Rule(keyword, metrics, unless)


#: Keyword rules: a keyword next to a number → the metric(s) it may be. When a keyword names
#: several metrics, the number's unit picks one (a metric's unit must be of the number's kind).
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

_GE_BEFORE = ("不少于", "至少", "不低于", "达到", "超过", "力争", "争取")
_GE_AFTER = ("以上", "及以上")
_LE_WORDS = ("以下", "以内", "不超过", "不高于", "不大于")
_DASH = r"(?:至|到|-|—|–|~|－)"

_YEAR_LIST = re.compile(r"(?:20\d\d\s*年?\s*[、和]\s*)+20\d\d\s*年")
_YEAR_RANGE = re.compile(rf"(20\d\d)\s*年?\s*{_DASH}\s*(20\d\d)\s*年")
_YEAR_ONE = re.compile(r"(20\d\d)\s*年")
# "2021新增…": a bare year right before a word (not a unit, not a date like 2020.06.21)
_YEAR_BARE = re.compile(rf"(?<![\d.〔\[(])(20\d\d)(?=[{CJK}])(?![年个处条座公万平吨项千])")
_EACH_YEAR = re.compile(r"每年|年均")
_PERIOD = re.compile(
    r"(?<![\d年])([一二两三四五六七八九十]|\d{1,2})年(?=累计|内|共|时间|新增|新建|建成|完成|改造|打造|建设|实施)")
_OVER_YEARS = re.compile(r"(?:惠及|涉及)[^,;。\d]{0,6}$")


@attrs.frozen
class _Years:
    start: int
    end: int
    each: bool = False  # one target per year (每年, 分别)
    listed: tuple[int, ...] = ()  # 2021、2022、2023年


@attrs.frozen
class _Event:
    pos: int
    years: _Years | None = None
    kind: str = ""  # "each", "fenbie", "" (years)


def _events(sentence: str, period: tuple[int, int] | None) -> list[_Event]:
    """Year expressions of a sentence in order."""
    out: list[_Event] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _YEAR_LIST.finditer(sentence):
        ys = tuple(int(y) for y in re.findall(r"20\d\d", m.group(0)))
        out.append(_Event(m.start(), _Years(min(ys), max(ys), listed=ys)))
        taken.append(m.span())
    for m in _YEAR_RANGE.finditer(sentence):
        if free(*m.span()):
            out.append(_Event(m.start(), _Years(int(m.group(1)), int(m.group(2)))))
            taken.append(m.span())
    for rx in (_YEAR_ONE, _YEAR_BARE):
        for m in rx.finditer(sentence):
            if free(*m.span()):
                y = int(m.group(1))
                out.append(_Event(m.start(), _Years(y, y)))
                taken.append(m.span())
    if period is not None:
        for m in _PERIOD.finditer(sentence):
            n = int(cn2an.cn2an(m.group(1), "smart"))
            if n == period[1] - period[0] + 1:
                out.append(_Event(m.start(), _Years(*period)))
    for m in _EACH_YEAR.finditer(sentence):
        out.append(_Event(m.start(), kind="each"))
    for m in re.finditer("分别", sentence):
        out.append(_Event(m.start(), kind="fenbie"))
    return sorted(out, key=lambda e: e.pos)


def _metrics_in(seg: str, unit: str) -> tuple[set[str], bool]:
    """Metrics whose keyword is in ``seg`` and whose unit is of the kind of ``unit``."""
    found: set[str] = set()
    any_kw = False
    for r in KEYWORD_RULES:
        if r.keyword in seg and not any(u in seg for u in r.unless):
            any_kw = True
            found.update(m for m in r.metrics if convert(1.0, unit, METRICS[m].unit) is not None)
    return found, any_kw


_NAME_DROP = re.compile(
    rf"20\d\d\s*年?\s*{_DASH}\s*20\d\d\s*年|20\d\d\s*年底?前?|(?<![\d.])20\d\d(?=[{CJK}])"
    r"|每年|分别|至少|不少于|不低于|达到|超过|力争|争取|及以上|以上|^到|^的|的$|^其中"
)


def _name_of(before: str, after: str) -> str:
    name = before + after
    for _ in range(3):
        name = _NAME_DROP.sub("", name).strip(" ,;、。")
    return name


@attrs.frozen
class _Context:
    work: int | None
    period: tuple[int, int] | None
    sentence: str


def _clause_bounds(sentence: str) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    pos = 0
    for part in split_top(sentence, ",;:"):
        bounds.append((pos, pos + len(part)))
        pos += len(part) + 1
    return bounds


def _windows(q: Quantity, qs: list[Quantity], sentence: str) -> tuple[str, str, str]:
    """The clause of ``q`` and the words before and after it up to its neighbours."""
    a, b = next(((s, e) for s, e in _clause_bounds(sentence) if s <= q.start < e),
                (0, len(sentence)))
    group = [x for x in qs if q.group >= 0 and x.group == q.group] or [q]
    first, last = group[0], group[-1]
    prev_end = max([x.end for x in qs if a <= x.end <= first.start] + [a])
    next_start = min([x.start for x in qs if last.end <= x.start < b] + [b])
    after = sentence[last.end: next_start].split("和")[0]
    before = sentence[prev_end: first.start].split("和")[-1]
    return sentence[a:b], before, after


def _metric(q: Quantity, before: str, after: str) -> tuple[str | None, set[str] | None]:
    """The metric a keyword next to ``q`` names (after it first, then before); else ``None``
    and the metrics that fit when several do (``None`` when none does).
    """
    found, _ = _metrics_in(after, q.unit)
    if not found:
        found, _ = _metrics_in(before, q.unit)
    if len(found) == 1:
        return next(iter(found)), set()
    return None, found or None


def _draft(q: Quantity, spans: Iterable[tuple[int, int]], note: str, ctx: _Context,
           qs: list[Quantity], unplaced: list[Unplaced], seen: list[DraftTarget]
           ) -> list[DraftTarget]:
    clause, before, after = _windows(q, qs, ctx.sentence)
    kw: dict[str, Any] = {"work": ctx.work, "value": q.value, "unit": q.unit,
                          "unit_written": q.unit_written}
    if any(after.lstrip().startswith(w) for w in _LE_WORDS) or "不超过" in before:
        unplaced.append(_unplaced(ctx.sentence, "upper_bound", q=q.written, **kw))
        return []
    comparison = "="
    notes = [note] if note else []
    if after.lstrip().startswith(_GE_AFTER) or any(w in before for w in _GE_BEFORE) \
            or q.high is not None:
        comparison = ">="
    if "力争" in clause[: q.start] or "力争" in before:
        comparison = ">="
        notes.append("原文为力争")
    if q.high is not None:
        notes.append(f"原文为范围 {q.written}, 取下限")
    metric, found = _metric(q, before, after)
    if metric is None and found is None:
        same = {t.metric for t in seen if t.unit == q.unit and t.metric}
        if len(same) == 1 and not _metrics_in(clause, q.unit)[1]:
            metric = next(iter(same))
            notes.append("指标沿用同句上文")
    if found:
        unplaced.append(_unplaced(ctx.sentence, "several_metrics", q=q.written,
                                  metrics=", ".join(sorted(found)), field="metric", **kw))
    elif metric is None:
        unplaced.append(_unplaced(ctx.sentence, "no_metric", q=q.written, field="metric",
                                  **kw))
    value, unit = q.value, q.unit
    if metric is not None and METRICS[metric].unit != q.unit:
        value, unit = convert(q.value, q.unit, METRICS[metric].unit) or q.value, \
            METRICS[metric].unit
    out: list[DraftTarget] = []
    for y0, y1 in spans:
        if ctx.period is not None and not (ctx.period[0] <= y0 <= y1 <= ctx.period[1]):
            unplaced.append(_unplaced(ctx.sentence, "outside_period", q=q.written, year=y1,
                                      lo=ctx.period[0], hi=ctx.period[1], metric=metric,
                                      field="year", **kw))
            continue
        out.append(DraftTarget(
            id="", work=ctx.work, metric=metric, name=_name_of(before, after), value=value,
            unit=unit, comparison=comparison, year=y1, start_year=y0, text=ctx.sentence,
            note="; ".join(notes), written=q.written, unit_written=q.unit_written,
            base_value=round(q.base_value, 2), base_unit=q.base_unit))
    seen.extend(out)
    return out


def _sentences(text: str) -> list[str]:
    # a sentence ends at 。!? or a line; items numbered ①②… are sentences of their own
    return [s.strip() for s in re.split(r"(?<=[。!?])|\n|;?(?=[\u2460-\u2473])", text)
            if s.strip(" ;")]


def draft_targets(text: str, *, work: int | None, period: tuple[int, int] | None,
                  unplaced: list[Unplaced]) -> list[DraftTarget]:
    """Draft the targets of ``text`` (a work's text or plan-level paragraphs).

    Parameters
    ----------
    text
        Simplified text.
    work
        The work number, or ``None`` for plan-level text.
    period
        The plan's first and last year, or ``None`` when the text does not say.
    unplaced
        Quantities that cannot be drafted are appended here with their sentence.
    """
    targets: list[DraftTarget] = []
    for sentence in _sentences(text):
        ctx = _Context(work, period, sentence)
        qs = find_quantities(sentence)
        if not qs:
            continue
        events = _events(sentence, period)
        years_seen = [y for e in events if e.years for y in (e.years.start, e.years.end)]
        done: set[int] = set()
        seen: list[DraftTarget] = []
        for i, q in enumerate(qs):
            if i in done:
                continue
            active: _Years | None = None
            fenbie = False
            for e in events:
                if e.pos > q.start:
                    break
                if e.years is not None:
                    active, fenbie = e.years, False
                elif e.kind == "fenbie":
                    fenbie = True
                elif active is not None and active.start != active.end:
                    active = attrs.evolve(active, each=True)
                elif period is not None:
                    active = _Years(*period, each=True)
            group = [j for j, x in enumerate(qs) if q.group >= 0 and x.group == q.group]
            if active is not None and len(group) > 1:
                years = active.listed or tuple(range(active.start, active.end + 1))
                if len(years) == len(group) and (fenbie or active.listed):
                    for j, y in zip(group, years, strict=True):
                        targets += _draft(qs[j], [(y, y)], "原文为分别, 按年对应", ctx, qs,
                                          unplaced, seen)
                        done.add(j)
                    continue
            if active is None:
                _c, before, after = _windows(q, qs, sentence)
                metric = _metric(q, before, after)[0]
                unplaced.append(_unplaced(
                    sentence, "no_year", q=q.written, work=work, value=q.value, unit=q.unit,
                    unit_written=q.unit_written, field="year", metric=metric,
                    suggests=metric, period=(period[0], period[1]) if period else None))
                continue
            if _OVER_YEARS.search(sentence[: q.start]) and len(set(years_seen)) > 1:
                spans = [(min(years_seen), max(years_seen))]
                note = "惠及/涉及: 按句中各年合计"
            elif active.start != active.end and (active.each or fenbie or active.listed):
                spans = [(y, y) for y in range(active.start, active.end + 1)]
                note = "原文为每年/分别, 按年分列"
            else:
                spans = [(active.start, active.end)]
                note = ""
            targets += _draft(q, spans, note, ctx, qs, unplaced, seen)
    return targets


def numbered(targets: Iterable[DraftTarget], prefix: str) -> tuple[DraftTarget, ...]:
    """The targets with ids ``<prefix>.1``, ``<prefix>.2``, ..."""
    return tuple(attrs.evolve(t, id=f"{prefix}.{i}") for i, t in enumerate(targets, start=1))
