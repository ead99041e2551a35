"""Quantities in plan sentences: numbers (Arabic or Chinese) with their unit of measure.

``30个``, ``三条``, ``二十公里以上``, ``1.2万户``, ``2万吨/日``, ``3—5个``, ``60%``,
``百分之六十``, ``六成``, ``24、31、30个`` (one unit for a list) are read into
:class:`Quantity` records: the value and unit as written, the short unit a register uses
(``km`` for 公里) and the value in the base unit of its kind (``m``, ``m²``, ``吨/日``,
``%``, ``户``, ...). Chinese numerals are read with `cn2an <https://pypi.org/project/cn2an/>`_.
"""

from __future__ import annotations

import re

import attrs
import cn2an

__all__ = ["MEASURE_UNITS", "Quantity", "UnitDef", "cn_number", "find_quantities",
           "convert"]


@attrs.frozen
class UnitDef:
    """A unit of measure: its short form for a register, its base unit and the factor."""

    short: str
    base: str
    factor: float


def _units() -> dict[str, UnitDef]:
    units: dict[str, UnitDef] = {}
    for u in ("个", "处", "座", "条", "户", "项", "盏", "部", "套", "所", "家", "台", "辆",
              "栋", "幢", "间", "张", "棵", "株", "块", "片", "段", "人", "名", "孔", "根"):
        units[u] = UnitDef(u, u, 1.0)
        units["万" + u] = UnitDef("万" + u, u, 1e4)
    for written, short, base, factor in (
        ("公里", "km", "m", 1e3), ("千米", "km", "m", 1e3), ("米", "m", "m", 1.0),
        ("延米", "m", "m", 1.0),
        ("平方米", "m²", "m²", 1.0), ("万平方米", "万m²", "m²", 1e4),
        ("平方公里", "km²", "m²", 1e6), ("平方千米", "km²", "m²", 1e6),
        ("亩", "亩", "m²", 1e4 / 15), ("万亩", "万亩", "m²", 1e8 / 15),
        ("公顷", "公顷", "m²", 1e4),
        ("立方米", "m³", "m³", 1.0), ("万立方米", "万m³", "m³", 1e4),
        ("立方米/日", "m³/日", "m³/日", 1.0), ("立方米/天", "m³/日", "m³/日", 1.0),
        ("万立方米/日", "万m³/日", "m³/日", 1e4), ("万立方米/天", "万m³/日", "m³/日", 1e4),
        ("吨/日", "吨/日", "吨/日", 1.0), ("吨/天", "吨/日", "吨/日", 1.0),
        ("万吨/日", "万吨/日", "吨/日", 1e4), ("万吨/天", "万吨/日", "吨/日", 1e4),
        ("吨", "吨", "吨", 1.0), ("万吨", "万吨", "吨", 1e4),
        ("%", "%", "%", 1.0),
    ):
        units[written] = UnitDef(short, base, factor)
    return units


#: Units of measure recognised after a number, as written → :class:`UnitDef`.
MEASURE_UNITS: dict[str, UnitDef] = _units()
#: Short units (the register's) → their definition (for converting to a metric's unit).
_SHORT: dict[str, UnitDef] = {d.short: d for d in MEASURE_UNITS.values()}


@attrs.frozen
class Quantity:
    """A number with its unit, as found in a clause.

    Attributes
    ----------
    start, end
        Its span in the clause.
    value
        The number as written (the lower end of a range).
    high
        The upper end of a range (``3—5个``), else ``None``.
    unit_written, unit
        The unit as written (``"公里"``, ``"百分之"``, ``"成"``) and its short form (``"km"``).
    base_value, base_unit
        The value in the base unit of its kind.
    written
        The text of the quantity.
    group
        Quantities of one list (``24、31、30个``) share a group number; ``-1`` otherwise.
    """

    start: int
    end: int
    value: float
    high: float | None
    unit_written: str
    unit: str
    base_value: float
    base_unit: str
    written: str
    group: int = -1


_CN_DIGITS = "零〇一二两三四五六七八九"
_AR = r"\d+(?:\.\d+)?"
_CN = rf"[{_CN_DIGITS}十百千]+(?:点[{_CN_DIGITS}]+)?"
_NUM = rf"(?:(?<![\d.]){_AR}|(?<![{_CN_DIGITS}十百千第]){_CN})"
_UNIT_RE = "|".join(re.escape(u) for u in sorted(MEASURE_UNITS, key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?P<num>{_NUM})(?:\s*[—\-–~至到]\s*(?P<high>{_AR}|{_CN}))?\s*(?P<unit>{_UNIT_RE})")
_LIST = re.compile(rf"(?P<nums>{_NUM}(?:\s*、\s*(?:{_AR}|{_CN}))+)\s*(?P<unit>{_UNIT_RE})")
_PERCENT_CN = re.compile(rf"百分之(?P<num>{_AR}|{_CN}|百)")
#: Words before 一 that make "一项/一条" an article, not a count (是一项…工程, 走出一条…之路).
_A_ONE = ("是", "为", "出", "有", "成")
#: Words after a count that make it part of the plan's wording, not a target (三个阶段).
_NOT_COUNTED = re.compile(r"百分之百|阶段|方面|环节|步骤|层次|原则|必须|重点|维度|统筹|坚持|结合")
_TENTHS = re.compile(r"(?<![零〇一二两三四五六七八九十])(?P<num>[一二三四五六七八九十])成")


def cn_number(s: str) -> float | None:
    """``"二十"`` → 20.0, ``"三点五"`` → 3.5, ``"12.5"`` → 12.5; ``None`` when not a number.

    A Chinese numeral must hold a digit (``千`` alone, as in 千家万户, is not a number).
    """
    s = s.strip()
    if re.fullmatch(_AR, s):
        return float(s)
    if s == "百":
        return 100.0
    if not re.search(f"[{_CN_DIGITS}十]", s):
        return None
    try:
        return float(cn2an.cn2an(s, "smart"))
    except (ValueError, KeyError):
        return None


def _quantity(start: int, end: int, value: float, high: float | None, unit_written: str,
              written: str, group: int = -1) -> Quantity:
    d = MEASURE_UNITS[unit_written]
    return Quantity(start, end, value, high, unit_written, d.short, value * d.factor, d.base,
                    written, group)


def find_quantities(clause: str) -> list[Quantity]:
    """The quantities of ``clause`` in order.

    Numbers inside quotation marks (slogans such as “十个必须”) and ``N个百分之百`` are not
    quantities; neither is an ordinal (``第一个``).
    """
    masked = re.sub(r"“[^”]{0,40}”", lambda m: "“" + "□" * (len(m.group(0)) - 2) + "”", clause)
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    group = 0
    for m in _LIST.finditer(masked):
        nums = [p.strip() for p in m.group("nums").split("、")]
        values = [cn_number(p) for p in nums]
        if any(v is None for v in values):
            continue
        group += 1
        pos = m.start()
        for p, v in zip(nums, values, strict=True):
            i = masked.index(p, pos)
            assert v is not None
            out.append(_quantity(i, i + len(p), v, None, m.group("unit"),
                                 clause[i:i + len(p)] + m.group("unit"), group))
            pos = i + len(p)
        taken.append(m.span())
    for m in _QUANTITY.finditer(masked):
        if not free(*m.span()) or _NOT_COUNTED.match(masked, m.end()):
            continue
        value = cn_number(m.group("num"))
        if value is None or (m.group("num") == "一" and masked[:m.start()].endswith(_A_ONE)):
            continue
        high = cn_number(m.group("high")) if m.group("high") else None
        out.append(_quantity(m.start(), m.end(), value, high, m.group("unit"),
                             clause[m.start():m.end()]))
        taken.append(m.span())
    for rx, scale, unit_written in ((_PERCENT_CN, 1.0, "百分之"), (_TENTHS, 10.0, "成")):
        for m in rx.finditer(masked):
            value = cn_number(m.group("num"))
            if value is None or not free(*m.span()) or masked[:m.start()].endswith("个"):
                continue
            q = _quantity(m.start(), m.end(), value * scale, None, "%", m.group(0))
            out.append(attrs.evolve(q, unit_written=unit_written))
            taken.append(m.span())
    return sorted(out, key=lambda q: q.start)


def convert(value: float, unit: str, to: str) -> float | None:
    """``value`` in short unit ``unit`` expressed in short unit ``to``; ``None`` if they differ
    in kind (``2`` ``万吨/日`` → ``20000`` ``吨/日``).
    """
    a, b = _SHORT.get(unit), _SHORT.get(to)
    if a is None or b is None or a.base != b.base:
        return None
    return round(value * a.factor / b.factor, 6)
