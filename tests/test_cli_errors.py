"""Tracebacks turned into one-line errors with exit code 2 (issue 10).

A workspace without ``geo/register.yaml`` (every command), the store commands without
psycopg installed (the import is blocked in the test).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from _ws_progress import LEAD_16, make_workspace, write_csv
from citymap.cli.main import cli
from test_owned_outputs import tree_digest

COMMANDS = [
    ("tasks",), ("show", "16"), ("validate",), ("validate", "--repair"), ("build",),
    ("build", "-o", "OUT/maps"), ("metrics",), ("overdue",),
    ("status", "log"), ("status", "set", "16", "滞后", "--date", "2021-01-01"),
    ("export", "-o", "OUT/export"), ("report", "-o", "OUT/r.html"),
    ("progress", "template", "--unit", LEAD_16, "-o", "OUT/t.xlsx"),
    ("progress", "import", "OUT/p.csv"), ("import", "OUT/in.geojson", "--layer", "pocket_parks"),
    ("serve", "--port", "0"),
]


def one_error(code: int, err: str, *words: str) -> None:
    assert code == 2, err
    assert "Traceback" not in err
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误: "), err
    for w in words:
        assert w in lines[0], err


@pytest.mark.parametrize("cmd", COMMANDS, ids=" ".join)
def test_workspace_without_register(tmp_path: Path, cmd: tuple[str, ...]) -> None:
    root = make_workspace(tmp_path / "ws")
    (root / "geo" / "register.yaml").unlink()
    out = tmp_path / "out"
    out.mkdir()
    write_csv(out / "p.csv", [{"id": "16", "status": "滞后", "date": "2021-01-01",
                               "unit": LEAD_16}])
    (out / "in.geojson").write_text('{"type": "FeatureCollection", "features": []}',
                                    encoding="utf-8")
    before = tree_digest(tmp_path)
    args = [a.replace("OUT", str(out)) for a in cmd]
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    one_error(r.exit_code, r.stderr, "geo/register.yaml", "缺失")
    assert tree_digest(tmp_path) == before


def test_register_that_is_a_folder(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    (root / "geo" / "register.yaml").unlink()
    (root / "geo" / "register.yaml").mkdir()
    r = CliRunner().invoke(cli, ["--workspace", str(root), "tasks"])
    one_error(r.exit_code, r.stderr, "geo/register.yaml", "无法读取")


STORE_COMMANDS = [
    ("store", "status"), ("store", "metrics"), ("store", "init"), ("store", "pull", "OUT"),
    ("store", "push"), ("store", "build", "-o", "OUT"), ("tasks",), ("status", "log"),
]


@pytest.mark.parametrize("cmd", STORE_COMMANDS, ids=" ".join)
def test_store_without_psycopg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               cmd: tuple[str, ...]) -> None:
    for name in [m for m in sys.modules if m == "psycopg" or m.startswith("psycopg.")
                 or m in ("citymap.store.postgis", "citymap.store.sql_metrics")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # `import psycopg` now fails
    root = make_workspace(tmp_path / "ws")
    args = [a.replace("OUT", str(tmp_path / "out")) for a in cmd]
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args, "--store",
                                 "postgresql://gis@localhost/citymap"])
    one_error(r.exit_code, r.stderr, "需要 psycopg", "pip install")
    assert not (tmp_path / "out").exists()
