"""Unit maps: open on the core of the unit's sites clear of the panels; a unit with no site gets
a page listing its works and why, with the 示意 notice."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely

from _ws_maps import X0, Y0, make_workspace
from citymap.render.build import build_maps
from citymap.render.extent import EMPTY_UI, robust_extent
from citymap.render.map import MapOptions, date_options, map_data
from citymap.render.ui import translated
from citymap.workspace import Workspace, load_workspace
from test_browser_maps import Page, browser  # noqa: F401 - the headless Chromium fixture

TODAY = dt.date(2024, 6, 30)
FAR = (X0 + 0.22, Y0 + 0.05)  # ≈ 20 km east: an outlier of work 8
EXTRA_WORKS = """\
  - {number: 18, action: 5, name: 医疗服务提升工程, lead_units: [县医疗保障局], plan_only: true}
  - {number: 24, action: 5, name: 人才引进机制, lead_units: [县委组织部],
     partner_units: [县医疗保障局]}
plan_targets:
"""


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = make_workspace(tmp_path_factory.mktemp("ws"))
    reg = root / "geo" / "register.yaml"
    reg.write_text(reg.read_text(encoding="utf-8").replace("plan_targets:\n", EXTRA_WORKS),
                   encoding="utf-8")
    path = root / "geo" / "sites" / "pocket_parks.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    fc["features"].append({"type": "Feature", "geometry": {"type": "Point", "coordinates": FAR},
                           "properties": {"id": "pp-far", "works": "8", "name": "远郊节点",
                                          "year": 2021, "status": "未开始",
                                          "status_date": "2020-05-01", "source": "示意"}})
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return load_workspace(root, today=TODAY)


# ------------------------------------------------------------------------------ Python

def test_robust_extent_leaves_far_outliers_out() -> None:
    core = [shapely.Point(117.58 + 0.002 * k, 37.64 + 0.001 * k) for k in range(5)]
    far = shapely.Point(117.9, 37.7)
    assert robust_extent(np.array(core + [far], dtype=object)) == pytest.approx(
        (117.58, 37.64, 117.588, 37.644))
    # few sites: all of them
    assert robust_extent(np.array(core[:2] + [far], dtype=object)) == pytest.approx(
        (117.58, 37.64, 117.9, 37.7))
    # two towns of equal weight 10 km apart: both kept
    two = [shapely.Point(117.5 + dx + 0.001 * k, 37.6) for dx in (0.0, 0.11) for k in range(4)]
    assert robust_extent(np.array(two, dtype=object)) == pytest.approx(
        (117.5, 37.6, 117.613, 37.6))
    # a compact town is never cut below 1.5 km
    town = [shapely.Point(117.58 + 0.0001 * k, 37.64) for k in range(9)]
    town.append(shapely.Point(117.58 + 0.012, 37.64))  # ≈ 1 km away
    town_extent = robust_extent(np.array(town, dtype=object))
    assert town_extent is not None
    assert town_extent[2] == pytest.approx(117.592)
    assert robust_extent(np.array([], dtype=object)) is None


def _blob(ws: Workspace, unit: str, lang: str = "zh") -> dict[str, Any]:
    dates, sel = date_options(None, TODAY, lang)
    works = frozenset(w.number for w in ws.register.works_of_unit(unit))
    return map_data(ws, MapOptions(lang=lang, works=works, include_context=False, dates=dates,
                                   selected=sel, basemap="none", unit=unit))


def test_the_unit_map_fits_the_core_and_still_carries_the_outlier(ws: Workspace) -> None:
    d = _blob(ws, "县综合行政执法局")
    (s, w), (n, e) = d["fit"]
    assert e < X0 + 0.02 < FAR[0] and n < FAR[1]  # the outlier is outside the first view
    assert d["bounds"][1][1] == pytest.approx(FAR[0])  # but inside the map's extent
    pp = next(L for L in d["layers"] if L["name"] == "pocket_parks")
    assert pp["n"] == 4 and d["empty"] is None


def test_a_unit_without_sites_lists_its_works_and_why(ws: Workspace) -> None:
    d = _blob(ws, "县医疗保障局")
    assert [L for L in d["layers"] if L["role"] == "sites"] == []
    e = d["empty"]
    zh = translated(EMPTY_UI, "zh")
    assert e["unit"] and e["ui"]["schematic"].startswith("示意")
    assert e["works"] == [[18, "医疗服务提升工程", "牵头", zh["plan_only"]],
                          [24, "人才引进机制", "责任", zh["not_sited"]]]
    en = _blob(ws, "县医疗保障局", "en")["empty"]
    assert en["works"][0][2:] == ["lead", translated(EMPTY_UI, "en")["plan_only"]]
    assert en["ui"]["title"] == translated(EMPTY_UI, "en")["title"]


def test_a_site_work_without_sites_says_so(ws: Workspace) -> None:
    from citymap.render.extent import work_reason

    assert work_reason(ws.register.work(8), ["pocket_parks"]) == "no_sites"


# ------------------------------------------------------------------------------ Chromium

@pytest.fixture(scope="module")
def maps(ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "maps"
    build_maps(ws, out, offline=True, today=TODAY)
    return out


@pytest.fixture
def unit_page(browser: Any, maps: Path) -> Iterator[Page]:  # noqa: F811
    page = Page(browser, (maps / "units" / "县综合行政执法局.html").as_uri())
    yield page
    assert page.errors == [] and page.requests == []
    page.close()


OVERLAPS = """(sites) => {
  const m = window.citymap.map, c = m.getContainer().getBoundingClientRect();
  const panels = [...document.querySelectorAll(
    '.leaflet-left > .leaflet-control, .leaflet-right > .leaflet-control, .cm-header')]
    .map(b => b.getBoundingClientRect()).filter(r => r.width && r.height);
  return sites.map(([layer, id]) => {
    const p = m.layerPointToContainerPoint(L.point(window.citymap.point(layer, id)));
    const x = c.left + p.x, y = c.top + p.y;
    const inView = x >= c.left && x <= c.right && y >= c.top && y <= c.bottom;
    const under = panels.some(r => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom);
    return [layer, id, x, y, inView, under];
  });
}"""


def test_unit_map_opens_on_the_core_clear_of_the_panels(unit_page: Page, ws: Workspace) -> None:
    sites = [[n, str(i)] for n in ("pocket_parks", "greenways") for i in ws.data[n]["id"]]
    got = {(r[0], r[1]): r for r in unit_page.js(OVERLAPS, sites)}
    far = got.pop(("pocket_parks", "pp-far"))
    assert not far[4]  # drawn in its layer, but not in the first view
    assert unit_page.js("window.citymap.status('pocket_parks', 'pp-far')") is not None
    assert len(got) == 5 and all(r[4] for r in got.values())  # the core is in view …
    assert [k for k, r in got.items() if r[5]] == []  # … and no site under a panel
    # the core fills the free middle, not a corner: its first vertices span ≥ 150 px
    # (fitted with the outlier 20 km away they would span about 50)
    xs = [r[2] for r in got.values()]
    assert max(xs) - min(xs) >= 150
    # reset view comes back to the same place
    z = unit_page.js("window.citymap.map.getZoom()")
    unit_page.js("window.citymap.map.setZoom(3)")
    unit_page.page.click(".cm-reset")
    assert unit_page.js("window.citymap.map.getZoom()") == pytest.approx(z)


def test_unit_without_sites_page_in_chromium(browser: Any, maps: Path) -> None:  # noqa: F811
    page = Page(browser, (maps / "units" / "县医疗保障局.html").as_uri())
    try:
        box = page.page.locator(".cm-empty")
        assert box.is_visible()
        text = box.inner_text()
        assert "医疗服务提升工程" in text and "规划性工程" in text and "示意" in text
        assert "人才引进机制" in text and "非落点工程" in text
        assert page.errors == [] and page.requests == []
    finally:
        page.close()
