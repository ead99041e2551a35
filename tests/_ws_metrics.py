"""A tiny workspace for the metrics tests: shapes drawn in EPSG:4548 metres, stored lon/lat.

``X0, Y0`` is a point inside Yangxin's box; ``rect(x, y, w, h)`` and ``line(...)`` take
metres relative to it, so the known answers (areas, lengths) are exact in EPSG:4548.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import mapping

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


def _write(path: Path, feats: list[dict[str, Any]]) -> None:
    geoms = to_lonlat([f["geometry"] for f in feats])
    out = []
    for f, g in zip(feats, geoms, strict=True):
        props = {k: v for k, v in f.items() if k != "geometry"}
        out.append({"type": "Feature", "properties": props, "geometry": mapping(g)})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"type": "FeatureCollection", "features": out},
                               ensure_ascii=False), encoding="utf-8")


def _layer_toml(name: str, role: str, geometry: str, *, works: tuple[int, ...] = (8,),
                theme: str = "", fields: dict[str, str] | None = None,
                purpose: str | None = None) -> str:
    sub = "sites" if role == "sites" else "context"
    text = (f'name = "{name}"\nrole = "{role}"\nsource = "geo/{sub}/{name}.geojson"\n'
            f'geometry = "{geometry}"\ntitle = {{ zh = "{name}", en = "{name}" }}\n')
    if role == "sites":
        text += f"action = 1\nworks = {list(works)}\n"
    if theme:
        text += f'theme = "{theme}"\n'
    if purpose is not None:
        text += f'purpose = "{purpose}"\n'
    if fields:
        text += "[fields]\n" + "".join(f'{k} = {{ type = "{v}" }}\n' for k, v in fields.items())
    return text


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
    root.mkdir(parents=True, exist_ok=True)
    (root / "citymap.toml").write_text(CONFIG.format(schematic=str(schematic).lower()),
                                       encoding="utf-8")
    tg = "\n".join("      - " + t for t in (targets if targets is not None else DEFAULT_TARGETS))
    (root / "geo").mkdir(exist_ok=True)
    (root / "geo" / "register.yaml").write_text(REGISTER.format(targets=tg), encoding="utf-8")
    (root / "layers").mkdir(exist_ok=True)
    themes = themes or {}
    fields = fields or {}
    purposes = {"pocket_parks": "new_parks"} if purposes is None else purposes
    works = works or {}
    sites = dict(sites or {})
    for default, purpose in (("pilot_zones", "pilot_zones"), ("pocket_parks", "new_parks")):
        if not any(purposes.get(n, n) == purpose for n in sites):
            sites.setdefault(default, ("Polygon", []))
    sites.setdefault("greenways", ("LineString", []))
    for name, (geometry, feats) in sites.items():
        (root / "layers" / f"{name}.toml").write_text(_layer_toml(
            name, "sites", geometry,
            works=works.get(name, () if purposes.get(name, name) == "pilot_zones" else (8,)),
            theme=themes.get(name, ""), fields=fields.get(name), purpose=purposes.get(name)),
            encoding="utf-8")
        _write(root / "geo" / "sites" / f"{name}.geojson", feats)
    for name, (geometry, feats) in (context or {}).items():
        (root / "layers" / f"{name}.toml").write_text(_layer_toml(
            name, "context", geometry, fields=fields.get(name), purpose=purposes.get(name)),
            encoding="utf-8")
        _write(root / "geo" / "context" / f"{name}.geojson", feats)
    if status_log is not None:
        (root / "geo" / "status_log.csv").write_text(
            "date,id,status,percent,note,unit,recorded_at\n" + status_log, encoding="utf-8")
    return root
