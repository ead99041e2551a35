"""``citymap status set`` and ``citymap status log``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from _ws_progress import LEAD_8, LEAD_16, make_workspace
from citymap.cli.main import cli


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def run(root: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    return r.exit_code, r.stdout, r.stderr


def test_set_then_log(root: Path) -> None:
    code, _, err = run(root, "status", "set", "OC-1", "进行中", "--date", "2021-05-01",
                       "--percent", "40", "--unit", LEAD_16, "--note", "外墙保温施工")
    assert code == 0, err
    assert "recorded: 2021-05-01 OC-1 进行中 40%" in err
    code, _, err = run(root, "status", "set", "16", "滞后", "--date", "2021-06-01", "--unit",
                       LEAD_16)
    assert code == 0, err
    code, out, _ = run(root, "status", "log", "OC-1", "--format", "json")
    rows = json.loads(out)
    assert [(r["id"], r["status"], r["percent"], r["unit"]) for r in rows] == [
        ("OC-1", "进行中", "40", LEAD_16)]
    code, out, _ = run(root, "status", "log", "--format", "csv", "--as-of", "2021-05-31")
    assert out.splitlines()[0] == "date,id,status,percent,note,unit,recorded_at"
    assert len(out.splitlines()) == 2
    code, out, _ = run(root, "status", "log")
    assert code == 0 and "2 status events" in out and "外墙保温施工" in out


def test_set_again_is_a_no_op(root: Path) -> None:
    args = ("status", "set", "PP-1", "已完成", "--date", "2020-11-01", "--unit", LEAD_8)
    assert run(root, *args)[0] == 0
    code, _, err = run(root, *args)
    assert code == 0 and "already recorded" in err
    assert len((root / "geo" / "status_log.csv").read_text("utf-8").splitlines()) == 2


def test_set_refusals(root: Path) -> None:
    code, _, err = run(root, "--lang", "en",
                       "status", "set", "OC-1", "进行中", "--date", "2021-05-01",
                       "--unit", LEAD_8)
    assert code == 2 and "neither leads nor shares" in err
    code, _, err = run(root, "--lang", "en",
                       "status", "set", "NOPE", "进行中", "--date", "2021-05-01")
    assert code == 2 and "unknown site or work 'NOPE'" in err
    code, _, err = run(root, "--lang", "en",
                       "status", "set", "OC-1", "完工", "--date", "2021-05-01")
    assert code == 2 and "完工" in err
    code, _, err = run(root, "--lang", "en",
                       "status", "set", "OC-1", "进行中", "--date", "2019-05-01")
    assert code == 2 and "outside 2020-01-01" in err
    code, _, err = run(root, "--lang", "en",
                       "status", "set", "OC-1", "进行中", "--date", "2021-05-01",
                       "--percent", "101")
    assert code == 2
    assert not (root / "geo" / "status_log.csv").exists()


def test_dry_run_and_unknown_log_id(root: Path) -> None:
    code, _, err = run(root, "status", "set", "OC-1", "进行中", "--date", "2021-05-01",
                       "--dry-run", "--unit", LEAD_16)
    assert code == 0 and "would record" in err
    assert not (root / "geo" / "status_log.csv").exists()
    code, _, err = run(root, "status", "log", "XX")
    assert code == 2 and "unknown site or work 'XX'" in err


def test_help_has_examples(root: Path) -> None:
    for args in (("status", "--help"), ("status", "set", "--help"), ("status", "log",
                                                                     "--help")):
        code, out, _ = run(root, *args)
        assert code == 0 and "Example" in out


def test_set_without_unit_is_refused_naming_who_reports(root: Path) -> None:
    code, _, err = run(root, "--lang", "en",
                       "status", "set", "OC-1", "进行中", "--date", "2021-05-01")
    assert code == 2 and "Traceback" not in err
    assert "--unit: is missing" in err and f"reported by {LEAD_16}、县卫生健康局" in err, err
    code, _, err = run(root, "--lang", "en", "status", "set", "16", "滞后", "--date", "2021-05-01")
    assert code == 2 and "work 16 of '16'" in err
    assert not (root / "geo" / "status_log.csv").exists()


def test_set_says_which_unit_is_recorded(root: Path) -> None:
    code, _, err = run(root, "status", "set", "OC-1", "进行中", "--date", "2021-05-01",
                       "--unit", "县卫生健康委")  # an alias of 县卫生健康局, which shares work 16
    assert code == 0, err
    assert "recorded: 2021-05-01 OC-1 进行中 — reported by 县卫生健康局 (--unit 县卫生健康委)" \
        in err
    assert ",OC-1,进行中,,,县卫生健康局," in (root / "geo" / "status_log.csv").read_text("utf-8")


def test_set_without_unit_where_the_register_names_none(tmp_path: Path) -> None:
    """A work whose only unit is the collective partner declares no reporter: as before,
    its status may be recorded without --unit, and the output says no unit was recorded.
    """
    root = make_workspace(tmp_path / "ws")
    reg = root / "geo" / "register.yaml"
    text = reg.read_text("utf-8")
    reg.write_text(text.replace("lead_units: [县民政局]", "lead_units: [各乡镇(街道)]"), "utf-8")
    code, _, err = run(root, "status", "set", "18", "进行中", "--date", "2021-05-01")
    assert code == 0, err
    assert "recorded: 2021-05-01 18 进行中 — no reporting unit" in err
