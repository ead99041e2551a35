"""A hostile workspace through every entry point (issue 10, "Done when").

Every text field of a small workspace — plan, actions, works, units, targets, layer titles
and field labels, site and context names, kinds, sources, status notes — carries an
injection attempt (HTML/script, a template placeholder, console markup, a spreadsheet
formula). The workspace must validate; import, progress import, status set, build, report,
export, the template and the store must take it; no script may run in Chromium on any page
built, and no formula may be live in any CSV/XLSX written. Then a set of hostile *files*
goes through the same entry points: each is refused with exit 2, one line per problem, no
traceback, and the workspace unchanged byte for byte.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from _hostile import UNIT, payload, poison
from _ws_maps import make_workspace
from citymap.cli.main import cli


def run(root: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.output
    return r.exit_code, r.stdout, r.stderr


def site_ids(root: Path) -> list[tuple[str, str]]:
    out = []
    for toml in sorted((root / "layers").glob("*.toml")):
        src = re.search(r'^source = "(.*)"$', toml.read_text("utf-8"), re.M)
        assert src is not None
        for f in json.loads((root / src[1]).read_text("utf-8"))["features"]:
            out.append((toml.stem, f["properties"]["id"]))
    return out


def csv_cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for c in row]


def assert_no_live_formula(paths: list[Path]) -> int:
    checked = 0
    for p in paths:
        if p.suffix == ".csv":
            for cell in csv_cells(p.read_text("utf-8-sig")):
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (p.name, cell)
                assert not (cell.startswith("-") and not re.fullmatch(r"-[\d.]+", cell)), cell
            checked += 1
        elif p.suffix == ".xlsx":
            wb = load_workbook(p)
            assert not [c.coordinate for sh in wb.worksheets for row in sh.iter_rows()
                        for c in row if c.data_type == "f"]
            with zipfile.ZipFile(p) as zf:
                assert not [n for n in zf.namelist() if n.startswith("xl/worksheets/")
                            and re.search(rb"<f[ >]", zf.read(n))]
            checked += 1
    return checked


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("hostile")
    root = make_workspace(base / "ws")
    poison(root)
    code, _, err = run(root, "validate")
    assert code == 0, err
    # entry points that write
    code, _, err = run(root, "status", "set", "oc-2", "进行中", "--date", "2023-05-01",
                       "--unit", UNIT, "--note", payload(900))
    assert code == 0, err
    sheet = base / "p.csv"
    sheet.write_text("编号,新状态,日期,备注,填报单位\n"
                     f"oc-2,已完成,2023-06-01,\"{payload(901)}\",\"{UNIT}\"\n", "utf-8")
    code, _, err = run(root, "progress", "import", str(sheet))
    assert code == 0, err
    code, _, err = run(root, "build", "-o", str(base / "maps"), "--offline")
    assert code == 0, err
    code, _, err = run(root, "report", "-o", str(base / "report.html"))
    assert code == 0, err
    code, _, err = run(root, "export", "-o", str(base / "out"), "--format", "all")
    assert code == 0, err
    code, _, err = run(root, "progress", "template", "--unit", UNIT, "-o",
                       str(base / "t.xlsx"))
    assert code == 0, err
    code, _, err = run(root, "progress", "template", "--unit", UNIT, "-o",
                       str(base / "t.csv"))
    assert code == 0, err
    return {"base": base, "root": root}


def test_written_spreadsheets_hold_no_live_formula(hostile: dict[str, Any]) -> None:
    base: Path = hostile["base"]
    paths = [*base.rglob("*.csv"), *base.rglob("*.xlsx")]
    n = assert_no_live_formula(paths)
    assert n >= 8  # log, progress csv, works/targets/fields/metrics csv, template xlsx/csv
    log = (hostile["root"] / "geo/status_log.csv").read_text("utf-8")
    assert "'=HYPERLINK" in log or "'@SUM" in log or "'+1+1" in log


def test_console_commands_print_hostile_text(hostile: dict[str, Any]) -> None:
    root = hostile["root"]
    for args in (["tasks"], ["show", "8"], ["status", "log"], ["overdue"], ["metrics"],
                 ["tasks", "--format", "csv"], ["status", "log", "--format", "csv"]):
        code, out, err = run(root, *args)
        assert code == 0, (args, err)


sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")


def _open(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    """The page at ``path``, its dialogs and its blocked (non-file) requests."""
    page = browser.new_page()
    dialogs: list[str] = []
    blocked: list[str] = []

    def dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.on("dialog", dialog)
    page.route("**/*", route)
    page.goto(path.as_uri())
    return page, dialogs, blocked


@pytest.mark.browser
def test_no_script_runs_in_any_page(hostile: dict[str, Any]) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian's /usr/bin/chromium is not installed")
    base: Path = hostile["base"]
    pages = sorted((base / "maps").rglob("*.html")) + [base / "report.html"]
    assert len(pages) >= 3
    ids = site_ids(hostile["root"])
    opened = 0
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--headless", "--no-sandbox", "--disable-gpu"])
        for page_path in pages:
            page, dialogs, blocked = _open(browser, page_path)
            if page_path.name != "report.html":
                page.wait_for_function("window.citymap && window.citymap.ready",
                                       timeout=30_000)
                for layer, ident in ids:
                    page.evaluate("([l, on]) => window.citymap.setLayer(l, on)", [layer, True])
                    page.evaluate("([l, i]) => window.citymap.select(l, i)", [layer, ident])
                    opened += page.locator(".leaflet-popup-content").count()
                search = page.locator(".cm-search input")
                if search.count():
                    search.fill("<")
            page.wait_for_timeout(200)
            assert page.evaluate("window.__xss") is None, page_path.name
            assert dialogs == [] and blocked == [], page_path.name
            assert page.locator("img[src=x], svg[onload], iframe").count() == 0, page_path.name
            page.close()
        browser.close()
    assert opened >= len(ids)


# ----------------------------------------------------------------------------- hostile files


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".status_log.lock"}


def _geojson(features: Any, **extra: Any) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features, **extra})


SQUARE = {"type": "Polygon", "coordinates": [[[117.571, 37.641], [117.572, 37.641],
                                              [117.572, 37.642], [117.571, 37.641]]]}
PROPS = {"id": "PP-9", "works": "8", "name": "x", "year": 2021, "status": "未开始",
         "status_date": "2021-01-01", "source": "测绘"}
GEOJSON_FILES = {
    "deep.geojson": '{"type": "FeatureCollection", "features": ' + "[" * 100_000
    + "]" * 100_000 + "}",
    "bigint.geojson": _geojson([{"type": "Feature", "properties": {**PROPS, "year": 7},
                                 "geometry": SQUARE}]).replace('"year": 7', '"year": 1'
                                                               + "0" * 5000),
    "bigint_coord.geojson": _geojson([{"type": "Feature", "properties": PROPS, "geometry": {
        "type": "Point", "coordinates": [7, 37.6]}}]).replace("[7,", "[1" + "0" * 400 + ","),
    "unknown_type.geojson": _geojson([{"type": "Feature", "properties": PROPS,
                                       "geometry": {"type": "Hexagon", "coordinates": [1]}}]),
    "string_crs.geojson": _geojson([{"type": "Feature", "properties": PROPS,
                                     "geometry": SQUARE}], crs="EPSG:4548"),
    "nan.geojson": _geojson([{"type": "Feature", "properties": PROPS, "geometry": {
        "type": "Polygon", "coordinates": [[["NaN", "NaN"], ["NaN", "NaN"]]]}}]).replace(
        '"NaN"', "NaN"),
    "huge_float.geojson": _geojson([{"type": "Feature", "properties": PROPS, "geometry": {
        "type": "Point", "coordinates": [1e400, 37.6]}}]).replace("Infinity", "1e400"),
    "props_list.geojson": _geojson([{"type": "Feature", "properties": [1, 2],
                                     "geometry": SQUARE}]),
    "dot_id.geojson": _geojson([{"type": "Feature", "properties": {**PROPS, "id": ".."},
                                 "geometry": SQUARE}]),
}


@pytest.mark.parametrize("name", list(GEOJSON_FILES))
@pytest.mark.parametrize("entry", ["import", "layer file"])
def test_hostile_geojson_refused_unchanged(tmp_path: Path, name: str, entry: str) -> None:
    root = make_workspace(tmp_path / "ws")
    bad = tmp_path / name
    bad.write_text(GEOJSON_FILES[name], "utf-8")
    if entry == "layer file":
        target = root / "geo/sites/pocket_parks.geojson"
        target.write_text(GEOJSON_FILES[name], "utf-8")
        before = digest(root)
        for args in (["validate"], ["build", "-o", str(tmp_path / "maps")],
                     ["report", "-o", str(tmp_path / "r.html")],
                     ["export", "-o", str(tmp_path / "out")],
                     ["status", "set", "PP-1", "进行中", "--date", "2021-05-01", "--unit",
                      "县综合行政执法局"]):
            code, _, err = run(root, *args)
            assert code == 2, (args, err)
            assert err.startswith("错误: ") and len(err) < 5000, err[:3000]
        assert digest(root) == before
        assert not any((tmp_path / n).exists() for n in ("maps", "r.html", "out"))
        return
    before = digest(root)
    code, _, err = run(root, "import", str(bad), "--layer", "pocket_parks")
    assert code == 2, err
    assert err.startswith("错误: ") and len(err) < 5000, err[:3000]
    assert digest(root) == before
