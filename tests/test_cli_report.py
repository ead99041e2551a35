from click.testing import CliRunner

from _ws_metrics import make_ws, rect, site
from citymap.cli.main import cli


def test_report_default_path(tmp_path):
    root = make_ws(tmp_path / "ws", sites={
        "pilot_zones": ("Polygon", [site("PZ-1", rect(0, 0, 2000, 1100), works="")])})
    r = CliRunner().invoke(cli, ["--workspace", str(root), "report", "--year", "2021"])
    assert r.exit_code == 0, r.output
    out = root / "reports" / "report-2021.html"
    assert out.is_file() and str(out) in r.output
    assert "<!DOCTYPE html>" in out.read_text(encoding="utf-8")


def test_report_output_option(tmp_path):
    root = make_ws(tmp_path / "ws")
    out = tmp_path / "x" / "通报.html"
    r = CliRunner().invoke(cli, ["--workspace", str(root), "report", "-o", str(out),
                                 "--no-maps"])
    assert r.exit_code == 0, r.output
    assert out.is_file()


def test_report_without_year_is_the_three_year_overview(tmp_path):
    import datetime as dt
    import re
    from collections import Counter

    from citymap.metrics import compute_metrics
    from citymap.workspace import load_workspace

    xss = "<img src=x onerror=alert(1)>"
    root = make_ws(tmp_path / "ws", sites={
        "pilot_zones": ("Polygon", [site("PZ-1", rect(0, 0, 2000, 1100), works="", name=xss)]),
        "pocket_parks": ("Polygon", [site("PP-1", rect(10, 10, 60, 60), name=xss)])})
    out = tmp_path / "总评.html"
    r = CliRunner().invoke(cli, ["--workspace", str(root), "report", "--as-of", "2022-12-31",
                                 "-o", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "三年总评" in html and "2020–2022" in html
    assert xss not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    res = compute_metrics(load_workspace(root), as_of=dt.date(2022, 12, 31))
    for t in res.targets:
        assert f"<td>{t.id}</td>" in html
    got = {k: int(n) for k, n in re.findall(
        r'data-verdict="([^"]+)"><b class="count">(\d+)</b>', html) if int(n)}
    assert got == dict(Counter(t.verdict for t in res.targets))
    charts = re.findall(r'<figure class="chart" data-metric="([^"]+)"', html)
    assert sorted(charts) == sorted({t.metric for t in res.targets if t.actual is not None})
