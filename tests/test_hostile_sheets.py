"""Progress workbooks as other software writes them, and console markup in the data (issue 10)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from _ws_core import default_features, write_geojson
from _ws_progress import LEAD_8, make_workspace
from citymap.cli.main import cli
from citymap.errors import ValidationError
from citymap.io.xlsx import SHEET_NAME, read_progress_file


def run(root: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def _sheet(wb: Workbook, title: str, date: object) -> None:
    sh = wb.create_sheet(title)
    sh.append(["编号", "新状态", "日期", "填报单位"])
    sh.append(["PP-1", "进行中", date, LEAD_8])


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_hidden_sheet_is_refused(tmp_path: Path, state: str) -> None:
    wb = Workbook()
    assert wb.active is not None
    wb.remove(wb.active)
    _sheet(wb, SHEET_NAME, "2021-05-01")
    _sheet(wb, "封面", "2021-06-01")
    wb[SHEET_NAME].sheet_state = state
    wb.active = 1
    path = tmp_path / "p.xlsx"
    wb.save(path)
    with pytest.raises(ValidationError, match="hidden sheet"):
        read_progress_file(path)
    assert read_progress_file(path, sheet="封面").rows[0].text("date") == "2021-06-01"


@pytest.mark.parametrize("kind", ["date cell", "day number"])
def test_1904_workbook_reads_the_right_date(root: Path, tmp_path: Path, kind: str) -> None:
    wb = Workbook()
    wb.epoch = CALENDAR_MAC_1904
    assert wb.active is not None
    wb.remove(wb.active)
    day = dt.date(2021, 5, 1)
    value: object = (dt.datetime(2021, 5, 1) if kind == "date cell"
                     else (day - dt.date(1904, 1, 1)).days)  # a number typed in a 1904 book
    _sheet(wb, SHEET_NAME, value)
    path = tmp_path / "mac.xlsx"
    wb.save(path)
    rows = read_progress_file(path).rows
    assert rows[0].text("date") == "2021-05-01"
    code, out, err = run(root, "progress", "import", str(path), "--dry-run")
    assert code == 0, err
    assert "2021-05-01" in out


MARKUP = "[/]坏[bold]名[/bold] [link=file:///etc/passwd]x[/link] :smile:"


def test_console_markup_in_data_is_printed_literally(root: Path, tmp_path: Path) -> None:
    feats = default_features()["pocket_parks"]
    feats[0]["properties"]["name"] = MARKUP
    write_geojson(root / "geo/sites/pocket_parks.geojson", feats)
    reg = root / "geo/register.yaml"
    reg.write_text(reg.read_text("utf-8").replace("name: 园林绿化提档升级工程",
                                                  f'name: "{MARKUP}"'), "utf-8")
    sheet = tmp_path / "p.csv"
    sheet.write_text(f"编号,新状态,日期,备注,填报单位\nPP-1,进行中,2021-05-01,\"{MARKUP}\","
                     f"{LEAD_8}\n", "utf-8")
    code, out, err = run(root, "progress", "import", str(sheet))
    assert code == 0, err
    assert MARKUP[:20] in out
    for args in (["validate"], ["tasks"], ["show", "8"], ["status", "log"],
                 ["status", "log", "PP-1"]):
        code, out, err = run(root, *args)
        assert code == 0, (args, err)
        assert "[/]坏[bold]名" in out + err, (args, out + err)
        assert ":smile:" in out + err or "[/]坏" in out + err
