"""One status on a date: every view agrees on every work's and site's status.

On the shipped workspace, at the end of each plan year and today: ``show``, ``tasks``,
``overdue``, the exports (GeoJSON layers, works.csv), the map's data (its status events
replayed as the map's script does, its late marks and its panel's counts) and the report
(the recorded status of targets not measurable from geometry) all give what
:meth:`Workspace.status_as_of` gives.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from citymap.cli.main import cli
from citymap.io.export import export_workspace
from citymap.metrics import compute_metrics, pilot_zone_results
from citymap.render.encoding import decode_ints
from citymap.render.map import MapOptions, map_data
from citymap.render.panel import panel_for, panel_year
from citymap.render.timeline import EPOCH, date_options
from citymap.sites import parse_works
from citymap.state import StatusAsOf
from citymap.vocab import SITE_STATUSES
from citymap.workspace import Workspace, load_workspace

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date.today()
DAYS = [dt.date(2020, 12, 31), dt.date(2021, 12, 31), dt.date(2022, 12, 31), TODAY]


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return load_workspace(ROOT)


@pytest.fixture(scope="module")
def blob(ws: Workspace) -> dict[str, Any]:
    """The overview's data with its panels on the year ends and today (as a build makes it)."""
    opts, sel = date_options(None, TODAY)
    panels = [panel_for(compute_metrics(ws, year=panel_year(o.date), as_of=o.date), o.date,
                        zones=pilot_zone_results(ws, o.date)) for o in opts]
    return map_data(ws, MapOptions(dates=opts, selected=sel, basemap="none"), panels)


@pytest.fixture(autouse=True)
def _loaded_once(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands get the workspace loaded once (the status is what is compared)."""
    import citymap.cli.overdue
    import citymap.cli.show
    import citymap.cli.tasks

    for mod, name in ((citymap.cli.show, "load_records"), (citymap.cli.tasks, "load_records"),
                      (citymap.cli.overdue, "load")):
        monkeypatch.setattr(mod, name, lambda ctx: ws)


def _cli(*args: str) -> Any:
    res = CliRunner().invoke(cli, [*args, "-w", str(ROOT), "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _col(layer: dict[str, Any], name: str) -> list[Any]:
    c = layer["columns"][name]
    return [c["d"][i] for i in decode_ints(c["i"])] if isinstance(c, dict) else list(c)


def _replay(data: dict[str, Any], day: dt.date) -> dict[str, tuple[str, bool]]:
    """Site id → (status, late) on ``day`` from the blob, by the rules of 10-draw.js."""
    n_day = (day - EPOCH).days

    def work_done(n: int) -> bool | None:
        w = data["works"].get(str(n))
        if w is None:
            return None
        done = None
        for d, flag in w["ev"]:
            if d <= n_day:
                done = flag == 1
        return done if done is not None else w["fixed"] == 1

    out = {}
    for lay in data["layers"]:
        if "events" not in lay:
            continue
        counts = decode_ints(lay["events"]["n"])
        days = np.cumsum(decode_ints(lay["events"]["day"]))
        due = np.cumsum(decode_ints(lay["due"]))
        groups, index = lay["works"]["d"], decode_ints(lay["works"]["i"])
        start = 0
        for i, fid in enumerate(_col(lay, "id")):
            code = 0
            for k in range(start, start + counts[i]):
                if days[k] <= n_day:
                    code = int(lay["events"]["code"][k])
            start += counts[i]
            late = False
            if code == 3 or (due[i] <= n_day and code != 2):
                late = any(work_done(n) is False for n in groups[index[i]])
            out[fid] = (SITE_STATUSES[code], late)
    return out


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_every_view_agrees(ws: Workspace, blob: dict[str, Any], day: dt.date,
                           tmp_path: Path) -> None:
    now: StatusAsOf = ws.status_as_of(day)
    works = {n: st.status for n, st in now.works.items()}
    sites = dict(zip(now.sites["id"].astype(str), now.sites["status"].astype(str), strict=True))
    late_sites = now.late_sites
    assert "OC-2021-30" in late_sites or day.year != 2021  # the example
    # show and tasks
    for n in works:
        assert _cli("show", str(n), "--as-of", day.isoformat())["status"] == works[n], n
    tasks = _cli("tasks", "--as-of", day.isoformat())
    assert {int(t["number"]): _zh(t["status"]) for t in tasks} == works
    # overdue: its works are the 滞后 ones, its sites the late ones
    items = _cli("overdue", "--as-of", day.isoformat())
    assert {i["work"] for i in items if i["kind"] == "工程"} == {
        n for n, s in works.items() if s == "滞后"} == set(now.late_works)
    assert {i["id"] for i in items if i["kind"] == "点位"} == set(late_sites)
    for i in items:
        if i["kind"] == "点位":
            assert i["status"] == sites[i["id"]]
    # exports: every layer's sites, the works table
    export_workspace(ws, tmp_path / "x", fmt="geojson", as_of=day)
    export_workspace(ws, tmp_path / "x", fmt="csv", as_of=day)
    seen = {}
    for f in (tmp_path / "x" / "geojson").glob("*.geojson"):
        for feat in json.loads(f.read_text(encoding="utf-8"))["features"]:
            if "status" in feat["properties"] and feat["properties"]["id"] in sites:
                seen[feat["properties"]["id"]] = feat["properties"]["status"]
    assert seen == sites
    with open(tmp_path / "x" / "csv" / "works.csv", encoding="utf-8-sig") as fh:
        assert {int(r["number"]): r["status"] for r in csv.DictReader(fh)} == works
    # the map: status events replayed, late marks, the panel's counts
    replay = _replay(blob, day)
    assert {k: v[0] for k, v in replay.items()} == sites
    assert {k for k, v in replay.items() if v[1]} == set(late_sites)
    k = [d["iso"] for d in blob["dates"]].index(day.isoformat())
    panel = blob["panel"][k]
    assert panel["counts"] == [sum(1 for s in sites.values() if s == st) for st in SITE_STATUSES]
    assert panel["late"] == {"sites": len(late_sites), "works": len(now.late_works),
                             "targets": len({i["id"] for i in items if i["kind"] == "目标"})}
    # metrics (the panel's and the report's numbers) count the same statuses, pilot zones too
    res = compute_metrics(ws, year=panel_year(day), as_of=day)
    assert [sum(c[s] for c in res.counts_by_status.values()) for s in SITE_STATUSES] == \
        panel["counts"]
    for t in res.targets:
        if t.verdict == "not measurable" and t.work is not None:
            assert t.recorded_status == works[t.work], t.id  # the report's 记录 column
    # a site's works: a late site is always under a work that is not done
    for sid in late_sites:
        row = now.sites[now.sites["id"] == sid].iloc[0]
        assert any(works.get(n) != "已完成" for n in parse_works(row["works"]))


def _zh(status: str) -> str:
    return status  # tasks prints Chinese by default


def test_status_is_computed_once_per_day(ws: Workspace) -> None:
    day = dt.date(2021, 6, 30)
    assert ws.status_as_of(day) is ws.status_as_of(day)
    with pytest.raises(AttributeError):
        ws.status_as_of(day).date = TODAY  # type: ignore[misc]
