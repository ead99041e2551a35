"""``citymap validate``: summary on success, every problem and exit 2 on failure."""

from __future__ import annotations

import json

from click.testing import CliRunner

from _ws_core import default_features, make_workspace
from citymap.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_ok_prints_summary_per_layer_and_work(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    r = run("validate", "--workspace", ws)
    assert r.exit_code == 0, r.output
    assert "pocket_parks" in r.stdout and "old_communities" in r.stdout
    assert "居住环境改造提升工程" in r.stdout
    assert "ok: 3 works, 3 targets, 3 layers, 4 sites, 0 status events (schematic data 示意)" \
        in r.stderr


def test_lists_every_problem_and_exits_2(tmp_path):
    feats = default_features()
    feats["pocket_parks"][0]["properties"]["works"] = "99"
    feats["pocket_parks"][1]["properties"]["id"] = "OC-1"
    ws = make_workspace(tmp_path / "ws", features=feats)
    r = run("--lang", "en", "validate", "--workspace", ws)
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert "2 problems found:" in r.output
    assert "feature 'PP-1': works: links to work 99, which is not in the register" in r.output
    assert "feature 'OC-1': id: duplicate id 'OC-1'" in r.output


def test_repair_writes_valid_geometry_back(tmp_path):
    feats = default_features()
    feats["pocket_parks"][0]["geometry"] = {"type": "Polygon", "coordinates": [[
        [117.57, 37.64], [117.572, 37.642], [117.572, 37.64], [117.57, 37.642], [117.57, 37.64]]]}
    ws = make_workspace(tmp_path / "ws", features=feats)
    assert run("--lang", "en", "validate", "--workspace", ws).exit_code == 2
    r = run("--lang", "en", "validate", "--workspace", ws, "--repair")
    assert r.exit_code == 0, r.output
    assert "geometry repaired with make_valid" in r.stderr
    assert run("--lang", "en", "validate", "--workspace", ws).exit_code == 0
    doc = json.loads((ws / "geo/sites/pocket_parks.geojson").read_text(encoding="utf-8"))
    assert doc["features"][0]["geometry"]["type"] in ("MultiPolygon", "Polygon")


def test_missing_workspace(tmp_path):
    r = run("--lang", "en", "validate", "--workspace", tmp_path)
    assert r.exit_code == 2
    assert "is not a citymap workspace: no citymap.toml" in r.output
