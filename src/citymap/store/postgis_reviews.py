"""Submissions and decisions in the PostGIS store (``citymap.submissions``/``decisions``).

Migration ``0004_reviews.sql`` makes the tables (append-only, one decision per submission)
and the role ``citymap_review``. Each write is one transaction holding the workspace's
review lock (``pg_advisory_xact_lock``), so ids are given in order and two reviewers
deciding the same submission at once are serialised: the second sees the first decision
and gets :class:`citymap.review.DecisionConflict` naming who decided and when. The unique
constraint ``(workspace, submission)`` backs that up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from citymap.history import StatusEvent, now_stamp, one_line
from citymap.review import (
    Decision,
    Submission,
    check_decision,
    event_from_json,
    event_to_json,
    next_id,
)

if TYPE_CHECKING:
    from citymap.store.postgis import PostgisStore

__all__ = ["PostgisReviews"]


_TABLES = {"submissions": sql.SQL("citymap.submissions"),
           "decisions": sql.SQL("citymap.decisions")}


def _t(name: str) -> sql.SQL:
    return _TABLES[name]


class PostgisReviews:
    """The :class:`citymap.review.Reviews` of one workspace in a PostGIS store.

    Parameters
    ----------
    store
        The store (its connection, errors and audit trail are used).
    key
        The workspace key (default: the store's).
    """

    def __init__(self, store: PostgisStore, key: str | None = None) -> None:
        self.store = store
        self.key = store.resolve_key(key)

    def _lock(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                     (f"citymap:reviews:{self.key}",))

    def _submissions(self, conn: psycopg.Connection[Any]) -> tuple[Submission, ...]:
        rows = conn.execute(sql.SQL(
            "SELECT id, unit, person, submitted_at, source, events, resubmits FROM {} "
            "WHERE workspace = %s ORDER BY seq").format(_t("submissions")),
            (self.key,)).fetchall()
        return tuple(Submission(r[0], r[1], r[2], r[3], r[4],
                                tuple(event_from_json(e) for e in r[5]), r[6]) for r in rows)

    def _decisions(self, conn: psycopg.Connection[Any]) -> tuple[Decision, ...]:
        rows = conn.execute(sql.SQL(
            "SELECT submission, verdict, person, at, reason FROM {} WHERE workspace = %s "
            "ORDER BY seq").format(_t("decisions")), (self.key,)).fetchall()
        return tuple(Decision(*r) for r in rows)

    def submissions(self) -> tuple[Submission, ...]:
        """Every submission, oldest first."""
        with self.store.connect() as conn, self.store._errors("reading submissions"):
            self.store._require_schema(conn)
            return self._submissions(conn)

    def decisions(self) -> tuple[Decision, ...]:
        """Every decision, oldest first."""
        with self.store.connect() as conn, self.store._errors("reading decisions"):
            self.store._require_schema(conn)
            return self._decisions(conn)

    def submit(self, *, unit: str, person: str, source: str,
               events: Sequence[StatusEvent], resubmits: str = "",
               at: str | None = None) -> Submission:
        """Record a new submission with the next free id (one transaction)."""
        st = self.store
        with st.connect() as conn, st._errors("submitting"), conn.transaction():
            st._require_schema(conn)
            self._lock(conn)
            sub = Submission(next_id(self._submissions(conn)), unit, person,
                             at or now_stamp(), source, tuple(events), resubmits)
            conn.execute(sql.SQL(
                "INSERT INTO {} (workspace, id, unit, person, submitted_at, source, resubmits, "
                "events) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)").format(_t("submissions")),
                (self.key, sub.id, sub.unit, sub.person, sub.submitted_at, sub.source,
                 sub.resubmits, Jsonb([event_to_json(e) for e in sub.events])))
            st._audit(conn, self.key, "submit", {"submission": sub.id, "unit": unit,
                                                 "person": person,
                                                 "events": len(sub.events)})
        return sub

    def decide(self, submission: str, verdict: str, *, person: str, reason: str = "",
               at: str | None = None) -> Decision:
        """Record a decision, exactly one per submission (one transaction).

        Raises
        ------
        citymap.review.DecisionConflict
            If it was decided already (naming who and when).
        citymap.review.ReviewError
            If there is no such submission or a return has no reason.
        """
        st = self.store
        with st.connect() as conn, st._errors("deciding"), conn.transaction():
            st._require_schema(conn)
            self._lock(conn)
            check_decision(self._submissions(conn), self._decisions(conn), submission,
                           verdict, person=person, reason=reason)
            dec = Decision(submission, verdict, person.strip(), at or now_stamp(),
                           one_line(reason))
            conn.execute(sql.SQL(
                "INSERT INTO {} (workspace, submission, verdict, person, at, reason) "
                "VALUES (%s, %s, %s, %s, %s, %s)").format(_t("decisions")),
                (self.key, dec.submission, dec.verdict, dec.person, dec.at, dec.reason))
            st._audit(conn, self.key, f"review {verdict}",
                      {"submission": submission, "person": dec.person, "reason": dec.reason})
        return dec
