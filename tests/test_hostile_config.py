"""Wrong types and paths in citymap.toml, layers/*.toml and register.yaml: one line each, exit 2,
caught by ``validate`` (so that ``build`` never meets them), and nothing written outside the
workspace (issue 10, "Paths" and "Tracebacks")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from _ws_core import make_workspace
from citymap.cli.main import cli
from citymap.errors import ValidationError
from citymap.history import StatusEvent
from citymap.store.folder import append_events

TODAY = dt.date(2022, 6, 30)


def run(root: Path, *args: str) -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r.exit_code, r.stderr


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), "utf-8")


PHASE = "  - {number: 1, name: 宣传发动阶段, start: 2020-01-01, end: 2020-04-30}"
ALIAS = "  县卫生健康委: 县卫生健康局"

# (file, old text, new text, words the one line must hold)
CASES: list[tuple[str, str, str, str]] = [
    # citymap.toml
    ("citymap.toml", 'name = "测试县三年行动"', "name = 42", "name"),
    ("citymap.toml", 'county = "测试县"', "county = [1, 2]", "county"),
    ("citymap.toml", 'register = "geo/register.yaml"', "register = 7", "register"),
    ("citymap.toml", 'status_log = "geo/status_log.csv"', "status_log = {a = 1}", "status_log"),
    ("citymap.toml", "bounds = [117.50, 37.60, 117.66, 37.70]", 'bounds = "all"', "bounds"),
    ("citymap.toml", 'measure_crs = "EPSG:4548"', "measure_crs = [4548]", "measure_crs"),
    ("citymap.toml", "schematic = true", "schematic = {x = true}", "schematic"),
    ("citymap.toml", "center = [37.645, 117.58]", 'center = "middle"', "center"),
    ("citymap.toml", "zoom = 13", 'zoom = "near"', "zoom"),
    ("citymap.toml", "zoom = 13", "zoom = 13\nbasemap = 5", "basemap"),
    ("citymap.toml", "[workspace]", "workspace = 5\n[other]", "workspace"),
    # layers/*.toml
    ("layers/roads.toml", 'title = { zh = "道路", en = "Roads" }', 'title = "道路"', "title"),
    ("layers/roads.toml", 'title = { zh = "道路", en = "Roads" }',
     'title = { zh = "道路", en = 5 }', "title"),
    ("layers/pocket_parks.toml", "works = [8]", 'works = "8"', "works"),
    ("layers/pocket_parks.toml", 'popup = ["name", "year", "status"]', "popup = 3", "popup"),
    ("layers/pocket_parks.toml", "action = 1", 'action = "one"', "action"),
    ("layers/pocket_parks.toml", 'geometry = "Polygon"', "geometry = [1]", "geometry"),
    ("layers/roads.toml", 'class = { type = "str", zh = "等级", en = "Class", required = true }',
     'class = { type = "str", zh = 1, required = "yes" }', "fields.class"),
    ("layers/pocket_parks.toml", "works = [8]", "works = [8]\n[style]\nweight = \"thick\"",
     "style.weight"),
    ("layers/pocket_parks.toml", "works = [8]", "works = [8]\n[style]\nfill_opacity = [0.5]",
     "style.fill_opacity"),
    ("layers/pocket_parks.toml", "works = [8]", "works = [8]\n[style]\ncolor = 5", "style.color"),
    ("layers/pocket_parks.toml", "works = [8]", "works = [8]\n[style]\nstatus = \"red\"",
     "style.status"),
    ("layers/pocket_parks.toml", "works = [8]", "works = [8]\n[fields]\n\"a b\" = \"str\"",
     "fields.a b"),
    # register.yaml
    ("geo/register.yaml", "title: 测试县城市品质提升三年行动实施方案", "title: [1, 2]", "title"),
    ("geo/register.yaml", "    lead_units: [县民政局]", "    lead_units: {a: 1}", "lead_units"),
    ("geo/register.yaml", "  - {number: 1, name: 蓝绿空间提升行动}", "  - {number: x, name: 蓝}",
     "number"),
    ("geo/register.yaml", PHASE, "  - {number: one, name: [x], start: soon, end: 5}", "phase"),
    ("geo/register.yaml", PHASE, PHASE.replace("number: 1", "number: one"), "number"),
    ("geo/register.yaml", ALIAS, ALIAS + "\n  5: [x]", "unit_aliases"),
    ("geo/register.yaml", "    plan_only: true", "    plan_only: {x: 1}", "plan_only"),
    ("geo/register.yaml", "  partner_units_of_every_work: [各乡镇(街道)]",
     "  partner_units_of_every_work: 5", "partner_units_of_every_work"),
    ("geo/register.yaml", "unit: 处, comparison: \">=\", year: 2020",
     "unit: 处, comparison: [1], year: \"2020\"", "8.1"),
    ("geo/register.yaml", "layer: pocket_parks}", "layer: pocket_parks, where: [1]}", "where"),
    ("geo/register.yaml", "    status: 方案待定", "    status: [1]", "status"),
    ("geo/register.yaml", "    site_bound: true\n    targets:\n      - {id: \"8.1\"",
     "    site_bound: true\n    summary: {a: 1}\n    targets:\n      - {id: \"8.1\"", "summary"),
    ("geo/register.yaml", PHASE, "  - 7", "phase"),
    ("geo/register.yaml", "plan:\n", "plan: 5\nx:\n", "plan"),
    ("geo/register.yaml", "value: 2, unit: 处", "value: .nan, unit: 处", "value"),
    ("geo/register.yaml", "value: 2, unit: 处", "value: -.inf, unit: 处", "value"),
    ("layers/pocket_parks.toml", "works = [8]", "works = [8]\n[style]\nweight = nan", "weight"),
    ("citymap.toml", "bounds = [117.50, 37.60, 117.66, 37.70]",
     "bounds = [117.50, 37.60, inf, 37.70]", "bounds"),
    ("citymap.toml", "center = [37.645, 117.58]", "center = [nan, 117.58]", "center"),
]


@pytest.mark.parametrize(("file", "old", "new", "word"), CASES,
                         ids=[f"{c[0]}:{c[3]}" for c in CASES])
def test_wrong_type_is_one_line_at_validate(tmp_path: Path, file: str, old: str, new: str,
                                            word: str) -> None:
    root = make_workspace(tmp_path / "ws")
    edit(root / file, old, new)
    code, err = run(root, "--lang", "en", "validate")
    assert code == 2, err
    assert err.startswith("Error: ") and "Traceback" not in err
    assert word in err, err
    # validate caught it, so build (the last to meet a value) refuses it the same way
    code, err2 = run(root, "--lang", "en", "build", "-o", str(tmp_path / "maps"))
    assert code == 2 and "Traceback" not in err2
    assert not (tmp_path / "maps").exists()


OUTSIDE = ["/etc/passwd", "../outside.csv", "geo/../../outside.csv", "~/x.csv", "geo/link/x.csv"]


@pytest.mark.parametrize("value", OUTSIDE)
@pytest.mark.parametrize("key", ["status_log", "register", "source"])
def test_paths_outside_the_workspace_refused(tmp_path: Path, key: str, value: str) -> None:
    root = make_workspace(tmp_path / "ws")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "geo/link").symlink_to(outside)
    if key == "source":
        edit(root / "layers/pocket_parks.toml", 'source = "geo/sites/pocket_parks.geojson"',
             f'source = "{value}"')
    else:
        old = {"status_log": 'status_log = "geo/status_log.csv"',
               "register": 'register = "geo/register.yaml"'}[key]
        edit(root / "citymap.toml", old, f'{key} = "{value}"')
    code, err = run(root, "--lang", "en", "validate")
    assert code == 2 and "Traceback" not in err
    assert key in err and ("outside" in err or "absolute" in err or "'..'" in err), err
    code, err = run(root, "--lang", "en", "status", "set", "PP-1", "进行中", "--date", "2021-05-01",
                    "--unit", "县综合行政执法局")
    assert code == 2 and "Traceback" not in err
    assert list(outside.iterdir()) == [] and not (tmp_path / "outside.csv").exists()


def test_append_events_never_writes_outside(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    edit(root / "citymap.toml", 'status_log = "geo/status_log.csv"',
         'status_log = "../outside.csv"')
    with pytest.raises(ValidationError, match="status_log"):
        append_events(root, [StatusEvent(dt.date(2021, 5, 1), "PP-1", "进行中")],
                      today=TODAY)
    assert not (tmp_path / "outside.csv").exists()


def test_a_symlink_inside_the_workspace_is_fine(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    real = root / "geo/sites/pocket_parks.geojson"
    real.rename(root / "geo/sites/parks_v2.geojson")
    real.symlink_to("parks_v2.geojson")
    code, err = run(root, "validate")
    assert code == 0, err


@pytest.mark.parametrize("ident", [".", "..", "x" * 100_000, "PP-1\n", "PP\x00-1", "a b",
                                   "-1", "=1+1"])
def test_bad_ids_refused(tmp_path: Path, ident: str) -> None:
    from _ws_core import default_features, write_geojson
    root = make_workspace(tmp_path / "ws")
    feats = default_features()["pocket_parks"]
    feats[0]["properties"]["id"] = ident
    write_geojson(root / "geo/sites/pocket_parks.geojson", feats)
    code, err = run(root, "--lang", "en", "validate")
    assert code == 2 and "Traceback" not in err and "is not a valid id" in err
    assert len(err) < 2000
    with pytest.raises(ValidationError, match="is not a valid id"):
        append_events(make_workspace(tmp_path / "ws2"),
                      [StatusEvent(dt.date(2021, 5, 1), ident, "进行中")], today=TODAY)
