"""A tiny workspace for the progress tests: 3 works, 2 site layers, 1 context layer.

Work 8 (口袋公园) is led by 县综合行政执法局 and shared by 县住房城乡建设局; work 16
(老旧小区) is led by 县住房城乡建设局 and shared by 县卫生健康局 (alias 县卫生健康委);
work 18 is plan-only (方案待定), led by 县民政局. Every work is shared by the collective
各乡镇(街道).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

LEAD_8 = "县综合行政执法局"
LEAD_16 = "县住房城乡建设局"
TODAY = dt.date(2022, 6, 30)

CONFIG = """\
[workspace]
name = "测试县三年行动"
county = "测试县"
register = "geo/register.yaml"
status_log = "geo/status_log.csv"
bounds = [117.50, 37.60, 117.66, 37.70]
measure_crs = "EPSG:4548"
schematic = true
"""

REGISTER = """\
plan:
  title: 测试县城市品质提升三年行动实施方案
  county: 测试县
  partner_units_of_every_work: [各乡镇(街道)]
unit_aliases:
  县卫生健康委: 县卫生健康局
actions:
  - {number: 1, name: 蓝绿空间提升行动}
  - {number: 2, name: 城市功能提升行动}
works:
  - number: 8
    action: 1
    name: 园林绿化提档升级工程
    lead_units: [县综合行政执法局]
    partner_units: [县住房城乡建设局]
    site_bound: true
    targets:
      - {id: "8.1", metric: pocket_parks, name: 口袋公园, value: 2, unit: 处, comparison: ">=", year: 2020, layer: pocket_parks}
  - number: 16
    action: 2
    name: 居住环境改造提升工程
    lead_units: [县住房城乡建设局]
    partner_units: [县卫生健康局]
    site_bound: true
    targets:
      - {id: "16.1", metric: old_communities_retrofitted, name: 改造老旧小区, value: 1, unit: 个, comparison: "=", year: 2020, layer: old_communities}
      - {id: "16.2", metric: old_communities_retrofitted, name: 改造老旧小区, value: 1, unit: 个, comparison: "=", year: 2021, layer: old_communities}
  - number: 18
    action: 2
    name: 服务设施提升工程
    lead_units: [县民政局]
    plan_only: true
    status: 方案待定
"""

LAYERS = {
    "pocket_parks": """\
name = "pocket_parks"
role = "sites"
source = "geo/sites/pocket_parks.geojson"
geometry = "Polygon"
action = 1
works = [8]
title = { zh = "口袋公园", en = "Pocket parks" }
""",
    "old_communities": """\
name = "old_communities"
role = "sites"
source = "geo/sites/old_communities.geojson"
geometry = "Polygon"
action = 2
works = [16]
title = { zh = "老旧小区", en = "Old communities" }
[fields]
households = { type = "int", zh = "户数", en = "Households" }
""",
    "roads": """\
name = "roads"
role = "context"
source = "geo/context/roads.geojson"
geometry = "LineString"
title = { zh = "道路", en = "Roads" }
[fields]
class = { type = "str", zh = "等级", en = "Class", required = true }
""",
}


def _square(lon: float, lat: float, d: float = 0.001) -> dict[str, Any]:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _site(fid: str, works: str, name: str, year: int, lon: float, lat: float,
          **extra: Any) -> dict[str, Any]:
    props = dict(id=fid, works=works, name=name, year=year, status="未开始",
                 status_date="2020-06-21", source="示意", kind=None, **extra)
    return {"type": "Feature", "properties": props, "geometry": _square(lon, lat)}


def features() -> dict[str, list[dict[str, Any]]]:
    """The default features of each layer."""
    road = {"type": "Feature",
            "properties": {"id": "R-1", "name": "阳城六路", "source": "示意", "class": "主干道"},
            "geometry": {"type": "LineString", "coordinates": [[117.56, 37.645],
                                                               [117.60, 37.645]]}}
    return {
        "pocket_parks": [_site("PP-1", "8", "东门口袋公园", 2020, 117.57, 37.64),
                         _site("PP-2", "8", "西门口袋公园", 2020, 117.59, 37.64)],
        "old_communities": [_site("OC-1", "16", "幸福小区", 2020, 117.575, 37.65,
                                  households=320),
                            _site("OC-2", "16", "和平小区", 2021, 117.58, 37.655,
                                  households=540)],
        "roads": [road],
    }


def make_workspace(root: Path, *, status_log: str | None = None) -> Path:
    """Write the workspace into ``root`` (created) and return it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "citymap.toml").write_text(CONFIG, encoding="utf-8")
    (root / "geo").mkdir(exist_ok=True)
    (root / "geo" / "register.yaml").write_text(REGISTER, encoding="utf-8")
    (root / "layers").mkdir(exist_ok=True)
    for name, text in LAYERS.items():
        (root / "layers" / f"{name}.toml").write_text(text, encoding="utf-8")
    for name, fs in features().items():
        sub = "context" if name == "roads" else "sites"
        path = root / "geo" / sub / f"{name}.geojson"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"type": "FeatureCollection", "features": fs},
                                   ensure_ascii=False), encoding="utf-8")
    if status_log is not None:
        (root / "geo" / "status_log.csv").write_text(status_log, encoding="utf-8")
    return root


LOG_HEADER = "date,id,status,percent,note,unit,recorded_at\n"


def fill_template(path: Path, values: dict[str, dict[str, Any]]) -> None:
    """Fill a template as a unit would: ``values[id] = {"status": …, "date": …, …}``."""
    from openpyxl import load_workbook

    from citymap.io.xlsx import COLUMNS, SHEET_NAME

    wb = load_workbook(path)
    sh = wb[SHEET_NAME]
    col = {c.key: j for j, c in enumerate(COLUMNS, start=1)}
    for r in range(2, sh.max_row + 1):
        ident = str(sh.cell(row=r, column=col["id"]).value)
        for key, v in values.get(ident, {}).items():
            sh.cell(row=r, column=col[key], value=v)
    wb.save(path)


def write_csv(path: Path, rows: list[dict[str, Any]],
              header: tuple[str, ...] = ("编号", "新状态", "日期", "完成百分比", "备注",
                                         "填报单位")) -> Path:
    """A progress CSV with Chinese headers; ``rows`` use the keys id/status/date/…"""
    import csv

    keys = {"编号": "id", "新状态": "status", "日期": "date", "完成百分比": "percent",
            "备注": "note", "填报单位": "unit"}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(keys[h], "") for h in header])
    return path


def run_cli(root: Path, *args: str, env: dict[str, str] | None = None,
            **kwargs: Any) -> subprocess.Popen[str]:
    """Start ``python -m``-style citymap in a subprocess with workspace ``root``."""
    code = "from citymap.cli.main import main; main()"
    e = dict(os.environ, **(env or {}))
    return subprocess.Popen([sys.executable, "-c", code, "--workspace", str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=e, **kwargs)
