"""The same areas, lengths and shares computed by GDAL's SQLite/SpatiaLite SQL on a GeoPackage."""

import shutil
import subprocess

import geopandas as gpd
import numpy as np
import pytest
import shapely

from _ws_metrics import X0, Y0, line
from citymap.metrics.density import road_density
from citymap.metrics.zones import zone_coverage

pytestmark = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="needs GDAL ogrinfo")


def _sql(path, sql):
    out = subprocess.run(["ogrinfo", "-ro", "-q", "-dialect", "SQLite", "-sql", sql, str(path)],
                         capture_output=True, text=True, check=True).stdout
    vals = [ln.split("=", 1)[1].strip() for ln in out.splitlines() if "(Real)" in ln
            or "(Integer" in ln]
    return float(vals[0])


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory):
    rng = np.random.default_rng(7)
    n = 60
    x, y = rng.uniform(-300, 2300, n), rng.uniform(-300, 1600, n)
    w, h = rng.uniform(20, 300, n), rng.uniform(20, 300, n)
    sites = gpd.GeoDataFrame({"id": [f"S{i}" for i in range(n)], "layer": "old_communities",
                              "status": rng.choice(["已完成", "进行中"], n), "theme": "城市更新"},
                             geometry=list(shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)),
                             crs="EPSG:4548")
    zones = gpd.GeoDataFrame({"id": ["Z1"], "name": ["z"], "year": [2021]},
                             geometry=[shapely.Polygon([(X0, Y0), (X0 + 2000, Y0 + 100),
                                                        (X0 + 1900, Y0 + 1300),
                                                        (X0 + 100, Y0 + 1200)])],
                             crs="EPSG:4548")
    ys = rng.uniform(-200, 1500, 25)
    roads = gpd.GeoDataFrame({"id": [f"R{i}" for i in range(25)]},
                             geometry=[line((-500, v), (2500, v + 50)) for v in ys]
                             + [], crs="EPSG:4548")
    path = tmp_path_factory.mktemp("gpkg") / "x.gpkg"
    sites.to_file(path, layer="sites", driver="GPKG")
    zones.to_file(path, layer="zones", driver="GPKG")
    roads.to_file(path, layer="roads", driver="GPKG")
    return path, sites, zones, roads


def test_zone_area_and_coverage(gpkg):
    path, sites, zones, _ = gpkg
    (z,) = zone_coverage(zones.to_crs("EPSG:4326"), sites.to_crs("EPSG:4326"))
    area = _sql(path, "SELECT ST_Area(geom) AS a FROM zones")
    assert z.area_km2 * 1e6 == pytest.approx(area, rel=1e-3)
    covered = _sql(path, "SELECT ST_Area(ST_Intersection(z.geom, (SELECT ST_Union(geom) "
                         "FROM sites))) AS a FROM zones z")
    assert z.covered_km2 * 1e6 == pytest.approx(covered, rel=1e-3)
    assert z.covered_share == pytest.approx(100 * covered / area, rel=1e-3)
    done = _sql(path, "SELECT ST_Area(ST_Intersection(z.geom, (SELECT ST_Union(geom) FROM "
                      "sites WHERE status = '已完成'))) AS a FROM zones z")
    assert z.by_status["已完成"]["km2"] * 1e6 == pytest.approx(done, rel=1e-3)


def test_road_length_and_density(gpkg):
    path, _, zones, roads = gpkg
    km, km2, d = road_density(roads.to_crs("EPSG:4326"), zones.to_crs("EPSG:4326"))
    length = _sql(path, "SELECT ST_Length(ST_Intersection(z.geom, (SELECT ST_Union(geom) "
                        "FROM roads))) AS l FROM zones z")
    area = _sql(path, "SELECT ST_Area(geom) AS a FROM zones")
    assert km * 1000 == pytest.approx(length, rel=1e-3)
    assert d == pytest.approx((length / 1000) / (area / 1e6), rel=1e-3)
    total = _sql(path, "SELECT SUM(ST_Length(geom)) AS l FROM roads")
    assert float(roads.length.sum()) == pytest.approx(total, rel=1e-9)
