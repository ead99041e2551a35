"""Hostile files: spreadsheets that run nothing, cells that poison nothing, files that exhaust
nothing (issue 10, "Hostile input")."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from _ws_progress import LEAD_8, TODAY, make_workspace
from citymap.cli.main import cli
from citymap.errors import ValidationError
from citymap.history import StatusEvent, read_status_log
from citymap.io.csvsafe import escape_cell, unescape_cell
from citymap.io.xlsx import SHEET_NAME, write_template
from citymap.limits import MAX_NOTE_CHARS, MAX_XLSX_UNCOMPRESSED
from citymap.store.folder import append_events

FORMULAS = ["=1+1", "+SUM(A1)", "-2+3", "@SUM(1)", "\tx", "\r=1", "'=quoted", "''x",
            '=HYPERLINK("http://evil","点我")']


def run(root: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


# ----------------------------------------------------------------------------- 1. no formulas

@pytest.mark.parametrize("text", [*FORMULAS, "-3.5", "公园", ""])
def test_csv_escape_round_trips(text: str) -> None:
    out = escape_cell(text)
    assert isinstance(out, str) and unescape_cell(out) == text
    assert not out.startswith(("=", "+", "@", "\t", "\r")) or out == text == ""
    if out.startswith("-"):
        assert out == "-3.5"  # a plain number is left as it is


def _xml_formulas(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return [n for n in zf.namelist() if n.startswith("xl/worksheets/")
                and b"<f>" in zf.read(n) or b"<f " in zf.read(n)]


def test_template_writes_names_as_text(tmp_path: Path) -> None:
    rows = [{"id": f"X-{i}", "kind": "点位", "works": "8", "name": f, "year": 2020,
             "current": "未开始", "current_date": "2020-06-21"} for i, f in enumerate(FORMULAS)]
    path = write_template(tmp_path / "t.xlsx", rows, unit="=cmd|' /C calc'!A0",
                          as_of=dt.date(2021, 6, 1), title="=1+2")
    wb = load_workbook(path)
    cells = [c for sh in wb.worksheets for row in sh.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert _xml_formulas(path) == []
    names = [wb[SHEET_NAME].cell(row=i + 2, column=4).value for i in range(len(FORMULAS))]
    assert names == [f.replace("\r", "\n") for f in FORMULAS]  # XML keeps CR as LF
    assert wb[SHEET_NAME].cell(row=2, column=4).quotePrefix


def test_template_csv_escapes_and_reads_back(tmp_path: Path) -> None:
    rows = [{"id": "X-1", "kind": "点位", "works": "8", "name": "=1+1", "year": 2020}]
    path = write_template(tmp_path / "t.csv", rows, unit="@unit", as_of=dt.date(2021, 6, 1))
    cells = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))[1]
    assert "'=1+1" in cells and "'@unit" in cells
    assert not any(c.startswith(("=", "+", "@")) for c in cells)


def test_status_log_escapes_and_round_trips(root: Path) -> None:
    notes = ["=1+1", "@x", "'y", "-z"]
    evs = [StatusEvent(dt.date(2021, 1, 1 + i), "PP-1", "进行中", None, n, LEAD_8)
           for i, n in enumerate(notes)]
    append_events(root, evs, today=TODAY)
    text = (root / "geo/status_log.csv").read_text("utf-8")
    for line in text.splitlines()[1:]:
        assert not any(c.startswith(("=", "+", "-", "@")) for c in next(csv.reader([line])))
    log = read_status_log(root / "geo/status_log.csv", today=TODAY)
    assert [e.note for e in log.events] == notes
    # re-importing is still a no-op: the escaped cells read back equal
    assert append_events(root, evs, today=TODAY).added == ()


def test_every_csv_written_is_formula_free(root: Path, tmp_path: Path) -> None:
    """export CSV, fields.csv, metrics.csv, status log CSV, overdue/tasks CSV on stdout."""
    from _ws_core import default_features, write_geojson
    feats = default_features()
    feats["pocket_parks"][0]["properties"]["name"] = "=HYPERLINK(\"http://x\")"
    write_geojson(root / "geo/sites/pocket_parks.geojson", feats["pocket_parks"])
    reg = root / "geo/register.yaml"
    reg.write_text(reg.read_text("utf-8").replace("name: 园林绿化提档升级工程",
                                                  "name: \"+园林绿化\""), "utf-8")
    append_events(root, [StatusEvent(dt.date(2021, 1, 1), "PP-1", "进行中", None, "@note",
                                     LEAD_8)], today=TODAY)
    out = tmp_path / "out"
    code, _, err = run(root, "export", "-o", str(out), "--format", "all")
    assert code == 0, err
    code, _, err = run(root, "build", "-o", str(tmp_path / "maps"))
    assert code == 0, err
    texts = {p.name: p.read_text("utf-8-sig") for p in [*out.rglob("*.csv"),
                                                        *(tmp_path / "maps").rglob("*.csv")]}
    for args in (["status", "log", "--format", "csv"], ["tasks", "--format", "csv"],
                 ["overdue", "--format", "csv", "--as-of", "2022-06-30"]):
        code, stdout, err = run(root, *args)
        assert code == 0, err
        texts[" ".join(args)] = stdout
    assert {"works.csv", "targets.csv", "fields.csv", "metrics.csv"} <= set(texts)
    seen = 0
    for name, text in texts.items():
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
                seen += cell.startswith("'")
    assert seen >= 3


# ----------------------------------------------------------------------------- 2. one cell

def test_huge_note_refused_naming_row_and_field(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("编号,新状态,日期,备注\nPP-1,进行中,2021-05-01," + "长" * 200_000 + "\n",
                    "utf-8")
    before = (root / "geo").exists() and sorted(p.name for p in (root / "geo").iterdir())
    code, _, err = run(root, "--lang", "en", "progress", "import", str(path))
    assert code == 2
    assert "Traceback" not in err and "_csv.Error" not in err
    assert "p.csv" in err and "row 2" in err
    assert sorted(p.name for p in (root / "geo").iterdir()) == before


def test_note_over_the_limit_in_xlsx(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "p.xlsx"
    wb = Workbook()
    sh = wb.active
    assert sh is not None
    sh.title = SHEET_NAME
    sh.append(["编号", "新状态", "日期", "备注"])
    sh.append(["PP-1", "进行中", "2021-05-01", "x" * (MAX_NOTE_CHARS + 1)])
    wb.save(path)
    code, _, err = run(root, "--lang", "en", "progress", "import", str(path))
    assert code == 2 and "row 2" in err and "备注" in err and str(MAX_NOTE_CHARS) in err
    assert not (root / "geo/status_log.csv").exists()


def _log(rows: list[str]) -> str:
    return "date,id,status,percent,note,unit,recorded_at\n" + "".join(r + "\n" for r in rows)


def test_unterminated_quote_fails_with_line(root: Path) -> None:
    rows = [f"2021-0{1 + i % 9}-0{1 + i % 9},PP-1,进行中,,n{i},{LEAD_8}," for i in range(6)]
    rows[2] = rows[2].replace(",n2,", ',"n2 unterminated,')
    (root / "geo/status_log.csv").write_text(_log(rows), "utf-8")
    code, _, err = run(root, "--lang", "en", "validate")
    assert code == 2, err
    assert "geo/status_log.csv: row 4" in err and "Traceback" not in err


@pytest.mark.usefixtures("english")
def test_status_set_refuses_to_append_to_a_broken_log(root: Path) -> None:
    log = root / "geo/status_log.csv"
    log.write_text(_log([f'2021-01-01,PP-1,进行中,,"open,{LEAD_8},',
                         f"2021-01-02,PP-2,进行中,,ok,{LEAD_8},"]), "utf-8")
    before = log.read_bytes()
    with pytest.raises(ValidationError, match="nothing was added"):
        append_events(root, [StatusEvent(dt.date(2021, 3, 1), "OC-1", "进行中")],
                      today=TODAY)
    assert log.read_bytes() == before


def test_oversized_log_field_is_one_line_not_csv_error(root: Path) -> None:
    (root / "geo/status_log.csv").write_text(
        _log([f"2021-01-01,PP-1,进行中,,\"{'x' * 200_000}\",{LEAD_8},"]), "utf-8")
    code, _, err = run(root, "--lang", "en", "validate")
    assert code == 2 and "row 2" in err and "characters" in err
    assert "field larger" not in err and "Traceback" not in err


def test_multi_line_note_is_stored_on_one_line(root: Path) -> None:
    append_events(root, [StatusEvent(dt.date(2021, 1, 1), "PP-1", "进行中", None,
                                     "第一行\n第二行", LEAD_8)], today=TODAY)
    log = read_status_log(root / "geo/status_log.csv", today=TODAY)
    assert log.events[0].note == "第一行 第二行"
    assert len((root / "geo/status_log.csv").read_text("utf-8").splitlines()) == 2


# ----------------------------------------------------------------------------- 3. exhaustion

def _zip_bomb(path: Path, *, size: int) -> None:
    """A valid-looking .xlsx whose sheet unpacks to ``size`` bytes (deflate of zeros)."""
    src = tmp_workbook()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        with zout.open("xl/media/pad.bin", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                fh.write(chunk)


def tmp_workbook() -> io.BytesIO:
    wb = Workbook()
    sh = wb.active
    assert sh is not None
    sh.title = SHEET_NAME
    sh.append(["编号", "新状态", "日期"])
    sh.append(["PP-1", "进行中", "2021-05-01"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_zip_bomb_refused_before_parsing(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    _zip_bomb(path, size=MAX_XLSX_UNCOMPRESSED + 1024 * 1024)
    assert path.stat().st_size < 1024 * 1024  # small on disk
    code, _, err = run(root, "--lang", "en", "progress", "import", str(path))
    assert code == 2 and "bomb.xlsx" in err and "unpacks to" in err


def _huge_dimension(path: Path, cell: str) -> None:
    """One cell at XFD1048576 and a dimension claiming A1:XFD1048576 (as an attacker writes)."""
    sheet = textwrap.dedent("""\
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
        <dimension ref="A1:XFD1048576"/><sheetData>
        <row r="1"><c r="A1" t="inlineStr"><is><t>编号</t></is></c>
        <c r="B1" t="inlineStr"><is><t>新状态</t></is></c>
        <c r="C1" t="inlineStr"><is><t>日期</t></is></c></row>
        <row r="2"><c r="A2" t="inlineStr"><is><t>PP-1</t></is></c>
        <c r="B2" t="inlineStr"><is><t>进行中</t></is></c>
        <c r="C2" t="inlineStr"><is><t>2021-05-01</t></is></c></row>
        <row r="1048576"><c r="CELL" t="inlineStr"><is><t>x</t></is></c></row>
        </sheetData></worksheet>""").replace("CELL", cell)
    src = tmp_workbook()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode("utf-8")
            zout.writestr(item, data)


RLIMIT_CODE = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3000 * 2**20, 3000 * 2**20))
from citymap.cli.main import main
sys.argv = ["citymap", *sys.argv[1:]]
main()
"""


def run_bounded(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess whose address space is capped at 3 GB.

    The interpreter with numpy, GDAL and their thread pools maps ~1.5 GB before reading
    anything; a sheet read cell by cell for its claimed size would need tens of GB.
    """
    return subprocess.run([sys.executable, "-c", RLIMIT_CODE, "--workspace", str(root), *args],
                          capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, PYTHONWARNINGS="ignore"))


@pytest.mark.parametrize("cell", ["XFD1048576", "A1048576"])
def test_sheet_claiming_a_million_rows_does_not_allocate(root: Path, tmp_path: Path,
                                                         cell: str) -> None:
    path = tmp_path / "huge.xlsx"
    _huge_dimension(path, cell)
    r = run_bounded(root, "--lang", "en",
                    "progress", "import", str(path), "--dry-run", "--unit", LEAD_8)
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr
    if cell == "XFD1048576":  # outside the known columns: not read at all
        assert r.returncode == 0, r.stderr
        assert "PP-1" in r.stdout
    else:  # a cell in a known column far below the data: refused, not allocated
        assert r.returncode == 2, r.stderr
        assert "row 1048576" in r.stderr


def test_billion_laughs_refused(root: Path) -> None:
    lol = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lol.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    reg = root / "geo/register.yaml"
    reg.write_text(reg.read_text("utf-8") + "\n".join(lol) + "\n", "utf-8")
    r = run_bounded(root, "--lang", "en", "validate")
    assert r.returncode == 2, r.stderr[-2000:]
    assert "anchor/alias" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("kind", ["sites", "log", "register", "layer_toml", "config"])
@pytest.mark.parametrize("what", ["devzero", "fifo", "folder", "too_big"])
def test_not_a_regular_file_refused(root: Path, kind: str, what: str) -> None:
    target = {"sites": root / "geo/sites/pocket_parks.geojson",
              "log": root / "geo/status_log.csv",
              "register": root / "geo/register.yaml",
              "layer_toml": root / "layers/roads.toml",
              "config": root / "citymap.toml"}[kind]
    if target.exists():
        target.unlink()
    if what == "devzero":
        target.symlink_to("/dev/zero")
    elif what == "fifo":
        os.mkfifo(target)
    elif what == "folder":
        target.mkdir()
    else:
        with open(target, "wb") as fh:  # sparse: big, but nothing on disk
            fh.truncate(300 * 1024 * 1024)
    r = run_bounded(root, "--lang", "en", "validate")
    if kind == "config" and what in ("fifo", "folder", "devzero"):
        # not a workspace's citymap.toml at all
        assert r.returncode == 2, r.stderr[-2000:]
    else:
        assert r.returncode == 2, r.stderr[-2000:]
        assert "Traceback" not in r.stderr
        assert any(w in r.stderr for w in ("regular file", "MB", "outside the workspace")), \
            r.stderr[-2000:]
