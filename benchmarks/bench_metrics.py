"""Benchmark: park service-radius coverage and pilot-zone coverage at province scale.

    python benchmarks/bench_metrics.py [--scale small|province]

Generates synthetic data in EPSG:4548 (136 towns, each with residential parcels, parks,
sites and one pilot zone), then runs every method in its own child process on the same
data and reports wall time of the computation and the child's peak memory (maxrss):

- ``citymap``  — citymap.metrics.service.park_service_coverage (area-exact, on every core
  the process may use, as ``citymap metrics`` and ``build`` run it);
- ``citymap-1core`` — the same on one thread;
- ``overlay``  — the plain geopandas way: buffer → union_all → explode →
  geopandas.overlay(residential, service, how="intersection");
- ``gpd-contains`` — the strongest geopandas way: the same service pieces, the parcels
  wholly inside counted whole with ``residential.sindex.query(pieces,
  predicate="contains_properly")``, only the rest overlaid (one core);
- ``duckdb``   — DuckDB spatial SQL (the ``duckdb-extension-spatial`` wheel, loaded offline
  by path): ``ST_Union_Agg`` of the buffers, ``ST_Dump``, a spatial join with
  ``ST_ContainsProperly`` → whole area else ``ST_Intersection`` (DuckDB's own threads);
- ``sedonadb`` — the same SQL on SedonaDB 0.5 (DataFusion's threads, its spatial join on
  ``ST_Intersects``); it lacks ``ST_ContainsProperly`` and ``ST_Subdivide``, so "wholly
  inside" is ``ST_Relate(piece, parcel, 'T**FF*FF*')`` and the union is GEOS's
  ``ST_UnaryUnion(ST_Collect_Agg(...))`` (its own ``ST_Union_Agg`` is ~1e-8 off; see
  ``_sedonadb``); the run prints these gaps beside its figures;
- ``postgis``  — the SQL of citymap.store.sql_metrics.service_coverage (buffers,
  ``ST_Union``, ``ST_Subdivide`` to 256 vertices, GiST join, ``ST_ContainsProperly`` → whole
  area else ``ST_Intersection``) on a throw-away PostGIS cluster (tests/_pg.py); timed from
  loaded tables, one server core; its memory is the server's, not shown;
- ``load``     — loading the data only (the memory floor of every child);
- ``zones``    — citymap.metrics.zones.zone_coverage for the 136 pilot zones.

Every area-exact answer must agree with the overlay answer and with citymap's within 1e-9
(relative). Each child
reports wall and CPU seconds (its own process: for ``postgis`` the server's CPU is not in it).
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
    "tiny": {"parcels": 5_000, "parks": 136, "sites": 680, "zones": 136},
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
    c0 = time.process_time()
    if method in ("citymap", "citymap-1core"):
        from citymap.metrics.service import park_service_coverage

        res = gpd.GeoDataFrame(geometry=data["parcels"], crs=crs)
        parks = gpd.GeoDataFrame(geometry=data["parks"], crs=crs)
        t0 = time.perf_counter()
        c0 = time.process_time()
        # workers=None: the default of citymap metrics / build (every core, at most 4)
        value = park_service_coverage(res, parks,
                                      workers=None if method == "citymap" else 1).value
    elif method in ("overlay", "gpd-contains"):
        res = gpd.GeoDataFrame(geometry=data["parcels"], crs=crs)
        parks = gpd.GeoDataFrame(geometry=data["parks"], crs=crs)
        t0 = time.perf_counter()
        c0 = time.process_time()
        area = parks.area.to_numpy()
        radius = np.where(area >= 5000, 500.0, np.where(area >= 2000, 300.0, np.nan))
        ok = ~np.isnan(radius)
        service = parks[ok].buffer(radius[ok]).union_all()
        service = gpd.GeoDataFrame(geometry=[service], crs=crs).explode(ignore_index=True)
        if method == "overlay":
            inter = gpd.overlay(res, service, how="intersection")
            covered = float(inter.area.sum())
        else:
            _, inside = res.sindex.query(service.geometry, predicate="contains_properly")
            whole = np.zeros(len(res), dtype=bool)
            whole[inside] = True
            inter = gpd.overlay(res[~whole], service, how="intersection")
            covered = float(res[whole].area.sum()) + float(inter.area.sum())
        value = 100 * covered / float(res.area.sum())
    elif method == "duckdb":
        t0, c0, value = _duckdb(data)
    elif method == "sedonadb":
        t0, c0, value = _sedonadb(data)
    elif method == "postgis":
        t0, c0, value = _postgis(data)
    elif method == "zones":
        from citymap.metrics.zones import zone_coverage

        sites = gpd.GeoDataFrame({"id": np.arange(len(data["sites"])).astype(str),
                                  "layer": "sites", "status": data["status"], "theme": "城市更新"},
                                 geometry=data["sites"], crs=crs)
        zones = gpd.GeoDataFrame({"id": np.arange(len(data["zones"])).astype(str),
                                  "name": "", "year": 2021}, geometry=data["zones"], crs=crs)
        t0 = time.perf_counter()
        c0 = time.process_time()
        out = zone_coverage(zones, sites, crs=crs)
        value = float(np.mean([z.covered_share for z in out]))
    elif method != "load":
        raise SystemExit(f"unknown method {method!r}")
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB on Linux
    return {"method": method, "seconds": seconds, "cpu": cpu, "value": value,
            "maxrss_mib": rss}


def _spatial_extension() -> Path:
    """The DuckDB spatial extension shipped by the ``duckdb-extension-spatial`` wheel."""
    import duckdb
    import duckdb_extension_spatial

    folder = Path(duckdb_extension_spatial.__file__).parent / "extensions"
    found = sorted(folder.glob(f"v{duckdb.__version__}/spatial.duckdb_extension"))
    if not found:
        raise SystemExit(f"no spatial extension for duckdb {duckdb.__version__} in {folder}")
    return found[0]


def _duckdb(data: dict[str, object]) -> tuple[float, float, float]:
    import duckdb
    import pandas as pd
    import shapely

    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{_spatial_extension()}'")
    for name, key in (("res", "parcels"), ("parks", "parks")):
        con.register(f"{name}_wkb", pd.DataFrame({"wkb": shapely.to_wkb(data[key])}))
        con.execute(f"CREATE TABLE {name} AS SELECT ST_GeomFromWKB(wkb) AS g FROM {name}_wkb")
    t0 = time.perf_counter()
    c0 = time.process_time()
    con.execute("""
        CREATE TABLE svc AS
        WITH r AS (SELECT g, CASE WHEN ST_Area(g) >= 5000 THEN 500.0
                                  WHEN ST_Area(g) >= 2000 THEN 300.0 END AS radius
                   FROM parks)
        SELECT UNNEST(ST_Dump(ST_Union_Agg(ST_Buffer(g, radius, 16))), recursive := true)
        FROM r WHERE radius IS NOT NULL""")
    (covered, total) = con.execute("""
        SELECT (SELECT sum(CASE WHEN ST_ContainsProperly(s.geom, r.g) THEN ST_Area(r.g)
                                ELSE ST_Area(ST_Intersection(r.g, s.geom)) END)
                FROM res r JOIN svc s ON ST_Intersects(r.g, s.geom)),
               (SELECT sum(ST_Area(g)) FROM res)""").fetchone()
    return t0, c0, 100 * float(covered) / float(total)


SEDONADB_GAPS = ("SedonaDB 0.5 has no ST_ContainsProperly (asked as ST_Relate 'T**FF*FF*', "
                 "unprepared) and no ST_Subdivide (pieces = the dumped union); its ST_Union_Agg "
                 "is off by ~1e-8, so the union is ST_UnaryUnion(ST_Collect_Agg(...)) (GEOS)")


def _sedonadb(data: dict[str, object]) -> tuple[float, float, float]:
    """The DuckDB/PostGIS SQL on SedonaDB (Apache Sedona's single-node engine on DataFusion).

    SedonaDB 0.5 has neither ``ST_ContainsProperly`` nor ``ST_Subdivide`` (see SEDONADB_GAPS):
    "wholly inside" is asked as the DE-9IM pattern ``ST_Relate(piece, parcel, 'T**FF*FF*')``
    (the definition of ContainsProperly, without a prepared-geometry fast path) and the pieces
    are the dumped union, as in the DuckDB runner. The union is GEOS's
    ``ST_UnaryUnion(ST_Collect_Agg(...))``: SedonaDB's ``ST_Union_Agg`` is not GEOS and its
    union of the buffers differs by ~1e-8 (relative area), which puts the coverage ~7e-8 off
    the overlay answer — outside the 1e-9 every other way meets.

    Data goes in as CSV of hex WKB and the answer comes out as CSV (exact: WKB, and doubles
    written round-trip), not through pandas/Arrow: SedonaDB's Python hand-over needs
    ``pyarrow``, and with ``pyarrow`` installed pandas 3 keeps its strings in Arrow (not the
    string type the tests run with) and the CLI did not fit the 1.5 GB address-space cap
    tests/test_hostile_files.py had then (MemoryError).
    """
    import sedonadb
    import shapely

    sd = sedonadb.connect()
    with tempfile.TemporaryDirectory() as tmp:
        for name, key in (("res", "parcels"), ("parks", "parks")):
            path = Path(tmp) / f"{name}.csv"
            path.write_text("wkb\n" + "\n".join(shapely.to_wkb(data[key], hex=True)) + "\n")
            sd.sql(f"CREATE EXTERNAL TABLE {name}_wkb (wkb VARCHAR NOT NULL) STORED AS CSV "
                   f"LOCATION '{path}' OPTIONS ('format.has_header' 'true')").execute()
            sd.sql(f"SELECT ST_GeomFromWKB(decode(wkb, 'hex')) AS g FROM {name}_wkb"
                   ).to_memtable().to_view(name)
        t0 = time.perf_counter()
        c0 = time.process_time()
        sd.sql("""
            SELECT d.geom AS g FROM (
                SELECT unnest(ST_Dump(ST_UnaryUnion(ST_Collect_Agg(
                           ST_Buffer(g, radius, 'quad_segs=16'))))) AS d
                FROM (SELECT g, CASE WHEN ST_Area(g) >= 5000 THEN 500.0
                                     WHEN ST_Area(g) >= 2000 THEN 300.0 END AS radius
                      FROM parks) r
                WHERE radius IS NOT NULL)""").to_memtable().to_view("svc")
        sd.sql("""
            SELECT (SELECT sum(CASE WHEN ST_Relate(s.g, r.g, 'T**FF*FF*') THEN ST_Area(r.g)
                                    ELSE ST_Area(ST_Intersection(r.g, s.g)) END)
                    FROM res r JOIN svc s ON ST_Intersects(r.g, s.g)) AS covered,
                   (SELECT sum(ST_Area(g)) FROM res) AS total""").to_csv(Path(tmp) / "out")
        out = next((Path(tmp) / "out").glob("*.csv")).read_text().split()
    assert out[0] == "covered,total", out
    covered, total = map(float, out[1].split(","))
    return t0, c0, 100 * covered / total


def _postgis(data: dict[str, object]) -> tuple[float, float, float]:
    import shapely

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import psycopg

    import _pg

    server = _pg.start_server()
    try:
        with psycopg.connect(server.new_database(), autocommit=True) as con:
            for name in ("res", "parks"):
                con.execute(f"CREATE TABLE {name} (g geometry(Polygon, 4548))")
                with con.cursor().copy(f"COPY {name} (g) FROM STDIN") as cp:
                    for h in shapely.to_wkb(shapely.set_srid(data[
                            "parcels" if name == "res" else "parks"], 4548), hex=True,
                            include_srid=True):
                        cp.write_row((h,))
            con.execute("VACUUM ANALYZE")
            t0 = time.perf_counter()
            c0 = time.process_time()
            con.execute("""
                CREATE TEMP TABLE pieces AS
                SELECT ST_Subdivide(u.g, 256) AS g FROM (
                    SELECT ST_Union(ST_Buffer(g, CASE WHEN ST_Area(g) >= 5000 THEN 500.0
                                                      ELSE 300.0 END, 'quad_segs=16')) AS g
                    FROM parks WHERE ST_Area(g) >= 2000) u""")
            con.execute("CREATE INDEX ON pieces USING gist (g)")
            con.execute("CREATE INDEX ON res USING gist (g)")
            covered, total = con.execute("""
                SELECT (SELECT sum(c.a) FROM pieces p CROSS JOIN LATERAL (
                            SELECT CASE WHEN ST_ContainsProperly(p.g, r.g) THEN ST_Area(r.g)
                                        ELSE ST_Area(ST_Intersection(r.g, p.g)) END AS a
                            FROM res r WHERE ST_Intersects(p.g, r.g)) c),
                       (SELECT sum(ST_Area(g)) FROM res)""").fetchone()
    finally:
        server.stop()
    return t0, c0, 100 * float(covered) / float(total)


def run_child(method: str, path: Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--child", method, "--data", str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


METHODS = ("load", "citymap", "citymap-1core", "overlay", "gpd-contains", "duckdb", "sedonadb",
           "postgis", "zones")
COVERAGE = ("citymap", "citymap-1core", "overlay", "gpd-contains", "duckdb", "sedonadb",
            "postgis")


def _strongest(rows: dict[str, dict[str, object]]) -> None:
    """Print citymap beside the strongest baseline: the least CPU, and the least wall time."""
    c = rows["citymap"]
    others = [m for m in COVERAGE if m in rows and not m.startswith("citymap")]
    by_cpu = min((m for m in others if m != "postgis"), key=lambda m: float(rows[m]["cpu"]))
    by_wall = min(others, key=lambda m: float(rows[m]["seconds"]))
    print(f"strongest baseline by CPU: {by_cpu} — citymap takes "
          f"{float(c['cpu']) / float(rows[by_cpu]['cpu']):.2f} of its CPU; by wall time: "
          f"{by_wall} — citymap takes "
          f"{float(c['seconds']) / float(rows[by_wall]['seconds']):.2f} of its wall time")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=list(SCALES), default="small")
    ap.add_argument("--methods", default=",".join(METHODS),
                    help=f"comma-separated, of {', '.join(METHODS)}")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.data)))
        return
    cfg = SCALES[args.scale]
    print(f"scale {args.scale}: {cfg} on {os.cpu_count()} CPUs", flush=True)
    rows: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        path = generate(args.scale, Path(tmp))
        print(f"generated in {time.perf_counter() - t:.1f} s", flush=True)
        for m in args.methods.split(","):
            try:
                rows[m] = run_child(m, path)
            except subprocess.CalledProcessError as exc:
                print(f"  {m:14s} failed: {exc.stderr.strip().splitlines()[-1:]}", flush=True)
                continue
            r = rows[m]
            print(f"  {m:14s} {r['seconds']:8.2f} s  cpu {r['cpu']:8.2f} s  "
                  f"peak {r['maxrss_mib']:8.0f} MiB  value {r['value']}", flush=True)
    if "citymap" not in rows or "overlay" not in rows:
        return
    c, o = rows["citymap"], rows["overlay"]
    print("coverage, each beside citymap (citymap's time / theirs; CPU likewise):")
    for m in COVERAGE:
        if m in rows and m != "citymap":
            r = rows[m]
            rel = abs(float(r["value"]) - float(o["value"])) / abs(float(o["value"]))
            rel_c = abs(float(r["value"]) - float(c["value"])) / abs(float(c["value"]))
            print(f"  {m:14s} citymap takes {c['seconds'] / r['seconds']:.2f} of its wall time, "
                  f"{c['cpu'] / r['cpu']:.2f} of its CPU" if m != "postgis" else
                  f"  {m:14s} citymap takes {c['seconds'] / r['seconds']:.2f} of its wall time "
                  "(server CPU not measured)", end="")
            print(f"; coverage {float(r['value']):.9f} % (rel. diff to overlay {rel:.1e}, "
                  f"to citymap {rel_c:.1e} {'OK' if max(rel, rel_c) <= 1e-9 else 'FAIL'})")
    if "sedonadb" in rows:
        print(f"  note: {SEDONADB_GAPS}")
    _strongest(rows)
    floor = rows["load"]["maxrss_mib"] if "load" in rows else 0
    print(f"peak memory above loading: citymap {c['maxrss_mib'] - floor:.0f} MiB, "
          f"overlay {o['maxrss_mib'] - floor:.0f} MiB")
    if "zones" in rows:
        print(f"136 zone coverages: {rows['zones']['seconds']:.2f} s")


if __name__ == "__main__":
    main()
