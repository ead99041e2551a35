"""Metrics edge cases of issue 10: several pilot zones in one year, sites done after their
year, the statement of how lengths and areas are measured, and the coverage on every core."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os

import attrs
import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from click.testing import CliRunner

from _ws_metrics import X0, Y0, ctx, make_ws, rect, site
from citymap.cli.main import cli
from citymap.metrics import compute_metrics, service
from citymap.metrics.output import to_csv, to_json
from citymap.report import render_report
from citymap.workspace import load_workspace

YEARLY = [
    '{id: "8.1", metric: pocket_parks, name: 口袋公园, value: 1, unit: 处, comparison: ">=", '
    'year: 2020, layer: pocket_parks}',
    '{id: "8.2", metric: pocket_parks, name: 口袋公园, value: 2, unit: 处, comparison: ">=", '
    'year: 2021, layer: pocket_parks}',
    '{id: "8.3", metric: pocket_parks, name: 口袋公园, value: 1, unit: 处, comparison: ">=", '
    'year: 2022, layer: pocket_parks}',
]
END_2022 = dt.date(2022, 12, 31)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def late_ws(tmp_path):
    """PP-C is planned for 2021 and done on 2022-03-01: late, done in 2022."""
    return make_ws(tmp_path / "ws", targets=YEARLY, sites={"pocket_parks": ("Polygon", [
        site("PP-A", rect(0, 0, 50, 50), year=2020, date="2020-06-30"),
        site("PP-B", rect(100, 0, 50, 50), year=2021, date="2021-06-30"),
        site("PP-C", rect(200, 0, 50, 50), year=2021, date="2022-03-01"),
        site("PP-D", rect(300, 0, 50, 50), year=2022, date="2022-05-01")])})


def test_the_yearly_verdict_stays_done_in_its_year(late_ws):
    ws = load_workspace(late_ws)
    (t,) = [t for t in compute_metrics(ws, year=2021).targets if t.id == "8.2"]
    assert (t.actual, t.verdict, t.late) == (1.0, "behind", {})


def test_a_late_site_is_listed_with_the_year_it_was_done(late_ws):
    ws = load_workspace(late_ws)
    res = compute_metrics(ws, as_of=END_2022)
    t = {t.id: t for t in res.targets}["8.2"]
    assert t.actual == 2.0 and t.verdict == "met"
    assert (t.met_by_deadline, t.actual_by_deadline) == (False, 1.0)
    assert t.late == {"PP-C": "2022-03-01"}
    assert {t.id: t for t in res.targets}["8.3"].late == {}


def test_a_late_site_counts_in_the_plan_total(late_ws):
    ws = load_workspace(late_ws)
    (s,) = [s for s in compute_metrics(ws, as_of=END_2022).series()
            if s["metric"] == "pocket_parks"]
    assert s["total"] == {"ids": ["8.1", "8.2", "8.3"], "years": [2020, 2022],
                          "target": 4.0, "actual": 4.0, "by_deadline": 3.0,
                          "late": {"PP-C": "2022-03-01"}}
    assert [p["by_deadline"] for p in s["points"]] == [1.0, 1.0, 1.0]


def test_late_in_json_csv_cli_and_report(late_ws):
    ws = load_workspace(late_ws)
    res = compute_metrics(ws, as_of=END_2022)
    d = json.loads(to_json(res))
    assert {t["id"]: t["late"] for t in d["targets"]} == {
        "8.1": {}, "8.2": {"PP-C": "2022-03-01"}, "8.3": {}, "P.1": {}}
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(to_csv(res)))}
    assert "PP-C (2022-03-01)" in rows["8.2"]["note"]
    r = run("metrics", "--workspace", late_ws, "--as-of", "2022-12-31")
    assert r.exit_code == 0 and "逾期完成 1 个, 2022 年" in r.stdout
    r = run("metrics", "--workspace", late_ws, "--as-of", "2022-12-31", "--lang", "en")
    assert "late: 1 done in 2022" in r.stdout
    # the 2022 annual report lists 2021 with its late site, and the plan total
    html = render_report(compute_metrics(ws, year=2022), ws=ws, maps=False)
    assert "8.2: 1 个逾期完成 (2022 年) late, done in 2022" in html
    assert "2020–2022 合计 total: 目标 4 完成 4 处 (当年完成 in its year 3)" in html


# ------------------------------------------------------------------ one pilot zone a year

@pytest.fixture
def two_zones(tmp_path):
    zones = [site("PZ-2021-01", rect(0, 0, 1500, 1500), works=""),
             site("PZ-2021-02", rect(3000, 0, 1500, 1500), works=""),
             site("PZ-2022-01", rect(6000, 0, 1500, 1500), works="", year=2022)]
    return make_ws(tmp_path / "ws", sites={"pilot_zones": ("Polygon", zones)})


@pytest.mark.usefixtures("english")
def test_validate_reports_two_zones_in_one_year(two_zones):
    r = run("validate", "--workspace", two_zones)
    assert r.exit_code == 0
    line = [ln for ln in r.stderr.splitlines() if "试点片区" in ln]
    assert line == ["warning: pilot_zones: 2021 年有 2 个试点片区 (PZ-2021-01、PZ-2021-02); "
                    "方案要求每年确定 1 个 (保障措施(三)): 保留一个, 或改正其余片区的 year"]
    r = run("validate", "--workspace", two_zones, "--lang", "en")
    assert "2021 has 2 pilot zones (PZ-2021-01, PZ-2021-02); the plan asks for one a year" \
        in r.stderr


@pytest.mark.usefixtures("english")
def test_metrics_and_report_flag_two_zones_in_one_year(two_zones):
    ws = load_workspace(two_zones)
    res = compute_metrics(ws, as_of=END_2022)
    assert [w for w in res.warnings if "one a year" in w] == [
        "pilot_zones: 2021 has 2 pilot zones (PZ-2021-01, PZ-2021-02); the plan asks for one "
        "a year (保障措施(三)): keep one, or correct the others' year"]
    assert {z.id: z.same_year for z in res.zones} == {
        "PZ-2021-01": ("PZ-2021-02",), "PZ-2021-02": ("PZ-2021-01",), "PZ-2022-01": ()}
    (p1,) = [t for t in res.targets if t.id == "P.1"]
    assert "2 zones in 2021 (PZ-2021-01, PZ-2021-02): the plan asks for one a year" in p1.note
    assert not [w for w in compute_metrics(ws, year=2022).warnings if "one a year" in w]
    html = render_report(res, ws=ws, maps=False)
    assert "同年另有 PZ-2021-02; 方案要求每年 1 个" in html
    r = run("metrics", "--workspace", two_zones, "--as-of", "2022-12-31")
    # the command speaks Chinese by default, its warnings too
    assert "同年另有 PZ-2021-02" in r.stdout and "方案要求每年确定 1 个" in r.stderr


# ------------------------------------------------------------------ how things are measured

def test_the_measurement_is_stated_in_every_output(late_ws):
    ws = load_workspace(late_ws)
    res = compute_metrics(ws, as_of=END_2022)
    m = json.loads(to_json(res))["measurement"]
    assert m["crs"] == "EPSG:4548" and m["planar"] is True
    assert m["crs_name"] == "CGCS2000 / 3-degree Gauss-Kruger CM 117E"
    for text in (m["zh"], m["en"]):
        assert "EPSG:4548" in text and "QGIS" in text and "1 cm" in text and "5 cm" in text
    note = list(csv.DictReader(io.StringIO(to_csv(res))))[-1]
    assert (note["kind"], note["id"]) == ("note", "measurement")
    assert m["zh"] in note["note"] and m["en"] in note["note"]
    out = run("metrics", "--workspace", late_ws).stdout
    assert "平面量算" in out and "QGIS" in out
    out = run("metrics", "--workspace", late_ws, "--lang", "en").stdout
    assert "Lengths and areas are planar in EPSG:4548" in out


def test_the_stated_difference_to_the_ellipsoid_is_the_measured_one(late_ws):
    """A 1 km square and a 1 km line at the test origin, measured planar and on the
    CGCS2000 ellipsoid (pyproj.Geod, what QGIS shows): the differences lie in the ranges
    stated, and are far below 0.03 % here."""
    m = compute_metrics(load_workspace(late_ws)).measurement
    sq = gpd.GeoSeries([shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)], crs="EPSG:4548")
    ln = gpd.GeoSeries([shapely.LineString([(X0, Y0), (X0 + 1000, Y0)])], crs="EPSG:4548")
    geod = pyproj.CRS("EPSG:4490").get_geod()
    assert geod is not None
    area = abs(geod.geometry_area_perimeter(sq.to_crs("EPSG:4490").iloc[0])[0])
    length = geod.geometry_length(ln.to_crs("EPSG:4490").iloc[0])
    a_scale, l_scale = 1e6 / area, 1000 / length
    assert m["area_scale"][0] - 1e-6 <= a_scale <= m["area_scale"][1] + 1e-6
    assert m["length_scale"][0] - 1e-6 <= l_scale <= m["length_scale"][1] + 1e-6
    assert 0 < a_scale - 1 < 3e-4 and 0 < l_scale - 1 < 3e-4


# ------------------------------------------------------------------ every core, same result

def test_metrics_use_every_core(late_ws, monkeypatch):
    seen = []
    real = service.covered_area

    def spy(*args, **kwargs):
        seen.append(kwargs.get("workers"))
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "covered_area", spy)
    root = make_ws(late_ws.parent / "res", context={
        "residential": ("Polygon", [ctx("R-1", rect(0, 0, 100, 100))]),
        "parks": ("Polygon", [ctx("P-1", rect(200, 0, 100, 100))])})
    compute_metrics(load_workspace(root))
    assert seen and all(w is None for w in seen)  # None: service.default_workers()
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    assert service.default_workers() == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(64)),
                        raising=False)
    assert service.default_workers() == service.MAX_WORKERS


def test_coverage_is_the_same_bit_for_bit_on_any_number_of_threads():
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0, 5000, 3000), rng.uniform(0, 5000, 3000)
    res = gpd.GeoDataFrame(geometry=shapely.box(x, y, x + 40, y + 30), crs="EPSG:4548")
    px, py = rng.uniform(0, 5000, 40), rng.uniform(0, 5000, 40)
    side = rng.uniform(40, 120, 40)
    parks = gpd.GeoDataFrame(geometry=shapely.box(px, py, px + side, py + side),
                             crs="EPSG:4548")
    runs = [service.park_service_coverage(res, parks, workers=w) for w in (1, 2, 3)]
    assert runs[0].value is not None
    assert 0 < runs[0].value < 100
    for r in runs[1:]:
        assert r.value == runs[0].value and r.covered_m2 == runs[0].covered_m2
        assert np.array_equal(r.per_parcel_m2, runs[0].per_parcel_m2)


def test_plan_total_only_for_additive_metrics_without_overlapping_years(late_ws):
    from citymap.metrics import plan_total

    ws = load_workspace(late_ws)
    ts = {t.id: t for t in compute_metrics(ws, as_of=END_2022).targets}
    two = plan_total([ts["8.1"], ts["8.2"]])
    assert two is not None
    assert (two["target"], two["actual"], two["by_deadline"]) == (3.0, 3.0, 2.0)
    # on its own deadline (as_of = 2022-12-31) 8.3 is not yet past it: its value is its own
    one = plan_total([ts["8.3"]])
    assert one is not None
    assert one["by_deadline"] == ts["8.3"].actual == 1.0
    assert plan_total([]) is None
    assert plan_total([ts["P.1"]]) is None                     # area_each: not additive
    both = attrs.evolve(ts["8.2"], start_year=2020)            # 2020–2021 overlaps 2020
    assert plan_total([ts["8.1"], both]) is None
    assert plan_total([ts["8.1"], attrs.evolve(ts["8.2"], actual=None)]) is None


def test_plan_total_of_nothing_done_is_zero(late_ws):
    ws = load_workspace(late_ws)
    (s,) = [s for s in compute_metrics(ws, as_of=dt.date(2020, 1, 1)).series()
            if s["metric"] == "pocket_parks"]
    assert (s["total"]["actual"], s["total"]["by_deadline"]) == (0.0, 0.0)
