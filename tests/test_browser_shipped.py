"""The README's first command (a default ``citymap build`` of the shipped workspace) in Chromium.

With the network blocked: every feature is drawn and the page says the base map cannot load;
on a 390×844 phone every box folds to a button and a search result opens its popup; the
legend folds; the month slider changes colours and the panel, whose numbers match
``citymap metrics --as-of`` at three month-ends; OC-2021-30 is marked late on 2021-12-31; the
script's status and late marks equal :meth:`Workspace.status_as_of` at every year end; at
1400×900 and 390×844 no control is cut by the window's edge and none shows a lone placeholder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from citymap.cli.main import cli
from citymap.metrics import compute_metrics
from citymap.render.panel import panel_year
from citymap.vocab import SITE_STATUSES
from citymap.workspace import Workspace, load_workspace
from test_browser_maps import ARGS, CHROMIUM, Page, sync_api

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return load_workspace(ROOT)


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("shipped") / "maps"
    res = CliRunner().invoke(cli, ["build", "-w", str(ROOT), "-o", str(out)])  # the default
    assert res.exit_code == 0, res.output
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert CHROMIUM.exists()
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def index(browser: Any, maps: Path) -> Iterator[Page]:
    page = Page(browser, (maps / "index.html").as_uri(), blocked_ok=True)
    yield page
    assert page.errors == [], page.errors
    assert all("tile.openstreetmap.org" in u for u in page.requests), page.requests
    page.close()


def _goto(page: Page, day: dt.date) -> int:
    k = int(page.js("iso => window.citymap.data.dates.findIndex(d => d.iso === iso)",
                    day.isoformat()))
    assert k >= 0, day
    return k


def test_default_build_draws_everything_with_no_network(index: Page, ws: Workspace) -> None:
    drawn = index.js("window.citymap.drawn()")
    want = {n: len(g) for n, g in ws.data.items() if ws.layers[n].is_sites}
    assert {n: drawn[n] for n in want} == want
    # the only requests were the base map's tiles (blocked), and the page says so
    assert index.requests
    note = index.page.locator(".cm-tiles-notice")
    note.wait_for(state="visible")
    assert "底图无法加载" in note.inner_text()


def test_oc_2021_30_is_late_at_the_end_of_2021(index: Page) -> None:
    k = _goto(index, dt.date(2021, 12, 31))
    index.page.fill(".cm-slider", str(k))  # the slider, as a user drags it
    got = index.js("window.citymap.status('old_communities', 'OC-2021-30')")
    assert got["late"] is True and got["status"] == "进行中"
    index.js("window.citymap.select('old_communities', 'OC-2021-30')")
    assert "逾期" in index.page.inner_text(".leaflet-popup-content")
    legend = index.page.inner_text(".cm-legend")
    assert "逾期" in legend


def test_script_status_and_late_marks_equal_status_as_of(index: Page, ws: Workspace) -> None:
    for day in (dt.date(2020, 12, 31), dt.date(2021, 12, 31), dt.date(2022, 12, 31)):
        index.js("k => window.citymap.setDate(k)", _goto(index, day))
        now = ws.status_as_of(day)
        want = dict(zip(now.sites["id"].astype(str), now.sites["status"].astype(str),
                        strict=True))
        assert index.js("window.citymap.statuses()") == want, day
        assert set(index.js("window.citymap.late()")) == set(now.late_sites), day
        late = index.page.locator(".cm-late-counts [data-late=sites]")
        assert late.get_attribute("data-n") == str(len(now.late_sites))
        works = index.page.locator(".cm-late-counts [data-late=works]")
        assert works.get_attribute("data-n") == str(len(now.late_works))


@pytest.mark.parametrize("day", [dt.date(2020, 6, 30), dt.date(2021, 3, 31),
                                 dt.date(2022, 9, 30)], ids=str)
def test_month_slider_follows_metrics(index: Page, ws: Workspace, day: dt.date) -> None:
    before = index.js("window.citymap.statuses()")
    index.page.fill(".cm-slider", str(_goto(index, day)))
    assert index.js("window.citymap.date()")["iso"] == day.isoformat()
    assert index.js("window.citymap.statuses()") != before  # the colours changed
    res = compute_metrics(ws, year=panel_year(day), as_of=day)
    counts = index.page.inner_text(".cm-panel .cm-counts").replace("\n", " ")
    for s in SITE_STATUSES:
        assert f"{s} {sum(c[s] for c in res.counts_by_status.values())}" in counts
    rows = index.page.locator(".cm-panel .cm-target[data-target]")
    assert rows.evaluate_all("rs => rs.map(r => r.dataset.target)") == [
        t.id for t in res.targets]
    for t in res.targets:
        row = index.page.locator(f".cm-panel [data-target='{t.id}']")
        assert row.get_attribute("data-verdict") == t.verdict
        actual = row.get_attribute("data-actual")
        if t.actual is None:
            assert actual == ""
        else:
            assert float(actual or "nan") == pytest.approx(t.actual, abs=1e-3)


def test_play_steps_through_the_months(index: Page) -> None:
    index.js("window.citymap.setDate(0)")
    index.page.click(".cm-play")
    index.page.wait_for_timeout(1200)
    k = index.js("window.citymap.date()")["index"]
    index.page.click(".cm-play")  # pause
    assert k >= 5  # ≥ 5 steps a second
    assert index.js("window.citymap.date()")["index"] in (k, k + 1)


def test_legend_folds(index: Page) -> None:
    row = index.page.locator(".cm-legend .cm-row").first
    assert row.is_visible()
    index.page.click(".cm-legend .cm-collapse")
    assert not row.is_visible()
    assert index.page.locator(".cm-legend .cm-legend-sub").is_hidden()
    box = index.page.locator(".cm-legend").bounding_box()
    assert box is not None and box["height"] < 40
    index.page.click(".cm-legend .cm-collapse")
    assert row.is_visible()


def test_phone_folds_every_box_and_a_search_result_opens_its_popup(browser: Any,
                                                                   maps: Path) -> None:
    page = Page(browser, (maps / "index.html").as_uri(), viewport=(390, 844), phone=True,
                blocked_ok=True)
    try:
        boxes = page.page.locator(".leaflet-control-container .cm-box:has(.cm-fold-head)")
        classes = boxes.evaluate_all("bs => bs.map(b => b.className)")
        assert len(classes) >= 5 and all("cm-collapsed" in c for c in classes), classes
        # no two controls overlap, and none sits under the header
        rects = page.js("Array.from(document.querySelectorAll('.leaflet-control, .cm-header'))"
                        ".filter(e => e.offsetParent).map(e => { const r = "
                        "e.getBoundingClientRect(); return [e.className, r.left, r.top, "
                        "r.right, r.bottom]; })")
        for i, a in enumerate(rects):
            for b in rects[i + 1:]:
                overlap = min(a[3], b[3]) - max(a[1], b[1]) > 1 and \
                    min(a[4], b[4]) - max(a[2], b[2]) > 1
                assert not overlap, (a, b)
        page.page.locator(".cm-search .cm-fold-head").tap()
        page.page.fill(".cm-search input", "16")  # work 16: its sites
        result = page.page.locator(".cm-results div").first
        assert "老旧小区" in result.inner_text() or "工程 16" in result.inner_text()
        result.tap()  # fails if another element (the layers box) takes the tap
        popup = page.page.locator(".leaflet-popup-content .cm-popup")
        popup.wait_for()
        assert popup.is_visible()
        assert "cm-collapsed" in (page.page.get_attribute(".cm-search", "class") or "")
        page.page.screenshot(path=str(ROOT / "test-artifacts" / "phone.png"))
        assert page.errors == []
    finally:
        page.close()


#: Every visible control and what is in it: class, left, top, right, bottom, text.
_CONTROL_BOXES = """() => Array.from(document.querySelectorAll(
    '.leaflet-control-container .leaflet-control, .leaflet-control-container .leaflet-control *'))
  .filter(e => { const s = getComputedStyle(e), r = e.getBoundingClientRect();
                 return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0
                        && r.height > 0; })
  .map(e => { const r = e.getBoundingClientRect();
              return [String(e.className.baseVal ?? e.className), r.left, r.top, r.right,
                      r.bottom, e.textContent.trim().slice(0, 20)]; })"""


@pytest.mark.parametrize(("size", "phone"), [((1400, 900), False), ((390, 844), True)])
def test_no_control_is_cut_by_the_left_edge(browser: Any, maps: Path, size: tuple[int, int],
                                             phone: bool) -> None:
    page = Page(browser, (maps / "index.html").as_uri(), viewport=size, phone=phone,
                blocked_ok=True)
    try:
        page.page.wait_for_timeout(500)  # the opening fit at rest
        boxes = page.js(_CONTROL_BOXES)
        assert len(boxes) > 20
        # every control and every part of one lies wholly right of the left edge
        cut = [b for b in boxes if b[1] < 0]
        assert cut == [], cut
        # and each control (the box, not its scrolled contents) wholly inside the window
        controls = page.js(_CONTROL_BOXES.replace(
            ", .leaflet-control-container .leaflet-control *", ""))
        outside = [b for b in controls
                   if b[1] < 0 or b[2] < 0 or b[3] > size[0] or b[4] > size[1]]
        assert outside == [], outside
        # no control shows a lone placeholder: the pointer's position box stays invisible
        # until the pointer is over the map, and hides again when it leaves
        assert [b for b in controls if b[5] in ("—", "-", "−")] == []
        if not phone:
            mouse = page.page.locator(".cm-mouse")
            assert not mouse.is_visible()
            page.page.mouse.move(size[0] / 2, size[1] / 2)
            assert mouse.is_visible() and "," in mouse.inner_text()
            page.page.mouse.move(size[0] / 2, size[1] + 50)  # out of the window
            page.js("document.getElementById('map').dispatchEvent(new MouseEvent('mouseout', "
                    "{bubbles: true, relatedTarget: document.body}))")
            assert not mouse.is_visible()
        assert page.errors == []
    finally:
        page.close()
