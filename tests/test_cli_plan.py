"""Tests of ``citymap plan import`` (the click group on its own, with CliRunner)."""

from __future__ import annotations

from pathlib import Path

import click
import yaml
from click.testing import CliRunner

from citymap.cli.plan import plan

ROOT = Path(__file__).resolve().parents[1]
SEED = Path(__file__).parent / "data" / "plan_yangxin_zh-hant.txt"


def test_group_is_independent() -> None:
    assert isinstance(plan, click.Group) and plan.name == "plan"
    assert "import" in plan.commands
    # the lead mounts it with cli.add_command(plan)
    root = click.Group("citymap")
    root.add_command(plan)
    res = CliRunner().invoke(root, ["plan", "import", "--help"])
    assert res.exit_code == 0, res.output
    assert "Example: citymap plan import" in res.output


def test_help() -> None:
    res = CliRunner().invoke(plan, ["import", "--help"])
    assert res.exit_code == 0
    assert "--compare" in res.output and "-o, --output" in res.output


def test_import_writes_the_draft(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "draft.yaml"
    res = CliRunner().invoke(plan, ["import", str(SEED), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert res.stdout == ""  # the YAML went to the file, the summary to stderr
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert len(data["works"]) == 28
    assert data["plan"]["county"] == "阳信县"
    assert "28 works" in res.stderr
    assert "unplaced (4)" in res.stderr and "装灯率100%" in res.stderr
    assert not list(out.parent.glob(".draft.yaml.*"))  # no temporary file left


def test_import_to_stdout_and_compare(tmp_path: Path) -> None:
    res = CliRunner().invoke(plan, ["import", str(SEED), "--compare",
                                    str(ROOT / "geo" / "register.yaml")])
    assert res.exit_code == 0, res.output
    assert yaml.safe_load(res.stdout)["works"][0]["name"] == "规划设计提升工程"
    assert "differences from the register" in res.stderr
    assert "expected gap" in res.stderr


def test_gbk_file(tmp_path: Path) -> None:
    from citymap.planparse import to_simplified

    f = tmp_path / "plan-gbk.txt"
    f.write_bytes(to_simplified(SEED.read_text(encoding="utf-8")).encode("gbk"))
    out = tmp_path / "d.yaml"
    res = CliRunner().invoke(plan, ["import", str(f), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert len(yaml.safe_load(out.read_text(encoding="utf-8"))["works"]) == 28


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(plan, ["import", str(tmp_path / "nope.txt"), "-o",
                                    str(tmp_path / "o.yaml")])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:") and "no such file" in lines[0]
    assert not (tmp_path / "o.yaml").exists()


def test_undecodable_file_is_exit_2(tmp_path: Path) -> None:
    f = tmp_path / "x.bin"
    f.write_bytes(b"\x00\xff\x00\xfe binary")
    res = CliRunner().invoke(plan, ["import", str(f)])
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1 and "not a text file" in res.stderr


def test_garbage_text_is_exit_2(tmp_path: Path) -> None:
    f = tmp_path / "junk.txt"
    f.write_text("随便一些文字。\n没有编号的工程。\n", encoding="utf-8")
    res = CliRunner().invoke(plan, ["import", str(f)])
    assert res.exit_code == 2
    assert "no numbered works found" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_bad_compare_register_is_exit_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(plan, ["import", str(SEED), "--compare",
                                    str(tmp_path / "missing.yaml")])
    assert res.exit_code == 2 and "--compare" in res.stderr
