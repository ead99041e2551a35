"""A tiny workspace made in a test folder: 2 actions, 3 works, 2 site layers, 1 context layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from _builder import write_geojson, write_workspace

__all__ = ["CONFIG", "COUNTY_CONFIG", "REGISTER", "LAYERS", "square", "feature", "site",
           "default_features", "write_geojson", "make_workspace"]

CONFIG = """\
[workspace]
name = "测试县三年行动"
county = "测试县"
register = "geo/register.yaml"
status_log = "geo/status_log.csv"
bounds = [117.50, 37.60, 117.66, 37.70]
measure_crs = "EPSG:4548"
schematic = true

[map]
center = [37.645, 117.58]
zoom = 13
"""

#: The same workspace settings with the whole county's box (other test workspaces use it).
COUNTY_CONFIG = CONFIG.replace('name = "测试县三年行动"',
                               'name = "测试县城市品质提升三年行动"\n'
                               'name_en = "Test County city quality plan"').replace(
    "bounds = [117.50, 37.60, 117.66, 37.70]", "bounds = [117.28, 37.42, 117.83, 37.78]")

REGISTER = """\
plan:
  title: 测试县城市品质提升三年行动实施方案
  county: 测试县
  partner_units_of_every_work: [各乡镇(街道)]
unit_aliases:
  县卫生健康委: 县卫生健康局
phases:
  - {number: 1, name: 宣传发动阶段, start: 2020-01-01, end: 2020-04-30}
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
    partner_units: [县卫生健康委]
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
purpose = "new_parks"
source = "geo/sites/pocket_parks.geojson"
geometry = "Polygon"
action = 1
works = [8]
title = { zh = "口袋公园", en = "Pocket parks" }
popup = ["name", "year", "status"]
""",
    "old_communities": """\
name = "old_communities"
role = "sites"
source = "geo/sites/old_communities.geojson"
geometry = "Polygon"
action = 2
works = [16]
title = { zh = "老旧小区", en = "Old communities" }
popup = ["name", "households"]
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


def square(lon: float, lat: float, d: float = 0.001) -> dict[str, Any]:
    """A small lon/lat square polygon (counter-clockwise exterior)."""
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geom: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geom}


def site(fid: str, works: str, name: str, year: int, geom: dict[str, Any],
         **extra: Any) -> dict[str, Any]:
    return feature(geom, id=fid, works=works, name=name, year=year, status="未开始",
                   status_date="2020-06-21", source="示意", kind=None, **extra)


def default_features() -> dict[str, list[dict[str, Any]]]:
    return {
        "pocket_parks": [
            site("PP-1", "8", "东门口袋公园", 2020, square(117.57, 37.64)),
            site("PP-2", "8", "西门口袋公园", 2020, square(117.59, 37.64)),
        ],
        "old_communities": [
            site("OC-1", "16", "幸福小区", 2020, square(117.575, 37.65, 0.002), households=320),
            site("OC-2", "16", "和平小区", 2021, square(117.58, 37.655, 0.002), households=540),
        ],
        "roads": [
            feature({"type": "LineString", "coordinates": [[117.56, 37.645], [117.60, 37.645]]},
                    id="R-1", name="阳城六路", source="示意", **{"class": "主干道"}),
        ],
    }


def make_workspace(root: Path, *, register: str = REGISTER,
                   features: dict[str, list[dict[str, Any]]] | None = None,
                   layers: dict[str, str] | None = None, status_log: str | None = None) -> Path:
    """Write the tiny workspace into ``root`` and return it."""
    feats = features if features is not None else default_features()
    return write_workspace(
        root, config=CONFIG, register=register,
        layers=layers if layers is not None else LAYERS,
        data={f"geo/{'context' if name == 'roads' else 'sites'}/{name}.geojson": fs
              for name, fs in feats.items()},
        status_log=status_log)
    return root
