"""Benchmark: park service-radius coverage and pilot-zone coverage at province scale.

    python benchmarks/bench_metrics.py [--scale small|province]

Generates synthetic data in EPSG:4548 (136 towns, each with residential parcels, parks,
sites and one pilot zone), then runs every method in its own child process on the same
data and reports wall time of the computation and the child's peak memory (maxrss):

- ``citymap``  — citymap.metrics.service.park_service_coverage (area-exact, 2 threads);
- ``overlay``  — what a user writes with geopandas: buffer → union_all → explode →
  geopandas.overlay(residential, service, how="intersection");
- ``load``     — loading the data only (the memory floor of every child);
- ``zones``    — citymap.metrics.zones.zone_coverage for the 136 pilot zones.

The area-exact citymap answer must agree with the overlay answer within 1e-9 (relative).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SCALES = {
    "small": {"parcels": 50_000, "parks": 1_000, "sites": 5_000, "zones": 136},
    "province": {"parcels": 1_000_000, "parks": 10_000, "sites": 100_000, "zones": 136},
}
X0, Y0 = 300_000.0, 3_900_000.0


def generate(scale: str, folder: Path, seed: int = 42) -> Path:
    """Write the synthetic data to ``folder/data.npz``."""
    cfg = SCALES[scale]
    rng = np.random.default_rng(seed)
    towns = cfg["zones"]
    cols = 17
    cx = X0 + (np.arange(towns) % cols) * 25_000.0
    cy = Y0 + (np.arange(towns) // cols) * 25_000.0
    per = cfg["parcels"] // towns
    side = int(np.ceil(np.sqrt(per)))
    spacing = 80.0
    half = side * spacing / 2
    gx, gy = np.meshgrid(np.arange(side), np.arange(side))
    gx, gy = gx.ravel()[:per] * spacing, gy.ravel()[:per] * spacing
    px, py, pw, ph = [], [], [], []
    for t in range(towns):
        jx, jy = rng.uniform(0, 15, per), rng.uniform(0, 15, per)
        px.append(cx[t] - half + gx + jx)
        py.append(cy[t] - half + gy + jy)
        pw.append(rng.uniform(35, 62, per))
        ph.append(rng.uniform(35, 62, per))
    parcels = np.column_stack([np.concatenate(px), np.concatenate(py)])
    parcels = np.column_stack([parcels, parcels + np.column_stack(
        [np.concatenate(pw), np.concatenate(ph)])])
    k = cfg["parks"] // towns
    town = np.repeat(np.arange(towns), k)
    side_m = np.sqrt(rng.lognormal(np.log(2500), 1.0, len(town))).clip(15, 250)
    qx = cx[town] + rng.uniform(-half, half, len(town))
    qy = cy[town] + rng.uniform(-half, half, len(town))
    parks = np.column_stack([qx, qy, qx + side_m, qy + side_m * rng.uniform(0.6, 1.4, len(town))])
    s = cfg["sites"] // towns
    town = np.repeat(np.arange(towns), s)
    sx = cx[town] + rng.uniform(-half, half, len(town))
    sy = cy[town] + rng.uniform(-half, half, len(town))
    kind = rng.choice(3, len(town), p=[0.6, 0.3, 0.1])  # polygon, line, point
    sw, sh = rng.uniform(30, 250, len(town)), rng.uniform(30, 250, len(town))
    status = rng.choice(4, len(town), p=[0.5, 0.3, 0.1, 0.1])
    zones = np.column_stack([cx - 800, cy - 800, cx + 800, cy + 800])  # 2.56 km²
    path = folder / "data.npz"
    np.savez(path, parcels=parcels, parks=parks, sx=sx, sy=sy, sw=sw, sh=sh, kind=kind,
             status=status, zones=zones)
    return path


def _load(path: Path) -> dict[str, object]:
    import shapely

    d = np.load(path)
    out: dict[str, object] = {
        "parcels": shapely.box(*d["parcels"].T), "parks": shapely.box(*d["parks"].T)}
    sx, sy, sw, sh, kind = d["sx"], d["sy"], d["sw"], d["sh"], d["kind"]
    geoms = np.empty(len(sx), dtype=object)
    m = kind == 0
    geoms[m] = shapely.box(sx[m], sy[m], sx[m] + sw[m], sy[m] + sh[m])
    m = kind == 1
    geoms[m] = shapely.linestrings(np.stack([np.column_stack([sx[m], sy[m]]),
                                             np.column_stack([sx[m] + sw[m] * 4,
                                                              sy[m] + sh[m]])], axis=1))
    m = kind == 2
    geoms[m] = shapely.points(sx[m], sy[m])
    out["sites"] = geoms
    out["status"] = np.array(["已完成", "进行中", "滞后", "未开始"], dtype=object)[d["status"]]
    out["zones"] = shapely.box(*d["zones"].T)
    return out


def child(method: str, path: Path) -> dict[str, object]:
    """Run one method; return seconds, the value and the peak memory (MiB)."""
    import geopandas as gpd

    data = _load(path)
    crs = "EPSG:4548"
    value: float | None = None
    t0 = time.perf_counter()
    if method == "citymap":
        from citymap.metrics.service import park_service_coverage

        res = gpd.GeoDataFrame(geometry=data["parcels"], crs=crs)
        parks = gpd.GeoDataFrame(geometry=data["parks"], crs=crs)
        t0 = time.perf_counter()
        value = park_service_coverage(res, parks, workers=2).value
    elif method == "citymap-1core":
        from citymap.metrics.service import park_service_coverage

        res = gpd.GeoDataFrame(geometry=data["parcels"], crs=crs)
        parks = gpd.GeoDataFrame(geometry=data["parks"], crs=crs)
        t0 = time.perf_counter()
        value = park_service_coverage(res, parks, workers=1).value
    elif method == "overlay":
        res = gpd.GeoDataFrame(geometry=data["parcels"], crs=crs)
        parks = gpd.GeoDataFrame(geometry=data["parks"], crs=crs)
        t0 = time.perf_counter()
        area = parks.area.to_numpy()
        radius = np.where(area >= 5000, 500.0, np.where(area >= 2000, 300.0, np.nan))
        ok = ~np.isnan(radius)
        service = parks[ok].buffer(radius[ok]).union_all()
        service = gpd.GeoDataFrame(geometry=[service], crs=crs).explode(ignore_index=True)
        inter = gpd.overlay(res, service, how="intersection")
        value = 100 * float(inter.area.sum()) / float(res.area.sum())
    elif method == "zones":
        from citymap.metrics.zones import zone_coverage

        sites = gpd.GeoDataFrame({"id": np.arange(len(data["sites"])).astype(str),
                                  "layer": "sites", "status": data["status"], "theme": "城市更新"},
                                 geometry=data["sites"], crs=crs)
        zones = gpd.GeoDataFrame({"id": np.arange(len(data["zones"])).astype(str),
                                  "name": "", "year": 2021}, geometry=data["zones"], crs=crs)
        t0 = time.perf_counter()
        out = zone_coverage(zones, sites, crs=crs)
        value = float(np.mean([z.covered_share for z in out]))
    elif method != "load":
        raise SystemExit(f"unknown method {method!r}")
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB on Linux
    return {"method": method, "seconds": seconds, "value": value, "maxrss_mib": rss}


def run_child(method: str, path: Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--child", method, "--data", str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=list(SCALES), default="small")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.data)))
        return
    cfg = SCALES[args.scale]
    print(f"scale {args.scale}: {cfg} on {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path = generate(args.scale, Path(tmp))
        print(f"generated in {time.perf_counter() - t:.1f} s", flush=True)
        rows = {}
        for m in ("load", "citymap", "citymap-1core", "overlay", "zones"):
            rows[m] = run_child(m, path)
            r = rows[m]
            print(f"  {m:14s} {r['seconds']:8.2f} s  peak {r['maxrss_mib']:8.0f} MiB  "
                  f"value {r['value']}", flush=True)
    c, o = rows["citymap"], rows["overlay"]
    rel = abs(c["value"] - o["value"]) / abs(o["value"])
    print(f"speed-up citymap vs overlay: {o['seconds'] / c['seconds']:.2f}x "
          f"(1 core: {o['seconds'] / rows['citymap-1core']['seconds']:.2f}x)")
    floor = rows["load"]["maxrss_mib"]
    print(f"peak memory above loading: citymap {c['maxrss_mib'] - floor:.0f} MiB, "
          f"overlay {o['maxrss_mib'] - floor:.0f} MiB")
    print(f"coverage citymap {c['value']:.9f} % vs overlay {o['value']:.9f} %: "
          f"relative difference {rel:.2e} ({'OK' if rel <= 1e-9 else 'FAIL'} at 1e-9)")
    print(f"136 zone coverages: {rows['zones']['seconds']:.2f} s")


if __name__ == "__main__":
    main()
