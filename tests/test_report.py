import datetime as dt

import pytest

from _ws_metrics import ctx, line, make_ws, rect, site
from citymap.metrics import compute_metrics
from citymap.report import render_report, write_report
from citymap.workspace import load_workspace

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture()
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


def test_report_escapes_and_inlines(ws, tmp_path):
    path = write_report(ws, tmp_path / "out" / "r.html", year=2021)
    html = path.read_text(encoding="utf-8")
    assert XSS not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "data:image/png;base64," in html
    assert "示意 schematic" in html
    assert "PZ-1" in html and "公园绿地服务半径覆盖率" in html
    assert "http://" not in html and "https://" not in html  # self-contained


def test_not_schematic_has_no_notice(tmp_path):
    root = make_ws(tmp_path / "ws", schematic=False)
    # every feature is schematic in the builder only when there are features: none here
    ws = load_workspace(root, today=dt.date(2022, 12, 31))
    html = render_report(compute_metrics(ws, year=2021), ws=ws)
    assert "示意 schematic:" not in html
