"""Coordinate reference systems: the measuring CRS and lon/lat sanity checks.

Stored geometry is lon/lat (GeoJSON, RFC 7946). CGCS2000 (EPSG:4490) and WGS 84 differ by
centimetres, far below map scale, so citymap treats CGCS2000 lon/lat as lon/lat. Lengths
and areas are computed only after projecting to :data:`MEASURE_CRS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from citymap.errors import CRSError
from citymap.i18n import _

if TYPE_CHECKING:  # the geometry stack is imported where it is used: importing this is light
    import geopandas as gpd
    import shapely
    from pyproj import CRS

__all__ = [
    "MEASURE_CRS",
    "LONLAT_CRS",
    "resolve_crs",
    "require_crs",
    "to_measure",
    "to_lonlat",
    "lengths_m",
    "areas_m2",
    "coordinate_problem",
]

#: CGCS2000 / 3-degree Gauss-Kruger CM 117E: metres, for every length and area.
MEASURE_CRS = "EPSG:4548"
#: Longitude/latitude as GeoJSON stores it (OGC:CRS84 axis order, WGS 84 ≈ CGCS2000).
LONLAT_CRS = "EPSG:4326"


def resolve_crs(value: Any, *, what: str = "CRS") -> CRS:
    """Turn anything :meth:`pyproj.CRS.from_user_input` accepts into a CRS.

    Raises
    ------
    CRSError
        Naming the bad value and giving examples that work.
    """
    from pyproj import CRS
    from pyproj.exceptions import CRSError as _PyprojCRSError

    try:
        return CRS.from_user_input(value)
    except (_PyprojCRSError, TypeError, ValueError):
        msg = (_("{what} {value!r} is not a coordinate reference system pyproj knows; give e.g. "
                  "'EPSG:4490', 'EPSG:4548' or a WKT/PROJ string").format(what=what, value=value))
        raise CRSError(msg) from None


def require_crs(gdf: gpd.GeoDataFrame, *, where: str) -> CRS:
    """Return ``gdf``'s CRS or refuse data that has none.

    Raises
    ------
    CRSError
        When the data has no CRS: say it and how to fix it; never guess.
    """
    if gdf.crs is None:
        msg = (_("{where}: the data has no coordinate reference system; add a .prj file or give "
                  "it with --crs (e.g. --crs EPSG:4490 for CGCS2000 lon/lat, --crs EPSG:4548 for "
                  "CGCS2000 Gauss-Kruger CM 117E)").format(where=where))
        raise CRSError(msg)
    from pyproj import CRS

    return CRS.from_user_input(gdf.crs)


def to_measure(gdf: gpd.GeoDataFrame, crs: str = MEASURE_CRS) -> gpd.GeoDataFrame:
    """Project ``gdf`` to the measuring CRS (metres)."""
    require_crs(gdf, where="to_measure")
    return gdf.to_crs(crs)


def to_lonlat(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Project ``gdf`` to lon/lat (EPSG:4326 axis order lon, lat) for output."""
    require_crs(gdf, where="to_lonlat")
    return gdf.to_crs(LONLAT_CRS)


def lengths_m(gdf: gpd.GeoDataFrame, crs: str = MEASURE_CRS) -> np.ndarray:
    """Length of every geometry in metres, measured in ``crs``."""
    import shapely

    return np.asarray(shapely.length(to_measure(gdf, crs).geometry.values), dtype=float)


def areas_m2(gdf: gpd.GeoDataFrame, crs: str = MEASURE_CRS) -> np.ndarray:
    """Area of every geometry in square metres, measured in ``crs``."""
    import shapely

    return np.asarray(shapely.area(to_measure(gdf, crs).geometry.values), dtype=float)


def coordinate_problem(geom: shapely.Geometry, bounds: Sequence[float]) -> str | None:
    """Why ``geom`` (meant to be lon/lat) does not fit the county box, or ``None``.

    Tells apart coordinates that look projected (metres given as degrees), swapped
    (lat, lon) and simply outside the box ``(west, south, east, north)``.
    """
    import shapely

    if geom is None or shapely.is_empty(geom):
        return _("has no geometry")
    xmin, ymin, xmax, ymax = shapely.bounds(geom)
    west, south, east, north = bounds
    inside = west <= xmin and xmax <= east and south <= ymin and ymax <= north
    if inside:
        return None
    swapped = west <= ymin and ymax <= east and south <= xmin and xmax <= north
    if swapped:
        return (_("coordinates ({xmin:.5f}, {ymin:.5f}) look swapped (lat, lon): GeoJSON wants "
                   "lon, lat").format(xmin=xmin, ymin=ymin))
    if max(abs(xmin), abs(xmax)) > 180 or max(abs(ymin), abs(ymax)) > 90:
        return (_("coordinates ({xmin:.1f}, {ymin:.1f}) look projected (metres given as "
                   "degrees); import the file with its CRS (citymap import --crs …) so it is "
                   "converted to lon/lat").format(xmin=xmin, ymin=ymin))
    return (_("lies outside the county's box {bounds} (lon/lat): first point ({xmin:.5f}, "
               "{ymin:.5f})").format(bounds=list(bounds), xmin=xmin, ymin=ymin))
