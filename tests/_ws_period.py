"""The workspace of a plan of another period: :mod:`_ws_core`'s, moved to 2023–2025.

The register gives ``plan.start``/``plan.end`` 2023-01-01 … 2025-12-31 (targets 8.1 and 16.1
in 2024, 16.2 over 2023–2025), every site is planned for 2024 and the status log runs from
2023 to 2025.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import _ws_core as core

#: _ws_core's register moved to 2023–2025: 8.1 in 2024, 16.1 in 2024, 16.2 over 2023–2025.
REGISTER = core.REGISTER.replace(
    "  county: 测试县\n",
    "  county: 测试县\n  start: 2023-01-01\n  end: 2025-12-31\n").replace(
    "start: 2020-01-01, end: 2020-04-30", "start: 2023-01-01, end: 2023-04-30").replace(
    'year: 2020, layer: pocket_parks', 'year: 2024, layer: pocket_parks').replace(
    'value: 1, unit: 个, comparison: "=", year: 2020,',
    'value: 1, unit: 个, comparison: "=", year: 2024,').replace(
    'value: 1, unit: 个, comparison: "=", year: 2021,',
    'value: 2, unit: 个, comparison: "=", start_year: 2023, year: 2025,')

LOG = ("date,id,status,percent,note,unit,recorded_at\n"
       "2023-05-01,PP-1,进行中,40,,县综合行政执法局,2023-05-02T09:00:00+08:00\n"
       "2024-06-30,PP-1,已完成,100,,县综合行政执法局,2024-07-01T09:00:00+08:00\n"
       "2024-11-30,PP-2,已完成,100,,县综合行政执法局,2024-12-01T09:00:00+08:00\n"
       "2025-03-01,OC-1,已完成,100,,县住房城乡建设局,2025-03-02T09:00:00+08:00\n")


def default_features(year: int = 2024) -> dict[str, list[dict[str, Any]]]:
    """:mod:`_ws_core`'s features with every site planned for ``year``."""
    feats = core.default_features()
    for name in ("pocket_parks", "old_communities"):
        for f in feats[name]:
            f["properties"].update(year=year, status_date="2023-03-01")
    return feats


def make_workspace(root: Path, *, register: str = REGISTER, log: str = LOG,
                   features: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    """Write the workspace into ``root`` (created) and return it."""
    return core.make_workspace(root, register=register, status_log=log,
                               features=features if features is not None else default_features())
