"""CSV cells that no spreadsheet runs as a formula, and reading them back exactly.

Excel, WPS and LibreOffice treat a CSV cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return as a formula (CSV injection, OWASP). Every CSV citymap writes
goes through :func:`escape_cell`: such a cell gets a leading single quote (``'=1+1``),
which the spreadsheet shows as text. A plain number (``-3.5``, ``+1e3``) is left as it is:
it cannot be a formula.

The escape is reversible, so CSV files citymap reads back (the status log, the
progress CSV, ``shp/fields.csv``) round-trip exactly: a cell that *starts with a quote*
is escaped too (``'abc`` is written ``''abc``), and :func:`unescape_cell` removes one
leading quote when it is followed by one of ``= + - @ TAB CR '``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["FORMULA_START", "escape_cell", "unescape_cell", "escape_row", "escape_record"]

#: First characters that make a spreadsheet cell a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_START = (*FORMULA_START, "'")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def escape_cell(value: object) -> object:
    """``value`` made safe for a CSV cell (non-text values are returned unchanged).

    Examples
    --------
    >>> escape_cell("=SUM(A1:A9)")
    "'=SUM(A1:A9)"
    >>> escape_cell("-3.5"), escape_cell(-3.5), escape_cell("公园")
    ('-3.5', -3.5, '公园')
    """
    if not isinstance(value, str) or not value.startswith(_ESCAPED_START):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def unescape_cell(text: str) -> str:
    """The cell as it was before :func:`escape_cell` (other text unchanged).

    Examples
    --------
    >>> unescape_cell("'=1+1"), unescape_cell("''a"), unescape_cell("'a")
    ('=1+1', "'a", "'a")
    """
    if len(text) > 1 and text[0] == "'" and text[1] in _ESCAPED_START:
        return text[1:]
    return text


def escape_row(row: Iterable[object]) -> list[object]:
    """Every cell of ``row`` through :func:`escape_cell` (for ``csv.writer``)."""
    return [escape_cell(v) for v in row]


def escape_record(record: Mapping[str, object]) -> dict[str, object]:
    """Every value of ``record`` through :func:`escape_cell` (for ``csv.DictWriter``)."""
    return {k: escape_cell(v) for k, v in record.items()}
