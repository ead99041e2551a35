"""Who is told what: recipients by level, one grouped message per recipient (zh / en)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from citymap.remind.config import ROLES, Person, RemindConfig
from citymap.supervise import LATE, RemindItem

__all__ = ["Message", "recipients_of", "plan_messages", "render"]

_LEVEL_ZH = {1: "一级", 2: "二级", 3: "三级"}
_KIND_EN = {"工程": "work", "目标": "target", "点位": "site"}
_ROLE_EN = {"unit": "unit", "leader": "leader in charge", "county": "county lead"}


@attrs.frozen
class Message:
    """One message to one recipient: every item he or she is told of.

    Attributes
    ----------
    person
        The recipient (``placeholder`` when no one is configured for the role).
    items
        The items, each at its own level.
    placeholder
        True when no person of ``citymap.toml`` holds the role: the message can be shown,
        not sent.
    """

    person: Person
    items: tuple[RemindItem, ...]
    placeholder: bool = False


def _placeholder(level: int, unit: str) -> Person:
    role = [k for k, (lv, _) in ROLES.items() if lv == level][0]
    name = {1: unit, 2: f"{unit} 分管领导", 3: "县级牵头领导"}[level]
    return Person(name, role, (unit,) if level < 3 else ())


def recipients_of(cfg: RemindConfig, item: RemindItem) -> list[tuple[Person, bool]]:
    """Who is told of ``item``: the people of every level up to the item's, each with
    ``placeholder`` (no one configured for that level and unit).
    """
    out: list[tuple[Person, bool]] = []
    for level in range(1, item.level + 1):
        got = [p for p in cfg.people if p.level == level
               and (level == 3 and not p.units or item.unit in p.units)]
        if got:
            out.extend((p, False) for p in got)
        else:
            out.append((_placeholder(level, item.unit), True))
    return out


def plan_messages(cfg: RemindConfig, items: Sequence[RemindItem]) -> list[Message]:
    """One message per recipient, grouping all his or her items (in ``items`` order)."""
    grouped: dict[Person, list[RemindItem]] = {}
    placeholders: set[Person] = set()
    for it in items:
        for person, ph in recipients_of(cfg, it):
            grouped.setdefault(person, []).append(it)
            if ph:
                placeholders.add(person)
    msgs = [Message(p, tuple(its), p in placeholders) for p, its in grouped.items()]
    msgs.sort(key=lambda m: (m.person.level, m.person.name))
    return msgs


def _line(it: RemindItem, lang: str) -> str:
    if lang == "en":
        what = f"{_KIND_EN[it.kind]} {it.id} {it.name}"
        if it.reason == LATE:
            due = f" (due {it.due.isoformat()})" if it.due else " (reported behind)"
            why = f"{it.days} days late{due}"
        else:
            why = (f"{it.days} days behind schedule (expected {it.expected:g}%, done "
                   f"{it.done:g}%, due {it.due.isoformat() if it.due else '—'})")
        return f"- {what}: {why} [level {it.level}]"
    what = f"{it.kind} {it.id} {it.name}"
    if it.reason == LATE:
        due = f"(截止 {it.due.isoformat()})" if it.due else "(单位报告滞后)"
        why = f"逾期 {it.days} 天{due}"
    else:
        why = (f"落后序时进度 {it.days} 天(应完成 {it.expected:g}%,实际 {it.done:g}%,"
               f"截止 {it.due.isoformat() if it.due else '—'})")
    return f"- {what}:{why}〔{_LEVEL_ZH[it.level]}督办〕"


def render(msg: Message, *, workspace: str, as_of: str, schematic: bool,
           lang: str = "zh") -> tuple[str, str]:
    """The (title, markdown text) of ``msg``."""
    top = max(i.level for i in msg.items)
    n = len(msg.items)
    if lang == "en":
        title = f"Reminder (level {top}): {n} items behind as of {as_of}"
        head = [f"### {title}", "",
                f"**{msg.person.name}** ({_ROLE_EN[msg.person.role]}): as of {as_of}, these "
                f"items of {workspace} are behind:"]
    else:
        title = f"{_LEVEL_ZH[top]}督办提醒:截至 {as_of} 共 {n} 项滞后"
        head = [f"### {title}", "",
                f"**{msg.person.name}**({ROLES[msg.person.role][1]}):截至 {as_of},"
                f"{workspace}以下事项滞后,请抓紧推进并报送进度:"]
    lines = list(head)
    unit = work = None
    for it in msg.items:
        if it.unit != unit:
            unit, work = it.unit, None
            lines += ["", f"**{it.unit}**"]
        if it.work != work:
            work = it.work
            lines.append(f"{'Work' if lang == 'en' else '工程'} {it.work} {it.work_name}")
        lines.append(_line(it, lang))
    lines.append("")
    if schematic:
        lines.append("示意 schematic: the data is schematic, not surveyed." if lang == "en"
                     else "(示意数据,非实测)")
    lines.append(f"citymap remind · {as_of}")
    return title, "\n".join(lines)


def tail(n: int, lang: str) -> str:
    """The line ending a clipped message."""
    return (f"… ({n} items in all: see citymap overdue)" if lang == "en"
            else f"……(共 {n} 项,详见 citymap overdue)")
