import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from _ws_metrics import ctx, line, make_ws, rect, site
from citymap.metrics import compute_metrics
from citymap.report import (
    SUMMARY_VERDICTS,
    render_report,
    scale_bar_length,
    verdict_counts,
    write_report,
    yearly_series,
)
from citymap.workspace import load_workspace

XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
CHROMIUM = Path("/usr/bin/chromium")

# yearly targets of one metric (pocket parks 2/3/2 in 2020/2021/2022), a greenway target
# and a multi-year one: the charts must show each metric's years side by side
TARGETS = [
    '{id: "8.1", metric: pocket_parks, name: 口袋公园, value: 2, unit: 处, comparison: ">=", '
    'year: 2020, layer: pocket_parks}',
    '{id: "8.2", metric: pocket_parks, name: 口袋公园, value: 3, unit: 处, comparison: ">=", '
    'year: 2021, layer: pocket_parks}',
    '{id: "8.3", metric: pocket_parks, name: 口袋公园, value: 2, unit: 处, comparison: ">=", '
    'year: 2022, layer: pocket_parks}',
    '{id: "8.4", metric: greenway_length, name: 绿道, value: 3, unit: km, comparison: ">=", '
    'year: 2021, layer: greenways}',
    '{id: "8.5", metric: greenway_length, name: 绿道, value: 5, unit: km, comparison: ">=", '
    'start_year: 2020, year: 2022, layer: greenways}',
]


def _parks() -> list[dict]:
    return [
        site("PP-1", rect(10, 10, 60, 60), year=2020, date="2020-06-30", name=XSS),
        site("PP-2", rect(100, 10, 60, 60), year=2020, date="2020-09-30"),
        # done only in 2022: not counted for 2021 by the end of 2021
        site("PP-3", rect(200, 10, 60, 60), year=2021, date="2022-03-31"),
        site("PP-4", rect(300, 10, 60, 60), year=2021, date="2021-05-31"),
        site("PP-5", rect(400, 10, 60, 60), year=2021, status="进行中", date="2021-05-31"),
        site("PP-6", rect(500, 10, 60, 60), year=2022, date="2022-05-31"),
    ]


@pytest.fixture
def ws(tmp_path):
    root = make_ws(tmp_path / "ws", sites={
        "pilot_zones": ("Polygon", [site("PZ-1", rect(0, 0, 2000, 1100), works="", name=XSS)]),
        "pocket_parks": ("Polygon", [site("PP-1", rect(10, 10, 60, 60), name=XSS)]),
        "greenways": ("LineString", [site("GW-1", line((0, 500), (3500, 500)))]),
    }, context={
        "residential": ("Polygon", [ctx("RE-1", rect(100, 100, 200, 200), name=XSS)]),
        "roads": ("LineString", [ctx("R-1", line((-10, 50), (3000, 50)), **{"class": "支路"})]),
        "built_up": ("Polygon", [ctx("B-1", rect(0, 0, 3000, 2000))]),
    }, fields={"roads": {"class": "str"}})
    return load_workspace(root, today=dt.date(2022, 12, 31))


@pytest.fixture
def yearly(tmp_path):
    root = make_ws(tmp_path / "yws", targets=TARGETS, sites={
        "pilot_zones": ("Polygon", [site("PZ-1", rect(0, 0, 2000, 1100), works="")]),
        "pocket_parks": ("Polygon", _parks()),
        "greenways": ("LineString", [
            site("GW-1", line((0, 500), (2000, 500)), year=2020, date="2020-10-01"),
            site("GW-2", line((0, 800), (1500, 800)), year=2021, date="2021-10-01"),
            site("GW-3", line((0, 900), (1000, 900)), year=2022, status="进行中",
                 date="2022-04-01")]),
    })
    return load_workspace(root, today=dt.date(2022, 6, 30))


def _charts(html: str) -> dict[str, str]:
    return dict(re.findall(r'<figure class="chart" data-metric="([^"]+)" data-years="([^"]*)"',
                           html))


def _summary(html: str) -> dict[str, int]:
    return {k: int(n) for k, n in re.findall(
        r'data-verdict="([^"]+)"><b class="count">(\d+)</b>', html)}


def test_report_escapes_and_inlines(ws, tmp_path):
    path = write_report(ws, tmp_path / "out" / "r.html", year=2021)
    html = path.read_text(encoding="utf-8")
    assert XSS not in html
    assert XSS_ESCAPED in html
    assert "data:image/png;base64," in html
    assert "示意: 本报告数据为示意数据" in html
    assert "PZ-1" in html and "公园绿地服务半径覆盖率" in html
    assert "http://" not in html and "https://" not in html  # self-contained
    assert "<script" not in html and "<link" not in html


def test_xss_name_shows_as_text(ws):
    html = render_report(compute_metrics(ws, year=2021), ws=ws)
    # the zone's name, in the zone table and its map's heading, is text, never a tag
    zone_part = html[html.index("<h2>试点片区</h2>"):]
    assert zone_part.count(XSS_ESCAPED) >= 2
    assert "<img src=x" not in html and "onerror=alert" not in html.replace(XSS_ESCAPED, "")


def test_not_schematic_has_no_notice(tmp_path):
    root = make_ws(tmp_path / "ws", schematic=False)
    # every feature is schematic in the builder only when there are features: none here
    ws = load_workspace(root, today=dt.date(2022, 12, 31))
    html = render_report(compute_metrics(ws, year=2021), ws=ws)
    assert "示意: 本报告数据为示意数据" not in html


def test_one_chart_per_metric_with_years(yearly):
    res = compute_metrics(yearly, year=2021)
    html = render_report(res, ws=yearly)
    charts = _charts(html)
    measured = {t.metric for t in res.targets if t.actual is not None}
    assert set(charts) == measured == {"pocket_parks", "greenway_length", "pilot_zone_area"}
    assert html.count('<figure class="chart"') == len(measured)
    # the years up to the report date (2021-12-31): 2022 is not yet reported
    assert charts["pocket_parks"].split() == ["2020", "2021"]
    # the multi-year target is counted on the report date, before its deadline (*)
    assert charts["greenway_length"].split() == ["2021", "2020–22*"]


def test_chart_points_done_by_each_year_end(yearly):
    res = compute_metrics(yearly, as_of=dt.date(2022, 6, 30))  # the overview
    s = {x["metric"]: x for x in yearly_series(res, yearly)}
    pts = {p["id"]: p for p in s["pocket_parks"]["points"]}
    assert [p["year"] for p in s["pocket_parks"]["points"]] == [2020, 2021, 2022]
    assert [p["target"] for p in s["pocket_parks"]["points"]] == [2.0, 3.0, 2.0]
    # 2021: PP-3 was done only in 2022, PP-5 is in progress: 1 of 3 planned by 2021-12-31
    assert (pts["8.2"]["planned"], pts["8.2"]["actual"]) == (3.0, 1.0)
    assert pts["8.2"]["verdict"] == "behind" and pts["8.2"]["as_of"] == "2021-12-31"
    # the table (as of the report date) sees PP-3 done
    assert next(t for t in res.targets if t.id == "8.2").actual == 2.0
    # the current year is counted on the report date
    assert pts["8.3"]["as_of"] == "2022-06-30" and pts["8.3"]["partial"]
    html = render_report(res, ws=yearly)
    assert _charts(html)["pocket_parks"].split() == ["2020", "2021", "2022*"]
    assert "三年总评" in html
    for t in res.targets:
        assert f"<td>{t.id}</td>" in html


def test_summary_counts_are_the_metrics_verdicts(yearly):
    for year in (2020, 2021, 2022, None):
        res = compute_metrics(yearly, year=year, as_of=dt.date(2022, 6, 30))
        expected = Counter(t.verdict for t in res.targets)
        got = _summary(render_report(res, ws=yearly, maps=False))
        assert set(SUMMARY_VERDICTS) <= set(got)
        assert {k: v for k, v in got.items() if v} == dict(expected)
        assert sum(got.values()) == len(res.targets)
        assert {k: v for k, v in verdict_counts(res).items() if v} == dict(expected)


def test_summary_counts_shipped_workspace():
    root = Path(__file__).resolve().parents[1]
    ws = load_workspace(root)
    res = compute_metrics(ws, year=2021)
    got = _summary(render_report(res, maps=False))
    assert {k: v for k, v in got.items() if v} == dict(Counter(t.verdict for t in res.targets))


def test_without_workspace_charts_the_result_only(yearly):
    res = compute_metrics(yearly, year=2021)
    html = render_report(res)
    assert _charts(html)["pocket_parks"].split() == ["2021"]
    assert "示意图" not in html  # no zone maps without the workspace


def test_zone_map_and_details(ws):
    res = compute_metrics(ws, year=2021)
    html = render_report(res, ws=ws)
    n_charts = len({t.metric for t in res.targets if t.actual is not None})
    assert html.count("data:image/png;base64,") == n_charts + len(res.zones) == n_charts + 1
    assert "上为北" in html
    assert "<details><summary>1 个项目</summary>" in html
    assert "@page" in html and "A4 portrait" in html


@pytest.mark.parametrize(("span", "bar"), [(3000, 500), (1200, 200), (900, 100),
                                           (60_000, 10_000), (1300, 250)])
def test_scale_bar_length(span, bar):
    assert scale_bar_length(span) == bar


@pytest.mark.browser
def test_report_in_chromium_offline_prints_to_pdf(yearly, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian's /usr/bin/chromium is not installed; no browser is downloaded")
    sync_api = pytest.importorskip("playwright.sync_api")
    path = write_report(yearly, tmp_path / "r.html", year=2021)
    requests: list[str] = []
    errors: list[str] = []

    def route(r) -> None:
        url = r.request.url
        if url.startswith(("file:", "data:", "about:")):
            r.continue_()
        else:
            requests.append(url)
            r.abort()

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = b.new_page(viewport={"width": 1100, "height": 1400})
            page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            def on_dialog(d: Any) -> None:
                errors.append(f"dialog: {d.message}")
                d.dismiss()

            page.on("dialog", on_dialog)
            page.route("**/*", route)
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            # every image decoded (the inlined charts and the zone map)
            broken = page.evaluate(
                "[...document.images].filter(i => !i.complete || !i.naturalWidth).length")
            n_img = page.evaluate("document.images.length")
            widths = page.evaluate(
                "[...document.querySelectorAll('.chart img')].map(i => i.clientWidth)")
            page.emulate_media(media="print")
            pdf = page.pdf(format="A4", print_background=True)
        finally:
            b.close()
    assert errors == []
    assert requests == []
    assert n_img == 3 + 1 and broken == 0  # three metrics, one zone
    assert len(set(widths)) == 1  # small multiples of one size
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1
