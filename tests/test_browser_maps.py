"""The built maps in headless Chromium (Debian's /usr/bin/chromium), with the network blocked.

Every request that is not a local file is aborted and recorded; the offline maps must not
attempt any. The screenshot of the overview is saved to ``test-artifacts/``.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _ws_maps import EXPECTED, XSS, load
from citymap.gcj02 import wgs84_to_gcj02
from citymap.metrics import compute_metrics, pilot_zone_results, residential_coverage_layer
from citymap.render.build import build_maps
from citymap.render.map import date_options
from citymap.vocab import SITE_STATUSES, STATUS_COLORS, VERDICT_ZH
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


DATES = [o.date for o in date_options(None, TODAY)[0]]


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return load(tmp_path_factory.mktemp("ws"))


@pytest.fixture(scope="module")
def maps(ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "maps"
    build_maps(ws, out, offline=True, today=TODAY)
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
                 serve: dict[str, Path | bytes] | None = None,
                 viewport: tuple[int, int] = (1400, 900), phone: bool = False,
                 blocked_ok: bool = False) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.blocked_ok = blocked_ok or bool(serve)
        self.context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}, has_touch=phone,
            is_mobile=phone)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("console", self._console)
        self.page.on("dialog", self._dialog)
        self.serve = serve or {}
        self.page.route("**/*", self._route)
        self.page.goto(url)
        self.page.wait_for_function("window.citymap && window.citymap.ready", timeout=30_000)

    def _console(self, msg: Any) -> None:
        if msg.type == "error" and not (self.blocked_ok and "Failed to load resource" in msg.text):
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

    def date(self, day: dt.date) -> None:
        """Choose ``day`` in the date selector (a quick position)."""
        k = self.js("iso => window.citymap.data.dates.findIndex(d => d.iso === iso)",
                    day.isoformat())
        assert k >= 0, day
        self.page.select_option(".cm-date", str(k))

    def close(self) -> None:
        self.context.close()


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
    index.page.click("input[data-layer=park_service]")
    index.page.wait_for_timeout(100)
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
    for year in (2020, 2021, 2022):
        index.date(dt.date(year, 12, 31))
        for (layer, fid), by_year in EXPECTED.items():
            got = index.js("([l, i]) => window.citymap.status(l, i)", [layer, fid])
            assert got["status"] == by_year[year], (fid, year)
            assert got["color"] == STATUS_COLORS[by_year[year]]


def _pct(v: float) -> str:
    """How the panel prints a percentage (one decimal)."""
    return f"{round(v * 10) / 10:.1f}%"


@pytest.mark.parametrize("k", [0, 1])  # end of 2020, end of 2021
def test_metrics_panel_shows_the_computed_numbers(index: Page, ws: Workspace, k: int) -> None:
    day = DATES[k]
    res = compute_metrics(ws, year=day.year, as_of=day)
    index.date(day)
    rows = index.page.locator(".cm-panel .cm-target[data-target]")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.target)") == [t.id for t in res.targets]
    for t in res.targets:
        row = index.page.locator(f".cm-panel [data-target='{t.id}']")
        text = row.inner_text()
        years = str(t.year) if t.start_year == t.year else f"{t.start_year}–{t.year}"
        assert f"{t.id} {t.name} ({years})" in text and VERDICT_ZH[t.verdict] in text
        assert row.get_attribute("data-verdict") == t.verdict
        assert float(row.get_attribute("data-value") or "nan") == pytest.approx(t.target)
        bar = row.locator(".cm-bar").get_attribute("aria-valuenow")
        if t.actual is None:
            assert row.get_attribute("data-actual") == "" and "完成 —" in text
            assert "无法由图形测算" in text and bar == "0"
            if t.recorded_status:
                assert f"记录状态: {t.recorded_status}" in text
                if t.recorded_percent is not None:
                    assert f"{t.recorded_percent:g}%" in text
            continue
        assert float(row.get_attribute("data-actual") or "nan") == pytest.approx(t.actual,
                                                                                 abs=1e-3)
        if float(t.actual).is_integer() and float(t.target).is_integer():
            assert f"目标 {int(t.target)} {t.unit}" in text.replace("≥ ", "")
            assert f"完成 {int(t.actual)} {t.unit}" in text
        assert bar == str(round(100 * max(0.0, min(1.0, t.actual / t.target))))
    # the health-check indicator: park service-radius coverage, county-wide
    county = next(i for i in res.indicators if i.scope == "county")
    assert county.value is not None
    ind = index.page.locator(".cm-panel [data-indicator=park_service_coverage]")
    assert float(ind.get_attribute("data-value") or "nan") == pytest.approx(county.value,
                                                                           abs=1e-3)
    text = ind.inner_text()
    assert _pct(county.value) in text and f"标准 {county.comparison} {_pct(county.standard)}" \
        in text and VERDICT_ZH[county.verdict] in text
    # counts by status: every site layer, the pilot zones too (as `citymap metrics`)
    counts = index.page.inner_text(".cm-counts").replace("\n", " ")
    for s in SITE_STATUSES:
        n = sum(c[s] for c in res.counts_by_status.values())
        assert f"{s} {n}" in counts


def test_pilot_label_shows_the_computed_area_and_coverage(index: Page, ws: Workspace) -> None:
    label = index.page.locator(".cm-label [data-zone='pz-1'] .cm-label-text")
    for k in (0, 2):
        index.date(DATES[k])
        (z,) = pilot_zone_results(ws, DATES[k])
        text = label.text_content() or ""
        assert f"{round(z.area_km2, 2):g} km²" in text
        assert f"覆盖 {_pct(z.covered_share)}" in text
        assert f"已完成 {_pct(z.by_status['已完成']['share'])}" in text
        assert z.below_min and f"⚠ 小于 {z.min_km2:g} km²" in text  # a 1.92 km² zone


def test_service_radius_layer(index: Page, ws: Workspace) -> None:
    assert index.js("window.citymap.drawn()")["park_service"] == 0  # starts hidden
    assert index.page.locator("input[data-layer=park_service]").count() == 1  # one entry
    assert "城市体检指标" in index.page.inner_text(".cm-layers")
    index.page.click("input[data-layer=park_service]")
    index.page.wait_for_timeout(100)
    for k in (3, 0):  # today, then the end of 2020: the layer of each date
        index.date(DATES[k])
        index.page.wait_for_timeout(100)
        gdf = residential_coverage_layer(ws, as_of=DATES[k])
        assert index.js("window.citymap.drawn()")["park_service"] == len(gdf) == 4
    legend = index.page.inner_text(".cm-legend")
    assert "服务半径内" in legend and "服务半径外" in legend
    # click the parcel wholly outside every radius (its name is an injection attempt)
    x0, y0, x1, y1 = ws.data["residential"].geometry.values[2].bounds
    index.js("([lat, lon]) => window.citymap.map.setView([lat, lon], 16, {animate: false})",
             [(y0 + y1) / 2, (x0 + x1) / 2])
    index.page.wait_for_timeout(100)
    pt = index.js("([lat, lon]) => window.citymap.map.latLngToContainerPoint([lat, lon])",
                  [(y0 + y1) / 2, (x0 + x1) / 2])
    box = index.page.locator("#map").bounding_box()
    assert box is not None
    index.page.mouse.click(box["x"] + pt["x"], box["y"] + pt["y"])
    popup = index.page.locator(".leaflet-popup-content .cm-popup")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == XSS
    text = popup.inner_text()
    assert "rs-3" in text and "否 — 服务半径外" in text
    assert index.page.locator("img[src=x]").count() == 0


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
    out = tmp_path / "maps"
    build_maps(ws, out, basemap="amap", today=TODAY, metrics=None)
    page = Page(browser, (out / "index.html").as_uri(), serve={"https://web": _png()})
    try:
        lon, lat = ws.data["pocket_parks"].geometry.values[0].coords[0]
        gx, gy = wgs84_to_gcj02(lon, lat)
        got = page.js("window.citymap.status('pocket_parks', 'pp-1')")["latlng"]
        assert got == pytest.approx([round(float(gy), 6), round(float(gx), 6)], abs=1e-9)
        # drawn where the AMap tiles have that GCJ-02 point, not at the WGS 84 one
        drawn, expected, raw = page.js(
            "([gy, gx, y, x]) => { const m = window.citymap.map;"
            " const p = window.citymap.point('pocket_parks', 'pp-1');"
            " return [p, [m.latLngToLayerPoint([gy, gx]).x,"
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
