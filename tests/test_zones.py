import datetime as dt

import geopandas as gpd
import pytest

from _ws_metrics import X0, Y0, ctx, line, make_ws, point, rect, site
from citymap.metrics import compute_metrics
from citymap.metrics.zones import zone_coverage
from citymap.workspace import load_workspace


def _gdf(rows, crs="EPSG:4548"):
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)


def _zone(w, h, zid="Z1", year=2021):
    return _gdf([{"id": zid, "name": zid, "year": year, "geometry": rect(0, 0, w, h)}])


def _sites(rows):
    if not rows:
        return gpd.GeoDataFrame({"id": [], "layer": [], "status": [], "theme": []},
                                geometry=[], crs="EPSG:4548")
    return _gdf([{"id": i, "layer": lay, "status": st, "theme": th, "geometry": g}
                 for i, lay, st, th, g in rows])


def test_two_overlapping_parks_counted_once():
    zones = _zone(2000, 1000)
    sites = _sites([("P1", "pocket_parks", "已完成", "生态修复", rect(100, 100, 100, 100)),
                    ("P2", "pocket_parks", "进行中", "生态修复", rect(150, 100, 100, 100)),
                    ("C1", "old_communities", "未开始", "城市更新", rect(1950, 950, 100, 100))])
    (z,) = zone_coverage(zones, sites)
    assert z.area_km2 == pytest.approx(2.0)
    # P1 ∪ P2 = 15 000 m²; C1 is half outside: 2 500 m² inside
    assert z.covered_km2 * 1e6 == pytest.approx(17_500, rel=1e-9)
    assert z.by_status["已完成"]["km2"] * 1e6 == pytest.approx(10_000, rel=1e-9)
    assert z.by_status["进行中"]["km2"] * 1e6 == pytest.approx(5_000, rel=1e-9)
    assert z.by_status["未开始"]["km2"] * 1e6 == pytest.approx(2_500, rel=1e-9)
    assert sum(v["km2"] for v in z.by_status.values()) == pytest.approx(z.covered_km2)
    assert z.by_theme["生态修复"]["km2"] * 1e6 == pytest.approx(15_000, rel=1e-9)
    assert z.by_theme["城市更新"]["share"] == pytest.approx(100 * 2_500 / 2e6)
    assert z.by_theme["清洁取暖"]["km2"] == 0
    assert z.site_ids == ("C1", "P1", "P2")


@pytest.mark.parametrize(("x0", "x1", "inside_km"), [
    (-500, 1500, 1.5),   # crosses the west border
    (500, 1500, 1.0),    # wholly inside
    (-500, -100, 0.0),   # outside
])
def test_road_crossing_border(x0, x1, inside_km):
    zones = _zone(2000, 1000)
    sites = _sites([("R1", "dead_end_roads", "已完成", "", line((x0, 500), (x1, 500))),
                    ("B1", "water_bridges", "已完成", "", point(10, 10)),
                    ("B2", "water_bridges", "未开始", "", point(-10, 10))])
    (z,) = zone_coverage(zones, sites)
    assert z.lines.get("dead_end_roads", {"km": 0.0})["km"] == pytest.approx(inside_km, rel=1e-9)
    assert z.points["water_bridges"] == {"count": 1, "done": 1}


@pytest.mark.parametrize(("side", "below"), [(1410.6736, True), (1414.2136, False)])
def test_small_zone_flagged(side, below):
    (z,) = zone_coverage(_zone(side, side), _sites([]))
    assert z.below_min is below


def test_zone_area_in_metres_not_degrees(tmp_path):
    # a 1 000 m × 1 990 m zone = 1.99 km², stored in lon/lat
    root = make_ws(tmp_path / "ws", sites={"pilot_zones": ("Polygon", [
        site("PZ-1", rect(0, 0, 1000, 1990), works="")])},
        context={"roads": ("LineString", [ctx("R", line((-100, 10), (500, 10)),
                                                  **{"class": "支路"})])},
        fields={"roads": {"class": "str"}})
    ws = load_workspace(root, today=dt.date(2022, 12, 31))
    res = compute_metrics(ws, year=2021)
    (z,) = res.zones
    assert z.area_km2 == pytest.approx(1.99, rel=1e-4)
    assert z.below_min
    lonlat_area = ws.data["pilot_zones"].geometry.iloc[0].area  # square degrees: tiny
    assert lonlat_area < 1e-3 and z.area_km2 > 1
    p = {t.id: t for t in res.targets}["P.1"]
    assert p.verdict == "behind" and "PZ-1" in p.note
    dens = [i for i in res.indicators if i.key == "road_network_density"]
    assert dens[0].numerator == pytest.approx(0.5, rel=1e-6)  # only the inside 500 m


def test_lonlat_input_measured_in_4548():
    zones = _zone(2000, 1000).to_crs("EPSG:4326")
    (z,) = zone_coverage(zones, _sites([]).set_crs("EPSG:4548", allow_override=True))
    assert z.area_km2 == pytest.approx(2.0, rel=1e-9)
    assert (X0, Y0) == (545_000.0, 4_165_000.0)
