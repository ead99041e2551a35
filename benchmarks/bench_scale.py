"""Benchmark: does every command grow linearly with the sites? The shipped workspace at k×.

Makes scaled copies of a workspace (default: the repository, the shipped Yangxin workspace) in
a temporary folder: every feature of every layer (sites and context) is copied k times onto a
grid of tiles, each copy shifted by the workspace's width/height so the copies do not overlap,
with new ids (``<id>.<copy>``) and the status log's events repeated for each copy. The register
is unchanged, so the targets count k times the sites. Then it runs ``citymap validate``,
``citymap metrics`` and ``citymap build`` on each copy, each in its own process, and prints
wall and CPU seconds, and milliseconds per site.

    python benchmarks/bench_scale.py [--scales 1,10,100] [--commands validate,metrics,build]
                                     [--source DIR] [--keep DIR]

Linear growth shows as a constant ms per site from 10× on (1× is dominated by start-up).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
COLS = 10  # tiles per row of the grid


def _shift(coords: Any, dx: float, dy: float) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        return [coords[0] + dx, coords[1] + dy, *coords[2:]]
    return [_shift(c, dx, dy) for c in coords]


def _offsets(k: int, bounds: list[float]) -> list[tuple[float, float]]:
    w, s, e, n = bounds
    return [((j % COLS) * (e - w), (j // COLS) * (n - s)) for j in range(k)]


def _new_id(ident: str, j: int) -> str:
    return ident if j == 0 else f"{ident}.{j}"


def scale_workspace(src: Path, dst: Path, k: int) -> int:
    """Write ``src`` scaled ``k`` times to ``dst``; return the number of sites."""
    config_text = (src / "citymap.toml").read_text(encoding="utf-8")
    config = tomllib.loads(config_text)
    bounds = list(config["workspace"]["bounds"])
    offsets = _offsets(k, bounds)
    w, s, e, n = bounds
    rows = (k + COLS - 1) // COLS
    wide = [w, s, w + (e - w) * min(k, COLS), s + (n - s) * rows]
    dst.mkdir(parents=True)
    (dst / "citymap.toml").write_text(re.sub(
        r"^bounds = .*$", f"bounds = {json.dumps(wide)}", config_text, count=1, flags=re.M),
        encoding="utf-8")
    shutil.copytree(src / "layers", dst / "layers")
    (dst / "geo").mkdir()
    shutil.copy2(src / config["workspace"].get("register", "geo/register.yaml"),
                 dst / "geo" / "register.yaml")
    site_ids: set[str] = set()
    n_sites = 0
    for toml in sorted((src / "layers").glob("*.toml")):
        spec = tomllib.loads(toml.read_text(encoding="utf-8"))
        source = spec["source"]
        doc = json.loads((src / source).read_text(encoding="utf-8"))
        feats = []
        for j, (dx, dy) in enumerate(offsets):
            for f in doc["features"]:
                props = dict(f["properties"])
                props["id"] = _new_id(str(props["id"]), j)
                geom = f["geometry"] and {**f["geometry"], "coordinates": _shift(
                    f["geometry"]["coordinates"], dx, dy)}
                feats.append({**f, "properties": props, "geometry": geom})
        if spec.get("role", "sites") == "sites":
            site_ids |= {str(f["properties"]["id"]) for f in doc["features"]}
            n_sites += len(feats)
        out = dst / source
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({**doc, "features": feats}, ensure_ascii=False),
                       encoding="utf-8")
    log = src / config["workspace"].get("status_log", "geo/status_log.csv")
    if log.exists():
        with log.open(encoding="utf-8-sig", newline="") as fin:
            reader = csv.DictReader(fin)
            events = list(reader)
            fields = reader.fieldnames or []
        with (dst / "geo" / "status_log.csv").open("w", encoding="utf-8", newline="") as fout:
            writer = csv.DictWriter(fout, fieldnames=fields)
            writer.writeheader()
            for j in range(k):
                for ev in events:
                    if ev["id"] in site_ids:
                        writer.writerow({**ev, "id": _new_id(ev["id"], j)})
                    elif j == 0:  # a work's own event: once
                        writer.writerow(ev)
    return n_sites


def run(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one citymap command in a child process."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "citymap.cli.main", *args], cwd=cwd,
                          env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"citymap {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


COMMANDS: dict[str, list[str]] = {
    "validate": ["validate"],
    "metrics": ["metrics", "--format", "json", "--as-of", "2022-12-31"],
    "build": ["build", "--as-of", "2022-12-31", "-o", "{out}"],
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="1,10,100")
    ap.add_argument("--commands", default="validate,metrics,build")
    ap.add_argument("--source", type=Path, default=ROOT)
    ap.add_argument("--keep", type=Path, default=None,
                    help="Write the scaled copies here (kept) instead of a temporary folder.")
    ns = ap.parse_args()
    scales = [int(x) for x in ns.scales.split(",")]
    commands = ns.commands.split(",")
    base = ns.keep or Path(tempfile.mkdtemp(prefix="citymap-scale-"))
    print(f"{'scale':>6}{'sites':>8}  {'command':<9}{'wall s':>9}{'cpu s':>9}"
          f"{'ms/site':>10}{'cpu ms/site':>13}")
    try:
        for k in scales:
            ws = base / f"x{k}"
            if ws.exists():
                shutil.rmtree(ws)
            n = scale_workspace(ns.source, ws, k)
            for name in commands:
                cmd = [a.replace("{out}", str(base / f"maps-x{k}")) for a in COMMANDS[name]]
                wall, cpu = run(["--workspace", str(ws), *cmd], ws)
                print(f"{k:>5}×{n:>8}  {name:<9}{wall:>9.2f}{cpu:>9.2f}"
                      f"{1000 * wall / n:>10.3f}{1000 * cpu / n:>13.3f}", flush=True)
    finally:
        if ns.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
