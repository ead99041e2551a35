"""The Yangxin workspace in the PostGIS store: pushed, pulled, and the same metrics.

The coverage metrics computed in the database (citymap.store.sql_metrics) must equal the
Python path (citymap.metrics: compute_metrics, park_service_coverage, zone_coverage) on the
same data — the shipped workspace and small hand-made ones — within 1e-9 relative.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from geopandas.testing import assert_geodataframe_equal

from _ws_core import default_features, feature, make_workspace, square
from _ws_metrics import ctx, line, make_ws, rect
from _ws_metrics import site as msite
from citymap.metrics import compute_metrics, park_frame
from citymap.metrics.service import (
    DEFAULT_RULES,
    POCKET_PARK_RULE,
    RadiusRule,
    park_service_coverage,
)
from citymap.store import open_postgis
from citymap.store.sql_metrics import road_density, service_coverage, zone_coverage
from citymap.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[1]
#: SQL and Python agree to rounding: the same buffers (16 segments a quarter), the same
#: rules, the same parcels; only the union's pieces and the summation order differ.
REL = 1e-9
DATES = (dt.date(2020, 1, 1), dt.date(2021, 6, 30), dt.date(2023, 12, 31))


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= REL * max(abs(a), abs(b), 1.0)


def _service_matches(row, ws, as_of, rules=DEFAULT_RULES) -> None:
    """``row`` (SQL) equals the county indicator of compute_metrics and its parts."""
    py = park_service_coverage(ws.layer("residential"), park_frame(ws, as_of), rules=rules,
                               crs=ws.config.measure_crs)
    assert row.parcels == py.parcels
    assert (row.parks_used, row.parks_ignored) == (py.parks_used, py.parks_ignored)
    assert _close(row.residential_m2, py.residential_m2), (row, py)
    assert _close(row.covered_m2, py.covered_m2), (row, py)
    assert _close(row.value, py.value)
    (ind,) = [i for i in compute_metrics(ws, as_of=as_of, rules=rules).indicators
              if i.key == "park_service_coverage" and i.scope == "county"]
    assert _close(row.covered_m2, ind.numerator) and _close(row.residential_m2, ind.denominator)


def _zones_match(rows, ws, as_of) -> None:
    """``rows`` (SQL) equal the zones of compute_metrics (citymap.metrics.zones)."""
    ref = {z.id: z for z in compute_metrics(ws, as_of=as_of).zones}
    assert [r.zone for r in rows] == list(ref)
    for r in rows:
        z = ref[r.zone]
        assert _close(r.zone_m2, z.area_km2 * 1e6), (r, z)
        assert _close(r.covered_m2, z.covered_km2 * 1e6), (r, z)
        assert _close(r.share, z.covered_share), (r, z)


def _density_matches(rows, ws, as_of) -> None:
    """``rows`` (SQL) equal the road-density indicators of compute_metrics."""
    ref = {i.scope: i for i in compute_metrics(ws, as_of=as_of).indicators
           if i.key == "road_network_density"}
    assert [r.scope for r in rows] == list(ref)
    for r in rows:
        i = ref[r.scope]
        assert _close(r.km, i.numerator) and _close(r.km2, i.denominator), (r, i)
        assert _close(r.density, i.value), (r, i)


@pytest.fixture(scope="module")
def shipped(pg_server, tmp_path_factory):
    if not (ROOT / "layers" / "residential.toml").exists():
        pytest.skip("the shipped workspace data has not landed")
    url = pg_server.new_database()
    st = open_postgis(url)
    st.init()
    st.push(ROOT)
    return st, load_workspace(ROOT), tmp_path_factory.mktemp("pulled")


def test_shipped_workspace_round_trips(shipped):
    st, ws, tmp = shipped
    pulled = load_workspace(st.pull(tmp / "ws"))
    assert list(pulled.data) == list(ws.data)
    for name in ws.data:
        assert_geodataframe_equal(ws.data[name], pulled.data[name])
    assert pulled.history == ws.history and pulled.register == ws.register
    assert (tmp / "ws" / ws.config.register).read_bytes() == (
        ROOT / ws.config.register).read_bytes()


@pytest.mark.parametrize("as_of", DATES)
def test_shipped_service_coverage_is_the_same_in_sql(shipped, as_of):
    st, ws, _ = shipped
    (row,) = service_coverage(st, as_of=as_of)
    assert row.workspace == ws.config.county
    _service_matches(row, ws, as_of)


def test_shipped_service_coverage_with_the_pocket_park_rule(shipped):
    st, ws, _ = shipped
    rules = (POCKET_PARK_RULE, *DEFAULT_RULES)
    (row,) = service_coverage(st, as_of=DATES[-1], rules=rules)
    _service_matches(row, ws, DATES[-1], rules)


def test_shipped_zone_coverage_is_the_same_in_sql(shipped):
    st, ws, _ = shipped
    rows = zone_coverage(st)
    assert rows and any(r.covered_m2 > 0 for r in rows)
    _zones_match(rows, ws, DATES[-1])


def test_shipped_road_density_is_the_same_in_sql(shipped):
    st, ws, _ = shipped
    rows = road_density(st)
    assert [r.scope for r in rows][:1] == ["county seat"] and len(rows) == 4
    _density_matches(rows, ws, DATES[-1])


# ------------------------------------------------------------------ small hand-made data

LOG = ("2020-09-30,PP-1,已完成,100,竣工,,2020-10-01T09:00:00+08:00\n"
       "2021-03-01,PP-3,进行中,40,,,2021-03-01T09:00:00+08:00\n"
       "2021-03-01,PP-3,已完成,100,,,2021-03-01T08:00:00+08:00\n")


def _hand_made(root: Path, shift: float = 0.0) -> Path:
    """Parks of every radius class, pocket parks done on different days, a multipolygon
    park whose parts are each below 2 000 m² but not together, parcels inside / across / outside the
    service area, one pilot zone with overlapping footprints and one without."""
    parks = [ctx("P-1", rect(0, 0, 100, 100)),                  # 10 000 m²: 500 m
             ctx("P-2", rect(1500, 0, 50, 50)),                 # 2 500 m²: 300 m
             ctx("P-3", rect(3000, 0, 20, 20)),                 # 400 m²: nothing
             ctx("P-4", rect(3000, 1500, 40, 40).union(rect(3100, 1500, 40, 40)))]  # 2 × 1 600
    pocket = [msite("PP-1", rect(-1500, 0, 60, 60), status="未开始", date="2020-06-21"),
              msite("PP-2", rect(-1500, 1500, 60, 60), status="已完成", date="2021-05-01"),
              msite("PP-3", rect(0, 2500, 60, 60), status="未开始", date="2020-06-21"),
              msite("PP-4", rect(2000, 2500, 60, 60), status="未开始", date="2020-06-21")]
    parcels = [ctx(f"R-{i}-{j}", rect(-2200 + 350 * i + shift, -600 + 330 * j, 120, 90))
               for i in range(14) for j in range(11)]
    parcels.append(ctx("R-multi", rect(450, 450, 80, 80).union(rect(700, 700, 80, 80))))
    zones = [msite("PZ-1", rect(-200, -200, 1000, 1000), works="8"),
             msite("PZ-2", rect(4000, 4000, 500, 500), works="8")]
    footprints = [msite("OC-1", rect(-300, -300, 400, 300)),     # across the zone's edge
                  msite("OC-2", rect(0, -100, 300, 300)),        # overlaps OC-1
                  msite("OC-3", rect(400, 400, 100, 100)),       # wholly inside
                  msite("OC-4", rect(200, 600, 50, 50).union(rect(900, 900, 200, 200))),
                  msite("OC-5", rect(2000, 2000, 100, 100))]     # outside every zone
    return make_ws(root, sites={"pilot_zones": ("Polygon", zones),
                                "pocket_parks": ("Polygon", pocket),
                                "old_communities": ("Polygon", footprints)},
                   context={"residential": ("Polygon", parcels), "parks": ("Polygon", parks)},
                   status_log=LOG)


@pytest.fixture(scope="module")
def hand_made(pg_server, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hand")
    st = open_postgis(pg_server.new_database())
    st.init()
    roots = {"甲县": _hand_made(tmp / "a"), "乙县": _hand_made(tmp / "b", shift=37.5)}
    for key, root in roots.items():
        st.push(root, key=key)
    return st, {k: load_workspace(r) for k, r in roots.items()}


@pytest.mark.parametrize("as_of", [dt.date(2020, 6, 1), dt.date(2020, 10, 1),
                                   dt.date(2021, 3, 1), dt.date(2021, 6, 1)])
@pytest.mark.parametrize("pocket_rule", [False, True])
def test_hand_made_service_coverage(hand_made, as_of, pocket_rule):
    st, wss = hand_made
    rules = (POCKET_PARK_RULE, *DEFAULT_RULES) if pocket_rule else DEFAULT_RULES
    rows = service_coverage(st, as_of=as_of, rules=rules)
    assert [r.workspace for r in rows] == sorted(wss)
    for row in rows:
        _service_matches(row, wss[row.workspace], as_of, rules)
    assert 0 < rows[0].covered_m2 < rows[0].residential_m2
    (one,) = service_coverage(st, workspace="乙县", as_of=as_of, rules=rules)
    assert one == rows[0]


def test_hand_made_pocket_parks_count_once_done(hand_made):
    st, _ = hand_made
    used = [service_coverage(st, workspace="甲县", as_of=d)[0].parks_used
            for d in (dt.date(2020, 6, 1), dt.date(2020, 10, 1), dt.date(2021, 3, 1),
                      dt.date(2021, 6, 1))]
    # P-1, P-2, P-4 (two 1 600 m² parts: one 3 200 m² park, 300 m); then PP-1 (log,
    # 2020-09-30); PP-3's two events of 2021-03-01: the later recorded (进行中) wins; PP-2
    # done by its own status date 2021-05-01
    assert used == [3, 4, 4, 5]


def test_hand_made_without_parks(hand_made):
    st, wss = hand_made
    (row,) = service_coverage(st, workspace="甲县", parks=(), done_parks=())
    assert row.covered_m2 == 0.0 and row.parks_used == row.parks_ignored == 0
    assert _close(row.residential_m2, park_service_coverage(
        wss["甲县"].layer("residential"), wss["甲县"].layer("parks").iloc[:0]).residential_m2)
    (only_pocket,) = service_coverage(st, workspace="甲县", parks=(), as_of=dt.date(2021, 6, 1))
    assert only_pocket.parks_used == 2  # PP-1 and PP-2


def test_hand_made_zone_coverage(hand_made):
    st, wss = hand_made
    rows = zone_coverage(st)
    assert [(r.workspace, r.zone) for r in rows] == [
        ("乙县", "PZ-1"), ("乙县", "PZ-2"), ("甲县", "PZ-1"), ("甲县", "PZ-2")]
    for key, ws in wss.items():
        _zones_match([r for r in rows if r.workspace == key], ws, dt.date(2021, 6, 30))
    pz1, pz2 = rows[2], rows[3]
    assert pz1.sites == 4 and 0 < pz1.covered_m2 < pz1.zone_m2
    assert pz2.sites == 0 and pz2.covered_m2 == 0.0
    assert zone_coverage(st, workspace="甲县", exclude=("old_communities",))[0].sites == 0


def test_layers_named_explicitly_and_counties_without_them(pg_url, tmp_path):
    feats = default_features()
    feats["old_communities"].append(feature(square(117.5825, 37.6405, 0.0008), id="OC-9",
                                            works="16", name="近园小区", year=2021,
                                            status="未开始", status_date="2020-06-21",
                                            source="示意", kind=None, households=10))
    feats["pocket_parks"].append(feature(square(117.5805, 37.6405, 0.0009), id="PP-9",
                                         works="8", name="大公园", year=2020, status="未开始",
                                         status_date="2020-06-21", source="示意", kind=None))
    a = make_workspace(tmp_path / "a", features=feats)
    b = make_workspace(tmp_path / "b")
    st = open_postgis(pg_url)
    st.init()
    st.push(a, key="甲县")
    st.push(b, key="乙县")
    rules = (RadiusRule(1000.0, 5000.0, 300.0), RadiusRule(5000.0, np.inf, 500.0))
    rows = {r.workspace: r for r in service_coverage(
        st, residential="old_communities", parks=("pocket_parks",), done_parks=(),
        rules=rules)}
    assert set(rows) == {"甲县", "乙县"}
    for key, root in (("甲县", a), ("乙县", b)):
        ws = load_workspace(root)
        py = park_service_coverage(ws.layer("old_communities"), ws.layer("pocket_parks"),
                                   rules=rules)
        assert _close(rows[key].covered_m2, py.covered_m2), (key, rows[key], py)
        assert _close(rows[key].residential_m2, py.residential_m2)
    assert rows["甲县"].covered_m2 > 0 and rows["乙县"].covered_m2 == 0
    # no residential layer, no pilot zones: no rows
    assert service_coverage(st) == [] and zone_coverage(st) == []


SNAP = 0.004  # 4 mm: a road snapped to the 1 cm grid beside an unsnapped zone edge


def test_hand_made_road_density_on_zone_boundaries(pg_url, tmp_path):  # noqa: F811
    """Two zones sharing an edge; roads on the edges a few mm in or out count half in each
    zone, in both engines (docs/metrics.md); known answers."""
    zones = [msite("PZ-A", rect(0, 0, 1000, 1000), works="8"),
             msite("PZ-B", rect(1000, 0, 1000, 1000), works="8")]
    roads = [ctx("R-shared", line((1000 + SNAP, -100), (1000 + SNAP, 1100))),  # in B by 4 mm
             ctx("R-across", line((-100, 400), (2100, 400))),
             ctx("R-bottom", line((300, SNAP), (1700, SNAP))),                   # 4 mm inside
             ctx("R-left", line((-SNAP, 0), (-SNAP, 1000))),                     # 4 mm outside
             ctx("R-in-A", line((200, 100), (200, 900))),
             ctx("R-out", line((0, 1500), (2000, 1500)))]
    built = [ctx("B-1", rect(-500, -500, 3000, 1800))]
    root = make_ws(tmp_path / "ws", sites={"pilot_zones": ("Polygon", zones)},
                   context={"roads": ("LineString", roads), "built_up": ("Polygon", built)})
    st = open_postgis(pg_url)
    st.init()
    st.push(root, key="丙县")
    ws = load_workspace(root)
    rows = road_density(st)
    assert [(r.workspace, r.scope) for r in rows] == [
        ("丙县", "county seat"), ("丙县", "PZ-A"), ("丙县", "PZ-B")]
    _density_matches(rows, ws, DATES[-1])
    seat, a, b = rows
    # A: shared 500 + across 1000 + bottom 350 + left 500 + inside 800; B: 500 + 1000 + 350
    assert a.km * 1000 == pytest.approx(3150.0, abs=0.1)
    assert b.km * 1000 == pytest.approx(1850.0, abs=0.1)
    assert a.km2 == pytest.approx(1.0, rel=1e-6) and b.km2 == pytest.approx(1.0, rel=1e-6)
    # the county seat: every road inside the built-up area (up to y = 1 300) counts whole
    assert seat.km * 1000 == pytest.approx(1200 + 2200 + 1400 + 1000 + 800, abs=0.1)


def _multi_park_ws(root: Path) -> Path:
    """Two multipolygon parks and three 10 × 10 m parcels (issue 10: a park's size is the
    whole park's): M-300 has two 1 600 m² parts (3 200 m²: 300 m, though each part is below
    2 000 m²), M-500 two 3 000 m² parts (6 000 m²: 500 m, though each is below 5 000 m²)."""
    parks = [ctx("M-300", rect(0, 0, 40, 40).union(rect(100, 0, 40, 40))),
             ctx("M-500", rect(5000, 0, 60, 50).union(rect(5100, 0, 60, 50)))]
    parcels = [ctx("R-250", rect(390, 0, 10, 10)),     # 250 m east of M-300
               ctx("R-450", rect(5610, 0, 10, 10)),    # 450 m east of M-500
               ctx("R-far", rect(2500, 3000, 10, 10))]  # far from both
    return make_ws(root, context={"residential": ("Polygon", parcels),
                                  "parks": ("Polygon", parks)})


def test_multipolygon_park_size_is_the_whole_park_in_both_engines(pg_url, tmp_path):  # noqa: F811
    root = _multi_park_ws(tmp_path / "ws")
    ws = load_workspace(root)
    st = open_postgis(pg_url)
    st.init()
    st.push(root, key="丁县")
    (row,) = service_coverage(st, as_of=DATES[-1])
    _service_matches(row, ws, DATES[-1])
    assert (row.parks_used, row.parks_ignored, row.parcels) == (2, 0, 3)
    assert row.covered_m2 == pytest.approx(200.0, rel=1e-9)   # whole
    assert row.value == pytest.approx(200 / 3, rel=1e-9)
