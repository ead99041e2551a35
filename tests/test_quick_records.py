"""``tasks`` and ``show`` without geometry: the stamp of validated files and the records load.

The fast path (records read without geometry, :func:`citymap.workspace.read_records`) is
taken only when the stamp of the files a validated load accepted matches every file exactly
(:mod:`citymap.store.stamp`); its output must equal the full load's byte for byte, and any
change sends the next run through the full load (which reports invalid files as always).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from _builder import age_files, copy_shipped
from _ws_core import make_workspace
from citymap.cli.main import cli
from citymap.store import stamp
from citymap.workspace import Workspace, WorkspaceRecords, load_workspace, read_records

LOG = ("date,id,status,percent,note,unit,recorded_at\n"
       "2020-08-01,PP-1,进行中,40,,县住房城乡建设局,2020-08-01T09:00:00+08:00\n"
       "2021-03-01,OC-1,已完成,100,,县住房城乡建设局,2021-03-01T09:00:00+08:00\n")
DATES = ("2020-12-31", "2021-06-30", "2021-12-31", "2022-12-31", "today")


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_shipped(tmp_path_factory.mktemp("shipped") / "ws")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return age_files(make_workspace(tmp_path_factory.mktemp("small") / "ws", status_log=LOG))


@pytest.fixture
def full_loads(monkeypatch: pytest.MonkeyPatch) -> list[Path | None]:
    """Every validated (full) load the records path falls back to."""
    calls: list[Path | None] = []
    real = stamp.load_validated

    def spy(root: Any = None, **kw: Any) -> Workspace:
        calls.append(root)
        return real(root, **kw)

    monkeypatch.setattr(stamp, "load_validated", spy)
    return calls


def _run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--workspace", str(root)])


def _both(root: Path, args: tuple[str, ...], full_loads: list[Path | None]) -> tuple[Result,
                                                                                    Result]:
    """``args`` through the full load (no stamp), then through the records (stamp fresh)."""
    stamp.stamp_path(root).unlink(missing_ok=True)
    full = _run(root, *args)
    assert len(full_loads) == 1, "without a stamp the full load runs"
    assert stamp.stamp_path(root).is_file(), "a successful full load leaves a stamp"
    fast = _run(root, *args)
    assert len(full_loads) == 1, "with a fresh stamp the records are read (no full load)"
    full_loads.clear()
    return full, fast


SHIPPED_CASES = [
    *[("tasks", "--format", "json", "--as-of", d) for d in DATES],
    *[("show", "16", "--format", "json", "--as-of", d) for d in DATES],
    ("tasks",), ("tasks", "--as-of", "2021-12-31"), ("tasks", "--lang", "en", "--as-of", "2022"),
    ("tasks", "--format", "csv", "--as-of", "2021-12-31"),
    ("tasks", "--unit", "县住房城乡建设局", "--as-of", "2021-12-31"),
    ("tasks", "--unit", "县住房城乡建设局", "--lead-only", "--format", "json"),
    ("tasks", "--status", "滞后", "--as-of", "2021-12-31", "--format", "json"),
    ("tasks", "--status", "已完成", "--as-of", "2022-12-31"),
    ("show", "16"), ("show", "8", "--as-of", "2020-12-31"), ("show", "14", "--lang", "en"),
    ("show", "99"), ("tasks", "--unit", "没有这个单位"),
]


@pytest.mark.parametrize("args", SHIPPED_CASES, ids=" ".join)
def test_shipped_workspace_same_bytes_on_both_paths(shipped: Path, args: tuple[str, ...],
                                                    full_loads: list[Path | None]) -> None:
    full, fast = _both(shipped, args, full_loads)
    assert (fast.exit_code, fast.stdout_bytes, fast.stderr_bytes) == (
        full.exit_code, full.stdout_bytes, full.stderr_bytes)
    assert full.stdout_bytes.strip() or full.exit_code == 2


SMALL_CASES = [
    *[("tasks", "--format", "json", "--as-of", d) for d in DATES],
    *[("show", str(n), "--format", "json", "--as-of", d) for n in (8, 16, 18)
      for d in DATES],
    ("tasks", "--as-of", "2021-12-31"), ("show", "16", "--as-of", "2020-12-31"),
    ("tasks", "--unit", "县卫生健康委", "--format", "json"),
    ("tasks", "--status", "滞后", "--as-of", "2021-12-31"),
]


@pytest.mark.parametrize("args", SMALL_CASES, ids=" ".join)
def test_small_workspace_same_bytes_on_both_paths(small: Path, args: tuple[str, ...],
                                                  full_loads: list[Path | None]) -> None:
    full, fast = _both(small, args, full_loads)
    assert full.exit_code == 0, full.output
    assert fast.stdout_bytes == full.stdout_bytes


@pytest.mark.parametrize("day", [dt.date(2020, 12, 31), dt.date(2021, 6, 30),
                                 dt.date(2021, 12, 31), dt.date(2022, 12, 31), dt.date.today()])
def test_records_give_the_workspace_status(shipped: Path, day: dt.date) -> None:
    """Every site's status, late flag and work state, and the overdue list, are equal."""
    ws = load_workspace(shipped)
    rec = read_records(shipped)
    assert isinstance(rec, WorkspaceRecords) and not isinstance(rec, Workspace)
    a, b = ws.status_as_of(day), rec.status_as_of(day)
    c = ws.records().status_as_of(day)  # the validated layers without their geometry
    for other in (b, c):
        pd.testing.assert_frame_equal(a.sites, other.sites)
        assert a.works == other.works and a.overdue == other.overdue
    assert len(b.sites) > 400 and len(b.works) == 28


# ----------------------------------------------------------------------------- the stamp

def _warm(root: Path) -> None:
    """A stamp of ``root``: the first load is full, the next reads the records."""
    stamp.stamp_path(root).unlink(missing_ok=True)
    assert isinstance(stamp.load_records(root), Workspace)
    assert type(stamp.load_records(root)) is WorkspaceRecords


def _edit(path: Path, old: str, new: str, *, keep_time: bool = False) -> None:
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if keep_time:  # the same size and time: only the content hash can tell
        assert path.stat().st_size == st.st_size
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as f:
        f.write(text)


def _add_layer(root: Path) -> None:
    """A new (empty, valid) context layer: its definition and its file."""
    (root / "geo/context/zz.geojson").write_text('{"type": "FeatureCollection", "features": []}',
                                                 encoding="utf-8")
    toml = (root / "layers/roads.toml").read_text(encoding="utf-8")
    (root / "layers/zz_roads.toml").write_text(toml.replace('name = "roads"', 'name = "zz_roads"')
                                               .replace("roads.geojson", "zz.geojson"),
                                               encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "layer file": lambda r: _edit(r / "geo/sites/pocket_parks.geojson", "东门口袋公园", "东门公园"),
    "layer file, same size and time": lambda r: _edit(
        r / "geo/sites/pocket_parks.geojson", "东门口袋公园", "南门口袋公园", keep_time=True),
    "context layer file": lambda r: _edit(r / "geo/context/roads.geojson", "阳城六路", "阳城七路"),
    "status log": lambda r: _append(r / "geo/status_log.csv", "2021-04-01,PP-2,进行中,10,,"
                                    "县住房城乡建设局,2021-04-01T09:00:00+08:00\n"),
    "status log, same size and time": lambda r: _edit(
        r / "geo/status_log.csv", "PP-1,进行中,40", "PP-1,进行中,45", keep_time=True),
    "status log removed": lambda r: (r / "geo/status_log.csv").unlink(),
    "register": lambda r: _edit(r / "geo/register.yaml", "口袋公园", "小游园"),
    "layer toml": lambda r: _edit(r / "layers/roads.toml", '"道路"', '"道路网"'),
    "layer toml removed": lambda r: (r / "layers/roads.toml").unlink(),
    "layer toml added": lambda r: _add_layer(r),
    "config": lambda r: _edit(r / "citymap.toml", "测试县三年行动", "测试县行动"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_any_change_takes_the_full_load(tmp_path: Path, edit: str) -> None:
    root = age_files(make_workspace(tmp_path / "ws", status_log=LOG))
    _warm(root)
    EDITS[edit](root)
    got = stamp.load_records(root)
    assert isinstance(got, Workspace), "a changed workspace is loaded and validated whole"
    day = dt.date(2021, 12, 31)
    assert got.status_as_of(day).works == load_workspace(root).status_as_of(day).works
    age_files(root)  # the next full load stamps the files as they are now
    assert isinstance(stamp.load_records(root), Workspace)
    assert type(stamp.load_records(root)) is WorkspaceRecords


def test_a_new_status_log_takes_the_full_load(tmp_path: Path) -> None:
    root = age_files(make_workspace(tmp_path / "ws"))  # no log yet: stamped as absent
    _warm(root)
    (root / "geo/status_log.csv").write_text(LOG, encoding="utf-8")
    assert isinstance(stamp.load_records(root), Workspace)


@pytest.mark.parametrize("keep_time", [False, True])
@pytest.mark.parametrize("args", [("tasks",), ("show", "16", "--format", "json")], ids=" ".join)
def test_an_invalid_edit_is_reported_as_without_a_stamp(tmp_path: Path, keep_time: bool,
                                                        args: tuple[str, ...]) -> None:
    root = age_files(make_workspace(tmp_path / "ws", status_log=LOG))
    _warm(root)
    _edit(root / "geo/sites/old_communities.geojson", '"status": "未开始"',
          '"status": "完成啦"', keep_time=keep_time)  # the same size in UTF-8
    warm = _run(root, *args)
    stamp.stamp_path(root).unlink()
    cold = _run(root, *args)
    assert warm.exit_code == cold.exit_code == 2
    assert warm.output == cold.output and "完成啦" in warm.output
    assert not stamp.stamp_path(root).exists(), "an invalid workspace is never stamped"


@pytest.mark.parametrize("content", [
    b"{not json", b"\xff\xfe", b"[]", json.dumps({"format": "other"}).encode(),
    b"x" * (stamp.MAX_STAMP_BYTES + 1)])
def test_a_corrupt_cache_file_is_ignored(small: Path, content: bytes) -> None:
    _warm(small)
    stamp.stamp_path(small).write_bytes(content)
    assert isinstance(stamp.load_records(small), Workspace)
    assert type(stamp.load_records(small)) is WorkspaceRecords  # rewritten by the full load


def test_a_foreign_or_altered_stamp_is_ignored(tmp_path: Path) -> None:
    a = age_files(make_workspace(tmp_path / "a", status_log=LOG))
    b = age_files(make_workspace(tmp_path / "b", status_log=LOG))
    _warm(a)
    doc = json.loads(stamp.stamp_path(a).read_text(encoding="utf-8"))
    stamp.stamp_path(b).write_text(json.dumps(doc), encoding="utf-8")  # another folder's
    assert isinstance(stamp.load_records(b), Workspace)
    for key, value in (("code", "0" * 64), ("today", "2999-01-01"), ("version", 99),
                       ("layer_files", ["layers/x.toml"])):
        stamp.stamp_path(a).write_text(json.dumps({**doc, key: value}), encoding="utf-8")
        assert isinstance(stamp.load_records(a), Workspace), key
    outside = {**doc["files"], "../elsewhere.txt": None}  # names a file outside the folder
    stamp.stamp_path(a).write_text(json.dumps({**doc, "files": outside}), encoding="utf-8")
    assert isinstance(stamp.load_records(a), Workspace)
    files = dict(doc["files"])  # a stamp missing a file the records read
    files.pop("geo/status_log.csv")
    stamp.stamp_path(a).write_text(json.dumps({**doc, "files": files}), encoding="utf-8")
    assert isinstance(stamp.load_records(a), Workspace)


def test_an_unwritable_cache_means_no_stamp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    root = age_files(make_workspace(tmp_path / "ws", status_log=LOG))
    assert isinstance(stamp.load_records(root), Workspace)
    assert isinstance(stamp.load_records(root), Workspace)
    assert _run(root, "tasks").exit_code == 0


def test_stamp_lives_in_the_user_cache(small: Path, monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    _warm(small)
    assert stamp.stamp_path(small).parent == tmp_path / "xdg" / "citymap"
    before = sorted(p.relative_to(small) for p in small.rglob("*"))
    _warm(small)
    assert sorted(p.relative_to(small) for p in small.rglob("*")) == before


def test_recent_files_and_repairs_are_not_stamped(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws", status_log=LOG)  # written just now
    stamp.load_validated(root)
    assert not stamp.stamp_path(root).exists()
    age_files(root)
    stamp.load_validated(root, repair=True)
    assert not stamp.stamp_path(root).exists()
    stamp.load_validated(root)
    assert stamp.stamp_path(root).is_file()


def test_a_stamp_checked_against_a_later_day_is_not_used_earlier(small: Path) -> None:
    stamp.stamp_path(small).unlink(missing_ok=True)
    stamp.load_validated(small, today=dt.date(2030, 1, 1))
    assert isinstance(stamp.load_records(small, today=dt.date(2029, 12, 31)), Workspace)
    assert type(stamp.load_records(small, today=dt.date(2030, 1, 1))) is WorkspaceRecords


def test_a_layer_gdal_reads_takes_the_full_load(tmp_path: Path) -> None:
    """Only GeoJSON is read without geometry; a GeoPackage layer needs the full load."""
    root = age_files(make_workspace(tmp_path / "ws", status_log=LOG))
    gpkg = root / "geo/sites/pocket_parks.gpkg"
    import subprocess

    subprocess.run(["ogr2ogr", "-f", "GPKG", str(gpkg),
                    str(root / "geo/sites/pocket_parks.geojson")], check=True)
    _edit(root / "layers/pocket_parks.toml", "pocket_parks.geojson", "pocket_parks.gpkg")
    age_files(root)
    stamp.load_records(root)
    assert read_records(root) is None
    assert isinstance(stamp.load_records(root), Workspace)
