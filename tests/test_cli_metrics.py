import csv
import datetime as dt
import io
import json

import pytest
from click.testing import CliRunner

from _ws_metrics import make_ws, rect, site
from citymap.cli.main import cli


@pytest.fixture
def root(tmp_path):
    return make_ws(tmp_path / "ws", sites={
        "pilot_zones": ("Polygon", [site("PZ-1", rect(0, 0, 2000, 1100), works="")]),
        "pocket_parks": ("Polygon", [site("PP-1", rect(10, 10, 60, 60)),
                                     site("PP-2", rect(110, 10, 60, 60), status="进行中")]),
    })


def _run(root, *args):
    return CliRunner().invoke(cli, ["--workspace", str(root), "metrics", *args])


def test_table(root):
    r = _run(root, "--year", "2021")
    assert r.exit_code == 0, r.output
    assert "8.1" in r.output and "P.1" in r.output and "PZ-1" in r.output


def test_json(root):
    r = _run(root, "--year", "2021", "--as-of", "2021-12-31", "--format", "json")
    d = json.loads(r.output)
    t = {x["id"]: x for x in d["targets"]}
    assert t["8.1"]["actual"] == 1 and t["8.1"]["site_ids"] == ["PP-1"]
    assert t["8.1"]["verdict"] == "behind"
    assert d["zones"][0]["area_km2"] == pytest.approx(2.2)
    assert d["as_of"] == "2021-12-31"


def test_csv_and_zone(root):
    r = _run(root, "--zone", "PZ-1", "--format", "csv", "--as-of", "2021-07-01")
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert {row["kind"] for row in rows} >= {"target", "zone"}
    assert [row["id"] for row in rows if row["kind"] == "zone"] == ["PZ-1"]


def test_unknown_zone(root):
    r = _run(root, "--zone", "nope")
    assert r.exit_code == 2 and "不是试点片区" in r.output


def test_list(root):
    r = _run(root, "--list", "--format", "json")
    keys = {m["key"] for m in json.loads(r.output)}
    assert "pocket_parks" in keys and "pilot_zone_area" in keys


def test_write_metrics(root, tmp_path):
    from citymap.metrics import compute_metrics
    from citymap.metrics.output import write_metrics
    from citymap.workspace import load_workspace

    res = compute_metrics(load_workspace(root, today=dt.date(2022, 12, 31)), year=2021)
    js, cs = write_metrics(res, tmp_path / "maps")
    assert json.loads(js.read_text(encoding="utf-8"))["year"] == 2021
    assert cs.read_text(encoding="utf-8").startswith("\ufeffkind,id")


@pytest.mark.parametrize("year", ["2019", "2030"])
def test_year_outside_the_plan_is_a_bad_parameter(year):
    from click.testing import CliRunner

    from citymap.cli.main import cli

    r = CliRunner().invoke(cli, ["metrics", "--year", year])
    assert r.exit_code == 2
    assert r.output == (f"错误: --year {year} 不在规划期 2020–2022 内: "
                        "请给出 2020–2022 之间的年份\n")
    r = CliRunner().invoke(cli, ["--lang", "en", "metrics", "--year", year])
    assert r.exit_code == 2
    assert f"--year {year} is outside the plan's period 2020–2022" in r.output
