"""Road network density: km of road per km² of built-up area (national target 8 km/km²).

The target comes from 《中共中央 国务院关于进一步加强城市规划建设管理工作的若干意见》
(2016): "到2020年, 城市建成区平均路网密度提高到8公里/平方公里". Road length is the length
of the union of the road lines inside the area (a road digitised twice counts once),
measured in EPSG:4548; the area is the built-up area (for a pilot zone: the zone, clipped to
the built-up area when that layer exists).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from citymap.crs import MEASURE_CRS, to_measure
from citymap.metrics.service import Indicator, verdict_of
from citymap.metrics.targets import GRID_M

__all__ = ["ROAD_DENSITY_TARGET", "road_density", "density_indicator"]

#: km of road per km² of built-up area.
ROAD_DENSITY_TARGET = 8.0
SOURCE = "中共中央 国务院关于进一步加强城市规划建设管理工作的若干意见 (2016)"
def road_density(
    roads: gpd.GeoDataFrame,
    area: shapely.Geometry | gpd.GeoDataFrame,
    *,
    crs: str = MEASURE_CRS,
) -> tuple[float, float, float | None]:
    """Road km inside ``area``, the area in km², and km per km².

    Parameters
    ----------
    roads
        Road lines (any CRS).
    area
        The built-up area: a GeoDataFrame (any CRS, its union is taken) or a geometry
        already in ``crs``.
    crs
        The metric CRS.

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
    lines = lines[shapely.intersects(geom, lines)]
    km = 0.0
    if len(lines):
        merged = shapely.union_all(lines, grid_size=GRID_M)
        km = float(shapely.length(shapely.intersection(merged, geom))) / 1000.0
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
