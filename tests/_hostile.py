"""The hostile workspace of the corpus tests: every text field an injection attempt."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

P = [
    "<img src=x onerror=window.__xss=1>",
    "</script><script>window.__xss=1</script>",
    "'><svg onload=window.__xss=1>",
    "{{title}}<a href=javascript:window.__xss=1>x</a>",
    "=HYPERLINK('http://evil','点我')",
    "[/][bold]粗[/bold] :smile:",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1<iframe src=javascript:window.__xss=1>",
]
UNIT = "县执法局<b onmouseover=window.__xss=1>x</b>"


def payload(i: int) -> str:
    return P[i % len(P)] + f"·{i}"


def _toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def poison(root: Path) -> None:
    n = iter(range(10_000))
    cfg = root / "citymap.toml"
    text = cfg.read_text("utf-8")
    text = re.sub(r'^name = ".*"$', f"name = {_toml_str(payload(next(n)))}", text, count=1,
                  flags=re.M)
    cfg.write_text(text, "utf-8")
    reg_path = root / "geo/register.yaml"
    reg = yaml.safe_load(reg_path.read_text("utf-8"))
    reg["plan"]["title"] = payload(next(n))
    for a in reg["actions"]:
        a["name"], a["name_en"] = payload(next(n)), payload(next(n))
    for w in reg["works"]:
        w["name"], w["summary"] = payload(next(n)), payload(next(n))
        w["lead_units"] = [UNIT]
        for t in w.get("targets", []):
            t["name"], t["note"] = payload(next(n)), payload(next(n))
    reg_path.write_text(yaml.safe_dump(reg, allow_unicode=True, sort_keys=False), "utf-8")
    for toml in sorted((root / "layers").glob("*.toml")):
        text = toml.read_text("utf-8")
        text = re.sub(r'(zh|en) = "[^"]*"', lambda m: f"{m[1]} = {_toml_str(payload(next(n)))}",
                      text)
        toml.write_text(text, "utf-8")
    for gj in sorted((root / "geo").rglob("*.geojson")):
        doc = json.loads(gj.read_text("utf-8"))
        for f in doc["features"]:
            for key, value in list(f["properties"].items()):
                if key in ("name", "kind", "note") or (isinstance(value, str) and key not in (
                        "id", "works", "status", "status_date", "source")):
                    f["properties"][key] = payload(next(n))
        gj.write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
