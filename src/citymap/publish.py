"""Publishing: the ``[publish]`` table of ``citymap.toml`` (print layout, public view).

```toml
[publish]
approval_number = "鲁S(2021)xxx号"   # 审图号, printed on every map (blank: a slot to fill)
source = "阳信县住房和城乡建设局"       # the data source line of the print layout
paper = "A4"                         # default paper of the print layout: A4 or A3 (landscape)
coordinate_decimals = 4              # the public view rounds coordinates (4 ≈ 10 m)
public = false                       # true: `citymap build` also writes maps/public/
```
"""

from __future__ import annotations

from typing import Any

import attrs

from citymap.errors import Problem
from citymap.i18n import _

__all__ = ["Publish", "parse_publish", "PAPERS"]

#: Paper sizes of the print layout (landscape), millimetres.
PAPERS: dict[str, tuple[int, int]] = {"A4": (297, 210), "A3": (420, 297)}
_KEYS = ("approval_number", "source", "paper", "coordinate_decimals", "public")


@attrs.frozen
class Publish:
    """How maps are printed and published."""

    approval_number: str = ""
    source: str = ""
    paper: str = "A4"
    coordinate_decimals: int = 4
    public: bool = False


def parse_publish(table: Any, problems: list[Problem], *, where: str = "citymap.toml") -> Publish:
    """The ``[publish]`` table; problems are added to ``problems`` (defaults are kept)."""
    if table is None:
        return Publish()
    if not isinstance(table, dict):
        problems.append(Problem(where, "[publish]", "", _("must be a table, got {table!r}")
                                                        .format(table=table)))
        return Publish()

    def bad(key: str, msg: str) -> None:
        problems.append(Problem(where, "[publish]", key, msg))

    for key in table:
        if key not in _KEYS:
            bad(key, _("unknown key {key!r}; known keys: {choices}")
                     .format(key=key, choices=", ".join(_KEYS)))
    out: dict[str, Any] = {}
    for key in ("approval_number", "source"):
        v = table.get(key, "")
        if not isinstance(v, str):
            bad(key, _("must be a text, got {value!r}").format(value=v))
        else:
            out[key] = v.strip()
    paper = table.get("paper", "A4")
    if paper not in PAPERS:
        bad("paper", _("{paper!r} must be one of {choices}")
                     .format(paper=paper, choices=", ".join(PAPERS)))
    else:
        out["paper"] = paper
    dec = table.get("coordinate_decimals", 4)
    if isinstance(dec, bool) or not isinstance(dec, int) or not 0 <= dec <= 6:
        bad("coordinate_decimals", _("{value!r} must be a whole number from 0 to 6 (4 ≈ 10 m, 3 ≈ "
                                     "100 m)").format(value=dec))
    else:
        out["coordinate_decimals"] = dec
    public = table.get("public", False)
    if not isinstance(public, bool):
        bad("public", _("must be true or false, got {public!r}").format(public=public))
    else:
        out["public"] = public
    return Publish(**out)
