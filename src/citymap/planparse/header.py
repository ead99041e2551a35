"""The plan's header: title, issuing body, county, date issued, plan period, basis.

The county is read only from an administrative name at the start of the title or of the
issuing body (``无棣县…``, ``滨州市沾化区…``, ``佛山市顺德区…``); when there is none it is
left empty — never taken from whatever characters happen to precede 县/市/区 in the text.
"""

from __future__ import annotations

import datetime as dt
import re

import attrs
import cn2an

from citymap.planparse.text import CJK, last_day, safe_date

__all__ = ["Header", "county_of", "find_header", "plan_period", "plan_basis"]

_DASH = r"(?:至|到|-|—|–|~|－)"
_DOC_END = r"(?:实施方案|工作方案|行动方案|方案|行动计划|计划|实施意见|意见|规划|工作要点)"
_TITLE = re.compile(
    rf"^[{CJK}0-9()《》“”\-—、]{{4,60}}?{_DOC_END}(?:\((?:20\d\d)[^()]{{0,12}}\))?$")
_NOTICE = re.compile(r"^(?P<issuer>.*?)关于印发《?(?P<title>.+?)》?的通知$")
_ISSUER = re.compile(
    rf"^([{CJK}()]{{2,30}}?(?:人民政府办公室|人民政府办公厅|人民政府|办公室|办公厅|委员会|指挥部|"
    rf"局|委|中心|部))$"
)
_DATE_LINE = re.compile(r"^(20\d\d)\s*[.\-/年]\s*(\d{1,2})\s*[.\-/月]\s*(\d{1,2})\s*日?$")

# administrative names: a province, then prefecture-level cities, then a county-level unit
_PROVINCE = re.compile(rf"^[{CJK}]{{2,7}}?(?:省|自治区)")
_PREFECTURE = re.compile(rf"^[{CJK}]{{2,7}}?(?:市|州|盟|地区)")
_COUNTY = re.compile(rf"^[{CJK}]{{1,5}}?(?:自治县|自治旗|县|区|市|旗)")
#: Words that make a "name" ending in 县/市/区 not a place (城市, 全县, 综合实验区, 提升城市…).
_GENERIC = {"城市", "都市", "城区", "市区", "片区", "社区", "园区", "街区", "小区", "景区",
            "县城", "主城区", "老城区", "新城区", "中心城区", "建成区", "全市", "全县", "全区"}
_NOT_IN_NAME = ("提升", "品质", "工程", "完善", "综合", "实验", "开发", "示范", "高新", "经济",
                "技术", "行动", "更新", "关于", "印发", "实施", "推进", "逐步", "全面", "城市")
_NOT_FIRST = ("全", "我", "本", "各", "该", "市", "县", "区")


@attrs.frozen
class Header:
    """What :func:`find_header` found."""

    title: str = ""
    issued_by: str = ""
    issued: dt.date | None = None


def _is_name(name: str) -> bool:
    return (name not in _GENERIC and not name.startswith(_NOT_FIRST)
            and not any(w in name for w in _NOT_IN_NAME))


def county_of(s: str) -> str:
    """The lowest administrative unit named at the start of ``s``, or ``""``.

    Examples
    --------
    >>> county_of("滨州市沾化区城市品质提升行动方案"), county_of("城市品质提升三年行动实施方案")
    ('沾化区', '')
    """
    found = ""
    rest = s
    if (m := _PROVINCE.match(rest)) and _is_name(m.group(0)):
        rest = rest[m.end():]
    while (m := _PREFECTURE.match(rest)) and _is_name(m.group(0)):
        found, rest = m.group(0), rest[m.end():]
    if (m := _COUNTY.match(rest)) and _is_name(m.group(0)):
        found = m.group(0)
    return found


def find_header(lines: list[str], first_heading: int) -> tuple[Header, set[int]]:
    """Title, issuing body and date; and the indices of the lines they were read from.

    The title is looked for before the first heading (a notice ``X关于印发Y的通知`` gives
    both the issuing body X and the title Y); the issuing body is the last line that reads
    like one (the signature), else the notice's; the date is the last date line.
    """
    title = issuer = ""
    issued: dt.date | None = None
    used: set[int] = set()
    for i, line in enumerate(lines[:max(first_heading, 0)]):
        if "。" in line:
            continue
        if m := _NOTICE.match(line):
            if not title:
                title = m.group("title")
            if _ISSUER.match(m.group("issuer")):
                issuer = m.group("issuer")
            used.add(i)
        elif _TITLE.match(line) and (not title or line == title):
            title = title or line
            used.add(i)
    for i, line in enumerate(lines):
        if m := _DATE_LINE.match(line):
            issued = safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) or issued
            used.add(i)
        elif len(line) <= 30 and _ISSUER.match(line) and i not in used:
            issuer = line
            used.add(i)
    return Header(title, issuer, issued), used


def plan_period(title: str, text: str) -> tuple[dt.date | None, dt.date | None]:
    """The plan period from the title (``(2021—2023年)``) or the text (``实施期限:2021年1月至
    2025年12月``, ``利用两年时间(2022—2023年)``, ``自2020年开始,为期三年``, ``至2022年底结束``).
    """
    if m := re.search(rf"\((20\d\d)\s*年?\s*{_DASH}\s*(20\d\d)\s*年?\)", title):
        return dt.date(int(m.group(1)), 1, 1), dt.date(int(m.group(2)), 12, 31)
    rng = re.compile(rf"(20\d\d)\s*(?:年(?:\s*(\d{{1,2}})\s*月)?)?\s*{_DASH}\s*(20\d\d)\s*年"
                     rf"(?:\s*(\d{{1,2}})\s*月)?")
    for m in rng.finditer(text):
        before = text[max(m.start() - 12, 0): m.start()]
        if re.search(r"期限|时间|为期|期间|周期|行动|\($", before):
            m0, m1 = int(m.group(2) or 1), int(m.group(4) or 12)
            if 1 <= m0 <= 12 and 1 <= m1 <= 12:
                return dt.date(int(m.group(1)), m0, 1), last_day(int(m.group(3)), m1)
    start: dt.date | None = None
    end: dt.date | None = None
    if m := re.search(r"(?:自|从)(20\d\d)\s*年(?:(\d{1,2})\s*月)?(?:起|开始)", text):
        start = safe_date(int(m.group(1)), int(m.group(2) or 1), 1)
    if m := re.search(r"至(20\d\d)\s*年底?结束", text):
        end = dt.date(int(m.group(1)), 12, 31)
    elif start is not None and (m := re.search(
            r"(?:为期|用|利用)\s*([一二两三四五六七八九十]|\d{1,2})\s*年(?:左右)?(?:时间)?", text)):
        n = int(cn2an.cn2an(m.group(1), "smart"))
        end = dt.date(start.year + n - 1, 12, 31)
    return start, end


def plan_basis(text: str) -> tuple[str, ...]:
    """The documents the plan is based on: ``《关于印发X的通知》(文号)`` or ``《X方案》(文号)``."""
    found: list[str] = []
    for rx in (r"《关于印发(.+?)的通知》(?:\(([^()]*?〔20\d\d〕[^()]*?)\))?",
               rf"《([^《》]+?{_DOC_END})》(?:\(([^()]*?〔20\d\d〕[^()]*?)\))"):
        for m in re.finditer(rx, text):
            b = f"{m.group(1)} ({m.group(2)})" if m.group(2) else m.group(1)
            if b not in found:
                found.append(b)
    return tuple(found)
