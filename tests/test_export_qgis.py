"""Exports that open finished in QGIS, CAD and old ArcGIS, and round trips that change nothing.

The GeoPackage is read back with sqlite3 and GDAL (ogrinfo), the Shapefile with pyogrio,
the DXF with GDAL; the round trip goes through ogr2ogr the way QGIS users convert
(GPKG → Shapefile in GBK → zip by e-mail → import).
"""

from __future__ import annotations

import sqlite3
import subprocess
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod

from _intake import run, tree_hash
from _ws import make_workspace
from citymap.io.export import export_workspace
from citymap.vocab import STATUS_COLORS
from citymap.workspace import load_workspace

LOG = ("date,id,status,percent,note,unit,recorded_at\n"
       "2021-05-01,WC-1,进行中,40,,,2021-05-01T09:00:00\n"
       "2021-09-01,OC-1,已完成,100,,,2021-09-01T09:00:00\n")


@pytest.fixture
def root(tmp_path):
    root = make_workspace(tmp_path / "ws")
    (root / "geo" / "status_log.csv").write_text(LOG, encoding="utf-8")
    return root


def _rgb(hex_color):
    c = hex_color.lstrip("#")
    return ",".join(str(int(c[i:i + 2], 16)) for i in (0, 2, 4))


def test_geopackage_styles_titles_aliases_types_and_measures(root, tmp_path):
    r = run("export", "-w", root, "--format", "gpkg", "-o", tmp_path / "gis.gpkg")
    assert r.exit_code == 0, r.output
    gpkg = tmp_path / "gis.gpkg"
    con = sqlite3.connect(gpkg)
    styles = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles "
                              "WHERE useAsDefault = 1").fetchall())
    titles = dict(con.execute("SELECT table_name, identifier FROM gpkg_contents").fetchall())
    aliases = dict(con.execute("SELECT column_name, name FROM gpkg_data_columns "
                               "WHERE table_name = 'old_communities'").fetchall())
    con.close()
    assert set(styles) == {"old_communities", "back_streets", "toilets"}
    assert titles["old_communities"] == "老旧小区改造" and titles["toilets"] == "公厕"
    assert aliases["households"] == "户数" and aliases["status_date"] == "状态日期"
    assert aliases["area_m2"] == "面积（平方米）"
    qml = ET.fromstring(styles["old_communities"].split("\n", 1)[1])
    renderer = _find(qml, "renderer-v2")
    assert renderer.get("type") == "categorizedSymbol" and renderer.get("attr") == "status"
    cats = {c.get("value"): c.get("symbol") for c in renderer.iter("category")}
    assert set(cats) == set(STATUS_COLORS)
    fills = {s.get("name"): _find(s, "layer/Option/Option[@name='color']").get("value")
             for s in renderer.iter("symbol")}
    for status, color in STATUS_COLORS.items():
        assert str(fills[cats[status]]).startswith(_rgb(color) + ","), (status, fills)
    line = ET.fromstring(styles["back_streets"].split("\n", 1)[1])
    assert {_find(s, "layer").get("class") for s in line.iter("symbol")} == {"SimpleLine"}
    point = ET.fromstring(styles["toilets"].split("\n", 1)[1])
    shapes = {_find(s, "layer/Option/Option[@name='name']").get("value")
              for s in point.iter("symbol")}
    assert shapes == {"circle", "triangle", "square", "diamond"}
    # types as GDAL sees them; the measuring method in the layer's metadata
    info = pyogrio.read_info(gpkg, layer="old_communities")
    types = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert types["status_date"] == "datetime64[D]" and types["year"] == "int64"
    assert types["households"] == "int64" and types["area_m2"] == "float64"
    assert "EPSG:4548" in info["layer_metadata"]["MEASURE_METHOD"]
    df = pyogrio.read_dataframe(gpkg, layer="old_communities").set_index("id")
    ring = [(117.5751234, 37.6501234), (117.5771234, 37.6501234), (117.5771234, 37.6521234),
            (117.5751234, 37.6521234)]
    hole = [(117.5761234, 37.6511234), (117.5766234, 37.6511234), (117.5766234, 37.6516234),
            (117.5761234, 37.6516234)]
    geod = Geod(ellps="GRS80")
    truth = abs(geod.polygon_area_perimeter([x for x, _ in ring], [y for _, y in ring])[0]) \
        - abs(geod.polygon_area_perimeter([x for x, _ in hole], [y for _, y in hole])[0])
    assert df.loc["OC-1", "area_m2"] == pytest.approx(truth, rel=1e-3)
    assert str(df.loc["OC-1", "status_date"])[:10] == "2021-09-01"  # from the status log
    lines = pyogrio.read_dataframe(gpkg, layer="back_streets")
    assert lines["length_m"].iloc[0] > 900  # ~0.01° of longitude at 37.6°N ≈ 880 m + bends


def test_shapefile_in_4548_gbk_and_dxf_for_cad(root, tmp_path):
    r = run("export", "-w", root, "--format", "shp", "--crs", "EPSG:4548", "--encoding", "GBK",
            "-o", tmp_path / "out")
    assert r.exit_code == 0, r.output
    shp = tmp_path / "out" / "shp" / "old_communities.shp"
    assert shp.with_suffix(".cpg").read_text() == "GBK"
    assert "幸福小区".encode("gbk") in shp.with_suffix(".dbf").read_bytes()
    df = pyogrio.read_dataframe(shp)
    assert pyogrio.read_info(shp)["crs"] == "EPSG:4548"
    assert "幸福小区" in df["name"].tolist()
    x = shapely.get_coordinates(np.asarray(df.geometry.values))[:, 0]
    assert ((x > 500_000) & (x < 600_000)).all()  # metres, CM 117E, no zone prefix
    assert str(df["stat_date"].dtype).startswith("datetime64")
    assert str(df["households"].dtype) == "int64"
    r = run("export", "-w", root, "--format", "dxf", "--crs", "EPSG:4548", "-o", tmp_path / "cad")
    assert r.exit_code == 0, r.output
    dxf = tmp_path / "cad" / "dxf" / "citymap.dxf"
    cad = pyogrio.read_dataframe(dxf)
    assert set(cad["Layer"]) == {"old_communities", "back_streets", "toilets"}
    y = shapely.get_coordinates(np.asarray(cad.geometry.values))[:, 1]
    assert ((y > 4_100_000) & (y < 4_200_000)).all()
    assert "CGCS2000_3_Degree_GK_CM_117E" in dxf.with_suffix(".prj").read_text()


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp"])
def test_export_then_reimport_changes_nothing(root, tmp_path, fmt):
    export_workspace(load_workspace(root), tmp_path / "out", fmt=fmt)
    before = tree_hash(root / "geo")
    src = {"geojson": "geojson/{}.geojson", "gpkg": "citymap.gpkg", "shp": "shp/{}.shp"}[fmt]
    for layer in ("old_communities", "back_streets", "toilets"):
        r = run("--lang", "en",
                "import", tmp_path / "out" / src.format(layer), "--layer", layer, "-w", root)
        assert r.exit_code == 0, r.output
        assert "nothing changed" in r.stderr, r.stderr
    assert tree_hash(root / "geo") == before


def test_round_trip_through_qgis_like_settings(root, tmp_path):
    """GPKG → ogr2ogr to a GBK Shapefile (QGIS "Save as" with encoding GBK) → zip → import."""
    r = run("--lang", "en", "export", "-w", root, "--format", "gpkg", "-o", tmp_path / "gis.gpkg")
    assert r.exit_code == 0, r.output
    before = tree_hash(root / "geo")
    for layer in ("old_communities", "back_streets", "toilets"):
        folder = tmp_path / layer
        subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", "-lco", "ENCODING=GBK",
                        str(folder), str(tmp_path / "gis.gpkg"), layer], check=True,
                       capture_output=True)
        archive = tmp_path / f"{layer}.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            for f in folder.iterdir():
                zf.write(f, f"交付/{f.name}")
        r = run("--lang", "en", "import", archive, "--layer", layer, "-w", root)
        assert r.exit_code == 0, r.output
        assert "nothing changed" in r.stderr and "text read as GBK" in r.stderr, r.stderr
    assert tree_hash(root / "geo") == before


def _find(element: ET.Element, path: str) -> ET.Element:
    found = element.find(path)
    assert found is not None, path
    return found
