"""Status on a date: the one place every view reads a site's or a work's status from.

:meth:`citymap.workspace.Workspace.status_as_of` returns a :class:`StatusAsOf` for a day,
computed once per workspace and day (cached on the workspace): every site's recorded
status, status date and percent on that day (from the status log,
:meth:`citymap.history.StatusLog.status_on`), its planned deadline and whether it is late,
every work's derived status (:func:`citymap.derived.work_states`) and the overdue list
(:func:`citymap.progress.overdue_from`). ``show``, ``tasks``, ``overdue``, the maps and their
panel, the report and the exports all take their status from it, so they cannot disagree.

*Late* (逾期) means listed on the overdue list on that day: a site is late when it appears
there as a 点位 (planned year ended and not done, or reported 滞后, under a work not done);
a work when it appears there as a 工程 (its status on the day is 滞后).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

if TYPE_CHECKING:
    from citymap.derived import SiteSource, WorkState
    from citymap.progress import OverdueItem

__all__ = ["StatusAsOf", "compute_status_as_of"]


@attrs.frozen(eq=False)
class StatusAsOf:
    """Every site's and work's status on one day (see the module notes).

    Attributes
    ----------
    date
        The day (its end: events of that day count).
    sites
        One row per site of every site layer (:meth:`Workspace.sites` order) with ``id``,
        ``layer``, ``works``, ``name``, ``year``, ``status``, ``status_date`` (ISO text,
        ``""`` when none), ``percent`` (NaN when unknown), ``due`` (31 December of the
        planned year, ISO), ``overdue`` (due and not done) and ``late`` (on the overdue
        list).
    works
        Work number → :class:`citymap.derived.WorkState` (status and why).
    overdue
        The overdue list (every lead unit), as ``citymap overdue`` prints it.
    """

    date: dt.date
    sites: pd.DataFrame
    works: Mapping[int, WorkState]
    overdue: tuple[OverdueItem, ...]
    _layers: dict[str, pd.DataFrame] = attrs.field(factory=dict, init=False, repr=False)
    _by_id: dict[str, str] = attrs.field(factory=dict, init=False, repr=False)

    @property
    def late_sites(self) -> frozenset[str]:
        """Ids of the sites on the overdue list."""
        return frozenset(i.id for i in self.overdue if i.kind == "点位")

    @property
    def late_works(self) -> frozenset[int]:
        """Numbers of the works on the overdue list (status 滞后)."""
        return frozenset(i.work for i in self.overdue if i.kind == "工程")

    def work_status(self, number: int) -> str:
        """The status of work ``number`` on the day."""
        return self.works[number].status

    def layer(self, name: str) -> pd.DataFrame:
        """The rows of layer ``name``, in the layer's order, indexed ``0…n-1`` (cached)."""
        got = self._layers.get(name)
        if got is None:
            sub = self.sites[self.sites["layer"] == name] if len(self.sites) else self.sites
            got = self._layers[name] = sub.reset_index(drop=True)
        return got

    def statuses_of(self, frame: pd.DataFrame) -> npt.NDArray[np.object_]:
        """The status on the day of every row of ``frame`` (site rows with an ``id``).

        Site ids are unique in a workspace, so any selection of sites (a layer, a filter, a
        zone's sites) is looked up by id.

        Raises
        ------
        KeyError
            For an id that is no site of the workspace.
        """
        if not self._by_id and len(self.sites):
            self._by_id.update(zip(self.sites["id"].astype(str),
                                   self.sites["status"].astype(str), strict=True))
        return np.array([self._by_id[str(i)] for i in frame["id"]], dtype=object)

    def site_counts(self, statuses: tuple[str, ...]) -> dict[str, int]:
        """How many sites (every site layer, the pilot zones too) have each status."""
        col = self.sites["status"].astype(str) if len(self.sites) else pd.Series([], dtype=str)
        return {s: int((col == s).sum()) for s in statuses}


def compute_status_as_of(ws: SiteSource, day: dt.date) -> StatusAsOf:
    """Compute :class:`StatusAsOf` (use :meth:`Workspace.status_as_of`: it caches)."""
    from citymap.derived import site_statuses, work_states
    from citymap.progress import overdue_from

    sites = site_statuses(ws, day)
    geometry = getattr(getattr(sites, "geometry", None), "name", None)  # records have none
    if geometry in sites.columns:  # status needs no geometry: plain frames are faster
        sites = pd.DataFrame(sites.drop(columns=geometry))
    states = work_states(ws, day, sites)
    items = tuple(overdue_from(ws, day, sites, states))
    late = {i.id for i in items if i.kind == "点位"}
    sites = sites.assign(late=np.array([str(i) in late for i in sites["id"]], dtype=bool))
    return StatusAsOf(day, sites, states, items)
