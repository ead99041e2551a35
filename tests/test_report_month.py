"""``citymap report --month``: the monthly 通报 lists exactly that month's events."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from click.testing import CliRunner

from _remind import LOG
from _ws_progress import make_workspace
from citymap.cli.main import cli

REPO = Path(__file__).resolve().parents[1]


def run(root: Path, *args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, ["--workspace", str(root), *args])
    return r.exit_code, r.stdout, r.stderr


def events_in(html: str) -> list[tuple[str, str, str]]:
    rows = re.findall(r'<tr class="event"><td>([^<]*)</td><td>([^<]*)</td>'
                      r'<td class="name">[^<]*</td><td>([^<]*)</td>', html)
    return [(d, i, s) for d, i, s in rows]


def late_in(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<tr class="late-item"><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>'
                      r'<td>([^<]*)</td>', html)


def test_month_small(tmp_path: Path) -> None:
    log = LOG + ("2021-02-28,OC-2,进行中,10,,县住房城乡建设局,b\n"
                 "2021-03-01,OC-2,进行中,20,<b>x</b>,县住房城乡建设局,c\n"
                 "2021-03-31,PP-2,进行中,50,,县综合行政执法局,d\n"
                 "2021-04-01,OC-2,进行中,30,,县住房城乡建设局,e\n")
    root = make_workspace(tmp_path / "ws", status_log=log)
    out = tmp_path / "m.html"
    code, _, err = run(root, "report", "--month", "2021-03", "--no-maps", "-o", str(out))
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "<h1>测试县三年行动 2021 年 3 月 月度通报</h1>" in html
    assert events_in(html) == [("2021-03-01", "OC-2", "进行中"), ("2021-03-31", "PP-2", "进行中")]
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    # late at 2021-03-31: as overdue lists it
    code, o, _ = run(root, "overdue", "--as-of", "2021-03-31", "--format", "json")
    assert late_in(html) == [(r["kind"], r["id"]) for r in json.loads(o)]
    assert late_in(html) == [("工程", "8"), ("目标", "8.1"), ("点位", "PP-2")]
    assert "截至 2021-03-31" in html
    # a month without events
    code, _, _ = run(root, "report", "--month", "2021-05", "--no-maps", "-o", str(out))
    assert events_in(out.read_text(encoding="utf-8")) == []
    assert "本月无状态变化" in out.read_text(encoding="utf-8")
    code, _, err = run(root, "report", "--month", "2021-13")
    assert code == 2 and "'2021-13' is not a month" in err
    code, _, err = run(root, "report", "--month", "2021-03", "--year", "2021")
    assert code == 2 and "--month" in err


def test_month_shipped(tmp_path: Path) -> None:
    with (REPO / "geo" / "status_log.csv").open(encoding="utf-8") as f:
        want = sorted((r["date"], r["recorded_at"], r["id"], r["status"])
                      for r in csv.DictReader(f) if r["date"].startswith("2021-11"))
    assert len(want) == 5
    out = tmp_path / "m.html"
    code, _, err = run(REPO, "report", "--month", "2021-11", "--no-maps", "-o", str(out))
    assert code == 0, err
    assert events_in(out.read_text(encoding="utf-8")) == [(d, i, s) for d, _, i, s in want]
    # December 2021: no event in the log; status at 2021-12-31 and what is late then
    code, _, err = run(REPO, "report", "--month", "2021-12", "--no-maps", "-o", str(out))
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert events_in(html) == [] and "本月无状态变化" in html
    assert late_in(html) == [("工程", "16"), ("目标", "16.2"), ("点位", "OC-2021-30"),
                             ("点位", "OC-2021-31")]
    assert "示意" in html
