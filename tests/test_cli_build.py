"""``citymap build`` and ``citymap serve`` (click's CliRunner)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from _ws_maps import make_workspace
from citymap.cli.main import cli
from citymap.io.csvsafe import escape_record
from citymap.metrics import compute_metrics
from citymap.metrics.output import CSV_COLUMNS, csv_rows, to_json
from citymap.workspace import load_workspace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def wsdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CITYMAP_TIANDITU_KEY", raising=False)
    monkeypatch.delenv("CITYMAP_NODE_MODULES", raising=False)
    return make_workspace(tmp_path / "ws")


def _blob(path: Path) -> dict[str, Any]:
    m = re.search(r'id="citymap-data">(.*?)</script>', path.read_text(encoding="utf-8"), re.S)
    assert m is not None
    return dict(json.loads(m.group(1)))


def test_build_writes_every_map(wsdir: Path) -> None:
    res = CliRunner().invoke(cli, ["build", "-w", str(wsdir)])
    assert res.exit_code == 0, res.output
    maps = wsdir / "maps"
    assert res.stdout.strip() == str(maps / "index.html")
    assert "已写出 9 张地图" in res.stderr
    units = sorted(p.name for p in (maps / "units").iterdir())
    assert units == sorted(f"{u}.html" for u in ("县综合行政执法局", "县财政局", "各乡镇(街道)",
                                                 "县住房城乡建设局", "县发改局", "县水利局"))
    assert sorted(p.name for p in (maps / "actions").iterdir()) == [
        "2-蓝绿空间提升行动.html", "5-城市功能提升行动.html"]
    page = (maps / "index.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in page and 'src="lib/leaflet/leaflet.js"' in page
    assert "cdn.jsdelivr.net" not in page  # self-contained: the libraries travel with the maps
    blob = _blob(maps / "index.html")
    assert blob["basemaps"][0]["name"] == "OpenStreetMap"
    assert (maps / "lib" / "leaflet" / "leaflet.js").is_file()
    assert (maps / "lib" / "leaflet-minimap").is_dir()  # a tiled base map: the minimap too
    assert oct((maps).stat().st_mode & 0o777) == "0o755"


@pytest.mark.parametrize("as_of", [None, "2021-06-30"])
def test_build_writes_the_metrics(wsdir: Path, as_of: str | None) -> None:
    args = ["build", "-w", str(wsdir)] + (["--as-of", as_of] if as_of else [])
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    maps = wsdir / "maps"
    data = json.loads((maps / "metrics.json").read_text(encoding="utf-8"))
    day = dt.date.fromisoformat(data["as_of"])
    if as_of is None:
        assert abs((day - dt.date.today()).days) <= 1
    else:
        assert day == dt.date(2021, 6, 30)
    year = min(day.year, 2022)  # the date's year; after the plan, its last year
    assert data["year"] == year
    want = compute_metrics(load_workspace(wsdir), year=year, as_of=day)
    assert data == json.loads(to_json(want))
    assert [t["id"] for t in data["targets"]] == [t.id for t in want.targets]
    text = (maps / "metrics.csv").read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(text[1:].splitlines()))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert rows == [escape_record(r) for r in csv_rows(want)]  # '= is written '\'='
    # the panel of the build's date shows the same targets
    blob = _blob(maps / "index.html")
    panel = blob["panel"][int(blob["selected"])]
    assert [r["id"] for r in panel["rows"]] == [t.id for t in want.targets]
    assert [r["actual"] for r in panel["rows"]] == [
        None if t.actual is None else pytest.approx(t.actual, abs=1e-3) for t in want.targets]
    assert "metrics.json" in (maps / "README.md").read_text(encoding="utf-8")


def test_offline_build_uses_no_network(wsdir: Path) -> None:
    out = wsdir / "offline"
    res = CliRunner().invoke(cli, ["build", "-w", str(wsdir), "--offline", "-o", str(out)])
    assert res.exit_code == 0, res.output
    for page in out.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "http://" not in text.split('id="citymap-data"')[0]
        assert not re.search(r'(src|href)="https?:', text), page
        assert _blob(page)["basemaps"] == []
    assert (out / "lib" / "leaflet" / "leaflet.js").is_file()
    assert (out / "lib" / "leaflet" / "images" / "layers.png").is_file()
    assert 'src="../lib/leaflet/leaflet.js"' in (out / "units" / "县水利局.html").read_text(
        encoding="utf-8")
    assert not (out / "lib" / "leaflet-minimap").exists()  # no tiles: no minimap


def test_build_needs_no_node_modules(wsdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The package carries the libraries: a build with no npm anywhere still bundles them."""
    monkeypatch.setenv("CITYMAP_NODE_MODULES", str(wsdir / "missing"))
    res = CliRunner().invoke(cli, ["build", "-w", str(wsdir), "-o", str(wsdir / "m")])
    assert res.exit_code == 0, res.output
    assert (wsdir / "m" / "lib" / "leaflet" / "leaflet.js").is_file()


def test_offline_refuses_a_network_base_map(wsdir: Path) -> None:
    res = CliRunner().invoke(cli, ["build", "-w", str(wsdir), "--offline", "--basemap", "osm"])
    assert res.exit_code == 2 and "--basemap none 或 --tiles" in res.stderr


def test_offline_with_a_local_tile_folder(wsdir: Path) -> None:
    tiles = wsdir / "mytiles" / "13" / "6771"
    tiles.mkdir(parents=True)
    (tiles / "3100.png").write_bytes(b"\x89PNG")
    out = wsdir / "t"
    res = CliRunner().invoke(cli, ["build", "-w", str(wsdir), "--offline", "--tiles",
                                   str(wsdir / "mytiles"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "tiles" / "13" / "6771" / "3100.png").is_file()
    assert _blob(out / "index.html")["basemaps"][0]["url"] == "tiles/{z}/{x}/{y}.png"
    assert _blob(out / "units" / "县水利局.html")["basemaps"][0]["url"] == \
        "../tiles/{z}/{x}/{y}.png"
    assert (out / "lib" / "leaflet-minimap" / "Control.MiniMap.min.js").is_file()


def test_tianditu_key_from_the_environment(wsdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYMAP_TIANDITU_KEY", "abc123")
    res = CliRunner().invoke(cli, ["build", "-w", str(wsdir), "-o", str(wsdir / "t")])
    assert res.exit_code == 0, res.output
    bm = _blob(wsdir / "t" / "index.html")["basemaps"]
    assert [b["name"] for b in bm] == ["天地图 矢量", "天地图 影像"]
    assert "tk=abc123" in bm[0]["url"]
    res = CliRunner().invoke(cli, ["build", "-w", str(wsdir), "--basemap", "tianditu", "-o",
                                   str(wsdir / "u")], env={"CITYMAP_TIANDITU_KEY": ""})
    assert res.exit_code == 2 and "--tianditu-key" in res.stderr


def test_english_and_as_of(wsdir: Path) -> None:
    res = CliRunner().invoke(cli, ["build", "-w", str(wsdir), "--lang", "en", "--as-of",
                                   "2021-06-30", "-o", str(wsdir / "en")])
    assert res.exit_code == 0, res.output
    blob = _blob(wsdir / "en" / "index.html")
    assert blob["lang"] == "en" and blob["subtitle"] == "Overview"
    dates = blob["dates"]
    assert isinstance(dates, list)
    assert dates[int(blob["selected"])]["iso"] == "2021-06-30"
    assert 'lang="en"' in (wsdir / "en" / "index.html").read_text(encoding="utf-8")


def test_amap_base_map(wsdir: Path) -> None:
    res = CliRunner().invoke(cli, ["build", "-w", str(wsdir), "--basemap", "amap", "-o",
                                   str(wsdir / "a")])
    assert res.exit_code == 0, res.output
    assert _blob(wsdir / "a" / "index.html")["gcj02"] is True


def test_serve_needs_built_maps(wsdir: Path) -> None:
    res = CliRunner().invoke(cli, ["serve", "-w", str(wsdir)])
    assert res.exit_code == 2 and "citymap build" in res.stderr


def test_help() -> None:
    res = CliRunner().invoke(cli, ["build", "--help"])
    assert res.exit_code == 0
    for opt in ("--offline", "--as-of", "--basemap", "--tianditu-key", "--tiles", "--output",
                "--lang", "CITYMAP_TIANDITU_KEY"):
        assert opt in res.output
    assert CliRunner().invoke(cli, ["serve", "--help"]).exit_code == 0


def test_build_keeps_exports_and_reports(tmp_path):
    """A build replaces maps/ whole, so exports and reports default to folders of their own."""
    from click.testing import CliRunner

    from _ws_maps import make_workspace as make_maps_ws
    from citymap.cli.main import cli

    ws = make_maps_ws(tmp_path / "ws")
    for args in (["export", "--format", "csv"], ["report", "--year", "2021"],
                 ["build", "--offline"]):
        r = CliRunner().invoke(cli, ["--workspace", str(ws), *args])
        assert r.exit_code == 0, r.output
    assert (ws / "export" / "csv" / "works.csv").is_file()
    assert (ws / "reports" / "report-2021.html").is_file()
    assert (ws / "maps" / "index.html").is_file()
