"""One date parser (:func:`citymap.history.parse_date`) for every entry point.

``status set --date``, ``--as-of`` of every command, progress sheets, the register's plan
dates and a layer's ``status_date`` all read the same forms and refuse the same values
with a message naming the value.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from _ws_progress import LEAD_16, make_workspace, write_csv
from _ws_progress import invoke as run
from citymap.history import parse_date

D = dt.date

ACCEPTED = [
    ("2021-11-30", D(2021, 11, 30)),
    ("2021/11/30", D(2021, 11, 30)),
    ("2021/5/1", D(2021, 5, 1)),
    ("2021.05.01", D(2021, 5, 1)),
    ("2021-5-1", D(2021, 5, 1)),
    ("2021年11月30日", D(2021, 11, 30)),
    ("2021年5月1日", D(2021, 5, 1)),
    ("2021 年 5 月 1 日", D(2021, 5, 1)),
    ("２０２１年５月１日", D(2021, 5, 1)),      # full-width digits
    ("  2021-11-30 ", D(2021, 11, 30)),
    ("2021-11-30T08:30:00", D(2021, 11, 30)),
    ("2021-11-30 08:30", D(2021, 11, 30)),
    (dt.datetime(2021, 11, 30, 23, 59), D(2021, 11, 30)),
    (D(2021, 11, 30), D(2021, 11, 30)),
    (pd.Timestamp("2021-11-30 10:00"), D(2021, 11, 30)),
]

REFUSED = [
    "2021-02-30", "2021/13/01", "2021年2月30日", "30/11/2021", "11/30/2021", "2021-11",
    "2021", "20211130", "2021-11-30x", "2021/11-30", "2021.5/1", "yesterday", "", "   ",
    "2021-11-30T25:00", "2021年11月", 44317, 44317.0, None, True, [2021, 11, 30], pd.NaT,
]


@pytest.mark.parametrize(("value", "day"), ACCEPTED, ids=[repr(v) for v, _ in ACCEPTED])
def test_accepted(value: object, day: dt.date) -> None:
    assert parse_date(value) == day


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("value", REFUSED, ids=[repr(v) for v in REFUSED])
def test_refused_naming_the_value(value: object) -> None:
    with pytest.raises(ValueError, match="is not a date") as info:
        parse_date(value)
    assert repr(value) in str(info.value) or repr(str(value)) in str(info.value)


@pytest.mark.parametrize(("value", "day"), [
    (44317, D(2021, 5, 1)), (44317.75, D(2021, 5, 1)), (36526, D(2000, 1, 1)),
    ("2021/5/1", D(2021, 5, 1)),
])
def test_excel_serial_where_the_caller_allows_it(value: object, day: dt.date) -> None:
    assert parse_date(value, serial=True) == day


def test_excel_serial_1904_epoch() -> None:
    assert parse_date(42855, serial=True, epoch=D(1904, 1, 1)) == D(2021, 5, 1)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("value", [12, -1, 60000, float("nan"), float("inf"), "44317", True])
def test_excel_serial_out_of_range_or_text(value: object) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_date(value, serial=True)


@pytest.mark.usefixtures("english")
def test_long_value_is_shortened_in_the_message() -> None:
    with pytest.raises(ValueError, match="is not a date") as info:
        parse_date("x" * 100_000)
    assert len(str(info.value)) < 200


# --------------------------------------------------------------------- every entry point

@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


FORMS = ["2021-11-30", "2021/11/30", "2021.11.30", "2021年11月30日"]


@pytest.mark.parametrize("form", FORMS)
def test_status_set_date(root: Path, form: str) -> None:
    code, _, err = run(root, "status", "set", "OC-1", "已完成", "--date", form,
                       "--unit", LEAD_16)
    assert code == 0, err
    assert "recorded: 2021-11-30 OC-1 已完成" in err
    assert "2021-11-30,OC-1,已完成" in (root / "geo" / "status_log.csv").read_text("utf-8")


@pytest.mark.parametrize("form", ["2021-02-30", "30.11.2021", "2021年13月1日"])
def test_status_set_bad_date(root: Path, form: str) -> None:
    code, _, err = run(root, "status", "set", "OC-1", "已完成", "--date", form,
                       "--unit", LEAD_16)
    assert code == 2 and f"{form!r} 不是日期" in err
    assert "Traceback" not in err
    assert not (root / "geo" / "status_log.csv").exists()


AS_OF = [
    ("tasks", "--format", "json"),
    ("overdue", "--format", "json"),
    ("metrics", "--format", "json"),
    ("status", "log", "--format", "json"),
    ("export", "--format", "csv", "-o", "OUT"),
]


@pytest.mark.parametrize("cmd", AS_OF, ids=lambda c: c[0])
@pytest.mark.parametrize("form", FORMS[1:])
def test_as_of_forms_equal_iso(root: Path, tmp_path: Path, cmd: tuple[str, ...],
                               form: str) -> None:
    def out(day: str, name: str) -> str:
        args = [a.replace("OUT", str(tmp_path / name)) for a in cmd]
        code, stdout, err = run(root, *args, "--as-of", day)
        assert code == 0, err
        if "OUT" in cmd:
            return "\n".join(p.read_text("utf-8") for p in sorted((tmp_path / name).rglob(
                "*.csv")))
        return stdout

    assert out(form, "a") == out("2021-11-30", "b")


@pytest.mark.parametrize("cmd", AS_OF[:3], ids=lambda c: c[0])
def test_as_of_refused(root: Path, cmd: tuple[str, ...]) -> None:
    code, _, err = run(root, *cmd, "--as-of", "2021/02/30")
    assert code == 2 and "'2021/02/30' 不是日期" in err and "Traceback" not in err


@pytest.mark.parametrize("form", ["2021/5/1", "2021年5月1日", "2021.05.01"])
def test_progress_import_date_forms(root: Path, tmp_path: Path, form: str) -> None:
    f = write_csv(tmp_path / "p.csv", [{"id": "OC-1", "status": "进行中", "date": form,
                                        "unit": LEAD_16}])
    code, _, err = run(root, "progress", "import", str(f))
    assert code == 0, err
    assert "2021-05-01,OC-1,进行中" in (root / "geo" / "status_log.csv").read_text("utf-8")


def test_progress_import_excel_day_number(root: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    sh = wb.active
    assert sh is not None
    sh.title = "进度填报"
    sh.append(["编号", "新状态", "日期", "填报单位"])
    sh.append(["OC-1", "进行中", 44317, LEAD_16])     # a number cell, as Excel stores a date
    wb.save(tmp_path / "p.xlsx")
    code, _, err = run(root, "progress", "import", str(tmp_path / "p.xlsx"))
    assert code == 0, err
    assert "2021-05-01,OC-1,进行中" in (root / "geo" / "status_log.csv").read_text("utf-8")


def test_layer_status_date_forms(root: Path) -> None:
    p = root / "geo" / "sites" / "old_communities.geojson"
    data = json.loads(p.read_text("utf-8"))
    data["features"][0]["properties"]["status_date"] = "2021年5月1日"
    data["features"][1]["properties"]["status_date"] = "2021-02-30"
    p.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    code, _, err = run(root, "validate")
    assert code == 2
    assert "status_date: '2021-02-30' 不是日期" in err
    assert "2021年5月1日" not in err


@pytest.mark.parametrize(("start", "ok"), [("'2020年1月1日'", True), ("2020/1/1", True),
                                          ("'2020-02-30'", False)])
def test_register_phase_dates(root: Path, start: str, ok: bool) -> None:
    p = root / "geo" / "register.yaml"
    text = p.read_text("utf-8")
    assert "start: 2020-01-01, end: 2020-04-30" in text
    p.write_text(text.replace("start: 2020-01-01, end: 2020-04-30",
                              f"start: {start}, end: 2020-04-30"), "utf-8")
    code, _, err = run(root, "validate")
    if ok:
        assert code == 0, err
    else:
        assert code == 2 and "start: '2020-02-30' 不是日期" in err, err
