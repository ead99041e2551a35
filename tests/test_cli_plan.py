"""Tests of ``citymap plan import`` (the click group on its own, with CliRunner)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
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
    assert "28 项工程" in res.stderr  # Chinese by default
    assert "未能归位 (" in res.stderr and "装灯率100%" in res.stderr
    assert "县 阳信县" in res.stderr and "规划期 2020-01-01–2022-12-31" in res.stderr
    assert not list(out.parent.glob(".draft.yaml.*"))  # no temporary file left


def test_import_to_stdout_and_compare(tmp_path: Path) -> None:
    res = CliRunner().invoke(plan, ["import", str(SEED), "--compare",
                                    str(ROOT / "geo" / "register.yaml"), "--lang", "en"])
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
    assert len(lines) == 1 and lines[0].startswith("错误:") and "没有该文件" in lines[0]
    assert not (tmp_path / "o.yaml").exists()


@pytest.mark.usefixtures("english")
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
    assert "未找到编号的工程" in res.stderr and "找到 2 行" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    res = CliRunner().invoke(plan, ["import", str(f), "--lang", "en"])
    assert res.exit_code == 2
    assert "no numbered works found" in res.stderr and "found 2 lines" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_headings_without_works_say_what_was_found(tmp_path: Path) -> None:
    f = tmp_path / "notice.txt"
    f.write_text("关于做好城市更新工作的通知\n一、提高认识\n要充分认识城市更新的重要意义。\n"
                 "二、加强领导\n各地要成立领导小组。\n", encoding="utf-8")
    res = CliRunner().invoke(plan, ["import", str(f), "--lang", "en"])
    assert res.exit_code == 2
    assert "2 numbered headings (一、提高认识; 二、加强领导)" in res.stderr


def test_partial_structure_reports_found_and_missing(tmp_path: Path) -> None:
    """Works without units, action or county: exit 0, and the gaps are named."""
    f = tmp_path / "partial.txt"
    f.write_text("城市品质提升工作方案\n一、重点任务\n1.道路建设工程。2021年新建道路3条。\n"
                 "2.绿化提升工程。新建公园二处。\n", encoding="utf-8")
    out = tmp_path / "d.yaml"
    res = CliRunner().invoke(plan, ["import", str(f), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "2 项工程" in res.stderr and "县 (无)" in res.stderr
    assert "未能确定" in res.stderr and "牵头单位 ×2" in res.stderr and "县名 ×1" in res.stderr
    assert "新建公园二处" in res.stderr  # the number without a year, with its sentence
    res = CliRunner().invoke(plan, ["import", str(f), "-o", str(out), "--lang", "en"])
    assert res.exit_code == 0
    assert "2 works" in res.stderr and "lead units ×2" in res.stderr
    assert "county ×1" in res.stderr and "no lead units found" in res.stderr


def test_bad_compare_register_is_exit_2(tmp_path: Path) -> None:
    res = CliRunner().invoke(plan, ["import", str(SEED), "--compare",
                                    str(tmp_path / "missing.yaml")])
    assert res.exit_code == 2 and "--compare" in res.stderr
