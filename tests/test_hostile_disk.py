"""A full disk and a read-only disk: one line, exit 2, nothing left behind (issue 10).

The disk is a real small filesystem: a tmpfs mounted for the test (the tests run as root
here and in CI; elsewhere they are skipped with the reason). Filling it leaves a few KB
free, so writes fail part-way, as they do on a real full disk.
"""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from click.testing import CliRunner
from shapely.geometry import Polygon

from _ws_core import make_workspace
from _ws_progress import LEAD_8
from citymap.cli.main import cli

FILLER = "filler.bin"


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "disk"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(mnt: Path, *, leave: int) -> None:
    """Fill the disk, then free ``leave`` bytes."""
    path = mnt / FILLER
    with open(path, "wb") as fh:
        chunk = b"\1" * 65536
        try:
            while True:
                fh.write(chunk)
                fh.flush()
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    size = path.stat().st_size
    os.truncate(path, max(0, size - leave))


def tree(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.name == FILLER or p.name == ".status_log.lock":  # the log's lock: kept on purpose
            continue
        rel = str(p.relative_to(root))
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
    return out


def survey(path: Path) -> Path:
    sq = Polygon([(117.571, 37.641), (117.572, 37.641), (117.572, 37.642), (117.571, 37.641)])
    gdf = gpd.GeoDataFrame({"id": ["PP-9"], "works": ["8"], "name": ["新公园"], "year": [2021],
                            "status": ["未开始"], "status_date": ["2021-03-01"],
                            "source": ["测绘"]}, geometry=[sq], crs="EPSG:4326")
    pyogrio.write_dataframe(gdf, path)
    return path


def progress_csv(path: Path) -> Path:
    path.write_text(f"编号,新状态,日期,填报单位\nPP-1,进行中,2021-05-01,{LEAD_8}\n", "utf-8")
    return path


COMMANDS = {
    "status set": lambda m: ["status", "set", "PP-1", "进行中", "--date", "2021-05-01",
                             "--unit", LEAD_8],
    "progress import": lambda m: ["progress", "import", str(progress_csv(m / "p.csv"))],
    "import": lambda m: ["import", str(survey(m / "s.geojson")), "--layer", "pocket_parks"],
    "export all": lambda m: ["export", "-o", str(m / "out"), "--format", "all"],
    "build": lambda m: ["build", "-o", str(m / "maps")],
    "report": lambda m: ["report", "-o", str(m / "report.html")],
    "progress template": lambda m: ["progress", "template", "--unit", LEAD_8, "-o",
                                    str(m / "t.xlsx")],
}


CASES = [(name, 0) for name in COMMANDS] + [  # big outputs also fail part-way
    (name, 24 * 1024) for name in ("export all", "build", "report")]


@pytest.mark.parametrize(("name", "leave"), CASES, ids=[f"{n}-{x}" for n, x in CASES])
def test_full_disk_leaves_nothing(disk: Path, name: str, leave: int) -> None:
    root = make_workspace(disk / "ws")
    args = COMMANDS[name](disk)  # inputs made before the disk is full
    fill(disk, leave=leave)
    before = tree(disk)
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    last = r.stderr.strip().splitlines()[-1]
    assert "Traceback" not in r.stderr and last.startswith("错误: "), r.stderr
    assert "空间" in last or "No space left" in last, last  # the hint, or the OS's words
    assert tree(disk) == before


@pytest.mark.parametrize("name", ["status set", "progress import", "import"])
def test_read_only_disk_is_one_line(disk: Path, name: str) -> None:
    root = make_workspace(disk / "ws")
    args = COMMANDS[name](disk)
    (root / "geo/.status_log.lock").touch()
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    before = tree(disk)
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    assert r.exit_code == 2, (r.output, r.exception)
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "Traceback" not in r.stderr and "read-only" in r.stderr.lower(), r.stderr
    assert tree(disk) == before
