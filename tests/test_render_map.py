"""Unit tests of the map renderer: the JSON blob, encodings, escaping, base maps, assets."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pytest
import shapely

from _ws_maps import EXPECTED, XSS, load
from citymap import templating
from citymap.errors import CitymapError
from citymap.gcj02 import wgs84_to_gcj02
from citymap.metrics import compute_metrics, pilot_zone_results, residential_coverage_layer
from citymap.render import assets
from citymap.render.map import (
    MapOptions,
    basemap_layers,
    date_options,
    decode_ints,
    dumps_for_script,
    encode_geometries,
    encode_ints,
    map_data,
    render_map,
)
from citymap.render.panel import Panel, PanelRow, panel_blob, panel_for, panel_year
from citymap.vocab import SITE_STATUSES, STATUS_COLORS
from citymap.workspace import Workspace

TODAY = dt.date(2024, 6, 30)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return load(tmp_path_factory.mktemp("ws"))


def _options(**kw: Any) -> MapOptions:
    dates, selected = date_options(None, TODAY)
    base: dict[str, Any] = {"dates": dates, "selected": selected, "basemap": "none"}
    base.update(kw)
    return MapOptions(**base)


def _blob(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="citymap-data">(.*?)</script>', html,
                  re.S)
    assert m is not None
    return dict(json.loads(m.group(1)))


def _layer(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(x for x in data["layers"] if x["name"] == name)


def _col(layer: dict[str, Any], name: str) -> list[Any]:
    c = layer["columns"][name]
    if isinstance(c, dict):
        return [c["d"][i] for i in decode_ints(c["i"])]
    return list(c)


def _coords(layer: dict[str, Any]) -> np.ndarray:
    v = np.cumsum(np.array(decode_ints(layer["geometry"]["c"])).reshape(-1, 2), axis=0)
    return v / 1e6


def test_encode_ints_roundtrip() -> None:
    values = [0, 1, -1, 15, 16, -16, 31, 32, 1023, -1024, 37_645_000, -117_580_000, 2**40]
    text = encode_ints(values)
    assert decode_ints(text) == values
    assert encode_ints([]) == ""
    assert all(63 <= ord(c) <= 126 for c in text)
    assert len(encode_ints([0, 1, -1, 5])) == 4  # small numbers take one character


def test_geometry_encoding_polygon_with_hole_and_multi() -> None:
    hole = shapely.Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1, 1), (2, 1), (2, 2)]])
    multi = shapely.MultiPolygon([shapely.box(10, 10, 11, 11), shapely.box(12, 12, 13, 13)])
    g = encode_geometries(np.array([hole, multi], dtype=object))
    assert decode_ints(g["np"]) == [1, 2]
    assert decode_ints(g["nr"]) == [2, 1, 1]
    assert decode_ints(g["nc"]) == [4, 3, 4, 4]  # closing vertices dropped
    pts = np.cumsum(np.array(decode_ints(g["c"])).reshape(-1, 2), axis=0) / 1e6
    assert pts.shape == (15, 2)
    assert tuple(pts[0]) == (0.0, 0.0) and tuple(pts[1]) == (0.0, 4.0)  # (lat, lon)


def test_points_need_no_structure() -> None:
    g = encode_geometries(np.array([shapely.Point(117.1234567, 37.7654321)], dtype=object))
    assert set(g) == {"c"}
    assert decode_ints(g["c"]) == [37765432, 117123457]  # rounded to 6 decimals


def _replay(layer: dict[str, Any], i: int, day: dt.date) -> tuple[str, dt.date | None]:
    """A site's status and status date on ``day`` from the blob's events, as the script does."""
    counts = decode_ints(layer["events"]["n"])
    days = np.cumsum(decode_ints(layer["events"]["day"]))
    start = sum(counts[:i])
    status, when = SITE_STATUSES[0], None
    for k in range(start, start + counts[i]):
        d = dt.date(2000, 1, 1) + dt.timedelta(days=int(days[k]))
        if d <= day:
            status, when = SITE_STATUSES[int(layer["events"]["code"][k])], d
    return status, when


def test_blob_counts_fields_and_styles(ws: Workspace) -> None:
    data = map_data(ws, _options())
    assert data["schema"] == "citymap-map" and data["version"] == 2
    names = {x["name"]: x for x in data["layers"]}
    assert set(names) == set(ws.layers)
    for name, gdf in ws.data.items():
        assert names[name]["n"] == len(gdf)
        assert _col(names[name], "id") == list(gdf["id"])
    oc = names["old_communities"]
    assert oc["fields"] == [{"column": "year", "label": "计划年份"},
                            {"column": "households", "label": "户数"},
                            {"column": "note", "label": "说明"}]
    # styles once per layer: four status colours, not one per feature
    assert oc["style"]["colors"] == [STATUS_COLORS[s] for s in SITE_STATUSES]
    assert "style" not in json.dumps(oc["columns"])
    assert names["roads"]["role"] == "context" and "events" not in names["roads"]
    assert names["pilot_zones"]["role"] == "pilot"
    assert names["pilot_zones"]["zone"]["area"] == [pytest.approx(1.92, abs=0.01)]
    # coordinates within half a micro-degree of the data
    got = _coords(names["pocket_parks"])
    want = shapely.get_coordinates(ws.data["pocket_parks"].geometry.values)[:, ::-1]
    assert np.abs(got - want).max() <= 5e-7 + 1e-12


def test_statuses_per_date_follow_the_history(ws: Workspace) -> None:
    data = map_data(ws, _options())
    keys = [d["iso"] for d in data["dates"]]
    assert keys[:3] == ["2020-12-31", "2021-12-31", "2022-12-31"] and keys[3] == "2024-06-30"
    for (layer, fid), by_year in EXPECTED.items():
        lay = _layer(data, layer)
        i = _col(lay, "id").index(fid)
        for year in (2020, 2021, 2022):
            assert _replay(lay, i, dt.date(year, 12, 31))[0] == by_year[year], (fid, year)
    oc = _layer(data, "old_communities")
    i = _col(oc, "id").index("oc-2")
    assert _replay(oc, i, dt.date(2022, 12, 31))[1] == dt.date(2022, 8, 1)


def test_events_replay_the_status_on_every_month(ws: Workspace) -> None:
    """The events in the blob give each site the status ``status_as_of`` gives, any month."""
    opts, sel = date_options(None, TODAY, months=True)
    assert len(opts) == 37 and sum(o.quick for o in opts) == 4 and opts[sel].date == TODAY
    data = map_data(ws, MapOptions(dates=opts, selected=sel, basemap="none"))
    for o in opts[::5]:
        now = ws.status_as_of(o.date)
        for lay in data["layers"]:
            if "events" not in lay:
                continue
            want = now.layer(lay["name"])
            for i, fid in enumerate(_col(lay, "id")):
                got = _replay(lay, i, o.date)
                row = want[want["id"] == fid].iloc[0]
                assert got[0] == row["status"], (fid, o.date)
                assert (got[1].isoformat() if got[1] else "") == row["status_date"]


def test_targets_a_site_counts_toward(ws: Workspace) -> None:
    data = map_data(ws, _options())
    ids = [t["id"] for t in data["targets"]]
    oc = _layer(data, "old_communities")
    groups = decode_ints(oc["targets"]["i"])
    by_id = dict(zip(_col(oc, "id"), groups, strict=True))
    assert [ids[k] for k in oc["targets"]["d"][by_id["oc-1"]]] == ["16.1"]
    assert [ids[k] for k in oc["targets"]["d"][by_id["oc-2"]]] == ["16.2"]
    assert oc["targets"]["d"][by_id["oc-4"]] == []  # work 17 has no target on this layer
    assert set(data["works"]) == {"8", "16", "17"}
    assert data["works"]["16"]["l"] == ["县住房城乡建设局"]
    assert data["works"]["16"]["p"] == ["县发改局", "各乡镇(街道)"]


def _panels(ws: Workspace, opts: MapOptions,
            works: frozenset[int] | None = None) -> list[Panel]:
    return [panel_for(compute_metrics(ws, year=panel_year(o.date), as_of=o.date), o.date,
                      works=works, zones=pilot_zone_results(ws, o.date)) for o in opts.dates]


def test_pilot_zone_area_and_coverage_come_from_the_metrics(ws: Workspace) -> None:
    opts = _options()
    pz = _layer(map_data(ws, opts, _panels(ws, opts)), "pilot_zones")
    for k, o in enumerate(opts.dates):
        (z,) = pilot_zone_results(ws, o.date)
        assert pz["zone"]["area"] == [round(z.area_km2, 2)]
        assert pz["zone"]["coverage"][k] == [[round(z.covered_share, 1),
                                         round(z.by_status["已完成"]["share"], 1)]]
    assert pz["zone"]["below"] == [1] and pz["zone"]["min"] == 2  # 1.92 km² < 2 km²
    # done share grows as oc-2 is done in 2022
    assert pz["zone"]["coverage"][0][0][1] < pz["zone"]["coverage"][2][0][1]
    # without metrics: the area alone (EPSG:4548)
    bare = _layer(map_data(ws, opts), "pilot_zones")["zone"]
    assert bare["area"] == pz["zone"]["area"] and bare["coverage"] == []


def test_service_radius_layer_on_the_overview_only(ws: Workspace) -> None:
    opts = _options()
    service = [residential_coverage_layer(ws, as_of=o.date) for o in opts.dates]
    data = map_data(ws, opts, service=service)
    x = data["service"]
    assert x["role"] == "service" and len(x["coveredByDate"]) == len(opts.dates)
    for k, gdf in enumerate(service):
        assert x["n"] == len(gdf) == 4  # rs-1 within, rs-2 split, rs-3 outside
        bits = x["covered"][x["coveredByDate"][k]]
        assert bits == "".join("1" if c else "0" for c in gdf["covered"])
        assert _col(x, "id") == list(gdf["id"])
    assert len(x["covered"]) < len(opts.dates)  # dates with the same parks share flags
    assert XSS in _col(x, "name")
    unit = map_data(ws, _options(works=frozenset({8}), include_context=False), service=service)
    assert unit["service"] is None


def test_unit_map_shows_only_its_works(ws: Workspace) -> None:
    data = map_data(ws, _options(works=frozenset({8}), include_context=False))
    assert {x["name"] for x in data["layers"]} == {"greenways", "pocket_parks"}


def test_escaping_keeps_markup_out_of_the_page(ws: Workspace) -> None:
    page = render_map(ws, _options())
    assert XSS not in page
    assert "<img" not in page
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in page
    blob = _blob(page)
    assert XSS in _col(_layer(blob, "old_communities"), "name")
    script = page.split('id="citymap-data"')[1]
    assert not re.search(r"\.innerHTML\s*=|insertAdjacentHTML|document\.write|\.html\(", script)
    text = dumps_for_script({"a": "</script><script>alert(1)</script>&\u2028"})
    assert "</" not in text and "<" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><script>alert(1)</script>&\u2028"}


def test_title_is_escaped(ws: Workspace) -> None:
    page = render_map(ws, _options(subtitle="<b>单位</b>"))
    assert "<title>测试县城市品质提升三年行动 — &lt;b&gt;单位&lt;/b&gt;</title>" in page


def test_page_is_rendered_by_the_shared_jinja_environment(ws: Workspace) -> None:
    refs = assets.AssetRefs(styles=('lib/a".css',), scripts=("lib/x&y.js", "lib/z.js"))
    page = render_map(ws, _options(subtitle="\"A\" & 'B'", assets=refs))
    # title (and the map's aria-label) and URLs escaped by jinja, quotes included
    assert "<title>测试县城市品质提升三年行动 — &#34;A&#34; &amp; &#39;B&#39;</title>" in page
    assert 'aria-label="测试县城市品质提升三年行动 — &#34;A&#34; &amp; &#39;B&#39;"' in page
    assert '<link rel="stylesheet" href="lib/a&#34;.css">\n<style>\n' in page
    assert ('</script>\n<script src="lib/x&amp;y.js"></script>\n<script src="lib/z.js"></script>'
            "\n<script>\n(function () {") in page
    # the blob, script and style are marked safe, not escaped again
    assert '"schema":"citymap-map"' in page and "\\u003cimg src=x" in page
    assert "'use strict';" in page and "&#39;use strict&#39;" not in page
    assert page.startswith('<!DOCTYPE html>\n<html lang="zh-CN">') and page.endswith("</html>\n")
    env = templating.environment()
    assert env is templating.environment() and env.autoescape is True
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


def test_english_labels(ws: Workspace) -> None:
    data = map_data(ws, _options(lang="en"))
    assert data["statuses"] == ["not started", "in progress", "done", "behind"]
    assert data["title"] == "Test County city quality plan"
    assert _layer(data, "old_communities")["title"] == "Old communities"
    assert data["actions"][0]["name"] == "Blue and green space"


def test_amap_shifts_overlays_to_gcj02(ws: Workspace) -> None:
    data = map_data(ws, _options(basemap="amap"))
    assert data["gcj02"] is True and all(b["gcj02"] for b in data["basemaps"])
    got = _coords(_layer(data, "pocket_parks"))
    pts = shapely.get_coordinates(ws.data["pocket_parks"].geometry.values)
    x, y = wgs84_to_gcj02(pts[:, 0], pts[:, 1])
    assert np.abs(got - np.column_stack([y, x])).max() <= 5e-7 + 1e-12
    assert np.abs(got - pts[:, ::-1]).max() > 1e-3  # hundreds of metres: really shifted
    tdt = map_data(ws, _options(basemap="tianditu", tianditu_key="k123"))
    assert tdt["gcj02"] is False  # CGCS2000: no shift
    assert np.abs(_coords(_layer(tdt, "pocket_parks")) - pts[:, ::-1]).max() <= 5e-7 + 1e-12


def test_basemaps() -> None:
    assert basemap_layers("none") == []
    osm = basemap_layers("osm")
    assert osm[0]["url"].startswith("https://tile.openstreetmap.org/")
    with pytest.raises(CitymapError, match="--tianditu-key"):
        basemap_layers("tianditu")
    tdt = basemap_layers("tianditu", tianditu_key="KEY")
    assert [b["url"].split("/")[3] for b in tdt] == ["vec_w", "img_w"]
    assert [b["labels"].split("/")[3] for b in tdt] == ["cva_w", "cia_w"]
    assert all("tk=KEY" in b["url"] for b in tdt)
    assert basemap_layers("tianditu", tianditu_key="K", lang="en")[0]["labels"].split("/")[3] \
        == "eva_w"
    amap = basemap_layers("amap")
    assert all(b["url"].startswith("https://") for b in amap)
    with pytest.raises(CitymapError, match="unknown base map"):
        basemap_layers("google")


def test_date_options() -> None:
    opts, sel = date_options(dt.date(2021, 6, 30), TODAY)
    assert [o.date.isoformat() for o in opts] == ["2020-12-31", "2021-06-30", "2021-12-31",
                                                  "2022-12-31", "2024-06-30"]
    assert sel == 1 and opts[0].label == "2020年底"
    opts, sel = date_options(None, TODAY, "en")
    assert opts[sel].date == TODAY and opts[sel].label == "today (2024-06-30)"


def test_panel_shows_the_computed_targets(ws: Workspace) -> None:
    for as_of in (dt.date(2020, 12, 31), dt.date(2021, 12, 31), TODAY):
        year = panel_year(as_of)
        res = compute_metrics(ws, year=year, as_of=as_of)
        blob = panel_blob(panel_for(res, as_of))
        assert blob["year"] == year and blob["ok"] is True
        assert [r["id"] for r in blob["rows"]] == [t.id for t in res.targets]
        for r, t in zip(blob["rows"], res.targets, strict=True):
            assert r["target"] == pytest.approx(t.target) and r["verdict"] == t.verdict
            assert r["unit"] == t.unit
            assert r["actual"] == (None if t.actual is None else pytest.approx(t.actual,
                                                                               abs=1e-3))
        (ind,) = blob["indicators"]
        county = next(i for i in res.indicators if i.scope == "county")
        assert ind["key"] == "park_service_coverage"
        assert ind["value"] == pytest.approx(county.value, abs=1e-3)
        assert [ind["comparison"], ind["standard"], ind["verdict"]] == [
            county.comparison, county.standard, county.verdict]
    # not measurable from geometry: no actual, the work's recorded status and percent
    blob = panel_blob(panel_for(compute_metrics(ws, year=2021, as_of=dt.date(2021, 12, 31)),
                                dt.date(2021, 12, 31)))
    row = next(r for r in blob["rows"] if r["id"] == "17.1")
    assert row["actual"] is None and row["verdict"] == "not measurable"
    assert [row["recordedStatus"], row["recordedPercent"]] == ["进行中", 40]
    en = panel_blob(panel_for(compute_metrics(ws, year=2021, as_of=dt.date(2021, 12, 31)),
                              dt.date(2021, 12, 31)), "en")
    assert next(r for r in en["rows"] if r["id"] == "17.1")["recordedStatus"] == "in progress"


def test_unit_panel_shows_only_its_works(ws: Workspace) -> None:
    res = compute_metrics(ws, year=2020, as_of=dt.date(2020, 12, 31))
    panel = panel_for(res, dt.date(2020, 12, 31), works={8})
    assert [r.id for r in panel.rows] == ["8.1"]  # no 16.1, no plan-level P.1
    assert panel.indicators == () and dict(panel.counts) == {}
    assert panel_for(None, TODAY).available is False
    row = PanelRow("16.2", "改造老旧小区", 2021, 31, 12, "个", "behind", 16)
    assert row.fraction == pytest.approx(12 / 31)
    assert PanelRow("x", "y", 2021, 1, None, "项").fraction is None


def test_panel_counts_come_from_the_statuses(ws: Workspace) -> None:
    opts = _options()
    panels = [Panel(o.date, min(o.date.year, 2022), (PanelRow("16.1", "x", 2020, 2, 1, "个"),))
              for o in opts.dates]  # no counts given: the map counts the sites it shows
    data = map_data(ws, opts, panels)
    # end of 2020: oc-1, pp-1 done; pp-2 and the pilot zone in progress; the rest not started;
    # the pilot zone counts, as in `citymap metrics`
    for k, o in enumerate(opts.dates):
        res = compute_metrics(ws, year=panel_year(o.date), as_of=o.date)
        assert data["panel"][k]["counts"] == [
            sum(c[s] for c in res.counts_by_status.values()) for s in SITE_STATUSES]
    assert data["panel"][0]["counts"] == [6, 2, 2, 0]  # the pilot zone: 进行中
    assert sum(data["panel"][0]["counts"]) == sum(
        len(g) for n, g in ws.data.items() if ws.layers[n].is_sites)


def test_bundle_comes_from_the_package_not_node_modules(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYMAP_NODE_MODULES", str(tmp_path / "nowhere"))
    assets.copy_offline_bundle(tmp_path / "lib", tiles=False)
    assert (tmp_path / "lib" / "leaflet" / "leaflet.js").is_file()
    assert not (tmp_path / "lib" / "leaflet-minimap").exists()  # no tiles, no minimap
    monkeypatch.setattr(assets, "VENDOR_DIR", tmp_path / "gone")
    with pytest.raises(CitymapError) as err:
        assets.copy_offline_bundle(tmp_path / "lib2", tiles=False)
    assert "reinstall citymap" in str(err.value) and "\n" not in str(err.value)


def test_online_refs_are_pinned() -> None:
    refs = assets.online_refs(tiles=True)
    lock = json.loads((Path(__file__).parents[1] / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/leaflet"]["version"]
    assert f"https://cdn.jsdelivr.net/npm/leaflet@{version}/dist/leaflet.js" in refs.scripts
    assert any("leaflet-minimap" in s for s in refs.scripts)
    assert not any("minimap" in s for s in assets.online_refs(tiles=False).scripts)
