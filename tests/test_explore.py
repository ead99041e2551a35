"""citymap.explore: a folium.Map with citymap's layer, saved and opened offline in Chromium."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from _ws_maps import EXPECTED, XSS, make_workspace
from citymap.render.explore import CitymapLayer
from citymap.workspace import Workspace, load_workspace
from test_browser_maps import Page, browser  # noqa: F401 - the headless Chromium fixture

pytestmark = pytest.mark.browser

folium = pytest.importorskip("folium")
TODAY = dt.date(2024, 6, 30)
TEMPLATE_TEXT = "{{ kwargs }} {% raw %}"  # branca must not read data as a template


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = make_workspace(tmp_path_factory.mktemp("ws"))
    path = root / "geo" / "sites" / "pocket_parks.geojson"
    fc = json.loads(path.read_text(encoding="utf-8"))
    fc["features"][2]["properties"]["name"] = TEMPLATE_TEXT
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return load_workspace(root, today=TODAY)


def _save(m: Any, path: Path) -> Path:
    path.write_text(m.get_root().render(), encoding="utf-8")
    return path


def test_explore_is_exported_lazily_and_returns_a_folium_map(ws: Workspace) -> None:
    import citymap
    from citymap.render.explore import CitymapLayer, VendoredLeaflet

    m = citymap.explore(ws, as_of=dt.date(2021, 12, 31), today=TODAY)
    assert isinstance(m, folium.Map)
    kinds = [type(c) for c in m._children.values()]
    assert CitymapLayer in kinds and VendoredLeaflet in kinds
    layer = next(c for c in m._children.values() if isinstance(c, CitymapLayer))
    assert layer.blob["dates"][layer.blob["selected"]]["iso"] == "2021-12-31"
    assert "explore" in citymap.__all__


def test_the_saved_html_has_no_cdn_link_and_escapes_the_data(ws: Workspace,
                                                           tmp_path: Path) -> None:
    m = __import__("citymap").explore(ws, tiles=None, today=TODAY)
    folium.Marker([37.64, 117.57], popup="标记一", icon=folium.Icon(color="red")).add_to(m)
    text = _save(m, tmp_path / "m.html").read_text(encoding="utf-8")
    assert re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["']https?:""", text) == []
    assert XSS not in text  # written \u003c… in the blob
    assert TEMPLATE_TEXT in text  # as it is: not read as a template
    # offline=False keeps folium's CDN defaults
    m2 = __import__("citymap").explore(ws, offline=False, today=TODAY)
    assert "cdn.jsdelivr.net/npm/leaflet" in m2.get_root().render()


def test_saved_map_draws_every_site_offline_with_added_folium_layers(
        ws: Workspace, browser: Any, tmp_path: Path) -> None:  # noqa: F811
    import citymap

    m = citymap.explore(ws, as_of="2021-12-31", tiles=None, today=TODAY)
    folium.Marker([37.64, 117.57], popup="标记一", icon=folium.Icon(color="red")).add_to(m)
    folium.CircleMarker([37.65, 117.59], radius=8, tooltip="圆点").add_to(m)
    folium.GeoJson({"type": "Feature", "properties": {},
                    "geometry": {"type": "LineString",
                                 "coordinates": [[117.57, 37.64], [117.59, 37.65]]}}).add_to(m)
    page = Page(browser, _save(m, tmp_path / "m.html").as_uri())
    try:
        drawn = page.js("window.citymap.drawn()")
        want = {n: len(g) for n, g in ws.data.items() if ws.layers[n].role == "sites"}
        assert {n: drawn[n] for n in want} == want and sum(want.values()) == 10
        for (layer, fid), by_year in EXPECTED.items():
            got = page.js("([l, i]) => window.citymap.status(l, i)", [layer, fid])
            assert got["status"] == by_year[2021], (layer, fid)
        # the folium layers are there and work: the marker's popup (folium uses $(html))
        assert page.page.locator(".leaflet-marker-icon").count() == 1
        # the map opens with an animated fit: click once it has come to rest (under load the
        # click could land mid-animation, when Leaflet drops it)
        page.page.wait_for_function("!document.querySelector('.leaflet-zoom-anim')")
        page.page.wait_for_timeout(300)
        page.page.locator(".leaflet-marker-icon").click()
        assert "标记一" in page.page.locator(".leaflet-popup-content").inner_text()
        # citymap's controls are on the folium map: the search finds a site
        assert page.js("window.citymap.find('西关')") == [["pocket_parks", "pp-2"]]
        assert TEMPLATE_TEXT in page.js("JSON.stringify(window.citymap.data.layers)")
        assert page.errors == [], page.errors
        assert page.requests == [], "the saved map tried the network"
    finally:
        page.close()


def test_with_tiles_only_the_tiles_are_fetched(ws: Workspace, browser: Any,  # noqa: F811
                                               tmp_path: Path) -> None:
    import citymap

    m = citymap.explore(ws, today=TODAY)  # OpenStreetMap tiles, as GeoDataFrame.explore
    page = Page(browser, _save(m, tmp_path / "t.html").as_uri())
    try:
        assert sum(page.js("window.citymap.drawn()").values()) >= 10
        assert page.requests and all("tile.openstreetmap.org" in u for u in page.requests)
        assert [e for e in page.errors if "Failed to load" not in e] == []
    finally:
        page.close()


def test_explore_en_and_works(ws: Workspace, english: None) -> None:
    import citymap

    m = citymap.explore(ws, lang="en", works=[17], today=TODAY)
    layer = next(c for c in m._children.values() if isinstance(c, CitymapLayer))
    assert layer.blob["lang"] == "en"
    names = {L["name"]: L["n"] for L in layer.blob["layers"]}
    assert names == {"old_communities": 2}
    with pytest.raises(citymap.CitymapError, match="not a date"):
        citymap.explore(ws, as_of="2021-13-01")
    with pytest.raises(citymap.CitymapError, match="unknown language"):
        citymap.explore(ws, lang="fr")


def test_explore_with_metrics_fills_the_panel(ws: Workspace) -> None:
    import citymap

    m = citymap.explore(ws, as_of="2021-12-31", metrics=True, today=TODAY)
    layer = next(c for c in m._children.values() if isinstance(c, CitymapLayer))
    blob = layer.blob
    k = blob["selected"]
    assert blob["panel"][k]["ok"] is True and blob["panel"][k]["year"] == 2021
    assert {r["id"] for r in blob["panel"][k]["rows"]} >= {"8.2", "16.2"}
