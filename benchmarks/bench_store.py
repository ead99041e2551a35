"""Benchmark: the PostGIS store beside the file/Python path, on the same generated data.

    python benchmarks/bench_store.py --scale small      # 2 000 parcels, 40 parks
    python benchmarks/bench_store.py --scale county     # 20 000 parcels, 400 parks
    python benchmarks/bench_store.py --scale region     # bench_metrics.py's small data
    python benchmarks/bench_store.py --scale province   # bench_metrics.py's province data

``small`` and ``county`` draw squares in the county box; ``province`` is the data of
benchmarks/bench_metrics.py (its ``generate``: 10⁶ parcels, 10⁴ parks, 10⁵ sites — 60 %
polygons, 30 % lines, 10 % points — and 136 pilot zones, in EPSG:4548), written as a
lon/lat workspace; ``region`` is its ``small`` data (5×10⁴ parcels, 10³ parks, 5×10³
sites). A throw-away PostGIS cluster is started (tests/_pg.py; or
$CITYMAP_TEST_STORE), and in the same run are timed:

- push (validate + copy into the store) beside loading the folder (load_workspace), and
  pull + load beside load;
- park service-radius coverage: citymap.store.sql_metrics.service_coverage (buffers once,
  ST_Union, ST_Subdivide, GiST join; one core) beside the Python path,
  citymap.metrics.service.park_service_coverage on citymap.metrics.park_frame (2 threads);
- pilot-zone footprint coverage: sql_metrics.zone_coverage beside
  citymap.metrics.zones.zone_coverage (which also measures status, themes, lines and
  points) and beside a shapely union of the footprints only.

Prints the times, the ratios (store / Python) and checks that the numbers agree within
1e-9 relative.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

SCALES = {"small": (2_000, 40, 3_000, 6), "county": (20_000, 400, 10_000, 12),
          "region": (50_000, 1_000, 5_000, 136), "province": (1_000_000, 10_000, 100_000, 136)}
BOX = (117.30, 37.44, 117.80, 37.76)
AS_OF = dt.date(2021, 6, 30)
REL = 1e-9
STATUSES = ("已完成", "进行中", "滞后", "未开始")


def _squares(rng: np.random.Generator, n: int, size_deg: tuple[float, float],
             box: tuple[float, float, float, float] = BOX) -> list[dict[str, Any]]:
    x = rng.uniform(box[0], box[2] - size_deg[1], n)
    y = rng.uniform(box[1], box[3] - size_deg[1], n)
    d = rng.uniform(size_deg[0], size_deg[1], n)
    return [{"type": "Polygon", "coordinates": [[[float(a), float(b)], [float(a + s), float(b)],
             [float(a + s), float(b + s * 0.8)], [float(a), float(b + s * 0.8)],
             [float(a), float(b)]]]} for a, b, s in zip(x, y, d, strict=True)]


def _layer(name: str, role: str, geometry: str) -> str:
    sub = "sites" if role == "sites" else "context"
    works = "works = [16]\n" if role == "sites" else ""
    return (f'name = "{name}"\nrole = "{role}"\nsource = "geo/{sub}/{name}.geojson"\n'
            f'geometry = "{geometry}"\n{works}title = {{ zh = "{name}" }}\n')


LAYERS = {"residential": _layer("residential", "context", "Polygon"),
          "parks": _layer("parks", "context", "Polygon"),
          "pilot_zones": _layer("pilot_zones", "sites", "Polygon")}


def _site(i: int, prefix: str, g: dict[str, Any], status: str = "进行中") -> dict[str, Any]:
    return {"type": "Feature", "geometry": g, "properties": {
        "id": f"{prefix}-{i}", "works": "16", "name": f"{prefix}{i}", "year": 2021,
        "status": status, "status_date": "2021-03-01", "source": "示意", "kind": None}}


def _ctx(i: int, prefix: str, g: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": g,
            "properties": {"id": f"{prefix}-{i}", "name": f"{prefix}{i}", "source": "示意"}}


def _write_workspace(root: Path, layers: dict[str, str], feats: dict[str, list[Any]],
                     bounds: tuple[float, float, float, float]) -> Path:
    from _ws_core import make_workspace as tiny

    root = tiny(root, layers=layers, features={})
    for name, fs in feats.items():
        sub = "context" if name in ("residential", "parks", "roads") else "sites"
        path = root / "geo" / sub / f"{name}.geojson"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:  # one feature a line
            fh.write('{"type": "FeatureCollection", "features": [\n')
            for k, f in enumerate(fs):
                fh.write((",\n" if k else "") + (f if isinstance(f, str) else json.dumps(
                    f, ensure_ascii=False)))
            fh.write("\n]}\n")
    toml = (root / "citymap.toml").read_text(encoding="utf-8")
    box = ", ".join(f"{v:.2f}" for v in bounds)
    (root / "citymap.toml").write_text(toml.replace(
        "bounds = [117.50, 37.60, 117.66, 37.70]", f"bounds = [{box}]"), encoding="utf-8")
    return root


def make_workspace(root: Path, scale: str, seed: int = 7) -> Path:
    """The small / county workspace: squares in the county box."""
    from _ws_core import LAYERS as BASE
    from _ws_core import default_features

    parcels, parks, footprints, zones = SCALES[scale]
    rng = np.random.default_rng(seed)
    zone_geoms = _squares(rng, zones, (0.015, 0.02))
    zb = [shapely.bounds(shapely.geometry.shape(g)) for g in zone_geoms]
    fps = []
    for i in range(footprints):  # footprints inside the zones mostly
        b = zb[i % len(zb)]
        fps.extend(_squares(rng, 1, (0.0004, 0.0012), (b[0] - 0.002, b[1] - 0.002,
                                                       b[2] + 0.002, b[3] + 0.002)))
    feats: dict[str, list[Any]] = {
        "residential": [_ctx(i, "RS", g) for i, g in enumerate(_squares(
            rng, parcels, (0.0004, 0.0009)))],
        "parks": [_ctx(i, "PK", g) for i, g in enumerate(_squares(
            rng, parks, (0.0004, 0.0025)))],
        "pilot_zones": [_site(i, "PZ", g) for i, g in enumerate(zone_geoms)],
        "old_communities": [_site(i, "OC", g) for i, g in enumerate(fps)],
        "pocket_parks": default_features()["pocket_parks"],
        "roads": default_features()["roads"],
    }
    return _write_workspace(root, {**BASE, **LAYERS}, feats, (117.28, 37.42, 117.83, 37.78))


def _lonlat_lines(geoms: Any, props: list[str]) -> list[str]:
    """GeoJSON Feature lines of EPSG:4548 polygons/lines/points, in lon/lat."""
    import geopandas as gpd

    ll = np.asarray(gpd.GeoSeries(geoms, crs="EPSG:4548").to_crs("EPSG:4326").values,
                    dtype=object)
    out = []
    for g, p in zip(shapely.to_geojson(ll), props, strict=True):
        out.append(f'{{"type": "Feature", "properties": {p}, "geometry": {g}}}')
    return out


def make_province(root: Path, metrics_scale: str = "province") -> Path:
    """bench_metrics.py's data (its ``generate``) as a lon/lat workspace."""
    import bench_metrics

    path = bench_metrics.generate(metrics_scale, root.parent)
    data: dict[str, Any] = bench_metrics._load(path)
    kinds = {"old_communities": ("Polygon", 0), "greenways": ("LineString", 1),
             "site_points": ("Point", 2)}
    kind = np.load(path)["kind"]
    status = np.asarray(data["status"], dtype=object)

    def ctx_props(prefix: str, n: int) -> list[str]:
        return [f'{{"id": "{prefix}-{i}", "name": "{prefix}{i}", "source": "示意"}}'
                for i in range(n)]

    def site_props(prefix: str, st: Any) -> list[str]:
        return [f'{{"id": "{prefix}-{i}", "works": "16", "name": "{prefix}{i}", "year": 2021, '
                f'"status": "{s}", "status_date": "2021-03-01", "source": "示意", '
                f'"kind": null}}' for i, s in enumerate(st)]

    feats: dict[str, list[Any]] = {
        "residential": _lonlat_lines(data["parcels"], ctx_props("RS", len(data["parcels"]))),
        "parks": _lonlat_lines(data["parks"], ctx_props("PK", len(data["parks"]))),
        "pilot_zones": _lonlat_lines(data["zones"], site_props(
            "PZ", ["进行中"] * len(data["zones"]))),
    }
    from _ws_core import LAYERS as BASE

    layers = {**BASE, **LAYERS}
    feats["pocket_parks"], feats["roads"] = [], []  # the register names them
    for name, (geometry, k) in kinds.items():
        m = kind == k
        layers[name] = _layer(name, "sites", geometry)
        feats[name] = _lonlat_lines(np.asarray(data["sites"], dtype=object)[m],
                                    site_props(name[:2].upper(), status[m]))
    b = shapely.bounds(shapely.union_all(shapely.envelope(np.asarray(
        [shapely.geometry.shape(json.loads(f)["geometry"]) for f in (
            feats["residential"][0], feats["residential"][-1], feats["pilot_zones"][0],
            feats["pilot_zones"][-1])], dtype=object))))
    bounds = (float(b[0]) - 0.2, float(b[1]) - 0.2, float(b[2]) + 0.2, float(b[3]) + 0.2)
    return _write_workspace(root, layers, feats, bounds)


def timed(label: str, fn: Callable[[], Any], times: dict[str, float]) -> Any:
    t = time.perf_counter()
    out = fn()
    times[label] = time.perf_counter() - t
    print(f"  {label:<28} {times[label]:8.2f} s", flush=True)
    return out


def python_zone_coverage(ws: Any) -> dict[str, float]:
    """Footprint union only (shapely): per zone, the union of polygon sites ∩ the zone."""
    from citymap.crs import to_measure

    zones = to_measure(ws.layer("pilot_zones"))
    sites = ws.sites()
    sites = sites[sites["layer"] != "pilot_zones"]
    fp = np.asarray(to_measure(sites).geometry.values, dtype=object)
    fp = fp[np.isin(shapely.get_type_id(fp), (3, 6))]
    tree = shapely.STRtree(fp)
    out = {}
    for zid, z in zip(zones["id"], zones.geometry.values, strict=True):
        idx = tree.query(z, predicate="intersects")
        out[str(zid)] = float(shapely.area(shapely.intersection(
            shapely.union_all(fp[idx]), z))) if len(idx) else 0.0
    return out


def metrics_zone_inputs(ws: Any) -> tuple[Any, Any]:
    """The zones and sites (with status on AS_OF and theme) as compute_metrics builds them."""
    sites = ws.sites()
    sites = sites[sites["layer"] != "pilot_zones"]
    sites = sites.assign(status=ws.history.status_on(sites, AS_OF)["status"].to_numpy(),
                         theme=[ws.layers[lay].theme for lay in sites["layer"]])
    return ws.layer("pilot_zones"), sites


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=list(SCALES), default="county")
    ap.add_argument("--no-pull", action="store_true", help="skip pull + load")
    args = ap.parse_args()
    import _pg
    from citymap.metrics import park_frame
    from citymap.metrics.service import park_service_coverage
    from citymap.metrics.zones import zone_coverage as metrics_zones
    from citymap.store import open_postgis
    from citymap.store.sql_metrics import service_coverage, zone_coverage
    from citymap.workspace import load_workspace

    parcels, parks, footprints, zones = SCALES[args.scale]
    print(f"scale {args.scale}: {parcels} parcels, {parks} parks, {footprints} "
          f"{'sites' if zones == 136 else 'footprints'}, {zones} zones", flush=True)
    times: dict[str, float] = {}
    server = _pg.start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            if args.scale in ("region", "province"):
                root = make_province(Path(tmp) / "ws", "small" if args.scale == "region"
                                     else "province")
            else:
                root = make_workspace(Path(tmp) / "ws", args.scale)
            print(f"  generated in {time.perf_counter() - t:.1f} s", flush=True)
            store = open_postgis(server.new_database())
            store.init()
            ws = timed("load folder (python)", lambda: load_workspace(root), times)
            timed("push (validate + copy)", lambda: store.push(root), times)
            if not args.no_pull:
                timed("pull + load", lambda: store.load(), times)
            py = timed("service coverage python", lambda: park_service_coverage(
                ws.layer("residential"), park_frame(ws, AS_OF)), times)
            (sq,) = timed("service coverage sql", lambda: service_coverage(
                store, as_of=AS_OF), times)
            zin = metrics_zone_inputs(ws)
            mz = timed("zone coverage python", lambda: metrics_zones(*zin, as_of=AS_OF), times)
            pz = timed("zone union shapely", lambda: python_zone_coverage(ws), times)
            sz = timed("zone coverage sql", lambda: zone_coverage(store), times)
    finally:
        server.stop()
    rel = max(_rel(sq.covered_m2, py.covered_m2), _rel(sq.residential_m2, py.residential_m2))
    ref = {z.id: z for z in mz}
    zrel = max((max(_rel(r.covered_m2, ref[r.zone].covered_km2 * 1e6),
                    _rel(r.covered_m2, pz[r.zone]), _rel(r.zone_m2, ref[r.zone].area_km2 * 1e6))
                for r in sz), default=0.0)
    print(f"service coverage: python {py.value:.9f} %, sql {sq.value:.9f} % (max rel diff "
          f"{rel:.1e}); {len(sz)} zones: max rel diff {zrel:.1e}")
    load = times["load folder (python)"]
    print("ratios (store / python, same run):")
    print(f"  push / load folder            {times['push (validate + copy)'] / load:.2f}")
    if "pull + load" in times:
        print(f"  pull+load / load folder       {times['pull + load'] / load:.2f}")
    print(f"  service coverage sql / python {times['service coverage sql'] / times['service coverage python']:.2f}")  # noqa: E501
    print(f"  zone coverage sql / python    {times['zone coverage sql'] / times['zone coverage python']:.2f}")  # noqa: E501
    print(f"  zone coverage sql / shapely   {times['zone coverage sql'] / times['zone union shapely']:.2f}")  # noqa: E501
    if rel > REL or zrel > REL or len(sz) != len(mz):
        sys.exit("the SQL and Python numbers differ")


if __name__ == "__main__":
    main()
