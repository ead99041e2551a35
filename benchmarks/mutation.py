"""Mutation testing of the statutory parameters and derivation rules (cosmic-ray).

    python benchmarks/mutation.py [--workers 2] [--report benchmarks/mutation-report.md]

What it does, bounded so that it finishes in minutes on 2 cores:

1. copies the checkout (``git ls-files``, plus uncommitted changes) into a temporary folder
   per worker, so the checkout itself is never mutated;
2. lets cosmic-ray (``cosmic-ray init``) enumerate the mutations of the modules in
   :data:`SCOPE`, and keeps those inside the listed functions and constants (by line range,
   from the AST) made by the operators in :data:`OPERATORS` (numbers ± 1, comparisons,
   ``+ - * /`` swapped, boolean and/or/not, True/False, loops run zero times);
   (the coverage algorithm itself is checked against geopandas.overlay and PostGIS by
   the tests, not here);
3. adds the :data:`NAMED` mutants asked for by name (the 300 m radius made 250 m, the
   missed-target rule deleted, ...), applied as text replacements;
4. runs the tests of :data:`TESTS` against every mutant, ``workers`` at a time, each in its
   own copy: a worker process imports the heavy libraries once and forks one pytest run per
   mutant (citymap itself is imported afresh in each fork);
5. writes the report: counts, and every surviving mutant with its diff; the explanations
   of the survivors that no test can kill (equivalent mutants) come from
   :data:`EXPLAINED`.

A mutant is *killed* when the tests fail, *survived* when they pass, *incompetent* when
the run times out. The results go to the report and to its ``.json`` beside it;
``--resume`` runs only the last run's survivors again (after tests were added for them).
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: module → the functions and module-level names whose mutations are kept.
SCOPE: dict[str, tuple[str, ...]] = {
    "src/citymap/metrics/service.py": (
        "DEFAULT_RULES", "POCKET_PARK_RULE", "GB55014_STANDARD", "verdict_of", "whole_parks",
        "park_radii"),
    "src/citymap/metrics/density.py": (
        "ROAD_DENSITY_TARGET", "BOUNDARY_TOL_M", "length_in_area", "road_density"),
    "src/citymap/metrics/targets.py": (
        "TOLERANCE", "pro_rata", "_satisfied", "verdict", "_area_each"),
    "src/citymap/metrics/zones.py": ("MIN_ZONE_KM2", "crowded_years"),
    "src/citymap/metrics/__init__.py": ("plan_total",),
    "src/citymap/derived.py": ("site_statuses", "_derive", "_year_end"),
}

#: cosmic-ray operators kept (regular expressions on the operator name).
OPERATORS = (
    r"core/NumberReplacer",
    # relational operators: the boundary (< ↔ <=, > ↔ >=) and the negation of each
    r"core/ReplaceComparisonOperator_(Lt_LtE|LtE_Lt|Gt_GtE|GtE_Gt|Lt_GtE|GtE_Lt|LtE_Gt|Gt_LtE"
    r"|Eq_NotEq|NotEq_Eq)$",
    r"core/ReplaceBinaryOperator_(Add_Sub|Sub_Add|Mul_Div|Div_Mul)$",
    r"core/ReplaceUnaryOperator_(USub_UAdd|Delete_Not|Delete_USub)$",
    r"core/AddNot", r"core/ReplaceTrueWithFalse", r"core/ReplaceFalseWithTrue",
    r"core/ReplaceAndWithOr", r"core/ReplaceOrWithAnd", r"core/ZeroIterationForLoop",
)

#: Mutants named in issue 15 and of the same kind: (name, file, old text, new text).
NAMED: tuple[tuple[str, str, str, str], ...] = (
    ("radius 300 → 250 m", "src/citymap/metrics/service.py",
     "RadiusRule(2000.0, 5000.0, 300.0, _SRC_2021)",
     "RadiusRule(2000.0, 5000.0, 250.0, _SRC_2021)"),
    ("radius 500 → 450 m", "src/citymap/metrics/service.py",
     "RadiusRule(5000.0, math.inf, 500.0, _SRC_2021)",
     "RadiusRule(5000.0, math.inf, 450.0, _SRC_2021)"),
    ("park size 2 000 → 1 000 m²", "src/citymap/metrics/service.py",
     "RadiusRule(2000.0, 5000.0,", "RadiusRule(1000.0, 5000.0,"),
    ("park size 5 000 → 10 000 m²", "src/citymap/metrics/service.py",
     "RadiusRule(2000.0, 5000.0, 300.0, _SRC_2021),\n    RadiusRule(5000.0,",
     "RadiusRule(2000.0, 10000.0, 300.0, _SRC_2021),\n    RadiusRule(10000.0,"),
    ("park split into its parts", "src/citymap/metrics/service.py",
     "    pk = whole_parks(_measure_geoms(parks, crs)) if len(parks) else np.empty(0, "
     "dtype=object)\n    radius",
     "    pk = _polygonal(_measure_geoms(parks, crs)) if len(parks) else np.empty(0, "
     "dtype=object)\n    radius"),
    ("pilot zone minimum 2 → 1 km²", "src/citymap/metrics/zones.py",
     "MIN_ZONE_KM2 = 2.0", "MIN_ZONE_KM2 = 1.0"),
    ("missed target → 滞后 deleted (metrics verdict)", "src/citymap/metrics/targets.py",
     "    if as_of < target.deadline:\n        exp = pro_rata",
     "    if True:\n        exp = pro_rata"),
    ("missed target → 滞后 deleted (work status: the rule's detection)",
     "src/citymap/derived.py",
     "            missed.append(t.id)\n", "            pass\n"),
    ("missed target → 滞后 deleted (work status: its term in the condition)",
     "src/citymap/derived.py",
     "    elif overdue or missed or (status_col == BEHIND).any():",
     "    elif overdue or (status_col == BEHIND).any():"),
    ("overdue site → 滞后 deleted (work status)", "src/citymap/derived.py",
     "    elif overdue or missed or (status_col == BEHIND).any():",
     "    elif missed or (status_col == BEHIND).any():"),
    ("boundary roads count whole", "src/citymap/metrics/density.py",
     "+ 0.5 * shapely.length(", "+ 1.0 * shapely.length("),
)

#: The tests run against every mutant: the rule tests first (they kill most, fast).
TESTS = (
    "tests/test_rules.py", "tests/test_density_boundary.py", "tests/test_metrics_targets.py",
    "tests/test_zones.py", "tests/test_density.py", "tests/test_service_radius.py",
    "tests/test_history.py", "tests/test_metrics_edge_cases.py",
)
#: Slow independent cross-checks left out of the mutation run (the known answers stay).
DESELECT = ("test_agrees_with_an_independent_computation",
            "test_two_zones_sharing_a_boundary_road_share_it",
            "test_concurrent_appenders_lose_nothing", "test_lock_times_out_when_held",
            "test_killed_mid_write_leaves_log_intact")

_SLACK = ("Equivalent: the comparison is `x >= v * (1 - tol) - 1e-12`; the 1e-12 slack makes "
          "`>=` and `>` differ only for an x exactly 1e-12 below the bound, which no measure "
          "produces (the slack is there so that a value equal to the bound passes despite "
          "rounding; tests/test_rules.py pins both sides of the bound).")
#: Survivors that no test can kill, and why (matched on the mutant's description, or on
#: ``module:line:operator``).
EXPLAINED: dict[str, str] = {
    "src/citymap/metrics/targets.py:183:core/ReplaceComparisonOperator_GtE_Gt": _SLACK,
    "src/citymap/metrics/targets.py:199:core/ReplaceComparisonOperator_GtE_Gt": _SLACK,
    "src/citymap/metrics/density.py:64:core/ReplaceBinaryOperator_Mul_Div": (
        "Not a mutant of the rule: cosmic-ray reads the keyword-only marker `*,` of the "
        "signature as a multiplication and makes it `/,` (positional-only); every caller "
        "passes `tol` by keyword, which both accept."),
    "src/citymap/metrics/targets.py:186:core/ReplaceBinaryOperator_Mul_Div": (
        "Not a mutant of the rule: the keyword-only marker `*,` of `verdict`'s signature "
        "made `/,`; every caller passes `tol` by keyword, which both accept."),
    "src/citymap/metrics/density.py:83:core/ReplaceBinaryOperator_Mul_Div": (
        "Not a mutant of the rule: the keyword-only marker `*,` of `road_density`'s "
        "signature made `/,`; every caller passes `crs` and `tol` by keyword."),
    "src/citymap/metrics/targets.py:412:core/ReplaceComparisonOperator_Lt_LtE": (
        "Not killable with stored data: it differs only for a zone of exactly 2 km², and a "
        "2 km² rectangle drawn in EPSG:4548 is no longer exactly 2 km² after the round trip "
        "through the lon/lat GeoJSON (it comes back 1.2e-12 km² larger). The verdict's "
        "bound itself (tolerance 0) is pinned by tests/test_rules.py::"
        "test_pilot_zone_target (1.999 behind, 2.000 met) and the zone flag by "
        "test_pilot_zone_minimum (1.999 below, 2.000 not, on data made in EPSG:4548)."),
    "src/citymap/derived.py:79:core/ReplaceTrueWithFalse": (
        "Equivalent: `zip(due, sites['status'], strict=True)` — `due` is built from the same "
        "frame's rows, so the lengths always match."),
    "src/citymap/derived.py:144:core/NumberReplacer": (
        "Equivalent: an unknown percent filled with -1 instead of 0, or the empty array of a "
        "work without sites made one element long, changes nothing: only `percent > 0` is "
        "asked, and a work without sites never reaches it."),
    "src/citymap/metrics/density.py:72:core/ReplaceOrWithAnd": (
        "Equivalent: the early return for empty lines or an empty area is a shortcut; "
        "without it the intersections with an empty geometry give length 0 all the same."),
    "src/citymap/metrics/zones.py:113:core/ReplaceTrueWithFalse": (
        "Equivalent: `zip(zones['id'], zones['year'], strict=True)` zips two columns of one "
        "frame, always of the same length."),
    "src/citymap/metrics/targets.py:412:core/ReplaceTrueWithFalse": (
        "Equivalent: `zip(sel['id'], areas, strict=True)` — `areas` is computed from `sel`, so "
        "the two always have the same length and `strict` never fires."),
    "its term in the condition": (
        "Equivalent. A target counts the sites of its work planned in its years, so every "
        "site it counts is due on or before the target's deadline; when the deadline has "
        "passed with a counted site not done, that site is overdue, and `overdue` already "
        "makes the work 滞后. `missed` changes nothing in the status; the rule's detection "
        "(`missed_targets`, `due`, the 目标 line of `citymap overdue`) is pinned by "
        "tests/test_rules.py::test_missed_target_makes_the_work_behind, which kills the "
        "mutant that deletes it."),
}


def _ranges(path: Path, names: tuple[str, ...]) -> list[tuple[int, int]]:
    """Line ranges (1-based, inclusive) of the top-level definitions named ``names``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            name = node.name
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name = node.target.id
        else:
            continue
        if name in names:
            out.append((name, node.lineno, node.end_lineno or node.lineno))
    missing = set(names) - {n for n, _, _ in out}
    if missing:
        raise SystemExit(f"{path}: {sorted(missing)} not found (update SCOPE)")
    return [(a, b) for _, a, b in out]


def _copy_tree(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "src", "tests"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    for f in files:
        src = ROOT / f
        if src.is_file():
            (dest / f).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / f)
    for f in ("pyproject.toml",):
        shutil.copy2(ROOT / f, dest / f)


def _pytest_args(tree: Path) -> list[str]:
    k = " and ".join(f"not {n}" for n in DESELECT)
    return ["-x", "-q", "-p", "no:cacheprovider", "--rootdir", str(tree),
            "-c", str(tree / "pyproject.toml"), "-k", k, *(str(tree / t) for t in TESTS)]


def _serve(tree: Path, conn: Any) -> None:
    """A worker: imports the heavy libraries once, then forks a pytest run per request.

    citymap itself is never imported here, so every fork imports the (mutated) source of
    ``tree`` afresh; the fork saves the seconds of importing numpy, pandas, shapely,
    geopandas, pyproj and pytest each time.
    """
    import click  # noqa: F401
    import geopandas  # noqa: F401
    import jinja2  # noqa: F401
    import pyproj  # noqa: F401
    import pytest
    import rich  # noqa: F401
    import yaml  # noqa: F401

    # no .pyc: a mutant of the same size written in the same second as the last one
    # would otherwise be read from a stale cache
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(tree / "src"))
    os.chdir(tree)
    while True:
        timeout = conn.recv()
        if timeout is None:
            return
        pid = os.fork()
        if pid == 0:  # the test run
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            try:
                code = int(pytest.main(_pytest_args(tree)))
            except BaseException:  # noqa: BLE001 - anything: the mutant broke the run
                code = 99
            os._exit(code)
        end = time.monotonic() + timeout
        status: int | None = None
        while time.monotonic() < end:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(st)
                break
            time.sleep(0.02)
        if status is None:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        conn.send(status)


class Runner:
    """One worker process per tree (started before any thread, so forking is safe)."""

    def __init__(self, tree: Path) -> None:
        import multiprocessing as mp

        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(tree, child), daemon=True)
        self.proc.start()

    def run(self, timeout: float) -> int | None:
        """pytest's exit code (0 passed, 1 failed, 2+ errors), None on timeout."""
        self.conn.send(timeout)
        return self.conn.recv()  # type: ignore[no-any-return]

    def close(self) -> None:
        self.conn.send(None)
        self.proc.join(10)


def enumerate_mutations(tree: Path) -> list[dict[str, object]]:
    """cosmic-ray's mutations of :data:`SCOPE` in ``tree``, filtered (see the docstring)."""
    from cosmic_ray.work_db import WorkDB, use_db

    cfg = tree / "cr.toml"
    cfg.write_text(
        "[cosmic-ray]\n"
        f"module-path = {[str(tree / m) for m in SCOPE]!r}\n".replace("'", '"')
        + "timeout = 120.0\nexcluded-modules = []\n"
        'test-command = "true"\n\n[cosmic-ray.distributor]\nname = "local"\n',
        encoding="utf-8")
    session = tree / "session.sqlite"
    subprocess.run([str(Path(sys.executable).with_name("cosmic-ray")), "init", str(cfg),
                    str(session)], cwd=tree, check=True)
    ops = [re.compile(o) for o in OPERATORS]
    ranges = {str(tree / m): _ranges(tree / m, names) for m, names in SCOPE.items()}
    out = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in db.work_items:
            (m,) = item.mutations
            if not any(o.match(m.operator_name) for o in ops):
                continue
            line = m.start_pos[0]
            if not any(a <= line <= b for a, b in ranges[str(m.module_path)]):
                continue
            out.append({"module": str(Path(m.module_path).relative_to(tree)),
                        "operator": m.operator_name, "occurrence": m.occurrence,
                        "args": dict(getattr(m, "operator_args", {}) or {}),
                        "line": line, "col": m.start_pos[1]})
    return out


def _diff(before: str, after: str) -> str:
    import difflib

    return "\n".join(ln for ln in difflib.unified_diff(
        before.splitlines(), after.splitlines(), lineterm="", n=0)
        if not ln.startswith(("---", "+++", "@@")))


def _apply_cr(tree: Path, mut: dict[str, object]) -> str:
    """Mutate ``tree`` with cosmic-ray; returns the diff (empty: nothing mutated)."""
    from cosmic_ray import plugins
    from cosmic_ray.mutating import apply_mutation

    path = tree / str(mut["module"])
    op = plugins.get_operator(str(mut["operator"]))(**dict(mut.get("args") or {}))
    original, mutated = apply_mutation(path, op, int(str(mut["occurrence"])))
    return _diff(original, mutated) if mutated else ""


def worker(tree: Path, runner: Runner, jobs: list[dict[str, object]],
           timeout: float) -> list[dict[str, object]]:
    results = []
    for job in jobs:
        path = tree / str(job["module"])
        original = path.read_text(encoding="utf-8")
        try:
            if "old" in job:
                assert original.count(str(job["old"])) >= 1, job["name"]
                path.write_text(original.replace(str(job["old"]), str(job["new"]), 1),
                                encoding="utf-8")
                diff = _diff(original, path.read_text(encoding="utf-8"))
            else:
                diff = _apply_cr(tree, job)
            t0 = time.perf_counter()
            code = runner.run(timeout) if diff else 0
            seconds = time.perf_counter() - t0
        finally:
            path.write_text(original, encoding="utf-8")
        if not diff:
            outcome = "not applied"
        elif code is None:
            outcome = "incompetent (timeout)"
        elif code == 0:
            outcome = "survived"
        elif code == 1:
            outcome = "killed"
        else:  # 2: interrupted (e.g. import error in collection), 3+: internal errors
            outcome = "killed (error)"
        results.append({**job, "outcome": outcome, "diff": diff, "seconds": seconds})
        print(f"  {outcome:22s} {job.get('name') or job['operator']} "
              f"{job['module']}:{job.get('line', '')} ({seconds:.1f} s)", flush=True)
    return results


def _match_survivors(tree: Path, previous: list[dict[str, object]],
                     jobs: list[dict[str, object]]
                     ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The last run's outcomes to keep, and the jobs that re-run its survivors.

    A survivor is found again by its diff (the code may have moved or changed since): among
    the new mutations of its module and operator, the one whose diff is the same. A survivor
    whose code is gone is kept as ``gone``.
    """
    kept = [{**r, "rerun": False} for r in previous if r["outcome"] != "survived"]
    again: list[dict[str, object]] = []
    for r in (r for r in previous if r["outcome"] == "survived"):
        if r.get("name"):
            again += [{**j, "rerun": True} for j in jobs if j.get("name") == r["name"]]
            continue
        found = None
        for j in jobs:
            if j.get("name") or (j["module"], j["operator"]) != (r["module"], r["operator"]):
                continue
            path = tree / str(j["module"])
            original = path.read_text(encoding="utf-8")
            try:
                diff = _apply_cr(tree, j)
            finally:
                path.write_text(original, encoding="utf-8")
            if diff == r["diff"]:
                found = j
                break
        if found is None:
            kept.append({**r, "outcome": "gone (code changed)", "rerun": True})
        else:
            again.append({**found, "rerun": True})
    return kept, again



def report(results: list[dict[str, object]], seconds: float, workers: int) -> str:
    named = [r for r in results if "name" in r]
    cr = [r for r in results if "name" not in r]

    def count(rs: list[dict[str, object]], o: str) -> int:
        return sum(1 for r in rs if str(r["outcome"]).startswith(o))

    lines = ["# Mutation testing report", "",
             "Made by `bash benchmarks/mutation.sh` (cosmic-ray "
             f"{_cr_version()}, {workers} workers, {seconds / 60:.1f} min wall time).", "",
             "Scope: the statutory parameters and derivation rules —",
             ""]
    for m, names in SCOPE.items():
        lines.append(f"- `{m}`: {', '.join(f'`{n}`' for n in names)}")
    lines += ["", f"Tests run against each mutant: {', '.join(f'`{t}`' for t in TESTS)} "
              f"(`-x`; slow cross-checks left out: {', '.join(f'`{d}`' for d in DESELECT)}).",
              "", "| mutants | total | killed | survived | incompetent |",
              "|---|---|---|---|---|"]
    for label, rs in (("named (issue 15)", named), ("cosmic-ray operators", cr)):
        lines.append(f"| {label} | {len(rs)} | {count(rs, 'killed')} | "
                     f"{count(rs, 'survived')} | {count(rs, 'incompetent')} |")
    lines += ["", "Killed (error): the mutant made the test run fail to import or collect "
              "(pytest exit code 2+), counted as killed. Incompetent: the run timed out (the "
              "4 of the first run were the endless loops of `whole_parks` when its loop test "
              "was `>= 4`; that code was changed after the first run, those mutants are gone). "
              "Gone (code changed): a survivor of the first run whose code was rewritten "
              "before the second."]
    rerun = [r for r in results if r.get("rerun")]
    if rerun:
        lines += ["", f"{len(rerun)} mutants survived the first run; the tests named below "
                  "were added for them and the survivors run again (`--resume`): "
                  f"{sum(1 for r in rerun if str(r['outcome']).startswith('killed'))} are now "
                  "killed.", ""]
        for r in rerun:
            where = r.get("name") or f"{r['operator']} at `{r['module']}:{r['line']}`"
            lines += [f"- {where}: {r['outcome']}", "  ```diff",
                      *(f"  {ln}" for ln in str(r["diff"]).splitlines()), "  ```"]
    lines += ["", "## Named mutants", "", "| mutant | outcome |", "|---|---|"]
    for r in named:
        lines.append(f"| {r['name']} | {r['outcome']} |")
    lines += ["", "## Survivors", ""]
    surv = [r for r in results if r["outcome"] == "survived"]
    if not surv:
        lines.append("None.")
    for r in surv:
        where = r.get("name") or f"{r['operator']} at `{r['module']}:{r['line']}`"
        why = next((v for k, v in EXPLAINED.items() if k in str(r.get("name", ""))
                    or k == f"{r['module']}:{r.get('line')}:{r.get('operator')}"),
                   "NOT EXPLAINED")
        lines += [f"### {where}", "", "```diff", str(r["diff"]), "```", "", why, ""]
    return "\n".join(lines) + "\n"


def _cr_version() -> str:
    from importlib.metadata import version

    return version("cosmic-ray")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--timeout", type=float, default=180.0)
    ap.add_argument("--report", type=Path, default=ROOT / "benchmarks" / "mutation-report.md")
    ap.add_argument("--only-named", action="store_true", help="Run the named mutants only.")
    ap.add_argument("--report-only", action="store_true", help="Write the report again from "
                    "its .json (after explanations were added), running nothing.")
    ap.add_argument("--resume", action="store_true", help="Read the results of the last run "
                    "(the report's .json) and run again only its survivors (after tests were "
                    "added for them); the others keep their outcome.")
    args = ap.parse_args()
    results_json = args.report.with_suffix(".json")
    if args.report_only:
        d = json.loads(results_json.read_text(encoding="utf-8"))
        args.report.write_text(report(d["results"], float(d["seconds"]), args.workers),
                               encoding="utf-8")
        return
    previous: list[dict[str, object]] = []
    if args.resume:
        previous = json.loads(results_json.read_text(encoding="utf-8"))["results"]
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="citymap-mutation-") as tmp:
        trees = [Path(tmp) / f"w{i}" for i in range(args.workers)]
        for t in trees:
            t.mkdir()
            _copy_tree(t)
        jobs: list[dict[str, object]] = [
            {"name": n, "module": f, "old": o, "new": w} for n, f, o, w in NAMED]
        if not args.only_named:
            jobs += enumerate_mutations(trees[0])
        kept: list[dict[str, object]] = []
        if previous:
            kept, jobs = _match_survivors(trees[0], previous, jobs)
        runners = [Runner(t) for t in trees]
        try:
            print(f"{len(jobs)} mutants ({len(NAMED)} named), {args.workers} workers",
                  flush=True)
            base = runners[0].run(args.timeout)
            if base != 0:
                raise SystemExit(f"the tests fail without any mutation (pytest exit {base})")
            shares = [jobs[i::args.workers] for i in range(args.workers)]
            with ThreadPoolExecutor(args.workers) as pool:
                parts = list(pool.map(lambda a: worker(a[0], a[1], a[2], args.timeout),
                                      zip(trees, runners, shares, strict=True)))
        finally:
            for r in runners:
                r.close()
    results = sorted([*kept, *(r for p in parts for r in p)],
                     key=lambda r: ("name" not in r, str(r["module"]), int(str(r.get("line", 0))),
                                    str(r.get("operator", r.get("name")))))
    seconds = time.perf_counter() - t0
    if previous:
        seconds += float(json.loads(results_json.read_text(encoding="utf-8"))["seconds"])
    results_json.write_text(json.dumps({"seconds": seconds, "results": results},
                                       ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    args.report.write_text(report(results, seconds, args.workers), encoding="utf-8")
    surv = [r for r in results if r["outcome"] == "survived"]
    print(f"{len(results)} mutants in {seconds / 60:.1f} min: "
          f"{sum(r['outcome'] == 'killed' for r in results)} killed, {len(surv)} survived; "
          f"report {args.report}")


if __name__ == "__main__":
    main()
