"""Benchmark: citymap's map beside folium (two ways) and MapLibre GL, same data, one run.

    python benchmarks/bench_maps.py --scale county      # 400 mixed sites (one county)
    python benchmarks/bench_maps.py --scale province    # 54 400 mixed sites (136 counties)
    python benchmarks/bench_maps.py --scale large       # 200 000 mixed sites

Build time (data → HTML), HTML bytes and the time until every feature is drawn in headless
Chromium (Debian's /usr/bin/chromium, network blocked; libraries served from node_modules), for

- plain folium: ``folium.GeoJson(gdf, popup=GeoJsonPopup(...))`` per layer, defaults (SVG);
- folium as a competent user configures it: ``prefer_canvas=True``, points as ``CircleMarker``;
- citymap, with the month data (36 months of the time axis; the status events travel).

Interaction beside a WebGL peer: a month step (colour every site as on another date) and a
pan (200 px), for citymap now, citymap as it was before the time axis (``--before REV``, the
git revision whose renderer is measured; one Leaflet path per feature) and MapLibre GL (the
same sites as GeoJSON sources; a month step is ``setData`` with the new statuses, measured to
the ``idle`` event; software WebGL). Also the share of citymap's bytes by part of the blob.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
import yaml

from citymap.history import StatusEvent, StatusLog
from citymap.layers import FieldSpec, LayerSpec
from citymap.register import parse_register
from citymap.render.assets import copy_offline_bundle, find_node_modules, offline_refs
from citymap.render.map import MapOptions, render_map
from citymap.render.timeline import date_options
from citymap.sites import coerce_columns
from citymap.vocab import SITE_STATUSES
from citymap.workspace import Config, Workspace

ROOT = Path(__file__).resolve().parents[1]
# county: about one county's sites (the shipped Yangxin workspace has 422); province: 136
# counties' worth (Shandong's plan went to every county), the issue's ≥ 50 000; large: 2×10⁵.
SCALES = {"county": 400, "province": 136 * 400, "large": 200_000}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--enable-unsafe-swiftshader",
        "--use-angle=swiftshader"]
BEFORE = "d5492e0"  # main before the time axis: one Leaflet path per feature
REGISTER = """
plan: {title: 基准测试, county: 基准县}
actions: [{number: 1, name: 行动一}, {number: 2, name: 行动二}]
works:
  - {number: 1, action: 1, name: 公园工程, lead_units: [县住房城乡建设局], site_bound: true,
     targets: [{id: "1.1", metric: pocket_parks, value: 100, unit: 处, year: 2021,
                layer: parks}]}
  - {number: 2, action: 1, name: 绿道工程, lead_units: [县综合行政执法局], site_bound: true,
     targets: [{id: "2.1", metric: greenway_length, value: 100, unit: km, year: 2021,
                layer: greenways}]}
  - {number: 3, action: 2, name: 小区工程, lead_units: [县住房城乡建设局], site_bound: true,
     targets: [{id: "3.1", metric: old_communities_retrofitted, value: 100, unit: 个,
                year: 2022, layer: communities}]}
"""
BOUNDS = (117.28, 37.42, 117.83, 37.78)


def generate(n: int, seed: int = 1) -> Workspace:
    """A workspace in memory with ``n`` sites: a third points, lines and polygons."""
    rng = np.random.default_rng(seed)
    reg = parse_register(yaml.safe_load(REGISTER))
    w, s, e, nn = BOUNDS
    k = n // 3
    layers: dict[str, LayerSpec] = {}
    data: dict[str, gpd.GeoDataFrame] = {}
    events = []
    day0 = dt.date(2020, 1, 1)
    for name, geom, work, count in (("parks", "Point", 1, n - 2 * k),
                                    ("greenways", "LineString", 2, k),
                                    ("communities", "Polygon", 3, k)):
        x = rng.uniform(w + 0.02, e - 0.02, count)
        y = rng.uniform(s + 0.02, nn - 0.02, count)
        if geom == "Point":
            geoms = shapely.points(x, y)
        elif geom == "LineString":
            steps = rng.normal(0, 0.001, (count, 4, 2)).cumsum(axis=1)
            coords = steps + np.stack([x, y], axis=1)[:, None, :]
            geoms = shapely.linestrings(coords)
        else:
            ang = np.linspace(0, 2 * np.pi, 7)[:-1]
            r = rng.uniform(0.0003, 0.001, count)[:, None]
            ring = np.stack([x[:, None] + r * np.cos(ang), y[:, None] + r * np.sin(ang)], axis=2)
            geoms = shapely.polygons(np.concatenate([ring, ring[:, :1]], axis=1))
        status = rng.integers(0, 4, count)
        sdate = [(day0 + dt.timedelta(days=int(d))).isoformat()
                 for d in rng.integers(0, 700, count)]
        ids = [f"{name[:2]}-{i}" for i in range(count)]
        gdf = gpd.GeoDataFrame({
            "id": ids, "works": str(work), "name": [f"{name}站点{i}号" for i in range(count)],
            "year": rng.integers(2020, 2023, count), "status": [SITE_STATUSES[c] for c in status],
            "status_date": sdate, "source": "示意", "kind": None,
            "households": rng.integers(50, 900, count),
        }, geometry=geoms, crs="EPSG:4326")
        spec = LayerSpec(name=name, role="sites", source=f"geo/sites/{name}.geojson",
                         geometry=geom, title_zh=name, title_en=name, action=1 if work < 3 else 2,
                         works=(work,), popup=("name", "year", "households"),
                         fields={"households": FieldSpec("households", "int", "户数",
                                                         "Households")})
        layers[name] = spec
        data[name] = coerce_columns(gdf, spec)
        for i in rng.choice(count, count // 5, replace=False):
            events.append(StatusEvent(day0 + dt.timedelta(days=int(rng.integers(300, 1000))),
                                      ids[i], "已完成", 100.0))
    cfg = Config(name="基准县城市品质提升", county="基准县", bounds=BOUNDS)
    return Workspace(root=Path("."), config=cfg, register=reg, layers=layers, data=data,
                     history=StatusLog(tuple(events)))


def build_folium(ws: Workspace, out: Path, *, canvas: bool = False) -> float:
    """Plain folium (SVG, defaults), or as a competent user configures it (``canvas``)."""
    t = time.perf_counter()
    w, s, e, n = ws.config.bounds
    m = folium.Map(location=[(s + n) / 2, (w + e) / 2], zoom_start=11, prefer_canvas=canvas)
    for name, gdf in ws.data.items():
        kw: dict[str, Any] = {}
        if canvas and name == "parks":
            kw["marker"] = folium.CircleMarker(radius=5, fill=True, fill_opacity=0.8)
        folium.GeoJson(gdf, name=name, popup=folium.GeoJsonPopup(
            fields=["name", "year", "households", "status", "status_date"]), **kw).add_to(m)
    m.fit_bounds([[s, w], [n, e]])
    out.write_text(m.get_root().render(), encoding="utf-8")
    return time.perf_counter() - t


def build_citymap(ws: Workspace, out: Path) -> float:
    """citymap's page with the month time axis (its status events travel in the blob)."""
    t = time.perf_counter()
    dates, sel = date_options(None, dt.date.today(), months=True)
    opts = MapOptions(dates=dates, selected=sel, basemap="none",
                      assets=offline_refs("lib", tiles=False))
    out.write_text(render_map(ws, opts), encoding="utf-8")
    took = time.perf_counter() - t
    copy_offline_bundle(out.parent / "lib", tiles=False)
    return took


_BEFORE_SCRIPT = """
import sys, datetime as dt
from pathlib import Path
sys.path.insert(0, sys.argv[1] + "/src"); sys.path.insert(0, sys.argv[1] + "/benchmarks")
import bench_maps as b
ws = b.generate(int(sys.argv[2]))
print(b.build_citymap(ws, Path(sys.argv[3])))
"""


def build_before(rev: str, n: int, out: Path) -> float | None:
    """The page of citymap at git revision ``rev`` (its own generator, same seed), or None."""
    src = out.parent / "before-src"
    src.mkdir(exist_ok=True)
    arch = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src", "benchmarks"],
                          capture_output=True, check=False)
    if arch.returncode != 0:
        print(f"warning: no revision {rev}: the before-columns are left out", file=sys.stderr)
        return None
    (src / "a.tar").write_bytes(arch.stdout)
    with tarfile.open(src / "a.tar") as tar:
        tar.extractall(src, filter="data")
    done = subprocess.run([sys.executable, "-c", _BEFORE_SCRIPT, str(src), str(n), str(out)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(f"warning: the {rev} build failed: {done.stderr[-400:]}", file=sys.stderr)
        return None
    return float(done.stdout.split()[-1])


_MAPLIBRE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="maplibre-gl.css"><script src="maplibre-gl.js"></script>
<style>html,body,#map{height:100%;margin:0}</style></head><body><div id="map"></div>
<script>
var DATA = __DATA__, COLORS = ['#999999', '#0072B2', '#009E73', '#D55E00'];
var map = new maplibregl.Map({container: 'map', style: {version: 8, sources: {}, layers: [
  {id: 'bg', type: 'background', paint: {'background-color': '#f4f4f0'}}]},
  bounds: DATA.bounds, fadeDuration: 0});
var color = ['match', ['get', 's'], 0, COLORS[0], 1, COLORS[1], 2, COLORS[2], COLORS[3]];
map.on('load', function () {
  Object.keys(DATA.layers).forEach(function (name) {
    var L = DATA.layers[name];
    map.addSource(name, {type: 'geojson', data: L.fc});
    if (L.geom === 'Point') { map.addLayer({id: name, type: 'circle', source: name,
      paint: {'circle-radius': 5, 'circle-color': color, 'circle-stroke-width': 1}}); }
    else if (L.geom === 'LineString') { map.addLayer({id: name, type: 'line', source: name,
      paint: {'line-width': 3, 'line-color': color}}); }
    else { map.addLayer({id: name, type: 'fill', source: name,
      paint: {'fill-color': color, 'fill-opacity': 0.35, 'fill-outline-color': color}}); }
  });
  map.once('idle', function () { window.ready = true; });
});
/* a month step: every site's status on another date, the sources' data set again */
window.step = function (k) {
  Object.keys(DATA.layers).forEach(function (name) {
    var L = DATA.layers[name], f = L.fc.features, i;
    for (i = 0; i < f.length; i++) { f[i].properties.s = (L.s0[i] + k) % 4; }
    map.getSource(name).setData(L.fc);
  });
};
</script></body></html>
"""


def build_maplibre(ws: Workspace, out: Path, nm: Path) -> float:
    """The same sites in a MapLibre GL page (GeoJSON sources, colour by a status property)."""
    t = time.perf_counter()
    layers = {}
    for name, gdf in ws.data.items():
        fc = json.loads(gdf[["id", "geometry"]].to_json(drop_id=True))
        codes = [SITE_STATUSES.index(s) for s in gdf["status"]]
        for f, c in zip(fc["features"], codes, strict=True):
            f["properties"] = {"s": c}
        layers[name] = {"geom": ws.layers[name].geometry, "fc": fc, "s0": codes}
    w, s, e, n = ws.config.bounds
    data = {"bounds": [[w, s], [e, n]], "layers": layers}
    out.write_text(_MAPLIBRE.replace("__DATA__", json.dumps(data)), encoding="utf-8")
    took = time.perf_counter() - t
    for f in ("maplibre-gl.js", "maplibre-gl.css"):
        (out.parent / f).write_bytes((nm / "maplibre-gl" / "dist" / f).read_bytes())
    return took


def _route(nm: Path) -> Any:
    def handler(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:")):
            route.continue_()
            return
        m = re.match(r"https://cdn\.jsdelivr\.net/npm/(leaflet)@[^/]+/(dist/.*)", url)
        if m:
            route.fulfill(path=str(nm / m.group(1) / m.group(2).split("?")[0]))
            return
        route.abort()
    return handler


_COUNT_FOLIUM = """() => { let m = null;
  for (const k in window) { if (k.startsWith('map_') && window[k] instanceof L.Map) m = window[k]; }
  if (!m) return -1; let n = 0;
  m.eachLayer(l => { if (l instanceof L.Path || l instanceof L.Marker) n++; }); return n; }"""


def load_time(browser: Any, page_path: Path, n: int, nm: Path, kind: str) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", _route(nm))
    t = time.perf_counter()
    page.goto(page_path.as_uri(), timeout=900_000)
    if kind == "citymap":
        page.wait_for_function("window.citymap && window.citymap.ready", timeout=900_000,
                               polling="raf")
        took = time.perf_counter() - t
        drawn = sum(v for k, v in page.evaluate("window.citymap.drawn()").items())
    elif kind == "folium-canvas":
        page.wait_for_function(f"({_COUNT_FOLIUM})() >= {n}", timeout=900_000, polling=100)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => "
                      "requestAnimationFrame(r)))")  # the canvas has painted
        took = time.perf_counter() - t
        drawn = page.evaluate(f"({_COUNT_FOLIUM})()")
    else:
        page.wait_for_function(
            f"document.querySelectorAll('path.leaflet-interactive, img.leaflet-marker-icon')"
            f".length >= {n}", timeout=900_000, polling=100)
        took = time.perf_counter() - t
        drawn = page.evaluate("document.querySelectorAll('path.leaflet-interactive, "
                              "img.leaflet-marker-icon').length")
    page.close()
    if drawn != n:
        print(f"warning: {kind} drew {drawn} of {n} features", file=sys.stderr)
    return took


_FRAME = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
_TIMED = {
    # a month step: the next position of the time axis, to the painted frame
    "citymap": ("k => { const t = performance.now(); window.citymap.setDate(k); "
                f"return {_FRAME}.then(() => performance.now() - t); }}"),
    # before the time axis: the date selector's next entry (one path restyled per feature)
    "before": ("k => { const t = performance.now(); window.citymap.setDate(k % 4); "
               f"return {_FRAME}.then(() => performance.now() - t); }}"),
    "maplibre": ("k => new Promise(r => { const t = performance.now(); "
                 "map.once('idle', () => r(performance.now() - t)); window.step(k); })"),
}
_PAN = {
    "leaflet": ("() => { const m = window.citymap.map, t = performance.now(); "
                "m.panBy([200, 0], {animate: false}); "
                f"return {_FRAME}.then(() => performance.now() - t); }}"),
    "maplibre": ("() => new Promise(r => { const t = performance.now(); "
                 "map.once('idle', () => r(performance.now() - t)); "
                 "map.panBy([200, 0], {animate: false}); })"),
}


def interaction(browser: Any, page_path: Path, nm: Path, kind: str,
                steps: int = 8) -> tuple[float, float, float]:
    """Median month step and pan (s), and steps per second of citymap's playback."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", _route(nm))
    page.goto(page_path.as_uri(), timeout=900_000)
    ready = "window.ready" if kind == "maplibre" else "window.citymap && window.citymap.ready"
    page.wait_for_function(ready, timeout=900_000, polling=100)
    step = [page.evaluate(_TIMED[kind], k + 1) / 1000 for k in range(steps)]
    pan = [page.evaluate(_PAN["maplibre" if kind == "maplibre" else "leaflet"]) / 1000
           for _ in range(steps)]
    rate = 0.0
    if kind == "citymap":
        page.evaluate("window.citymap.setDate(0)")
        page.evaluate("window.citymap.play()")
        page.wait_for_timeout(3000)
        rate = page.evaluate("window.citymap.date().index") / 3.0
        page.evaluate("window.citymap.stop()")
    page.close()
    return statistics.median(step), statistics.median(pan), rate


def blob_parts(html: str) -> dict[str, int]:
    m = re.search(r'id="citymap-data">(.*?)</script>', html, re.S)
    assert m is not None
    data = json.loads(m.group(1))
    parts = {"coordinates": 0, "attributes": 0, "statuses": 0, "targets": 0}
    for lay in data["layers"]:
        parts["coordinates"] += len(json.dumps(lay["geometry"]))
        parts["attributes"] += len(json.dumps(lay["columns"], ensure_ascii=False).encode())
        parts["statuses"] += len(json.dumps([lay.get("events"), lay.get("due"),
                                             lay.get("works")]))
        parts["targets"] += len(json.dumps(lay.get("targets")))
    return parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="county")
    ap.add_argument("--no-browser", action="store_true", help="Skip the browser timings.")
    ap.add_argument("--no-plain", action="store_true",
                    help="Skip plain (SVG) folium in the browser (slow at large scales).")
    ap.add_argument("--before", default=BEFORE, metavar="REV",
                    help=f"git revision of the citymap to compare with (default {BEFORE}).")
    args = ap.parse_args()
    n = SCALES[args.scale]
    t = time.perf_counter()
    ws = generate(n)
    print(f"{args.scale}: {n} sites generated in {time.perf_counter() - t:.1f} s")
    nm = find_node_modules(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        fol, can, cm, old, ml = (d / "folium.html", d / "canvas.html", d / "citymap.html",
                                 d / "before.html", d / "maplibre.html")
        tf = build_folium(ws, fol)
        tv = build_folium(ws, can, canvas=True)
        tc = build_citymap(ws, cm)
        tb = build_before(args.before, n, old)
        size = {p: p.stat().st_size / 1e6 for p in (fol, can, cm)}
        rows: list[tuple[str, float | None, float | None, float]] = [
            ("build (s)", tf, tv, tc), ("HTML (MB)", size[fol], size[can], size[cm])]
        inter: list[tuple[str, str, str, str]] = []
        if not args.no_browser and nm is not None and Path("/usr/bin/chromium").exists():
            from playwright.sync_api import sync_playwright

            have_ml = (nm / "maplibre-gl" / "dist" / "maplibre-gl.js").is_file()
            if have_ml:
                build_maplibre(ws, ml, nm)
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                lc = load_time(b, cm, n, nm, "citymap")
                lv = load_time(b, can, n, nm, "folium-canvas")
                lf = None if args.no_plain else load_time(b, fol, n, nm, "folium")
                rows.append(("load+draw (s)", lf, lv, lc))
                s_c, p_c, rate = interaction(b, cm, nm, "citymap")
                inter.append(("citymap (batched canvas)", f"{s_c:.3f}", f"{p_c:.3f}",
                              f"{rate:.1f} steps/s"))
                if tb is not None:
                    s_b, p_b, _ = interaction(b, old, nm, "before")
                    inter.append((f"citymap {args.before} (path per feature)", f"{s_b:.3f}",
                                  f"{p_b:.3f}", f"step {s_b / s_c:.1f}×, pan {p_b / p_c:.1f}× "
                                  "slower"))
                if have_ml:
                    s_m, p_m, _ = interaction(b, ml, nm, "maplibre")
                    inter.append(("MapLibre GL (software WebGL)", f"{s_m:.3f}", f"{p_m:.3f}",
                                  f"step {s_m / s_c:.1f}×, pan {p_m / p_c:.1f}× citymap's"))
                b.close()
        print(f"{'':16}{'folium':>10}{'canvas':>10}{'citymap':>10}{'vs folium':>11}"
              f"{'vs canvas':>11}")
        for label, a, v, c in rows:
            fa = f"{a:10.2f}" if a is not None else f"{'—':>10}"
            ra = f"{a / c:10.1f}×" if a is not None else f"{'—':>11}"
            print(f"{label:16}{fa}{v:10.2f}{c:10.2f}{ra}{v / c:10.1f}×")
        print("(canvas: folium with prefer_canvas=True and CircleMarker points)")
        if inter:
            print(f"{'interaction, median of 8':38}{'month step (s)':>15}{'pan (s)':>10}")
            for who, st, pa, note in inter:
                print(f"{who:38}{st:>15}{pa:>10}   {note}")
        parts = blob_parts(cm.read_text(encoding="utf-8"))
        bc = cm.stat().st_size
        print("citymap bytes by part: " + ", ".join(
            f"{k} {v / 1e6:.2f} MB ({100 * v / bc:.0f}%)" for k, v in parts.items()))
        plain = sum(len(json.dumps(np.round(shapely.get_coordinates(g.geometry.values), 6)
                                   .tolist())) for g in ws.data.values())
        print(f"coordinates as plain 6-decimal arrays would take {plain / 1e6:.2f} MB "
              f"(encoded: {parts['coordinates'] / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
