"""``citymap show N``: one work with its targets."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from _ws_core import make_workspace
from citymap.cli.main import cli


@pytest.fixture
def ws(tmp_path):
    return make_workspace(tmp_path / "ws")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_show_work_with_targets(ws):
    r = run("show", "16", "--workspace", ws)
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "工程 16  居住环境改造提升工程" in out
    assert "牵头单位: 县住房城乡建设局" in out
    assert "责任单位: 县卫生健康委、各乡镇(街道)" in out
    assert "2020" in out and "2021" in out and "改造老旧小区" in out


def test_show_json(ws):
    r = run("show", "16", "--workspace", ws, "--format", "json")
    data = json.loads(r.stdout)
    assert [(t["year"], t["value"]) for t in data["targets"]] == [(2020, 1), (2021, 1)]
    assert data["common_partner_units"] == ["各乡镇(街道)"]


def test_show_english(ws):
    r = run("show", "8", "--workspace", ws, "--lang", "en")
    assert "Lead units" in r.stdout and "pocket parks and nodes" in r.stdout


def test_unknown_work(ws):
    r = run("show", "99", "--workspace", ws)
    assert r.exit_code == 2
    assert "没有工程 99; 工程编号为 8–18" in r.output


def test_plan_only_work_has_no_targets(ws):
    r = run("show", "18", "--workspace", ws)
    assert r.exit_code == 0 and "方案待定" in r.stdout and "目标: —" in r.stdout


def test_shipped_work_16_shows_24_31_30():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    r = run("show", "16", "--workspace", root)
    assert r.exit_code == 0, r.output
    rows = [line for line in r.stdout.splitlines()
            if line.startswith("│") and "改造老旧小区" in line]
    assert [row.split("│")[1].strip() for row in rows] == ["2020", "2021", "2022"]
    assert [row.split("│")[3].strip() for row in rows] == ["24", "31", "30"]
