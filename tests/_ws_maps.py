"""A small workspace for the map tests: 3 works in 2 actions, a polygon, line and point layer,
a pilot zone (smaller than 2 km²), context layers (roads, residential land, a park), a
target not measurable from geometry, a status history that changes colours over the years,
and one site and one parcel whose names are HTML injection attempts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from _builder import write_workspace
from _ws_core import COUNTY_CONFIG
from citymap.workspace import Workspace, load_workspace

XSS = "<img src=x onerror=alert(1)>"
TODAY = "2024-06-30"

CONFIG = COUNTY_CONFIG

REGISTER = """\
plan:
  title: 测试县城市品质提升三年行动实施方案
  county: 测试县
  partner_units_of_every_work: [各乡镇(街道)]
actions:
  - {number: 2, name: 蓝绿空间提升行动, name_en: Blue and green space}
  - {number: 5, name: 城市功能提升行动, name_en: Urban functions}
works:
  - number: 8
    action: 2
    name: 园林绿化提档升级工程
    lead_units: [县综合行政执法局]
    partner_units: [县财政局]
    site_bound: true
    targets:
      - {id: "8.1", metric: pocket_parks, name: 口袋公园, value: 2, unit: 处, year: 2020, layer: pocket_parks}
      - {id: "8.2", metric: greenway_length, name: 绿道, value: 1, unit: km, year: 2021, layer: greenways}
  - number: 16
    action: 5
    name: 居住环境改造提升工程
    lead_units: [县住房城乡建设局]
    partner_units: [县发改局]
    site_bound: true
    targets:
      - {id: "16.1", metric: old_communities_retrofitted, name: 改造老旧小区, value: 2, unit: 个, comparison: "=", year: 2020, layer: old_communities}
      - {id: "16.2", metric: old_communities_retrofitted, name: 改造老旧小区, value: 3, unit: 个, comparison: "=", year: 2021, layer: old_communities}
  - number: 17
    action: 5
    name: 城市防汛防洪能力提升工程
    lead_units: [县住房城乡建设局, 县水利局]
    site_bound: true
    targets:
      - {id: "17.1", metric: platform_milestone, name: 防汛平台建设, value: 1, unit: 项, year: 2021}
plan_targets:
  - {id: "P.1", metric: pilot_zone_area, name: 试点片区, value: 2, unit: km², year: 2020, layer: pilot_zones}
"""

LAYERS = {
    "old_communities": """\
name = "old_communities"
role = "sites"
source = "geo/sites/old_communities.geojson"
geometry = "Polygon"
action = 5
works = [16, 17]
title = { zh = "老旧小区改造", en = "Old communities" }
popup = ["name", "year", "households", "note"]
[fields]
households = { type = "int", zh = "户数", en = "Households" }
note = { type = "str", zh = "说明", en = "Note" }
""",
    "greenways": """\
name = "greenways"
role = "sites"
source = "geo/sites/greenways.geojson"
geometry = "LineString"
action = 2
works = [8]
title = { zh = "绿道", en = "Greenways" }
""",
    "pocket_parks": """\
name = "pocket_parks"
role = "sites"
source = "geo/sites/pocket_parks.geojson"
geometry = "Point"
action = 2
works = [8]
title = { zh = "口袋公园", en = "Pocket parks" }
[fields]
area_m2 = { type = "float", zh = "面积(m²)", en = "Area (m²)" }
""",
    "pilot_zones": """\
name = "pilot_zones"
role = "sites"
source = "geo/sites/pilot_zones.geojson"
geometry = "Polygon"
title = { zh = "试点片区", en = "Pilot zones" }
""",
    "roads": """\
name = "roads"
role = "context"
source = "geo/context/roads.geojson"
geometry = "LineString"
title = { zh = "道路", en = "Roads" }
[fields]
class = { type = "str", zh = "等级", en = "Class" }
""",
    "residential": """\
name = "residential"
role = "context"
source = "geo/context/residential.geojson"
geometry = "Polygon"
title = { zh = "居住用地", en = "Residential land" }
""",
    "parks": """\
name = "parks"
role = "context"
source = "geo/context/parks.geojson"
geometry = "Polygon"
title = { zh = "现状公园", en = "Existing parks" }
""",
}

X0, Y0 = 117.58, 37.645


def _sq(x: float, y: float, d: float = 0.002) -> list[list[list[float]]]:
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


def _site(fid: str, works: str, name: str, year: int, status: str, date: str,
          geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    p = {"id": fid, "works": works, "name": name, "year": year, "status": status,
         "status_date": date, "source": "示意", **props}
    return {"type": "Feature", "properties": p, "geometry": geometry}


def _context(fid: str, name: str, rings: list[list[list[float]]]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"id": fid, "name": name, "source": "示意"},
            "geometry": {"type": "Polygon", "coordinates": rings}}


def _fc(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def site_data() -> dict[str, dict[str, Any]]:
    """The GeoJSON of every layer (relative path → FeatureCollection)."""
    oc = [
        _site("oc-1", "16", "幸福小区", 2020, "已完成", "2020-10-01",
              {"type": "Polygon", "coordinates": _sq(X0, Y0)}, households=320,
              note="基础类改造，" * 30),
        _site("oc-2", "16", XSS, 2021, "未开始", "2020-03-01",
              {"type": "Polygon", "coordinates": _sq(X0 + 0.004, Y0)}, households=120),
        _site("oc-3", "16;17", "阳光花园", 2021, "进行中", "2021-03-01",
              {"type": "MultiPolygon", "coordinates": [_sq(X0 + 0.008, Y0),
                                                       _sq(X0 + 0.011, Y0, 0.001)]},
              households=None),
        _site("oc-4", "17", "滨河小区", 2021, "滞后", "2021-06-01",
              {"type": "Polygon", "coordinates": [
                  [[X0, Y0 + 0.004], [X0 + 0.004, Y0 + 0.004], [X0 + 0.004, Y0 + 0.008],
                   [X0, Y0 + 0.008], [X0, Y0 + 0.004]],
                  [[X0 + 0.001, Y0 + 0.005], [X0 + 0.002, Y0 + 0.005],
                   [X0 + 0.002, Y0 + 0.006], [X0 + 0.001, Y0 + 0.005]]]},
              households=88),
    ]
    gw = [
        _site("gw-1", "8", "梨园沟绿道", 2021, "进行中", "2021-04-01",
              {"type": "LineString", "coordinates": [[X0 - 0.01, Y0 - 0.004],
                                                     [X0 + 0.01, Y0 - 0.004]]}),
        _site("gw-2", "8", "九斗沟绿道", 2021, "未开始", "2020-01-05",
              {"type": "MultiLineString", "coordinates": [
                  [[X0 - 0.01, Y0 - 0.006], [X0, Y0 - 0.006]],
                  [[X0 + 0.001, Y0 - 0.006], [X0 + 0.01, Y0 - 0.0065]]]}),
    ]
    pp = [
        _site("pp-1", "8", "东湖口袋公园", 2020, "已完成", "2020-09-01",
              {"type": "Point", "coordinates": [X0 - 0.006, Y0 + 0.002]}, area_m2=1500.5),
        _site("pp-2", "8", "西关游园", 2020, "进行中", "2020-05-01",
              {"type": "Point", "coordinates": [X0 - 0.008, Y0 + 0.003]}, area_m2=800.0),
        _site("pp-3", "8", "南门节点", 2022, "未开始", "2020-05-01",
              {"type": "Point", "coordinates": [X0 - 0.004, Y0 + 0.0035]}),
    ]
    pz = [_site("pz-1", "", "城东试点片区", 2020, "进行中", "2020-06-01",
                {"type": "Polygon", "coordinates": _sq(X0 - 0.001, Y0 - 0.001, 0.014)})]
    roads = [{"type": "Feature", "properties": {"id": "rd-1", "name": "阳城六路",
                                                "source": "示意", "class": "主干道"},
              "geometry": {"type": "LineString", "coordinates": [[X0 - 0.02, Y0 - 0.01],
                                                                 [X0 + 0.02, Y0 - 0.01]]}}]
    # a park of ≈ 9 800 m² (500 m radius); parcels wholly, partly and not within it
    park = [_context("pk-1", "人民公园", _sq(X0 - 0.02, Y0 + 0.01, 0.001))]
    res = [_context("rs-1", "居住用地一", _sq(X0 - 0.0195, Y0 + 0.0115, 0.001)),
           _context("rs-2", "居住用地二", [[[X0 - 0.016, Y0 + 0.01], [X0 - 0.013, Y0 + 0.01],
                                        [X0 - 0.013, Y0 + 0.011], [X0 - 0.016, Y0 + 0.011],
                                        [X0 - 0.016, Y0 + 0.01]]]),
           _context("rs-3", XSS, _sq(X0 + 0.02, Y0 + 0.01, 0.001))]
    return {"geo/sites/old_communities.geojson": _fc(oc), "geo/sites/greenways.geojson": _fc(gw),
            "geo/sites/pocket_parks.geojson": _fc(pp), "geo/sites/pilot_zones.geojson": _fc(pz),
            "geo/context/roads.geojson": _fc(roads), "geo/context/parks.geojson": _fc(park),
            "geo/context/residential.geojson": _fc(res)}


#: The status history: oc-2 starts in 2021, is done in 2022; pp-2 is done in 2021.
STATUS_LOG = """\
date,id,status,percent,note,unit,recorded_at
2021-05-01,oc-2,进行中,30,,县住房城乡建设局,2021-05-02T09:00:00
2022-08-01,oc-2,已完成,100,,县住房城乡建设局,2022-08-02T09:00:00
2021-07-01,pp-2,已完成,100,,县综合行政执法局,2021-07-01T10:00:00
2022-03-01,oc-4,进行中,60,,县水利局,2022-03-01T10:00:00
2021-03-01,17,进行中,40,,县水利局,2021-03-01T10:00:00
"""

#: Expected status of some sites at the end of each year (from the history above).
EXPECTED = {
    ("old_communities", "oc-2"): {2020: "未开始", 2021: "进行中", 2022: "已完成"},
    ("pocket_parks", "pp-2"): {2020: "进行中", 2021: "已完成", 2022: "已完成"},
    ("old_communities", "oc-4"): {2020: "未开始", 2021: "滞后", 2022: "进行中"},
}


def make_workspace(root: Path) -> Path:
    """Write the workspace into ``root`` and return it."""
    return write_workspace(root, config=CONFIG, register=REGISTER, layers=LAYERS,
                           data={rel: fc["features"] for rel, fc in site_data().items()},
                           status_log=STATUS_LOG)


def load(root: Path) -> Workspace:
    """Make and load the workspace."""
    import datetime as dt

    return load_workspace(make_workspace(root), today=dt.date.fromisoformat(TODAY))
