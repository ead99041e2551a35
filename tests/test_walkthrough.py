"""Issue 6's walk-through, as a new user does it with the commands, ending in the browser.

Make a template for a unit, fill it (openpyxl), import it, then see the metrics and the map
colours change for the reported date while the earlier date stays as it was.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from _browser import CHROMIUM, offline_page
from _ws_core import make_workspace
from _ws_progress import fill_template
from citymap.cli.main import cli

UNIT = "县住房城乡建设局"

pytestmark = pytest.mark.browser
if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's /usr/bin/chromium is not installed", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


def run(*args):
    r = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r


def actual(ws: Path, target: str, year: int) -> float:
    out = run("metrics", "--workspace", ws, "--year", year, "--format", "json").stdout
    return next(t["actual"] for t in json.loads(out)["targets"] if t["id"] == target)


def map_status(maps: Path, site: str) -> list[tuple[str, str]]:
    """(status, colour) of ``site`` under each option of the date selector."""
    seen = []
    with offline_page(maps / "index.html") as page:
        values = page.locator(".cm-date option").evaluate_all("os => os.map(o => o.value)")
        for v in values:
            page.select_option(".cm-date", v)
            got = page.evaluate("([l, i]) => window.citymap.status(l, i)",
                                ["old_communities", site])
            seen.append((got["status"], got["color"]))
    return seen


def test_template_fill_import_then_metrics_and_map_change(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    run("build", "--workspace", ws, "--offline", "-o", tmp_path / "before")
    before = map_status(tmp_path / "before", "OC-2")
    assert actual(ws, "16.2", 2021) == 0

    sheet = tmp_path / "住建局进度.xlsx"
    run("progress", "template", "--workspace", ws, "--unit", UNIT, "-o", sheet)
    fill_template(sheet, {"OC-2": {"status": "已完成", "date": "2021-11-30", "percent": 100,
                                   "note": "已竣工验收"}})
    run("progress", "import", "--workspace", ws, sheet)

    # the metrics change for 2021, not for 2020
    assert actual(ws, "16.2", 2021) == 1
    assert actual(ws, "16.1", 2020) == 0
    # the map: OC-2 is done at the end of 2021 (and later), unchanged at the end of 2020
    run("build", "--workspace", ws, "--offline", "-o", tmp_path / "after")
    after = map_status(tmp_path / "after", "OC-2")
    assert after[0] == before[0]                       # 2020年底: as before
    assert after[1][0] == "已完成" and before[1][0] != "已完成"  # 2021年底
    assert after[1][1] != before[1][1]                  # and its colour changed
    # importing the same sheet again adds nothing
    r = run("progress", "import", "--workspace", ws, sheet)
    assert "已添加 0 条" in r.stderr
