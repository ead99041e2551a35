"""``citymap export``: files on stdout, clean errors with exit code 2."""

from __future__ import annotations

import pyogrio
from click.testing import CliRunner

from _ws import make_workspace
from citymap.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_export_all_default_folder(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    r = run("export", "--workspace", ws, "--also-projected")
    assert r.exit_code == 0, r.output
    out = ws / "export"
    assert str(out / "citymap.gpkg") in r.stdout
    for rel in ("geojson/toilets.geojson", "shp/old_communities.shp", "shp/fields.csv",
                "csv/works.csv", "csv/targets.csv"):
        assert (out / rel).is_file(), rel
    assert "toilets_4548" in dict(pyogrio.list_layers(out / "citymap.gpkg").tolist())
    assert "ok: " in r.stderr and "Shapefile toilets.shp" in r.stderr  # progress on stderr


def test_export_one_format_to_file_with_crs(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    r = run("export", "-w", ws, "--format", "gpkg", "-o", tmp_path / "gis.gpkg", "--crs", "4326")
    assert r.exit_code == 0, r.output
    assert pyogrio.read_info(tmp_path / "gis.gpkg", layer="toilets")["crs"] == "EPSG:4326"


def test_bad_crs_is_a_one_line_error(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    r = run("--lang", "en", "export", "-w", ws, "--format", "gpkg", "--crs", "EPSG:4214")
    assert r.exit_code == 2
    assert r.output.startswith("Error: --crs 'EPSG:4214'") and "Traceback" not in r.output
    assert len(r.output.strip().splitlines()) == 1
    r = run("--lang", "en", "export", "-w", ws, "--format", "shp", "--crs", "nonsense")
    assert r.exit_code == 2 and "not a coordinate reference system" in r.output


def test_unknown_layer_and_bad_workspace(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    r = run("--lang", "en", "export", "-w", ws, "--layer", "nope")
    assert r.exit_code == 2 and "unknown layer(s) 'nope'" in r.output
    r = run("--lang", "en", "export", "-w", tmp_path / "empty")
    assert r.exit_code == 2 and "not a citymap workspace" in r.output


def test_help_has_examples():
    r = run("export", "--help")
    assert r.exit_code == 0
    assert "citymap export --format all" in r.output and "fields.csv" in r.output


def test_sites_carry_their_status_on_the_as_of_date(tmp_path):
    import json

    ws = make_workspace(tmp_path / "ws")
    first = _first_site(ws)
    (ws / "geo" / "status_log.csv").write_text(
        "date,id,status,percent,note,unit,recorded_at\n"
        f"2021-05-01,{first},已完成,100,,,2021-05-01T09:00:00+08:00\n", encoding="utf-8")
    out = tmp_path / "out"
    for day, expected in (("2021-04-30", "未开始"), ("2021-05-01", "已完成"), ("today", "已完成")):
        r = run("export", "--workspace", ws, "--format", "geojson", "-o", out, "--as-of", day)
        assert r.exit_code == 0, r.output
        layer = next(p for p in (out / "geojson").glob("*.geojson")
                     if first in p.read_text(encoding="utf-8"))
        doc = json.loads(layer.read_text(encoding="utf-8"))
        props = next(f["properties"] for f in doc["features"] if f["properties"]["id"] == first)
        assert props["status"] == expected, day
        if expected == "已完成":
            assert props["status_date"] == "2021-05-01"


def _first_site(ws):
    import json

    for p in sorted((ws / "geo" / "sites").glob("*.geojson")):
        feats = json.loads(p.read_text(encoding="utf-8"))["features"]
        if feats:
            return feats[0]["properties"]["id"]
    raise AssertionError("no site")
