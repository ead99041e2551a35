"""Photos in the outputs: thumbnails copied beside the maps and drawn in popups (headless
Chromium, network blocked), one picture per listed site in the report.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _browser import CHROMIUM, chromium
from _photos import phone_jpeg, photo_workspace, sample_folder, write
from citymap.attachments import open_attachments
from citymap.photos import import_photos
from citymap.render.build import build_maps
from citymap.report import write_report
from citymap.workspace import Workspace, load_workspace

TODAY = dt.date(2021, 12, 31)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = photo_workspace(tmp_path_factory.mktemp("ws") / "ws")
    ws = load_workspace(root)
    folder = tmp_path_factory.mktemp("photos") / "照片"
    sample_folder(folder)
    write(folder / "OC-2_后_2021-06-01.jpg", phone_jpeg(color=(60, 60, 200)))
    import_photos(ws, folder, today=TODAY)
    return ws


@pytest.fixture(scope="module")
def maps(ws: Workspace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "maps"
    build_maps(ws, out, offline=True, today=TODAY, metrics=None)
    return out


def _blob(page: Path) -> Any:
    m = re.search(r'<script type="application/json" id="[^"]*">(.*?)</script>',
                  page.read_text("utf-8"), re.S)
    assert m is not None
    return json.loads(m[1])


def test_thumbnails_copied_beside_the_maps(ws: Workspace, maps: Path) -> None:
    store = open_attachments(ws.root)
    blob = _blob(maps / "index.html")["photos"]
    assert blob["label"] == "形象进度" and blob["kinds"]["后"] == "完工后"
    oc1 = blob["s"]["OC-1"]
    assert [(e[1], e[2]) for e in oc1] == [("2020-06-01", "前"), ("2020-11-02", "后")]
    assert [(e[1], e[2]) for e in blob["s"]["OC-2"]] == [("2020-11-05", "前"),
                                                         ("2021-06-01", "后")]
    by_thumb = {p.thumbnail: p for p in store.photos()}
    for url, *_ in oc1:
        assert not url.startswith(("/", "http", "file"))  # relative, no network
        key = url.removeprefix("photos/")
        assert (maps / url).read_bytes() == store.read_thumbnail(by_thumb[key])
    unit = next((maps / "units").glob("*.html"))
    assert all(e[0].startswith("../photos/") for e in _blob(unit)["photos"]["s"]["OC-1"])
    assert not list(maps.rglob("*.jpg")) or all("thumbs" in str(p) for p in maps.rglob("*.jpg"))


def test_report_shows_one_picture_per_site(ws: Workspace, tmp_path: Path) -> None:
    out = write_report(ws, tmp_path / "r.html", year=2020, as_of=dt.date(2020, 12, 31),
                       maps=False)
    html = out.read_text("utf-8")
    figures = re.findall(r'<figure class="photo" data-site="([^"]+)"><img alt="([^"]+)" '
                         r'src="(data:image/jpeg;base64,[^"]+)"', html)
    assert [(s, a) for s, a, _ in figures] == [("OC-1", "OC-1 幸福小区 后 2020-11-02")]
    store = open_attachments(ws.root)
    after = [p for p in store.photos("OC-1") if p.kind == "后"][0]
    import base64

    assert base64.b64decode(figures[0][2].split(",", 1)[1]) == store.read_thumbnail(after)


# ----------------------------------------------------------------------------- Chromium



@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's /usr/bin/chromium is not installed")
    pytest.importorskip("playwright.sync_api")
    with chromium() as b:
        yield b


@pytest.mark.browser
def test_popup_shows_before_and_after_offline(browser: Any, maps: Path) -> None:
    requests: list[str] = []
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.on("pageerror", lambda e: errors.append(str(e)))

    def route(r: Any) -> None:
        if r.request.url.startswith(("file:", "data:", "blob:", "about:")):
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto((maps / "index.html").as_uri())
    page.wait_for_function("window.citymap && window.citymap.ready", timeout=30_000)
    page.evaluate("window.citymap.select('old_communities', 'OC-1')")
    imgs = page.locator(".leaflet-popup-content .cm-photos img")
    imgs.nth(1).wait_for()
    page.wait_for_function("Array.from(document.querySelectorAll('.cm-photos img'))"
                           ".every(i => i.complete && i.naturalWidth > 0)", timeout=10_000)
    sizes = page.evaluate("Array.from(document.querySelectorAll('.cm-photos img'))"
                          ".map(i => [i.naturalWidth, i.naturalHeight, i.alt])")
    assert sizes == [[80, 40, "施工前 2020-06-01"], [80, 40, "完工后 2020-11-02"]]
    text = page.inner_text(".leaflet-popup-content")
    assert "形象进度" in text and "施工前 · 2020-06-01" in text
    # OC-2: before and after on 2021-12-31; at the end of 2020 only the photo taken by then
    alts = "Array.from(document.querySelectorAll('.cm-photos img')).map(i => i.alt)"
    page.evaluate("window.citymap.select('old_communities', 'OC-2')")
    page.wait_for_function(f"{alts}.includes('完工后 2021-06-01')")
    assert page.evaluate(alts) == ["施工前 2020-11-05", "完工后 2021-06-01"]
    end_2020 = page.evaluate("window.citymap.data.dates.findIndex(d => d.iso === '2020-12-31')")
    assert end_2020 >= 0
    page.evaluate(f"window.citymap.setDate({end_2020})")
    page.evaluate("window.citymap.select('old_communities', 'OC-2')")
    page.wait_for_function(f"{alts}.length === 1")
    assert page.evaluate(alts) == ["施工前 2020-11-05"]
    assert errors == [] and requests == []
    page.close()
