"""A quick CLI: commands that need no geometry start without the geometry stack.

Each command runs in a fresh interpreter; at exit it writes which heavy modules were imported.
``tasks`` and ``show`` need none once the folder store holds a fresh stamp of the validated
files (:mod:`citymap.store.stamp`); the first run, or any after a change, loads it whole.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from _builder import copy_shipped
from citymap.cli.main import SUBCOMMANDS
from citymap.store.stamp import stamp_path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("geopandas", "shapely", "pyproj", "pyogrio", "matplotlib", "fiona", "folium")
PROBE = """
import atexit, json, sys
def _report():
    heavy = sorted(m for m in {heavy!r} if m in sys.modules)
    with open({out!r}, "w") as f:
        json.dump(heavy, f)
atexit.register(_report)
sys.argv = ["citymap", *{args!r}]
from citymap.cli.main import main
main()
"""


#: What --version and --help do not need either: no data is read.
NO_DATA = (*HEAVY, "pandas", "numpy", "openpyxl", "PIL", "jinja2", "cn2an")


def _imported(tmp_path: Path, *args: str, cwd: Path = ROOT,
              heavy: tuple[str, ...] = HEAVY) -> tuple[list[str], str]:
    out = tmp_path / "modules.json"
    code = PROBE.format(heavy=heavy, out=str(out), args=list(args))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return json.loads(out.read_text()), run.stdout


def test_version_imports_no_geometry(tmp_path: Path) -> None:
    heavy, out = _imported(tmp_path, "--version", heavy=NO_DATA)
    assert "citymap, version" in out
    assert heavy == []


def test_help_imports_no_geometry(tmp_path: Path) -> None:
    heavy, out = _imported(tmp_path, "--help", heavy=NO_DATA)
    assert heavy == []
    for name in SUBCOMMANDS:  # every subcommand is listed with its short help
        assert f"\n  {name} " in out


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_subcommand_help_imports_no_geometry(tmp_path: Path, name: str) -> None:
    heavy, out = _imported(tmp_path, name, "--help")
    assert heavy == []
    assert f"citymap {name}" in out


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_shipped(tmp_path_factory.mktemp("startup") / "ws")


@pytest.mark.parametrize("args", [("tasks",), ("show", "16"), ("tasks", "--format", "json"),
                                  ("show", "16", "--as-of", "2021-12-31")], ids=" ".join)
def test_tasks_and_show_with_a_fresh_stamp_import_no_geometry(tmp_path: Path, shipped: Path,
                                                               args: tuple[str, ...]) -> None:
    stamp_path(shipped).unlink(missing_ok=True)
    heavy, cold = _imported(tmp_path, *args, "-w", str(shipped))
    assert "geopandas" in heavy and "pyogrio" in heavy  # no stamp yet: the full load
    assert stamp_path(shipped).is_file()
    heavy, warm = _imported(tmp_path, *args, "-w", str(shipped))
    assert heavy == []
    assert warm == cold and warm.strip()


def test_tasks_after_a_change_loads_the_geometry(tmp_path: Path, shipped: Path) -> None:
    _imported(tmp_path, "tasks", "-w", str(shipped))  # stamped
    log = shipped / "geo" / "status_log.csv"
    st = log.stat()
    text = log.read_text(encoding="utf-8")
    log.write_text(text.replace("进行中,37", "进行中,38", 1), encoding="utf-8")
    os.utime(log, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size and time: the hash tells
    try:
        heavy, _ = _imported(tmp_path, "tasks", "-w", str(shipped))
        assert "geopandas" in heavy
    finally:
        log.write_text(text, encoding="utf-8")
        os.utime(log, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_geometry_command_still_loads_it(tmp_path: Path) -> None:
    """The probe can fail: ``validate`` reads the layers, so geopandas is imported."""
    heavy, _ = _imported(tmp_path, "validate")
    assert "geopandas" in heavy and "pyogrio" in heavy
