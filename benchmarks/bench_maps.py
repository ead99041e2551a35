"""Benchmark: citymap's map against plain folium on the same generated data, in one run.

    python benchmarks/bench_maps.py --scale county      # 400 mixed sites (one county)
    python benchmarks/bench_maps.py --scale province    # 54 400 mixed sites (136 counties)
    python benchmarks/bench_maps.py --scale large       # 200 000 mixed sites

Reports build time (data → HTML file), HTML bytes, and the time until every feature is
drawn in headless Chromium (Debian's /usr/bin/chromium, network blocked; Leaflet is served
from node_modules for both pages), each for plain folium (``folium.GeoJson(gdf,
popup=GeoJsonPopup(...))`` per layer, default settings) and for citymap, with the ratios.
Also the share of citymap's bytes by part of the blob (which encodings matter).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
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
from citymap.render.assets import find_node_modules, online_refs
from citymap.render.map import MapOptions, date_options, render_map
from citymap.sites import coerce_columns
from citymap.vocab import SITE_STATUSES
from citymap.workspace import Config, Workspace

ROOT = Path(__file__).resolve().parents[1]
# county: about one county's sites (the shipped Yangxin workspace has 422); province: 136
# counties' worth (Shandong's plan went to every county), the issue's ≥ 50 000; large: 2×10⁵.
SCALES = {"county": 400, "province": 136 * 400, "large": 200_000}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
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


def build_folium(ws: Workspace, out: Path) -> float:
    t = time.perf_counter()
    w, s, e, n = ws.config.bounds
    m = folium.Map(location=[(s + n) / 2, (w + e) / 2], zoom_start=11)
    for name, gdf in ws.data.items():
        folium.GeoJson(gdf, name=name, popup=folium.GeoJsonPopup(
            fields=["name", "year", "households", "status", "status_date"])).add_to(m)
    m.fit_bounds([[s, w], [n, e]])
    out.write_text(m.get_root().render(), encoding="utf-8")
    return time.perf_counter() - t


def build_citymap(ws: Workspace, out: Path) -> float:
    t = time.perf_counter()
    dates, sel = date_options(None, dt.date.today())
    opts = MapOptions(dates=dates, selected=sel, basemap="none",
                      assets=online_refs(tiles=False))
    out.write_text(render_map(ws, opts), encoding="utf-8")
    return time.perf_counter() - t


def _route(nm: Path) -> Any:
    def handler(route: Any) -> None:
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
            return
        m = re.match(r"https://cdn\.jsdelivr\.net/npm/(leaflet)@[^/]+/(dist/.*)", url)
        if m:
            route.fulfill(path=str(nm / m.group(1) / m.group(2).split("?")[0]))
            return
        route.abort()
    return handler


def load_time(browser: Any, page_path: Path, n: int, nm: Path, kind: str) -> float:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.route("**/*", _route(nm))
    t = time.perf_counter()
    page.goto(page_path.as_uri(), timeout=600_000)
    if kind == "citymap":
        page.wait_for_function("window.citymap && window.citymap.ready", timeout=600_000,
                               polling="raf")
        took = time.perf_counter() - t
        drawn = sum(page.evaluate("window.citymap.drawn()").values())
    else:
        page.wait_for_function(
            f"document.querySelectorAll('path.leaflet-interactive, img.leaflet-marker-icon')"
            f".length >= {n}", timeout=600_000, polling=100)
        took = time.perf_counter() - t
        drawn = page.evaluate("document.querySelectorAll('path.leaflet-interactive, "
                              "img.leaflet-marker-icon').length")
    page.close()
    if drawn != n:
        print(f"warning: {kind} drew {drawn} of {n} features", file=sys.stderr)
    return took


def blob_parts(html: str) -> dict[str, int]:
    m = re.search(r'id="citymap-data">(.*?)</script>', html, re.S)
    assert m is not None
    data = json.loads(m.group(1))
    parts = {"coordinates": 0, "attributes": 0, "statuses": 0, "targets": 0}
    for lay in data["layers"]:
        parts["coordinates"] += len(json.dumps(lay["g"]))
        parts["attributes"] += len(json.dumps(lay["cols"], ensure_ascii=False).encode())
        parts["statuses"] += len(json.dumps([lay.get("st"), lay.get("sd")]))
        parts["targets"] += len(json.dumps(lay.get("tg")))
    return parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=sorted(SCALES), default="county")
    ap.add_argument("--no-browser", action="store_true", help="Skip the load+draw timing.")
    args = ap.parse_args()
    n = SCALES[args.scale]
    t = time.perf_counter()
    ws = generate(n)
    print(f"{args.scale}: {n} sites generated in {time.perf_counter() - t:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        fol, cm = Path(tmp) / "folium.html", Path(tmp) / "citymap.html"
        tf = build_folium(ws, fol)
        tc = build_citymap(ws, cm)
        bf, bc = fol.stat().st_size, cm.stat().st_size
        rows = [("build (s)", tf, tc), ("HTML (MB)", bf / 1e6, bc / 1e6)]
        nm = find_node_modules(ROOT)
        if not args.no_browser and nm is not None and Path("/usr/bin/chromium").exists():
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                b = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                lc = load_time(b, cm, n, nm, "citymap")
                lf = load_time(b, fol, n, nm, "folium")
                b.close()
            rows.append(("load+draw (s)", lf, lc))
        print(f"{'':16}{'folium':>10}{'citymap':>10}{'ratio':>9}")
        for label, a, c in rows:
            print(f"{label:16}{a:10.2f}{c:10.2f}{a / c:8.1f}×")
        parts = blob_parts(cm.read_text(encoding="utf-8"))
        print("citymap bytes by part: " + ", ".join(
            f"{k} {v / 1e6:.2f} MB ({100 * v / bc:.0f}%)" for k, v in parts.items()))
        # what the polyline coordinate encoding saves against plain 6-decimal GeoJSON arrays
        plain = sum(len(json.dumps(np.round(shapely.get_coordinates(g.geometry.values), 6)
                                   .tolist())) for g in ws.data.values())
        print(f"coordinates as plain 6-decimal arrays would take {plain / 1e6:.2f} MB "
              f"(encoded: {parts['coordinates'] / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
