"""The shipped Yangxin workspace in the PostGIS store: pushed, pulled, and the same metrics.

The coverage metrics computed in the database (citymap.store.sql_metrics) must equal the
Python path on the same data, here the shipped workspace and a small made-up one.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from _pg import pg_server, pg_url  # noqa: F401
from _ws_core import default_features, feature, make_workspace, square
from citymap.crs import to_measure
from citymap.store import open_store
from citymap.store.sql_metrics import service_coverage, zone_coverage
from citymap.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[1]
REL = 1e-6

service = pytest.importorskip("citymap.metrics.service")


def python_zone_coverage(ws) -> dict[str, tuple[float, float]]:
    """Reference: per pilot zone, (zone m², union of site footprints in it ∩ zone, m²)."""
    zones = to_measure(ws.layer("pilot_zones"))
    parts = []
    for name in ws.site_layers:
        if name != "pilot_zones" and len(ws.data[name]):
            g = shapely.get_parts(to_measure(ws.data[name]).geometry.values)
            parts.append(g[shapely.get_type_id(g) == 3])
    fp = np.concatenate(parts) if parts else np.empty(0, dtype=object)
    out = {}
    for zid, z in zip(zones["id"], zones.geometry.values, strict=True):
        inside = fp[shapely.intersects(fp, z)]
        covered = shapely.area(shapely.intersection(shapely.union_all(inside), z)) if len(
            inside) else 0.0
        out[str(zid)] = (float(z.area), float(covered))
    return out


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= REL * max(abs(a), abs(b), 1.0)


@pytest.fixture(scope="module")
def shipped(pg_server, tmp_path_factory):  # noqa: F811
    if not (ROOT / "layers" / "residential.toml").exists():
        pytest.skip("the shipped workspace data has not landed")
    url = pg_server.new_database()
    st = open_store(url)
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


def test_shipped_service_coverage_is_the_same_in_sql(shipped):
    st, ws, _ = shipped
    py = service.park_service_coverage(ws.layer("residential"), ws.layer("parks"))
    (row,) = service_coverage(st)
    assert row.workspace == ws.config.county and row.parcels == py.parcels
    assert _close(row.residential_m2, py.residential_m2)
    assert _close(row.covered_m2, py.covered_m2)
    assert _close(row.value, py.value)


def test_shipped_zone_coverage_is_the_same_in_sql(shipped):
    st, ws, _ = shipped
    ref = python_zone_coverage(ws)
    rows = zone_coverage(st)
    assert {r.zone for r in rows} == set(ref)
    for r in rows:
        zone_m2, covered = ref[r.zone]
        assert _close(r.zone_m2, zone_m2), r
        assert _close(r.covered_m2, covered), r


def test_small_data_and_several_counties(pg_url, tmp_path):  # noqa: F811
    feats = default_features()
    # a residential layer and parks under other names: 2 parcels, one park of ~5 500 m²
    feats["old_communities"].append(feature(square(117.5825, 37.6405, 0.0008), id="OC-9",
                                            works="16", name="近园小区", year=2021,
                                            status="未开始", status_date="2020-06-21",
                                            source="示意", kind=None, households=10))
    big_park = square(117.5805, 37.6405, 0.0009)
    feats["pocket_parks"].append(feature(big_park, id="PP-9", works="8", name="大公园",
                                         year=2020, status="未开始", status_date="2020-06-21",
                                         source="示意", kind=None))
    a = make_workspace(tmp_path / "a", features=feats)
    b = make_workspace(tmp_path / "b")
    st = open_store(pg_url)
    st.init()
    st.push(a, key="甲县")
    st.push(b, key="乙县")
    rules = (service.RadiusRule(1000.0, 5000.0, 300.0), service.RadiusRule(5000.0, np.inf,
                                                                          500.0))
    rows = {r.workspace: r for r in service_coverage(
        st, residential="old_communities", parks=("pocket_parks",), rules=rules)}
    assert set(rows) == {"甲县", "乙县"}
    for key, root in (("甲县", a), ("乙县", b)):
        ws = load_workspace(root)
        py = service.park_service_coverage(ws.layer("old_communities"),
                                           ws.layer("pocket_parks"), rules=rules)
        assert _close(rows[key].covered_m2, py.covered_m2), (key, rows[key], py)
        assert _close(rows[key].residential_m2, py.residential_m2)
    assert rows["甲县"].covered_m2 > 0 and rows["乙县"].covered_m2 == 0
    (only,) = service_coverage(st, workspace="乙县", residential="old_communities",
                               parks=("pocket_parks",), rules=rules)
    assert only == rows["乙县"]
    assert zone_coverage(st) == []  # no pilot zones in these workspaces
    assert isinstance(load_workspace(a).layer("pocket_parks"), gpd.GeoDataFrame)
