"""县教育局, 县教育体育局 and 县教体局 are one body (issue 10): the shipped register says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from citymap.cli.main import cli
from citymap.register import load_register

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("unit", ["县教育局", "县教育体育局", "县教体局"])
def test_every_name_is_the_education_bureau(unit):
    reg = load_register(ROOT / "geo" / "register.yaml")
    assert reg.canonical_unit(unit) == "县教育体育局"
    # work 18 names it 县教体局 (lead); works 1, 23 and 26 name it 县教育局
    assert {w.number for w in reg.works_of_unit(unit)} == {1, 18, 23, 26}


def test_tasks_unit_finds_work_18():
    r = CliRunner().invoke(cli, ["tasks", "--workspace", str(ROOT), "--unit", "县教育局",
                                 "--format", "json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert [w["number"] for w in json.loads(r.stdout)] == [1, 18, 23, 26]
