"""The built maps in headless Chromium (Debian's /usr/bin/chromium), with the network blocked.

Every request that is not a local file is aborted and recorded; the offline maps must not
attempt any. The screenshot of the overview is saved to ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _ws_maps import EXPECTED, XSS, load
from citymap.gcj02 import wgs84_to_gcj02
from citymap.render.assets import find_node_modules
from citymap.render.build import build_maps
from citymap.render.map import STATUS_COLORS
from citymap.workspace import Workspace

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
TODAY = dt.date(2024, 6, 30)

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's /usr/bin/chromium is not installed (apt-get install chromium); "
                "these tests never download a browser", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


def _metrics(ws: Any, year: int, as_of: dt.date) -> list[dict[str, Any]]:
    """A stand-in for the metrics code: known numbers the panel must show."""
    done = {2020: 1, 2021: 1, 2022: 2}[year] if as_of.year >= year else 0
    return [{"id": f"16.{year - 2019}", "name": "改造老旧小区", "year": year, "value": year - 2018,
             "actual": done, "unit": "个", "verdict": "未达标", "work": 16}]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return load(tmp_path_factory.mktemp("ws"))


@pytest.fixture(scope="module")
def maps(ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if find_node_modules(ROOT) is None:
        pytest.fail("node_modules is missing: run `npm ci` in the repository (the offline "
                    "maps bundle Leaflet from it)")
    out = tmp_path_factory.mktemp("out") / "maps"
    build_maps(ws, out, offline=True, today=TODAY, metrics=_metrics)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _png() -> bytes:
    """A 1×1 white PNG (a stand-in tile)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff\xff")) + chunk(b"IEND", b""))


class Page:
    """A page with the network blocked: requests and script errors are recorded."""

    def __init__(self, browser: Any, url: str, *,
                 serve: dict[str, Path | bytes] | None = None) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("console", self._console)
        self.page.on("dialog", self._dialog)
        self.serve = serve or {}
        self.page.route("**/*", self._route)
        self.page.goto(url)
        self.page.wait_for_function("window.citymap && window.citymap.ready", timeout=30_000)

    def _console(self, msg: Any) -> None:
        if msg.type == "error" and not (self.serve and "Failed to load resource" in msg.text):
            self.errors.append(f"console: {msg.text}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "blob:", "about:")):
            route.continue_()
            return
        self.requests.append(url)
        for prefix, where in self.serve.items():
            if url.startswith(prefix):
                if isinstance(where, bytes):
                    route.fulfill(body=where, content_type="image/png")
                else:
                    pkg, rest = url[len(prefix):].split("?")[0].split("/", 1)
                    route.fulfill(path=str(where / pkg.rsplit("@", 1)[0] / rest))
                return
        route.abort()

    def js(self, expr: str, arg: Any = None) -> Any:
        return self.page.evaluate(expr, arg)

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def index(browser: Any, maps: Path) -> Iterator[Page]:
    page = Page(browser, (maps / "index.html").as_uri())
    yield page
    assert page.errors == [], page.errors
    assert page.requests == [], "the offline map tried the network"
    assert page.dialogs == []
    page.close()


def test_every_feature_is_drawn(index: Page, ws: Workspace) -> None:
    drawn = index.js("window.citymap.drawn()")
    want = {n: len(g) for n, g in ws.data.items() if ws.layers[n].role == "sites"}
    assert {n: drawn[n] for n in want} == want
    assert drawn["roads"] == 0  # context layers start hidden
    index.page.click("input[data-layer=roads]")
    index.page.wait_for_timeout(100)
    assert index.js("window.citymap.drawn()")["roads"] == len(ws.data["roads"])
    ARTIFACTS.mkdir(exist_ok=True)
    index.page.screenshot(path=str(ARTIFACTS / "index.png"))


def test_toggling_a_layer_hides_and_shows_it(index: Page) -> None:
    box = "input[data-layer=pocket_parks]"
    index.page.click(box)
    index.page.wait_for_timeout(100)
    assert index.js("window.citymap.drawn()")["pocket_parks"] == 0
    assert not index.page.is_checked(box)
    index.page.click(box)
    index.page.wait_for_timeout(100)
    assert index.js("window.citymap.drawn()")["pocket_parks"] == 3


def test_search_opens_the_popup(index: Page) -> None:
    index.page.fill(".cm-search input", "西关")
    index.page.click(".cm-results div >> nth=0")
    popup = index.page.locator(".leaflet-popup-content .cm-popup")
    popup.wait_for()
    text = popup.inner_text()
    assert "西关游园" in text and "园林绿化提档升级工程" in text and "县综合行政执法局" in text
    assert "8.1 口袋公园" in text  # the target it counts toward
    assert "面积(m²)" in text and "800" in text
    assert "今天" in index.page.inner_text(".cm-header")
    # by work number: every site of work 17, Enter opens the first
    assert sorted(index.js("window.citymap.find('17')")) == [["old_communities", "oc-3"],
                                                            ["old_communities", "oc-4"]]
    index.page.fill(".cm-search input", "17")
    index.page.press(".cm-search input", "Enter")
    index.page.wait_for_timeout(100)
    assert "阳光花园" in index.page.inner_text(".leaflet-popup-content")


def test_popup_wraps_long_text_and_uses_a_cjk_font(index: Page) -> None:
    index.js("window.citymap.select('old_communities', 'oc-1')")
    popup = index.page.locator(".leaflet-popup-content .cm-popup")
    box = popup.bounding_box()
    assert box is not None and box["width"] <= 340
    font = index.js("getComputedStyle(document.querySelector('.cm-popup')).fontFamily")
    assert "Noto Sans CJK SC" in font and "Microsoft YaHei" in font
    assert "已完成 · 2020-10-01" in popup.inner_text()


def test_date_selector_changes_colours_as_the_history_says(index: Page) -> None:
    options = index.page.locator(".cm-date option").all_inner_texts()
    assert options[:3] == ["2020年底", "2021年底", "2022年底"] and "今天" in options[3]
    for k, year in enumerate((2020, 2021, 2022)):
        index.page.select_option(".cm-date", str(k))
        for (layer, fid), by_year in EXPECTED.items():
            got = index.js("([l, i]) => window.citymap.status(l, i)", [layer, fid])
            assert got["status"] == by_year[year], (fid, year)
            assert got["color"] == STATUS_COLORS[by_year[year]]


def test_metrics_panel_shows_the_computed_numbers(index: Page) -> None:
    index.page.select_option(".cm-date", "1")  # end of 2021
    row = index.page.locator(".cm-panel [data-target='16.2']")
    assert "计划 3 个" in row.inner_text() and "完成 1 个" in row.inner_text()
    assert row.locator(".cm-bar").get_attribute("aria-valuenow") == "33"
    counts = index.page.inner_text(".cm-counts")
    # end of 2021: done oc-1 pp-1 pp-2; in progress oc-2 oc-3 gw-1; behind oc-4
    assert re.search(r"未开始 2.*进行中 3.*已完成 3.*滞后 1", counts.replace("\n", " "))


def test_injected_markup_shows_as_text_and_runs_nothing(index: Page) -> None:
    index.js("window.citymap.select('old_communities', 'oc-2')")
    popup = index.page.locator(".leaflet-popup-content .cm-popup")
    assert popup.locator("h3").inner_text() == XSS
    assert popup.locator("img").count() == 0
    assert index.page.locator("img[src=x]").count() == 0
    index.page.fill(".cm-search input", "<img")
    assert XSS in index.page.inner_text(".cm-results")
    assert index.page.locator("img[src=x]").count() == 0
    index.page.wait_for_timeout(200)
    assert index.dialogs == []


def test_unit_and_action_maps(browser: Any, maps: Path, ws: Workspace) -> None:
    page = Page(browser, (maps / "units" / "县综合行政执法局.html").as_uri())
    try:
        assert page.js("window.citymap.drawn()") == {"greenways": 2, "pocket_parks": 3}
        assert page.page.get_attribute(".cm-links a >> nth=0", "href") == "../index.html"
        assert page.errors == [] and page.requests == []
    finally:
        page.close()
    page = Page(browser, (maps / "actions" / "5-城市功能提升行动.html").as_uri())
    try:
        assert page.js("window.citymap.drawn()") == {"old_communities": 4}
    finally:
        page.close()
    links = Page(browser, (maps / "index.html").as_uri())
    try:
        hrefs = links.js("Array.from(document.querySelectorAll('.cm-links a')).map(a => "
                         "decodeURIComponent(a.getAttribute('href')))")
        assert "units/县水利局.html" in hrefs and "actions/2-蓝绿空间提升行动.html" in hrefs
        for h in hrefs:
            assert (maps / h).is_file()
    finally:
        links.close()


def test_amap_overlays_are_drawn_at_gcj02(browser: Any, ws: Workspace, tmp_path: Path) -> None:
    nm = find_node_modules(ROOT)
    assert nm is not None
    out = tmp_path / "maps"
    build_maps(ws, out, basemap="amap", today=TODAY, metrics=None)
    page = Page(browser, (out / "index.html").as_uri(),
                serve={"https://cdn.jsdelivr.net/npm/": nm, "https://web": _png()})
    try:
        lon, lat = ws.data["pocket_parks"].geometry.values[0].coords[0]
        gx, gy = wgs84_to_gcj02(lon, lat)
        got = page.js("window.citymap.status('pocket_parks', 'pp-1')")["latlng"]
        assert got == pytest.approx([round(float(gy), 6), round(float(gx), 6)], abs=1e-9)
        # drawn where the AMap tiles have that GCJ-02 point, not at the WGS 84 one
        drawn, expected, raw = page.js(
            "([gy, gx, y, x]) => { const m = window.citymap.map;"
            " let p = null;"
            " m.eachLayer(l => { if (l._cmL !== undefined && l._cmI === 0 && l.getLatLng"
            "   && window.citymap.data.layers[l._cmL].name === 'pocket_parks') p = l._point; });"
            " return [[p.x, p.y], [m.latLngToLayerPoint([gy, gx]).x,"
            " m.latLngToLayerPoint([gy, gx]).y], [m.latLngToLayerPoint([y, x]).x,"
            " m.latLngToLayerPoint([y, x]).y]]; }",
            [float(gy), float(gx), lat, lon])
        assert drawn == pytest.approx(expected, abs=0.5)
        assert abs(drawn[0] - raw[0]) + abs(drawn[1] - raw[1]) > 5
        assert any("autonavi.com" in u for u in page.requests)  # AMap tiles were asked for
        assert page.js("window.citymap.data.gcj02") is True
        assert page.errors == []
    finally:
        page.close()
