import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from _ws_metrics import X0, Y0, rect
from citymap.metrics.service import (
    DEFAULT_RULES,
    POCKET_PARK_RULE,
    covered_area,
    park_service_coverage,
    service_area,
    service_coverage_layer,
    split_by_service,
    subdivide,
)


def _g(*geoms, crs="EPSG:4548"):
    return gpd.GeoDataFrame({"id": [f"g{i}" for i in range(len(geoms))]},
                            geometry=list(geoms), crs=crs)


def _overlay_share(res, parks, rules=DEFAULT_RULES):
    area = parks.area.to_numpy()
    radius = np.full(len(parks), np.nan)
    for r in rules:
        hit = np.isnan(radius) & (area >= r.min_area_m2) & (area < r.max_area_m2)
        radius[hit] = r.radius_m
    ok = ~np.isnan(radius)
    u = parks[ok].buffer(radius[ok]).union_all()
    o = gpd.overlay(res, gpd.GeoDataFrame(geometry=[u], crs=res.crs), how="intersection")
    return o.area.sum() / res.area.sum() * 100


@pytest.mark.parametrize(("park_side", "radius"), [(60, 300), (80, 500), (40, None)])
def test_rules_by_park_size(park_side, radius):
    # park of 3 600 m² → 300 m; 6 400 m² → 500 m; 1 600 m² → none
    park = rect(0, 0, park_side, park_side)
    res = _g(rect(park_side + 200, 0, 10, 10), rect(park_side + 400, 0, 10, 10),
             rect(park_side + 1000, 0, 10, 10))
    cov = park_service_coverage(res, _g(park))
    inside = 0 if radius is None else (1 if radius == 300 else 2)
    assert cov.value == pytest.approx(100 * inside / 3)
    assert cov.parks_used == (0 if radius is None else 1)


def test_pocket_park_rule():
    park = _g(rect(0, 0, 40, 40))  # 1 600 m²
    res = _g(rect(100, 0, 10, 10))
    assert park_service_coverage(res, park).value == 0
    assert park_service_coverage(res, park, rules=(POCKET_PARK_RULE, *DEFAULT_RULES)).value \
        == pytest.approx(100)


def test_partial_parcel_matches_overlay():
    parks = _g(rect(0, 0, 100, 100), rect(400, 0, 50, 50))
    res = _g(rect(500, -50, 600, 200), rect(-700, -700, 300, 300), rect(0, 0, 50, 50),
             rect(2000, 2000, 50, 50))
    cov = park_service_coverage(res, parks)
    assert cov.value == pytest.approx(_overlay_share(res, parks), rel=1e-9)
    assert 0 < cov.per_parcel_m2[0] < 600 * 200
    assert cov.per_parcel_m2[2] == pytest.approx(2500)
    assert cov.per_parcel_m2[3] == 0


def test_random_against_overlay_lonlat_input():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(0, 5000, 3000), rng.uniform(0, 5000, 3000)
    x, y = x + X0, y + Y0
    res = _g(*shapely.box(x, y, x + 30, y + 30))
    px, py, s = rng.uniform(0, 5000, 40), rng.uniform(0, 5000, 40), rng.uniform(30, 120, 40)
    px, py = px + X0, py + Y0
    parks = _g(*shapely.box(px, py, px + s, py + s))
    want = _overlay_share(res, parks)
    got = park_service_coverage(res.to_crs("EPSG:4326"), parks.to_crs("EPSG:4326"))
    assert got.value == pytest.approx(want, rel=1e-6)  # lon/lat round trip
    exact = park_service_coverage(res, parks, workers=2)
    assert exact.value == pytest.approx(want, rel=1e-9)
    approx = park_service_coverage(res, parks, exact=False)
    assert approx.value == pytest.approx(want, abs=2.0)


def test_subdivide_partitions():
    geom = shapely.Point(0, 0).buffer(1000, quad_segs=64)
    pieces = subdivide(geom, max_vertices=20)
    assert len(pieces) > 4
    assert shapely.get_num_coordinates(pieces).max() <= 20
    assert shapely.area(pieces).sum() == pytest.approx(geom.area, rel=1e-12)


def test_empty_inputs():
    assert park_service_coverage(_g(), _g(rect(0, 0, 100, 100))).value is None
    assert park_service_coverage(_g(rect(0, 0, 1, 1)), _g()).value == 0
    assert covered_area(np.array([rect(0, 0, 1, 1)]), shapely.Polygon()).tolist() == [0.0]
    assert math.isnan(float("nan"))
    assert shapely.is_empty(service_area(np.array([rect(0, 0, 1, 1)])))


def test_layer_covered_and_uncovered():
    parks = _g(rect(0, 0, 100, 100))
    res = _g(rect(500, 0, 200, 100))  # 500 m radius: cut at x = 600 (+ rounding of arcs)
    layer = service_coverage_layer(res, parks)
    assert layer.crs.to_epsg() == 4326
    assert sorted(layer["covered"]) == [False, True]
    assert layer["area_m2"].sum() == pytest.approx(20_000, rel=1e-9)


def test_split_by_service_equals_the_direct_cut():
    """Piecewise split == intersection/difference with the whole service area, parcel by
    parcel (inside, on the edge, outside), on a service area of many pieces."""
    rng = np.random.default_rng(7)
    parks = np.asarray([rect(x, y, 80, 80) for x, y in rng.uniform(0, 4000, (60, 2))],
                       dtype=object)
    service = service_area(parks)
    parcels = np.asarray([rect(x, y, 90, 60) for x, y in rng.uniform(-500, 4500, (400, 2))],
                         dtype=object)
    inside, outside = split_by_service(parcels, service, max_vertices=32)
    assert len(subdivide(service, max_vertices=32)) > 20
    want_in = shapely.area(shapely.intersection(parcels, service))
    want_out = shapely.area(shapely.difference(parcels, service))
    got_in = np.asarray([0.0 if g is None else shapely.area(g) for g in inside])
    got_out = np.asarray([0.0 if g is None else shapely.area(g) for g in outside])
    assert got_in == pytest.approx(want_in, abs=1e-6)
    assert got_out == pytest.approx(want_out, abs=1e-6)
    kinds = {(a > 0, b > 0) for a, b in zip(want_in, want_out, strict=True)}
    assert kinds == {(True, False), (True, True), (False, True)}  # all three cases seen
    none_in, all_out = split_by_service(parcels, shapely.Polygon())
    assert all(g is None for g in none_in) and list(all_out) == list(parcels)
