"""Issue 13's walk-through of the review loop, with the commands, ending in the browser.

Two units submit (住建局 with photos of its site), the 专班 accepts one and returns the
other with a reason, the unit resubmits and is accepted. The metrics and the map (headless
Chromium, network blocked) change only at acceptance; the pending changes are drawn as the
layer 待审核 meanwhile; the history shows every step with person and reason; the report
shows the photos. The same walk-through runs on the folder and on the PostGIS store.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from _browser import CHROMIUM, offline_page
from _photos import phone_jpeg, write
from _ws_progress import write_csv
from _ws_review import LEAD_8, LEAD_16, PERSON_8, PERSON_16, REVIEWER, make_review_workspace
from citymap.cli.main import cli

pytestmark = pytest.mark.browser
if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Debian's /usr/bin/chromium is not installed", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


class Side:
    """The workspace folder, or the PostGIS store holding it (``--store URL``)."""

    def __init__(self, root: Path, url: str | None) -> None:
        self.root, self.url = root, url

    def run(self, *args: Any, person: str | None = None, ok: bool = True) -> Any:
        where = ["--store", self.url] if self.url else ["--workspace", str(self.root)]
        env = {"CITYMAP_USER": person} if person else {}
        r = CliRunner().invoke(cli, [*[str(a) for a in args], *where], env=env)
        if ok:
            assert r.exit_code == 0, r.output
        return r


def actual(side: Side, target: str, year: int) -> float:
    out = side.run("metrics", "--year", year, "--as-of", "2021-12-31", "--format",
                   "json").stdout
    return next(t["actual"] for t in json.loads(out)["targets"] if t["id"] == target)


def look(side: Side, tmp: Path, name: str) -> dict[str, Any]:
    """Build the maps as of 2021-12-31 and read them in Chromium (network blocked)."""
    out = tmp / name
    side.run("build", "--offline", "--as-of", "2021-12-31", "-o", out)
    got: dict[str, Any] = {}
    with offline_page(out / "index.html") as page:
        for layer, site in (("old_communities", "OC-2"), ("pocket_parks", "PP-1")):
            got[site] = page.evaluate("([l, i]) => window.citymap.status(l, i)", [layer, site])
        got["pending"] = page.evaluate("window.citymap.pending()")
        if got["pending"]["n"]:
            got["popup"] = page.evaluate("window.citymap.openPending(0)")
            page.locator(".cm-pending input").uncheck()
            got["off"] = page.evaluate("window.citymap.pending().on")
    return got


@pytest.fixture(params=["folder", "postgis"])
def side(request: pytest.FixtureRequest, tmp_path: Path) -> Side:
    root = make_review_workspace(tmp_path / "ws")
    if request.param == "folder":
        return Side(root, None)
    from citymap.store import open_postgis

    url = request.getfixturevalue("pg_url")
    st = open_postgis(url)
    st.init()
    st.push(root)
    return Side(root, url)


def test_submit_review_resubmit_publish(side: Side, tmp_path: Path) -> None:
    base = look(side, tmp_path, "m0")
    assert base["OC-2"]["status"] == "未开始" and base["pending"]["n"] == 0
    assert (actual(side, "16.2", 2021), actual(side, "8.1", 2020)) == (0, 0)

    # 1. two units submit; 住建局 hands in photos of its site
    f16 = write_csv(tmp_path / "住建局.csv", [
        {"id": "OC-2", "status": "已完成", "date": "2021-11-30", "percent": 100,
         "note": "已竣工验收", "unit": LEAD_16}])
    f8 = write_csv(tmp_path / "执法局.csv", [
        {"id": "PP-1", "status": "已完成", "date": "2020-10-01", "percent": 100,
         "unit": LEAD_8}])
    r = side.run("progress", "import", f16, person=PERSON_16)
    assert "已提交 S1" in r.stderr
    r = side.run("progress", "import", f8, person=PERSON_8)
    assert "已提交 S2" in r.stderr
    photos = tmp_path / "照片"
    write(photos / "OC-2_后_2021-11-28.jpg", phone_jpeg(color=(30, 140, 60)))
    side.run("photos", "import", photos, person=PERSON_16)
    pending = look(side, tmp_path, "m1")
    assert pending["OC-2"]["status"] == "未开始"  # not published yet
    assert (actual(side, "16.2", 2021), actual(side, "8.1", 2020)) == (0, 0)
    assert pending["pending"]["on"] and pending["pending"]["n"] == 2
    assert [(x["id"], x["submission"], x["proposed"]) for x in pending["pending"]["items"]] \
        == [("OC-2", "S1", "已完成"), ("PP-1", "S2", "已完成")]
    for k in ("S1", LEAD_16, PERSON_16, "未开始 → 已完成"):
        assert k in pending["popup"]
    assert pending["off"] is False  # the layer can be switched off

    # 2. the 专班 looks, accepts 住建局's and returns 执法局's with a reason
    show = side.run("review", "show", "S1", "--format", "json").stdout
    assert [(c["id"], c["current"], c["proposed"]) for c in json.loads(show)["changes"]] == [
        ("OC-2", "未开始", "已完成")]
    side.run("review", "accept", "S1", person=REVIEWER)
    side.run("review", "return", "S2", "--reason", "缺少竣工照片", person=REVIEWER)
    after = look(side, tmp_path, "m2")
    assert after["OC-2"]["status"] == "已完成" and after["OC-2"]["color"] != base["OC-2"]["color"]
    assert after["PP-1"]["status"] == base["PP-1"]["status"]
    assert after["pending"]["n"] == 0
    assert (actual(side, "16.2", 2021), actual(side, "8.1", 2020)) == (1, 0)

    # 3. 执法局 corrects and imports again: a resubmission of S2, accepted
    r = side.run("progress", "import", f8, person=PERSON_8)
    assert "已提交 S3" in r.stderr and "S2" in r.stderr
    assert look(side, tmp_path, "m3")["pending"]["n"] == 1
    assert actual(side, "8.1", 2020) == 0
    side.run("review", "accept", "S3", person=REVIEWER)
    final = look(side, tmp_path, "m4")
    assert final["PP-1"]["status"] == "已完成" and final["pending"]["n"] == 0
    assert actual(side, "8.1", 2020) == 1

    # 4. the history: every step, person and reason
    steps = json.loads(side.run("review", "history", "--format", "json").stdout)
    assert [(s["submission"], s["step"], s["person"], s["detail"]) for s in steps] == [
        ("S1", "submitted", PERSON_16, "住建局.csv"),
        ("S2", "submitted", PERSON_8, "执法局.csv"),
        ("S1", "accepted", REVIEWER, ""),
        ("S2", "returned", REVIEWER, "缺少竣工照片"),
        ("S3", "resubmitted", PERSON_8, "执法局.csv (→ S2)"),
        ("S3", "accepted", REVIEWER, "")]
    per_site = json.loads(side.run("review", "history", "--site", "PP-1", "--format",
                                   "json").stdout)
    assert [s["submission"] for s in per_site] == ["S2", "S2", "S3", "S3"]
    today = dt.date.today().isoformat()
    per_day = json.loads(side.run("review", "history", "--unit", LEAD_16, "--from", today,
                                  "--to", today, "--format", "json").stdout)
    assert [s["step"] for s in per_day] == ["submitted", "accepted"]

    # 5. the report shows the photo of the accepted site
    out = tmp_path / "r.html"
    side.run("report", "--year", "2021", "--as-of", "2021-12-31", "-o", out, "--no-maps")
    html = out.read_text("utf-8")
    assert re.findall(r'<figure class="photo" data-site="([^"]+)"', html) == ["OC-2"]
