"""``citymap review`` and the submissions of ``progress import``/``status set`` (zh, en)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from _ws_progress import make_workspace, write_csv
from _ws_review import (
    LEAD_8,
    LEAD_16,
    PERSON_8,
    PERSON_16,
    REVIEWER,
    REVIEWER2,
    make_review_workspace,
)
from citymap.cli.main import cli
from citymap.history import read_status_log

WORDS: dict[str, dict[str, Any]] = {  # what each language says
    "zh": {"submitted": "已提交 S1", "accepted": "S1 已通过", "returned": "已退回",
           "heads": ("编号", "单位", "填报人"), "pending": "待审核", "change": ("未开始", "进行中"),
           "conflict": "已由 王专班", "not_reviewer": "不是审核人", "other_unit": "只能为",
           "steps": ("提交", "通过", "退回", "重新提交"), "none": "未登记审核人"},
    "en": {"submitted": "submitted S1", "accepted": "S1 accepted", "returned": "returned",
           "heads": ("ID", "Unit", "Person"), "pending": "pending review",
           "change": ("not started", "in progress"), "conflict": "already accepted by 王专班",
           "not_reviewer": "is not a reviewer", "other_unit": "may only submit for",
           "steps": ("submitted", "accepted", "returned", "resubmitted"),
           "none": "declares no reviewer"},
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_review_workspace(tmp_path / "ws")


def run(root: Path, *args: str, lang: str = "zh", person: str | None = None
        ) -> tuple[int, str, str]:
    env = {"CITYMAP_USER": person} if person else {}
    r = CliRunner().invoke(cli, ["--workspace", str(root), "--lang", lang, *args], env=env)
    return r.exit_code, r.stdout, r.stderr


def log_ids(root: Path) -> list[tuple[str, str]]:
    log = read_status_log(root / "geo" / "status_log.csv")
    return [(e.id, e.status) for e in log.events]


def set_oc1(root: Path, lang: str, date: str = "2021-05-01") -> tuple[int, str, str]:
    return run(root, "status", "set", "OC-1", "进行中", "--date", date, "--percent", "40",
               "--unit", LEAD_16, "--person", PERSON_16, lang=lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_status_set_submits_and_accept_publishes(root: Path, lang: str) -> None:
    w = WORDS[lang]
    code, _, err = set_oc1(root, lang)
    assert code == 0, err
    assert w["submitted"] in err
    assert log_ids(root) == []  # not published
    code, out, err = run(root, "review", "list", lang=lang)
    assert code == 0, err
    assert all(h in out for h in w["heads"]) and "S1" in out and w["pending"] in out
    code, out, _ = run(root, "review", "show", "S1", "--as-of", "2021-05-02", lang=lang)
    assert code == 0
    row = next(line for line in out.splitlines() if "OC-1" in line)
    assert w["change"][0] in row and w["change"][1] in row and "40" in row
    code, _, err = run(root, "review", "accept", "S1", person=PERSON_16, lang=lang)
    assert code == 2 and w["not_reviewer"] in err and "Traceback" not in err
    assert log_ids(root) == []
    code, _, err = run(root, "review", "accept", "S1", "--person", REVIEWER, lang=lang)
    assert code == 0, err
    assert w["accepted"] in err
    assert log_ids(root) == [("OC-1", "进行中")]
    code, _, err = run(root, "review", "return", "S1", "--reason", "晚了", "--person",
                       REVIEWER2, lang=lang)
    assert code == 2 and w["conflict"] in err and len(err.strip().splitlines()) == 1
    code, out, _ = run(root, "review", "list", lang=lang)
    assert "S1" not in out  # nothing pending
    code, out, _ = run(root, "review", "list", "--all", "--format", "json", lang=lang)
    assert [(s["id"], s["state"], s["person"]) for s in json.loads(out)] == [
        ("S1", "accepted", PERSON_16)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_import_return_resubmit_history(root: Path, tmp_path: Path, lang: str) -> None:
    w = WORDS[lang]
    f1 = write_csv(tmp_path / "住建局.csv", [
        {"id": "OC-1", "status": "进行中", "date": "2021-05-01", "percent": 40,
         "unit": LEAD_16}])
    code, _, err = run(root, "progress", "import", str(f1), person=PERSON_16, lang=lang)
    assert code == 0, err
    assert w["submitted"] in err
    code, _, err = run(root, "review", "return", "S1", "--reason", "照片与点位不符",
                       "--person", REVIEWER, lang=lang)
    assert code == 0 and w["returned"] in err and "照片与点位不符" in err
    f2 = write_csv(tmp_path / "住建局2.csv", [
        {"id": "OC-1", "status": "进行中", "date": "2021-05-01", "percent": 45,
         "unit": LEAD_16}])
    code, _, err = run(root, "progress", "import", str(f2), person=PERSON_16, lang=lang)
    assert code == 0 and "S2" in err and "S1" in err  # linked to the returned one
    code, _, err = run(root, "review", "accept", "S2", "--person", REVIEWER, lang=lang)
    assert code == 0, err
    assert [(e.id, e.percent) for e in read_status_log(
        root / "geo" / "status_log.csv").events] == [("OC-1", 45.0)]
    code, out, _ = run(root, "review", "history", "--site", "OC-1", lang=lang)
    assert code == 0
    lines = [ln for ln in out.splitlines() if "S1" in ln or "S2" in ln]
    assert len(lines) == 4
    for step, line in zip(w["steps"][:1] + w["steps"][2:3] + w["steps"][3:] + w["steps"][1:2],
                          lines, strict=True):
        assert step in line
    assert "照片与点位不符" in out and "住建局.csv" in out and REVIEWER in out
    code, out, _ = run(root, "review", "history", "--unit", LEAD_8, "--format", "json",
                       lang=lang)
    assert json.loads(out) == []
    code, out, _ = run(root, "review", "history", "--from", "2001-01-01", "--to",
                       "2001-12-31", "--format", "json", lang=lang)
    assert json.loads(out) == []
    code, out, _ = run(root, "review", "history", "--format", "json", lang=lang)
    assert [(r["submission"], r["step"], r["person"]) for r in json.loads(out)] == [
        ("S1", "submitted", PERSON_16), ("S1", "returned", REVIEWER),
        ("S2", "resubmitted", PERSON_16), ("S2", "accepted", REVIEWER)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_unit_person_submits_only_for_the_unit(root: Path, lang: str) -> None:
    code, _, err = run(root, "status", "set", "PP-1", "已完成", "--date", "2021-05-01",
                       "--unit", LEAD_8, "--person", PERSON_16, lang=lang)
    assert code == 2 and WORDS[lang]["other_unit"] in err
    code, _, err = run(root, "status", "set", "PP-1", "已完成", "--date", "2021-05-01",
                       "--unit", LEAD_8, person=PERSON_8, lang=lang)
    assert code == 0, err
    assert (root / "geo" / "reviews" / "submissions.jsonl").is_file()


def test_a_bad_row_refuses_the_whole_file_and_submits_nothing(root: Path,
                                                             tmp_path: Path) -> None:
    f = write_csv(tmp_path / "bad.csv", [
        {"id": "OC-1", "status": "进行中", "date": "2021-05-01", "unit": LEAD_16},
        {"id": "NOPE", "status": "进行中", "date": "2021-05-01", "unit": LEAD_16}])
    code, _, err = run(root, "progress", "import", str(f), person=PERSON_16)
    assert code == 2 and "NOPE" in err
    assert not (root / "geo" / "reviews" / "submissions.jsonl").exists()


def test_resubmits_must_name_a_returned_submission_of_the_unit(root: Path) -> None:
    assert set_oc1(root, "zh")[0] == 0
    code, _, err = run(root, "status", "set", "OC-2", "进行中", "--date", "2021-05-01",
                       "--unit", LEAD_16, "--person", PERSON_16)
    assert code == 0
    f = Path(root / "x.csv")
    write_csv(f, [{"id": "OC-2", "status": "已完成", "date": "2021-06-01", "unit": LEAD_16}])
    code, _, err = run(root, "progress", "import", str(f), "--resubmits", "S1",
                       person=PERSON_16, lang="en")
    assert code == 2 and "--resubmits S1" in err


def test_dry_run_submits_nothing(root: Path) -> None:
    code, _, err = run(root, "status", "set", "OC-1", "进行中", "--date", "2021-05-01",
                       "--unit", LEAD_16, "--dry-run", person=PERSON_16)
    assert code == 0 and "试运行" in err
    assert not (root / "geo" / "reviews").exists()


def test_unknown_submission_and_missing_reason(root: Path) -> None:
    code, _, err = run(root, "review", "accept", "S9", "--person", REVIEWER)
    assert code == 2 and "S9" in err
    code, _, err = run(root, "review", "show", "S9", lang="en")
    assert code == 2 and "no submission 'S9'" in err
    code, _, err = run(root, "review", "return", "S1", "--person", REVIEWER)
    assert code == 2 and "--reason" in err


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_without_a_reviewer_imports_publish_directly(tmp_path: Path, lang: str) -> None:
    root = make_workspace(tmp_path / "ws")
    code, _, err = set_oc1(root, lang)
    assert code == 0, err
    assert log_ids(root) == [("OC-1", "进行中")]
    assert not (root / "geo" / "reviews").exists()
    code, _, err = run(root, "review", "list", lang=lang)
    assert code == 2 and WORDS[lang]["none"] in err


def test_help_has_a_runnable_example() -> None:
    r = CliRunner().invoke(cli, ["review", "--help"])
    assert r.exit_code == 0 and "citymap review accept S1" in r.output


def test_show_writes_a_map_of_the_changes(root: Path, tmp_path: Path) -> None:
    import re

    assert set_oc1(root, "zh")[0] == 0
    out = tmp_path / "S1图"
    code, _, err = run(root, "review", "show", "S1", "--map", str(out), "--as-of",
                       "2021-06-30", lang="en")
    assert code == 0, err
    page = (out / "index.html").read_text("utf-8")
    m = re.search(r'<script type="application/json" id="[^"]*">(.*?)</script>', page, re.S)
    assert m is not None
    blob = json.loads(m[1])
    assert [(p["id"], p["submission"], p["current"], p["proposed"], p["person"])
            for p in blob["pending"]] == [("OC-1", "S1", "not started", "in progress",
                                           PERSON_16)]
    assert blob["pending"][0]["geometry"]["type"] == "Polygon"
    assert (out / "lib").is_dir()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    code, _, err = run(root, "review", "show", "S1", "--map", str(tmp_path / "mine"))
    assert code == 2 and (tmp_path / "mine" / "notes.txt").exists()  # never replaced


def test_public_view_carries_no_pending(root: Path, tmp_path: Path) -> None:
    import re

    assert set_oc1(root, "zh")[0] == 0
    code, _, err = run(root, "build", "--offline", "--public", "-o", str(tmp_path / "m"))
    assert code == 0, err

    def pending(page: Path) -> Any:
        m = re.search(r'<script type="application/json" id="[^"]*">(.*?)</script>',
                      page.read_text("utf-8"), re.S)
        assert m is not None
        return json.loads(m[1])["pending"]

    assert [p["id"] for p in pending(tmp_path / "m" / "index.html")] == ["OC-1"]
    assert pending(tmp_path / "m" / "public" / "index.html") is None
    unit = next((tmp_path / "m" / "units").glob("*执法*.html"))
    assert pending(unit) is None  # not its work
