"""Loading a whole workspace: config, layers, sites, status log — every problem at once."""

from __future__ import annotations

import pytest

from _ws_core import default_features, make_workspace, site, square
from citymap.errors import ValidationError, WorkspaceError
from citymap.workspace import load_workspace


def test_tiny_workspace_loads(tmp_path):
    ws = load_workspace(make_workspace(tmp_path))
    assert set(ws.layers) == {"old_communities", "pocket_parks", "roads"}
    assert list(ws.data["old_communities"]["id"]) == ["OC-1", "OC-2"]
    assert ws.data["old_communities"].crs.to_epsg() == 4326
    assert ws.is_schematic
    assert ws.site_ids == {"OC-1", "OC-2", "PP-1", "PP-2"}
    assert list(ws.sites()["layer"]) == ["old_communities"] * 2 + ["pocket_parks"] * 2


@pytest.mark.usefixtures("english")
def test_not_a_workspace(tmp_path):
    with pytest.raises(WorkspaceError, match="is not a citymap workspace: no citymap.toml"):
        load_workspace(tmp_path)


def _with(tmp_path, layer, index, **changes):
    feats = default_features()
    f = feats[layer][index]
    geom = changes.pop("geometry", None)
    if geom is not None:
        f["geometry"] = geom
    f["properties"].update(changes)
    return make_workspace(tmp_path, features=feats)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(("layer", "index", "changes", "expected"), [
    ("pocket_parks", 1, {"id": "PP-1"},
     "geo/sites/pocket_parks.geojson: feature 'PP-1': id: duplicate id 'PP-1' (also in "
     "geo/sites/pocket_parks.geojson)"),
    ("pocket_parks", 0, {"works": "99"},
     "geo/sites/pocket_parks.geojson: feature 'PP-1': works: links to work 99, which is not "
     "in the register"),
    ("pocket_parks", 0, {"works": "八"}, "works: '八': '八' is not a work number"),
    ("pocket_parks", 0, {"year": 2025}, "year: must be a plan year 2020–2022, got 2025"),
    ("pocket_parks", 0, {"status": "done"}, "status: unknown status 'done'"),
    ("pocket_parks", 0, {"status_date": "21/06/2020"},
     "status_date: '21/06/2020' is not a date: write YYYY-MM-DD"),
    ("old_communities", 0, {"households": "many"}, "households: 'many' is not a int"),
    ("pocket_parks", 0, {"geometry": {"type": "Point", "coordinates": [117.57, 37.64]}},
     "geometry: is a Point but layer 'pocket_parks' holds Polygons"),
    ("pocket_parks", 0, {"geometry": {"type": "Polygon", "coordinates": [[
        [117.57, 37.64], [117.572, 37.642], [117.572, 37.64], [117.57, 37.642],
        [117.57, 37.64]]]}},
     "geometry: is invalid: Self-intersection[117.571 37.641]"),
    ("pocket_parks", 0, {"geometry": square(120.5, 37.64)},
     "lies outside the county's box [117.5, 37.6, 117.66, 37.7]"),
    ("pocket_parks", 0, {"geometry": square(37.645, 117.58)}, "look swapped (lat, lon)"),
    ("pocket_parks", 0, {"geometry": {"type": "Polygon", "coordinates": [[
        [552000, 4166000], [552100, 4166000], [552100, 4166100], [552000, 4166000]]]}},
     "look projected (metres given as degrees)"),
])
def test_each_site_problem_is_reported(tmp_path, layer, index, changes, expected):
    root = _with(tmp_path, layer, index, **changes)
    with pytest.raises(ValidationError) as info:
        load_workspace(root)
    assert expected in str(info.value)


@pytest.mark.usefixtures("english")
def test_repair_makes_invalid_geometry_valid(tmp_path):
    bowtie = {"type": "Polygon", "coordinates": [[
        [117.57, 37.64], [117.572, 37.642], [117.572, 37.64], [117.57, 37.642], [117.57, 37.64]]]}
    root = _with(tmp_path, "pocket_parks", 0, geometry=bowtie)
    ws = load_workspace(root, repair=True)
    assert ws.data["pocket_parks"].geometry.is_valid.all()
    assert any("'PP-1': geometry repaired with make_valid" in w for w in ws.warnings)


@pytest.mark.usefixtures("english")
def test_unknown_layer_in_target_and_missing_file(tmp_path):
    root = make_workspace(tmp_path)
    (root / "geo" / "sites" / "pocket_parks.geojson").unlink()
    reg = (root / "geo" / "register.yaml").read_text(encoding="utf-8")
    (root / "geo" / "register.yaml").write_text(
        reg.replace("layer: old_communities}", "layer: old_communitys}", 1), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_workspace(root)
    msg = str(info.value)
    assert "geo/sites/pocket_parks.geojson: file not found" in msg
    assert "target 16.1: layer: unknown layer 'old_communitys'" in msg


@pytest.mark.usefixtures("english")
def test_bad_layer_definition(tmp_path):
    root = make_workspace(tmp_path)
    p = root / "layers" / "pocket_parks.toml"
    p.write_text(p.read_text(encoding="utf-8").replace('"Polygon"', '"Polygone"'),
                 encoding="utf-8")
    with pytest.raises(ValidationError, match=r"layers/pocket_parks.toml: geometry: 'Polygone' "
                       r"must be one of Point, LineString, Polygon"):
        load_workspace(root)


@pytest.mark.usefixtures("english")
def test_status_log_is_read_and_checked(tmp_path):
    log = ("date,id,status,percent,note,unit,recorded_at\n"
           "2020-09-01,PP-1,已完成,100,,县综合行政执法局,2020-09-01T09:00:00+08:00\n")
    ws = load_workspace(make_workspace(tmp_path, status_log=log))
    import datetime as dt

    st = ws.history.status_on(ws.data["pocket_parks"], dt.date(2020, 12, 31))
    assert list(st["status"]) == ["已完成", "未开始"]
    early = ws.history.status_on(ws.data["pocket_parks"], dt.date(2020, 8, 31))
    assert list(early["status"]) == ["未开始", "未开始"]
    bad = log + "2020-09-02,XX-9,完成,120,,,\n"
    with pytest.raises(ValidationError) as info:
        load_workspace(make_workspace(tmp_path / "b", status_log=bad))
    msg = str(info.value)
    assert "geo/status_log.csv: row 3: id: unknown site or work 'XX-9'" in msg
    assert "row 3: status: unknown status '完成'" in msg
    assert "row 3: percent: '120' is outside 0–100" in msg


def test_site_linking_a_missing_work_and_site_bound_warning(tmp_path):
    feats = default_features()
    feats["pocket_parks"].append(site("PP-3", "8;16", "跨工程", 2021, square(117.6, 37.66)))
    ws = load_workspace(make_workspace(tmp_path, features=feats))
    assert list(ws.data["pocket_parks"]["works"]) == ["8", "8", "8;16"]


@pytest.mark.usefixtures("english")
def test_all_digit_site_id_is_refused(tmp_path):
    root = _with(tmp_path, "pocket_parks", 0, id="16")
    with pytest.raises(ValidationError, match="'16' is all digits, which the status log reads "
                       "as a work number"):
        load_workspace(root)


def test_empty_layer_file_is_fine(tmp_path):
    feats = default_features()
    feats["pocket_parks"] = []
    ws = load_workspace(make_workspace(tmp_path, features=feats))
    assert len(ws.data["pocket_parks"]) == 0
    assert "households" in ws.data["old_communities"].columns
    assert list(ws.data["pocket_parks"].columns[:3]) == ["id", "works", "name"]
