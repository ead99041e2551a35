"""The metrics panel of a map: per target, the target against what is done, and counts by status.

The numbers come from the metrics code (:func:`citymap.metrics.compute_metrics`), never
from a template: the build computes one :class:`~citymap.metrics.MetricsResult` per date of
the date selector, :func:`panel_for` picks from it what one map shows (the targets of the
year, only the map's works' targets on a unit or action map, the health-check indicators
and the pilot zones), and :func:`panel_blob` turns that into the small JSON the map's script
draws as progress bars (with ``textContent``: no record text is ever parsed as HTML).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from citymap.vocab import METRICS, PLAN_YEARS, SITE_STATUSES, STATUS_EN

if TYPE_CHECKING:
    from citymap.metrics import MetricsResult, ZoneResult

__all__ = ["PanelRow", "IndicatorRow", "ZoneLabel", "Panel", "panel_year", "target_rows",
           "indicator_rows", "zone_labels", "panel_for", "panel_blob", "zone_blob",
           "COUNTY_SCOPES"]

#: Scopes of the indicators that hold for the whole county (not one pilot zone).
COUNTY_SCOPES = ("county", "county seat")


@attrs.frozen
class PanelRow:
    """One target as the panel shows it (from a :class:`citymap.metrics.TargetResult`).

    Attributes
    ----------
    id
        Target id (``"16.2"``).
    name, name_en
        Its name in the register (``改造老旧小区``) and the metric's English name.
    year, start_year
        The years of the target.
    target
        The target value.
    actual
        The value reached on the date asked, ``None`` when it cannot be measured.
    unit
        The unit of both.
    comparison
        ``">="`` or ``"="`` (read as "reached").
    verdict
        The metrics code's verdict: ``met``, ``on track``, ``in progress``, ``behind``,
        ``not measurable`` or ``no data``.
    work
        The work number, ``None`` for a plan-level target.
    recorded_status, recorded_percent
        For a target not measurable from geometry: the work's recorded status and percent.
    """

    id: str
    name: str
    year: int
    target: float
    actual: float | None
    unit: str
    verdict: str = ""
    work: int | None = None
    start_year: int | None = None
    comparison: str = ">="
    name_en: str = ""
    recorded_status: str | None = None
    recorded_percent: float | None = None

    @property
    def fraction(self) -> float | None:
        """``actual / target`` clipped to 0…1, ``None`` when unknown."""
        if self.actual is None or not self.target:
            return None
        return max(0.0, min(1.0, self.actual / self.target))


@attrs.frozen
class IndicatorRow:
    """One health-check indicator (e.g. park service-radius coverage, county-wide)."""

    key: str
    name: str
    name_en: str
    scope: str
    value: float | None
    unit: str
    standard: float
    comparison: str
    verdict: str


@attrs.frozen
class ZoneLabel:
    """What a pilot zone's label says on one date (from a :class:`citymap.metrics.ZoneResult`).

    Attributes
    ----------
    id, name, year
        The zone.
    area_km2, min_km2, below_min
        Its area (EPSG:4548), the required minimum and whether it falls short.
    covered_share
        Share of the zone (%) covered by the union of site footprints.
    done_share
        Share of the zone (%) covered by footprints of sites done on the date.
    """

    id: str
    name: str
    year: int
    area_km2: float
    min_km2: float
    below_min: bool
    covered_share: float
    done_share: float


@attrs.frozen
class Panel:
    """The panel of one date of the date selector.

    Attributes
    ----------
    as_of
        The date.
    year
        The year whose targets are shown (the date's year, within the plan's years).
    rows
        The targets.
    counts
        Sites by status (in :data:`citymap.vocab.SITE_STATUSES` order); when empty the map
        counts the sites it shows.
    indicators
        Health-check indicators shown under the targets (overview only).
    zones
        Every pilot zone measured on the date (for the zone labels).
    available
        False when no metrics were computed (the panel says so).
    warnings
        What the metrics code could not compute.
    """

    as_of: dt.date
    year: int
    rows: tuple[PanelRow, ...]
    counts: Mapping[str, int] = attrs.field(factory=dict)
    indicators: tuple[IndicatorRow, ...] = ()
    zones: tuple[ZoneLabel, ...] = ()
    available: bool = True
    warnings: tuple[str, ...] = ()


def panel_year(date: dt.date, years: tuple[int, int] = PLAN_YEARS) -> int:
    """The plan year whose targets a date shows: its own year, clamped to the plan's years
    (``years``: first and last, ``Workspace.plan_years``).
    """
    return max(years[0], min(date.year, years[1]))


def _finite(v: float | None) -> float | None:
    return None if v is None or not math.isfinite(v) else float(v)


def target_rows(result: MetricsResult, year: int | None = None,
                works: Collection[int] | None = None) -> tuple[PanelRow, ...]:
    """The targets of ``result`` as rows.

    Parameters
    ----------
    result
        The metrics of one date.
    year
        Only the targets whose years include it (as ``compute_metrics(year=...)`` selects).
    works
        Only the targets of these works (plan-level targets are left out); None: all.
    """
    rows = []
    for t in result.targets:
        if year is not None and not t.start_year <= year <= t.year:
            continue
        if works is not None and t.work not in works:
            continue
        m = METRICS.get(t.metric)
        rows.append(PanelRow(
            id=t.id, name=t.name, name_en=m.en if m else t.name, year=t.year,
            start_year=t.start_year, target=float(t.target), actual=_finite(t.actual),
            unit=t.unit, comparison=t.comparison, verdict=t.verdict, work=t.work,
            recorded_status=t.recorded_status, recorded_percent=_finite(t.recorded_percent)))
    return tuple(rows)


def indicator_rows(result: MetricsResult,
                   scopes: Collection[str] = COUNTY_SCOPES) -> tuple[IndicatorRow, ...]:
    """The indicators of ``result`` whose scope is in ``scopes`` (county-wide by default)."""
    return tuple(
        IndicatorRow(key=i.key, name=i.name, name_en=i.name_en, scope=i.scope,
                     value=_finite(i.value), unit=i.unit, standard=i.standard,
                     comparison=i.comparison, verdict=i.verdict)
        for i in result.indicators if i.scope in scopes)


def zone_labels(zones: Sequence[ZoneResult]) -> tuple[ZoneLabel, ...]:
    """Area and coverage of every pilot zone in ``zones``."""
    return tuple(
        ZoneLabel(id=z.id, name=z.name, year=z.year, area_km2=z.area_km2, min_km2=z.min_km2,
                  below_min=z.below_min, covered_share=z.covered_share,
                  done_share=float(z.by_status.get(SITE_STATUSES[2], {}).get("share", 0.0)))
        for z in zones)


def panel_for(result: MetricsResult | None, as_of: dt.date, *,
              works: Collection[int] | None = None,
              zones: Sequence[ZoneResult] | None = None,
              exclude_layers: Collection[str] | None = None,
              years: tuple[int, int] = PLAN_YEARS) -> Panel:
    """The panel of one map on one date.

    Parameters
    ----------
    result
        ``compute_metrics(ws, year=panel_year(as_of, years), as_of=as_of)``, or None when metrics
        are off (the panel then says so).
    as_of
        The date.
    works
        The map's works (unit and action maps): only their targets are shown, no indicators
        and no counts (the map counts the sites it shows). None: the overview.
    zones
        The pilot zones to label (default: those of ``result``); the build passes every
        zone (:func:`citymap.metrics.pilot_zone_results`).
    exclude_layers
        Site layers left out of the counts by status (default: the pilot zones' layer,
        ``result.zone_layer``: pilot zones are areas, not works).
    years
        The plan's first and last year (``Workspace.plan_years``), see :func:`panel_year`.
    """
    year = panel_year(as_of, years)
    if result is None:
        return Panel(as_of=as_of, year=year, rows=(), available=False)
    counts: dict[str, int] = {}
    if exclude_layers is None:
        exclude_layers = () if result.zone_layer is None else (result.zone_layer,)
    if works is None:
        counts = {s: 0 for s in SITE_STATUSES}
        for layer, by in result.counts_by_status.items():
            if layer in exclude_layers:
                continue
            for s in SITE_STATUSES:
                counts[s] += int(by.get(s, 0))
    return Panel(
        as_of=as_of, year=year, rows=target_rows(result, year, works), counts=counts,
        indicators=indicator_rows(result) if works is None else (),
        zones=zone_labels(result.zones if zones is None else zones), available=True,
        warnings=tuple(result.warnings))


def _round(v: float | None, digits: int = 3) -> float | int | None:
    if v is None:
        return None
    r = round(v, digits)
    return int(r) if float(r).is_integer() else r


def panel_blob(panel: Panel, lang: str = "zh") -> dict[str, Any]:
    """The JSON the map's script draws (``docs/map-data.md``, ``panel``).

    ``rows``: the targets, ``{id, name, years, target, actual, unit, comparison, verdict,
    recordedStatus, recordedPercent}`` (``years`` ``"2020"`` or ``"2020–2022"``);
    ``indicators``: ``{key, name, scope, value, unit, comparison, standard, verdict}``;
    ``ok``: metrics were computed; ``warnings``: what could not be computed. The build
    adds ``counts`` (sites by status) and ``late`` (the overdue counts).
    """
    en = lang == "en"
    rows = []
    for r in panel.rows:
        years = str(r.year) if r.start_year in (None, r.year) else f"{r.start_year}–{r.year}"
        status = r.recorded_status
        if status is not None and en:
            status = STATUS_EN.get(status, status)
        rows.append({"id": r.id, "name": (r.name_en or r.name) if en else r.name,
                     "years": years, "target": _round(r.target), "actual": _round(r.actual),
                     "unit": r.unit, "comparison": r.comparison, "verdict": r.verdict,
                     "recordedStatus": status, "recordedPercent": _round(r.recorded_percent)})
    return {
        "year": panel.year,
        "rows": rows,
        "indicators": [{"key": i.key, "name": i.name_en if en else i.name, "scope": i.scope,
                        "value": _round(i.value), "unit": i.unit, "comparison": i.comparison,
                        "standard": _round(i.standard), "verdict": i.verdict}
                       for i in panel.indicators],
        "ok": panel.available,
        "warnings": list(panel.warnings),
    }


def zone_blob(panels: Sequence[Panel], ids: Sequence[str]) -> dict[str, Any] | None:
    """Per date, per zone (in the order of ``ids``): ``[covered %, done %]`` or None.

    ``coverage[date][zone]`` is that pair.

    Also the area (km², from the first date that measured the zone), the minimum and the
    zones below it. None when no panel has zone results.
    """
    if not any(p.zones for p in panels):
        return None
    area: list[float | None] = [None] * len(ids)
    below = [0] * len(ids)
    min_km2: float | None = None
    per_date = []
    for p in panels:
        by_id = {z.id: z for z in p.zones}
        row: list[list[float | int | None] | None] = []
        for k, zid in enumerate(ids):
            z = by_id.get(zid)
            if z is None:
                row.append(None)
                continue
            if area[k] is None:
                area[k] = _round(z.area_km2, 2)
                below[k] = int(z.below_min)
                min_km2 = z.min_km2
            row.append([_round(z.covered_share, 1), _round(z.done_share, 1)])
        per_date.append(row)
    return {"area": area, "below": below, "min": _round(min_km2), "coverage": per_date}
