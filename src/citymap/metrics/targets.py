"""Every quantitative target of the register, computed from the sites it is measured on.

A target counts the sites of its layer that belong to its work (plan-level targets: every
site of the layer), whose ``year`` lies in ``start_year … year`` (shares: every site with
``year <= year``, cumulative), that match ``where``, and that are 已完成 on the date asked.
Lengths and areas are measured in the workspace's measuring CRS (EPSG:4548); overlapping
sites are never counted twice (lengths and footprints are taken of the union).

Verdicts
--------
``met``
    The actual value satisfies the comparison. ``"="`` is read as "reached": an actual
    above the value is met too (``over`` is then True). Measured lengths, areas and shares
    get a tolerance of :data:`TOLERANCE` (0.5 %) for digitising; counts are exact.
``on track``
    Not met, the deadline (31 December of the target year) is still ahead, and the actual
    is at least the pro-rata value: ``value × elapsed / period`` where the period runs from
    1 January of ``start_year`` to the deadline.
``in progress``
    Not met, the deadline is ahead, below the pro-rata value.
``behind``
    Not met and the date asked is on or after the deadline.

Late sites
----------
A target counts the sites planned in its years. Its yearly verdict is the one on its
deadline (``met_by_deadline``, ``actual_by_deadline``): a 2021 community finished in 2022
does not make 2021 met. Asked after the deadline, the target counts every site done by the
date asked, and ``late`` lists those done after the deadline with the day each was done
(``{"OC-2021-30": "2022-03-01"}``): "late, done in 2022". So such a site counts in the plan
total (:meth:`citymap.metrics.MetricsResult.series`, ``total``) and is never lost.
``not measurable``
    The metric cannot be measured from geometry; the recorded status of the work is shown.
``no data``
    The layer the target is measured on has no data in the workspace.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

import attrs
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from citymap.crs import MEASURE_CRS, to_measure
from citymap.i18n import _
from citymap.layers import layer_for
from citymap.register import Target
from citymap.sites import site_mask_for_work, where_mask
from citymap.vocab import DONE, METRICS, SITE_STATUSES
from citymap.workspace import Workspace

__all__ = [
    "TOLERANCE",
    "TOWNSHIP_METRICS",
    "TargetResult",
    "evaluate_target",
    "target_results",
    "verdict",
    "pro_rata",
]

#: Relative tolerance for measured (not counted) values.
TOLERANCE = 0.005
#: Metrics counted as distinct townships intersecting the done sites (the layer's purpose).
TOWNSHIP_METRICS: dict[str, str] = {
    "sorting_demo_townships": "townships",
    "sorting_demo_township_share": "townships",
}
_MEASURED = {"length", "area", "share_length", "attr_sum", "area_each"}
#: Precision (m) of the unions of lines: segments within it are one (a road digitised twice
#: in two layers, or round-tripped through lon/lat, counts once).
GRID_M = 0.01


@attrs.frozen
class TargetResult:
    """One target computed on a date: target, actual, verdict and the sites counted.

    Attributes
    ----------
    id, work, metric, name, year, start_year, unit, comparison, layer
        From the register.
    measure
        How it is measured (:data:`citymap.vocab.MEASURES`).
    target
        The target value.
    actual
        The value found (None when not measurable).
    planned
        The same measure over every selected site whatever its status (what the data plans).
    verdict
        One of :data:`citymap.vocab.VERDICTS`.
    expected
        The pro-rata value on the date asked (before the deadline).
    numerator, denominator
        For shares: the done amount and the denominator (km or count).
    site_ids
        The ids of the sites counted (done), so that every number can be traced.
    counted_ids
        For township metrics: the townships counted.
    by_status
        Selected sites per status on the date asked.
    over
        True when the actual exceeds a ``"="`` target.
    met_by_deadline, actual_by_deadline
        Asked after the deadline: the verdict (met or not) and the value on the deadline.
    late
        Asked after the deadline: ``{site id: day done}`` of the sites counted that were
        done after the deadline (see "Late sites" in the module docstring).
    recorded_status, recorded_percent
        For a metric not measurable from geometry: the work's recorded status and percent.
    note
        The register's note and how the value was found.
    """

    id: str
    work: int | None
    metric: str
    name: str
    year: int
    start_year: int
    measure: str
    unit: str
    comparison: str
    target: float
    actual: float | None
    verdict: str
    as_of: dt.date
    layer: str | None = None
    planned: float | None = None
    expected: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    site_ids: tuple[str, ...] = ()
    counted_ids: tuple[str, ...] = ()
    by_status: Mapping[str, int] = attrs.field(factory=dict)
    over: bool = False
    met_by_deadline: bool | None = None
    actual_by_deadline: float | None = None
    late: Mapping[str, str] = attrs.field(factory=dict)
    recorded_status: str | None = None
    recorded_percent: float | None = None
    note: str = ""
    flag: str = ""

    @property
    def deadline(self) -> dt.date:
        """31 December of the target year."""
        return dt.date(self.year, 12, 31)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data (JSON-ready)."""
        d = attrs.asdict(self)
        d["as_of"] = self.as_of.isoformat()
        d["site_ids"] = list(self.site_ids)
        d["counted_ids"] = list(self.counted_ids)
        d["by_status"] = dict(self.by_status)
        d["late"] = dict(self.late)
        d["deadline"] = self.deadline.isoformat()
        d["metric_en"] = METRICS[self.metric].en if self.metric in METRICS else ""
        return d


def pro_rata(target: Target, as_of: dt.date) -> float:
    """The value due on ``as_of`` at an even pace from 1 January of ``start_year``."""
    start = dt.date(target.start_year, 1, 1)
    total = (target.deadline - start).days + 1
    done = min(max((as_of - start).days + 1, 0), total)
    return target.value * done / total


def _satisfied(actual: float, value: float, comparison: str, tol: float) -> bool:
    del comparison  # ">=" and "=" are both read as "reached" (see the module docstring)
    return actual >= value * (1 - tol) - 1e-12


def verdict(target: Target, actual: float | None, as_of: dt.date, *,
            tol: float | None = None) -> tuple[str, float | None]:
    """The verdict of ``actual`` on ``as_of`` and the pro-rata value (None after deadline).

    See the module docstring for the definitions.
    """
    if actual is None:
        return "not measurable", None
    tol = (TOLERANCE if target.measure in _MEASURED else 0.0) if tol is None else tol
    if _satisfied(actual, target.value, target.comparison, tol):
        return "met", None
    if as_of < target.deadline:
        exp = pro_rata(target, as_of)
        return ("on track" if actual >= exp * (1 - tol) - 1e-12 else "in progress"), exp
    return "behind", None


def _union_length_km(geoms: np.ndarray) -> float:
    if not len(geoms):
        return 0.0
    return float(shapely.length(shapely.union_all(geoms, grid_size=GRID_M))) / 1000.0


def _union_area_m2(geoms: np.ndarray) -> float:
    if not len(geoms):
        return 0.0
    return float(shapely.area(shapely.union_all(geoms)))


def _statuses(ws: Workspace, gdf: gpd.GeoDataFrame, as_of: dt.date) -> np.ndarray:
    if not len(gdf):
        return np.empty(0, dtype=object)
    return ws.status_as_of(as_of).statuses_of(gdf)


def _select(ws: Workspace, t: Target, gdf: gpd.GeoDataFrame, *, cumulative: bool) -> np.ndarray:
    mask = np.ones(len(gdf), dtype=bool)
    if t.work is not None:
        mask &= site_mask_for_work(gdf["works"], t.work)
    years = gdf["year"].to_numpy()
    if cumulative:
        mask &= years <= t.year
    else:
        mask &= (years >= t.start_year) & (years <= t.year)
    if t.where:
        mask &= where_mask(gdf, t.where)
    return mask


def _denominator_frame(ws: Workspace, t: Target) -> gpd.GeoDataFrame | None:
    assert t.denominator is not None
    den = ws.data.get(t.denominator.layer)
    if den is None:
        return None
    mask = np.ones(len(den), dtype=bool)
    if t.denominator.where:
        mask &= where_mask(den, t.denominator.where)
    spec = ws.layers.get(t.denominator.layer)
    if spec is not None and spec.is_sites and "year" in den.columns:
        mask &= den["year"].to_numpy() <= t.year
    return den[mask]


def _recorded(ws: Workspace, t: Target, as_of: dt.date) -> tuple[str | None, float | None]:
    if t.work is None:
        return None, None
    state = ws.status_as_of(as_of).works.get(t.work)
    if state is None:
        return None, None
    latest = ws.history.latest(as_of).get(str(t.work)) if state.source == "log" else None
    return state.status, (latest.percent if latest is not None else None)


def _measure_value(t: Target, m: gpd.GeoDataFrame, ws: Workspace) -> float:
    """The target's measure over the (already projected) selected sites ``m``."""
    measure = t.measure
    geoms = np.asarray(m.geometry.values, dtype=object)
    if measure in ("count", "share_count"):
        return float(len(m))
    if measure in ("length", "share_length"):
        return _union_length_km(geoms)
    if measure == "area":
        return _union_area_m2(geoms)
    if measure == "attr_sum":
        attr = METRICS[t.metric].attribute or ""
        if attr not in m.columns:
            return 0.0
        return float(pd.to_numeric(m[attr], errors="coerce").fillna(0).sum())
    raise ValueError(_("measure {measure!r} is not summed").format(measure=measure))


def _townships_hit(ws: Workspace, purpose: str, sites: gpd.GeoDataFrame,
                   crs: str) -> tuple[tuple[str, ...], int | None]:
    layer = layer_for(ws.layers, purpose)
    towns = ws.data.get(layer) if layer is not None else None
    if towns is None:
        return (), None
    if not len(sites) or not len(towns):
        return (), len(towns)
    tm = to_measure(towns, crs)
    sm = to_measure(sites, crs)
    tree = shapely.STRtree(np.asarray(tm.geometry.values, dtype=object))
    _, j = tree.query(np.asarray(sm.geometry.values, dtype=object), predicate="intersects")
    ids = tuple(sorted({str(x) for x in tm["id"].to_numpy()[np.unique(j)]}))
    return ids, len(towns)


def evaluate_target(ws: Workspace, t: Target, as_of: dt.date) -> TargetResult:
    """Compute one target on ``as_of``.

    Parameters
    ----------
    ws
        The workspace.
    t
        The target.
    as_of
        The date asked.

    Returns
    -------
    TargetResult
    """
    crs = ws.config.measure_crs or MEASURE_CRS
    base: dict[str, Any] = dict(
        id=t.id, work=t.work, metric=t.metric, name=t.name, year=t.year,
        start_year=t.start_year, measure=t.measure, unit=t.unit, comparison=t.comparison,
        target=t.value, as_of=as_of, layer=t.layer, note=t.note, flag=t.flag)
    if t.measure == "recorded" or t.layer is None:
        st, pct = _recorded(ws, t, as_of)
        note = ((t.note + "; " if t.note else "")
                + _("not measurable from geometry: the work's recorded status is shown"))
        return TargetResult(actual=None, verdict="not measurable", recorded_status=st,
                            recorded_percent=pct, **{**base, "note": note})
    gdf = ws.data.get(t.layer)
    if gdf is None:
        return TargetResult(actual=None, verdict="no data", **{
            **base, "note": (t.note + "; " if t.note else "") + (_("layer {layer!r} has no data")
                                                                 .format(layer=t.layer))})
    if t.measure == "area_each":
        return _area_each(ws, t, gdf, as_of, base, crs)
    share = t.measure in ("share_length", "share_count")
    sel = gdf[_select(ws, t, gdf, cumulative=share)]
    now = ws.history.status_on(sel, as_of) if len(sel) else None
    status = (np.asarray(now["status"].to_numpy(), dtype=object) if now is not None
              else np.empty(0, dtype=object))
    by_status = {s: int((status == s).sum()) for s in SITE_STATUSES if (status == s).any()}
    done = sel[status == DONE] if len(sel) else sel
    site_ids = tuple(str(i) for i in done["id"])
    township_layer = TOWNSHIP_METRICS.get(t.metric)
    counted: tuple[str, ...] = ()
    numerator: float | None = None
    denominator: float | None = None
    planned: float | None
    if township_layer is not None:
        counted, n_towns = _townships_hit(ws, township_layer, done, crs)
        planned_ids, _n = _townships_hit(ws, township_layer, sel, crs)
        if t.measure == "share_count":
            numerator = float(len(counted))
            denominator = float(n_towns) if n_towns is not None else None
            actual = 100.0 * numerator / denominator if denominator else None
            planned = 100.0 * len(planned_ids) / denominator if denominator else None
        else:
            actual = float(len(counted))
            planned = float(len(planned_ids))
    else:
        dm = to_measure(done, crs) if len(done) else done
        sm = to_measure(sel, crs) if len(sel) else sel
        value = _measure_value(t, dm, ws)
        planned_value = _measure_value(t, sm, ws)
        if share:
            den = _denominator_frame(ws, t)
            if den is None:
                return TargetResult(actual=None, verdict="no data", site_ids=site_ids,
                                    by_status=by_status, **{**base, "note": (
                                        t.note + "; " if t.note else "") + _(
                                        "denominator layer {layer!r} has no data").format(
                                        layer=t.denominator.layer if t.denominator else "")})
            if t.measure == "share_length":
                denominator = _union_length_km(np.asarray(
                    to_measure(den, crs).geometry.values, dtype=object)) if len(den) else 0.0
            else:
                denominator = float(len(den))
            numerator = value
            actual = 100.0 * value / denominator if denominator else None
            planned = 100.0 * planned_value / denominator if denominator else None
        else:
            actual, planned = value, planned_value
    if actual is None:
        return TargetResult(actual=None, verdict="no data", site_ids=site_ids,
                            by_status=by_status, numerator=numerator, denominator=denominator,
                            **{**base, "note": (t.note + "; " if t.note else "")
                               + _("the denominator is empty")})
    v, exp = verdict(t, actual, as_of)
    met_by_deadline = None
    actual_by_deadline = None
    late: dict[str, str] = {}
    if as_of > t.deadline:
        earlier = evaluate_target(ws, t, t.deadline)
        met_by_deadline = earlier.verdict == "met"
        actual_by_deadline = earlier.actual
        if now is not None:
            on_time = set(earlier.site_ids)
            when = dict(zip(sel["id"].astype(str), now["status_date"].astype(str),
                            strict=True))
            late = {i: when[i] for i in site_ids if i not in on_time}
    return TargetResult(
        actual=actual, verdict=v, expected=exp, planned=planned, numerator=numerator,
        denominator=denominator, site_ids=site_ids, counted_ids=counted, by_status=by_status,
        over=t.comparison == "=" and actual > t.value * (1 + 1e-9) + 1e-12,
        met_by_deadline=met_by_deadline, actual_by_deadline=actual_by_deadline, late=late,
        **base)


def _area_each(ws: Workspace, t: Target, gdf: gpd.GeoDataFrame, as_of: dt.date,
               base: dict[str, Any], crs: str) -> TargetResult:
    """Every site of the target year (a pilot zone) must have at least the value, km².

    A zone counts once designated (in the data), whatever the status of its works.
    """
    sel = gdf[gdf["year"].to_numpy() == t.year]
    if not len(sel):
        v, exp = verdict(t, 0.0, as_of)
        return TargetResult(actual=0.0, verdict=v, expected=exp, **{
            **base, "note": (t.note + "; " if t.note else "") + _("no zone for this year")})
    areas = np.asarray(shapely.area(to_measure(sel, crs).geometry.values)) / 1e6
    actual = float(areas.min())
    v, exp = verdict(t, actual, as_of, tol=0.0)
    note = _("smallest zone of the year, km²")
    if len(sel) > 1:
        note += (_("; {n} zones in {year} ({ids}): the plan asks for one a year")
                 .format(n=len(sel), year=t.year, ids=", ".join(map(str, sel["id"]))))
    small = [str(i) for i, a in zip(sel["id"], areas, strict=True) if a < t.value]
    if small:
        note += _("; below {value:g} km²: {ids}").format(value=t.value, ids=", ".join(small))
    return TargetResult(actual=actual, verdict=v, expected=exp, planned=actual,
                        site_ids=tuple(str(i) for i in sel["id"]),
                        **{**base, "note": (t.note + "; " if t.note else "") + note})


def target_results(ws: Workspace, as_of: dt.date, *, year: int | None = None) -> tuple[
        TargetResult, ...]:
    """Every target (of ``year``: those whose years include it) computed on ``as_of``."""
    out = []
    for t in ws.register.targets:
        if year is not None and not t.start_year <= year <= t.year:
            continue
        out.append(evaluate_target(ws, t, as_of))
    return tuple(out)


def is_finite(x: float | None) -> bool:
    """True for a finite number."""
    return x is not None and math.isfinite(x)
