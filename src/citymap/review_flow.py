"""The review loop put together: submit, accept, return, repair, what a submission changes.

:mod:`citymap.review` is the pure model; this module joins it to a store (anything with
``append_events(ws, events, …)`` and ``reviews()``, see :class:`citymap.store.base.Store`)
and to the workspace's roles (``[[people]]`` of ``citymap.toml``).

Accepting is ordered so that nothing is lost and a crash is repaired:

1. the submission's events are checked against the log as it is now (a dry run of
   ``append_events``): a submission the log has moved past is refused, to be returned;
2. the decision is recorded (:meth:`Reviews.decide`: exactly one decision per submission;
   the loser of a race gets :class:`~citymap.review.DecisionConflict`);
3. the events are appended through the store (``append_events``: locked, all or none).

A process killed between 2 and 3 leaves an accepted submission whose events are not in the
log yet; :func:`repair` (run by every ``citymap review`` command) appends them again — the
log skips the events it already holds, so repairing twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from citymap.errors import Problem, ValidationError
from citymap.history import AppendResult, StatusEvent, event_key
from citymap.i18n import N_, _
from citymap.review import (
    ACCEPTED,
    PENDING,
    RETURNED,
    Decision,
    ReviewError,
    Reviews,
    Roles,
    Submission,
    latest_returned,
    no_submission,
    roles_from,
    states,
    verdict_word,
)

if TYPE_CHECKING:
    from citymap.workspace import Workspace

__all__ = ["ReviewStore", "SubmitResult", "Proposal", "TrailRow", "roles_of", "submit",
           "accept", "return_submission", "repair", "proposals", "trail", "find"]


class ReviewStore(Protocol):
    """What the review loop needs of a store (a part of :class:`citymap.store.base.Store`)."""

    def append_events(self, ws: Workspace, events: Sequence[StatusEvent], *,
                      locations: Sequence[tuple[str, str]] | None = None,
                      today: dt.date | None = None, dry_run: bool = False,
                      action: str = "status") -> AppendResult:
        """Check and append events to the log, all or none."""
        ...

    def reviews(self) -> Reviews:
        """The submissions and decisions of the workspace."""
        ...


def roles_of(ws: Workspace) -> Roles:
    """The roles declared in the workspace's ``citymap.toml`` (``[[people]]``)."""
    from citymap.remind.config import load_remind_config

    cfg = load_remind_config(ws.root, canonical=ws.register.canonical_unit)
    return roles_from(cfg.people)


@attrs.frozen
class SubmitResult:
    """What a submit did: the submissions made (one per reporting unit) and the check."""

    submissions: tuple[Submission, ...]
    checked: AppendResult
    dry_run: bool


def _by_unit(events: Sequence[StatusEvent]) -> dict[str, list[StatusEvent]]:
    out: dict[str, list[StatusEvent]] = {}
    for e in events:
        out.setdefault(e.unit, []).append(e)
    return out


def submit(store: ReviewStore, ws: Workspace, events: Sequence[StatusEvent], *,
           person: str, source: str, locations: Sequence[tuple[str, str]] | None = None,
           resubmits: str | None = None, today: dt.date | None = None,
           dry_run: bool = False, roles: Roles | None = None) -> SubmitResult:
    """Check ``events`` as an import does and record them as submission(s), unpublished.

    The events are checked against the log (a dry run of ``append_events``: every problem
    refuses all of them); those the log already holds are left out. One submission is
    made per reporting unit. ``resubmits`` names the returned submission this one
    replaces; ``None`` links the unit's latest returned submission not yet resubmitted.

    Raises
    ------
    ValidationError
        Listing every bad event (nothing is submitted).
    ReviewError
        If ``person`` may not submit for a unit, or ``resubmits`` is not a returned
        submission of that unit.
    """
    roles = roles if roles is not None else roles_of(ws)
    for unit in _by_unit(events):
        why = roles.submit_problem(person, unit)
        if why:
            raise ReviewError(why)
    checked = store.append_events(ws, events, locations=locations, today=today,
                                  dry_run=True, action="submit")
    reviews = store.reviews()
    subs, decs = reviews.submissions(), reviews.decisions()
    made: list[Submission] = []
    for unit, evs in _by_unit(checked.added).items():
        link = latest_returned(subs, decs, unit) if resubmits is None else resubmits
        if link:
            _check_link(subs, decs, link, unit)
        if dry_run:
            continue
        clean = [attrs.evolve(e, recorded_at="") for e in evs]
        made.append(reviews.submit(unit=unit, person=person, source=source, events=clean,
                                   resubmits=link))
    return SubmitResult(tuple(made), checked, dry_run)


def _check_link(subs: Sequence[Submission], decs: Sequence[Decision], link: str,
                unit: str) -> None:
    st = states(subs, decs)
    old = next((s for s in subs if s.id == link), None)
    if old is None or st[link] != RETURNED or old.unit != unit:
        raise ReviewError(_("--resubmits {id}: only a returned submission of the same unit "
                            "({unit}) can be resubmitted").format(id=link, unit=unit))


def find(reviews: Reviews, ident: str) -> Submission:
    """The submission ``ident``.

    Raises
    ------
    ReviewError
        If there is none (naming ``citymap review list --all``).
    """
    for s in reviews.submissions():
        if s.id == ident:
            return s
    raise ReviewError(no_submission(ident))


def _locations(sub: Submission) -> list[tuple[str, str]]:
    return [(sub.id, e.id) for e in sub.events]


def accept(store: ReviewStore, ws: Workspace, ident: str, *, person: str,
           today: dt.date | None = None,
           roles: Roles | None = None) -> tuple[Decision, AppendResult]:
    """Accept submission ``ident``: check, record the decision, append its events.

    Raises
    ------
    ReviewError
        If ``person`` is no reviewer or there is no such submission.
    DecisionConflict
        If it was decided already (by whom and when).
    ValidationError
        If the log has moved past its events (nothing is recorded; return it instead).
    """
    roles = roles if roles is not None else roles_of(ws)
    why = roles.review_problem(person)
    if why:
        raise ReviewError(why)
    reviews = store.reviews()
    sub = find(reviews, ident)
    if states([sub], reviews.decisions())[sub.id] == PENDING:
        try:
            store.append_events(ws, sub.events, locations=_locations(sub), today=today,
                                dry_run=True, action="review accept")
        except ValidationError as exc:
            hint = _("{id} cannot be accepted (the log has moved on since it was "
                     "submitted): return it with `citymap review return {id} --reason …`"
                     ).format(id=sub.id)
            raise ValidationError([*exc.problems, Problem(sub.id, "", "", hint)]) from None
    dec = reviews.decide(sub.id, ACCEPTED, person=person)
    res = store.append_events(ws, sub.events, locations=_locations(sub), today=today,
                              action="review accept")
    return dec, res


def return_submission(store: ReviewStore, ws: Workspace, ident: str, *, person: str,
                      reason: str, roles: Roles | None = None) -> Decision:
    """Return submission ``ident`` to its unit with ``reason`` (nothing is published).

    Raises
    ------
    ReviewError
        If ``person`` is no reviewer, there is no such submission or no reason.
    DecisionConflict
        If it was decided already.
    """
    roles = roles if roles is not None else roles_of(ws)
    why = roles.review_problem(person)
    if why:
        raise ReviewError(why)
    reviews = store.reviews()
    sub = find(reviews, ident)
    return reviews.decide(sub.id, RETURNED, person=person, reason=reason)


def repair(store: ReviewStore, ws: Workspace, *, today: dt.date | None = None) -> int:
    """Append the events of accepted submissions the log lacks (after a crash); how many.

    The log skips the events it holds, so this is idempotent.
    """
    reviews = store.reviews()
    subs = reviews.submissions()
    st = states(subs, reviews.decisions())
    held = {event_key(e) for e in ws.history.events}
    added = 0
    for sub in subs:
        if st[sub.id] != ACCEPTED or all(event_key(e) in held for e in sub.events):
            continue
        res = store.append_events(ws, sub.events, locations=_locations(sub), today=today,
                                  action="review repair")
        added += len(res.added)
    return added


# ----------------------------------------------------------------------------- reading

@attrs.frozen
class Proposal:
    """One change a pending submission proposes: a site's (or work's) status."""

    submission: str
    unit: str
    person: str
    submitted_at: str
    id: str
    layer: str
    name: str
    current: str
    proposed: str
    date: dt.date
    percent: float | None
    note: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly values."""
        d = attrs.asdict(self)
        d["date"] = self.date.isoformat()
        return d


def proposals(ws: Workspace, reviews: Reviews, *, only: str | None = None,
              as_of: dt.date | None = None) -> list[Proposal]:
    """What the pending submissions (or submission ``only``, in any state) would change.

    ``current`` is the status on ``as_of`` (default today) of the site, or of the work when
    the event names a work number.
    """
    subs = reviews.submissions()
    st = states(subs, reviews.decisions())
    now = ws.status_as_of(as_of or dt.date.today())
    sites = now.sites
    info = {str(i): (str(lay), str(n), str(s)) for i, lay, n, s in zip(
        sites["id"], sites["layer"], sites["name"], sites["status"], strict=True)}
    works = {str(w.number): w for w in ws.register.works}
    out: list[Proposal] = []
    for sub in subs:
        if (only is None and st[sub.id] != PENDING) or (only is not None and sub.id != only):
            continue
        for e in sub.events:
            if e.id in info:
                layer, name, current = info[e.id]
            elif e.id in works:
                layer, name = "", works[e.id].name
                current = now.works[works[e.id].number].status
            else:
                layer, name, current = "", "", ""
            out.append(Proposal(sub.id, sub.unit, sub.person, sub.submitted_at, e.id, layer,
                                name, current, e.status, e.date, e.percent, e.note))
    return out


@attrs.frozen
class TrailRow:
    """One step of the history: a submission or a decision."""

    at: str
    submission: str
    step: str
    unit: str
    person: str
    ids: tuple[str, ...]
    detail: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly values."""
        d = attrs.asdict(self)
        d["ids"] = list(self.ids)
        return d


def _day(stamp: str) -> dt.date:
    return dt.datetime.fromisoformat(stamp).date()


def trail(subs: Sequence[Submission], decs: Iterable[Decision], *, site: str | None = None,
          unit: str | None = None, start: dt.date | None = None,
          end: dt.date | None = None) -> list[TrailRow]:
    """Every submission and decision, oldest first, with person and reason (or source).

    Filtered to those naming ``site``, of ``unit``, and made from ``start`` to ``end``.
    """
    by_id = {s.id: s for s in subs}
    rows: list[TrailRow] = []
    for s in subs:
        step = "resubmitted" if s.resubmits else "submitted"
        detail = s.source + (f" (→ {s.resubmits})" if s.resubmits else "")
        rows.append(TrailRow(s.submitted_at, s.id, step, s.unit, s.person, s.ids, detail))
    for d in decs:
        got = by_id.get(d.submission)
        rows.append(TrailRow(d.at, d.submission, d.verdict, got.unit if got else "", d.person,
                             got.ids if got else (), d.reason))
    out = []
    for r in rows:
        if site is not None and site not in r.ids:
            continue
        if unit is not None and r.unit != unit:
            continue
        day = _day(r.at)
        if (start is not None and day < start) or (end is not None and day > end):
            continue
        out.append(r)
    out.sort(key=lambda r: (dt.datetime.fromisoformat(r.at), r.submission))
    return out


_STEPS = {"submitted": N_("submitted"), "resubmitted": N_("resubmitted")}


def step_word(step: str) -> str:
    """The word of a history step in the current language."""
    return _(_STEPS[step]) if step in _STEPS else verdict_word(step)
