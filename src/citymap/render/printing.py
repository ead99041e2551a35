"""The print layout's texts: title, date, source and the 审图号 slot (``[publish]``).

The layout itself is ``templates/js/75-print.js`` and ``templates/css/75-print.css``:
a print button, A4/A3 landscape pages (``@page``), the title above the map, the legend,
scale bar and north arrow on it, and the date, source and approval number below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from citymap.i18n import N_
from citymap.publish import PAPERS
from citymap.render.ui import translated
from citymap.workspace import Config

__all__ = ["PRINT_UI", "print_blob"]

#: The print layout's words: key → English message id (:func:`citymap.render.ui.translated`).
PRINT_UI: dict[str, str] = {
    "print": N_("Print"),
    "printTitle": N_("Print / save as PDF (landscape)"),
    "paper": N_("Paper"),
    "source": N_("Data source"),
    "approval": N_("Map approval No."),
    "made": N_("Made"),
    "asof": N_("As of"),
    "north": N_("N"),
    "schematic": N_("schematic map: the data is schematic, not surveyed"),
    "defaultSource": N_("{name} (made with citymap {version})"),
}


def print_blob(config: Config, lang: str, *, version: str,
               today: dt.date | None = None) -> dict[str, Any]:
    """What the print layout shows besides the map: ``{ui, approval, source, paper,
    papers, made, schematic}`` (``papers``: name → [width, height] in mm, landscape).
    """
    ui = translated(PRINT_UI, lang)
    pub = config.publish
    name = (config.name_en or config.name) if lang == "en" else config.name
    source = pub.source or ui["defaultSource"].format(name=name, version=version)
    return {"ui": ui, "approval": pub.approval_number, "source": source, "paper": pub.paper,
            "papers": {k: list(v) for k, v in PAPERS.items()},
            "made": (today or dt.date.today()).isoformat(), "schematic": config.schematic}
