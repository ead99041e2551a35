"""Print layout (A4/A3 landscape PDF from Chromium) and the public view (whitelisted fields,
no internal layer, rounded coordinates) — the public view checked on the shipped data."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from _ws_maps import make_workspace
from citymap.cli.main import cli
from citymap.errors import ValidationError
from citymap.layers import BASE_COLUMNS
from citymap.render.build import build_maps
from citymap.render.map import decode_ints
from citymap.render.timeline import EPOCH
from citymap.workspace import Workspace, load_workspace
from test_browser_maps import Page, browser  # noqa: F401 - the headless Chromium fixture

pypdf = pytest.importorskip("pypdf")

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2024, 6, 30)
APPROVAL = "鲁S(2021)123号"
#: A4 and A3 landscape in PDF points (1 mm = 72/25.4 pt).
POINTS = {"A4": (841.89, 595.28), "A3": (1190.55, 841.89)}
PUBLISH = f"""
[publish]
approval_number = "{APPROVAL}"
source = "测试县住房和城乡建设局"
coordinate_decimals = 3
"""


def _blob(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="citymap-data">(.*?)</script>', html,
                  re.S)
    assert m is not None
    return dict(json.loads(m.group(1)))


# ------------------------------------------------------------------------------ config

def _problems(root: Path) -> str:
    with pytest.raises(ValidationError) as err:
        load_workspace(root)
    return str(err.value)


@pytest.mark.usefixtures("english")
def test_publish_config_and_layer_keys_are_checked(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    toml = root / "citymap.toml"
    base = toml.read_text(encoding="utf-8")
    toml.write_text(base + '\n[publish]\ncoordinate_decimals = 9\npaper = "A5"\n',
                    encoding="utf-8")
    text = _problems(root)
    assert "[publish]: coordinate_decimals: 9 must be a whole number from 0 to 6" in text
    assert "[publish]: paper: 'A5' must be one of A4, A3" in text
    toml.write_text(base + PUBLISH, encoding="utf-8")
    layer = root / "layers" / "greenways.toml"
    layer.write_text(layer.read_text(encoding="utf-8").replace(
        'works = [8]', 'works = [8]\npublic_fields = ["name", "secret"]\ninternal = "yes"'),
        encoding="utf-8")
    text = _problems(root)
    assert "layers/greenways.toml: public_fields: 'secret' is not a field of the layer" in text
    assert "internal: must be true or false, got 'yes'" in text
    layer.write_text(layer.read_text(encoding="utf-8").replace(', "secret"', "").replace(
        'internal = "yes"', "internal = true"), encoding="utf-8")
    ws = load_workspace(root)
    assert ws.config.publish.approval_number == APPROVAL
    assert ws.config.publish.coordinate_decimals == 3
    assert ws.layers["greenways"].internal and ws.layers["greenways"].public_fields == ("name",)


# ------------------------------------------------------------------------------ print

@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = make_workspace(tmp_path_factory.mktemp("ws"))
    toml = root / "citymap.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + PUBLISH, encoding="utf-8")
    return load_workspace(root, today=TODAY)


@pytest.fixture(scope="module")
def maps(ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "maps"
    build_maps(ws, out, offline=True, today=TODAY, public=True)
    return out


@pytest.fixture
def index(browser: Any, maps: Path) -> Iterator[Page]:  # noqa: F811
    page = Page(browser, (maps / "index.html").as_uri())
    yield page
    assert page.errors == [] and page.requests == [] and page.dialogs == []
    page.close()


def _pdf(page: Page, paper: str) -> Any:
    assert page.js(f"window.citymap.printLayout('{paper}')") == paper
    data = page.page.pdf(prefer_css_page_size=True, print_background=True)
    return pypdf.PdfReader(io.BytesIO(data))


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_print_layout_is_one_landscape_page_with_legend_scale_and_approval(
        index: Page, paper: str) -> None:
    pdf = _pdf(index, paper)
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(POINTS[paper], abs=1.5)
    # spaces dropped (the extraction puts some between CJK runs); NFKC: the PDF text has
    # CJK compatibility forms for some characters (⽰ for 示 …)
    text = unicodedata.normalize("NFKC", re.sub(r"\s+", "", pdf.pages[0].extract_text()))
    assert "测试县城市品质提升三年行动—总图" in text  # title
    assert "图例" in text and all(s in text for s in ("未开始", "进行中", "已完成", "滞后"))
    assert re.search(r"北\d+(?:m|km)", text)  # the north arrow, then the scale bar
    assert f"审图号:{APPROVAL}" in text and "数据来源:测试县住房和城乡建设局" in text
    assert "截至2024-06-30" in text and "制图日期" in text
    assert "搜索" not in text  # the interactive controls are not printed
    index.js("window.citymap.endPrint()")
    assert not index.js("document.documentElement.classList.contains('cm-printing')")


def test_print_media_shows_legend_scale_and_north_on_the_map(index: Page) -> None:
    index.js("window.citymap.printLayout('A4')")
    index.page.emulate_media(media="print")
    try:
        m = index.page.locator("#map").bounding_box()
        assert m is not None
        # 281 mm × (194 − 12 − 8) mm at 96 px per inch
        assert m["width"] == pytest.approx(281 / 25.4 * 96, abs=2)
        assert index.page.locator(".leaflet-control-scale-line").count() == 1
        for sel in (".cm-legend", ".leaflet-control-scale", ".cm-north"):
            loc = index.page.locator(sel)
            assert loc.is_visible(), sel
            b = loc.bounding_box()
            assert b is not None and m["x"] <= b["x"] and b["x"] + b["width"] <= m["x"] + m["width"]
            assert m["y"] <= b["y"] and b["y"] + b["height"] <= m["y"] + m["height"]
        for sel in (".cm-search", ".cm-layers", ".cm-panel", ".cm-header"):
            assert not index.page.locator(sel).is_visible(), sel
        assert index.page.locator(".cm-print-approval").inner_text() == f"审图号: {APPROVAL}"
    finally:
        index.page.emulate_media(media="screen")
        index.js("window.citymap.endPrint()")


def test_the_print_button_lays_out_and_prints(index: Page) -> None:
    index.js("window.print = () => { window.__printed = document.documentElement"
             ".getAttribute('data-paper'); }")
    index.page.click(".cm-print-A3")
    index.page.wait_for_function("window.__printed")
    assert index.js("window.__printed") == "A3"
    index.js("window.dispatchEvent(new Event('afterprint'))")
    assert not index.js("document.documentElement.classList.contains('cm-printing')")
    assert index.page.locator(".cm-search").is_visible()


# ------------------------------------------------------------------------------ public view

def test_public_view_beside_the_internal_one_offline(browser: Any, maps: Path) -> None:  # noqa: F811
    page = Page(browser, (maps / "public" / "index.html").as_uri())
    try:
        drawn = page.js("window.citymap.drawn()")
        assert drawn["old_communities"] == 4 and drawn["pocket_parks"] == 3
        assert "公开版" in page.page.inner_text(".cm-header")
        assert page.errors == [] and page.requests == []
    finally:
        page.close()
    assert (maps / "public" / "lib" / "leaflet" / "leaflet.js").is_file()


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, str]:
    ws = load_workspace(ROOT, today=TODAY)
    out = tmp_path_factory.mktemp("shipped") / "maps"
    build_maps(ws, out, today=TODAY, public=True, metrics=False)
    return ws, (out / "public" / "index.html").read_text(encoding="utf-8")


def _strings(v: Any) -> Iterator[str]:
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from _strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from _strings(x)


def test_shipped_public_view_has_no_value_outside_the_whitelist(
        shipped: tuple[Workspace, str]) -> None:
    ws, html = shipped
    blob = _blob(html)
    internal = {n for n, s in ws.layers.items() if s.internal}
    assert internal >= {"sewer_lines", "waterlogging"}
    names = {L["name"] for L in blob["layers"]}
    assert not names & internal and "old_communities" in names
    # the panel counts the public sites only (internal layers are left out before counting)
    n_sites = sum(L["n"] for L in blob["layers"] if L["role"] in ("sites", "pilot"))
    assert all(sum(p["counts"]) == n_sites for p in blob["panel"])
    assert n_sites < sum(len(g) for n, g in ws.data.items() if ws.layers[n].is_sites)
    # structure: only whitelisted columns and popup fields; ids are numbers in the layer;
    # status events at month ends (no exact status date)
    layers = blob["layers"] + ([blob["service"]] if blob.get("service") else [])
    for L in layers:
        spec = ws.layers["residential" if L["role"] == "service" else L["name"]]
        allowed = set(spec.public_fields)
        assert set(L["columns"]) <= allowed | {"id"}, L["name"]
        assert {f["column"] for f in L.get("fields", [])} <= allowed
        if "id" not in allowed:
            assert L["columns"]["id"] == [str(k + 1) for k in range(L["n"])]
        if "works" not in allowed:
            assert "targets" not in L
        if "events" in L and "status_date" not in allowed:
            days = np.cumsum(np.asarray(decode_ints(L["events"]["day"]), dtype=np.int64))
            assert all((EPOCH + dt.timedelta(days=int(d) + 1)).day == 1 for d in days)
    # text: no value of a non-whitelisted field of the shipped data is in the page, except
    # words the page shows anyway (UI, statuses, register, dates of the selector) and values
    # that a whitelisted field also holds (or that are part of one: 双程沟 in 双程沟滨水步道)
    shown = set(_strings({k: blob[k] for k in ("ui", "publish", "statuses", "dates",
                                                  "actions", "works", "targets", "panel",
                                                  "title", "subtitle")}))
    shown |= {L["title"] for L in blob["layers"]}
    public_values = {str(v) for L in layers for c in L["columns"].values()
                     for v in (c["d"] if isinstance(c, dict) else c) if v is not None}
    checked = skipped = 0
    for name, gdf in ws.data.items():
        spec = ws.layers[name]
        allowed = set() if spec.internal else set(spec.public_fields)
        cols = [c for c in (*BASE_COLUMNS, *spec.fields) if c in gdf.columns and c not in allowed]
        for c in cols:
            for v in {str(x) for x in gdf[c].dropna() if str(x).strip()}:
                if len(v) < 2 or v.isdigit() or re.fullmatch(r"[\d.;]+", v):
                    continue  # numbers are checked by structure above
                if any(v in s for s in public_values) or any(v in s for s in shown):
                    skipped += 1
                    continue
                checked += 1
                assert v not in html, (name, c, v)
    print(f"{checked} values checked absent, {skipped} shown anyway")
    assert checked > 500 and skipped < checked / 4, (checked, skipped)
    for n in internal:
        assert ws.layers[n].title_zh not in html


def test_shipped_public_view_coordinates_have_at_most_the_configured_decimals(
        shipped: tuple[Workspace, str]) -> None:
    ws, html = shipped
    d = ws.config.publish.coordinate_decimals
    assert d == 4
    blob = _blob(html)
    step = 10 ** (6 - d)
    n = 0
    for L in blob["layers"] + ([blob["service"]] if blob.get("service") else []):
        xy = np.cumsum(np.asarray(decode_ints(L["geometry"]["c"]), dtype=np.int64)
                       .reshape(-1, 2), axis=0)
        assert len(xy) and (xy % step == 0).all(), L["name"]
        n += len(xy)
    assert n > 1000
    for corner in blob["bounds"] + (blob["fit"] or []):
        for v in corner:
            assert round(v, d) == v
    assert blob["public"] is True and blob["links"] == []


def test_cli_build_public_and_config(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    r = CliRunner().invoke(cli, ["--workspace", str(root), "build", "--offline", "--public",
                                 "-o", str(tmp_path / "m1")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "m1" / "public" / "index.html").is_file()
    assert "public/index.html" in r.output
    r = CliRunner().invoke(cli, ["--workspace", str(root), "build", "-o", str(tmp_path / "m2")])
    assert r.exit_code == 0 and not (tmp_path / "m2" / "public").exists()
    toml = root / "citymap.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[publish]\npublic = true\n",
                    encoding="utf-8")
    r = CliRunner().invoke(cli, ["--workspace", str(root), "build", "-o", str(tmp_path / "m3")])
    assert r.exit_code == 0 and (tmp_path / "m3" / "public" / "index.html").is_file()
    r = CliRunner().invoke(cli, ["--workspace", str(root), "build", "--no-public",
                                 "-o", str(tmp_path / "m4")])
    assert r.exit_code == 0 and not (tmp_path / "m4" / "public").exists()
