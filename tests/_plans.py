"""Helpers of the plan-parser tests: what a planner does with a draft register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from citymap.planparse import DraftRegister


def fill_gaps(data: dict[str, Any], draft: DraftRegister) -> None:
    """Do what the planner does with a draft: fill in what the parser listed as missing."""
    fields = {u.field for u in draft.unplaced}
    plan = data["plan"]
    if "county" in fields:
        assert not plan["county"]
        plan["county"] = "测试县"
    if "start" in fields:
        plan["start"], plan["end"] = dt.date(2021, 1, 1), dt.date(2023, 12, 31)
    if not data["actions"]:
        data["actions"] = [{"number": 1, "name": "待定行动"}]
    for w in data["works"]:
        if w["action"] is None:
            w["action"] = data["actions"][0]["number"]
        if not w["lead_units"]:
            w["lead_units"] = ["待定单位"]
        w["status"] = "进行中"
    for owner, key in [*((w, "targets") for w in data["works"]), (data, "plan_targets")]:
        kept = []
        for t in owner.get(key) or []:
            if t["metric"] is None:  # the planner picks a metric or deletes the line
                continue
            if "layer" in t:
                t["layer"] = "sites"
            if "denominator" in t:
                t["denominator"] = {"layer": "roads"}
            kept.append(t)
        owner[key] = kept
