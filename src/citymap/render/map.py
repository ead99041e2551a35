"""One interactive map: the workspace data, statuses and metrics as one compact JSON blob.

:func:`render_map` is a pure function of the workspace, the metrics panels and the
options; it returns the HTML of one map. The page is small and fixed (``templates/
page.html``); the data goes in as ONE JSON blob per map, which citymap's own script
(``templates/citymap.js``) draws on a Leaflet canvas renderer. The blob is compact:

* coordinates rounded to 6 decimals (≈ 0.1 m), delta-coded and written as one
  polyline-encoded string per layer (``encode_ints``), with the parts/rings/vertex counts
  as separate small encoded arrays; rings are not closed again;
* attributes stored column-wise once per layer, repeated texts dictionary-coded;
* styles once per layer and status, not per feature;
* the status of every site on every date of the date selector precomputed from the
  status history (:meth:`citymap.history.StatusLog.status_on`) as one digit per site, and
  the status dates as delta-coded day numbers;
* the targets a site counts toward as a group index.

Popups are built in the browser from this record with ``textContent``: data never goes
through ``innerHTML``. ``<`` ``>`` ``&`` are escaped in the blob so that no text in it can
end the ``<script>`` element.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from citymap import __version__
from citymap.crs import areas_m2
from citymap.errors import CitymapError
from citymap.layers import LayerSpec, layers_for
from citymap.render.assets import AssetRefs, template_text
from citymap.render.panel import Panel, panel_blob, zone_blob
from citymap.render.popup import popup_fields, target_groups, targets_table, works_table
from citymap.sites import parse_works
from citymap.vocab import (
    BASEMAPS,
    SCHEMATIC,
    SITE_STATUSES,
    STATUS_COLORS,
    STATUS_DASHES,
    STATUS_EN,
    STATUS_SHAPES,
)
from citymap.workspace import Workspace

__all__ = [
    "SERVICE_COLORS",
    "SERVICE_LAYER",
    "BASEMAPS",
    "DateOption",
    "MapOptions",
    "Link",
    "date_options",
    "basemap_layers",
    "encode_ints",
    "decode_ints",
    "encode_geometries",
    "map_data",
    "render_map",
    "dumps_for_script",
]

CONTEXT_COLOR = "#666666"
PILOT_COLOR = "#000000"
#: Residential land within / outside a park's service radius (Okabe-Ito sky blue, orange).
SERVICE_COLORS = ("#E69F00", "#56B4E9")
#: The name of the service-radius layer in the map.
SERVICE_LAYER = "park_service"
EPOCH = dt.date(2000, 1, 1)
_SCALE = 1_000_000  # 6 decimals
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")

UI: dict[str, dict[str, str]] = {
    "zh": {
        "map": "总图", "layers": "图层", "basemaps": "底图", "legend": "图例",
        "status": "状态", "metrics": "目标进度", "planned": "计划", "done": "完成",
        "asof": "截至", "search": "搜索名称或工程编号…", "noresult": "无结果",
        "work": "工程", "action": "行动", "lead": "牵头单位", "partners": "责任单位",
        "targets": "计入目标", "source": "来源", "schematic": "示意 — 示意性数据，非实测",
        "schematicShort": "示意", "pilot": "试点片区", "context": "基础数据",
        "area": "面积", "coverage": "已完成", "sites": "处", "other": "其他",
        "maps": "其他地图", "units": "按牵头单位", "actions": "按行动", "home": "← 总图",
        "reset": "复位视图", "measure": "量测距离/面积", "measureClear": "清除量测",
        "distance": "距离", "measureHint": "单击地图加点，双击结束",
        "fullscreen": "全屏", "exitFullscreen": "退出全屏", "none": "无底图",
        "total": "合计", "id": "编号", "yes": "是", "no": "否", "noMetrics":
        "指标计算不可用", "noTargets": "本年无目标", "gcj": "GCJ-02 坐标 (高德)",
        "today": "今天", "endOf": "年底", "target": "目标", "targetsOf": "{y}年目标",
        "v_met": "达标", "v_on track": "按进度", "v_in progress": "推进中", "v_behind": "滞后",
        "v_not measurable": "无法测算", "v_no data": "无数据", "v_not met": "未达标",
        "notMeasurable": "无法由图形测算", "recorded": "记录状态", "standard": "标准",
        "health": "城市体检指标", "service": "公园绿地服务半径覆盖 (居住用地)",
        "covered": "服务半径内", "uncovered": "服务半径外", "parcel": "居住用地",
        "zoneCovered": "覆盖", "zoneDone": "已完成", "belowMin": "小于",
        "scope_county": "全县", "scope_county seat": "县城", "warn": "未计算",
    },
    "en": {
        "map": "Overview", "layers": "Layers", "basemaps": "Base maps", "legend": "Legend",
        "status": "Status", "metrics": "Targets", "planned": "planned", "done": "done",
        "asof": "As of", "search": "Search name or work number…", "noresult": "No match",
        "work": "Work", "action": "Action", "lead": "Lead units", "partners":
        "Responsible units", "targets": "Counts toward", "source": "Source", "schematic":
        "示意 — schematic data, not surveyed", "schematicShort": "schematic", "pilot":
        "Pilot zones", "context": "Base data", "area": "Area", "coverage": "done",
        "sites": "sites", "other": "Other", "maps": "Other maps", "units": "By lead unit",
        "actions": "By action", "home": "← Overview", "reset": "Reset view", "measure":
        "Measure distance/area", "measureClear": "Clear measurement", "distance":
        "Distance", "measureHint": "Click to add points, double-click to finish",
        "fullscreen": "Full screen", "exitFullscreen": "Exit full screen", "none":
        "No base map", "total": "Total", "id": "ID", "yes": "yes", "no": "no",
        "noMetrics": "metrics unavailable", "noTargets": "no target this year", "gcj":
        "GCJ-02 coordinates (AMap)", "today": "today", "endOf": "end of", "target":
        "target", "targetsOf": "Targets of {y}", "v_met": "met", "v_on track": "on track",
        "v_in progress": "in progress", "v_behind": "behind", "v_not measurable":
        "not measurable", "v_no data": "no data", "v_not met": "not met", "notMeasurable":
        "not measurable from geometry", "recorded": "recorded", "standard": "standard",
        "health": "Health-check indicators", "service":
        "Park service-radius coverage (residential land)", "covered": "within the radius",
        "uncovered": "outside the radius", "parcel": "Residential land", "zoneCovered":
        "covered", "zoneDone": "done", "belowMin": "below", "scope_county": "county",
        "scope_county seat": "county seat", "warn": "not computed",
    },
}


@attrs.frozen
class DateOption:
    """One entry of the date selector."""

    date: dt.date
    label: str


@attrs.frozen
class Link:
    """A link to another map, in a group (``units`` or ``actions``)."""

    group: str
    title: str
    href: str


@attrs.frozen
class MapOptions:
    """How to render one map.

    Attributes
    ----------
    lang
        ``"zh"`` or ``"en"``.
    subtitle
        What the map shows (``总图``, a unit, an action).
    works
        The works shown (sites of other works are left out); ``None``: all.
    include_context
        Whether the context (denominator) layers are offered (off by default).
    dates, selected
        The date selector's entries and the one shown first.
    basemap
        ``osm``, ``tianditu``, ``amap``, ``none`` or ``tiles``.
    tianditu_key
        The Tianditu key (needed for ``tianditu``).
    tiles_url
        URL template of a local tile folder (``tiles``), relative to the map.
    assets
        Where the libraries come from.
    links
        Other maps to link.
    home
        Link back to the overview (unit and action maps).
    photos
        The sites' photos shown in popups (:func:`citymap.photos.photo_blob`).
    """

    lang: str = "zh"
    subtitle: str = ""
    works: frozenset[int] | None = None
    include_context: bool = True
    dates: tuple[DateOption, ...] = ()
    selected: int = 0
    basemap: str = "osm"
    tianditu_key: str | None = None
    tiles_url: str | None = None
    assets: AssetRefs = AssetRefs()
    links: tuple[Link, ...] = ()
    home: str | None = None
    photos: Mapping[str, Any] | None = None


def date_options(as_of: dt.date | None, today: dt.date, lang: str = "zh",
                 years: Sequence[int] = (2020, 2021, 2022)) -> tuple[tuple[DateOption, ...], int]:
    """The date selector: the end of every plan year, today, and ``as_of`` if other.

    Returns
    -------
    options, selected
        The entries in date order and the index of ``as_of`` (else today).
    """
    ui = UI[lang]
    found: dict[dt.date, str] = {}
    for y in years:
        d = dt.date(y, 12, 31)
        found[d] = f"{y}年底" if lang == "zh" else f"{ui['endOf']} {y}"
    found[today] = f"{ui['today']} ({today.isoformat()})"
    if as_of is not None and as_of not in found:
        found[as_of] = as_of.isoformat()
    opts = tuple(DateOption(d, found[d]) for d in sorted(found))
    want = as_of or today
    return opts, [o.date for o in opts].index(want)


# ----------------------------------------------------------------------------- encodings

def encode_ints(values: npt.ArrayLike) -> str:
    """Encode whole numbers as text: zigzag, 5-bit groups, characters ``?``…``~``.

    The encoding of Google's polyline format without the delta step; small numbers take
    one character. :func:`decode_ints` (and ``decodeInts`` in the map's script) invert it.
    """
    v = np.asarray(values, dtype=np.int64).reshape(-1)
    if v.size == 0:
        return ""
    z = ((v << 1) ^ (v >> 63)).astype(np.uint64)
    nchunks = np.ones(v.size, dtype=np.int64)
    t = z >> np.uint64(5)
    while t.any():
        nchunks += t > 0
        t >>= np.uint64(5)
    starts = np.cumsum(nchunks) - nchunks
    out = np.empty(int(nchunks.sum()), dtype=np.uint8)
    for k in range(int(nchunks.max())):
        m = nchunks > k
        chunk = (z[m] >> np.uint64(5 * k)) & np.uint64(31)
        more = (nchunks[m] > k + 1).astype(np.uint64) << np.uint64(5)
        out[starts[m] + k] = (chunk | more) + np.uint64(63)
    return out.tobytes().decode("ascii")


def decode_ints(text: str) -> list[int]:
    """Decode :func:`encode_ints`."""
    out = []
    r = shift = 0
    for ch in text:
        b = ord(ch) - 63
        r |= (b & 31) << shift
        shift += 5
        if b < 32:
            out.append(~(r >> 1) if r & 1 else r >> 1)
            r = shift = 0
    return out


def _delta(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    return np.diff(values, prepend=np.zeros((1, *values.shape[1:]), dtype=np.int64), axis=0)


def encode_geometries(geoms: npt.NDArray[np.object_], *, gcj02: bool = False) -> dict[str, str]:
    """Encode a layer's geometries (one type, possibly Multi-) compactly.

    Returns
    -------
    dict
        ``c``: every vertex as (lat, lon) × 10⁶, delta-coded across the whole layer;
        ``np``: parts per feature (left out when all are 1); ``nr``: rings per polygon
        (left out when all are 1); ``nc``: vertices per line or ring (rings not closed).
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    parts, pidx = shapely.get_parts(geoms, return_index=True)
    nparts = np.bincount(pidx, minlength=n)
    out: dict[str, str] = {}
    kinds = set(shapely.get_type_id(parts).tolist())
    if kinds <= {0}:
        coords = shapely.get_coordinates(parts)
    elif kinds <= {1, 2}:
        coords = shapely.get_coordinates(parts)
        out["nc"] = encode_ints(shapely.get_num_coordinates(parts))
    elif kinds <= {3}:
        rings, ridx = shapely.get_rings(parts, return_index=True)
        nrings = np.bincount(ridx, minlength=len(parts))
        ncoords = shapely.get_num_coordinates(rings)
        coords = shapely.get_coordinates(rings)
        keep = np.ones(len(coords), dtype=bool)
        keep[np.cumsum(ncoords) - 1] = False  # the closing vertex repeats the first
        coords = coords[keep]
        out["nc"] = encode_ints(ncoords - 1)
        if (nrings != 1).any():
            out["nr"] = encode_ints(nrings)
    else:
        raise CitymapError(f"cannot draw geometry types {sorted(kinds)} together in one layer")
    if (nparts != 1).any():
        out["np"] = encode_ints(nparts)
    if gcj02 and len(coords):
        from citymap.gcj02 import wgs84_to_gcj02

        x, y = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        coords = np.column_stack([x, y])
    ints = np.rint(coords[:, ::-1] * _SCALE).astype(np.int64) if len(coords) else \
        np.zeros((0, 2), dtype=np.int64)
    out["c"] = encode_ints(_delta(ints).reshape(-1))
    return out


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        if np.isnan(v):
            return None
        return int(v) if v.is_integer() and abs(v) < 2**53 else round(v, 6)
    if isinstance(v, dt.date | pd.Timestamp):
        return v.isoformat()[:10]
    if isinstance(v, bool | int | str):
        return v
    return str(v)


def _column(values: pd.Series) -> Any:
    """A column as a list, or dictionary-coded ``{"d": values, "i": encoded indices}``."""
    vals = [_plain(v) for v in values]
    n = len(vals)
    if n < 8:
        return vals
    table: dict[Any, int] = {}
    idx = np.empty(n, dtype=np.int64)
    for k, v in enumerate(vals):
        key = (type(v).__name__, v)
        j = table.get(key)
        if j is None:
            j = table[key] = len(table)
            if len(table) > max(16, n // 4):
                return vals
        idx[k] = j
    return {"d": [v for _, v in table], "i": encode_ints(idx)}


# ----------------------------------------------------------------------------- base maps

_TDT = ("https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
        "&TILECOL={x}&tk={key}")


def _tdt(layer: str, key: str) -> str:
    return _TDT.replace("{layer}", layer).replace("{key}", key)


def basemap_layers(basemap: str, *, lang: str = "zh", tianditu_key: str | None = None,
                   tiles_url: str | None = None) -> list[dict[str, Any]]:
    """The base layers offered for ``basemap`` (one datum family per map: never mixed).

    ``tianditu`` (CGCS2000, needs a key): vector and imagery, each with its label layer.
    ``amap`` (GCJ-02): AMap vector and satellite with labels; the overlays are shifted to
    GCJ-02. ``osm``: OpenStreetMap. ``tiles``: a local tile folder. ``none``: none.

    Raises
    ------
    CitymapError
        For an unknown base map or Tianditu without a key.
    """
    import xyzservices.providers as xyz

    zh = lang != "en"
    if basemap == "none":
        return []
    if basemap == "tiles":
        if not tiles_url:
            raise CitymapError("--basemap tiles needs --tiles DIR (a folder of z/x/y.png tiles)")
        return [{"name": "本地瓦片" if zh else "Local tiles", "url": tiles_url, "maxZoom": 20,
                 "attr": ""}]
    if basemap == "osm":
        p = xyz.OpenStreetMap.Mapnik
        return [{"name": "OpenStreetMap", "url": p.url, "maxZoom": int(p.max_zoom),
                 "attr": str(p.attribution)}]
    if basemap == "tianditu":
        if not tianditu_key:
            raise CitymapError("the Tianditu base map needs a key: pass --tianditu-key KEY or "
                               "set CITYMAP_TIANDITU_KEY (get one at "
                               "https://console.tianditu.gov.cn)")
        lab = "c" if zh else "e"
        attr = "天地图 (Tianditu) · 国家地理信息公共服务平台"
        return [
            {"name": "天地图 矢量" if zh else "Tianditu vector", "url": _tdt("vec", tianditu_key),
             "labels": _tdt(f"{lab}va", tianditu_key), "sub": "01234567", "maxZoom": 18,
             "attr": attr},
            {"name": "天地图 影像" if zh else "Tianditu imagery", "url": _tdt("img", tianditu_key),
             "labels": _tdt(f"{lab}ia", tianditu_key), "sub": "01234567", "maxZoom": 18,
             "attr": attr},
        ]
    if basemap == "amap":
        normal, sat = xyz.Gaode.Normal, xyz.Gaode.Satellite
        label_url = "https://webst01.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"
        return [
            {"name": "高德 矢量" if zh else "AMap vector",
             "url": str(normal.url).replace("http://", "https://"),
             "maxZoom": int(normal.max_zoom), "attr": str(normal.attribution), "gcj02": True},
            {"name": "高德 卫星" if zh else "AMap satellite",
             "url": str(sat.url).replace("http://", "https://"), "labels": label_url,
             "maxZoom": int(sat.max_zoom), "attr": str(sat.attribution), "gcj02": True},
        ]
    raise CitymapError(f"unknown base map {basemap!r}; use one of {', '.join(BASEMAPS)}")


# ----------------------------------------------------------------------------- the blob

def _status_codes(statuses: Sequence[str]) -> str:
    index = {s: str(k) for k, s in enumerate(SITE_STATUSES)}
    return "".join(index.get(s, "0") for s in statuses)


def _day_numbers(dates: Sequence[str]) -> npt.NDArray[np.int64]:
    out = np.zeros(len(dates), dtype=np.int64)
    cache: dict[str, int] = {}
    for k, d in enumerate(dates):
        if d:
            v = cache.get(d)
            if v is None:
                v = cache[d] = (dt.date.fromisoformat(d[:10]) - EPOCH).days
            out[k] = v
    return out


def _shown_frame(ws: Workspace, name: str, works: frozenset[int] | None) -> gpd.GeoDataFrame:
    gdf = ws.data.get(name)
    if gdf is None:
        return gpd.GeoDataFrame()
    if works is None or not ws.layers[name].is_sites or "works" not in gdf.columns:
        return gdf
    keep = np.array([bool(set(parse_works(v)) & works) for v in gdf["works"]], dtype=bool)
    return gdf[keep]


def _layer_style(spec: LayerSpec, role: str) -> dict[str, Any]:
    st = dict(spec.style)
    geom = spec.geometry
    style: dict[str, Any] = {
        "weight": float(st.get("weight", 3 if geom == "LineString" else 2 if role != "context"
                               else 1)),
        "fillOpacity": float(st.get("fill_opacity", 0.35 if geom == "Polygon" else 0.85)),
        "opacity": float(st.get("opacity", 0.9)),
        "radius": float(st.get("radius", 6)),
    }
    colors = dict(STATUS_COLORS)
    override = st.get("status", {})
    if isinstance(override, Mapping):
        for k, v in override.items():
            if k in colors and isinstance(v, Mapping) and isinstance(v.get("color"), str):
                colors[k] = v["color"]
    style["colors"] = [colors[s] for s in SITE_STATUSES]
    if role == "context":
        style["color"] = str(st.get("color", CONTEXT_COLOR))
        style["fillOpacity"] = float(st.get("fill_opacity", 0.08))
    if role == "pilot":
        style["color"] = str(st.get("color", PILOT_COLOR))
        style["weight"] = float(st.get("weight", 3))
    return style


def _service_entries(service: Sequence[gpd.GeoDataFrame], lang: str,
                     gcj: bool) -> list[dict[str, Any]]:
    """One layer entry per date: residential land within / outside the service radius."""
    out = []
    for k, gdf in enumerate(service):
        if not len(gdf):
            continue
        out.append({
            "name": SERVICE_LAYER, "title": UI[lang]["service"], "geom": "Polygon",
            "role": "service", "d": k, "n": len(gdf),
            "style": {"colors": list(SERVICE_COLORS), "weight": 1.0, "fillOpacity": 0.45,
                      "opacity": 0.9},
            "g": encode_geometries(np.asarray(gdf.geometry.values, dtype=object), gcj02=gcj),
            "cols": {c: _column(gdf[c]) for c in ("id", "name", "area_m2") if c in gdf},
            "cv": "".join("1" if bool(v) else "0" for v in gdf["covered"]),
        })
    return out


def map_data(
    ws: Workspace,
    options: MapOptions,
    panels: Sequence[Panel] = (),
    service: Sequence[gpd.GeoDataFrame] = (),
) -> dict[str, Any]:
    """The JSON blob of one map (see the module notes for its layout).

    ``panels`` are the metrics panels of every date (their pilot-zone results label the
    zones); ``service`` the residential land covered / not covered by a park's service
    radius on every date (:func:`citymap.metrics.residential_coverage_layer`), drawn on the
    overview only.
    """
    lang = options.lang
    reg = ws.register
    gcj = options.basemap == "amap"
    dates = [o.date for o in options.dates]
    targets = reg.targets if options.works is None else tuple(
        t for t in reg.targets if t.work in options.works)
    pilot_layers = set(layers_for(ws.layers, "pilot_zones"))
    order = {"Polygon": 0, "LineString": 1, "Point": 2}
    names = sorted(ws.layers, key=lambda n: (ws.layers[n].name in pilot_layers,
                                             order.get(ws.layers[n].geometry, 3)))
    layers: list[dict[str, Any]] = []
    works_seen: set[int] = set()
    site_codes: list[list[str]] = []
    bounds: list[npt.NDArray[np.float64]] = []
    for name in names:
        spec = ws.layers[name]
        role = "pilot" if name in pilot_layers else "sites" if spec.is_sites else "context"
        if role == "context" and not options.include_context:
            continue
        if role == "pilot" and options.works is not None:
            continue
        gdf = _shown_frame(ws, name, options.works)
        if not len(gdf):
            continue
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        entry: dict[str, Any] = {
            "name": name, "title": spec.title(lang), "geom": spec.geometry, "role": role,
            "action": spec.action, "n": len(gdf), "style": _layer_style(spec, role),
            "g": encode_geometries(geoms, gcj02=gcj),
        }
        bounds.append(np.asarray(shapely.total_bounds(geoms)))
        fields = popup_fields(spec, gdf, lang)
        entry["f"] = [[c, label] for c, label in fields]
        cols = ["id", "name"] + [c for c, _ in fields]
        if "source" in gdf.columns:
            cols.append("source")
            entry["sch"] = int((gdf["source"].astype(str) == SCHEMATIC).sum())
        if role != "context" and "works" in gdf.columns:
            cols.append("works")
            for v in gdf["works"]:
                works_seen.update(parse_works(v))
        entry["cols"] = {c: _column(gdf[c]) for c in dict.fromkeys(cols) if c in gdf.columns}
        if role != "context" and "status" in gdf.columns:
            st, sd = [], []
            codes_by_date = []
            for d in dates:
                on = ws.history.status_on(gdf, d)
                codes = _status_codes(on["status"].tolist())
                st.append(codes)
                codes_by_date.append(codes)
                sd.append(encode_ints(_delta(_day_numbers(on["status_date"].tolist()))))
            entry["st"], entry["sd"] = st, sd
            groups, index = target_groups(gdf, name, targets)
            entry["tg"] = {"d": groups, "i": encode_ints(index)}
            if role == "sites":
                site_codes.append(codes_by_date)
        if role == "pilot":
            # area and coverage from the metrics code's zone results, on every date
            zb = zone_blob(panels, [str(i) for i in gdf["id"]])
            if zb is not None:
                entry["zone"] = zb
            else:
                entry["zone"] = {"area": [round(float(a) / 1e6, 2) for a in
                                          areas_m2(gdf, ws.config.measure_crs)],
                                 "below": [0] * len(gdf), "min": None, "cov": []}
        layers.append(entry)
    if options.works is None:
        layers.extend(_service_entries(service, lang, gcj))
    counts_by_date = [
        [sum(c[k].count(str(j)) for c in site_codes) for j in range(len(SITE_STATUSES))]
        for k in range(len(dates))]
    if bounds:
        b = np.vstack(bounds)
        box = [float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
               float(b[:, 3].max())]
    else:
        box = list(ws.config.bounds)
    if gcj:
        from citymap.gcj02 import wgs84_to_gcj02

        x, y = wgs84_to_gcj02([box[0], box[2]], [box[1], box[3]])
        box = [float(x[0]), float(y[0]), float(x[1]), float(y[1])]
    actions = [{"n": a.number, "name": a.name_en if lang == "en" and a.name_en else a.name}
               for a in reg.actions]
    cfg = ws.config
    title = (cfg.name_en or cfg.name) if lang == "en" else cfg.name
    status_labels = [STATUS_EN[s] if lang == "en" else s for s in SITE_STATUSES]
    return {
        "v": 1,
        "lang": lang,
        "title": title,
        "subtitle": options.subtitle,
        "ui": UI[lang],
        "statuses": status_labels,
        "palette": [STATUS_COLORS[s] for s in SITE_STATUSES],
        "dashes": [STATUS_DASHES[s] for s in SITE_STATUSES],
        "shapes": [STATUS_SHAPES[s] for s in SITE_STATUSES],
        "epoch": EPOCH.isoformat(),
        "dates": [[o.date.isoformat(), o.label] for o in options.dates],
        "date": options.selected,
        "actions": actions,
        "works": works_table(reg, works_seen, lang),
        "targets": targets_table(targets),
        "layers": layers,
        "panel": [_with_counts(panel_blob(p, lang), counts_by_date[k] if k < len(counts_by_date)
                               else None) for k, p in enumerate(panels)],
        "bounds": [[box[1], box[0]], [box[3], box[2]]],
        "view": _initial_view(cfg.center, cfg.zoom, gcj) if options.works is None else None,
        "basemaps": basemap_layers(options.basemap, lang=lang,
                                   tianditu_key=options.tianditu_key,
                                   tiles_url=options.tiles_url),
        "gcj02": gcj,
        "links": [[lk.group, lk.title, lk.href] for lk in options.links],
        "home": options.home,
        "photos": options.photos,
    }


def _initial_view(center: tuple[float, float] | None, zoom: int,
                  gcj: bool) -> list[float] | None:
    """The workspace's ``[map] center``/``zoom`` (lat, lon, zoom) for the overview."""
    if center is None:
        return None
    lat, lon = center
    if gcj:
        from citymap.gcj02 import wgs84_to_gcj02

        x, y = wgs84_to_gcj02(lon, lat)
        lon, lat = float(x), float(y)
    return [lat, lon, float(zoom)]


def _with_counts(blob: dict[str, Any], counts: list[int] | None) -> dict[str, Any]:
    if not blob["counts"] and counts is not None:
        blob["counts"] = counts
    return blob


def dumps_for_script(data: Any) -> str:
    r"""JSON text safe inside ``<script type="application/json">``.

    ``<``, ``>``, ``&`` and the line separators are written as ``\u`` escapes, so no value
    can close the element.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def render_map(ws: Workspace, options: MapOptions, panels: Sequence[Panel] = (),
               service: Sequence[gpd.GeoDataFrame] = ()) -> str:
    """The HTML of one map: a pure function of the workspace, the panels and the options.

    Parameters
    ----------
    ws
        The loaded workspace.
    options
        What to show and how (:class:`MapOptions`).
    panels
        The metrics panel of every entry of ``options.dates``, in the same order.
    service
        Residential land within / outside a park's service radius on every entry of
        ``options.dates`` (overview only; see :func:`map_data`).

    Returns
    -------
    str
        A complete HTML page.
    """
    data = map_data(ws, options, panels, service)
    esc = html.escape
    styles = "\n".join(f'<link rel="stylesheet" href="{esc(u)}">' for u in options.assets.styles)
    scripts = "\n".join(f'<script src="{esc(u)}"></script>' for u in options.assets.scripts)
    title = data["title"] + (f" — {options.subtitle}" if options.subtitle else "")
    values = {
        "lang": "zh-CN" if options.lang == "zh" else "en",
        "title": esc(title),
        "version": esc(__version__),
        "styles": styles,
        "scripts": scripts,
        "app_css": template_text("citymap.css"),
        "app_js": template_text("citymap.js"),
        "data": dumps_for_script(data),
    }
    # one pass: a value is never searched for placeholders again
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template_text("page.html"))
