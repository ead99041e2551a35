"""``citymap import``: summary on stderr, every problem and exit code 2 on bad input."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
from click.testing import CliRunner

from _ws import make_workspace
from citymap.cli.main import cli
from citymap.gcj02 import wgs84_to_gcj02


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def survey(path, *, lon=117.6, lat=37.66, ids=("WC-9",), works=("19",), crs="EPSG:4326",
           driver=None):
    n = len(ids)
    gdf = gpd.GeoDataFrame({
        "id": list(ids), "works": list(works), "name": ["城东公厕"] * n, "year": [2021] * n,
        "status": ["进行中"] * n, "stat_date": ["2021-03-01"] * n, "source": ["测绘"] * n,
        "seats": [8] * n,
    }, geometry=gpd.points_from_xy([lon] * n, [lat] * n), crs="EPSG:4326").to_crs(crs)
    pyogrio.write_dataframe(gdf, path, driver=driver,
                            encoding="GBK" if str(path).endswith(".shp") else None)
    return path


def test_import_then_dry_run(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    f = survey(tmp_path / "厕所.shp")
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws, "--dry-run")
    assert r.exit_code == 0, r.output
    assert "would import 1 site" in r.stderr and "new: WC-9" in r.stderr
    assert "WC-9" not in (ws / "geo/sites/toilets.geojson").read_text("utf-8")
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws)
    assert r.exit_code == 0, r.output
    assert "imported 1 site" in r.stderr and "stat_date → status_date" in r.stderr
    assert "城东公厕" in (ws / "geo/sites/toilets.geojson").read_text("utf-8")
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws)
    assert "0 new, 1 replacing sites with the same id" in r.stderr
    assert run("--lang", "en", "validate", "-w", ws).exit_code == 0


def test_gbk_without_cpg_and_explicit_encoding(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    f = survey(tmp_path / "t.shp")
    (tmp_path / "t.cpg").unlink()
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws, "--dry-run")
    assert r.exit_code == 0 and "text read as GB18030" in r.stderr
    r = run("--lang", "en",
            "import", f, "--layer", "toilets", "-w", ws, "--encoding", "GBK", "--dry-run")
    assert r.exit_code == 0 and "text read as GBK" in r.stderr


def test_problems_exit_2_list_everything_write_nothing(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    before = (ws / "geo/sites/toilets.geojson").read_bytes()
    f = survey(tmp_path / "bad.geojson", ids=("WC-9", "WC-1x"), works=("77", "19"),
               lon=120.0, lat=30.0, driver="GeoJSON")
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.output.startswith("Error: 3 problems found:")
    assert "bad.geojson: feature 'WC-9': works: links to work 77" in r.output
    assert "feature 'WC-1x': geometry: lies outside" in r.output
    assert (ws / "geo/sites/toilets.geojson").read_bytes() == before


def test_missing_crs_says_use_crs_and_zone39_works(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    f = survey(tmp_path / "z.shp", crs="EPSG:4527")
    (tmp_path / "z.prj").unlink()
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws)
    assert r.exit_code == 2 and "no coordinate reference system" in r.output
    assert "--crs" in r.output and len(r.output.strip().splitlines()) == 1
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws, "--crs", "EPSG:4527")
    assert r.exit_code == 0, r.output
    assert "CGCS2000 / 3-degree Gauss-Kruger zone 39 (EPSG:4527)" in r.stderr


def test_from_gcj02(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    glon, glat = wgs84_to_gcj02(117.6, 37.66)
    f = survey(tmp_path / "amap.geojson", lon=float(glon), lat=float(glat), driver="GeoJSON")
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws, "--from", "gcj02")
    assert r.exit_code == 0, r.output
    assert "converted from GCJ-02 to WGS 84" in r.stderr
    text = (ws / "geo/sites/toilets.geojson").read_text("utf-8")
    assert "[117.6, 37.66]" in text


def test_usage_errors(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    r = run("--lang", "en", "import", tmp_path / "none.shp", "--layer", "toilets", "-w", ws)
    assert r.exit_code == 2 and "none.shp: file not found" in r.output
    r = run("--lang", "en", "import", tmp_path / "none.shp", "-w", ws)
    assert r.exit_code == 2 and "--layer" in r.output
    r = run("--lang", "en", "import", "--help")
    assert r.exit_code == 0 and "--from gcj02" in r.output and "--source-layer" in r.output


def _empty_files(tmp_path):
    """Files with no feature, made by GDAL (ogr2ogr) as other GIS software would."""
    import subprocess

    src = tmp_path / "one.geojson"
    src.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                   '"properties": {"id": "WC-9", "works": "19"}, "geometry": {"type": '
                   '"Point", "coordinates": [117.6, 37.66]}}]}', encoding="utf-8")
    out = []
    for name, driver in (("empty.shp", "ESRI Shapefile"), ("empty.gpkg", "GPKG")):
        subprocess.run(["ogr2ogr", "-f", driver, "-where", "1=0", "-nln", "toilets",
                        str(tmp_path / name), str(src)], check=True, capture_output=True)
        out.append(tmp_path / name)
    plain = tmp_path / "empty.geojson"
    plain.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    return [*out, plain]


def test_import_of_an_empty_file_changes_nothing(tmp_path):
    import os

    ws = make_workspace(tmp_path / "ws")
    layer = ws / "geo/sites/toilets.geojson"
    for f in _empty_files(tmp_path):
        before, stat = layer.read_bytes(), layer.stat()
        r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws)
        assert r.exit_code == 0, r.output
        assert f"{f} has no features: nothing imported, layer 'toilets'" in r.stderr
        assert "unchanged" in r.stderr
        assert layer.read_bytes() == before  # byte-identical, not rewritten
        assert os.stat(layer).st_ino == stat.st_ino and layer.stat().st_mtime_ns == \
            stat.st_mtime_ns
