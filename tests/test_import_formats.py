"""The formats that arrive, made the way other software makes them, and the hints given.

CSV as Excel writes it (GBK or UTF-8), DXF and FileGDB with ogr2ogr, KML/KMZ by hand as
Google Earth / 奥维 write them, zips as Chinese Windows writes them (GBK member names,
folders, a zip in a zip), a GeoPackage with several layers. Each is imported with the
options a planner types; names, values and geometry (within 1 m) are checked; each
refusal is one line and leaves the workspace as it was.
"""

from __future__ import annotations

import subprocess
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from _intake import metres, run, sites, tree_hash
from _ws import make_workspace as make_point_workspace
from _ws_core import make_workspace
from citymap.gcj02 import wgs84_to_gcj02

NORTH = shapely.box(117.600, 37.650, 117.601, 37.651)
SOUTH = shapely.box(117.610, 37.650, 117.611, 37.651)


def ogr2ogr(*args):
    subprocess.run(["ogr2ogr", *map(str, args)], check=True, capture_output=True)


class _GBKInfo(zipfile.ZipInfo):
    """A member whose name is stored in GBK without the UTF-8 flag (Chinese Windows)."""

    def _encodeFilenameFlags(self):  # noqa: N802 - zipfile's own name
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def gbk_zip(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(_GBKInfo(name), data)
    return path


# ----------------------------------------------------------------------------- CSV


def test_gbk_csv_with_lng_lat(tmp_path):
    ws = make_point_workspace(tmp_path / "ws")
    f = tmp_path / "公厕.csv"
    f.write_bytes("名称,lng,lat,年份\r\n城东公厕,117.6,37.66,2021\r\n".encode("gbk"))
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws)
    assert r.exit_code == 0, r.output
    assert "text read as GB18030" in r.stderr
    got = sites(ws, "toilets")["城东公厕"]
    assert got["year"] == 2021 and got["works"] == "19" and got["source"] == "公厕.csv"
    assert metres(got["geometry"], shapely.Point(117.6, 37.66)) < 1.0


def test_csv_with_projected_x_y_needs_crs(tmp_path):
    ws = make_point_workspace(tmp_path / "ws")
    x, y = gpd.GeoSeries([shapely.Point(117.6, 37.66)], crs=4326).to_crs(4548).iloc[0].coords[0]
    f = tmp_path / "测绘.csv"
    f.write_text(f"名称,东坐标,北坐标,年份\n城东公厕,{x:.3f},{y:.3f},2021\n", encoding="utf-8")
    before = tree_hash(ws)
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws)
    assert r.exit_code == 2
    assert r.output == (f"Error: {f}: the data has no coordinate reference system; its "
                        "coordinates fit EPSG:4548: import it with --crs EPSG:4548\n")
    assert tree_hash(ws) == before
    r = run("--lang", "en", "import", f, "--layer", "toilets", "--crs", "EPSG:4548", "-w", ws)
    assert r.exit_code == 0, r.output
    assert metres(sites(ws, "toilets")["城东公厕"]["geometry"],
                  shapely.Point(117.6, 37.66)) < 1.0


def test_csv_without_coordinate_columns_is_refused(tmp_path):
    ws = make_point_workspace(tmp_path / "ws")
    f = tmp_path / "t.csv"
    f.write_text("名称,地址\n城东公厕,城东路\n", encoding="utf-8")
    before = tree_hash(ws)
    r = run("--lang", "en", "import", f, "--layer", "toilets", "-w", ws)
    assert r.exit_code == 2
    assert r.output == (f"Error: {f}: has no coordinate columns (its columns are 名称, 地址); "
                        "name them 经度/纬度 (or lon/lat, x/y, 东坐标/北坐标) and give projected "
                        "x/y their CRS with --crs\n")
    assert tree_hash(ws) == before


# ----------------------------------------------------------------------------- DXF


def test_dxf_closed_polylines_become_polygons_named_by_their_labels(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    rings = gpd.GeoDataFrame({"Layer": ["口袋公园", "节点"], "OGR_STYLE": [None, None]},
                             geometry=[NORTH.exterior, SOUTH.exterior], crs=4326)
    labels = gpd.GeoDataFrame(
        {"Layer": ["文字", "文字"], "OGR_STYLE": ['LABEL(f:"SimSun",t:"北街口袋公园")',
                                                'LABEL(f:"SimSun",t:"南街游园")']},
        geometry=[NORTH.centroid, SOUTH.centroid], crs=4326)
    src = tmp_path / "drawing.geojson"
    pd.concat([rings, labels], ignore_index=True).to_crs(4548).to_file(src, driver="GeoJSON")
    ogr2ogr("-f", "DXF", tmp_path / "规划.dxf", src)
    r = run("import", tmp_path / "规划.dxf", "--layer", "pocket_parks", "--crs", "EPSG:4548",
            "--map", "Layer=kind", "--set", "year=2021", "-w", ws)
    assert r.exit_code == 0, r.output
    got = sites(ws, "pocket_parks")
    assert got["北街口袋公园"]["kind"] == "口袋公园" and got["南街游园"]["kind"] == "节点"
    assert got["北街口袋公园"]["geometry"].geom_type == "Polygon"
    assert metres(got["北街口袋公园"]["geometry"], NORTH) < 1.0
    assert metres(got["南街游园"]["geometry"], SOUTH) < 1.0


# ----------------------------------------------------------------------------- KML


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">
<Document>
  <name>口袋公园.kml</name>
  <Style id="s1"><PolyStyle><color>7f00ff00</color></PolyStyle></Style>
  <Folder><name>2021年</name>
    <Folder><name>城东</name>
      <Placemark><name>北街口袋公园</name><description>街道报送</description>
        <styleUrl>#s1</styleUrl>
        <ExtendedData><Data name="建设年份"><value>2021</value></Data>
          <Data name="面积"><value>1200.5</value></Data></ExtendedData>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          117.600,37.650,0 117.601,37.650,0 117.601,37.651,0 117.600,37.651,0 117.600,37.650,0
        </coordinates></LinearRing></outerBoundaryIs></Polygon>
      </Placemark>
    </Folder>
    <Folder><name>城西</name>
      <Placemark><name>南街口袋公园</name>
        <ExtendedData><Data name="建设年份"><value>2021年</value></Data></ExtendedData>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          117.610,37.650,0 117.611,37.650,0 117.611,37.651,0 117.610,37.651,0 117.610,37.650,0
        </coordinates></LinearRing></outerBoundaryIs></Polygon>
      </Placemark>
    </Folder>
  </Folder>
</Document>
</kml>
"""


@pytest.mark.parametrize("suffix", [".kml", ".kmz"])
def test_kml_with_nested_folders_and_extended_data(tmp_path, suffix):
    ws = make_workspace(tmp_path / "ws")
    f = tmp_path / f"口袋公园{suffix}"
    if suffix == ".kml":
        f.write_text(KML, encoding="utf-8")
    else:
        with zipfile.ZipFile(f, "w") as zf:
            zf.writestr("doc.kml", KML)
    r = run("import", f, "--layer", "pocket_parks", "--map", "建设年份=year", "-w", ws)
    assert r.exit_code == 0, r.output
    got = sites(ws, "pocket_parks")
    north = got["北街口袋公园"]
    assert north["year"] == 2021 and got["南街口袋公园"]["year"] == 2021
    assert north["folder"] == "城东" and got["南街口袋公园"]["folder"] == "城西"
    assert north["面积"] == "1200.5" and north["description"] == "街道报送"
    assert metres(north["geometry"], NORTH) < 1.0
    assert metres(got["南街口袋公园"]["geometry"], SOUTH) < 1.0


# ----------------------------------------------------------------------------- zip, gdb, gpkg


def _gbk_shapefile_bytes(tmp_path, names):
    gdf = gpd.GeoDataFrame({"名称": names, "年份": ["2021"] * len(names)},
                           geometry=[NORTH, SOUTH][:len(names)], crs=4326).to_crs(4527)
    pyogrio.write_dataframe(gdf, tmp_path / "x.shp", encoding="GBK")
    (tmp_path / "x.cpg").unlink()  # as Chinese desktop GIS writes it: no .cpg
    return {s: (tmp_path / f"x{s}").read_bytes() for s in (".shp", ".shx", ".dbf", ".prj")}


def test_zip_with_gbk_names_a_folder_and_a_zip_inside(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    parts = _gbk_shapefile_bytes(tmp_path, ["北街口袋公园", "南街口袋公园"])
    inner = gbk_zip(tmp_path / "inner.zip", {f"口袋公园交付/口袋公园{s}": b
                                              for s, b in parts.items()})
    outer = gbk_zip(tmp_path / "县自然资源规划局.zip",
                    {"说明.txt": "交付说明".encode("gbk"), "数据.zip": inner.read_bytes()})
    r = run("--lang", "en",
            "import", outer, "--layer", "pocket_parks", "--set", "year=2021", "-w", ws)
    assert r.exit_code == 0, r.output
    assert "text read as GB18030" in r.stderr
    got = sites(ws, "pocket_parks")
    assert got["北街口袋公园"]["source"] == "县自然资源规划局.zip"
    assert metres(got["南街口袋公园"]["geometry"], SOUTH) < 1.0


def test_zip_with_two_datasets_asks_which(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    parts = _gbk_shapefile_bytes(tmp_path, ["北街口袋公园"])
    f = gbk_zip(tmp_path / "d.zip", {**{f"甲{s}": b for s, b in parts.items()},
                                     **{f"乙{s}": b for s, b in parts.items()}})
    before = tree_hash(ws)
    r = run("--lang", "en", "import", f, "--layer", "pocket_parks", "-w", ws)
    assert r.exit_code == 2
    assert r.output == (f"Error: {f}: holds 2 datasets (乙.shp, 甲.shp); choose one with "
                        "--source-layer NAME\n")
    assert tree_hash(ws) == before
    r = run("--lang", "en",
            "import", f, "--layer", "pocket_parks", "--source-layer", "甲.shp", "--set",
            "year=2021", "-w", ws)
    assert r.exit_code == 0, r.output


def test_filegdb_folder(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    src = tmp_path / "p.geojson"
    gpd.GeoDataFrame({"名称": ["北街口袋公园"], "建设年份": [2021]}, geometry=[NORTH],
                     crs=4326).to_crs(4548).to_file(src, driver="GeoJSON")
    ogr2ogr("-f", "OpenFileGDB", tmp_path / "交付.gdb", src, "-nln", "口袋公园")
    r = run("import", tmp_path / "交付.gdb", "--layer", "pocket_parks", "-w", ws)
    assert r.exit_code == 0, r.output
    got = sites(ws, "pocket_parks")["北街口袋公园"]
    assert got["year"] == 2021 and metres(got["geometry"], NORTH) < 1.0


def test_geopackage_with_several_layers(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    f = tmp_path / "成果.gpkg"
    for layer, geom in (("口袋公园", NORTH), ("节点", SOUTH)):
        gpd.GeoDataFrame({"名称": [layer], "年份": [2021]}, geometry=[geom],
                         crs=4490).to_file(f, layer=layer, driver="GPKG")
    before = tree_hash(ws)
    r = run("--lang", "en", "import", f, "--layer", "pocket_parks", "-w", ws)
    assert r.exit_code == 2 and tree_hash(ws) == before
    assert r.output == (f"Error: {f}: holds 2 layers (口袋公园, 节点); choose one with "
                        "--source-layer\n")
    r = run("--lang", "en",
            "import", f, "--layer", "pocket_parks", "--source-layer", "节点", "-w", ws)
    assert r.exit_code == 0, r.output
    assert metres(sites(ws, "pocket_parks")["节点"]["geometry"], SOUTH) < 1.0


# ----------------------------------------------------------------------------- hints


def test_zone_39_coordinates_under_a_cm_117_prj(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    gdf = gpd.GeoDataFrame({"名称": ["北街口袋公园"], "年份": [2021]}, geometry=[NORTH],
                           crs=4326).to_crs(4527)
    gdf = gdf.set_crs(4548, allow_override=True)  # the .prj says CM 117E: a common mix-up
    pyogrio.write_dataframe(gdf, tmp_path / "p.shp", encoding="UTF-8")
    before = tree_hash(ws)
    r = run("--lang", "en", "import", tmp_path / "p.shp", "--layer", "pocket_parks", "-w", ws)
    assert r.exit_code == 2 and tree_hash(ws) == before
    assert r.output.startswith(f"Error: {tmp_path / 'p.shp'}: the coordinates (e.g. ")
    assert r.output.endswith("do not fit its CRS EPSG:4548 (CGCS2000 / 3-degree Gauss-Kruger "
                             "CM 117E); they fit EPSG:4527 (CGCS2000 / 3-degree Gauss-Kruger "
                             "zone 39): import with --crs EPSG:4527 (--crs overrides the "
                             "file's .prj)\n")
    r = run("--lang", "en",
            "import", tmp_path / "p.shp", "--layer", "pocket_parks", "--crs", "EPSG:4527",
            "-w", ws)
    assert r.exit_code == 0, r.output
    assert "note: --crs EPSG:4527 overrides the file's own CRS EPSG:4548" in r.stderr
    assert metres(sites(ws, "pocket_parks")["北街口袋公园"]["geometry"], NORTH) < 1.0


def test_gcj02_data_gets_a_warning(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    existing = sites(ws, "pocket_parks")  # 东门口袋公园, 西门口袋公园
    pts = {n: s["geometry"].centroid for n, s in existing.items()}
    lon, lat = wgs84_to_gcj02([p.x for p in pts.values()], [p.y for p in pts.values()])
    amap = gpd.GeoDataFrame({"name": list(pts), "year": [2020, 2020]},
                            geometry=[shapely.Point(x, y).buffer(0.0004, 1)
                                      for x, y in zip(lon, lat, strict=True)], crs=4326)
    amap.to_file(tmp_path / "amap.geojson", driver="GeoJSON")
    r = run("--lang", "en",
            "import", tmp_path / "amap.geojson", "--layer", "pocket_parks", "--dry-run",
            "-w", ws)
    assert r.exit_code == 0, r.output
    assert "warning: 2 of 2 feature(s) lie ~" in r.stderr
    assert "in the direction of the GCJ-02 shift: this may be AMap/Gaode or Baidu data; if " \
        "so, import it with --from gcj02" in r.stderr
    r = run("--lang", "en",
            "import", tmp_path / "amap.geojson", "--layer", "pocket_parks", "--from", "gcj02",
            "-w", ws)
    assert r.exit_code == 0 and "warning:" not in r.stderr, r.output
    for name, p in pts.items():
        got = [s for s in sites(ws, "pocket_parks").values()
               if s["name"] == name and s["id"] not in ("PP-1", "PP-2")][0]
        assert metres(got["geometry"].centroid, p) < 1.0


def test_gdal_driver_advice_never_reaches_a_planner(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    f = tmp_path / "坏.gpkg"
    f.write_text("not a geopackage", encoding="utf-8")
    r = run("--lang", "en", "import", f, "--layer", "pocket_parks", "-w", ws)
    assert r.exit_code == 2
    assert "DRIVER" not in r.output and "/vsimem" not in r.output
    assert r.output == (f"Error: {f}: cannot be read as GIS data: not a format citymap reads "
                        "(Shapefile, GeoPackage, FileGDB, GeoJSON, KML/KMZ, DXF, CSV, XLSX, "
                        "or a zip of one)\n")


def test_zipped_filegdb_and_dxf_without_crs(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    src = tmp_path / "p.geojson"
    gpd.GeoDataFrame({"名称": ["北街口袋公园"], "建设年份": ["2021年"]}, geometry=[NORTH],
                     crs=4326).to_crs(4548).to_file(src, driver="GeoJSON")
    ogr2ogr("-f", "OpenFileGDB", tmp_path / "成果.gdb", src, "-nln", "口袋公园")
    archive = tmp_path / "成果.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in (tmp_path / "成果.gdb").iterdir():
            zf.write(f, f"成果.gdb/{f.name}")
    r = run("--lang", "en", "import", archive, "--layer", "pocket_parks", "-w", ws)
    assert r.exit_code == 0, r.output
    assert metres(sites(ws, "pocket_parks")["北街口袋公园"]["geometry"], NORTH) < 1.0
    # a CAD drawing has no CRS: the coordinates say which one to give
    ogr2ogr("-f", "DXF", tmp_path / "d.dxf", src)
    before = tree_hash(ws)
    r = run("--lang", "en", "import", tmp_path / "d.dxf", "--layer", "pocket_parks", "-w", ws)
    assert r.exit_code == 2 and tree_hash(ws) == before
    assert r.output == (f"Error: {tmp_path / 'd.dxf'}: the data has no coordinate reference "
                        "system; its coordinates fit EPSG:4548: import it with --crs "
                        "EPSG:4548\n")


def test_zip_bomb_is_refused_not_unpacked(tmp_path, monkeypatch):
    from citymap.io.intake import formats

    ws = make_workspace(tmp_path / "ws")
    monkeypatch.setattr(formats, "ZIP_MAX_BYTES", 1_000_000)  # the test's own small cap
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.shp", b"\0" * 600_000)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.zip", inner.read_bytes())
        zf.writestr("b.zip", inner.read_bytes())
    before = tree_hash(ws)
    r = run("--lang", "en", "import", bomb, "--layer", "pocket_parks", "-w", ws)
    assert r.exit_code == 2 and tree_hash(ws) == before
    assert r.output.startswith(f"Error: {bomb}/b.zip: unpacks to 1 files, 1 MB: more than "
                               "citymap unpacks"), r.output
