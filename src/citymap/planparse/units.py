"""The units (departments) responsible for a work, and the "every township" rule.

The forms this family of plans uses:

- ``(牵头单位:X;责任单位:Y、Z)``, ``(牵头部门:X,配合单位:Y)``, ``〔责任单位:X、Y〕``;
- ``(X牵头,Y、Z配合)``, ``(X牵头,Y参与)``, ``(X牵头)``, ``(由A、B按职责分工负责)``;
- ``责任单位:…`` or ``牵头部门:…`` / ``配合部门:…`` on lines of their own after the work;
- ``由X牵头制定。责任单位:…`` without brackets.

When a work names only 责任单位, they are its lead units, unless the text says that the
first one listed leads (``排在第一位的为牵头单位``).

The rule that every township (or county, district) is a responsible unit of every work —
``以下各项工作的责任单位中均有各乡镇(街道)…,不再重复列出``, ``各镇(街道)均为责任单位,不再列出``,
``各镇街均为责任单位``, ``各乡镇(街道)按职责分工负责`` — is read as the plan's
``partner_units_of_every_work``, never as a unit of a work.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

from citymap.planparse.text import paren_groups, split_top

__all__ = ["TownshipRule", "WorkUnits", "first_is_lead", "township_rules", "work_units"]

_LEAD_KEYS = ("牵头单位", "牵头部门", "主责单位", "主责部门")
_PARTNER_KEYS = ("配合单位", "配合部门", "参与单位", "参与部门", "协办单位", "协同单位",
                 "协助单位")
_SHARED_KEYS = ("责任单位", "责任部门")
_KEY = re.compile(rf"({'|'.join(_LEAD_KEYS + _PARTNER_KEYS + _SHARED_KEYS)})\s*:")
_LINE_KEY = re.compile(rf"(?m)^\s*({'|'.join(_LEAD_KEYS + _PARTNER_KEYS + _SHARED_KEYS)})\s*:")
_NOT_LISTED = r"(?:[,]?\s*(?:不再|不)(?:一一|单独|重复)?列出)?"
_SUBJECT = r"(?P<s>各[^。,;:\n]{1,40}?)"
_AT_START = r"(?:^|(?<=[。;,:(\n]))\s*"
_RULES = (
    re.compile(r"(?:以下|下列)各项工作的?责任单位中?均有(?P<s>.+?)[,。;]\s*(?:不再|不)重复列出"),
    re.compile(rf"(?m){_AT_START}{_SUBJECT}(?:均|都)?(?:为|是)(?:以上|以下)?(?:各项|所有)?"
               rf"(?:工作|任务)?的?责任(?:单位|主体){_NOT_LISTED}"),
    re.compile(rf"(?m){_AT_START}{_SUBJECT}(?:要)?按(?:照)?职责分工(?:负责|落实|抓好落实)"
               rf"{_NOT_LISTED}"),
    re.compile(rf"(?m){_AT_START}{_SUBJECT}(?:均|都)(?:参与|负责|配合)(?:各项)?(?:工作|任务)?"
               rf"{_NOT_LISTED}"),
    re.compile(rf"(?m){_AT_START}{_SUBJECT}(?:负责|落实|承担|参与|配合|做好|抓好)[^。\n]{{0,20}}?"
               r"[,]?\s*(?:不再|不)(?:一一|单独|重复)?列出"),
)
_FIRST_LEADS = re.compile(r"(?:排在|列)(?:第一位|首位|第一个)的?(?:单位)?为牵头(?:单位|部门)")
_CONTINUES = ("政府", "人民政府", "党", "办事处")
_LEAD_MARK = re.compile(r"\((?:牵头|牵头单位|牵头部门)\)$")
_UNIT_MARK = re.compile(r"牵头|按职责分工负责|配合|参与|责任单位|责任部门|牵头部门")
_LEAD_FREE = re.compile(
    r"^由?(?P<lead>[^。]+?)(?:牵头|负责)(?:制定|负责|实施|推进|落实)?(?:实施方案|工作方案|方案)?"
    r"(?:[,;]\s*(?P<partners>[^。]+?)(?:等单位|等部门|等)?(?:配合|参与|协同|协助|共同推进|共同负责)"
    r"(?:实施|落实)?)?[。]?$")
_ALL_LEAD = re.compile(r"^由?(?P<lead>[^。]+?)按职责分工负责[。]?$")


@attrs.frozen
class TownshipRule:
    """A sentence saying every township (county, ...) is a responsible unit of every work."""

    subjects: tuple[str, ...]
    text: str


@attrs.frozen
class WorkUnits:
    """What :func:`work_units` found: the units and the work's text without them."""

    lead: tuple[str, ...]
    partners: tuple[str, ...]
    rest: str
    found: bool


def _split_subject(s: str) -> tuple[str, ...]:
    parts: list[str] = []
    for p in split_top(re.sub(r"\s+", "", s), "、,"):
        if parts and p.startswith(_CONTINUES):
            parts[-1] += "、" + p
        elif p:
            parts.append(p)
    return tuple(parts)


def township_rules(text: str) -> list[TownshipRule]:
    """Every wording of the "every township is a responsible unit" rule in ``text``."""
    rules: list[TownshipRule] = []
    taken: list[tuple[int, int]] = []
    for rx in _RULES:
        for m in rx.finditer(text):
            if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                continue
            taken.append(m.span())
            rules.append(TownshipRule(_split_subject(m.group("s")), m.group(0).strip()))
    return rules


def first_is_lead(text: str) -> bool:
    """Whether the text says the first unit listed leads (``排在第一位的为牵头单位``)."""
    return bool(_FIRST_LEADS.search(text))


def _clean(u: str) -> str:
    u = u.strip(",;。:、 ")
    u = re.sub(r"^(?:由|请)", "", u)
    u = re.sub(r"(?:牵头(?:制定|负责)?(?:实施方案)?|等单位|等部门|等|负责|配合|参与)$", "", u)
    return u


def _split_units(s: str, every: Sequence[str]) -> list[str]:
    units: list[str] = []
    pieces = {p for e in every for p in split_top(e, "、")}
    for part in split_top(re.sub(r"\s+", "", s), "、,;"):
        u = _clean(part)
        if not u or u in units or u in pieces or any(u.startswith(e) for e in every):
            continue
        units.append(u)
    return units


def _parse_block(block: str, *, every: Sequence[str], first_leads: bool
                 ) -> tuple[list[str], list[str]]:
    """Lead and partner units of a unit block (a bracket's inside, trailing lines, a tail)."""
    block = block.strip()
    keys = list(_KEY.finditer(block))
    lead: list[str] = []
    partners: list[str] = []
    shared: list[str] = []
    if keys:
        head = block[: keys[0].start()]
        for i, k in enumerate(keys):
            end = keys[i + 1].start() if i + 1 < len(keys) else len(block)
            value = re.split(r"(?:以下|下列)各项工作", block[k.end(): end])[0]
            units = _split_units(value, every)
            key = k.group(1)
            (lead if key in _LEAD_KEYS else partners if key in _PARTNER_KEYS else shared
             ).extend(units)
        if not lead and (m := re.search(r"(?:^|[。,;])\s*由?([^。,;]*?)牵头", head)):
            lead = _split_units(m.group(1), every)
        marked = [u for u in shared if _LEAD_MARK.search(u)]
        if marked and not lead:  # "责任单位:X(牵头)、Y、Z"
            lead = [_LEAD_MARK.sub("", u) for u in marked]
            shared = [u for u in shared if u not in marked]
        if lead:
            partners = shared + partners
        elif first_leads and shared:
            lead, partners = shared[:1], shared[1:] + partners
        else:
            lead = shared
        return lead, partners
    flat = re.sub(r"\s+", "", block)
    if m := _ALL_LEAD.match(flat):
        return _split_units(m.group("lead"), every), []
    if m := _LEAD_FREE.match(flat):
        return (_split_units(m.group("lead"), every),
                _split_units(m.group("partners") or "", every))
    return [], []


def work_units(body: str, *, every: Sequence[str] = (), first_leads: bool = False,
               rules: Sequence[TownshipRule] = ()) -> WorkUnits:
    r"""The lead and partner units of a work's text and the text without them.

    Parameters
    ----------
    body
        The work's text after its name (lines joined with ``"\n"``).
    every
        Units of every work (the township rule's subjects): never listed as a work's units.
    first_leads
        The text says the first 责任单位 listed is the lead unit.
    rules
        The township rules of the text: their sentences are removed from the work's text.
    """
    for r in rules:
        body = body.replace(r.text, "")
    # 1. keyed lines of their own after the work: "责任单位:…", "牵头部门:…"
    if (m := _LINE_KEY.search(body)) and m.start() > 0:
        lead, partners = _parse_block(body[m.start():], every=every, first_leads=first_leads)
        if lead:
            return WorkUnits(tuple(lead), tuple(partners), body[: m.start()].strip(), True)
    # 2. the last bracket holding a unit block
    for start, end in reversed(paren_groups(body)):
        inner = body[start + 1: end - 1]
        if not _UNIT_MARK.search(inner):
            continue
        lead, partners = _parse_block(inner, every=every, first_leads=first_leads)
        if lead:
            rest = (body[:start] + body[end:]).strip()
            return WorkUnits(tuple(lead), tuple(partners), rest, True)
    # 3. no bracket: "由X牵头制定。责任单位:…" or "…,责任单位:…"
    km = _KEY.search(body)
    lead, partners = _parse_block(body if km else "", every=every, first_leads=first_leads)
    if not lead and (m := re.search(r"(?:^|[。,;])\s*由([^。,;()]{2,60}?)牵头", body)):
        lead = _split_units(m.group(1), every)
    rest = body[: km.start()] if km else body
    return WorkUnits(tuple(lead), tuple(partners), rest.strip(), bool(lead))
