"""``citymap progress template`` and ``citymap progress import``, as a unit would use them."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from _ws_progress import LEAD_8, LEAD_16, fill_template, make_workspace, run_cli, write_csv
from citymap.cli.main import cli
from citymap.history import read_status_log
from citymap.workspace import load_workspace


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def run(root: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    return r.exit_code, r.stdout, r.stderr


def log_of(root: Path) -> str:
    p = root / "geo" / "status_log.csv"
    return p.read_text("utf-8") if p.exists() else ""


def test_template_fill_import(root: Path, tmp_path: Path) -> None:
    tpl = tmp_path / "执法局.xlsx"
    code, _, err = run(root, "progress", "template", "--unit", LEAD_8, "-o", str(tpl),
                       "--as-of", "2020-12-01")
    assert code == 0, err
    assert "1 works, 2 sites" in err
    fill_template(tpl, {"PP-1": {"status": "已完成", "date": dt.date(2020, 11, 20),
                                 "percent": 100}})
    code, out, err = run(root, "progress", "import", str(tpl), "--dry-run")
    assert code == 0, err
    assert "would add" in out and "PP-1" in out and log_of(root) == ""
    code, out, err = run(root, "progress", "import", str(tpl))
    assert code == 0, err
    assert "added 1" in err and "PP-1,已完成,100" in log_of(root)
    text = log_of(root)
    code, _, err = run(root, "progress", "import", str(tpl))
    assert code == 0 and "added 0, 1 already in the log" in err
    assert log_of(root) == text
    ws = load_workspace(root)
    parks = ws.layer("pocket_parks")
    assert ws.history.status_on(parks, dt.date(2020, 11, 20))["status"].tolist()[0] == "已完成"
    assert ws.history.status_on(parks, dt.date(2020, 11, 19))["status"].tolist()[0] == "未开始"


def test_import_refused_lists_every_problem(root: Path, tmp_path: Path) -> None:
    f = write_csv(tmp_path / "bad.csv", [
        {"id": "OC-404", "status": "进行中", "date": "2020-08-01", "unit": LEAD_16},
        {"id": "OC-1", "status": "进行中", "date": "2020-08-01", "percent": -5,
         "unit": LEAD_16},
    ])
    code, _, err = run(root, "--lang", "en", "progress", "import", str(f))
    assert code == 2
    assert "2 problems found" in err
    assert "bad.csv: row 2: A 编号: unknown site or work 'OC-404'" in err
    assert "bad.csv: row 3: D 完成百分比: -5 is outside 0–100" in err
    assert log_of(root) == ""


def test_template_refuses_unknown_unit_and_townships(root: Path, tmp_path: Path) -> None:
    code, _, err = run(root, "--lang", "en", "progress", "template", "--unit", "县财政局", "-o",
                       str(tmp_path / "x.xlsx"))
    assert code == 2 and "not a unit of the plan" in err
    code, _, err = run(root, "--lang", "en", "progress", "template", "--unit", "各乡镇(街道)", "-o",
                       str(tmp_path / "x.xlsx"))
    assert code == 2 and "collective partner" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_csv_template_round_trip(root: Path, tmp_path: Path) -> None:
    tpl = tmp_path / "住建局.csv"
    assert run(root, "progress", "template", "-u", LEAD_16, "-o", str(tpl))[0] == 0
    rows = list(csv.reader(tpl.read_text("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["编号", "类型", "所属工程", "名称"]
    for r in rows:
        if r[0] == "OC-1":
            r[7:10] = ["进行中", "2021-04-01", "20"]
    with open(tpl, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    code, _, err = run(root, "progress", "import", str(tpl))
    assert code == 0, err
    assert "added 1" in err and "OC-1,进行中,20,,县住房城乡建设局" in log_of(root)


def test_help_has_examples(root: Path) -> None:
    for args in (("progress", "--help"), ("progress", "template", "--help"),
                 ("progress", "import", "--help")):
        code, out, _ = run(root, *args)
        assert code == 0 and "Example" in out


def test_two_imports_at_once_lose_nothing(root: Path, tmp_path: Path) -> None:
    files = []
    for i, (ident, unit) in enumerate([("PP-1", LEAD_8), ("PP-2", LEAD_8), ("OC-1", LEAD_16),
                                       ("OC-2", LEAD_16)]):
        rows = [{"id": ident, "status": "进行中", "date": f"2021-0{m}-01", "percent": m * 10,
                 "unit": unit} for m in range(1, 6)]
        files.append(write_csv(tmp_path / f"f{i}.csv", rows))
    procs = [run_cli(root, "progress", "import", str(f)) for f in files]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    log = read_status_log(root / "geo" / "status_log.csv")
    assert len(log) == 20
    assert {e.id for e in log.events} == {"PP-1", "PP-2", "OC-1", "OC-2"}
    assert len(load_workspace(root).history) == 20


KILLED = """
import os, sys, time
import citymap.io.atomic as atomic
marker = sys.argv[1]
def stuck(src, dst):
    open(marker, "w").close()
    time.sleep(60)
atomic.os.replace = stuck
from citymap.cli.main import main
sys.argv = ["citymap", "--workspace", sys.argv[2], "progress", "import", sys.argv[3]]
main()
"""


def test_import_killed_mid_write_leaves_log_intact(root: Path, tmp_path: Path) -> None:
    assert run(root, "status", "set", "PP-1", "进行中", "--date", "2020-09-01",
               "--unit", LEAD_8)[0] == 0
    before = log_of(root).encode()
    f = write_csv(tmp_path / "k.csv", [{"id": "PP-1", "status": "已完成",
                                        "date": "2020-10-01", "unit": LEAD_8}])
    marker = tmp_path / "at-rename"
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KILLED), str(marker),
                             str(root), str(f)])
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists()
    finally:
        proc.kill()
        proc.wait()
    assert (root / "geo" / "status_log.csv").read_bytes() == before
    assert len(load_workspace(root).history) == 1
    code, _, err = run(root, "progress", "import", str(f))  # lock released, import again
    assert code == 0 and "added 1" in err
