"""``citymap store init/push/pull/status`` and the --store / CITYMAP_STORE option."""

from __future__ import annotations

from click.testing import CliRunner

from _ws_core import make_workspace
from citymap.cli.main import cli
from citymap.workspace import load_workspace


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_init_push_pull_status(pg_url, tmp_path):
    res = run("--lang", "en", "store", "init", "--store", pg_url)
    assert res.exit_code == 0, res.output
    assert "applied 0001_init" in res.output
    assert "schema up to date" in run("--lang", "en", "store", "init", "--store", pg_url).output
    ws = make_workspace(tmp_path / "a")
    res = run("--lang", "en", "store", "push", "--workspace", str(ws), "--store", pg_url)
    assert res.exit_code == 0, res.output
    assert "pushed '测试县'" in res.output and "5 features" in res.output
    res = run("--lang", "en", "store", "status", env={"CITYMAP_STORE": pg_url})
    assert res.exit_code == 0, res.output
    from citymap.store.postgis import migrations

    n = len(migrations())
    assert f"{n} of {n} migrations applied" in res.output and "测试县" in res.output
    res = run("--lang", "en", "store", "pull", str(tmp_path / "b"), env={"CITYMAP_STORE": pg_url,
                                                         "CITYMAP_STORE_WORKSPACE": "测试县"})
    assert res.exit_code == 0, res.output
    assert load_workspace(tmp_path / "b").site_ids == load_workspace(ws).site_ids
    res = run("--lang", "en", "store", "pull", str(tmp_path / "b"), "--store", pg_url)
    assert res.exit_code == 2 and "exists and is not empty" in res.output


def test_store_is_required(tmp_path):
    res = run("store", "status", env={"CITYMAP_STORE": ""})
    assert res.exit_code == 2 and "CITYMAP_STORE" in res.output


def test_invalid_workspace_is_refused(pg_url, tmp_path):
    run("store", "init", "--store", pg_url)
    ws = make_workspace(tmp_path / "a")
    (ws / "geo" / "register.yaml").write_text("plan: [", encoding="utf-8")
    res = run("store", "push", "--workspace", str(ws), "--store", pg_url)
    assert res.exit_code == 2 and res.output.startswith("错误:")
    assert "0 workspaces" in run("--lang", "en", "store", "status", "--store", pg_url).output


def test_password_never_shown(tmp_path):
    url = "postgresql://gis:s3cret@127.0.0.1:1/citymap"
    for args in (("store", "init", "--store", url), ("store", "status", "--store", url)):
        res = run(*args)
        assert res.exit_code == 2
        assert "s3cret" not in res.output and "gis:***@127.0.0.1" in res.output


def test_pending_migrations_are_reported(pg_url):
    res = run("--lang", "en", "store", "status", "--store", pg_url)
    assert res.exit_code == 0, res.output
    from citymap.store.postgis import migrations

    assert f"0 of {len(migrations())} migrations applied" in res.output
    assert "store init" in res.output
