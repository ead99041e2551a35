"""The review model (citymap.review) and the folder store of submissions and decisions."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from _ws_review import LEAD_8, LEAD_16, PEOPLE
from citymap.history import StatusEvent
from citymap.remind.config import parse_remind
from citymap.review import (
    ACCEPTED,
    PENDING,
    RETURNED,
    Decision,
    DecisionConflict,
    ReviewError,
    Submission,
    check_decision,
    latest_returned,
    next_id,
    roles_from,
    state_of,
    states,
    submission_from_json,
    submission_to_json,
)
from citymap.store.folder_reviews import FolderReviews

EV = StatusEvent(dt.date(2021, 5, 1), "OC-1", "进行中", 40.0, "外墙", LEAD_16)


def sub(ident: str, unit: str = LEAD_16, resubmits: str = "") -> Submission:
    return Submission(ident, unit, "赵住建", "2021-05-02T09:00:00+08:00", "a.xlsx", (EV,),
                      resubmits)


def dec(ident: str, verdict: str, reason: str = "") -> Decision:
    return Decision(ident, verdict, "王专班", "2021-05-03T10:00:00+08:00", reason)


def test_state_is_derived_from_the_first_decision() -> None:
    subs = [sub("S1"), sub("S2"), sub("S3")]
    decs = [dec("S1", ACCEPTED), dec("S2", RETURNED, "照片不符")]
    assert states(subs, decs) == {"S1": ACCEPTED, "S2": RETURNED, "S3": PENDING}
    assert state_of("S3", decs) == PENDING
    assert state_of("S2", decs) == RETURNED


def test_ids_follow_the_highest() -> None:
    assert next_id([]) == "S1"
    assert next_id([sub("S1"), sub("S9"), sub("S3")]) == "S10"


def test_latest_returned_of_a_unit_not_yet_resubmitted() -> None:
    subs = [sub("S1"), sub("S2", LEAD_8), sub("S3")]
    decs = [dec("S1", RETURNED, "x"), dec("S2", RETURNED, "y"), dec("S3", RETURNED, "z")]
    assert latest_returned(subs, decs, LEAD_16) == "S3"
    assert latest_returned(subs, decs, LEAD_8) == "S2"
    assert latest_returned([*subs, sub("S4", resubmits="S3")], decs, LEAD_16) == "S1"
    assert latest_returned(subs, [], LEAD_16) == ""


def test_a_return_needs_a_reason_and_a_submission_is_decided_once() -> None:
    subs = [sub("S1")]
    with pytest.raises(ReviewError, match="--reason"):
        check_decision(subs, [], "S1", RETURNED, person="王专班", reason="  ")
    with pytest.raises(ReviewError, match="S7"):
        check_decision(subs, [], "S7", ACCEPTED, person="王专班", reason="")
    with pytest.raises(DecisionConflict) as got:
        check_decision(subs, [dec("S1", ACCEPTED)], "S1", RETURNED, person="李审核",
                       reason="晚了")
    assert "王专班" in str(got.value) and "2021-05-03T10:00:00+08:00" in str(got.value)
    assert got.value.decision.verdict == ACCEPTED
    check_decision(subs, [], "S1", ACCEPTED, person="王专班", reason="")  # fine


def test_roles_from_people_with_a_reviewer() -> None:
    import tomllib

    cfg = parse_remind(tomllib.loads(PEOPLE))
    roles = roles_from(cfg.people)
    assert roles.active
    assert roles.reviewers == ("王专班", "李审核")
    assert roles.submit_problem("张执法", LEAD_8) is None
    assert roles.submit_problem("王专班", LEAD_16) is None  # a reviewer may enter a paper report
    assert "县住房城乡建设局" in (roles.submit_problem("张执法", LEAD_16) or "")
    assert "[[people]]" in (roles.submit_problem("路人", LEAD_16) or "")
    assert roles.review_problem("王专班") is None
    assert "王专班" in (roles.review_problem("张执法") or "")
    assert not roles_from(parse_remind({}).people).active


def test_reviewers_are_never_reminded() -> None:
    cfg = parse_remind({"people": [{"name": "王专班", "role": "审核"}]})
    assert cfg.people[0].role == "reviewer" and cfg.people[0].level == 0


def test_json_round_trip() -> None:
    s = sub("S4", resubmits="S2")
    assert submission_from_json(json.loads(json.dumps(submission_to_json(s)))) == s


# ----------------------------------------------------------------------------- folder store

def test_folder_reviews_append_only(tmp_path) -> None:
    rv = FolderReviews(tmp_path)
    assert rv.submissions() == () and rv.decisions() == ()
    a = rv.submit(unit=LEAD_16, person="赵住建", source="a.xlsx", events=[EV])
    b = rv.submit(unit=LEAD_8, person="张执法", source="b.xlsx", events=[EV])
    assert (a.id, b.id) == ("S1", "S2")
    path = tmp_path / "geo" / "reviews" / "submissions.jsonl"
    before = path.read_bytes()
    rv.decide("S1", ACCEPTED, person="王专班")
    rv.decide("S2", RETURNED, person="王专班", reason="照片与点位不符")
    with pytest.raises(DecisionConflict, match="王专班"):
        rv.decide("S2", ACCEPTED, person="李审核")
    assert path.read_bytes() == before  # decisions never touch the submissions
    decs = (tmp_path / "geo" / "reviews" / "decisions.jsonl").read_text("utf-8").splitlines()
    assert len(decs) == 2 and json.loads(decs[1])["reason"] == "照片与点位不符"
    again = FolderReviews(tmp_path)
    assert [s.id for s in again.submissions()] == ["S1", "S2"]
    assert again.submissions()[0].events == (EV,)
    assert states(again.submissions(), again.decisions()) == {"S1": ACCEPTED, "S2": RETURNED}


def test_accept_interrupted_after_the_decision_is_repaired(tmp_path) -> None:
    from _ws_review import PERSON_16, REVIEWER, TODAY, make_review_workspace
    from citymap.history import read_status_log
    from citymap.review_flow import repair, submit
    from citymap.store.folder import FolderStore
    from citymap.workspace import load_workspace

    root = make_review_workspace(tmp_path / "ws")
    ws = load_workspace(root)
    store = FolderStore(root)
    s = submit(store, ws, [EV], person=PERSON_16, source="a.csv", today=TODAY).submissions[0]
    store.reviews().decide(s.id, ACCEPTED, person=REVIEWER)  # killed before the append
    log = root / "geo" / "status_log.csv"
    assert not log.exists() or len(read_status_log(log)) == 0
    assert repair(store, ws, today=TODAY) == 1
    assert [(e.id, e.percent) for e in read_status_log(log).events] == [("OC-1", 40.0)]
    assert repair(store, load_workspace(root), today=TODAY) == 0  # idempotent
    assert len(read_status_log(log)) == 1


def test_accept_refused_when_the_log_moved_past_it(tmp_path) -> None:
    from _ws_review import PERSON_16, REVIEWER, TODAY, make_review_workspace
    from citymap.errors import ValidationError
    from citymap.review_flow import accept, submit
    from citymap.store.folder import FolderStore
    from citymap.workspace import load_workspace

    root = make_review_workspace(tmp_path / "ws")
    ws = load_workspace(root)
    store = FolderStore(root)
    early = submit(store, ws, [EV], person=PERSON_16, source="a.csv", today=TODAY)
    later = StatusEvent(dt.date(2021, 6, 1), "OC-1", "已完成", 100.0, "", LEAD_16)
    late = submit(store, ws, [later], person=PERSON_16, source="b.csv", today=TODAY)
    accept(store, ws, late.submissions[0].id, person=REVIEWER, today=TODAY)
    with pytest.raises(ValidationError, match="review return S1"):
        accept(store, ws, early.submissions[0].id, person=REVIEWER, today=TODAY)
    assert states(store.reviews().submissions(), store.reviews().decisions()) == {
        "S1": PENDING, "S2": ACCEPTED}


def test_a_long_reason_is_refused_and_a_reason_is_kept_on_one_line(tmp_path) -> None:
    rv = FolderReviews(tmp_path)
    rv.submit(unit=LEAD_16, person="赵住建", source="a.xlsx", events=[EV])
    with pytest.raises(ReviewError, match="2000"):
        rv.decide("S1", RETURNED, person="王专班", reason="长" * 2001)
    d = rv.decide("S1", RETURNED, person="王专班", reason="缺少\n竣工照片\t<b>")
    assert d.reason == "缺少 竣工照片 <b>"


def test_pending_geometry_follows_the_map_datum(tmp_path) -> None:
    from _ws_review import make_review_workspace
    from citymap.render.pending import pending_blob
    from citymap.review_flow import Proposal
    from citymap.workspace import load_workspace

    ws = load_workspace(make_review_workspace(tmp_path / "ws"))
    p = Proposal("S1", LEAD_16, "赵住建", "2021-05-02T09:00:00+08:00", "OC-1",
                 "old_communities", "幸福小区", "未开始", "进行中", dt.date(2021, 5, 1), 40.0, "")
    wgs = pending_blob(ws, [p], lang="en")[0]
    gcj = pending_blob(ws, [p], lang="en", gcj=True)[0]
    assert list(wgs["geometry"]["coordinates"][0][0]) == [117.575, 37.65]
    dx = gcj["geometry"]["coordinates"][0][0][0] - 117.575
    dy = gcj["geometry"]["coordinates"][0][0][1] - 37.65
    assert 0.001 < abs(dx) + abs(dy) < 0.02  # GCJ-02 moves a few hundred metres
    assert (wgs["proposed"], wgs["color"]) == ("in progress", gcj["color"])
    assert pending_blob(ws, [p], lang="zh", works=frozenset({8})) == []
