"""Park service-radius coverage (公园绿地服务半径覆盖率), the 城市体检 indicator.

The indicator is the share of residential land lying within the walking radius of a park.
By default (the 2021 城市体检 definition, the same as GB/T 50563-2010《城市园林绿化评价标准》):
parks of 2 000–5 000 m² serve 300 m, parks of at least 5 000 m² serve 500 m. GB 55014-2021
《园林绿化工程项目规范》 asks for more than 80 %. Pocket parks below 2 000 m² can be let in
with their own rule (:data:`POCKET_PARK_RULE`: ≥ 1 000 m², 300 m, which GB/T 50563-2010
allows in historic districts).

Algorithm (exact, area-weighted), with *n* parcels, *p* parks and *V* vertices of the
service area:

1. buffer each park by its radius and union the buffers (GEOS cascaded union,
   O(p log p) in the number of buffers);
2. cut the union into pieces of at most ``max_vertices`` vertices by recursive halving of
   bounding boxes (like PostGIS ``ST_Subdivide``, O(V log V)); the pieces partition the
   service area;
3. put the pieces in an ``STRtree`` and query it with every parcel's envelope
   (O(n log P) for P pieces); for each (parcel, piece) pair a prepared
   ``contains_properly`` says whether the parcel lies wholly inside (its whole area
   counts); only the pairs cut by a piece boundary are intersected, and each intersection
   is between a small parcel and a piece of bounded size (O(1)). The parcels are split in
   chunks processed on ``workers`` threads (shapely releases the GIL).

Total O(p log p + V log V + n log P), linear in *n* with a small constant; no
intersection ever touches the whole service area. The result agrees with
``geopandas.overlay(residential, union_of_buffers)`` to rounding (≈ 1e-12 relative).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree

from citymap.crs import LONLAT_CRS, MEASURE_CRS, to_measure

__all__ = [
    "RadiusRule",
    "DEFAULT_RULES",
    "POCKET_PARK_RULE",
    "GB55014_STANDARD",
    "Indicator",
    "ServiceCoverage",
    "split_by_service",
    "whole_parks",
    "park_radii",
    "service_area",
    "subdivide",
    "covered_area",
    "park_service_coverage",
    "service_coverage_layer",
]

FloatArray = npt.NDArray[np.float64]
GeomArray = npt.NDArray[np.object_]

#: Segments per quarter circle of the buffers (geopandas' default).
QUAD_SEGS = 16
#: GB 55014-2021: the coverage must exceed 80 %.
GB55014_STANDARD = 80.0
_SRC_2021 = "2021年城市体检指标 (住房和城乡建设部); GB/T 50563-2010"


@attrs.frozen
class RadiusRule:
    """Parks with ``min_area_m2 <= area < max_area_m2`` serve ``radius_m`` metres.

    Attributes
    ----------
    min_area_m2, max_area_m2
        The park sizes the rule applies to (m², measured in EPSG:4548).
    radius_m
        The walking radius served.
    source
        Where the rule comes from.
    """

    min_area_m2: float
    max_area_m2: float
    radius_m: float
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The rule as plain data (``max_area_m2`` None when unbounded)."""
        return {"min_area_m2": self.min_area_m2,
                "max_area_m2": None if math.isinf(self.max_area_m2) else self.max_area_m2,
                "radius_m": self.radius_m, "source": self.source}


#: The 2021 城市体检 definition: 300 m for 2 000–5 000 m² parks, 500 m for ≥ 5 000 m².
DEFAULT_RULES: tuple[RadiusRule, ...] = (
    RadiusRule(2000.0, 5000.0, 300.0, _SRC_2021),
    RadiusRule(5000.0, math.inf, 500.0, _SRC_2021),
)
#: Optional rule for pocket parks: ≥ 1 000 m² serve 300 m (GB/T 50563-2010, historic
#: districts). Use ``rules=(POCKET_PARK_RULE, *DEFAULT_RULES)``.
POCKET_PARK_RULE = RadiusRule(1000.0, 2000.0, 300.0, "GB/T 50563-2010 (历史文化街区)")


@attrs.frozen
class Indicator:
    """One health-check (城市体检) indicator record.

    Attributes
    ----------
    key, name, name_en
        The indicator.
    scope
        ``"county"``, ``"county seat"`` or a pilot zone id.
    value, unit
        The value found.
    standard, comparison
        The standard value and how the value must compare with it (``">"``, ``">="``).
    verdict
        ``"met"`` / ``"not met"`` (达标 / 未达标), or ``"no data"``.
    responsible
        The unit responsible.
    source
        Where the standard comes from.
    note
        How it was computed.
    """

    key: str
    name: str
    name_en: str
    scope: str
    value: float | None
    unit: str
    standard: float
    comparison: str
    verdict: str
    responsible: str = ""
    source: str = ""
    note: str = ""
    numerator: float | None = None
    denominator: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record as plain data."""
        return attrs.asdict(self)


def verdict_of(value: float | None, standard: float, comparison: str) -> str:
    """``"met"``/``"not met"`` of ``value`` against ``standard``; ``"no data"`` for None."""
    if value is None or not math.isfinite(value):
        return "no data"
    ok = value > standard if comparison == ">" else value >= standard
    return "met" if ok else "not met"


@attrs.frozen
class ServiceCoverage:
    """The result of :func:`park_service_coverage`.

    Attributes
    ----------
    value
        Covered share of residential land, %.
    covered_m2, residential_m2
        Covered and total residential area (m²).
    parcels, parks_used, parks_ignored
        Counts: residential parcels; parks (a multipolygon is one park) within a rule;
        parks below every rule.
    rules
        The rules applied.
    exact
        True for area-exact coverage, False when a parcel counts whole if its
        representative point is covered.
    per_parcel_m2
        Covered area of every parcel, in input order (not part of :meth:`to_dict`).
    """

    value: float | None
    covered_m2: float
    residential_m2: float
    parcels: int
    parks_used: int
    parks_ignored: int
    rules: tuple[RadiusRule, ...]
    exact: bool
    per_parcel_m2: FloatArray = attrs.field(eq=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The result as plain data."""
        return {"value": self.value, "unit": "%", "covered_m2": self.covered_m2,
                "residential_m2": self.residential_m2, "parcels": self.parcels,
                "parks_used": self.parks_used, "parks_ignored": self.parks_ignored,
                "rules": [r.to_dict() for r in self.rules], "exact": self.exact}


def _polygonal(geoms: GeomArray) -> GeomArray:
    parts = shapely.get_parts(geoms)
    keep = np.isin(shapely.get_type_id(parts), (3, 6)) & ~shapely.is_empty(parts)
    return np.asarray(parts[keep], dtype=object)


def whole_parks(geoms: GeomArray) -> GeomArray:
    """Every park as one (multi)polygon of its polygonal parts; parks without one dropped.

    A park's size is the whole park's: a MultiPolygon park of two 1 600 m² parts is a
    3 200 m² park (300 m), not two parks below every rule.
    """
    geoms = np.asarray(geoms, dtype=object)
    if not len(geoms):
        return np.empty(0, dtype=object)
    parts, index = shapely.get_parts(geoms, return_index=True)
    while True:  # polygons inside collections inside collections: down to single ones
        multi = np.isin(shapely.get_type_id(parts), (6, 7))
        if not multi.any():
            break
        sub, j = shapely.get_parts(parts[multi], return_index=True)
        parts = np.concatenate([parts[~multi], sub])
        index = np.concatenate([index[~multi], index[multi][j]])
    order = np.argsort(index, kind="stable")
    parts, index = parts[order], index[order]
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    parts, index = parts[keep], index[keep]
    if not len(parts):
        return np.empty(0, dtype=object)
    _, dense = np.unique(index, return_inverse=True)
    whole = shapely.multipolygons(parts, indices=dense)
    # a park of one polygon stays a Polygon (as it was drawn)
    single = np.bincount(dense) == 1
    first = np.flatnonzero(np.r_[True, np.diff(dense) != 0])
    whole[single] = parts[first[single]]
    return np.asarray(whole, dtype=object)


def park_radii(park_geoms: GeomArray, rules: Sequence[RadiusRule]) -> FloatArray:
    """The radius each park serves (m), NaN when no rule applies (areas in the input CRS).

    Each element is one whole park (see :func:`whole_parks`): its area decides.
    """
    area = shapely.area(park_geoms)
    radius = np.full(len(park_geoms), np.nan)
    for rule in rules:  # first matching rule wins
        hit = np.isnan(radius) & (area >= rule.min_area_m2) & (area < rule.max_area_m2)
        radius[hit] = rule.radius_m
    return radius


def service_area(park_geoms: GeomArray, rules: Sequence[RadiusRule] = DEFAULT_RULES,
                 *, quad_segs: int = QUAD_SEGS) -> shapely.Geometry:
    """Union of every park's buffer by its radius (geometries in a metric CRS).

    Buffers use ``quad_segs`` segments per quarter circle (16, geopandas' default, so the
    result is the one ``GeoSeries.buffer`` gives; a circle is then 0.6 % short of π r²).
    """
    radius = park_radii(park_geoms, rules)
    ok = ~np.isnan(radius)
    if not ok.any():
        return shapely.Polygon()
    buffers = shapely.buffer(park_geoms[ok], radius[ok], quad_segs=quad_segs)
    return shapely.union_all(buffers)


def subdivide(geom: shapely.Geometry, *, max_vertices: int = 256) -> GeomArray:
    """Cut a polygonal geometry into polygons of at most ``max_vertices`` vertices.

    The pieces partition ``geom`` (their interiors are disjoint and their union is
    ``geom``); cutting halves the longer side of each oversized piece's bounding box.
    """
    out: list[GeomArray] = []
    todo = _polygonal(np.asarray([geom], dtype=object))
    while len(todo):
        n = shapely.get_num_coordinates(todo)
        small = n <= max_vertices
        out.append(todo[small])
        big = todo[~small]
        if not len(big):
            break
        b = shapely.bounds(big)
        wide = (b[:, 2] - b[:, 0]) >= (b[:, 3] - b[:, 1])
        midx = (b[:, 0] + b[:, 2]) / 2
        midy = (b[:, 1] + b[:, 3]) / 2
        x1 = np.where(wide, midx, b[:, 2])
        y1 = np.where(wide, b[:, 3], midy)
        x0 = np.where(wide, midx, b[:, 0])
        y0 = np.where(wide, b[:, 1], midy)
        lo = shapely.intersection(big, shapely.box(b[:, 0], b[:, 1], x1, y1))
        hi = shapely.intersection(big, shapely.box(x0, y0, b[:, 2], b[:, 3]))
        todo = _polygonal(np.concatenate([lo, hi]))
    return np.concatenate(out) if out else np.empty(0, dtype=object)


#: At most this many threads by default (the parcel pass stops scaling beyond it).
MAX_WORKERS = 4


def default_workers() -> int:
    """The CPUs this process may use (``sched_getaffinity``, else ``cpu_count``), capped.

    At most :data:`MAX_WORKERS`, at least 1.
    """
    n = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
         else (os.cpu_count() or 1))
    return max(1, min(MAX_WORKERS, n))


def _chunk_area(parcels: GeomArray, pieces_wkb: npt.NDArray[np.object_],
                exact: bool) -> FloatArray:
    # GEOS prepared geometries are not thread-safe: every task has its own copies.
    pieces = np.asarray(shapely.from_wkb(pieces_wkb), dtype=object)
    shapely.prepare(pieces)
    tree = STRtree(pieces)
    covered = np.zeros(len(parcels))
    if not len(parcels):
        return covered
    if not exact:
        pts = shapely.point_on_surface(parcels)
        i, _ = tree.query(pts, predicate="within")
        hit = np.unique(i)
        covered[hit] = shapely.area(parcels[hit])
        return covered
    i, j = tree.query(parcels)
    if not len(i):
        return covered
    inside = shapely.contains_properly(pieces[j], parcels[i])
    area = np.zeros(len(i))
    area[inside] = shapely.area(parcels[i[inside]])
    rest = np.flatnonzero(~inside)
    if len(rest):
        cut = shapely.intersects(pieces[j[rest]], parcels[i[rest]])
        rest = rest[cut]
        area[rest] = shapely.area(shapely.intersection(parcels[i[rest]], pieces[j[rest]]))
    return np.asarray(np.bincount(i, weights=area, minlength=len(parcels)), dtype=float)


def covered_area(parcels: GeomArray, service: shapely.Geometry, *, exact: bool = True,
                 workers: int | None = None, max_vertices: int = 256,
                 chunk: int | None = None) -> FloatArray:
    """Area of every parcel inside ``service`` (metric CRS), see the module docstring.

    Parameters
    ----------
    parcels
        Polygons (numpy array of shapely geometries).
    service
        The service area (a polygonal geometry).
    exact
        Area-exact; if False a parcel counts whole when its point on surface is covered.
    workers
        Threads (default :func:`default_workers`: the CPUs available, at most 4). The
        result does not depend on it (each parcel's area is computed alone; the areas come
        back in input order).
    max_vertices, chunk
        Piece size of the subdivided service area; parcels per task (default: an equal
        share per worker).
    """
    parcels = np.asarray(parcels, dtype=object)
    if not len(parcels) or service is None or shapely.is_empty(service):
        return np.zeros(len(parcels))
    pieces_wkb = np.asarray(shapely.to_wkb(subdivide(service, max_vertices=max_vertices)),
                            dtype=object)
    if workers is None:
        workers = default_workers()
    size = chunk or -(-len(parcels) // max(workers, 1))
    bounds = list(range(0, len(parcels), size))
    if workers <= 1 or len(bounds) == 1:
        return _chunk_area(parcels, pieces_wkb, exact)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(lambda s: _chunk_area(parcels[s:s + size], pieces_wkb, exact),
                              bounds))
    return np.concatenate(parts)


def _measure_geoms(gdf: gpd.GeoDataFrame, crs: str) -> GeomArray:
    if not len(gdf):
        return np.empty(0, dtype=object)
    return np.asarray(to_measure(gdf, crs).geometry.values, dtype=object)


def park_service_coverage(
    residential: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    *,
    rules: Sequence[RadiusRule] = DEFAULT_RULES,
    exact: bool = True,
    crs: str = MEASURE_CRS,
    workers: int | None = None,
    service: shapely.Geometry | None = None,
) -> ServiceCoverage:
    """Share of residential land within the service radius of a park.

    Parameters
    ----------
    residential
        Residential land parcels (polygons, any CRS; assumed not to overlap each other).
    parks
        Parks (polygons or multipolygons, any CRS); each serves the radius of the first
        rule its whole area (measured in ``crs``; all parts of a multipolygon together)
        falls in; parks outside every rule serve nothing.
    rules
        The radius rules (default :data:`DEFAULT_RULES`).
    exact
        Area-exact (default) or by parcel representative point.
    crs
        The metric CRS for areas and buffers.
    workers
        Threads for the parcel pass (default :func:`default_workers`); the value is the
        same bit for bit whatever their number.
    service
        :func:`service_area` of ``parks`` (in ``crs``) when already built (the same parks
        measured against several sets of parcels, e.g. every pilot zone).

    Returns
    -------
    ServiceCoverage
        ``value`` is None when there is no residential land.

    Examples
    --------
    >>> cov = park_service_coverage(res_gdf, parks_gdf)  # doctest: +SKIP
    >>> cov.value  # doctest: +SKIP
    83.4
    """
    res = _measure_geoms(residential, crs)
    res = np.asarray(res, dtype=object)
    pk = whole_parks(_measure_geoms(parks, crs)) if len(parks) else np.empty(0, dtype=object)
    radius = park_radii(pk, rules) if len(pk) else np.empty(0)
    if service is None:
        service = service_area(pk, rules)
    per = covered_area(res, service, exact=exact, workers=workers)
    total = float(shapely.area(res).sum()) if len(res) else 0.0
    covered = float(per.sum())
    return ServiceCoverage(
        value=100.0 * covered / total if total > 0 else None, covered_m2=covered,
        residential_m2=total, parcels=len(res), parks_used=int((~np.isnan(radius)).sum()),
        parks_ignored=int(np.isnan(radius).sum()), rules=tuple(rules), exact=exact,
        per_parcel_m2=per)


def split_by_service(parcels: GeomArray, service: shapely.Geometry, *,
                     max_vertices: int = 256) -> tuple[GeomArray, GeomArray]:
    """Every parcel's part inside and part outside ``service`` (None where there is none).

    The service area is cut into pieces of at most ``max_vertices`` vertices (as
    :func:`covered_area` does), so each parcel meets only the few pieces near it: a parcel
    inside one piece is wholly covered, one meeting no piece wholly uncovered, and only the
    parcels on the service area's edge are cut, against the union of the pieces they meet.
    The cost grows with the parcels, not with parcels × the size of the whole service area.
    """
    parcels = np.asarray(parcels, dtype=object)
    n = len(parcels)
    inside = np.full(n, None, dtype=object)
    outside = parcels.copy()
    if not n or service is None or shapely.is_empty(service):
        return inside, outside
    pieces = subdivide(service, max_vertices=max_vertices)
    shapely.prepare(pieces)
    i, j = STRtree(pieces).query(parcels, predicate="intersects")
    if not len(i):
        return inside, outside
    whole = shapely.contains_properly(pieces[j], parcels[i])
    inside[i[whole]] = parcels[i[whole]]
    outside[i[whole]] = None
    edge = np.setdiff1d(np.unique(i), i[whole])
    if len(edge):
        order = np.argsort(i, kind="stable")
        i, j = i[order], j[order]
        starts = np.searchsorted(i, edge)
        stops = np.searchsorted(i, edge, side="right")
        near = np.asarray([shapely.union_all(pieces[j[a:b]]) for a, b in zip(starts, stops,
                                                                          strict=True)],
                          dtype=object)
        inside[edge] = shapely.intersection(parcels[edge], near)
        outside[edge] = shapely.difference(parcels[edge], near)
    return inside, outside


def service_coverage_layer(
    residential: gpd.GeoDataFrame,
    parks: gpd.GeoDataFrame,
    *,
    rules: Sequence[RadiusRule] = DEFAULT_RULES,
    crs: str = MEASURE_CRS,
) -> gpd.GeoDataFrame:
    """Residential land split into covered and uncovered parts, for the map (lon/lat).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id`` (the parcel's id, or its row number), ``name`` (if any),
        ``covered`` (bool), ``area_m2`` and geometry in lon/lat; empty parts are dropped.
    """
    res = _measure_geoms(residential, crs)
    pk = whole_parks(_measure_geoms(parks, crs)) if len(parks) else np.empty(0, dtype=object)
    service = service_area(pk, rules)
    ids = (residential["id"].astype(str).to_numpy() if "id" in residential.columns
           else np.arange(len(residential)).astype(str))
    names = (residential["name"].astype(str).to_numpy() if "name" in residential.columns
             else np.full(len(residential), "", dtype=object))
    inside, outside = split_by_service(res, service)
    geoms = np.concatenate([inside, outside])
    covered = np.concatenate([np.ones(len(res), bool), np.zeros(len(res), bool)])
    keep = ~shapely.is_missing(geoms)
    keep[keep] = ~shapely.is_empty(geoms[keep])
    area = np.zeros(len(geoms))
    area[keep] = shapely.area(geoms[keep])
    keep &= area > 0
    out = gpd.GeoDataFrame({
        "id": np.concatenate([ids, ids])[keep], "name": np.concatenate([names, names])[keep],
        "covered": covered[keep], "area_m2": area[keep]}, geometry=geoms[keep], crs=crs)
    return out.to_crs(LONLAT_CRS)
