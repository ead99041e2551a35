"""``citymap.io.export``: GeoPackage, Shapefile, CSV; atomic writes; GDAL's ogrinfo opens it."""

from __future__ import annotations

import csv
import shutil
import subprocess

import pyogrio
import pytest

from _ws import default_features, make_workspace
from citymap.errors import CRSError, ExportError
from citymap.io import export as export_mod
from citymap.io.export import export_workspace, shapefile_field_names
from citymap.workspace import load_workspace


@pytest.fixture
def ws(tmp_path):
    return load_workspace(make_workspace(tmp_path / "ws"))


def test_gpkg_layers_register_tables_and_projected(ws, tmp_path):
    [gpkg] = export_workspace(ws, tmp_path / "out", fmt="gpkg", also_projected=True)
    assert gpkg == tmp_path / "out" / "citymap.gpkg"
    layers = dict(pyogrio.list_layers(gpkg).tolist())
    assert set(layers) == {"old_communities", "back_streets", "toilets", "old_communities_4548",
                           "back_streets_4548", "toilets_4548", "register_works",
                           "register_targets", "layer_styles"}
    assert layers["register_works"] is None and layers["register_targets"] is None
    assert pyogrio.read_info(gpkg, layer="toilets")["crs"] == "EPSG:4490"
    assert pyogrio.read_info(gpkg, layer="toilets_4548")["crs"] == "EPSG:4548"
    x = pyogrio.read_dataframe(gpkg, layer="toilets_4548").geometry.x
    assert (x > 500_000).all() and (x < 600_000).all()  # metres, no zone prefix
    works = pyogrio.read_dataframe(gpkg, layer="register_works")
    assert works["number"].tolist() == [12, 16, 19]
    assert works.loc[works["number"] == 16, "sites"].item() == 3
    sites = pyogrio.read_dataframe(gpkg, layer="toilets")
    row = sites.set_index("id").loc["WC-2"]
    assert row["work_name"] == "居住环境改造提升工程;公厕建设工程"
    assert row["lead_units"] == "县住房城乡建设局;县综合行政执法局"


@pytest.mark.usefixtures("english")
def test_gpkg_in_4326_and_crs_forms(ws, tmp_path):
    export_workspace(ws, tmp_path / "a.gpkg", fmt="gpkg", crs=4326)
    assert pyogrio.read_info(tmp_path / "a.gpkg", layer="toilets")["crs"] == "EPSG:4326"
    # a projected --crs: lon/lat layers (EPSG:4490) and each layer again in that CRS
    export_workspace(ws, tmp_path / "p.gpkg", fmt="gpkg", crs="EPSG:4527")
    assert pyogrio.read_info(tmp_path / "p.gpkg", layer="toilets")["crs"] == "EPSG:4490"
    assert pyogrio.read_info(tmp_path / "p.gpkg", layer="toilets_4527")["crs"] == "EPSG:4527"
    with pytest.raises(CRSError, match="lon/lat exports are EPSG:4490"):
        export_workspace(ws, tmp_path / "b.gpkg", fmt="gpkg", crs="EPSG:4214")
    with pytest.raises(CRSError, match="not a coordinate reference system"):
        export_workspace(ws, tmp_path / "b.gpkg", fmt="gpkg", crs="EPSG:999999")
    assert not (tmp_path / "b.gpkg").exists()


@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo not installed")
def test_gpkg_opens_with_gdal_ogrinfo(ws, tmp_path):
    [gpkg] = export_workspace(ws, tmp_path, fmt="gpkg", also_projected=True)
    r = subprocess.run(["ogrinfo", "-so", "-al", str(gpkg)], capture_output=True, text=True,
                       check=False)
    assert r.returncode == 0, r.stderr
    assert "Warning" not in r.stderr and "ERROR" not in r.stderr, r.stderr
    assert "Layer name: old_communities" in r.stdout
    assert "Layer name: register_targets" in r.stdout
    assert "Feature Count: 2" in r.stdout


def test_shapefile_utf8_cpg_short_names_and_mapping(ws, tmp_path):
    written = export_workspace(ws, tmp_path, fmt="shp")
    shp = tmp_path / "shp"
    assert {p.name for p in written} == {"old_communities.shp", "back_streets.shp",
                                         "toilets.shp", "fields.csv"}
    for stem in ("old_communities", "back_streets", "toilets"):
        assert (shp / f"{stem}.cpg").read_text() == "UTF-8"
        assert (shp / f"{stem}.prj").exists()
    info = pyogrio.read_info(shp / "old_communities.shp")
    assert all(len(f.encode()) <= 10 for f in info["fields"])
    assert {"stat_date", "sewer_sepa", "sewer_se_1", "act_name"} <= set(info["fields"])
    df = pyogrio.read_dataframe(shp / "old_communities.shp")
    assert "幸福小区" in df["name"].tolist()
    rows = list(csv.DictReader((shp / "fields.csv").read_text("utf-8").splitlines()))
    m = {(r["layer"], r["field"]): r["shp_field"] for r in rows}
    assert m[("old_communities", "sewer_separation_km")] == "sewer_se_1"
    assert m[("toilets", "status_date")] == "stat_date"


def test_field_name_mapping_is_stable_and_unique():
    cols = ["id", "status_date", "sewer_separation", "sewer_separation_km",
            "sewer_separation_m", "Sewer_sepaX", "名称很长的字段"]
    m = shapefile_field_names(cols)
    assert m == shapefile_field_names(cols)
    assert len({v.lower() for v in m.values()}) == len(cols)
    assert all(len(v.encode()) <= 10 for v in m.values())
    assert m["sewer_separation_m"] == "sewer_se_2"
    assert m["名称很长的字段"] == "名称很"  # cut on a character boundary (3 bytes each)
    # adding a column at the end changes no earlier name
    assert shapefile_field_names([*cols, "sewer_separation_x"]).items() >= m.items()


def test_shapefile_one_file_per_geometry_type(tmp_path):
    feats = default_features()
    feats["toilets"].append({"type": "Feature", "properties": {
        **feats["toilets"][0]["properties"], "id": "WC-3"}, "geometry": {
        "type": "MultiPoint", "coordinates": [[117.59, 37.65], [117.591, 37.651]]}})
    ws = load_workspace(make_workspace(tmp_path / "ws", features=feats))
    written = export_workspace(ws, tmp_path, fmt="shp", layers=["toilets"])
    assert {p.name for p in written} == {"toilets_point.shp", "toilets_multipoint.shp",
                                         "fields.csv"}
    assert len(pyogrio.read_dataframe(tmp_path / "shp" / "toilets_multipoint.shp")) == 1


def test_csv_register_with_bom(ws, tmp_path):
    written = export_workspace(ws, tmp_path, fmt="csv")
    assert [p.name for p in written] == ["works.csv", "targets.csv"]
    raw = (tmp_path / "csv" / "works.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [r["number"] for r in rows] == ["12", "16", "19"]
    assert rows[1]["name"] == "居住环境改造提升工程"


@pytest.mark.usefixtures("english")
def test_single_geojson_file_needs_one_layer(ws, tmp_path):
    with pytest.raises(ExportError, match="one GeoJSON file holds one layer"):
        export_workspace(ws, tmp_path / "x.geojson", fmt="geojson")
    [p] = export_workspace(ws, tmp_path / "x.geojson", fmt="geojson", layers=["toilets"])
    assert p.read_text("utf-8").count('"Feature"') == 2
    with pytest.raises(ExportError, match="unknown layer"):
        export_workspace(ws, tmp_path, fmt="geojson", layers=["nope"])


def _failing_after(n, monkeypatch):
    calls = {"n": 0}

    def flaky(real):
        def write(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] > n:
                raise pyogrio.errors.DataSourceError("disk full (simulated)")
            return real(*args, **kwargs)
        return write

    monkeypatch.setattr(pyogrio, "write_dataframe", flaky(pyogrio.write_dataframe))
    monkeypatch.setattr(pyogrio.raw, "write", flaky(pyogrio.raw.write))


def test_gpkg_export_failing_half_way_leaves_previous_file(ws, tmp_path, monkeypatch):
    tmp_path = tmp_path / "out"
    [gpkg] = export_workspace(ws, tmp_path, fmt="gpkg")
    before = gpkg.read_bytes()
    _failing_after(2, monkeypatch)
    with pytest.raises(ExportError, match="disk full"):
        export_workspace(ws, tmp_path, fmt="gpkg", also_projected=True)
    assert gpkg.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["citymap.gpkg"]  # no temp left


@pytest.mark.usefixtures("english")
def test_shp_export_failing_half_way_leaves_previous_folder(ws, tmp_path, monkeypatch):
    tmp_path = tmp_path / "out"
    export_workspace(ws, tmp_path, fmt="shp")
    before = {p.name: p.read_bytes() for p in (tmp_path / "shp").iterdir()}
    _failing_after(1, monkeypatch)
    with pytest.raises(ExportError, match="cannot write layer"):
        export_workspace(ws, tmp_path, fmt="shp")
    assert {p.name: p.read_bytes() for p in (tmp_path / "shp").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shp"]


def test_geojson_export_failing_half_way_leaves_previous_folder(ws, tmp_path, monkeypatch):
    tmp_path = tmp_path / "out"
    export_workspace(ws, tmp_path, fmt="geojson")
    before = {p.name: p.read_bytes() for p in (tmp_path / "geojson").iterdir()}
    real = export_mod.geojson_text
    calls = {"n": 0}

    def flaky(*a, **k):
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(28, "No space left on device")
        return real(*a, **k)

    monkeypatch.setattr(export_mod, "geojson_text", flaky)
    with pytest.raises(ExportError, match="No space left"):
        export_workspace(ws, tmp_path, fmt="geojson")
    assert {p.name: p.read_bytes() for p in (tmp_path / "geojson").iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["geojson"]
