"""Interim adapters giving both stores the ``Store`` calls the review loop needs.

Removed when ``store/folder.py`` (branch ``store``) lands: then the CLI opens the store once
and both stores have ``append_events(ws, events, …)`` and ``reviews()`` themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from citymap.history import AppendResult, StatusEvent
    from citymap.review import Reviews
    from citymap.workspace import Workspace

__all__ = ["FolderAdapter", "PostgisAdapter", "store_for"]


class FolderAdapter:
    """The folder workspace: the status log file and ``geo/reviews/``."""

    def __init__(self, root: Any) -> None:
        self.root = root

    def append_events(self, ws: Workspace, events: Sequence[StatusEvent], *,
                      locations: Sequence[tuple[str, str]] | None = None,
                      today: dt.date | None = None, dry_run: bool = False,
                      action: str = "status") -> AppendResult:
        """:func:`citymap.history.append_events` with the workspace's ids and plan start."""
        from citymap.progress import ids_of
        from citymap.store.folder import append_events

        return append_events(ws.root, events, log_path=ws.config.status_log,
                             known_ids=set(ids_of(ws)), today=today, locations=locations,
                             dry_run=dry_run, first_date=ws.register.plan.start)

    def reviews(self) -> Reviews:
        """The folder's submissions and decisions."""
        from citymap.store.folder_reviews import FolderReviews

        return FolderReviews(self.root)


class PostgisAdapter:
    """A :class:`~citymap.store.postgis.PostgisStore` with the ``Store`` signatures."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def append_events(self, ws: Workspace, events: Sequence[StatusEvent], *,
                      locations: Sequence[tuple[str, str]] | None = None,
                      today: dt.date | None = None, dry_run: bool = False,
                      action: str = "status") -> AppendResult:
        """:meth:`PostgisStore.append_events` with the workspace's ids and plan start."""
        from citymap.progress import ids_of

        res: AppendResult = self.store.append_events(
            events, known_ids=set(ids_of(ws)), today=today, locations=locations,
            dry_run=dry_run, action=action, first_date=ws.register.plan.start)
        return res

    def reviews(self) -> Reviews:
        """The store's submissions and decisions."""
        got: Reviews = self.store.reviews()
        return got


def store_for(ws: Workspace, pg: Any = None) -> FolderAdapter | PostgisAdapter:
    """The adapter of the PostGIS store ``pg`` (when given) or of ``ws``'s folder."""
    return PostgisAdapter(pg) if pg is not None else FolderAdapter(ws.root)
