"""A tiny workspace for the metrics tests: shapes drawn in EPSG:4548 metres, stored lon/lat.

``X0, Y0`` is a point inside Yangxin's box; ``rect(x, y, w, h)`` and ``line(...)`` take
metres relative to it, so the known answers (areas, lengths) are exact in EPSG:4548.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import mapping

from _builder import layer_toml, write_workspace

X0, Y0 = 545_000.0, 4_165_000.0

CONFIG = """\
[workspace]
name = "测试县三年行动"
county = "测试县"
bounds = [117.28, 37.42, 117.83, 37.78]
measure_crs = "EPSG:4548"
schematic = {schematic}
"""

REGISTER = """\
plan: {{title: 测试方案, county: 测试县}}
actions:
  - {{number: 1, name: 蓝绿空间提升行动}}
works:
  - number: 8
    action: 1
    name: 园林绿化提档升级工程
    lead_units: [县综合行政执法局]
    site_bound: true
    targets:
{targets}
plan_targets:
  - {{id: "P.1", metric: pilot_zone_area, name: 试点片区, value: 2, unit: km², comparison: ">=", year: 2021, layer: pilot_zones}}
"""

DEFAULT_TARGETS = [
    '{id: "8.1", metric: pocket_parks, name: 口袋公园, value: 2, unit: 处, comparison: ">=", '
    'year: 2021, layer: pocket_parks}',
    '{id: "8.2", metric: greenway_length, name: 绿道, value: 3, unit: km, comparison: ">=", '
    'year: 2021, layer: greenways}',
]

GEOM = {"Polygon": "Polygon", "LineString": "LineString", "Point": "Point"}


def rect(x: float, y: float, w: float, h: float) -> shapely.Geometry:
    """A rectangle in EPSG:4548, (x, y) metres from (X0, Y0)."""
    return shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


def line(*pts: tuple[float, float]) -> shapely.Geometry:
    """A line in EPSG:4548 through points given in metres from (X0, Y0)."""
    return shapely.LineString([(X0 + a, Y0 + b) for a, b in pts])


def point(x: float, y: float) -> shapely.Geometry:
    """A point in EPSG:4548."""
    return shapely.Point(X0 + x, Y0 + y)


def to_lonlat(geoms: list[shapely.Geometry]) -> list[shapely.Geometry]:
    """EPSG:4548 geometries to lon/lat."""
    return list(gpd.GeoSeries(geoms, crs="EPSG:4548").to_crs("EPSG:4326").values)


def site(fid: str, geom: shapely.Geometry, *, year: int = 2021, status: str = "已完成",
         date: str = "2021-06-30", works: str = "8", kind: str | None = None,
         name: str | None = None, **extra: Any) -> dict[str, Any]:
    """A site feature (geometry in EPSG:4548)."""
    return {"id": fid, "works": works, "name": name or fid, "year": year, "status": status,
            "status_date": date, "source": "示意", "kind": kind, "geometry": geom, **extra}


def ctx(fid: str, geom: shapely.Geometry, **props: Any) -> dict[str, Any]:
    """A context feature (geometry in EPSG:4548)."""
    return {"id": fid, "name": props.pop("name", fid), "source": "示意", "geometry": geom,
            **props}


def _geojson(feats: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GeoJSON features (lon/lat) of records whose geometry is in EPSG:4548 metres."""
    geoms = to_lonlat([f["geometry"] for f in feats])
    return [{"type": "Feature", "properties": {k: v for k, v in f.items() if k != "geometry"},
             "geometry": mapping(g)} for f, g in zip(feats, geoms, strict=True)]


def make_ws(
    root: Path,
    *,
    sites: dict[str, tuple[str, list[dict[str, Any]]]] | None = None,
    context: dict[str, tuple[str, list[dict[str, Any]]]] | None = None,
    targets: list[str] | None = None,
    themes: dict[str, str] | None = None,
    fields: dict[str, dict[str, str]] | None = None,
    status_log: str | None = None,
    schematic: bool = True,
    purposes: dict[str, str] | None = None,
    works: dict[str, tuple[int, ...]] | None = None,
) -> Path:
    """Write a workspace: ``sites``/``context`` map layer → (geometry type, features).

    ``purposes`` maps a layer to its ``purpose`` (default: pocket_parks → new_parks; other
    layers named after a purpose have it); ``works`` a site layer to its works (default 8).
    """
    tg = "\n".join("      - " + t for t in (targets if targets is not None else DEFAULT_TARGETS))
    themes = themes or {}
    fields = fields or {}
    purposes = {"pocket_parks": "new_parks"} if purposes is None else purposes
    works = works or {}
    sites = dict(sites or {})
    for default, purpose in (("pilot_zones", "pilot_zones"), ("pocket_parks", "new_parks")):
        if not any(purposes.get(n, n) == purpose for n in sites):
            sites.setdefault(default, ("Polygon", []))
    sites.setdefault("greenways", ("LineString", []))
    layers: dict[str, str] = {}
    data: dict[str, list[dict[str, Any]]] = {}
    for role, group in (("sites", sites), ("context", context or {})):
        for name, (geometry, feats) in group.items():
            default_works = () if purposes.get(name, name) == "pilot_zones" else (8,)
            layers[name] = layer_toml(
                name, role=role, geometry=geometry, action=1,
                works=works.get(name, default_works), theme=themes.get(name, ""),
                fields=fields.get(name), purpose=purposes.get(name))
            data[f"geo/{role}/{name}.geojson"] = _geojson(feats)
    log = None if status_log is None else "date,id,status,percent,note,unit,recorded_at\n" \
        + status_log
    return write_workspace(root, config=CONFIG.format(schematic=str(schematic).lower()),
                           register=REGISTER.format(targets=tg), layers=layers, data=data,
                           status_log=log)
