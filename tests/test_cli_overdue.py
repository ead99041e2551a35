"""``citymap overdue``: what is behind on a date, by lead unit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from _ws_progress import LEAD_8, LEAD_16, LOG_HEADER, make_workspace
from citymap.cli.main import cli


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws", status_log=LOG_HEADER
                          + "2020-10-01,PP-1,已完成,100,,,a\n2020-10-01,OC-1,已完成,100,,,a\n")


def run(root: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    return r.exit_code, r.stdout, r.stderr


def test_nothing_behind_yet(root: Path) -> None:
    code, out, _ = run(root, "overdue", "--as-of", "2020-12-30")
    assert code == 0 and "nothing behind as of 2020-12-30" in out


def test_table_by_unit(root: Path) -> None:
    code, out, err = run(root, "overdue", "--as-of", "2021-03-01")
    assert code == 0, err
    assert LEAD_8 in out and "PP-2" in out and "西门口袋公园" in out and "60" in out
    assert LEAD_16 not in out
    assert "1 works and 1 sites behind as of 2021-03-01" in err
    code, out, _ = run(root, "overdue", "--as-of", "2022", "--lang", "en")
    assert LEAD_16 in out and "OC-2" in out and "Days late" in out


def test_json_csv_and_unit(root: Path) -> None:
    code, out, _ = run(root, "--lang", "en", "overdue", "--as-of", "2022-01-02", "--format", "json",
                       "--unit", LEAD_16)
    rows = json.loads(out)
    assert {r["unit"] for r in rows} == {LEAD_16}
    assert [(r["kind"], r["id"], r["due"], r["days_late"]) for r in rows] == [
        ("工程", "16", "2021-12-31", 2), ("目标", "16.2", "2021-12-31", 2),
        ("点位", "OC-2", "2021-12-31", 2)]
    code, out, _ = run(root, "--lang", "en", "overdue", "--as-of", "2022-01-02", "--format", "csv")
    assert out.splitlines()[0] == "unit,work,work_name,kind,id,name,due,status,days_late"
    assert len(out.splitlines()) == 7
    code, _, err = run(root, "--lang", "en", "overdue", "--unit", "县财政局")
    assert code == 2 and "not a unit of the plan" in err


def test_help_has_examples(root: Path) -> None:
    code, out, _ = run(root, "overdue", "--help")
    assert code == 0 and "Example" in out and "督导" in out
