"""Submissions and review (填报 → 审核 → 发布): the pure model, no IO.

When a workspace declares reviewers (``[[people]]`` with ``role = "reviewer"`` / ``审核`` in
``citymap.toml``), a progress import or a ``status set`` does not publish its events: it
becomes a :class:`Submission` (who, for which unit, when, from which file, the events). A
reviewer accepts or returns it (:class:`Decision`, a reason required when returning); only
accepted events join the status log, which is all that metrics, maps, report and exports
read. A returned submission may be replaced by a new one (``resubmits``). A workspace that
declares no reviewer publishes directly, as before.

Both are append-only: a submission is never changed, a decision is never replaced; the
state of a submission (:func:`state_of`) is derived from the decisions. The stores keep
them (:class:`Reviews`: ``geo/reviews/`` in the folder, two tables in PostGIS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import attrs

from citymap.errors import CitymapError
from citymap.history import StatusEvent
from citymap.i18n import N_, _
from citymap.limits import MAX_NOTE_CHARS, MAX_TEXT_CHARS

__all__ = [
    "ACCEPTED",
    "RETURNED",
    "PENDING",
    "REVIEW_VERDICTS",
    "REVIEWER_ROLE",
    "Submission",
    "Decision",
    "Reviews",
    "Roles",
    "ReviewError",
    "DecisionConflict",
    "roles_from",
    "state_of",
    "states",
    "next_id",
    "check_decision",
    "event_to_json",
    "event_from_json",
    "submission_to_json",
    "submission_from_json",
    "decision_to_json",
    "decision_from_json",
    "latest_returned",
    "no_submission",
    "verdict_word",
]

ACCEPTED = "accepted"
RETURNED = "returned"
PENDING = "pending"
REVIEW_VERDICTS = (ACCEPTED, RETURNED)
#: The role of a reviewer in ``[[people]]`` (aliases 审核, 专班审核 are read as it).
REVIEWER_ROLE = "reviewer"


class ReviewError(CitymapError, ValueError):
    """A submission or decision that may not be made (one line saying why)."""


class DecisionConflict(ReviewError):
    """The submission was decided already (by someone else, perhaps a moment ago).

    Attributes
    ----------
    decision
        The decision that holds.
    """

    def __init__(self, message: str, decision: Decision) -> None:
        super().__init__(message)
        self.decision = decision


@attrs.frozen
class Submission:
    """Events a unit reported, waiting for review.

    Attributes
    ----------
    id
        Unique in the workspace (``S1``, ``S2`` …; given by the store).
    unit
        The reporting unit (canonical name).
    person
        Who submitted.
    submitted_at
        When (ISO date-time with offset).
    source
        The file imported, or ``"status set"``.
    events
        The status events it would add to the log.
    resubmits
        The id of the returned submission it replaces (``""`` if none).
    """

    id: str
    unit: str
    person: str
    submitted_at: str
    source: str
    events: tuple[StatusEvent, ...]
    resubmits: str = ""

    @property
    def day(self) -> dt.date:
        """The day it was submitted."""
        return dt.datetime.fromisoformat(self.submitted_at).date()

    @property
    def ids(self) -> tuple[str, ...]:
        """The sites and works its events name, in order, once each."""
        return tuple(dict.fromkeys(e.id for e in self.events))


@attrs.frozen
class Decision:
    """A reviewer's verdict on one submission: ``accepted`` or ``returned`` (with a reason)."""

    submission: str
    verdict: str
    person: str
    at: str
    reason: str = ""

    @property
    def day(self) -> dt.date:
        """The day it was made."""
        return dt.datetime.fromisoformat(self.at).date()


class Reviews(Protocol):
    """Where a workspace keeps its submissions and decisions (append-only)."""

    def submit(self, *, unit: str, person: str, source: str,
               events: Sequence[StatusEvent], resubmits: str = "",
               at: str | None = None) -> Submission:
        """Record a new submission; the store gives it the next free id."""
        ...

    def submissions(self) -> tuple[Submission, ...]:
        """Every submission, oldest first."""
        ...

    def decisions(self) -> tuple[Decision, ...]:
        """Every decision, oldest first."""
        ...

    def decide(self, submission: str, verdict: str, *, person: str, reason: str = "",
               at: str | None = None) -> Decision:
        """Record a decision; exactly one decision per submission.

        Raises
        ------
        DecisionConflict
            If the submission was decided already (naming who and when).
        ReviewError
            If there is no such submission, or a return has no reason.
        """
        ...


# ----------------------------------------------------------------------------- roles

@attrs.frozen
class Roles:
    """Who acts for which unit and who reviews, from ``[[people]]`` of ``citymap.toml``.

    Attributes
    ----------
    reviewers
        Names of the people who may accept or return submissions.
    units
        Person → the units he or she may submit for (role unit or leader).
    """

    reviewers: tuple[str, ...] = ()
    units: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)

    @property
    def active(self) -> bool:
        """True when the workspace declares a reviewer: imports become submissions."""
        return bool(self.reviewers)

    def submit_problem(self, person: str, unit: str) -> str | None:
        """Why ``person`` may not submit for ``unit`` (``None`` when he or she may).

        Reviewers may submit for any unit (e.g. a report received on paper); everyone else
        only for the units ``[[people]]`` names for him or her.
        """
        if person in self.reviewers:
            return None
        mine = self.units.get(person)
        if mine is None:
            return _("{person!r} is not declared for any unit in citymap.toml [[people]]: "
                     "declare him or her (role = \"unit\", unit = \"…\") or give a "
                     "declared --person").format(person=person)
        if unit not in mine:
            return _("{person!r} may only submit for {mine}, not for {unit!r}").format(
                person=person, unit=unit, mine="、".join(mine))
        return None

    def review_problem(self, person: str) -> str | None:
        """Why ``person`` may not accept or return (``None`` when he or she is a reviewer)."""
        if person in self.reviewers:
            return None
        return _("{person!r} is not a reviewer: only the people with role = \"reviewer\" "
                 "in citymap.toml ({reviewers}) may accept or return").format(
                     person=person, reviewers="、".join(self.reviewers))


def roles_from(people: Iterable[Any]) -> Roles:
    """The roles of ``people`` (:class:`citymap.remind.config.Person`: name, role, units)."""
    reviewers: list[str] = []
    units: dict[str, list[str]] = {}
    for p in people:
        if p.role == REVIEWER_ROLE:
            reviewers.append(p.name)
        elif p.role in ("unit", "leader"):
            units.setdefault(p.name, []).extend(p.units)
    return Roles(tuple(dict.fromkeys(reviewers)),
                 {k: tuple(dict.fromkeys(v)) for k, v in units.items()})


# ----------------------------------------------------------------------------- state

def state_of(submission: str, decisions: Iterable[Decision]) -> str:
    """``pending``, ``accepted`` or ``returned``: the first decision on it, if any."""
    for d in decisions:
        if d.submission == submission:
            return d.verdict
    return PENDING


def states(submissions: Iterable[Submission], decisions: Iterable[Decision]) -> dict[str, str]:
    """The state of every submission (see :func:`state_of`)."""
    first: dict[str, str] = {}
    for d in decisions:
        first.setdefault(d.submission, d.verdict)
    return {s.id: first.get(s.id, PENDING) for s in submissions}


def next_id(submissions: Iterable[Submission]) -> str:
    """The id after the highest ``S<n>`` so far (``S1`` for the first)."""
    top = 0
    for s in submissions:
        if s.id[1:].isdigit():
            top = max(top, int(s.id[1:]))
    return f"S{top + 1}"


def latest_returned(submissions: Sequence[Submission], decisions: Sequence[Decision],
                    unit: str) -> str:
    """The latest returned submission of ``unit`` not yet resubmitted (``""`` if none)."""
    st = states(submissions, decisions)
    replaced = {s.resubmits for s in submissions if s.resubmits}
    for s in reversed(submissions):
        if s.unit == unit and st[s.id] == RETURNED and s.id not in replaced:
            return s.id
    return ""


def no_submission(ident: str) -> str:
    """The message for an unknown submission id."""
    return _("there is no submission {id!r}: see `citymap review list --all`").format(
        id=ident)


def check_decision(submissions: Sequence[Submission], decisions: Sequence[Decision],
                   submission: str, verdict: str, *, person: str, reason: str) -> None:
    """Check a decision against what is recorded (the stores call it under their lock).

    Raises
    ------
    DecisionConflict
        If ``submission`` was decided already.
    ReviewError
        If there is no such submission, the verdict is unknown, the person is empty, or a
        return has no reason.
    """
    if verdict not in REVIEW_VERDICTS:
        raise ReviewError(_("verdict {verdict!r} must be accepted or returned").format(
            verdict=verdict))
    if not person.strip():
        raise ReviewError(_("no person: give --person or set $CITYMAP_USER"))
    if len(reason) > MAX_NOTE_CHARS or len(person) > MAX_TEXT_CHARS:
        raise ReviewError(_("the reason may hold at most {n} characters and the person's "
                            "name {m}: shorten them").format(n=MAX_NOTE_CHARS,
                                                             m=MAX_TEXT_CHARS))
    if verdict == RETURNED and not reason.strip():
        raise ReviewError(_("returning {id} needs a reason: --reason \"…\"").format(
            id=submission))
    if not any(s.id == submission for s in submissions):
        raise ReviewError(no_submission(submission))
    for d in decisions:
        if d.submission == submission:
            raise DecisionConflict(_("{id} was already {verdict} by {person} at {at}; it "
                                     "cannot be decided again").format(
                id=submission, verdict=verdict_word(d.verdict), person=d.person, at=d.at), d)


# ----------------------------------------------------------------------------- JSON

def event_to_json(e: StatusEvent) -> dict[str, Any]:
    """An event as a JSON object (its log row, percent a number)."""
    return {"date": e.date.isoformat(), "id": e.id, "status": e.status,
            "percent": e.percent, "note": e.note, "unit": e.unit}


def event_from_json(d: Mapping[str, Any]) -> StatusEvent:
    """The event of :func:`event_to_json`."""
    pct = d.get("percent")
    return StatusEvent(dt.date.fromisoformat(str(d["date"])), str(d["id"]), str(d["status"]),
                       None if pct is None else float(pct), str(d.get("note", "")),
                       str(d.get("unit", "")))


def submission_to_json(s: Submission) -> dict[str, Any]:
    """A submission as a JSON object (one line of ``submissions.jsonl``)."""
    return {"id": s.id, "unit": s.unit, "person": s.person, "submitted_at": s.submitted_at,
            "source": s.source, "resubmits": s.resubmits,
            "events": [event_to_json(e) for e in s.events]}


def submission_from_json(d: Mapping[str, Any]) -> Submission:
    """The submission of :func:`submission_to_json`."""
    return Submission(str(d["id"]), str(d["unit"]), str(d["person"]), str(d["submitted_at"]),
                      str(d["source"]), tuple(event_from_json(e) for e in d["events"]),
                      str(d.get("resubmits", "")))


def decision_to_json(d: Decision) -> dict[str, Any]:
    """A decision as a JSON object (one line of ``decisions.jsonl``)."""
    return {"submission": d.submission, "verdict": d.verdict, "person": d.person,
            "at": d.at, "reason": d.reason}


def decision_from_json(d: Mapping[str, Any]) -> Decision:
    """The decision of :func:`decision_to_json`."""
    return Decision(str(d["submission"]), str(d["verdict"]), str(d["person"]), str(d["at"]),
                    str(d.get("reason", "")))


# ----------------------------------------------------------------------------- words

#: The state of a submission in the current language (the stored words stay English).
_WORDS: dict[str, str] = {
    ACCEPTED: N_("accepted"),
    RETURNED: N_("returned"),
    PENDING: N_("pending review"),
}


def verdict_word(verdict: str) -> str:
    """``通过`` / ``退回`` / ``待审核`` (``accepted`` … in English)."""
    return _(_WORDS[verdict]) if verdict in _WORDS else verdict
