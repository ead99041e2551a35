"""Road network density: km of road per km² of built-up area (national target 8 km/km²).

The target comes from 《中共中央 国务院关于进一步加强城市规划建设管理工作的若干意见》
(2016): "到2020年, 城市建成区平均路网密度提高到8公里/平方公里". Road length is the length
of the union of the road lines inside the area (a road digitised twice counts once),
measured in EPSG:4548; the area is the built-up area (for a pilot zone: the zone, clipped to
the built-up area when that layer exists).

Lines on the boundary
---------------------
Pilot zones are usually drawn along roads, so many roads lie *on* a zone's boundary; the
roads are snapped to a 1 cm grid (:data:`~citymap.metrics.targets.GRID_M`) and the zones
are not, so such a road falls a few millimetres inside or outside at random. The rule
(:func:`length_in_area`): a line within :data:`BOUNDARY_TOL_M` (5 cm) of the area's
boundary lies on it and **counts half** — a boundary road serves both sides. Lines farther
inside count whole, lines farther outside not at all. So the road lengths of zones that
share a boundary add up to the length of the road network over their union, without double
counting and without loss; a road crossing the boundary counts exactly its part inside (its
2 × 5 cm within the band count half, i.e. the 5 cm inside), and a road ending on the
boundary gives 2.5 cm to the other side. The same rule runs in PostGIS
(:func:`citymap.store.sql_metrics.road_density`).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from citymap.crs import MEASURE_CRS, to_measure
from citymap.metrics.service import Indicator, verdict_of
from citymap.metrics.targets import GRID_M

__all__ = ["ROAD_DENSITY_TARGET", "BOUNDARY_TOL_M", "length_in_area", "road_density",
           "density_indicator"]

#: km of road per km² of built-up area.
ROAD_DENSITY_TARGET = 8.0
#: Lines within this distance (m) of an area's boundary lie on it and count half: five times
#: what the 1 cm grid of the road unions (≤ 0.71 cm) and the 7-decimal lon/lat of the stored
#: GeoJSON (≤ 0.6 cm) move a point; the shipped boundary roads lie within 0.9 cm.
BOUNDARY_TOL_M = 0.05
SOURCE = "中共中央 国务院关于进一步加强城市规划建设管理工作的若干意见 (2016)"


def length_in_area(lines: shapely.Geometry, area: shapely.Geometry, *,
                   tol: float = BOUNDARY_TOL_M) -> float:
    """Length (m) of ``lines`` in ``area``; the parts within ``tol`` of its boundary count half.

    ``length(lines ∩ area shrunk by tol) + ½ · length(lines ∩ boundary band of width 2·tol)``
    (buffers with 8 segments a quarter circle, as PostGIS ``ST_Buffer``'s default). Both in a
    metric CRS. See the module docstring for why.
    """
    if shapely.is_empty(lines) or shapely.is_empty(area):
        return 0.0
    inner = shapely.buffer(area, -tol)
    band = shapely.buffer(shapely.boundary(area), tol)
    return float(shapely.length(shapely.intersection(lines, inner))
                 + 0.5 * shapely.length(shapely.intersection(lines, band)))


def road_density(
    roads: gpd.GeoDataFrame,
    area: shapely.Geometry | gpd.GeoDataFrame,
    *,
    crs: str = MEASURE_CRS,
    tol: float = BOUNDARY_TOL_M,
) -> tuple[float, float, float | None]:
    """Road km inside ``area``, the area in km², and km per km².

    Roads on the area's boundary (within ``tol``) count half (:func:`length_in_area`).

    Parameters
    ----------
    roads
        Road lines (any CRS).
    area
        The built-up area: a GeoDataFrame (any CRS, its union is taken) or a geometry
        already in ``crs``.
    crs
        The metric CRS.
    tol
        The width (m) either side of the boundary within which a road lies on it.

    Returns
    -------
    tuple
        ``(km, km2, density)``; density is None for an empty area.
    """
    if isinstance(area, gpd.GeoDataFrame):
        geom = (shapely.union_all(np.asarray(to_measure(area, crs).geometry.values,
                                             dtype=object)) if len(area) else shapely.Polygon())
    else:
        geom = area
    km2 = float(shapely.area(geom)) / 1e6
    if not len(roads) or km2 == 0:
        return 0.0, km2, None if km2 == 0 else 0.0
    lines = np.asarray(to_measure(roads, crs).geometry.values, dtype=object)
    shapely.prepare(geom)
    lines = lines[shapely.dwithin(geom, lines, tol)]
    km = 0.0
    if len(lines):
        merged = shapely.union_all(lines, grid_size=GRID_M)
        km = length_in_area(merged, geom, tol=tol) / 1000.0
    return km, km2, km / km2


def density_indicator(km: float, km2: float, density: float | None, *, scope: str,
                      responsible: str = "", note: str = "") -> Indicator:
    """The road-density indicator record."""
    return Indicator(
        key="road_network_density", name="建成区路网密度", name_en="road network density",
        scope=scope, value=density, unit="km/km²", standard=ROAD_DENSITY_TARGET,
        comparison=">=", verdict=verdict_of(density, ROAD_DENSITY_TARGET, ">="),
        responsible=responsible, source=SOURCE, note=note or f"{km:.3f} km / {km2:.3f} km²",
        numerator=km, denominator=km2)
