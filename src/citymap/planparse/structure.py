r"""The structure of a plan text: headings, actions, works, phases → :class:`DraftRegister`.

Plans of this family number their parts ``一、`` > ``(一)`` > ``1.``/``1、`` > ``(1)`` > ``①``,
and some list works inside an action as ``一是…二是…``. Which level holds the works is read
from the text: the level whose items carry units (``(牵头单位:…)``, ``(X牵头,Y配合)``,
``责任单位:…``); the heading above a work is its action, unless it is a bare
``重点任务``/``主要任务`` section (then the work has no action, and that is listed).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Callable

import attrs

from citymap.errors import Problem, ValidationError
from citymap.i18n import _
from citymap.planparse.header import county_of, find_header, plan_basis, plan_period
from citymap.planparse.messages import unplaced as _unplaced
from citymap.planparse.records import (
    DraftAction,
    DraftPhase,
    DraftPlan,
    DraftRegister,
    DraftWork,
    Unplaced,
)
from citymap.planparse.targets import draft_targets, numbered
from citymap.planparse.text import CJK, last_day, prepare_lines, safe_date, to_simplified
from citymap.planparse.units import WorkUnits, first_is_lead, township_rules, work_units

_UnitsOf = Callable[[str], WorkUnits]

__all__ = ["NoWorksError", "parse_plan_text"]


class NoWorksError(ValidationError):
    """The text holds no works: not a plan of this family, or one the parser cannot read.

    Attributes
    ----------
    found
        What was found: ``lines``, ``headings`` (the first few, as written), ``unit_blocks``,
        ``title``.
    """

    def __init__(self, problems: list[Problem], found: dict[str, object]) -> None:
        super().__init__(problems)
        self.found = found

_CN = "一二三四五六七八九十"
_HEADINGS: tuple[tuple[float, re.Pattern[str]], ...] = (
    (0, re.compile(rf"^([{_CN}]+)\s*[、.]\s*(.+)$")),
    (1, re.compile(rf"^\(([{_CN}]+)\)\s*(.+)$")),
    (2, re.compile(rf"^(\d{{1,3}})\s*[.、](?!\d)\s*(?=[{CJK}《“(])(.+)$")),
    (3, re.compile(r"^\((\d{1,2})\)\s*(.+)$")),
    (4, re.compile(r"^([\u2460-\u2473])\s*(.+)$")),
)
_ITEM = re.compile(rf"(?:^|(?<=[。;\n]))\s*([{_CN}]{{1,3}})是(?=[{CJK}])")
_GENERIC = re.compile(r"^(?:(?:重点|主要|整改|工作|具体)任务|任务分工|重点工作|主要内容)[。:]?$")
_NAME_END = re.compile(r"[。]|\.(?!\d)|[(〔][^()〔〕]*(?:牵头|责任单位|责任部门|按职责分工负责)")
_NAMED_WORK = re.compile(r"^[^。,;]{2,28}(?:工程|项目)[。.]")
_PLAN_ONLY = re.compile(r"^由?[^。,;]{1,80}?牵头(?:制定|编制)(?:实施方案|工作方案|方案)?[。,;]?$")


@attrs.define(eq=False)
class _Node:
    level: float
    label: str
    number: int
    head: str
    lines: list[str] = attrs.field(factory=list)
    children: list[_Node] = attrs.field(factory=list)
    parent: _Node | None = None
    pseudo: bool = False
    lead: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    rest: str = ""

    @property
    def body(self) -> str:
        return "\n".join([self.head, *self.lines])

    def walk(self) -> list[_Node]:
        out: list[_Node] = []
        for c in self.children:
            out += [c, *c.walk()]
        return out


def _number(s: str) -> int:
    if "\u2460" <= s <= "\u2473":
        return ord(s) - 0x2460 + 1
    if s.isdigit():
        return int(s)
    import cn2an

    return int(cn2an.cn2an(s, "smart"))


def _heading(line: str) -> tuple[float, str, int, str] | None:
    for level, rx in _HEADINGS:
        if m := rx.match(line):
            label = line[: m.start(2)].strip()
            return level, label, _number(m.group(1)), m.group(2)
    return None


def _tree(lines: list[str], skip: set[int]) -> tuple[_Node, list[str]]:
    root = _Node(-1, "", 0, "")
    preamble: list[str] = []
    stack = [root]
    for i, line in enumerate(lines):
        if i in skip:
            continue
        h = _heading(line)
        if h is None:
            (stack[-1].lines if len(stack) > 1 else preamble).append(line)
            continue
        level, label, number, head = h
        while stack[-1].level >= level:
            stack.pop()
        node = _Node(level, label, number, head, parent=stack[-1])
        stack[-1].children.append(node)
        stack.append(node)
    return root, preamble


def _split_items(node: _Node, units_of: _UnitsOf) -> None:
    """Turn ``一是…二是…`` inside a childless heading into works when most carry units."""
    text = "\n".join(node.lines) if node.lines else node.head
    marks = list(_ITEM.finditer(text))
    if len(marks) < 2 or [_number(m.group(1)) for m in marks] != list(
            range(1, len(marks) + 1)):
        return
    items = [text[m.end(): (marks[i + 1].start() if i + 1 < len(marks) else len(text))].strip()
             for i, m in enumerate(marks)]
    with_units = [it for it in items if units_of(it).found]
    if len(with_units) < max(2, (len(items) + 1) // 2):
        return
    head_text = text[: marks[0].start()].strip()
    if node.lines:
        node.lines = [head_text] if head_text else []
    else:
        node.head = head_text
    for m, it in zip(marks, items, strict=True):
        node.children.append(_Node(node.level + 0.5, f"{m.group(1)}是", _number(m.group(1)),
                                   it, parent=node, pseudo=True))


def _name_and_body(head: str) -> tuple[str, str, bool]:
    """The name of a work or action, the text after it, and whether the name is clear.

    The name ends at the first full stop or unit bracket (``推进海绵城市建设(X牵头)。``); when
    that is a clause list (``推进河道整治,2022年完成…``) it ends at the first comma.
    """
    stop = _NAME_END.search(head)
    cut = stop.start() if stop else len(head)
    cand = head[:cut]
    if 2 <= cut and len(cand) <= 30 and not re.search(r"[,;:]", cand):
        return cand.strip(), head[cut:].lstrip("。."), True
    if (m := re.match(r"^([^,;:]{2,30})[,;:]", cand)) and not re.search(r"\d", m.group(1)):
        return m.group(1).strip(), head[m.end():], True
    km = re.match(r"^(.{2,30}?(?:工程|行动|项目))", head)
    name = km.group(1) if km else head[:30]
    return name.strip(), head[len(name):].lstrip("。.,;:"), km is not None or len(head) <= 30


def _action_name(node: _Node) -> str:
    return re.split(r"[。]", node.head, maxsplit=1)[0].strip().rstrip(":")


_POINT = re.compile(r"(?:(20\d\d)\s*年)?\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")


def _phase_dates(s: str, plan_start: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    """Dates of ``2020年4月30日前``, ``2020年5月—2022年9月``, ``2022年10月—12月``."""
    year: int | None = None
    dates: list[tuple[int, int, int | None]] = []
    for m in _POINT.finditer(s):
        if m.group(1):
            year = int(m.group(1))
        if year is None:
            return None, None
        dates.append((year, int(m.group(2)), int(m.group(3)) if m.group(3) else None))
    if not dates or not all(1 <= d[1] <= 12 for d in dates):
        return None, None
    if len(dates) == 1:
        y, mo, d = dates[0]
        if re.search(r"(前|以前|之前|底前)\s*$", s):
            return plan_start, safe_date(y, mo, d) if d else last_day(y, mo)
        return safe_date(y, mo, d or 1), None
    (y0, m0, d0), (y1, m1, d1) = dates[0], dates[-1]
    return safe_date(y0, m0, d0 or 1), safe_date(y1, m1, d1) if d1 else last_day(y1, m1)


def _no_works(source: str, lines: list[str], root: _Node, title: str) -> NoWorksError:
    heads = [n.label + n.head[:16] for n in root.walk() if not n.pseudo]
    shown = f" ({'; '.join(heads[:3])}{'…' if len(heads) > 3 else ''})" if heads else ""
    fields = {"lines": len(lines), "headings": len(heads), "shown": shown, "title": title}
    if title:
        message = _("no numbered works found (works like '1.规划设计提升工程。… (牵头单位:…)' or "
                    "'(一)推进老旧小区改造。… (X牵头,Y配合)'): found {lines} lines, {headings} "
                    "numbered headings{shown}, title {title!r}, no unit blocks; is this a plan "
                    "of this family?").format(**fields)
    else:
        message = _("no numbered works found (works like '1.规划设计提升工程。… (牵头单位:…)' or "
                    "'(一)推进老旧小区改造。… (X牵头,Y配合)'): found {lines} lines, {headings} "
                    "numbered headings{shown}, no title, no unit blocks; is this a plan of this "
                    "family?").format(**fields)
    return NoWorksError([Problem(source, "", "", message)],
                        {"lines": len(lines), "headings": heads, "title": title})


def parse_plan_text(text: str, *, source: str = "<text>") -> DraftRegister:  # noqa: C901
    r"""Parse a plan text of this family into a draft register.

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
        in :attr:`DraftRegister.unplaced`, with the sentence it came from.

    Raises
    ------
    NoWorksError
        When the text holds no works (a :class:`ValidationError`); the message says what
        was found.

    Examples
    --------
    >>> d = parse_plan_text("(一)蓝绿空间提升行动\n1.园林绿化工程。2020年建成口袋公园5处以上。"
    ...                     "(牵头单位:县住建局,责任单位:县财政局)")
    >>> d.works[0].lead_units, d.works[0].targets[0].metric
    (('县住建局',), 'pocket_parks')
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    lines = prepare_lines(to_simplified(text))
    whole = "\n".join(lines)
    unplaced: list[Unplaced] = []
    rules = township_rules(whole)
    every: list[str] = []
    for r in rules:
        every += [s for s in r.subjects if s not in every]
    units_of: _UnitsOf = functools.partial(work_units, every=every,
                                           first_leads=first_is_lead(whole), rules=rules)
    first = next((i for i, ln in enumerate(lines) if _heading(ln)), len(lines))
    header, used = find_header(lines, first)
    root, preamble = _tree(lines, used)
    nodes = root.walk()
    for n in nodes:
        if not n.children:
            _split_items(n, units_of)
    nodes = root.walk()
    for n in nodes:
        _name, body0, _clear = _name_and_body(n.head)
        wu = units_of("\n".join([body0, *n.lines]))
        n.lead, n.partners, n.rest = wu.lead, wu.partners, wu.rest
    for n in nodes:
        _lift_units(n, units_of)
    bearing = [n for n in nodes if n.lead and not n.pseudo]
    level = Counter(n.level for n in bearing).most_common(1)[0][0] if bearing else None
    works_n = [n for n in nodes if n.pseudo or (
        n.level == level and n.parent is not None
        and any(s.lead for s in n.parent.children if s.level == level))]
    if not works_n:  # no units anywhere: works named like "1.名称工程。"
        works_n = [n for n in nodes if not n.pseudo and _NAMED_WORK.match(n.head)]
    if not works_n:
        raise _no_works(source, lines, root, header.title)
    works_n = [n for n in works_n if not any(
        a in works_n for a in _ancestors(n))]

    # actions: the heading above each work, unless a bare 重点任务 section
    actions: list[DraftAction] = []
    action_of: dict[int, int] = {}
    for n in works_n:
        p = n.parent
        if p is None or p is root or _GENERIC.match(_action_name(p)):
            continue
        if id(p) not in action_of:
            action_of[id(p)] = len(actions) + 1
            actions.append(DraftAction(len(actions) + 1, _action_name(p), p.label))

    numbers = [n.number for n in works_n]
    own = all(not n.pseudo for n in works_n) and all(
        a < b for a, b in zip(numbers, numbers[1:], strict=False))

    # plan period, phases
    plan_text = "\n".join(preamble + [ln for n in nodes if n not in works_n and not any(
        a in works_n for a in _ancestors(n)) and "阶段" not in n.head[:12]
        for ln in ([n.head] + n.lines)])
    start, end = plan_period(header.title, "\n".join(preamble) + "\n" + plan_text)
    phases: list[DraftPhase] = []
    for n in nodes:
        if "阶段" not in n.head[:12] or n in works_n:
            continue
        nm = re.match(r"^([^()]*?阶段)", n.head)
        inner = re.search(r"\(([^()]*\d[^()]*)\)", n.head)
        p0, p1 = _phase_dates(inner.group(1), start) if inner else (None, None)
        if p0 is None or p1 is None:
            unplaced.append(_unplaced(n.label + n.head, "phase_dates", field="phase"))
        phases.append(DraftPhase(len(phases) + 1, nm.group(1) if nm else n.head, p0, p1))
    if phases:
        start = start or min((p.start for p in phases if p.start), default=None)
        end = end or max((p.end for p in phases if p.end), default=None)
    if start is None or end is None:
        unplaced.append(_unplaced(header.title or source, "no_period", field="start"))
    period = (start.year, end.year) if start and end else None

    works: list[DraftWork] = []
    for i, n in enumerate(works_n, start=1):
        number = n.number if own else i
        name, _b, clear = _name_and_body(n.head)
        if not clear:
            unplaced.append(_unplaced(n.label + n.head[:40], "no_name", work=number,
                                      field="name"))
        label = "".join(a.label for a in reversed(_ancestors(n)) if a is not root) + n.label
        if not n.lead:
            unplaced.append(_unplaced(n.head[:80], "no_units", work=number, field="lead_units"))
        act = action_of.get(id(n.parent)) if n.parent is not None else None
        if act is None:
            unplaced.append(_unplaced(n.label + n.head[:40], "no_action", work=number,
                                      field="action"))
        summary = re.sub(r"\s+", " ", n.rest.replace("\n", "")).strip(" ,;。")
        if summary and not summary.endswith(("。", ")", "”")):
            summary += "。"
        targets = draft_targets(n.rest, work=number, period=period, unplaced=unplaced)
        works.append(DraftWork(
            number=number, action=act, name=name, lead_units=n.lead, partner_units=n.partners,
            summary=summary, plan_only=bool(_PLAN_ONLY.match(summary)),
            targets=numbered(targets, str(number)), text=n.label + n.head, label=label))

    plan_targets = draft_targets(plan_text, work=None, period=period, unplaced=unplaced)
    title = header.title
    county = county_of(title) or county_of(header.issued_by)
    if not county:
        unplaced.append(_unplaced(title or source, "no_county", field="county"))
    elif title and not county_of(title):
        title = county + title
    if not title:
        unplaced.append(_unplaced(source, "no_title", field="title"))
    return DraftRegister(
        source=source,
        plan=DraftPlan(title=title, county=county, issued_by=header.issued_by,
                       issued=header.issued, start=start, end=end,
                       basis=plan_basis("\n".join(preamble + plan_text.split("\n")[:3])),
                       partner_units_of_every_work=tuple(every)),
        phases=phases, actions=actions, works=works,
        plan_targets=list(numbered(plan_targets, "P")), unplaced=unplaced,
    )


def _lift_units(parent: _Node, units_of: _UnitsOf) -> None:
    """Units written after a work's sub-items ``(1)…(2)…(牵头单位:…)`` are the work's.

    When only the last of two or more sub-items carries units and the heading above them
    carries none, the units belong to that heading (the work), not to its last sub-item;
    the sub-items become part of the work's text.
    """
    kids = parent.children
    if parent.lead or parent.level < 0 or len(kids) < 2 or not kids[-1].lead or any(
            k.lead or k.children for k in kids[:-1]) or kids[-1].children:
        return
    _name, body0, _clear = _name_and_body(parent.head)
    text = "\n".join([body0, *parent.lines] + ["\n".join([k.label + k.head, *k.lines])
                                                for k in kids])
    wu = units_of(text)
    parent.lead, parent.partners, parent.rest = wu.lead, wu.partners, wu.rest
    parent.children = []


def _ancestors(n: _Node) -> list[_Node]:
    out: list[_Node] = []
    p = n.parent
    while p is not None:
        out.append(p)
        p = p.parent
    return out
