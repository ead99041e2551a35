"""``citymap store metrics`` and ``citymap store build``: every county of a store at once."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from _ws_maps import TODAY, make_workspace
from citymap.cli.main import cli
from citymap.metrics import compute_metrics
from citymap.workspace import load_workspace


def run(*args):
    r = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r


@pytest.fixture
def two_counties(pg_url, tmp_path):
    a = make_workspace(tmp_path / "a")
    b = make_workspace(tmp_path / "b")
    cfg = b / "citymap.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('county = "测试县"',
                                                          'county = "邻县"'), encoding="utf-8")
    # the neighbour has one park fewer: its coverage differs
    parks = json.loads((b / "geo/context/parks.geojson").read_text(encoding="utf-8"))
    parks["features"] = parks["features"][:-1]
    (b / "geo/context/parks.geojson").write_text(json.dumps(parks, ensure_ascii=False),
                                                 encoding="utf-8")
    run("store", "init", "--store", pg_url)
    run("store", "push", "--workspace", a, "--store", pg_url)
    run("store", "push", "--workspace", b, "--store", pg_url)
    return pg_url, {"测试县": a, "邻县": b}


def test_metrics_for_all_counties_equal_each_county_in_python(two_counties):
    url, folders = two_counties
    out = run("store", "metrics", "--store", url, "--as-of", TODAY, "--format", "json")
    rows = {r["workspace"]: r for r in json.loads(out.stdout)}
    assert set(rows) == set(folders)
    day = dt.date.fromisoformat(TODAY)
    for key, folder in folders.items():
        ws = load_workspace(folder, today=day)
        res = compute_metrics(ws, as_of=day)
        (ind,) = [i for i in res.indicators
                  if i.key == "park_service_coverage" and i.scope == "county"]
        assert rows[key]["park_service_coverage_pct"] == pytest.approx(ind.value, rel=1e-9)
        zones = {z.id: z for z in res.zones}
        assert [z["zone"] for z in rows[key]["zones"]] == list(zones)
        for z in rows[key]["zones"]:
            assert z["covered_pct"] == pytest.approx(zones[z["zone"]].covered_share, rel=1e-9)
    assert rows["测试县"]["park_service_coverage_pct"] != rows["邻县"][
        "park_service_coverage_pct"]
    one = run("store", "metrics", "--store", url, "--store-workspace", "邻县", "--format",
              "json")
    assert [r["workspace"] for r in json.loads(one.stdout)] == ["邻县"]


def test_build_maps_of_every_county(two_counties, tmp_path):
    url, folders = two_counties
    out = tmp_path / "all"
    run("store", "build", "--store", url, "-o", out, "--offline")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "测试县" in index and "邻县" in index
    subs = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert subs == ["county-001", "county-002"]
    for sub in subs:
        assert (out / sub / "index.html").is_file() and (out / sub / "metrics.json").is_file()
