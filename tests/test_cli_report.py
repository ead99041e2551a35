from click.testing import CliRunner

from _ws_metrics import make_ws, rect, site
from citymap.cli.main import cli


def test_report_default_path(tmp_path):
    root = make_ws(tmp_path / "ws", sites={
        "pilot_zones": ("Polygon", [site("PZ-1", rect(0, 0, 2000, 1100), works="")])})
    r = CliRunner().invoke(cli, ["--workspace", str(root), "report", "--year", "2021"])
    assert r.exit_code == 0, r.output
    out = root / "maps" / "report-2021.html"
    assert out.is_file() and str(out) in r.output
    assert "<!DOCTYPE html>" in out.read_text(encoding="utf-8")


def test_report_output_option(tmp_path):
    root = make_ws(tmp_path / "ws")
    out = tmp_path / "x" / "通报.html"
    r = CliRunner().invoke(cli, ["--workspace", str(root), "report", "-o", str(out),
                                 "--no-maps"])
    assert r.exit_code == 0, r.output
    assert out.is_file()
