"""The statutory parameters and derivation rules, each pinned by tiny shapes with known
answers (issue 15, item 5). The mutation run (benchmarks/mutation.sh) checks that changing
any of them makes a test here fail.

- park service radius (2021 城市体检; GB/T 50563-2010): parks of 2 000–5 000 m² serve
  300 m, parks of at least 5 000 m² serve 500 m, smaller parks nothing; a park's size is the
  whole park's; GB 55014-2021 asks for more than 80 %;
- road network density ≥ 8 km/km²; roads on an area's boundary count half;
- pilot zones: one a year, each ≥ 2 km² (保障措施(三));
- target verdicts: met (0.5 % tolerance on measured values, none on counts), on track /
  in progress against the pro-rata pace, behind (滞后) once the deadline has passed;
- a work's status: explicit > plan-only > all done > 滞后 (a site past its year not done, a
  target past its deadline with its sites not all done, a site reported 滞后) > 进行中 > 未开始.
"""

from __future__ import annotations

import datetime as dt
import math

import attrs
import geopandas as gpd
import numpy as np
import pytest
import shapely

from _ws_metrics import line, make_ws, rect, site
from citymap.derived import work_state
from citymap.metrics import compute_metrics
from citymap.metrics.density import ROAD_DENSITY_TARGET, density_indicator, road_density
from citymap.metrics.service import (
    DEFAULT_RULES,
    GB55014_STANDARD,
    POCKET_PARK_RULE,
    park_radii,
    park_service_coverage,
    verdict_of,
    whole_parks,
)
from citymap.metrics.targets import TOLERANCE, pro_rata, verdict
from citymap.metrics.zones import MIN_ZONE_KM2, zone_coverage
from citymap.progress import overdue_items
from citymap.register import Target
from citymap.workspace import load_workspace

CRS = "EPSG:4548"
D = dt.date


def _gdf(geoms):
    return gpd.GeoDataFrame({"id": [f"G{i}" for i in range(len(geoms))]},
                            geometry=list(geoms), crs=CRS)


def _square(area_m2: float, x: float = 0.0) -> shapely.Geometry:
    s = math.sqrt(area_m2)
    return rect(x, 0, s, s)


# ------------------------------------------------------------------ park service radius

def test_the_statutory_rules():
    assert [(r.min_area_m2, r.max_area_m2, r.radius_m) for r in DEFAULT_RULES] == [
        (2000.0, 5000.0, 300.0), (5000.0, math.inf, 500.0)]
    assert (POCKET_PARK_RULE.min_area_m2, POCKET_PARK_RULE.max_area_m2,
            POCKET_PARK_RULE.radius_m) == (1000.0, 2000.0, 300.0)
    assert GB55014_STANDARD == 80.0


@pytest.mark.parametrize(("area", "radius"), [
    (1999.0, None), (2000.0, 300.0), (4999.0, 300.0), (5000.0, 500.0), (1e6, 500.0)])
def test_park_size_classes(area, radius):
    # rectangles 100 m wide: their areas are exact to 1e-9 m²
    got = park_radii(np.asarray([rect(0, 0, 100, area / 100)], dtype=object), DEFAULT_RULES)
    assert (None if np.isnan(got[0]) else got[0]) == radius


@pytest.mark.parametrize(("park_m2", "gap", "covered"), [
    (2500.0, 299.0, True), (2500.0, 301.0, False),     # 300 m
    (6400.0, 499.0, True), (6400.0, 501.0, False),     # 500 m
    (1600.0, 10.0, False),                             # below 2 000 m²: nothing
])
def test_a_parcel_at_a_known_distance(park_m2, gap, covered):
    side = math.sqrt(park_m2)
    park = rect(0, 0, side, side)
    parcel = rect(side + gap, 0, 0.5, 0.5)  # 0.25 m², its near edge ``gap`` m away
    cov = park_service_coverage(_gdf([parcel]), _gdf([park]))
    assert cov.value == pytest.approx(100.0 if covered else 0.0, abs=1e-9)
    assert (cov.parks_used, cov.parks_ignored) == ((1, 0) if park_m2 >= 2000 else (0, 1))


def test_a_multipolygon_park_is_sized_whole():
    two = rect(0, 0, 40, 40).union(rect(100, 0, 40, 40))  # 2 × 1 600 m²: one 3 200 m² park
    assert whole_parks(np.asarray([two], dtype=object))[0].area == pytest.approx(3200.0)
    cov = park_service_coverage(_gdf([rect(140 + 250, 0, 1, 1)]), _gdf([two]))
    assert cov.value == pytest.approx(100.0) and cov.parks_used == 1


def test_whole_parks_keeps_only_polygons_and_counts_nested_parts():
    assert len(whole_parks(np.empty(0, dtype=object))) == 0
    assert len(whole_parks(np.asarray([shapely.Point(0, 0), line((0, 0), (1, 1))],
                                      dtype=object))) == 0
    nested = shapely.GeometryCollection([
        shapely.MultiPolygon([rect(0, 0, 40, 40), rect(100, 0, 40, 40)]),
        shapely.Point(0, 0), shapely.GeometryCollection([rect(200, 0, 10, 10)])])
    empty = shapely.Polygon()
    got = whole_parks(np.asarray([nested, empty, rect(0, 0, 50, 50)], dtype=object))
    assert [round(g.area) for g in got] == [3300, 2500]
    assert got[1].geom_type == "Polygon"


def test_the_gb55014_comparison_is_strict():
    assert verdict_of(80.0, GB55014_STANDARD, ">") == "not met"
    assert verdict_of(80.001, GB55014_STANDARD, ">") == "met"
    assert verdict_of(None, GB55014_STANDARD, ">") == "no data"
    assert verdict_of(8.0, ROAD_DENSITY_TARGET, ">=") == "met"
    assert verdict_of(7.999, ROAD_DENSITY_TARGET, ">=") == "not met"


def test_coverage_verdict_in_compute_metrics(tmp_path):
    from _ws_metrics import ctx

    # one 2 500 m² park (300 m); parcels: 81 m² within, 19 m² beyond: 81 % > 80 %
    root = make_ws(tmp_path / "ws", context={
        "parks": ("Polygon", [ctx("P", rect(0, 0, 50, 50))]),
        "residential": ("Polygon", [ctx("R-in", rect(100, 0, 9, 9)),
                                    ctx("R-out", rect(1000, 0, 19, 1))])})
    (ind,) = [i for i in compute_metrics(load_workspace(root)).indicators
              if i.key == "park_service_coverage"]
    assert ind.value == pytest.approx(81.0) and ind.verdict == "met"
    assert (ind.standard, ind.comparison) == (80.0, ">")


# ------------------------------------------------------------------ road network density

def test_road_density_target_and_boundary_rule():
    assert ROAD_DENSITY_TARGET == 8.0
    area = rect(0, 0, 1000, 1000)
    inside = [line((-10, y), (1010, y)) for y in (100, 300, 500, 700, 900)]  # 5 km
    edge = [line((0, 0.003), (1000, 0.003))]                                 # ½ km
    km, km2, d = road_density(_gdf(inside + edge), area)
    assert km == pytest.approx(5.5, abs=1e-4) and km2 == pytest.approx(1.0)
    assert density_indicator(km, km2, d, scope="z").verdict == "not met"
    eight = [line((-10, y), (1010, y)) for y in range(50, 850, 100)]  # 8 km
    km, km2, d = road_density(_gdf(eight), area)
    assert d == pytest.approx(8.0) and density_indicator(km, km2, d, scope="z").verdict == "met"


# ------------------------------------------------------------------ pilot zones

@pytest.mark.parametrize(("roads", "area", "expected"), [
    ([], rect(0, 0, 1000, 2000), (0.0, 2.0, 0.0)),                        # no roads
    ([line((0, 0), (10, 0))], shapely.Polygon(), (0.0, 0.0, None)),       # no area
    ([line((0, 5000), (10, 5000))], rect(0, 0, 1000, 2000), (0.0, 2.0, 0.0)),  # far away
    ([line((-10, 250), (1010, 250))], rect(0, 0, 1000, 500), (1.0, 0.5, 2.0)),  # km / km²
])
def test_road_density_edge_cases(roads, area, expected):
    km, km2, d = road_density(_gdf(roads), area)
    assert km == pytest.approx(expected[0]) and km2 == pytest.approx(expected[1])
    assert d == (None if expected[2] is None else pytest.approx(expected[2]))


def test_crowded_years_without_zones():
    from citymap.metrics.zones import crowded_years

    assert crowded_years(None) == {}
    assert crowded_years(_gdf([])) == {}
    assert crowded_years(_gdf([rect(0, 0, 1, 1), rect(5, 0, 1, 1)])) == {}  # no year column
    two = _gdf([rect(0, 0, 1, 1), rect(5, 0, 1, 1)]).assign(year=[2021, 2021])
    assert crowded_years(two) == {2021: ("G0", "G1")}


def test_pilot_zone_minimum():
    assert MIN_ZONE_KM2 == 2.0
    zones = gpd.GeoDataFrame({"id": ["small", "exact"], "name": "", "year": [2021, 2022]},
                             geometry=[rect(0, 0, 1000, 1999), rect(5000, 0, 1000, 2000)],
                             crs=CRS)
    empty = gpd.GeoDataFrame({"id": [], "layer": [], "status": [], "theme": []},
                             geometry=[], crs=CRS)
    small, exact = zone_coverage(zones, empty)
    assert small.area_km2 == pytest.approx(1.999)
    assert small.below_min
    assert exact.area_km2 == pytest.approx(2.0)
    assert not exact.below_min


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("height", "verdict_"), [(1999.0, "behind"), (2000.0, "met")])
def test_pilot_zone_target(tmp_path, height, verdict_):
    root = make_ws(tmp_path / "ws", sites={"pilot_zones": ("Polygon", [
        site("PZ", rect(0, 0, 1000, height), works="")])})
    (p1,) = [t for t in compute_metrics(load_workspace(root), as_of=D(2022, 1, 1)).targets
             if t.id == "P.1"]
    assert p1.verdict == verdict_ and p1.actual == pytest.approx(height / 1000)
    assert p1.note == "smallest zone of the year, km²" + (
        "; below 2 km²: PZ" if height < 2000 else "")  # one zone: no "one a year" either


@pytest.mark.usefixtures("english")
def test_no_pilot_zone_in_a_year(tmp_path):
    root = make_ws(tmp_path / "ws", sites={"pilot_zones": ("Polygon", [
        site("PZ", rect(0, 0, 1000, 2000), works="", year=2020)])})
    ws = load_workspace(root)
    (p1,) = [t for t in compute_metrics(ws, as_of=D(2022, 1, 1)).targets if t.id == "P.1"]
    assert (p1.actual, p1.verdict, p1.note) == (0.0, "behind", "no zone for this year")
    (p1,) = [t for t in compute_metrics(ws, as_of=D(2021, 3, 1)).targets if t.id == "P.1"]
    assert p1.verdict == "in progress" and p1.expected == pytest.approx(2 * 60 / 365)
    (p1,) = [t for t in compute_metrics(ws, as_of=D(2020, 6, 1)).targets if t.id == "P.1"]
    assert (p1.verdict, p1.expected) == ("on track", 0.0)  # before its year: nothing due
    # the register's note comes first
    from citymap.metrics.targets import evaluate_target

    (t,) = [t for t in ws.register.targets if t.id == "P.1"]
    noted = attrs.evolve(t, note="备注")
    assert evaluate_target(ws, noted, D(2022, 1, 1)).note == "备注; no zone for this year"
    t2020 = attrs.evolve(noted, year=2020, start_year=2020)
    assert evaluate_target(ws, t2020, D(2021, 1, 1)).note == \
        "备注; smallest zone of the year, km²"


# ------------------------------------------------------------------ target verdicts

def _target(value=10.0, metric="pocket_parks", comparison=">=", year=2021, start_year=2021):
    """A target; ``pocket_parks`` is counted, ``greenway_length`` measured."""
    return Target(id="T", work=8, metric=metric, name="t", value=value, unit="处",
                  comparison=comparison, year=year, start_year=start_year, layer="x")


def test_missed_target_is_behind_after_its_deadline():
    t = _target()
    assert verdict(t, 9.0, D(2021, 12, 31)) == ("behind", None)   # deadline day: behind
    assert verdict(t, 9.0, D(2022, 6, 30)) == ("behind", None)
    assert verdict(t, 10.0, D(2022, 6, 30)) == ("met", None)
    v, exp = verdict(t, 9.0, D(2021, 12, 30))                      # the day before
    assert v == "in progress" and exp == pytest.approx(10.0 * 364 / 365)


def test_pro_rata_pace():
    t = _target(value=365.0)
    assert pro_rata(t, D(2021, 1, 1)) == pytest.approx(1.0)
    assert pro_rata(t, D(2021, 7, 2)) == pytest.approx(183.0)
    assert pro_rata(t, D(2020, 6, 1)) == 0.0 and pro_rata(t, D(2023, 1, 1)) == 365.0
    assert verdict(t, 100.0, D(2021, 7, 2))[0] == "in progress"
    assert verdict(t, 183.0, D(2021, 7, 2))[0] == "on track"


def test_tolerance_on_the_pace_of_measured_values():
    km = _target(value=365.0, metric="greenway_length")        # 183 km due on 2 July
    v, expected = verdict(km, 182.2, D(2021, 7, 2))
    assert v == "on track"
    assert expected == pytest.approx(183.0)
    assert verdict(km, 182.0, D(2021, 7, 2))[0] == "in progress"  # below 183 × 0.995
    assert verdict(_target(value=365.0), 182.9, D(2021, 7, 2))[0] == "in progress"


def test_tolerance_on_measured_values_only():
    assert TOLERANCE == 0.005
    km = _target(value=10.0, metric="greenway_length")
    assert (km.measure, _target().measure) == ("length", "count")
    assert verdict(km, 9.95, D(2022, 1, 1))[0] == "met"     # 0.5 % short: digitising
    assert verdict(km, 9.94, D(2022, 1, 1))[0] == "behind"
    count = _target(value=10.0)
    assert verdict(count, 9.99, D(2022, 1, 1))[0] == "behind"
    assert verdict(_target(comparison="="), 12.0, D(2022, 1, 1))[0] == "met"  # reached
    assert verdict(count, None, D(2022, 1, 1)) == ("not measurable", None)


# ------------------------------------------------------------------ a work's status

TARGET_2021 = ('{id: "8.1", metric: pocket_parks, name: 口袋公园, value: 2, unit: 处, '
               'comparison: ">=", year: 2021, layer: pocket_parks}')


def _work_ws(tmp_path, *sites):
    return load_workspace(make_ws(tmp_path / "ws", targets=[TARGET_2021],
                                  sites={"pocket_parks": ("Polygon", list(sites))}))


def test_missed_target_makes_the_work_behind(tmp_path):
    ws = _work_ws(tmp_path,
                  site("PP-1", rect(0, 0, 50, 50), date="2021-05-01"),
                  site("PP-2", rect(100, 0, 50, 50), status="进行中", date="2021-05-01"))
    before = work_state(ws, 8, D(2021, 12, 30))
    assert (before.status, before.missed_targets, before.due) == ("进行中", (), None)
    st = work_state(ws, 8, D(2021, 12, 31))
    assert st.status == "滞后" and st.source == "sites"
    assert st.missed_targets == ("8.1",) and st.overdue_sites == ("PP-2",)
    assert st.due == D(2021, 12, 31)
    lines = [(i.kind, i.id, i.due) for i in overdue_items(ws, D(2022, 1, 15))]
    assert ("目标", "8.1", D(2021, 12, 31)) in lines


def test_work_status_order(tmp_path):
    done = _work_ws(tmp_path / "a", site("PP-1", rect(0, 0, 50, 50), date="2021-05-01"))
    st = work_state(done, 8, D(2022, 1, 1))
    assert (st.status, st.missed_targets, st.due, st.started) == ("已完成", (), None, 1)
    late = _work_ws(tmp_path / "b", site("PP-1", rect(0, 0, 50, 50), status="未开始",
                                         date="2021-01-01"))
    assert work_state(late, 8, D(2021, 6, 1)).status == "未开始"
    assert work_state(late, 8, D(2021, 12, 31)).status == "滞后"
    # planned for 2020, not done: overdue on 2020-12-31 though no target of 2020 counts it
    overdue = _work_ws(tmp_path / "d", site("PP-1", rect(0, 0, 50, 50), status="进行中",
                                            date="2020-03-01", year=2020))
    st = work_state(overdue, 8, D(2020, 12, 31))
    assert (st.status, st.overdue_sites, st.missed_targets) == ("滞后", ("PP-1",), ())
    assert st.due == D(2020, 12, 31)
    # a work without sites keeps its register status
    empty = _work_ws(tmp_path / "e")
    assert (work_state(empty, 8, D(2022, 1, 1)).source, work_state(empty, 8, D(2022, 1, 1))
            .status) == ("register", empty.register.work(8).status)
    assert work_state(overdue, 8, D(2020, 12, 30)).status == "进行中"
    reported = _work_ws(tmp_path / "c", site("PP-1", rect(0, 0, 50, 50), status="滞后",
                                             date="2021-03-01", year=2022))
    st = work_state(reported, 8, D(2021, 6, 1))
    assert st.status == "滞后" and st.missed_targets == () and st.overdue_sites == ()


def test_a_reported_percent_means_begun(tmp_path):
    log = "2021-03-01,PP-1,未开始,1,,,2021-03-01T09:00:00+08:00\n"
    root = make_ws(tmp_path / "ws", targets=[TARGET_2021], status_log=log,
                   sites={"pocket_parks": ("Polygon", [site(
                       "PP-1", rect(0, 0, 50, 50), status="未开始", date="2021-01-01")])})
    st = work_state(load_workspace(root), 8, D(2021, 6, 1))
    assert (st.status, st.started) == ("进行中", 1)


def test_site_statuses_without_sites(tmp_path):
    from citymap.derived import site_statuses

    out = site_statuses(_work_ws(tmp_path), D(2021, 6, 1))
    assert len(out) == 0
    assert {"status", "status_date", "percent", "due", "overdue", "works", "name",
            "year"} <= set(out.columns)
