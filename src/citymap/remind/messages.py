"""Who is told what: recipients by level, one grouped message per recipient (in the
language asked, from the catalogue).
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from citymap.i18n import N_, _, tr
from citymap.remind.config import ROLES, Person, RemindConfig
from citymap.supervise import LATE, RemindItem

__all__ = ["Message", "recipients_of", "plan_messages", "render"]



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
    name = {1: unit, 2: _("{unit}'s leader in charge").format(unit=unit),
            3: _("the county's lead")}[level]
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


#: Overdue item kinds (stored in Chinese), the levels and the roles, as shown.
KINDS = {"工程": N_("work"), "目标": N_("target"), "点位": N_("site")}
LEVELS = {1: N_("Level 1"), 2: N_("Level 2"), 3: N_("Level 3")}
ROLE_NAMES = {"unit": N_("responsible unit"), "leader": N_("leader in charge"),
              "county": N_("county lead")}


def _line(it: RemindItem, lang: str) -> str:
    kind = tr(KINDS[it.kind], lang) if it.kind in KINDS else it.kind
    if it.reason == LATE:
        if it.due:
            why = tr("{days} days late (due {due})", lang).format(days=it.days,
                                                                  due=it.due.isoformat())
        else:
            why = tr("{days} days late (reported behind)", lang).format(days=it.days)
    else:
        why = tr("{days} days behind schedule (expected {expected:g}%, done {done:g}%, due "
                 "{due})", lang).format(days=it.days, expected=it.expected, done=it.done,
                                        due=it.due.isoformat() if it.due else "—")
    return tr("- {kind} {id} {name}: {why} [{level}]", lang).format(
        kind=kind, id=it.id, name=it.name, why=why, level=tr(LEVELS[it.level], lang))


def render(msg: Message, *, workspace: str, as_of: str, schematic: bool,
           lang: str = "zh") -> tuple[str, str]:
    """The (title, markdown text) of ``msg``."""
    top = max(i.level for i in msg.items)
    n = len(msg.items)
    title = tr("Reminder ({level}): {n} items behind as of {date}", lang).format(
        level=tr(LEVELS[top], lang), n=n, date=as_of)
    head = [f"### {title}", "",
            tr("**{person}** ({role}): as of {date}, these items of {workspace} are behind; "
               "please push them on and report progress:", lang).format(
                   person=msg.person.name, role=tr(ROLE_NAMES[msg.person.role], lang),
                   date=as_of, workspace=workspace)]
    lines = list(head)
    unit = work = None
    for it in msg.items:
        if it.unit != unit:
            unit, work = it.unit, None
            lines += ["", f"**{it.unit}**"]
        if it.work != work:
            work = it.work
            lines.append(tr("Work {number} {name}", lang).format(number=it.work,
                                                               name=it.work_name))
        lines.append(_line(it, lang))
    lines.append("")
    if schematic:
        lines.append(tr("(schematic data, not surveyed)", lang))
    lines.append(f"citymap remind · {as_of}")
    return title, "\n".join(lines)


def tail(n: int, lang: str) -> str:
    """The line ending a clipped message."""
    return tr("… ({n} items in all: see citymap overdue)", lang).format(n=n)
