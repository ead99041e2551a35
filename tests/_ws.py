"""A tiny workspace for the GIS interchange tests: 3 works, a Polygon, a Line and a Point layer.

Coordinates have at most 7 decimals (what GeoJSON exports keep), names are Chinese, one
polygon has a hole, one site is a MultiPolygon and some field names are longer than the
10 characters a Shapefile allows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from _builder import write_workspace
from _ws_core import COUNTY_CONFIG

CONFIG = COUNTY_CONFIG

REGISTER = """\
plan:
  title: 测试县城市品质提升三年行动实施方案
  county: 测试县
  partner_units_of_every_work: [各乡镇(街道)党(工)委、政府(办事处)]
actions:
  - {number: 4, name: 道路交通提升行动}
  - {number: 5, name: 城市功能提升行动}
works:
  - number: 12
    action: 4
    name: 背街小巷改造工程
    lead_units: [县住房城乡建设局]
    site_bound: true
  - number: 16
    action: 5
    name: 居住环境改造提升工程
    lead_units: [县住房城乡建设局]
    partner_units: [县卫生健康局]
    site_bound: true
  - number: 19
    action: 5
    name: 公厕建设工程
    lead_units: [县综合行政执法局]
    site_bound: true
"""

LAYERS = {
    "old_communities": """\
name = "old_communities"
role = "sites"
source = "geo/sites/old_communities.geojson"
geometry = "Polygon"
action = 5
works = [16]
title = { zh = "老旧小区改造", en = "Old communities" }
popup = ["name", "households"]
[fields]
households = { type = "int", zh = "户数", en = "Households" }
sewer_separation = { type = "str", zh = "雨污分流", en = "Sewer separation" }
sewer_separation_km = { type = "float", zh = "雨污分流长度", en = "Sewer separation km" }
""",
    "back_streets": """\
name = "back_streets"
role = "sites"
source = "geo/sites/back_streets.geojson"
geometry = "LineString"
action = 4
works = [12]
title = { zh = "背街小巷", en = "Back streets" }
""",
    "toilets": """\
name = "toilets"
role = "sites"
source = "geo/sites/toilets.geojson"
geometry = "Point"
action = 5
works = [19]
title = { zh = "公厕", en = "Public toilets" }
[fields]
seats = { type = "int", zh = "厕位", en = "Seats" }
""",
}


def ring(lon: float, lat: float, d: float) -> list[list[float]]:
    """A counter-clockwise square ring (7 decimals at most)."""
    pts = [(lon, lat), (lon + d, lat), (lon + d, lat + d), (lon, lat + d), (lon, lat)]
    return [[round(x, 7), round(y, 7)] for x, y in pts]


def site(fid: str, works: str, name: str, year: int, geom: dict[str, Any],
         **extra: Any) -> dict[str, Any]:
    props = {"id": fid, "works": works, "name": name, "year": year, "status": "未开始",
             "status_date": "2020-06-21", "source": "示意", "kind": None, **extra}
    return {"type": "Feature", "properties": props, "geometry": geom}


def default_features() -> dict[str, list[dict[str, Any]]]:
    hole = ring(117.5761234, 37.6511234, 0.0005)[::-1]  # clockwise hole
    return {
        "old_communities": [
            site("OC-1", "16", "幸福小区", 2020,
                 {"type": "Polygon", "coordinates": [ring(117.5751234, 37.6501234, 0.002),
                                                     hole]},
                 households=320, sewer_separation="已分流", sewer_separation_km=1.25),
            site("OC-2", "16", "和平小区", 2021,
                 {"type": "MultiPolygon", "coordinates": [[ring(117.5801, 37.6551, 0.002)],
                                                          [ring(117.5851, 37.6551, 0.001)]]},
                 households=540, sewer_separation=None, sewer_separation_km=None),
        ],
        "back_streets": [
            site("BS-1", "12", "文化路西段", 2020,
                 {"type": "LineString", "coordinates": [[117.5601234, 37.6401234],
                                                        [117.5651234, 37.6411234],
                                                        [117.5702, 37.6409]]},
                 kind="背街小巷"),
        ],
        "toilets": [
            site("WC-1", "19", "人民公园公厕", 2021,
                 {"type": "Point", "coordinates": [117.5912345, 37.6523456]}, seats=12),
            site("WC-2", "16;19", "幸福小区公厕", 2022,
                 {"type": "Point", "coordinates": [117.5762, 37.6522]}, seats=None),
        ],
    }


def make_workspace(root: Path, *, features: dict[str, list[dict[str, Any]]] | None = None,
                   layers: dict[str, str] | None = None) -> Path:
    """Write the tiny workspace into ``root`` and return it."""
    feats = features if features is not None else default_features()
    return write_workspace(root, config=CONFIG, register=REGISTER,
                           layers=layers if layers is not None else LAYERS,
                           data={f"geo/sites/{name}.geojson": fs for name, fs in feats.items()})
