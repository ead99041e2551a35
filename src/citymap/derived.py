"""Derived status: every site's status on a date with its overdue flag, and every work's.

The status log (:mod:`citymap.history`) records what units reported; this module derives
from it, the sites and the register:

- :func:`site_statuses` — every site's *recorded* status on a date (the latest event on or
  before it, :meth:`~citymap.history.StatusLog.status_on`) plus the *derived* ``overdue``
  flag: its planned year has ended on that date and it is not 已完成. The recorded status is
  never rewritten to 滞后.
- :func:`work_state` / :func:`work_states` / :func:`work_status` — a work's status: its
  latest own event when one was recorded, else derived from its sites and targets.

Views read these through :meth:`citymap.workspace.Workspace.status_as_of`
(:mod:`citymap.state`), which computes each day once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

import attrs
import numpy as np
import pandas as pd

from citymap.records import site_mask_for_work, where_mask
from citymap.vocab import BEHIND, DONE, NOT_STARTED, STARTED

if TYPE_CHECKING:
    from citymap.history import StatusEvent, StatusLog
    from citymap.register import Register, Target, Work

__all__ = ["SiteSource", "WorkState", "site_statuses", "work_state", "work_states",
           "work_status"]


class SiteSource(Protocol):
    """What the derivation reads: the register, the status log and the sites' attributes.

    A validated :class:`~citymap.workspace.Workspace` is one (its layers are GeoDataFrames);
    so are its records without geometry (:class:`~citymap.workspace.WorkspaceRecords`):
    both go through the same functions below.
    """

    @property
    def register(self) -> Register:
        """The plan."""
        ...

    @property
    def history(self) -> StatusLog:
        """The status log."""
        ...

    @property
    def data(self) -> Mapping[str, pd.DataFrame]:
        """Layer name → its features (at least the site layers)."""
        ...

    def sites(self) -> pd.DataFrame:
        """Every site of every site layer, with a ``layer`` column (a copy)."""
        ...


def _year_end(year: int) -> dt.date:
    return dt.date(int(year), 12, 31)


def site_statuses(ws: SiteSource, as_of: dt.date) -> pd.DataFrame:
    """Every site of the workspace with its status on ``as_of``.

    Parameters
    ----------
    ws
        The workspace (or its records).
    as_of
        The day asked for.

    Returns
    -------
    pandas.DataFrame
        :meth:`Workspace.sites` (``id, works, name, year, status, status_date, source,
        kind, geometry, layer``; a GeoDataFrame for a workspace, no geometry for records)
        with ``status``/``status_date`` replaced by the recorded status on ``as_of``
        (:meth:`StatusLog.status_on`), plus ``percent`` (float, NaN when unknown), ``due``
        (31 December of the planned year, ISO text) and ``overdue``
        (bool: ``due`` is on or before ``as_of`` and the site is not 已完成 — the status
        on a date is the status at the end of that day, so a site planned for 2021 and not
        done on 2021-12-31 is overdue that day). The recorded status is never replaced by
        滞后: ``overdue`` is the derived flag.
    """
    sites = ws.sites().copy()
    if not len(sites):
        for col, dtype in (("status", object), ("status_date", object), ("percent", float),
                           ("due", object), ("overdue", bool), ("works", object),
                           ("name", object), ("year", int)):
            sites[col] = pd.Series(dtype=dtype)
        return sites
    now = ws.history.status_on(sites, as_of)
    sites["status"] = now["status"]
    sites["status_date"] = now["status_date"]
    sites["percent"] = now["percent"]
    due = [_year_end(y) for y in sites["year"]]
    sites["due"] = [d.isoformat() for d in due]
    sites["overdue"] = np.array([d <= as_of and s != DONE
                                 for d, s in zip(due, sites["status"], strict=True)], dtype=bool)
    return sites


@attrs.frozen
class WorkState:
    """A work's status on a date, and why.

    Attributes
    ----------
    number
        The work.
    status
        One of :data:`citymap.vocab.WORK_STATUSES`.
    source
        ``"log"`` (set explicitly for the work), ``"sites"`` (derived from its sites and
        targets) or ``"register"`` (the register's status: plan-only works and works
        without sites).
    date
        The date of the explicit event (ISO), else ``""``.
    sites, done, started
        How many sites it has, and how many are 已完成 / begun on the date.
    overdue_sites
        Ids of its sites past their planned year and not done.
    missed_targets
        Ids of its targets past their deadline whose sites are not all done.
    due
        The earliest deadline missed (``None`` when none is).
    """

    number: int
    status: str
    source: str
    date: str = ""
    sites: int = 0
    done: int = 0
    started: int = 0
    overdue_sites: tuple[str, ...] = ()
    missed_targets: tuple[str, ...] = ()
    due: dt.date | None = None


def _target_sites(ws: SiteSource, target: Target, sites: pd.DataFrame) -> pd.DataFrame:
    """The sites a target counts: its layer, its work, its years, its filter."""
    if target.layer is None or target.work is None:
        return sites.iloc[0:0]
    sub = sites[sites["layer"] == target.layer]
    if not len(sub):
        return sub
    mask = site_mask_for_work(sub["works"], target.work)
    mask &= sub["year"].astype(int).isin(list(target.years)).to_numpy()
    if target.where:
        layer = ws.data[target.layer]
        attrs_ = layer.set_index("id").reindex(sub["id"].to_numpy())
        attrs_.index = sub.index
        mask &= where_mask(attrs_, target.where)
    return sub[mask]


#: The columns of :func:`site_statuses` a work's state is derived from.
_DERIVE_COLUMNS = ("id", "layer", "works", "year", "status", "percent", "overdue")


def _derived_columns(sites: pd.DataFrame) -> pd.DataFrame:
    """``sites`` with only the columns the rules read: each work selects its rows, and a
    narrow frame is cheaper to select from.
    """
    return sites[[c for c in _DERIVE_COLUMNS if c in sites.columns]]


def _derive(ws: SiteSource, work: Work, as_of: dt.date, sites: pd.DataFrame,
            explicit: StatusEvent | None) -> WorkState:
    own = sites[site_mask_for_work(sites["works"], work.number)] if len(sites) else sites
    n = len(own)
    status_col = own["status"].astype(str) if n else pd.Series(dtype=str)
    done = int((status_col == DONE).sum())
    pct = own["percent"].fillna(0).to_numpy(dtype=float) if n else np.zeros(0)
    started = int((status_col.isin([STARTED, DONE, BEHIND]).to_numpy() | (pct > 0)).sum())
    overdue = tuple(str(i) for i in own.loc[own["overdue"], "id"]) if n else ()
    missed: list[str] = []
    dues: list[dt.date] = [_year_end(y) for y in own.loc[own["overdue"], "year"]] if n else []
    for t in work.targets:
        if t.deadline > as_of:
            continue
        counted = _target_sites(ws, t, sites)
        if len(counted) and not (counted["status"].astype(str) == DONE).all():
            missed.append(t.id)
            dues.append(t.deadline)
    due = min(dues) if dues else None
    common = dict(number=work.number, sites=n, done=done, started=started,
                  overdue_sites=overdue, missed_targets=tuple(missed), due=due)
    if explicit is not None:
        return WorkState(status=explicit.status, source="log",
                         date=explicit.date.isoformat(), **common)  # type: ignore[arg-type]
    if work.plan_only or n == 0:
        return WorkState(status=work.status, source="register", **common)  # type: ignore[arg-type]
    if done == n:
        status = DONE
    elif overdue or missed or (status_col == BEHIND).any():
        status = BEHIND
    elif started:
        status = STARTED
    else:
        status = NOT_STARTED
    return WorkState(status=status, source="sites", **common)  # type: ignore[arg-type]


def work_states(ws: SiteSource, as_of: dt.date,
                sites: pd.DataFrame | None = None) -> dict[int, WorkState]:
    """The state of every work on ``as_of`` (see :func:`work_state`).

    Parameters
    ----------
    ws
        The workspace.
    as_of
        The day asked for.
    sites
        :func:`site_statuses` for ``as_of`` when already computed.
    """
    sites = _derived_columns(site_statuses(ws, as_of) if sites is None else sites)
    latest = ws.history.latest(as_of)
    return {w.number: _derive(ws, w, as_of, sites, latest.get(str(w.number)))
            for w in ws.register.works}


def work_state(ws: SiteSource, number: int, as_of: dt.date,
               sites: pd.DataFrame | None = None) -> WorkState:
    """The status of work ``number`` on ``as_of``, with the reasons.

    The rules, in order:

    1. a status set for the work itself (an event with the work number as id, on or
       before ``as_of``) wins;
    2. a plan-only work (``plan_only: true``) keeps its register status (方案待定), and a
       work with no site keeps its register status;
    3. all its sites 已完成 → 已完成;
    4. any site whose planned year has ended (31 December on or before ``as_of``) and is
       not done, any target whose deadline is on or before ``as_of`` with its sites not all
       done, or any site reported 滞后 → 滞后;
    5. any site begun (进行中, 已完成, 滞后 or a percent above 0) → 进行中;
    6. otherwise 未开始.

    Raises
    ------
    KeyError
        If there is no such work.
    """
    work = ws.register.work(number)
    sites = _derived_columns(site_statuses(ws, as_of) if sites is None else sites)
    return _derive(ws, work, as_of, sites, ws.history.latest(as_of).get(str(number)))


def work_status(ws: SiteSource, number: int, as_of: dt.date) -> str:
    """The status of work ``number`` on ``as_of`` (see :func:`work_state` for the rules).

    Examples
    --------
    >>> work_status(ws, 16, dt.date(2021, 12, 31))  # doctest: +SKIP
    '滞后'
    """
    return work_state(ws, number, as_of).status
