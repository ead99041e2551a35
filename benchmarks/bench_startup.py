"""Benchmark: start-up CPU of the commands that need no geometry, beside ``ogrinfo --version``.

Every command runs ``--runs`` times in a fresh process, the commands taking turns (so a change
in the machine's load hits them alike); the CPU seconds (user + system) of each run come from
the operating system's accounting of the finished child. Printed: the median CPU and wall
seconds of each command and its CPU as a multiple of ``ogrinfo --version`` measured in the
same run, and whether geopandas was imported.

``tasks`` and ``show 16`` run on the shipped workspace with a warm stamp of its validated
files (:mod:`citymap.store.stamp`, in a temporary cache folder made warm before timing: they
read the records without geometry) and, for comparison, with a cache that cannot be written
(``… (full load)``: every run validates the whole workspace, as without a stamp). The modules'
bytecode is cached (``PYTHONDONTWRITEBYTECODE`` is dropped; the warm-up run compiles them), as
for an installed package.

    python benchmarks/bench_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = ("import atexit, sys; atexit.register(lambda: sys.stderr.write("
         "'\\ngeopandas=%s\\n' % ('geopandas' in sys.modules))); "
         "sys.argv = ['citymap', *sys.argv[1:]]; from citymap.cli.main import main; main()")
COMMANDS: dict[str, list[str]] = {
    "citymap --version": ["--version"],
    "citymap --help": ["--help"],
    "citymap tasks": ["tasks"],
    "citymap show 16": ["show", "16"],
}
#: The same commands through the full load (no stamp can be kept).
FULL = {"citymap tasks (full load)": ["tasks"], "citymap show 16 (full load)": ["show", "16"]}


def _one(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stderr[-1000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done.stderr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="citymap-bench-") as tmp:
        _measure(ns.runs, Path(tmp))


def _measure(n_runs: int, tmp: Path) -> None:
    base_env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)  # compiled once (warm-up), as installed
    env = {**base_env, "XDG_CACHE_HOME": str(tmp / "cache")}
    (tmp / "not-a-folder").write_text("")
    no_stamp = {**base_env, "XDG_CACHE_HOME": str(tmp / "not-a-folder")}
    ogrinfo = shutil.which("ogrinfo")
    runs: dict[str, tuple[list[str], dict[str, str]]] = {
        name: ([sys.executable, "-c", PROBE, *args], env) for name, args in COMMANDS.items()}
    runs.update({name: ([sys.executable, "-c", PROBE, *args], no_stamp)
                 for name, args in FULL.items()})
    if ogrinfo:
        runs["ogrinfo --version"] = ([ogrinfo, "--version"], env)
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    wall: dict[str, list[float]] = {k: [] for k in runs}
    geo: dict[str, str] = {}
    for cmd, e in runs.values():  # warm-up, not counted: the first `tasks` stamps the files
        _one(cmd, e)
    if not any((tmp / "cache" / "citymap").glob("*.json")):
        raise SystemExit("no stamp was written: were the workspace files changed within the "
                         "last second? run again")
    for _ in range(n_runs):
        for k, (cmd, e) in runs.items():
            c, w, err = _one(cmd, e)
            cpu[k].append(c)
            wall[k].append(w)
            if "geopandas=" in err:
                geo[k] = err.rsplit("geopandas=", 1)[1].strip()
    base = statistics.median(cpu["ogrinfo --version"]) if ogrinfo else None
    print(f"{'command':<30}{'cpu s':>8}{'wall s':>8}{'× ogrinfo cpu':>15}  geopandas")
    for k in runs:
        c = statistics.median(cpu[k])
        ratio = f"{c / base:.1f}" if base else "—"
        print(f"{k:<30}{c:>8.3f}{statistics.median(wall[k]):>8.3f}{ratio:>15}  "
              f"{geo.get(k, '—')}")
    print(f"(medians of {n_runs} runs each, commands taking turns)")


if __name__ == "__main__":
    main()
