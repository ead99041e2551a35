"""The ``Store`` interface: where a workspace lives and the one owner of its writes.

Two stores implement it: :class:`citymap.store.folder.FolderStore` (the workspace folder,
the default) and :class:`citymap.store.postgis.PostgisStore` (a shared PostGIS database).
Everything that changes a workspace goes through the store it was given:

- :meth:`Store.load` — the validated :class:`~citymap.workspace.Workspace`;
- :meth:`Store.append_events` — status events into the log, checked, all or none;
- :meth:`Store.write_layer` — one layer's sites replaced (import, ``validate --repair``);
- :meth:`Store.attachments` — the photo store (:class:`~citymap.attachments.Attachments`);
- :meth:`Store.reviews` — submissions and decisions (:class:`~citymap.review.Reviews`).

Commands never ask which store they have: the CLI group opens it once (``ctx.obj``) and
passes it on. A store names itself in messages with :attr:`Store.where` and the person
acting with :attr:`Store.who`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import geopandas as gpd

    from citymap.attachments import Attachments
    from citymap.history import AppendResult, StatusEvent
    from citymap.review import Reviews
    from citymap.workspace import Workspace, WorkspaceRecords

__all__ = ["Store", "current_user"]


def current_user() -> str:
    """Who acts: ``$CITYMAP_USER``, else the login name, else ``unknown``."""
    who = os.environ.get("CITYMAP_USER", "").strip()
    if who:
        return who
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no login name in some containers
        return "unknown"


class Store(Protocol):
    """What every store of workspaces implements."""

    @property
    def where(self) -> str:
        """The store in messages: the folder, or the database URL (password hidden) and key."""
        ...

    @property
    def who(self) -> str:
        """The person whose changes these are (recorded with each write)."""
        ...

    @property
    def output_base(self) -> Path:
        """The folder under which outputs go when no ``-o`` is given."""
        ...

    @property
    def folder(self) -> Path | None:
        """The workspace folder when this store is one, else ``None``.

        Files kept beside a workspace that no store method writes (the remind send log)
        need it; a database store has none.
        """
        ...

    def load(self, *, repair: bool = False, today: dt.date | None = None) -> Workspace:
        """The validated workspace (see :func:`citymap.workspace.load_workspace`)."""
        ...

    def load_records(self, *, today: dt.date | None = None) -> WorkspaceRecords:
        """What the status on a date needs (register, config, sites' attributes, log).

        At least what :meth:`load` gives for the same data (a ``Workspace`` is a
        ``WorkspaceRecords``); a store may give the records without geometry when it knows
        they are those a validated load accepted (the folder store's stamp,
        :mod:`citymap.store.stamp`). Invalid data raises as :meth:`load` does.
        """
        ...

    def append_events(
        self,
        ws: Workspace,
        events: Sequence[StatusEvent],
        *,
        locations: Sequence[tuple[str, str]] | None = None,
        today: dt.date | None = None,
        dry_run: bool = False,
        action: str = "status",
    ) -> AppendResult:
        """Check ``events`` against the log as it is now and append the new ones, all or none.

        Concurrent writers are serialised (nothing is lost); events the log already holds
        are skipped (re-imports add nothing); ``ws`` (as loaded from this store) gives the
        ids events may name and the plan's first day.

        Raises
        ------
        ValidationError
            Listing every bad event; nothing is written.
        """
        ...

    def write_layer(self, ws: Workspace, layer: str, sites: gpd.GeoDataFrame, *,
                    columns: Sequence[str] | None = None, action: str = "import") -> str:
        """Replace the features of ``layer`` with ``sites`` (lon/lat), atomically.

        Parameters
        ----------
        ws
            The workspace as loaded from this store.
        layer
            The layer's name (``ws.layers``).
        sites
            Every feature the layer is to hold, in order.
        columns
            The properties to write, in order (default: every non-geometry column).
        action
            What the audit trail calls the change (``import``, ``repair``).

        Returns
        -------
        str
            Where they were written, for messages.
        """
        ...

    def attachments(self) -> Attachments:
        """The photo store of this workspace."""
        ...

    def reviews(self) -> Reviews:
        """The submissions and decisions of this workspace (填报 → 审核 → 发布)."""
        ...
