"""Road density: the rule for roads on a zone's boundary (issue 10).

A road within 5 cm of the boundary lies on it and counts half (docs/metrics.md). Checked on
hand-made shapes against known answers and against an independent computation that walks
every road in 1 cm steps and weighs each step by where its midpoint lies (no buffers, no
intersections).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from _ws_metrics import X0, Y0, line, rect
from citymap.metrics.density import BOUNDARY_TOL_M, length_in_area, road_density
from citymap.metrics.zones import zone_coverage

SNAP = 0.004  # 4 mm: where a road snapped to the 1 cm grid lies beside an unsnapped edge


def _roads(*geoms):
    return gpd.GeoDataFrame({"id": [f"R{i}" for i in range(len(geoms))]}, geometry=list(geoms),
                            crs="EPSG:4548")


def sampled_length(roads: list[shapely.Geometry], area: shapely.Geometry,
                   step: float = 0.01) -> float:
    """The rule computed independently: 1 cm steps weighted 1 (inside, farther than the
    tolerance from the boundary), ½ (within it) or 0; the roads must not overlap."""
    total = 0.0
    edge = shapely.boundary(area)
    for r in roads:
        n = int(np.ceil(r.length / step))
        d = np.linspace(0, r.length, n + 1)
        mid = shapely.line_interpolate_point(r, (d[:-1] + d[1:]) / 2)
        near = shapely.distance(edge, mid) <= BOUNDARY_TOL_M
        inside = shapely.contains_xy(area, shapely.get_x(mid), shapely.get_y(mid))
        w = np.where(near, 0.5, np.where(inside, 1.0, 0.0))
        total += float((w * np.diff(d)).sum())
    return total


# a 1 km² zone; roads on its edges a few millimetres in or out, crossing, inside, outside
ZONE = rect(0, 0, 1000, 1000)
ROADS = [
    line((-200, SNAP), (1200, SNAP)),            # bottom edge, 4 mm inside: half
    line((1000 - SNAP, 0), (1000 - SNAP, 1000)),  # right edge, 4 mm inside: half
    line((-SNAP, 0), (-SNAP, 1000)),              # left edge, 4 mm outside: half
    line((500, -500), (500, 1500)),              # crossing: its 1 000 m inside
    line((200, 100), (200, 900)),                # inside: 800 m
    line((0, 1500), (1000, 1500)),               # outside: 0
]


def test_hand_made_known_answer():
    km, km2, d = road_density(_roads(*ROADS), ZONE)
    assert km2 == pytest.approx(1.0, rel=1e-12)
    # 500 + 500 + 500 + 1000 + 800 m; the bottom road runs 5 cm past each corner (2 × 2.5 cm)
    assert km * 1000 == pytest.approx(3300.0, abs=0.06)
    assert d == pytest.approx(3.3, abs=1e-4)


def test_agrees_with_an_independent_computation():
    km, _, _ = road_density(_roads(*ROADS), ZONE)
    assert km * 1000 == pytest.approx(sampled_length(ROADS, ZONE), abs=0.02)


@pytest.mark.parametrize("offset", [-0.007, -0.003, 0.0, 0.002, 0.006])
def test_a_boundary_road_counts_half_whichever_side_it_falls(offset):
    zone = ZONE
    road = line((0, 1000 + offset), (1000, 1000 + offset))  # top edge, snapped some mm off
    km, _, _ = road_density(_roads(road), zone)
    assert km * 1000 == pytest.approx(500.0, abs=0.03)


def test_two_zones_sharing_a_boundary_road_share_it():
    a, b = rect(0, 0, 1000, 1000), rect(1000, 0, 1000, 1000)
    roads = [line((1000.003, -100), (1000.003, 1100)),  # on the shared edge, 3 mm in b
             line((-100, 400), (2100, 400)),            # across both
             line((300, 0.004), (1700, 0.004))]         # on both bottom edges
    ka, _, _ = road_density(_roads(*roads), a)
    kb, _, _ = road_density(_roads(*roads), b)
    both, _, _ = road_density(_roads(*roads), shapely.union_all([a, b]))
    assert ka == pytest.approx(kb, abs=1e-7)             # symmetric by construction
    # no double count, no loss: the two zones add up to their union (the shared road is
    # inside the union: 1 000 m; the bottom road is on the union's edge: half of 1 400 m)
    assert both * 1000 == pytest.approx(1000 + 2000 + 700, abs=0.06)
    # to the tolerance at the corners: a road through a zone's corner is within 5 cm of
    # both zones' boundaries over the 5 cm beyond it (here 3 such corners: 3 × 5 cm)
    assert (ka + kb - both) * 1000 == pytest.approx(0.15, abs=0.01)
    assert (ka + kb) * 1000 == pytest.approx(
        sampled_length(roads, a) + sampled_length(roads, b), abs=0.05)


def test_length_in_area_of_nothing():
    assert length_in_area(shapely.LineString(), ZONE) == 0.0


def test_zone_lines_follow_the_same_rule():
    zones = gpd.GeoDataFrame({"id": ["Z"], "name": ["z"], "year": [2021]}, geometry=[ZONE],
                             crs="EPSG:4548")
    sites = gpd.GeoDataFrame({"id": [f"G{i}" for i in range(len(ROADS))], "layer": "greenways",
                              "status": "已完成", "theme": ""}, geometry=ROADS, crs="EPSG:4548")
    (z,) = zone_coverage(zones, sites)
    assert z.lines["greenways"]["km"] * 1000 == pytest.approx(3300.0, abs=0.06)
    # the road 4 mm outside the left edge is found (it counts half)
    assert "G2" in z.site_ids and "G5" not in z.site_ids


def test_the_origin_is_inside_the_measuring_crs():
    assert 500_000 < X0 < 600_000 and 4_000_000 < Y0 < 4_300_000
