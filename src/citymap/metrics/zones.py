"""Pilot zones (试点片区): area, and how much of each zone the works have reached.

One zone a year, each of at least 2 km² (保障措施(三)); a zone is a site of the
``pilot_zones`` layer. For each zone, measured in EPSG:4548:

- its area in km², flagged when below the minimum;
- the share of the zone covered by the union of site footprints (polygons), by status on
  the date asked and by theme (the layer's ``theme``: 生态修复 城市更新 城市设计 垃圾分类
  清洁取暖). Overlaps are never counted twice: by status, a place covered by several sites
  counts once, under the most advanced status (已完成 > 进行中 > 滞后 > 未开始), so the
  status shares add up to the total; by theme, a place counts once per theme it is in;
- lines (roads, pipes, greenways) by the length of their union inside the zone, per
  layer, a line on the zone's boundary (within 5 cm) counting half
  (:func:`citymap.metrics.density.length_in_area`, the rule of the road density); points
  by count inside, per layer.

Cost: one STRtree per geometry kind over the *s* sites (O(s log s)); each zone queries it
and clips only the sites it touches, so *z* zones cost O(z log s + k) for *k* clipped
sites, plus the unions of the clipped footprints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely

from citymap.crs import MEASURE_CRS, to_measure
from citymap.i18n import N_, get_lang, tr
from citymap.layers import THEMES
from citymap.metrics.density import BOUNDARY_TOL_M, length_in_area
from citymap.metrics.targets import GRID_M
from citymap.vocab import BEHIND, DONE, NOT_STARTED, STARTED

__all__ = ["MIN_ZONE_KM2", "STATUS_ORDER", "ZoneResult", "zone_coverage",
           "crowded_years", "crowded_years_message"]

#: 保障措施(三): 每年确定1个不少于2平方公里的试点片区.
MIN_ZONE_KM2 = 2.0
#: Order in which overlapping footprints are attributed to a status.
STATUS_ORDER = (DONE, STARTED, BEHIND, NOT_STARTED)

GeomArray = npt.NDArray[np.object_]


@attrs.frozen
class ZoneResult:
    """The measures of one pilot zone.

    Attributes
    ----------
    id, name, year
        The zone.
    area_km2
        Its area (EPSG:4548).
    min_km2, below_min
        The required minimum and whether the zone is below it.
    covered_km2, covered_share
        Area of the zone covered by the union of site footprints, and its share (%).
    by_status, by_theme
        ``{status or theme: {"km2": …, "share": …}}``.
    lines
        ``{layer: {"km": …, "km_done": …}}`` inside the zone.
    points
        ``{layer: {"count": …, "done": …}}`` inside the zone.
    site_ids
        Every site counted in the zone.
    same_year
        The other zones of its year (the plan asks for one a year: not empty is a flag).
    """

    id: str
    name: str
    year: int
    area_km2: float
    min_km2: float
    below_min: bool
    covered_km2: float
    covered_share: float
    by_status: Mapping[str, Mapping[str, float]]
    by_theme: Mapping[str, Mapping[str, float]]
    lines: Mapping[str, Mapping[str, float]]
    points: Mapping[str, Mapping[str, int]]
    site_ids: tuple[str, ...] = ()
    as_of: dt.date | None = None
    same_year: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data."""
        d = attrs.asdict(self)
        d["site_ids"] = list(self.site_ids)
        d["same_year"] = list(self.same_year)
        d["as_of"] = self.as_of.isoformat() if self.as_of else None
        return d


def crowded_years(zones: gpd.GeoDataFrame) -> dict[int, tuple[str, ...]]:
    """The years with more than one pilot zone, and their zones' ids (in layer order).

    保障措施(三) asks for one zone a year (每年…确定1个不少于2平方公里的城市品质提升试点片区):
    a second zone in a year is reported by ``validate`` and flagged by ``metrics`` and the
    report, never passed silently.
    """
    if zones is None or not len(zones) or "year" not in zones.columns:
        return {}
    by_year: dict[int, list[str]] = {}
    for fid, year in zip(zones["id"].astype(str), zones["year"], strict=True):
        by_year.setdefault(int(year), []).append(fid)
    return {y: tuple(ids) for y, ids in sorted(by_year.items()) if len(ids) > 1}


#: Between the items of a list in a sentence (", "; in Chinese "、").
LIST_SEPARATOR = N_(", ")


def crowded_years_message(year: int, ids: tuple[str, ...], *, layer: str = "pilot_zones",
                          lang: str | None = None) -> str:
    """One line saying that ``year`` has several pilot zones and what to do (in ``lang``,
    by default the current language).
    """
    return tr(N_("{layer}: {year} has {n} pilot zones ({ids}); the plan asks for one a year "
                 "(保障措施(三)): keep one, or correct the others' year"),
              lang or get_lang()).format(layer=layer, year=year, n=len(ids),
                                         ids=tr(LIST_SEPARATOR, lang or get_lang()).join(ids))


def _area(geoms: GeomArray) -> float:
    if not len(geoms):
        return 0.0
    return float(shapely.area(shapely.union_all(geoms)))


def _length_km(geoms: GeomArray, zone: shapely.Geometry) -> float:
    return length_in_area(shapely.union_all(geoms, grid_size=GRID_M), zone) / 1000.0


def _clip(geoms: GeomArray, zone: shapely.Geometry) -> GeomArray:
    """Parts of ``geoms`` inside ``zone``; geometries wholly inside are not intersected."""
    inside = shapely.contains_properly(zone, geoms)
    out = geoms.copy()
    rest = ~inside
    if rest.any():
        out[rest] = shapely.intersection(geoms[rest], zone)
    return out


def zone_coverage(
    zones: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    crs: str = MEASURE_CRS,
    min_km2: float = MIN_ZONE_KM2,
    themes: Iterable[str] = THEMES,
    as_of: dt.date | None = None,
) -> list[ZoneResult]:
    """Measure every zone against the sites.

    Parameters
    ----------
    zones
        The pilot zones: ``id``, ``name``, ``year`` and polygon geometry (any CRS).
    sites
        The sites: ``id``, ``layer``, ``status`` (on the date asked), ``theme`` (may be
        empty) and geometry (any CRS). Zones themselves must not be among them.
    crs
        The metric CRS.
    min_km2
        The minimum area of a zone.
    themes
        The themes reported (each always present, 0 when absent).
    as_of
        The date the statuses hold on (recorded in the results).

    Returns
    -------
    list of ZoneResult
        In the order of ``zones``.
    """
    zm = to_measure(zones, crs) if len(zones) else zones
    sm = to_measure(sites, crs) if len(sites) else sites
    geoms = np.asarray(sm.geometry.values, dtype=object) if len(sm) else np.empty(0, object)
    tid = shapely.get_type_id(geoms) if len(geoms) else np.empty(0, int)
    kinds = {"polygon": np.isin(tid, (3, 6)), "line": np.isin(tid, (1, 2, 5)),
             "point": np.isin(tid, (0, 4))}
    ids = sm["id"].astype(str).to_numpy() if len(sm) else np.empty(0, object)
    layer = sm["layer"].astype(str).to_numpy() if len(sm) else np.empty(0, object)
    status = sm["status"].astype(str).to_numpy() if len(sm) else np.empty(0, object)
    theme = (sm["theme"].fillna("").astype(str).to_numpy() if len(sm) and "theme" in sm
             else np.full(len(sm), "", dtype=object))
    trees = {k: (np.flatnonzero(m), shapely.STRtree(geoms[m])) for k, m in kinds.items()}
    theme_list = list(themes)
    out = []
    for rec, zone in zip(zm.drop(columns=zm.geometry.name).to_dict("records"),
                         zm.geometry.values, strict=True):
        shapely.prepare(zone)
        za = float(shapely.area(zone))
        found: dict[str, np.ndarray] = {}
        for k, (index, tree) in trees.items():
            hit = (tree.query(zone, predicate="dwithin", distance=BOUNDARY_TOL_M)
                   if k == "line" else tree.query(zone, predicate="intersects"))
            found[k] = index[hit]
        # polygons
        pidx = found["polygon"]
        clipped = _clip(geoms[pidx], zone) if len(pidx) else np.empty(0, object)
        by_status: dict[str, dict[str, float]] = {}
        union_so_far: shapely.Geometry = shapely.Polygon()
        area_so_far = 0.0
        for st in STATUS_ORDER:
            sel = clipped[status[pidx] == st]
            if len(sel):
                union_so_far = shapely.union_all(np.concatenate([[union_so_far], sel]))
            a = float(shapely.area(union_so_far))
            by_status[st] = {"km2": (a - area_so_far) / 1e6,
                             "share": 100.0 * (a - area_so_far) / za if za else 0.0}
            area_so_far = a
        other = clipped[~np.isin(status[pidx], STATUS_ORDER)]
        if len(other):
            union_so_far = shapely.union_all(np.concatenate([[union_so_far], other]))
        covered = float(shapely.area(union_so_far))
        by_theme: dict[str, dict[str, float]] = {}
        for th in theme_list + sorted(set(theme[pidx]) - set(theme_list) - {""}):
            a = _area(clipped[theme[pidx] == th])
            by_theme[th] = {"km2": a / 1e6, "share": 100.0 * a / za if za else 0.0}
        # lines
        lidx = found["line"]
        lines: dict[str, dict[str, float]] = {}
        if len(lidx):
            lgeoms = geoms[lidx]
            for lay in sorted(set(layer[lidx])):
                m = layer[lidx] == lay
                done = m & (status[lidx] == STATUS_ORDER[0])
                lines[lay] = {"km": _length_km(lgeoms[m], zone),
                              "km_done": _length_km(lgeoms[done], zone) if done.any() else 0.0}
        # points
        qidx = found["point"]
        points: dict[str, dict[str, int]] = {}
        for lay in sorted(set(layer[qidx])):
            m = layer[qidx] == lay
            points[lay] = {"count": int(m.sum()),
                           "done": int((m & (status[qidx] == STATUS_ORDER[0])).sum())}
        area_km2 = za / 1e6
        out.append(ZoneResult(
            id=str(rec.get("id", "")), name=str(rec.get("name", "") or ""),
            year=int(rec.get("year", 0) or 0), area_km2=area_km2, min_km2=min_km2,
            below_min=area_km2 < min_km2, covered_km2=covered / 1e6,
            covered_share=100.0 * covered / za if za else 0.0, by_status=by_status,
            by_theme=by_theme, lines=lines, points=points,
            site_ids=tuple(sorted(set(ids[np.concatenate(list(found.values()))]))),
            as_of=as_of))
    return out
