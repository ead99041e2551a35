"""Every command takes --store: reads come from the store, status writes go to it."""

from __future__ import annotations

import json

from click.testing import CliRunner

from _ws_core import make_workspace
from citymap.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_status_and_progress_go_to_the_store(pg_url, tmp_path):
    ws = make_workspace(tmp_path / "ws")
    assert run("store", "init", "--store", pg_url).exit_code == 0
    assert run("store", "push", "--workspace", ws, "--store", pg_url).exit_code == 0
    # reads: the store's copy
    r = run("tasks", "--store", pg_url, "--format", "json")
    assert r.exit_code == 0, r.output
    assert [w["number"] for w in json.loads(r.stdout)] == [8, 16, 18]
    # a status set goes to the database, not the folder
    r = run("status", "set", "PP-1", "已完成", "--date", "2020-09-01",
            "--unit", "县综合行政执法局", "--store", pg_url)
    assert r.exit_code == 0, r.output
    assert not (ws / "geo" / "status_log.csv").exists()
    r = run("status", "log", "PP-1", "--store", pg_url, "--format", "json")
    events = json.loads(r.stdout)
    assert [(e["date"], e["status"]) for e in events] == [("2020-09-01", "已完成")]
    # a progress sheet imports into the store, all or nothing
    sheet = tmp_path / "p.csv"
    sheet.write_text("编号,新状态,日期,完成百分比,备注,填报单位\n"
                     "OC-1,进行中,2020-10-01,40,,县住房城乡建设局\n", encoding="utf-8")
    r = run("progress", "import", sheet, "--store", pg_url)
    assert r.exit_code == 0, r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("编号,新状态,日期,完成百分比,备注,填报单位\n"
                   "OC-2,进行中,2020-10-01,,,县住房城乡建设局\n"
                   "OC-9,进行中,2020-10-01,,,县住房城乡建设局\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["progress", "import", str(bad), "--store", pg_url])
    assert r.exit_code == 2 and "OC-9" in r.output
    r = run("status", "log", "--store", pg_url, "--format", "json")
    assert sorted(e["id"] for e in json.loads(r.stdout)) == ["OC-1", "PP-1"]
    assert not (ws / "geo" / "status_log.csv").exists()


def test_outputs_of_a_store_workspace_go_to_the_current_folder(pg_url, tmp_path,
                                                               monkeypatch):
    ws = make_workspace(tmp_path / "ws")
    run("store", "init", "--store", pg_url)
    run("store", "push", "--workspace", ws, "--store", pg_url)
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    run("build", "--store", pg_url, "--offline")
    run("export", "--store", pg_url, "--format", "csv")
    run("report", "--store", pg_url, "--year", "2020")
    assert (here / "maps" / "index.html").is_file()
    assert (here / "export" / "csv" / "works.csv").is_file()
    assert (here / "reports" / "report-2020.html").is_file()
    assert not (ws / "maps").exists()
