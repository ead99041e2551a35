"""The print layout's texts: title, date, source and the 审图号 slot (``[publish]``).

The layout itself is ``templates/js/75-print.js`` and ``templates/css/75-print.css``:
a print button, A4/A3 landscape pages (``@page``), the title above the map, the legend,
scale bar and north arrow on it, and the date, source and approval number below.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from citymap.publish import PAPERS
from citymap.workspace import Config

__all__ = ["PRINT_UI", "print_blob"]

PRINT_UI: dict[str, dict[str, str]] = {
    "zh": {"print": "打印", "printTitle": "打印 / 导出 PDF（横向）", "paper": "纸张",
           "source": "数据来源", "approval": "审图号", "made": "制图日期", "asof": "截至",
           "north": "北", "schematic": "示意图：数据为示意，非实测",
           "defaultSource": "{name}（citymap {version} 生成）"},
    "en": {"print": "Print", "printTitle": "Print / save as PDF (landscape)", "paper": "Paper",
           "source": "Source", "approval": "Map approval No. (审图号)", "made": "Made",
           "asof": "As of", "north": "N", "schematic": "示意 — schematic data, not surveyed",
           "defaultSource": "{name} (made with citymap {version})"},
}


def print_blob(config: Config, lang: str, *, version: str,
               today: dt.date | None = None) -> dict[str, Any]:
    """What the print layout shows besides the map: ``{ui, approval, source, paper,
    papers, made, schematic}`` (``papers``: name → [width, height] in mm, landscape).
    """
    ui = PRINT_UI["zh" if lang != "en" else "en"]
    pub = config.publish
    name = (config.name_en or config.name) if lang == "en" else config.name
    source = pub.source or ui["defaultSource"].format(name=name, version=version)
    return {"ui": ui, "approval": pub.approval_number, "source": source, "paper": pub.paper,
            "papers": {k: list(v) for k, v in PAPERS.items()},
            "made": (today or dt.date.today()).isoformat(), "schematic": config.schematic}
