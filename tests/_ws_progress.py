"""The progress tests' workspace (that of :mod:`_ws_core`) and helpers to fill sheets.

Work 8 (口袋公园) is led by 县综合行政执法局 and shared by 县住房城乡建设局; work 16
(老旧小区) is led by 县住房城乡建设局 and shared by 县卫生健康委 (an alias of 县卫生健康局);
work 18 is plan-only (方案待定), led by 县民政局. Every work is shared by the collective
各乡镇(街道).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import _ws_core as _core

LEAD_8 = "县综合行政执法局"
LEAD_16 = "县住房城乡建设局"
TODAY = dt.date(2022, 6, 30)


def make_workspace(root: Path, *, status_log: str | None = None) -> Path:
    """Write the workspace of :mod:`_ws_core` into ``root`` (created) and return it."""
    return _core.make_workspace(root, status_log=status_log)


def features() -> dict[str, list[dict[str, Any]]]:
    """The default features of each layer."""
    return _core.default_features()


LOG_HEADER = "date,id,status,percent,note,unit,recorded_at\n"


def fill_template(path: Path, values: dict[str, dict[str, Any]]) -> None:
    """Fill a template as a unit would: ``values[id] = {"status": …, "date": …, …}``."""
    from openpyxl import load_workbook

    from citymap.io.xlsx import COLUMNS, SHEET_NAME

    wb = load_workbook(path)
    sh = wb[SHEET_NAME]
    col = {c.key: j for j, c in enumerate(COLUMNS, start=1)}
    for r in range(2, sh.max_row + 1):
        ident = str(sh.cell(row=r, column=col["id"]).value)
        for key, v in values.get(ident, {}).items():
            sh.cell(row=r, column=col[key], value=v)
    wb.save(path)


def write_csv(path: Path, rows: list[dict[str, Any]],
              header: tuple[str, ...] = ("编号", "新状态", "日期", "完成百分比", "备注",
                                         "填报单位")) -> Path:
    """A progress CSV with Chinese headers; ``rows`` use the keys id/status/date/…"""
    import csv

    keys = {"编号": "id", "新状态": "status", "日期": "date", "完成百分比": "percent",
            "备注": "note", "填报单位": "unit"}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        for r in rows:
            w.writerow([r.get(keys[h], "") for h in header])
    return path


def run_cli(root: Path, *args: str, env: dict[str, str] | None = None,
            **kwargs: Any) -> subprocess.Popen[str]:
    """Start ``python -m``-style citymap in a subprocess with workspace ``root``."""
    code = "from citymap.cli.main import main; main()"
    e = dict(os.environ, **(env or {}))
    return subprocess.Popen([sys.executable, "-c", code, "--workspace", str(root), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=e, **kwargs)


def invoke(root: Path, *args: str) -> tuple[int, str, str]:
    """Run citymap in-process (click's runner) on workspace ``root``: exit code, out, err."""
    from click.testing import CliRunner

    from citymap.cli.main import cli

    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    return r.exit_code, r.stdout, r.stderr
