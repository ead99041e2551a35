"""Coverage and progress metrics: targets from data, pilot zones, park service radius and
road network density, computed from a loaded workspace on a date.

Everything is a pure function of the :class:`~citymap.workspace.Workspace` and the date;
results are plain records (attrs) with ``to_dict()`` for maps, reports and JSON/CSV.

Examples
--------
>>> from citymap.workspace import load_workspace  # doctest: +SKIP
>>> res = compute_metrics(load_workspace("."), year=2021)  # doctest: +SKIP
>>> [(t.id, t.actual, t.verdict) for t in res.targets][:1]  # doctest: +SKIP
[('2.2', 62.5, 'behind')]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import geopandas as gpd
import numpy as np
import pandas as pd

from citymap import __version__
from citymap.crs import LONLAT_CRS, MEASURE_CRS, to_measure
from citymap.errors import CitymapError
from citymap.i18n import _
from citymap.layers import layer_for, layers_for
from citymap.metrics.density import density_indicator, road_density
from citymap.metrics.output import measurement
from citymap.metrics.service import (
    DEFAULT_RULES,
    GB55014_STANDARD,
    Indicator,
    RadiusRule,
    park_service_coverage,
    service_area,
    service_coverage_layer,
    verdict_of,
    whole_parks,
)
from citymap.metrics.targets import TargetResult, target_results
from citymap.metrics.zones import (
    MIN_ZONE_KM2,
    ZoneResult,
    crowded_years,
    crowded_years_message,
    zone_coverage,
)
from citymap.vocab import DONE, METRICS, SITE_STATUSES
from citymap.workspace import Workspace

__all__ = [
    "MetricsResult",
    "TargetResult",
    "ZoneResult",
    "Indicator",
    "RadiusRule",
    "DEFAULT_RULES",
    "compute_metrics",
    "pilot_zone_results",
    "default_as_of",
    "plan_total",
    "residential_coverage_layer",
    "park_frame",
]

SERVICE_SOURCE = ("2021年城市体检指标 (300 m: 2000–5000 m² 公园; 500 m: ≥5000 m²); "
                  "GB 55014-2021 要求 > 80%")


@attrs.frozen
class MetricsResult:
    """Everything ``citymap metrics`` computes, on one date.

    Attributes
    ----------
    workspace, county
        Names from ``citymap.toml``.
    as_of
        The date the statuses hold on.
    year, zone
        The filters asked (None: all).
    schematic
        True when the data is schematic (示意).
    targets
        Every target computed.
    zones
        Every pilot zone measured.
    indicators
        Park service-radius coverage and road-network density, county-wide and per zone.
    counts_by_status
        ``{layer: {status: n}}`` of every site layer on the date asked.
    warnings
        What could not be computed and why.
    zone_layer
        The layer of the pilot zones (purpose ``pilot_zones``), if any.
    measurement
        How lengths and areas are measured (:func:`citymap.metrics.output.measurement`).
    """

    workspace: str
    county: str
    as_of: dt.date
    year: int | None
    zone: str | None
    schematic: bool
    targets: tuple[TargetResult, ...]
    zones: tuple[ZoneResult, ...]
    indicators: tuple[Indicator, ...]
    counts_by_status: Mapping[str, Mapping[str, int]]
    warnings: tuple[str, ...] = ()
    version: str = __version__
    zone_layer: str | None = None
    measurement: Mapping[str, Any] = attrs.field(factory=dict)

    def series(self) -> list[dict[str, Any]]:
        """Planned vs done by year, per metric: ``[{metric, unit, points, total}, ...]``.

        Each point is a target on :attr:`as_of`, with ``by_deadline`` (the value on its
        deadline: the yearly verdict's) and ``late`` (``{site: day done}``: done after
        the deadline). ``total`` is the plan total of an additive metric (counts, lengths,
        areas, sums) whose targets' years do not overlap, None otherwise: the targets
        summed, ``actual`` every site done by :attr:`as_of` (late ones included),
        ``by_deadline`` those done in their year, and ``late``.
        """
        out: dict[str, dict[str, Any]] = {}
        for t in self.targets:
            m = METRICS.get(t.metric)
            entry = out.setdefault(t.metric, {
                "metric": t.metric, "zh": m.zh if m else t.metric, "en": m.en if m else "",
                "unit": t.unit, "points": [], "total": None})
            entry["points"].append({"id": t.id, "year": t.year, "start_year": t.start_year,
                                    "target": t.target, "actual": t.actual,
                                    "planned": t.planned, "verdict": t.verdict,
                                    "by_deadline": (t.actual_by_deadline
                                                    if t.met_by_deadline is not None
                                                    else t.actual),
                                    "late": dict(t.late)})
        for metric, entry in out.items():
            entry["total"] = plan_total([t for t in self.targets if t.metric == metric])
        return list(out.values())

    def to_dict(self) -> dict[str, Any]:
        """The whole result as plain data (JSON-ready)."""
        return {
            "workspace": self.workspace, "county": self.county,
            "as_of": self.as_of.isoformat(), "year": self.year, "zone": self.zone,
            "schematic": self.schematic, "version": self.version,
            "targets": [t.to_dict() for t in self.targets],
            "zones": [z.to_dict() for z in self.zones],
            "indicators": [i.to_dict() for i in self.indicators],
            "counts_by_status": {k: dict(v) for k, v in self.counts_by_status.items()},
            "series": self.series(), "warnings": list(self.warnings),
            "measurement": dict(self.measurement),
        }


#: Measures whose yearly values add up to a plan total.
ADDITIVE_MEASURES = ("count", "length", "area", "attr_sum")


def plan_total(targets: Sequence[TargetResult]) -> dict[str, Any] | None:
    """The plan total of one metric's targets (see :meth:`MetricsResult.series`).

    None unless every target is of an additive measure and measured, and their years do
    not overlap (a cumulative or multi-year target is its own total).
    """
    if not targets or any(t.measure not in ADDITIVE_MEASURES or t.actual is None
                          for t in targets):
        return None
    years = [y for t in targets for y in range(t.start_year, t.year + 1)]
    if len(years) != len(set(years)):
        return None
    late = {i: d for t in targets for i, d in t.late.items()}
    by_deadline = [t.actual_by_deadline if t.met_by_deadline is not None else t.actual
                   for t in targets]
    return {"ids": [t.id for t in targets], "years": [min(years), max(years)],
            "target": float(sum(t.target for t in targets)),
            "actual": float(sum(t.actual or 0.0 for t in targets)),
            "by_deadline": float(sum(v or 0.0 for v in by_deadline)),
            "late": late}


def default_as_of(year: int | None, today: dt.date | None = None) -> dt.date:
    """Today, or 31 December of ``year`` when that is earlier."""
    today = today or dt.date.today()
    if year is None:
        return today
    return min(today, dt.date(year, 12, 31))


def _status_frame(ws: Workspace, gdf: gpd.GeoDataFrame, as_of: dt.date) -> gpd.GeoDataFrame:
    out = gdf.copy()
    if len(out):
        out["status"] = ws.status_as_of(as_of).statuses_of(gdf)
    return out


def park_frame(ws: Workspace, as_of: dt.date) -> gpd.GeoDataFrame:
    """The parks serving residents on ``as_of``: the parks (layers of purpose ``parks``) plus
    the parks built (purpose ``new_parks``) done on that day.
    """
    frames = []
    for name in layers_for(ws.layers, "parks"):
        if name in ws.data and len(ws.data[name]):
            frames.append(ws.data[name][["id", ws.data[name].geometry.name]])
    for lay in layers_for(ws.layers, "new_parks"):
        gdf = ws.data.get(lay)
        if gdf is not None and len(gdf):
            st = _status_frame(ws, gdf, as_of)
            frames.append(st.loc[st["status"] == DONE, ["id", st.geometry.name]])
    frames = [f.rename_geometry("geometry") if f.geometry.name != "geometry" else f
              for f in frames]
    if not frames:
        return gpd.GeoDataFrame({"id": []}, geometry=[], crs=LONLAT_CRS)
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=LONLAT_CRS)


def _responsible(ws: Workspace, purpose: str) -> str:
    """The lead units of the first work of the layers of ``purpose`` (``""`` when none)."""
    for layer in layers_for(ws.layers, purpose):
        for n in ws.layers[layer].works:
            try:
                return "、".join(ws.register.work(n).lead_units)
            except KeyError:
                continue
    return ""


def _layer_data(ws: Workspace, purpose: str) -> tuple[str | None, gpd.GeoDataFrame | None]:
    """The name and data of the layer of ``purpose``, if the workspace has one."""
    name = layer_for(ws.layers, purpose)
    return name, (ws.data.get(name) if name is not None else None)


def residential_coverage_layer(ws: Workspace, *, as_of: dt.date | None = None,
                               rules: Sequence[RadiusRule] = DEFAULT_RULES
                               ) -> gpd.GeoDataFrame:
    """Residential land split into parts covered / not covered by a park's service radius.

    For the map: lon/lat, columns ``id``, ``name``, ``covered``, ``area_m2``. Empty when the
    workspace has no residential layer.
    """
    as_of = as_of or dt.date.today()
    _layer, res = _layer_data(ws, "residential")
    if res is None:
        return gpd.GeoDataFrame({"id": [], "name": [], "covered": [], "area_m2": []},
                                geometry=[], crs=LONLAT_CRS)
    return service_coverage_layer(res, park_frame(ws, as_of), rules=rules,
                                  crs=ws.config.measure_crs or MEASURE_CRS)


def _service_indicator(res: gpd.GeoDataFrame, parks: gpd.GeoDataFrame, *, scope: str,
                       responsible: str, rules: Sequence[RadiusRule], crs: str,
                       service: Any = None) -> Indicator:
    # every core (at most 4), as the benchmark: the per-parcel areas do not depend on the
    # split, and their sum is taken in one order, so the result is the same bit for bit
    cov = park_service_coverage(res, parks, rules=rules, crs=crs, workers=None, service=service)
    return Indicator(
        key="park_service_coverage", name="公园绿地服务半径覆盖率",
        name_en="park service-radius coverage", scope=scope, value=cov.value, unit="%",
        standard=GB55014_STANDARD, comparison=">",
        verdict=verdict_of(cov.value, GB55014_STANDARD, ">"), responsible=responsible,
        source=SERVICE_SOURCE,
        note=(_("{covered:.4f} of {residential:.4f} km² residential land; {used} parks within "
                "a rule, {ignored} below")
              .format(covered=cov.covered_m2 / 1e6, residential=cov.residential_m2 / 1e6,
                      used=cov.parks_used, ignored=cov.parks_ignored)),
        numerator=cov.covered_m2, denominator=cov.residential_m2)


def _clip_to(measured: gpd.GeoDataFrame, tree: Any, zone_m: Any, crs: str) -> gpd.GeoDataFrame:
    """The features of ``measured`` (in ``crs``, indexed by ``tree``) cut to ``zone_m``."""
    import shapely

    geoms = np.asarray(measured.geometry.values, dtype=object)
    hit = np.sort(tree.query(zone_m, predicate="intersects"))
    clipped = shapely.intersection(geoms[hit], zone_m)
    return gpd.GeoDataFrame({"id": measured["id"].to_numpy()[hit]}, geometry=clipped, crs=crs)


def pilot_zone_results(ws: Workspace, as_of: dt.date,
                       zones: gpd.GeoDataFrame | None = None) -> tuple[ZoneResult, ...]:
    """Every pilot zone (or ``zones``, rows of the pilot-zone layer) measured on ``as_of``.

    The zones' results of :func:`compute_metrics`, without the targets and indicators (for
    the maps, which label every zone on every date).
    """
    zone_layer, zdata = _layer_data(ws, "pilot_zones")
    zgdf = zdata if zones is None else zones
    if zgdf is None or not len(zgdf):
        return ()
    sites = ws.sites()
    sites = sites[sites["layer"] != zone_layer] if len(sites) else sites
    if len(sites):
        sites = sites.assign(
            status=ws.status_as_of(as_of).statuses_of(sites),
            theme=[ws.layers[lay].theme for lay in sites["layer"]])
    min_km2 = next((t.value for t in ws.register.targets if t.measure == "area_each"),
                   MIN_ZONE_KM2)
    crowded = crowded_years(zdata if zdata is not None else zgdf)
    return tuple(
        attrs.evolve(z, same_year=tuple(i for i in crowded.get(z.year, ()) if i != z.id))
        for z in zone_coverage(zgdf, sites, crs=ws.config.measure_crs or MEASURE_CRS,
                               min_km2=min_km2, as_of=as_of))


def _selected_zones(ws: Workspace, year: int | None, zone: str | None,
                    warnings: list[str]) -> tuple[str | None, gpd.GeoDataFrame | None]:
    """The pilot-zone layer and its zones asked for (of ``year``; only ``zone``)."""
    zone_layer, zgdf = _layer_data(ws, "pilot_zones")
    zones_sel = zgdf
    if zones_sel is not None and year is not None:
        zones_sel = zones_sel[zones_sel["year"].to_numpy() == year]
    if zone is not None:
        if zones_sel is None or zone not in set(zones_sel["id"].astype(str)):
            known = sorted(zgdf["id"].astype(str)) if zgdf is not None else []
            zones = ", ".join(known) or "—"
            if year:
                raise CitymapError(_("{zone!r} is not a pilot zone of {year}; the zones are "
                                     "{zones}").format(zone=zone, year=year, zones=zones))
            raise CitymapError(_("{zone!r} is not a pilot zone; the zones are {zones}")
                               .format(zone=zone, zones=zones))
        zones_sel = zones_sel[zones_sel["id"].astype(str) == zone]
    if zgdf is None:
        warnings.append(_("no layer of purpose 'pilot_zones': pilot zones not measured"))
    else:
        warnings.extend(crowded_years_message(y, ids, layer=zone_layer or "")
                        for y, ids in crowded_years(zgdf).items()
                        if year is None or y == year)
    return zone_layer, zones_sel


def _service_indicators(ws: Workspace, as_of: dt.date, zone_geoms: list[tuple[str, Any]], *,
                        county: bool, rules: Sequence[RadiusRule], crs: str,
                        warnings: list[str]) -> list[Indicator]:
    """Park service-radius coverage, county-wide (if ``county``) and per zone.

    The parks' service area is built once and the residential land projected and indexed
    once, whatever the number of zones.
    """
    import shapely

    _layer, res = _layer_data(ws, "residential")
    if res is None:
        warnings.append(_("no residential land layer: park service-radius coverage not computed"))
        return []
    parks = park_frame(ws, as_of)
    unit = _responsible(ws, "new_parks")
    park_geoms = (whole_parks(np.asarray(to_measure(parks, crs).geometry.values, dtype=object))
                  if len(parks) else np.empty(0, dtype=object))
    service = service_area(park_geoms, rules)
    out = []
    if county:
        out.append(_service_indicator(res, parks, scope="county", responsible=unit,
                                      rules=rules, crs=crs, service=service))
    if zone_geoms:
        res_m = to_measure(res, crs)
        tree = shapely.STRtree(np.asarray(res_m.geometry.values, dtype=object))
        for zid, zg in zone_geoms:
            out.append(_service_indicator(_clip_to(res_m, tree, zg, crs), parks, scope=zid,
                                          responsible=unit, rules=rules, crs=crs,
                                          service=service))
    return out


def _density_indicators(ws: Workspace, zone_geoms: list[tuple[str, Any]], *, county: bool,
                        crs: str, warnings: list[str]) -> list[Indicator]:
    """Road network density of the county seat (if ``county``) and of every zone."""
    import shapely

    _layer, roads = _layer_data(ws, "roads")
    _layer, built = _layer_data(ws, "built_up")
    if roads is None:
        warnings.append(_("no roads layer: road network density not computed"))
        return []
    unit = _responsible(ws, "new_roads")
    roads_m = to_measure(roads, crs) if len(roads) else roads  # projected once for all zones
    built_geom = None
    if built is not None and len(built):
        built_geom = shapely.union_all(np.asarray(
            to_measure(built, crs).geometry.values, dtype=object))
    out = []
    if built_geom is None:
        warnings.append(_("no built-up area layer: county-seat road density not computed; zones "
                          "use their whole area"))
    elif county:
        km, km2, d = road_density(roads_m, built_geom, crs=crs)
        out.append(density_indicator(km, km2, d, scope="county seat", responsible=unit))
    for zid, zg in zone_geoms:
        area = zg if built_geom is None else shapely.intersection(zg, built_geom)
        km, km2, d = road_density(roads_m, area, crs=crs)
        out.append(density_indicator(km, km2, d, scope=zid, responsible=unit))
    return out


def compute_metrics(
    ws: Workspace,
    *,
    year: int | None = None,
    as_of: dt.date | None = None,
    zone: str | None = None,
    rules: Sequence[RadiusRule] = DEFAULT_RULES,
) -> MetricsResult:
    """Compute every target, pilot zone and indicator of ``ws`` on a date.

    Parameters
    ----------
    ws
        The loaded workspace.
    year
        Only targets whose years include it, and the pilot zones of that year.
    as_of
        The date statuses hold on (default: today, or 31 December of ``year`` if earlier).
    zone
        Only this pilot zone (its id).
    rules
        Park service-radius rules.

    Returns
    -------
    MetricsResult

    Raises
    ------
    CitymapError
        If ``zone`` is not a pilot zone of the workspace.
    """
    as_of = as_of or default_as_of(year)
    crs = ws.config.measure_crs or MEASURE_CRS
    warnings: list[str] = []
    targets = target_results(ws, as_of, year=year)
    zone_layer, zones_sel = _selected_zones(ws, year, zone, warnings)
    zone_results: tuple[ZoneResult, ...] = ()
    zone_geoms: list[tuple[str, Any]] = []
    if zones_sel is not None and len(zones_sel):
        zone_results = pilot_zone_results(ws, as_of, zones_sel)
        zm = to_measure(zones_sel, crs)
        zone_geoms = list(zip(zm["id"].astype(str), zm.geometry.values, strict=True))
    indicators = _service_indicators(ws, as_of, zone_geoms, county=zone is None, rules=rules,
                                     crs=crs, warnings=warnings)
    indicators += _density_indicators(ws, zone_geoms, county=zone is None, crs=crs,
                                      warnings=warnings)
    counts: dict[str, dict[str, int]] = {}
    for lay in ws.site_layers:
        gdf = ws.data.get(lay)
        if gdf is None:
            continue
        st = pd.Series(ws.status_as_of(as_of).statuses_of(gdf), dtype=object)
        counts[lay] = {s: int((st == s).sum()) for s in SITE_STATUSES}
    return MetricsResult(
        workspace=ws.config.name, county=ws.config.county, as_of=as_of, year=year, zone=zone,
        schematic=ws.config.schematic or ws.is_schematic, targets=targets, zones=zone_results,
        indicators=tuple(indicators), counts_by_status=counts, warnings=tuple(warnings),
        zone_layer=zone_layer,
        measurement=measurement(crs, ws.config.bounds))
