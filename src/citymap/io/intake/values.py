"""Values as people write them: numbers and years as text, loose dates, department statuses.

Every converter takes one cell and returns the value citymap stores, or raises
:class:`ValueError` with a short reason; the importer turns that into exactly one problem
on the row and field, showing the value. Dates go through the one date parser,
:func:`citymap.history.parse_date`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from citymap.history import parse_date
from citymap.i18n import _
from citymap.vocab import PLAN_YEARS, SITE_STATUSES

__all__ = [
    "STATUS_SYNONYMS",
    "is_blank",
    "plain",
    "to_int",
    "to_float",
    "to_year",
    "to_date",
    "to_status",
    "to_bool",
    "status_synonyms",
    "to_works",
    "convert",
]

#: How departments write a site's status → citymap's status. A workspace adds its own in
#: ``citymap.toml`` (``[import.status_synonyms]``, e.g. ``"基本完工" = "进行中"``).
STATUS_SYNONYMS: Mapping[str, str] = {
    **dict.fromkeys(("完工", "已完工", "竣工", "已竣工", "完成", "建成", "已建成", "验收",
                     "已验收", "竣工验收", "交付", "已交付", "done", "completed", "finished"),
                    "已完成"),
    **dict.fromkeys(("在建", "施工中", "正在施工", "建设中", "正在建设", "实施中", "开工",
                     "已开工", "推进中", "进行", "in progress", "under construction",
                     "started"), "进行中"),
    **dict.fromkeys(("未开工", "前期", "前期工作", "前期阶段", "筹备", "筹备中", "计划",
                     "待建", "拟建", "未实施", "not started", "planned"), "未开始"),
    **dict.fromkeys(("延期", "停工", "停滞", "缓建", "落后", "延误", "behind", "delayed"),
                    "滞后"),
}

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_YEAR = re.compile(r"^(\d{4})\s*(年|年度)?$")


def is_blank(value: Any) -> bool:
    """True for a missing cell: ``None``, NaN, NaT, NA or only spaces."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating) and math.isnan(float(value)):
        return True
    return isinstance(value, str) and not value.strip()


def plain(value: Any) -> Any:
    """A cell as a plain Python value: blanks as ``None``, numpy scalars unwrapped,
    whole-day timestamps as ``YYYY-MM-DD`` text.
    """
    if is_blank(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, str):
        return value.strip()
    return value


def _text(value: Any) -> str:
    """NFKC-normalised text (full-width digits and signs become ASCII), no thousands commas."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return re.sub(r"(?<=\d)[,，](?=\d{3}\b)", "", text)


def to_float(value: Any) -> float:
    """A number from a cell: ``8``, ``8.5``, ``"8.5"``, ``"１,２３４"``."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(_("is a yes/no value, not a number"))
    if isinstance(value, int | float | np.integer | np.floating):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            raise ValueError(_("is not a number"))
        return f
    text = _text(value)
    if not _NUMBER.match(text):
        raise ValueError(_("is not a number"))
    return float(text)


def to_int(value: Any) -> int:
    """A whole number from a cell: ``8``, ``8.0``, ``"8"``."""
    f = to_float(value)
    if not f.is_integer():
        raise ValueError(_("is not a whole number"))
    return int(f)


def to_year(value: Any, years: tuple[int, int] = PLAN_YEARS) -> int:
    """A plan year from a cell: ``2021``, ``"2021"``, ``"2021年"``, ``2021.0``, a date.

    ``years`` are the plan's first and last year (``Plan.years``).
    """
    lo, hi = years
    if isinstance(value, dt.date | pd.Timestamp):
        year = value.year
    else:
        m = _YEAR.match(_text(value))
        if m:
            year = int(m.group(1))
        else:
            try:
                year = to_int(value)
            except ValueError:
                raise ValueError(_("is not a year; write a plan year {lo}–{hi}")
                                 .format(lo=lo, hi=hi)) from None
    if not lo <= year <= hi:
        raise ValueError(_("is not a plan year {lo}–{hi}").format(lo=lo, hi=hi))
    return year


def to_date(value: Any) -> str:
    """A date as ``YYYY-MM-DD`` from ``2021-05-01``, ``2021/5/1``, ``2021.05.01``,
    ``2021年5月1日``, an Excel serial number or a date cell.
    """
    v = value
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, pd.Timestamp | dt.datetime):
        v = pd.Timestamp(v).date()
    if isinstance(v, str):
        v = _text(v)
        if v.isdigit() and len(v) == 5:
            v = int(v)  # an Excel day number that a table stored as text
    try:
        # a number in a GIS or spreadsheet table is an Excel day number
        return parse_date(v, serial=True).isoformat()
    except ValueError:
        raise ValueError(_("is not a date; write it like 2021-05-01, 2021/5/1 or "
                           "2021年5月1日")) from None


def status_synonyms(root: str | Path | None = None) -> dict[str, str]:
    """The status synonyms: :data:`STATUS_SYNONYMS` and the workspace's own.

    The workspace's come from ``citymap.toml``, table ``[import.status_synonyms]``
    (written word → one of the site statuses); an entry naming an unknown status is
    ignored here (``citymap validate`` is where the configuration is checked).
    """
    out = dict(STATUS_SYNONYMS)
    if root is None:
        return out
    path = Path(root) / "citymap.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return out
    extra = (data.get("import") or {}).get("status_synonyms") or {}
    if isinstance(extra, dict):
        out.update({str(k).strip(): v for k, v in extra.items() if v in SITE_STATUSES})
    return out


def to_status(value: Any, synonyms: Mapping[str, str] | None = None) -> str:
    """A site status from the way a department writes it (``完工`` → ``已完成``)."""
    text = _text(value)
    if text in SITE_STATUSES:
        return text
    table = STATUS_SYNONYMS if synonyms is None else synonyms
    found = table.get(text) or table.get(text.lower())
    if found is None:
        raise ValueError(_("is not a status; use one of {choices} (or add the word to "
                           "[import.status_synonyms] in citymap.toml)")
                         .format(choices=", ".join(SITE_STATUSES)))
    return found


def to_bool(value: Any) -> bool:
    """Yes/no from ``是/否``, ``true/false``, ``1/0``, ``Y/N``."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    text = _text(value).lower()
    if text in ("是", "true", "1", "y", "yes", "有", "1.0"):
        return True
    if text in ("否", "false", "0", "n", "no", "无", "0.0"):
        return False
    raise ValueError(_("is not yes/no; write 是 or 否"))


def to_works(value: Any) -> str:
    """Work numbers as text: ``8``, ``8.0``, ``"6;16"``, ``"6、16"``."""
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool):
        return str(to_int(value))
    parts = [p for p in re.split(r"[;,，；、\s]+", _text(value)) if p]
    try:
        return ";".join(str(to_int(p)) for p in parts)
    except ValueError:
        raise ValueError(_("is not a list of work numbers; write e.g. 8 or 6;16")) from None


def convert(value: Any, kind: str, *, synonyms: Mapping[str, str] | None = None,
            years: tuple[int, int] = PLAN_YEARS) -> Any:
    """Convert one non-blank cell to ``kind``.

    ``kind`` is a layer field type (``str``, ``int``, ``float``, ``bool``) or one of the
    common site properties' kinds (``year``, ``date``, ``status``, ``works``, ``id``);
    a ``year`` lies in ``years``, the plan's first and last year (``Plan.years``).

    Raises
    ------
    ValueError
        With the reason (the caller shows the value).
    """
    if kind == "year":
        return to_year(value, years)
    if kind == "date":
        return to_date(value)
    if kind == "status":
        return to_status(value, synonyms)
    if kind == "works":
        return to_works(value)
    if kind == "int":
        return to_int(value)
    if kind == "float":
        return to_float(value)
    if kind == "bool":
        return to_bool(value)
    if kind == "id" and isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    v = plain(value)
    return v if isinstance(v, str) else str(v)
