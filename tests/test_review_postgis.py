"""Migration 0004_reviews: writers submit, reviewers decide, both tables append-only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import psycopg
import pytest

from _pg import login_role
from _ws_review import LEAD_16, make_review_workspace
from citymap.errors import StoreError
from citymap.history import StatusEvent
from citymap.review import ACCEPTED, RETURNED, DecisionConflict
from citymap.store import open_postgis

pytestmark = pytest.mark.postgis
EV = StatusEvent(dt.date(2021, 5, 1), "OC-1", "进行中", 40.0, "", LEAD_16)


@pytest.fixture
def urls(pg_url: str, tmp_path: Path) -> dict[str, str]:
    owner = open_postgis(pg_url)
    owner.init()
    owner.push(make_review_workspace(tmp_path / "ws"))
    tag = pg_url.rsplit("/", 1)[1].split("?")[0][-12:]
    return {"owner": pg_url, "write": login_role(pg_url, f"rw_{tag}", "citymap_write"),
            "review": login_role(pg_url, f"rv_{tag}", "citymap_review")}


def test_writers_submit_reviewers_decide(urls: dict[str, str]) -> None:
    clerk = open_postgis(urls["write"]).reviews()
    s1 = clerk.submit(unit=LEAD_16, person="赵住建", source="a.csv", events=[EV])
    s2 = clerk.submit(unit=LEAD_16, person="赵住建", source="b.csv", events=[EV])
    assert (s1.id, s2.id) == ("S1", "S2")
    with pytest.raises(StoreError, match="permission denied"):
        clerk.decide("S1", ACCEPTED, person="赵住建")
    boss = open_postgis(urls["review"]).reviews()
    boss.decide("S1", ACCEPTED, person="王专班")
    with pytest.raises(DecisionConflict, match="王专班"):
        boss.decide("S1", RETURNED, person="李审核", reason="晚了")
    boss.decide("S2", RETURNED, person="王专班", reason="缺少照片")
    assert [(d.submission, d.verdict, d.reason) for d in clerk.decisions()] == [
        ("S1", ACCEPTED, ""), ("S2", RETURNED, "缺少照片")]
    assert clerk.submissions()[0].events == (EV,)
    actions = [a["action"] for a in open_postgis(urls["owner"]).audit()]
    assert actions[-4:] == ["submit", "submit", "review accepted", "review returned"]


def test_append_only_and_one_decision_by_the_database(urls: dict[str, str]) -> None:
    open_postgis(urls["write"]).reviews().submit(unit=LEAD_16, person="赵住建", source="a.csv",
                                               events=[EV])
    with psycopg.connect(urls["review"], autocommit=True) as conn:
        for stmt in ("UPDATE citymap.submissions SET person = 'x'",
                     "DELETE FROM citymap.submissions", "DELETE FROM citymap.decisions"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)
        with pytest.raises(psycopg.errors.CheckViolation):  # a return needs a reason
            conn.execute("INSERT INTO citymap.decisions (workspace, submission, verdict, "
                         "person, at) VALUES ('测试县', 'S1', 'returned', 'x', 'now')")
        conn.execute("INSERT INTO citymap.decisions (workspace, submission, verdict, person, "
                      "at) VALUES ('测试县', 'S1', 'accepted', 'x', 'now')")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO citymap.decisions (workspace, submission, verdict, "
                         "person, at) VALUES ('测试县', 'S1', 'accepted', 'y', 'now')")


def test_a_repush_keeps_the_reviews(urls: dict[str, str], tmp_path: Path) -> None:
    owner = open_postgis(urls["owner"])
    owner.reviews().submit(unit=LEAD_16, person="赵住建", source="a.csv", events=[EV])
    owner.push(make_review_workspace(tmp_path / "again"))
    assert [s.id for s in owner.reviews().submissions()] == ["S1"]
