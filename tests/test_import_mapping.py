"""``citymap import`` field mapping: --map, --set, --key, mapping files, defaults, ids.

Input files are written with pyogrio (GDAL) the way a department's GIS writes them (GBK
Shapefile without .cpg, CGCS2000 Gauss-Kruger CM 117E), never with citymap's writer.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from _intake import metres, run, sites, tree_hash
from _ws_core import make_workspace
from citymap.io.intake.mapping import IdMaker, load_mapping, mapping_text

PARKS = {"北街口袋公园": shapely.box(117.600, 37.650, 117.601, 37.651),
         "南街口袋公园": shapely.box(117.610, 37.650, 117.6115, 37.6512)}


def department_shp(path, *, names=tuple(PARKS), years=("2021年", "2021")):
    """A GBK Shapefile without .cpg in EPSG:4548 with the department's own fields (the
    parks' shapes in the order of :data:`PARKS`, whatever ``names`` says).
    """
    gdf = gpd.GeoDataFrame({
        "编号": ["YX-001", "YX-002"][:len(names)], "名称": list(names),
        "类型": ["口袋公园", "节点"][:len(names)], "建设年份": list(years)[:len(names)],
        "面积": [1200.5, 800.0][:len(names)],
    }, geometry=list(PARKS.values())[:len(names)], crs="EPSG:4326").to_crs("EPSG:4548")
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    path.with_suffix(".cpg").unlink()
    return path


MAP = ["--map", "名称=name", "--map", "建设年份=year", "--set",
       "source=县自然资源规划局 2021 测绘", "--key", "编号"]


def test_department_fields_mapped_on_the_command_line(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    f = department_shp(tmp_path / "口袋公园.shp")
    before = tree_hash(ws)
    r = run("--lang", "en", "import", f, "--layer", "pocket_parks", *MAP, "--dry-run", "-w", ws)
    assert r.exit_code == 0, r.output
    assert tree_hash(ws) == before
    out = r.stderr
    assert "would import 2 sites" in out and "text read as GB18030" in out
    for line in ["name ← 名称 (--map)", "year ← 建设年份 (--map)",
                 "works ← '8' (the layer serves this one work)", "status ← '未开始' (default)",
                 "source ← '县自然资源规划局 2021 测绘' (--set)", "kind ← 类型 (header synonym)",
                 "编号 ← 编号 (kept: not a field of the layer)",
                 "id | works | name | year | status | status_date | source | kind | 编号 | 面积",
                 "PP-3 | 8 | 北街口袋公园 | 2021 | 未开始"]:
        assert line in out, out
    r = run("--lang", "en", "import", f, "--layer", "pocket_parks", *MAP, "-w", ws)
    assert r.exit_code == 0, r.output
    assert "2 new" in r.stderr and "new: PP-3, PP-4" in r.stderr
    got = sites(ws, "pocket_parks")
    north = got["北街口袋公园"]
    assert north["id"] == "PP-3" and north["year"] == 2021 and north["works"] == "8"
    assert north["status"] == "未开始" and north["source"] == "县自然资源规划局 2021 测绘"
    assert north["kind"] == "口袋公园" and north["编号"] == "YX-001" and north["面积"] == 1200.5
    for name, truth in PARKS.items():
        assert metres(got[name]["geometry"], truth) < 1.0
    assert run("--lang", "en", "validate", "-w", ws).exit_code == 0


def test_saved_mapping_is_reused_and_reimport_changes_nothing(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    f = department_shp(tmp_path / "口袋公园.shp")
    m = tmp_path / "规划局.toml"
    r = run("--lang", "en",
            "import", f, "--layer", "pocket_parks", *MAP, "--save-mapping", m, "-w", ws)
    assert r.exit_code == 0, r.output
    text = m.read_text("utf-8")
    assert 'layer = "pocket_parks"' in text and '"名称" = "name"' in text
    layer_file = ws / "geo/sites/pocket_parks.geojson"
    first = layer_file.read_bytes()
    # the next delivery from the same office: one option
    r = run("--lang", "en", "import", f, "--mapping", m, "-w", ws)
    assert r.exit_code == 0, r.output
    assert "0 new, 2 replacing" in r.stderr and "nothing changed" in r.stderr
    assert layer_file.read_bytes() == first
    # a renamed park keeps its id: the key (编号) decides
    department_shp(f, names=("北街口袋公园", "南街游园"))
    r = run("--lang", "en", "import", f, "--mapping", m, "-w", ws)
    assert r.exit_code == 0, r.output
    got = sites(ws, "pocket_parks")
    assert got["南街游园"]["id"] == "PP-4" and "南街口袋公园" not in got


def test_names_and_polygons_only_need_one_option(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    gdf = gpd.GeoDataFrame({"名称": list(PARKS)}, geometry=list(PARKS.values()),
                           crs="EPSG:4490")
    pyogrio.write_dataframe(gdf, tmp_path / "parks.shp", encoding="UTF-8")
    r = run("--lang", "en",
            "import", tmp_path / "parks.shp", "--layer", "pocket_parks", "--set", "year=2021",
            "-w", ws)
    assert r.exit_code == 0, r.output
    got = sites(ws, "pocket_parks")
    assert got["北街口袋公园"]["source"] == "parks.shp"
    assert got["北街口袋公园"]["works"] == "8" and got["北街口袋公园"]["year"] == 2021
    before = tree_hash(ws)
    # without a key the geometry tells the same park again: same ids, nothing rewritten
    r = run("--lang", "en",
            "import", tmp_path / "parks.shp", "--layer", "pocket_parks", "--set", "year=2021",
            "-w", ws)
    assert r.exit_code == 0 and "0 new, 2 replacing" in r.stderr, r.output
    assert tree_hash(ws) == before


def test_yaml_mapping_file_and_command_line_wins(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    f = department_shp(tmp_path / "d.shp")
    m = tmp_path / "m.yaml"
    m.write_text("layer: pocket_parks\nkey: 编号\nmap:\n  名称: name\n  建设年份: year\n"
                 "set:\n  source: 测绘院\n", encoding="utf-8")
    r = run("import", f, "--mapping", m, "--set", "source=规划局", "-w", ws)
    assert r.exit_code == 0, r.output
    assert sites(ws, "pocket_parks")["北街口袋公园"]["source"] == "规划局"


@pytest.mark.parametrize(("args", "message"), [
    (["--map", "名字=name"], "Error: --map: 名字: 名字=name: the file has no field '名字'; its "
     "fields are 编号, 名称, 类型, 建设年份, 面积"),
    (["--map", "名称=nme"], "Error: --map: 名称: 名称=nme: layer 'pocket_parks' has no field "
     "'nme'; its fields are id, works, name, year, status, status_date, source, kind"),
    (["--set", "colour=red"], "Error: --set: colour: colour=red: layer 'pocket_parks' has no "
     "field 'colour'"),
    (["--key", "ID"], "Error: --key: ID: the file has no field 'ID'"),
    (["--map", "名称"], "Error: --map: --map: '名称' is not FIELD=VALUE"),
    (["--set", "year=二〇二一"], "Error: --set: year: '二〇二一' is not a year; write a plan "
     "year 2020–2022"),
])
def test_mapping_mistakes_are_one_line_and_change_nothing(tmp_path, args, message):
    ws = make_workspace(tmp_path / "ws")
    f = department_shp(tmp_path / "d.shp")
    before = tree_hash(ws)
    r = run("--lang", "en",
            "import", f, "--layer", "pocket_parks", "--map", "建设年份=year", *args, "-w", ws)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert r.output.startswith(message), r.output
    assert r.output.count("\n") == 1, r.output
    assert tree_hash(ws) == before


def test_bad_mapping_file_is_refused(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    f = department_shp(tmp_path / "d.shp")
    m = tmp_path / "m.toml"
    m.write_text('layer = "pocket_parks"\ncolour = "red"\n', encoding="utf-8")
    before = tree_hash(ws)
    r = run("--lang", "en", "import", f, "--mapping", m, "-w", ws)
    assert r.exit_code == 2
    assert r.output == (f"Error: {m}: --mapping: unknown key(s) 'colour'; a mapping file has "
                        "map, set and layer, key, crs, encoding, from, source_layer\n")
    # a file citymap did not write is never replaced by --save-mapping
    mine = tmp_path / "mine.toml"
    mine.write_text("# my notes\n", encoding="utf-8")
    r = run("--lang", "en", "import", f, "--layer", "pocket_parks", "--map", "建设年份=year",
            "--save-mapping", mine, "-w", ws)
    assert r.exit_code == 2 and "was not written by citymap" in r.output
    assert mine.read_text("utf-8") == "# my notes\n" and tree_hash(ws) == before


def test_generated_ids_follow_the_layers_pattern_and_never_collide():
    maker = IdMaker("pocket_parks", ["PP-2020-01", "PP-2020-02", "PP-2021-01"],
                    ["PP-2020-01", "PP-2020-02", "PP-2021-01", "PP-2021-02"])
    assert maker.new(2021) == "PP-2021-03"  # PP-2021-02 is taken (in another layer)
    assert maker.new(2021) == "PP-2021-04"
    assert maker.new(2022) == "PP-2022-01"
    plain = IdMaker("toilets", ["WC-1", "WC-12"], ["WC-1", "WC-12"])
    assert plain.new(2021) == "WC-13"
    empty = IdMaker("pocket_parks", [], [])
    assert empty.new(2021) == "PP-2021-01"


SHIPPED = sorted((Path(__file__).resolve().parents[1] / "docs" / "mappings").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_mapping_files_fit_the_shipped_layers(path):
    from citymap.io.export import layer_columns
    from citymap.layers import load_layers

    m = load_mapping(path)
    layers = load_layers(path.parents[2])
    spec = layers[str(m.option("layer"))]
    wanted = layer_columns(spec, joined=False)
    assert all(b in wanted for _, b in m.renames), m.renames
    assert all(a in wanted for a, _ in m.constants), m.constants
    assert mapping_text(m).startswith("# citymap import mapping")
    assert load_mapping(path) == m


def test_shipped_pocket_park_mapping_imports_a_delivery(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    f = department_shp(tmp_path / "口袋公园.shp")
    r = run("import", f, "--mapping", SHIPPED[[p.stem for p in SHIPPED].index("pocket_parks")],
            "-w", ws)
    assert r.exit_code == 0, r.output
    assert sites(ws, "pocket_parks")["南街口袋公园"]["source"] == "县自然资源规划局 测绘"


def test_numeric_department_ids_are_a_key_not_ids(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    gdf = gpd.GeoDataFrame({"序号": [1, 2], "名称": list(PARKS), "年份": [2021, 2021]},
                           geometry=list(PARKS.values()), crs="EPSG:4490")
    pyogrio.write_dataframe(gdf, tmp_path / "p.shp", encoding="UTF-8")
    before = tree_hash(ws)
    r = run("--lang", "en",
            "import", tmp_path / "p.shp", "--layer", "pocket_parks", "--map", "序号=id",
            "-w", ws)
    assert r.exit_code == 2 and tree_hash(ws) == before
    assert "'序号' holds plain numbers: keep it as the key instead (--key 序号" in r.output
    r = run("--lang", "en",
            "import", tmp_path / "p.shp", "--layer", "pocket_parks", "--key", "序号", "-w", ws)
    assert r.exit_code == 0, r.output
    assert sites(ws, "pocket_parks")["北街口袋公园"]["id"] == "PP-3"
