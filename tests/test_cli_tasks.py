"""``citymap tasks``: listing and filtering works."""

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


def test_lists_every_work(ws):
    r = run("tasks", "--workspace", ws, "--format", "json")
    assert r.exit_code == 0, r.output
    assert [w["number"] for w in json.loads(r.stdout)] == [8, 16, 18]


@pytest.mark.parametrize(("args", "expected"), [
    (["--unit", "县住房城乡建设局"], [8, 16]),
    (["--unit", "县住房城乡建设局", "--lead-only"], [16]),
    (["--unit", "县卫生健康局"], [16]),        # listed as its alias 县卫生健康委
    (["--unit", "各乡镇(街道)"], [8, 16, 18]),  # the townships share every work
    (["--action", "2"], [16, 18]),
    (["--action", "蓝绿"], [8]),
    (["--status", "方案待定"], [18]),
    (["--action", "2", "--status", "滞后"], [16]),  # its 2020 and 2021 sites are not done
    (["--action", "2", "--status", "滞后", "--as-of", "2020-06-30"], []),
])
def test_filters(ws, args, expected):
    r = run("tasks", "--workspace", ws, "--format", "json", *args)
    assert r.exit_code == 0, r.output
    assert [w["number"] for w in json.loads(r.stdout)] == expected


def test_table_in_chinese_and_english(ws):
    r = run("tasks", "--workspace", ws)
    assert r.exit_code == 0
    assert "牵头单位" in r.stdout and "园林绿化提档升级工程" in r.stdout
    r = run("--lang", "en", "tasks", "--workspace", ws)
    assert "Lead units" in r.stdout and "plan pending" in r.stdout
    r = run("tasks", "--lang", "en", "--workspace", ws)
    assert "Lead units" in r.stdout


def test_unknown_unit_is_a_bad_parameter(ws):
    r = run("tasks", "--workspace", ws, "--unit", "县不存在局")
    assert r.exit_code == 2
    assert "'县不存在局' is not a unit of the plan" in r.output


def test_csv(ws):
    r = run("tasks", "--workspace", ws, "--format", "csv")
    assert r.stdout.splitlines()[0] == "number,action,name,lead_units,partner_units,status,targets"
    assert len(r.stdout.splitlines()) == 4


def test_broken_workspace_exits_2_without_traceback(ws):
    (ws / "geo" / "register.yaml").write_text("works: [\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["tasks", "--workspace", str(ws)])
    assert r.exit_code == 2
    assert "Traceback" not in r.output
    assert r.output.startswith("错误: geo/register.yaml: 第 ")


def test_help_has_an_example():
    r = run("tasks", "--help")
    assert r.exit_code == 0 and "citymap tasks --unit 县住房城乡建设局" in r.output


def test_shipped_workspace_unit_filter():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    r = run("tasks", "--workspace", root, "--unit", "县住房城乡建设局", "--format", "json")
    assert r.exit_code == 0, r.output
    nums = [w["number"] for w in json.loads(r.stdout)]
    # leads 5 6 9 10 12 14 16 17 24 25 26; shares 1 2 3 4 7 8 15 18 19 21 23 27
    assert nums == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15, 16, 17, 18, 19, 21, 23, 24, 25,
                    26, 27]
    r = run("tasks", "--workspace", root, "--unit", "县住房城乡建设局")
    assert "居住环境改造提升工程" in r.stdout and "环境卫生提升工程" not in r.stdout


def test_workspace_language_is_the_default(ws):
    cfg = ws / "citymap.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("zoom = 13", 'zoom = 13\nlang = "en"'),
                   encoding="utf-8")
    assert "Lead units" in run("tasks", "--workspace", ws).stdout
    assert "牵头单位" in run("tasks", "--workspace", ws, "--lang", "zh").stdout
