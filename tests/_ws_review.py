"""The review tests' workspace: :mod:`_ws_progress`'s, with people and a reviewer declared.

王专班 reviews (and 李审核, a second reviewer); 张执法 reports for 县综合行政执法局 (work 8),
赵住建 for 县住房城乡建设局 (work 16).
"""

from __future__ import annotations

from pathlib import Path

from _ws_progress import LEAD_8, LEAD_16, TODAY, make_workspace

__all__ = ["LEAD_8", "LEAD_16", "TODAY", "PEOPLE", "REVIEWER", "REVIEWER2", "PERSON_8",
           "PERSON_16", "make_review_workspace"]

REVIEWER = "王专班"
REVIEWER2 = "李审核"
PERSON_8 = "张执法"
PERSON_16 = "赵住建"

PEOPLE = f"""
[[people]]
name = "{REVIEWER}"
role = "reviewer"

[[people]]
name = "{REVIEWER2}"
role = "审核"

[[people]]
name = "{PERSON_8}"
role = "unit"
unit = "{LEAD_8}"

[[people]]
name = "{PERSON_16}"
role = "unit"
unit = "{LEAD_16}"
"""


def make_review_workspace(root: Path) -> Path:
    """The progress workspace with :data:`PEOPLE` appended to its ``citymap.toml``."""
    ws = make_workspace(root)
    cfg = ws / "citymap.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + PEOPLE, encoding="utf-8")
    return ws
