"""``citymap.io.importer``: formats, encodings, CRSs, GCJ-02, validation and round trips."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

from _ws import default_features, make_workspace
from citymap.errors import CRSError, ValidationError
from citymap.gcj02 import wgs84_to_gcj02
from citymap.io.export import export_workspace
from citymap.io.importer import import_sites, read_external
from citymap.store.folder import FolderStore
from citymap.workspace import load_workspace

COLS = ["id", "works", "name", "year", "status", "status_date", "source", "kind", "seats"]


def toilets(ids=("WC-9",), names=("城东公厕",), lon=117.6, lat=37.66, crs="EPSG:4326",
            **over):
    data = {"id": list(ids), "works": ["19"] * len(ids), "name": list(names),
            "year": [2021] * len(ids), "status": ["进行中"] * len(ids),
            "status_date": ["2021-03-01"] * len(ids), "source": ["测绘"] * len(ids),
            "kind": [None] * len(ids), "seats": [8] * len(ids)}
    data.update(over)
    pts = gpd.points_from_xy([lon + 0.001 * i for i in range(len(ids))], [lat] * len(ids))
    return gpd.GeoDataFrame(data, geometry=pts, crs="EPSG:4326").to_crs(crs)


def shp(gdf):
    """``gdf`` with the 10-character field names a Shapefile takes (as citymap exports)."""
    return gdf.rename(columns={"status_date": "stat_date"})


def other_sites():
    """The default features with other ids, so that imports add rather than replace."""
    return {n: [dict(f, properties=dict(f["properties"], id=f"X-{n}")) for f in fs[:1]]
            for n, fs in default_features().items()}


def max_coord_diff(a, b):
    ca = shapely.get_coordinates(shapely.normalize(np.asarray(a.geometry.values)))
    cb = shapely.get_coordinates(shapely.normalize(np.asarray(b.geometry.values)))
    assert ca.shape == cb.shape
    return float(np.max(np.abs(ca - cb)))


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp"])
def test_round_trip_export_import(tmp_path, fmt):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    export_workspace(ws, tmp_path / "out", fmt=fmt)
    src = {"geojson": "geojson/{}.geojson", "gpkg": "citymap.gpkg", "shp": "shp/{}.shp"}[fmt]
    root2 = make_workspace(tmp_path / "ws2", features=other_sites())
    for layer in ws.layers:
        s = import_sites(load_workspace(root2), tmp_path / "out" / src.format(layer),
                         layer=layer, store=FolderStore(load_workspace(root2).root))
        assert s.replaced == () and len(s.added) == len(ws.data[layer])
    ws2 = load_workspace(root2)
    for layer in ws.layers:
        a = ws.data[layer]
        b = ws2.data[layer]
        assert b["id"].tolist() == [f"X-{layer}", *a["id"]]  # new ids appended
        b = b.iloc[1:].reset_index(drop=True)
        assert_geodataframe_equal(a, b, normalize=True)
        assert max_coord_diff(a, b) <= 1e-7


@pytest.mark.usefixtures("english")
def test_reimport_replaces_same_ids_in_place(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    export_workspace(ws, tmp_path / "out", fmt="geojson", layers=["toilets"])
    s = import_sites(ws, tmp_path / "out" / "geojson" / "toilets.geojson", layer="toilets",
                     store=FolderStore(ws.root))
    assert s.added == () and s.replaced == ("WC-1", "WC-2")
    assert "2 replacing sites with the same id" in s.lines()[0]
    assert_geodataframe_equal(load_workspace(ws.root).data["toilets"], ws.data["toilets"])


def test_gbk_shapefile_with_cpg(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    pyogrio.write_dataframe(shp(toilets(names=["城东公厕"])), tmp_path / "t.shp",
                            encoding="GBK")
    assert (tmp_path / "t.cpg").read_text() == "GBK"
    s = import_sites(ws, tmp_path / "t.shp", layer="toilets", store=FolderStore(ws.root))
    assert s.added == ("WC-9",)
    assert "城东公厕" in load_workspace(ws.root).data["toilets"]["name"].tolist()


def test_gbk_shapefile_without_cpg_is_detected(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    pyogrio.write_dataframe(shp(toilets(names=["阳信县城东公厕"])), tmp_path / "t.shp",
                            encoding="GBK")
    (tmp_path / "t.cpg").unlink()
    gdf = read_external(tmp_path / "t.shp")
    assert gdf["name"].tolist() == ["阳信县城东公厕"]
    assert gdf.attrs["citymap.encoding"] == "GB18030"
    s = import_sites(ws, tmp_path / "t.shp", layer="toilets", dry_run=True,
                     store=FolderStore(ws.root))
    assert "GB18030" in "\n".join(s.lines())
    # an explicit --encoding wins
    assert read_external(tmp_path / "t.shp", encoding="GBK")["name"].tolist() == [
        "阳信县城东公厕"]


def test_utf8_shapefile_without_cpg(tmp_path):
    pyogrio.write_dataframe(shp(toilets(names=["城东公厕"])), tmp_path / "u.shp",
                            encoding="UTF-8")
    (tmp_path / "u.cpg").unlink()
    assert read_external(tmp_path / "u.shp")["name"].tolist() == ["城东公厕"]


@pytest.mark.usefixtures("english")
def test_wrong_encoding_is_a_clear_error(tmp_path):
    pyogrio.write_dataframe(shp(toilets()), tmp_path / "t.shp", encoding="GBK")
    (tmp_path / "t.cpg").unlink()
    with pytest.raises(ValidationError, match=r"t\.shp: the attribute text is not UTF-8"):
        read_external(tmp_path / "t.shp", encoding="UTF-8")


def test_zone39_gauss_kruger_with_zone_false_easting(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    src = toilets(crs="EPSG:4527")
    assert src.geometry.x.iloc[0] > 39_000_000  # zone number 39 in front of the easting
    pyogrio.write_dataframe(shp(src), tmp_path / "z39.shp", encoding="UTF-8")
    gdf = read_external(tmp_path / "z39.shp")
    assert gdf.crs.to_epsg() == 4326
    assert abs(gdf.geometry.x.iloc[0] - 117.6) < 1e-7 and abs(gdf.geometry.y.iloc[0] - 37.66) < 1e-7
    s = import_sites(ws, tmp_path / "z39.shp", layer="toilets", store=FolderStore(ws.root))
    assert s.added == ("WC-9",) and "EPSG:4527" in s.crs


def test_epsg4548_geopackage(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    pyogrio.write_dataframe(toilets(crs="EPSG:4548"), tmp_path / "m.gpkg", layer="survey")
    s = import_sites(ws, tmp_path / "m.gpkg", layer="toilets", store=FolderStore(ws.root))
    assert s.added == ("WC-9",)
    x = load_workspace(ws.root).data["toilets"].set_index("id").geometry["WC-9"].x
    assert abs(x - 117.6) < 1e-7


@pytest.mark.usefixtures("english")
def test_no_crs_is_refused_and_crs_option_fixes_it(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    pyogrio.write_dataframe(shp(toilets(crs="EPSG:4527")), tmp_path / "z.shp",
                            encoding="UTF-8")
    (tmp_path / "z.prj").unlink()
    with pytest.raises(CRSError, match=r"z\.shp: the data has no coordinate reference.*--crs"):
        import_sites(ws, tmp_path / "z.shp", layer="toilets", store=FolderStore(ws.root))
    s = import_sites(ws, tmp_path / "z.shp", layer="toilets", crs="EPSG:4527",
                     store=FolderStore(ws.root))
    assert s.added == ("WC-9",)


@pytest.mark.usefixtures("english")
def test_crs_option_overrides_the_files_crs_and_says_so(tmp_path):
    pyogrio.write_dataframe(shp(toilets(crs="EPSG:4527")), tmp_path / "z.shp",
                            encoding="UTF-8")
    truth = toilets().geometry.iloc[0]
    # a wrong --crs overrides the .prj: the coordinates then do not fit, and citymap says
    # which CRS they fit
    with pytest.raises(CRSError, match=r"z\.shp: the coordinates .* do not fit its CRS "
                       r"EPSG:4548 .*they fit EPSG:4527 .*--crs EPSG:4527"):
        read_external(tmp_path / "z.shp", crs="EPSG:4548", bounds=(117.28, 37.42, 117.83,
                                                                  37.78))
    # the same CRS in another form is fine, and no note is given
    g = read_external(tmp_path / "z.shp", crs=4527)
    assert g.attrs["citymap.notes"] == ()
    assert g.geometry.iloc[0].distance(truth) < 1e-5
    with pytest.raises(CRSError, match="not a coordinate reference system"):
        read_external(tmp_path / "z.shp", crs="EPSG:0")


def test_gcj02_published_pair_within_1m(tmp_path):
    # googollee/eviltransform python/test.py: Beijing WGS (39.911954, 116.377817) ↔
    # GCJ (39.91334545536069, 116.38404722455657)
    gcj = gpd.GeoDataFrame({"id": ["bj"]}, geometry=[shapely.Point(116.38404722455657,
                                                                    39.91334545536069)],
                           crs="EPSG:4326")
    gcj.to_file(tmp_path / "amap.geojson", driver="GeoJSON")
    p = read_external(tmp_path / "amap.geojson", from_gcj02=True).geometry.iloc[0]
    dy = (p.y - 39.911954) * 111_320
    dx = (p.x - 116.377817) * 111_320 * np.cos(np.radians(39.91))
    assert np.hypot(dx, dy) < 1.0


@pytest.mark.usefixtures("english")
def test_gcj02_import_of_county_site(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    glon, glat = wgs84_to_gcj02(117.6, 37.66)
    amap = toilets(lon=float(glon), lat=float(glat))
    amap.to_file(tmp_path / "amap.geojson", driver="GeoJSON")
    s = import_sites(ws, tmp_path / "amap.geojson", layer="toilets", from_gcj02=True,
                     store=FolderStore(ws.root))
    assert "converted from GCJ-02" in "\n".join(s.lines())
    pt = load_workspace(ws.root).data["toilets"].set_index("id").geometry["WC-9"]
    assert abs(pt.x - 117.6) < 1e-7 and abs(pt.y - 37.66) < 1e-7
    pyogrio.write_dataframe(toilets(crs="EPSG:4548"), tmp_path / "p.gpkg")
    with pytest.raises(CRSError, match="needs lon/lat"):
        read_external(tmp_path / "p.gpkg", from_gcj02=True)


def test_kml(tmp_path):
    kml = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark><name>城东公厕</name>
<Point><coordinates>117.6,37.66,0</coordinates></Point></Placemark></Document></kml>"""
    (tmp_path / "p.kml").write_text(kml, encoding="utf-8")
    gdf = read_external(tmp_path / "p.kml")
    assert gdf.geometry.iloc[0].equals(shapely.Point(117.6, 37.66))
    assert not gdf.geometry.iloc[0].has_z


@pytest.mark.usefixtures("english")
def test_file_with_problems_imports_nothing_and_lists_every_problem(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    target = ws.root / "geo" / "sites" / "toilets.geojson"
    before = target.read_bytes()
    bad = toilets(ids=["WC-9", "WC-9", "OC-1", "ok 1"], names=["a", "b", "c", "d"],
                  works=["19", "77", "19", "19"], year=[2021, 2021, 2019, 2021])
    bad.loc[3, "geometry"] = shapely.Point(120.0, 30.0)
    bad.to_file(tmp_path / "bad.gpkg", driver="GPKG")
    with pytest.raises(ValidationError) as ei:
        import_sites(ws, tmp_path / "bad.gpkg", layer="toilets", store=FolderStore(ws.root))
    msg = str(ei.value)
    assert msg.startswith("6 problems found:")
    for expected in ["bad.gpkg: feature 'WC-9': id: duplicate id 'WC-9'",
                     "feature 'WC-9': works: links to work 77",
                     "feature 'OC-1': id: duplicate id 'OC-1' (also in "
                     "geo/sites/old_communities.geojson)",
                     "feature 'OC-1': year: 2019 is not a plan year 2020–2022",
                     "feature 'ok 1': id: 'ok 1' is not a valid id",
                     "feature 'ok 1': geometry: lies outside the county's box"]:
        assert expected in msg, msg
    assert target.read_bytes() == before


@pytest.mark.usefixtures("english")
def test_outside_county_and_wrong_geometry_type(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    far = toilets(lon=120.0, lat=30.0)
    far.to_file(tmp_path / "far.geojson", driver="GeoJSON")
    with pytest.raises(ValidationError, match="outside the county"):
        import_sites(ws, tmp_path / "far.geojson", layer="toilets", store=FolderStore(ws.root))
    with pytest.raises(ValidationError, match="is a Point but layer 'old_communities'"):
        import_sites(ws, tmp_path / "far.geojson", layer="old_communities",
                     store=FolderStore(ws.root))


@pytest.mark.usefixtures("english")
def test_missing_fields_are_named(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    gdf = toilets()[["id", "name", "geometry"]]
    gdf.to_file(tmp_path / "few.geojson", driver="GeoJSON")
    # works, source and status have defaults for the toilets layer; the year has none
    with pytest.raises(ValidationError, match="year: missing property") as ei:
        import_sites(ws, tmp_path / "few.geojson", layer="toilets", store=FolderStore(ws.root))
    assert "the file's fields are id, name; map them with --map" in str(ei.value)


@pytest.mark.usefixtures("english")
def test_layers_and_files(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    with pytest.raises(ValidationError, match="file not found"):
        import_sites(ws, tmp_path / "nope.shp", layer="toilets", store=FolderStore(ws.root))
    with pytest.raises(ValidationError, match="unknown layer 'nope'"):
        import_sites(ws, tmp_path / "nope.shp", layer="nope", store=FolderStore(ws.root))
    pyogrio.write_dataframe(toilets(), tmp_path / "two.gpkg", layer="a")
    pyogrio.write_dataframe(toilets(ids=["WC-8"]), tmp_path / "two.gpkg", layer="b")
    with pytest.raises(ValidationError, match=r"holds 2 layers \(a, b\).*--source-layer"):
        import_sites(ws, tmp_path / "two.gpkg", layer="toilets", store=FolderStore(ws.root))
    with pytest.raises(ValidationError, match="has no layer 'c'"):
        import_sites(ws, tmp_path / "two.gpkg", layer="toilets", source_layer="c",
                     store=FolderStore(ws.root))
    s = import_sites(ws, tmp_path / "two.gpkg", layer="toilets", source_layer="b",
                     store=FolderStore(ws.root))
    assert s.added == ("WC-8",)
    (tmp_path / "junk.shp").write_bytes(b"not a shapefile")
    with pytest.raises(ValidationError, match=r"junk\.shp: cannot be read"):
        read_external(tmp_path / "junk.shp")


@pytest.mark.usefixtures("english")
def test_dry_run_writes_nothing_and_extra_fields_are_reported(tmp_path):
    ws = load_workspace(make_workspace(tmp_path / "ws"))
    target = ws.root / "geo" / "sites" / "toilets.geojson"
    before = target.read_bytes()
    gdf = toilets(SEATS=[8], NAME=["城东公厕"], remark=["x"]).drop(columns=["seats", "name"])
    gdf = gdf.rename(columns={"status_date": "status_dat"})  # as GDAL cuts it
    gdf.to_file(tmp_path / "t.gpkg", driver="GPKG")
    s = import_sites(ws, tmp_path / "t.gpkg", layer="toilets", dry_run=True,
                     store=FolderStore(ws.root))
    text = "\n".join(s.lines())
    assert text.startswith("would import 1 site")
    assert "SEATS → seats" in text and "NAME → name" in text
    assert "status_dat → status_date" in text
    assert "fields kept (not in layers/toilets.toml): remark" in text
    assert target.read_bytes() == before
