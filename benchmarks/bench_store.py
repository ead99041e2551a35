"""Benchmark: the PostGIS store beside the file/Python path, on the same generated data.

    python benchmarks/bench_store.py --scale county     # 20 000 parcels, 400 parks
    python benchmarks/bench_store.py --scale province   # 100 000 parcels, 2 000 parks

Generates one workspace (residential parcels, parks, pilot zones and site footprints in the
county box), starts a throw-away PostGIS cluster (tests/_pg.py) or uses $CITYMAP_TEST_STORE,
and times, in the same run:

- push (validate + copy into the store) beside loading the folder (load_workspace), and
  pull + load beside load;
- park service-radius coverage: SQL (ST_DWithin on the EPSG:4548 GiST index) beside
  citymap.metrics.service.park_service_coverage;
- pilot-zone footprint coverage: SQL (ST_Union per zone) beside the same in shapely.

Prints the times, the ratios (SQL / Python) and checks the numbers agree (1e-6 relative).
"""

from __future__ import annotations

import argparse
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

SCALES = {"small": (2_000, 40, 3_000, 6), "county": (20_000, 400, 10_000, 12),
          "province": (100_000, 2_000, 40_000, 30)}
BOX = (117.30, 37.44, 117.80, 37.76)


def _squares(rng: np.random.Generator, n: int, size_deg: tuple[float, float],
             box: tuple[float, float, float, float] = BOX) -> list[dict[str, Any]]:
    x = rng.uniform(box[0], box[2] - size_deg[1], n)
    y = rng.uniform(box[1], box[3] - size_deg[1], n)
    d = rng.uniform(size_deg[0], size_deg[1], n)
    return [{"type": "Polygon", "coordinates": [[[float(a), float(b)], [float(a + s), float(b)],
             [float(a + s), float(b + s * 0.8)], [float(a), float(b + s * 0.8)],
             [float(a), float(b)]]]} for a, b, s in zip(x, y, d, strict=True)]


def make_workspace(root: Path, scale: str, seed: int = 7) -> Path:
    from _ws_core import LAYERS, default_features
    from _ws_core import make_workspace as tiny

    parcels, parks, footprints, zones = SCALES[scale]
    rng = np.random.default_rng(seed)
    layers = {
        **LAYERS,
        "residential": 'name = "residential"\nrole = "context"\n'
        'source = "geo/context/residential.geojson"\ngeometry = "Polygon"\n'
        'title = { zh = "居住用地" }\n',
        "parks": 'name = "parks"\nrole = "context"\nsource = "geo/context/parks.geojson"\n'
        'geometry = "Polygon"\ntitle = { zh = "公园" }\n',
        "pilot_zones": 'name = "pilot_zones"\nrole = "sites"\n'
        'source = "geo/sites/pilot_zones.geojson"\ngeometry = "Polygon"\nworks = [16]\n'
        'title = { zh = "试点片区" }\n',
    }

    def site(i: int, prefix: str, g: dict[str, Any]) -> dict[str, Any]:
        return {"type": "Feature", "geometry": g, "properties": {
            "id": f"{prefix}-{i}", "works": "16", "name": f"{prefix}{i}", "year": 2021,
            "status": "进行中", "status_date": "2021-03-01", "source": "示意", "kind": None}}

    def ctx(i: int, prefix: str, g: dict[str, Any]) -> dict[str, Any]:
        return {"type": "Feature", "geometry": g,
                "properties": {"id": f"{prefix}-{i}", "name": f"{prefix}{i}", "source": "示意"}}

    zone_geoms = _squares(rng, zones, (0.015, 0.02))
    zb = [shapely.bounds(shapely.geometry.shape(g)) for g in zone_geoms]
    fps = []
    for i in range(footprints):  # footprints inside the zones mostly
        b = zb[i % len(zb)]
        fps.extend(_squares(rng, 1, (0.0004, 0.0012), (b[0] - 0.002, b[1] - 0.002,
                                                       b[2] + 0.002, b[3] + 0.002)))
    feats = {
        "residential": [ctx(i, "RS", g) for i, g in enumerate(_squares(
            rng, parcels, (0.0004, 0.0009)))],
        "parks": [ctx(i, "PK", g) for i, g in enumerate(_squares(rng, parks, (0.0004, 0.0025)))],
        "pilot_zones": [site(i, "PZ", g) for i, g in enumerate(zone_geoms)],
        "old_communities": [site(i, "OC", g) for i, g in enumerate(fps)],
        "pocket_parks": default_features()["pocket_parks"],
        "roads": default_features()["roads"],
    }
    root = tiny(root, layers=layers, features={})
    for name, fs in feats.items():
        sub = "context" if name in ("residential", "parks", "roads") else "sites"
        path = root / "geo" / sub / f"{name}.geojson"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"type": "FeatureCollection", "features": fs},
                                   ensure_ascii=False), encoding="utf-8")
    toml = (root / "citymap.toml").read_text(encoding="utf-8")
    (root / "citymap.toml").write_text(toml.replace(
        "bounds = [117.50, 37.60, 117.66, 37.70]", "bounds = [117.28, 37.42, 117.83, 37.78]"),
        encoding="utf-8")
    return root


def timed(label: str, fn: Callable[[], Any], times: dict[str, float]) -> Any:
    t = time.perf_counter()
    out = fn()
    times[label] = time.perf_counter() - t
    print(f"  {label:<28} {times[label]:8.2f} s", flush=True)
    return out


def python_zone_coverage(ws: Any) -> dict[str, float]:
    from citymap.crs import to_measure

    zones = to_measure(ws.layer("pilot_zones"))
    fp = np.asarray(to_measure(ws.layer("old_communities")).geometry.values, dtype=object)
    tree = shapely.STRtree(fp)
    out = {}
    for zid, z in zip(zones["id"], zones.geometry.values, strict=True):
        idx = tree.query(z, predicate="intersects")
        out[str(zid)] = float(shapely.area(shapely.intersection(
            shapely.union_all(fp[idx]), z))) if len(idx) else 0.0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=list(SCALES), default="county")
    args = ap.parse_args()
    import _pg
    from citymap.metrics.service import park_service_coverage
    from citymap.store import open_store
    from citymap.store.sql_metrics import service_coverage, zone_coverage
    from citymap.workspace import load_workspace

    parcels, parks, footprints, zones = SCALES[args.scale]
    print(f"scale {args.scale}: {parcels} parcels, {parks} parks, {footprints} footprints, "
          f"{zones} zones")
    times: dict[str, float] = {}
    server = _pg._start_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = make_workspace(Path(tmp) / "ws", args.scale)
            store = open_store(server.new_database())
            store.init()
            ws = timed("load folder (python)", lambda: load_workspace(root), times)
            timed("push (validate + copy)", lambda: store.push(root), times)
            timed("pull + load", lambda: store.load(), times)
            py = timed("service coverage python",
                       lambda: park_service_coverage(ws.layer("residential"),
                                                     ws.layer("parks")), times)
            (sq,) = timed("service coverage sql", lambda: service_coverage(store), times)
            pz = timed("zone coverage python", lambda: python_zone_coverage(ws), times)
            sz = timed("zone coverage sql", lambda: zone_coverage(
                store, exclude=()), times)
    finally:
        server.stop()
    rel = abs(sq.covered_m2 - py.covered_m2) / max(py.covered_m2, 1.0)
    zrel = max((abs(r.covered_m2 - pz[r.zone]) / max(pz[r.zone], 1.0) for r in sz),
               default=0.0)
    print(f"service coverage: python {py.value:.6f} %, sql {sq.value:.6f} % (rel diff "
          f"{rel:.1e}); zones: max rel diff {zrel:.1e}")
    print("ratios (store / python):")
    print(f"  push / load folder          {times['push (validate + copy)'] / times['load folder (python)']:.2f}")  # noqa: E501
    print(f"  pull+load / load folder     {times['pull + load'] / times['load folder (python)']:.2f}")  # noqa: E501
    print(f"  service coverage sql / py   {times['service coverage sql'] / times['service coverage python']:.2f}")  # noqa: E501
    print(f"  zone coverage sql / py      {times['zone coverage sql'] / times['zone coverage python']:.2f}")  # noqa: E501
    if rel > 1e-6 or zrel > 1e-6:
        sys.exit("the SQL and Python numbers differ")


if __name__ == "__main__":
    main()
