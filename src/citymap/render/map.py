"""One interactive map: the workspace data, statuses and metrics as one compact JSON blob.

:func:`render_map` is a pure function of the workspace, the metrics panels and the
options; it returns the HTML of one map. The page is small and fixed (``templates/
page.html``); the data goes in as ONE JSON blob per map (schema ``citymap-map``, version
2, documented in ``docs/map-data.md``), which citymap's own script (``templates/js/*.js``,
see :func:`~citymap.render.assets.app_script`) draws on one canvas, batched by layer and
style. The blob is compact:

* coordinates rounded to 6 decimals (≈ 0.1 m), delta-coded and written as one
  polyline-encoded string per layer (:mod:`citymap.render.encoding`), with the
  parts/rings/vertex counts as separate small encoded arrays; rings are not closed again;
* attributes stored column-wise once per layer, repeated texts dictionary-coded;
* styles once per layer and status, not per feature;
* the statuses of every month as the status *events* of each site
  (:mod:`citymap.render.timeline`), replayed by the script; not a copy per date;
* the targets a site counts toward as a group index.

Popups are built in the browser from this record with ``textContent``: data never goes
through ``innerHTML``. ``<`` ``>`` ``&`` are escaped in the blob so that no text in it can
end the ``<script>`` element.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from citymap import __version__
from citymap.crs import areas_m2
from citymap.errors import CitymapError
from citymap.i18n import _, tr
from citymap.layers import LayerSpec, layers_for
from citymap.render.assets import AssetRefs, app_script, app_style
from citymap.render.encoding import column, decode_ints, delta, encode_geometries, encode_ints
from citymap.render.extent import empty_blob, robust_extent
from citymap.render.panel import Panel, panel_blob, zone_blob
from citymap.render.popup import popup_fields, target_groups, targets_table, works_table
from citymap.render.printing import print_blob
from citymap.render.timeline import (
    EPOCH,
    DateOption,
    date_options,
    day_number,
    due_days,
    site_events,
    sorted_events,
    work_events,
    works_groups,
)
from citymap.render.ui import ui_words
from citymap.sites import parse_works
from citymap.templating import Markup, render_template
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
    "SCHEMA",
    "SCHEMA_VERSION",
    "LATE_COLOR",
    "EPOCH",
]

#: The name and version of the blob's schema (``docs/map-data.md``).
SCHEMA = "citymap-map"
SCHEMA_VERSION = 2

CONTEXT_COLOR = "#666666"
PILOT_COLOR = "#000000"
#: Residential land within / outside a park's service radius (Okabe-Ito sky blue, orange).
SERVICE_COLORS = ("#E69F00", "#56B4E9")
#: The name of the service-radius layer in the map.
SERVICE_LAYER = "park_service"
#: The outline of a late (逾期) site or work: reddish purple (Okabe-Ito), beside the status.
LATE_COLOR = "#CC79A7"


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
        The positions of the time axis (:func:`citymap.render.timeline.date_options`)
        and the one shown first.
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
    unit
        The unit of a unit map (an empty unit map tells its part in each work).
    pending
        The changes pending submissions propose (:class:`citymap.review_flow.Proposal`),
        drawn as the layer 待审核 on internal maps (:func:`citymap.render.pending.pending_blob`).
    public
        The public view (:func:`citymap.render.public.public_blob`): whitelisted fields,
        no internal layer (left out before the panel's counts), coordinates rounded to
        ``[publish] coordinate_decimals``.
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
    unit: str | None = None
    public: bool = False
    pending: tuple[Any, ...] = ()


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
            raise CitymapError(_("--basemap tiles needs --tiles DIR (a folder of z/x/y.png tiles)"))
        return [{"name": tr("Local tiles", lang), "url": tiles_url, "maxZoom": 20,
                 "attr": ""}]
    if basemap == "osm":
        p = xyz.OpenStreetMap.Mapnik
        return [{"name": "OpenStreetMap", "url": p.url, "maxZoom": int(p.max_zoom),
                 "attr": str(p.attribution)}]
    if basemap == "tianditu":
        if not tianditu_key:
            raise CitymapError(_("the Tianditu base map needs a key: pass --tianditu-key KEY "
                                 "or set CITYMAP_TIANDITU_KEY (get one at {url})").format(
                                     url="https://console.tianditu.gov.cn"))
        lab = "c" if zh else "e"
        attr = "天地图 (Tianditu) · 国家地理信息公共服务平台"
        return [
            {"name": tr("Tianditu vector", lang), "url": _tdt("vec", tianditu_key),
             "labels": _tdt(f"{lab}va", tianditu_key), "sub": "01234567", "maxZoom": 18,
             "attr": attr},
            {"name": tr("Tianditu imagery", lang), "url": _tdt("img", tianditu_key),
             "labels": _tdt(f"{lab}ia", tianditu_key), "sub": "01234567", "maxZoom": 18,
             "attr": attr},
        ]
    if basemap == "amap":
        normal, sat = xyz.Gaode.Normal, xyz.Gaode.Satellite
        label_url = "https://webst01.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}"
        return [
            {"name": tr("AMap vector", lang),
             "url": str(normal.url).replace("http://", "https://"),
             "maxZoom": int(normal.max_zoom), "attr": str(normal.attribution), "gcj02": True},
            {"name": tr("AMap satellite", lang),
             "url": str(sat.url).replace("http://", "https://"), "labels": label_url,
             "maxZoom": int(sat.max_zoom), "attr": str(sat.attribution), "gcj02": True},
        ]
    raise CitymapError(_("unknown base map {basemap!r}; use one of {choices}").format(
            basemap=basemap, choices=", ".join(BASEMAPS)))


# ----------------------------------------------------------------------------- the blob

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


def _service_entry(service: Sequence[gpd.GeoDataFrame], lang: str,
                   gcj: bool) -> dict[str, Any] | None:
    """The service-radius layer: residential land drawn once, covered flags per date.

    Every date's frame holds the same parcels (the residential layer) with its own
    ``covered`` column; dates with the same flags share one entry of ``covered``.
    """
    frames = [g for g in service if len(g)]
    if not frames:
        return None
    first = frames[0]
    flags: list[str] = []
    index: list[int] = []
    for gdf in service:
        if not len(gdf):
            index.append(-1)
            continue
        bits = "".join("1" if bool(v) else "0" for v in gdf["covered"])
        if bits not in flags:
            flags.append(bits)
        index.append(flags.index(bits))
    return {
        "name": SERVICE_LAYER, "title": ui_words(lang)["service"], "geom": "Polygon",
        "role": "service", "n": len(first),
        "style": {"colors": list(SERVICE_COLORS), "weight": 1.0, "fillOpacity": 0.45,
                  "opacity": 0.9},
        "geometry": encode_geometries(np.asarray(first.geometry.values, dtype=object),
                                      gcj02=gcj),
        "columns": {c: column(first[c]) for c in ("id", "name", "area_m2") if c in first},
        "covered": flags, "coveredByDate": index,
    }


def _label_points(gdf: gpd.GeoDataFrame, gcj: bool) -> list[list[float]]:
    """A point inside every polygon (lat, lon) for its permanent label."""
    pts = shapely.point_on_surface(np.asarray(gdf.geometry.values, dtype=object))
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    if gcj:
        from citymap.gcj02 import wgs84_to_gcj02

        x, y = wgs84_to_gcj02(x, y)
    return [[round(float(b), 6), round(float(a), 6)] for a, b in zip(x, y, strict=True)]


def _layer_entry(ws: Workspace, name: str, role: str, gdf: gpd.GeoDataFrame,
                 options: MapOptions, targets: Sequence[Any], events: Any,
                 panels: Sequence[Panel]) -> dict[str, Any]:
    spec = ws.layers[name]
    lang = options.lang
    gcj = options.basemap == "amap"
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    entry: dict[str, Any] = {
        "name": name, "title": spec.title(lang), "geom": spec.geometry, "role": role,
        "action": spec.action, "n": len(gdf), "style": _layer_style(spec, role),
        "geometry": encode_geometries(geoms, gcj02=gcj),
    }
    fields = popup_fields(spec, gdf, lang)
    entry["fields"] = [{"column": c, "label": label} for c, label in fields]
    cols = ["id", "name"] + [c for c, _ in fields]
    entry["schematic"] = 0
    if "source" in gdf.columns:
        cols.append("source")
        entry["schematic"] = int((gdf["source"].astype(str) == SCHEMATIC).sum())
    if role != "context" and "works" in gdf.columns:
        cols.append("works")
        groups, index = works_groups(gdf["works"])
        entry["works"] = {"d": groups, "i": encode_ints(index)}
    entry["columns"] = {c: column(gdf[c]) for c in dict.fromkeys(cols) if c in gdf.columns}
    if role != "context" and "status" in gdf.columns:
        entry["events"] = site_events(ws, gdf, events)
        entry["due"] = encode_ints(delta(due_days(gdf["year"])))
        groups, index = target_groups(gdf, name, targets)
        entry["targets"] = {"d": groups, "i": encode_ints(index)}
    if role == "pilot":
        # area and coverage from the metrics code's zone results, on every date
        zb = zone_blob(panels, [str(i) for i in gdf["id"]])
        if zb is None:
            zb = {"area": [round(float(a) / 1e6, 2) for a in
                           areas_m2(gdf, ws.config.measure_crs)],
                  "below": [0] * len(gdf), "min": None, "coverage": []}
        entry["zone"] = zb
        entry["labelAt"] = _label_points(gdf, gcj)
    return entry


def _late_counts(ws: Workspace, day: dt.date, shown: Mapping[str, npt.NDArray[np.int64]],
                 works: frozenset[int] | None) -> dict[str, Any]:
    """Sites by status and the overdue counts on ``day`` for the sites a map shows.

    ``shown`` maps a site layer to the positions of the rows the map shows. From
    :meth:`Workspace.status_as_of`: the same numbers ``citymap overdue`` and ``citymap
    metrics`` give (the pilot zones count as sites, as in metrics).
    """
    now = ws.status_as_of(day)
    counts = dict.fromkeys(SITE_STATUSES, 0)
    late_sites: set[str] = set()
    for name, pos in shown.items():
        st = now.layer(name)
        status = st["status"].to_numpy()[pos]
        for s, c in zip(*np.unique(status.astype(str), return_counts=True), strict=True):
            if s in counts:
                counts[s] += int(c)
        late = st["late"].to_numpy()[pos]
        late_sites.update(str(i) for i in st["id"].to_numpy()[pos][late])
    items = [i for i in now.overdue if works is None or i.work in works]
    return {"counts": [counts[s] for s in SITE_STATUSES],
            "late": {"sites": len(late_sites),
                     "works": len({i.work for i in items if i.kind == "工程"}),
                     "targets": len({i.id for i in items if i.kind == "目标"})}}


def map_data(
    ws: Workspace,
    options: MapOptions,
    panels: Sequence[Panel] = (),
    service: Sequence[gpd.GeoDataFrame] = (),
) -> dict[str, Any]:
    """The JSON blob of one map (schema ``citymap-map`` 2, see ``docs/map-data.md``).

    ``panels`` are the metrics panels of every date of ``options.dates`` (their pilot-zone
    results label the zones); ``service`` the residential land covered / not covered by a
    park's service radius on every date
    (:func:`citymap.metrics.residential_coverage_layer`), drawn on the overview only.
    """
    lang = options.lang
    reg = ws.register
    gcj = options.basemap == "amap"
    targets = reg.targets if options.works is None else tuple(
        t for t in reg.targets if t.work in options.works)
    pilot_layers = set(layers_for(ws.layers, "pilot_zones"))
    order = {"Polygon": 0, "LineString": 1, "Point": 2}
    names = sorted(ws.layers, key=lambda n: (ws.layers[n].name in pilot_layers,
                                             order.get(ws.layers[n].geometry, 3)))
    events = sorted_events(ws)
    layers: list[dict[str, Any]] = []
    works_seen: set[int] = set()
    shown_sites: dict[str, npt.NDArray[np.int64]] = {}
    bounds: list[npt.NDArray[np.float64]] = []
    fit_geoms: list[npt.NDArray[np.object_]] = []
    for name in names:
        spec = ws.layers[name]
        role = "pilot" if name in pilot_layers else "sites" if spec.is_sites else "context"
        if (role == "context" and not options.include_context) or (
                role == "pilot" and options.works is not None) or (
                options.public and spec.internal):
            continue
        gdf = _shown_frame(ws, name, options.works)
        if not len(gdf):
            continue
        if role != "context":
            fit_geoms.append(np.asarray(gdf.geometry.values, dtype=object))
        if role != "context" and "works" in gdf.columns:
            for v in gdf["works"]:
                works_seen.update(parse_works(v))
        if spec.is_sites:
            shown_sites[name] = np.asarray(ws.data[name].index.get_indexer(gdf.index),
                                           dtype=np.int64)
        bounds.append(np.asarray(shapely.total_bounds(np.asarray(gdf.geometry.values,
                                                                  dtype=object))))
        layers.append(_layer_entry(ws, name, role, gdf, options, targets, events, panels))
    if bounds:
        b = np.vstack(bounds)
        box = [float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
               float(b[:, 3].max())]
    else:
        box = list(ws.config.bounds)
    core = robust_extent(np.concatenate(fit_geoms)) if fit_geoms else None
    fit = list(core) if core is not None else None
    if gcj:
        box = _gcj_box(box)
        fit = _gcj_box(fit) if fit is not None else None
    cfg = ws.config
    works = works_table(reg, works_seen, lang)
    for n, w in work_events(ws, sorted(works_seen), events).items():
        if n in works:
            works[n].update(w)
    panel_list = []
    for k, o in enumerate(options.dates):
        if k < len(panels):  # with the metrics: the counts of status_as_of on that day
            p = panel_blob(panels[k], lang)
            p.update(_late_counts(ws, o.date, shown_sites, options.works))
        else:  # no metrics: the script counts the statuses it replays; no overdue counts
            p = {"ok": False, "rows": [], "indicators": [], "warnings": []}
        panel_list.append(p)
    return {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "generator": f"citymap {__version__}",
        "lang": lang,
        "title": (cfg.name_en or cfg.name) if lang == "en" else cfg.name,
        "subtitle": options.subtitle,
        "ui": ui_words(lang),
        "statuses": [STATUS_EN[s] if lang == "en" else s for s in SITE_STATUSES],
        "palette": [STATUS_COLORS[s] for s in SITE_STATUSES],
        "dashes": [STATUS_DASHES[s] for s in SITE_STATUSES],
        "shapes": [STATUS_SHAPES[s] for s in SITE_STATUSES],
        "lateColor": LATE_COLOR,
        "epoch": EPOCH.isoformat(),
        "dates": [{"day": day_number(o.date), "iso": o.date.isoformat(), "label": o.label,
                   "quick": o.quick} for o in options.dates],
        "selected": options.selected,
        "actions": [{"n": a.number, "name": a.name_en if lang == "en" and a.name_en
                     else a.name} for a in reg.actions],
        "works": works,
        "targets": targets_table(targets),
        "layers": layers,
        "service": _service_entry(service, lang, gcj) if options.works is None else None,
        "panel": panel_list,
        "bounds": [[box[1], box[0]], [box[3], box[2]]],
        "fit": [[fit[1], fit[0]], [fit[3], fit[2]]] if fit is not None else None,
        "empty": _empty(ws, options, layers),
        "view": _initial_view(cfg.center, cfg.zoom, gcj) if options.works is None else None,
        "basemaps": basemap_layers(options.basemap, lang=lang,
                                   tianditu_key=options.tianditu_key,
                                   tiles_url=options.tiles_url),
        "gcj02": gcj,
        "links": [{"group": lk.group, "title": lk.title, "href": lk.href}
                  for lk in options.links],
        "home": options.home,
        "publish": print_blob(cfg, lang, version=__version__),
        "photos": options.photos,
        "pending": _pending(ws, options, gcj),
    }


def _pending(ws: Workspace, options: MapOptions, gcj: bool) -> list[dict[str, Any]] | None:
    """The pending proposals of an internal map (``None`` on the public view or when none)."""
    if options.public or not options.pending:
        return None
    from citymap.render.pending import pending_blob

    return pending_blob(ws, options.pending, lang=options.lang, works=options.works,
                        gcj=gcj) or None


def _gcj_box(box: Sequence[float]) -> list[float]:
    from citymap.gcj02 import wgs84_to_gcj02

    x, y = wgs84_to_gcj02([box[0], box[2]], [box[1], box[3]])
    return [float(x[0]), float(y[0]), float(x[1]), float(y[1])]


def _empty(ws: Workspace, options: MapOptions,
           layers: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The works of a unit or action map that shows no site, and why (else None)."""
    if options.works is None or any(e["role"] == "sites" for e in layers):
        return None
    declared: dict[int, list[str]] = {}
    for name, spec in ws.layers.items():
        for w in spec.works:
            declared.setdefault(w, []).append(name)
    return empty_blob(ws.register, options.works, options.lang, unit=options.unit,
                      layers_of_work=declared)


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
    if options.public:
        from citymap.render.public import public_blob

        data = public_blob(data, ws, decimals=ws.config.publish.coordinate_decimals,
                           label=tr("public view", options.lang))
    title = data["title"] + (f" — {options.subtitle}" if options.subtitle else "")
    # jinja escapes title, lang, version and the URLs; the blob is escaped for a <script>
    # element by dumps_for_script, the script and style are citymap's own: marked safe here
    return render_template(
        "render/templates/page.html",
        lang="zh-CN" if options.lang == "zh" else "en",
        title=title,
        version=__version__,
        styles=options.assets.styles,
        scripts=options.assets.scripts,
        app_css=Markup(app_style()),
        app_js=Markup(app_script()),
        data=Markup(dumps_for_script(data)),
    )
