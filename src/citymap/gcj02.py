"""GCJ-02, the obfuscated lon/lat of Chinese web maps (AMap/Gaode, Tencent, Google China).

GCJ-02 ("火星坐标") is WGS 84 lon/lat shifted by a published non-linear offset of up to a
few hundred metres. No pyproj/EPSG CRS exists for it, so data digitised on AMap must be
converted here before it is treated as lon/lat.

* :func:`wgs84_to_gcj02` is the forward formula (the widely published one, also used by
  the coordtransform and eviltransform projects).
* :func:`gcj02_to_wgs84` inverts it by fixed-point iteration until the forward image of
  the result matches the input to better than ``tol`` degrees (default 1e-9°, i.e.
  sub-millimetre); plain one-step "inverses" found online are only good to a few metres.

Points outside China (the usual rectangle test) are returned unchanged, as GCJ-02 leaves
them unshifted. Everything is vectorised with numpy; :func:`geometry_gcj02_to_wgs84` and
:func:`frame_gcj02_to_wgs84` apply the conversion to shapely geometries and GeoDataFrames
via :func:`shapely.transform`.
"""

from __future__ import annotations

from typing import TypeVar

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS

from citymap.errors import CRSError

__all__ = [
    "out_of_china",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "geometry_wgs84_to_gcj02",
    "geometry_gcj02_to_wgs84",
    "frame_wgs84_to_gcj02",
    "frame_gcj02_to_wgs84",
]

#: Semi-major axis and eccentricity squared of Krasovsky 1940, as the formula uses them.
_A = 6378245.0
_EE = 0.00669342162296594323

FloatArray = npt.NDArray[np.float64]
G = TypeVar("G", bound=shapely.Geometry)


def out_of_china(lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where a point lies outside the rectangle GCJ-02 shifts (it is then WGS 84)."""
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    return np.asarray((x < 72.004) | (x > 137.8347) | (y < 0.8293) | (y > 55.8271))


def _delta(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The GCJ-02 offset (dlon, dlat) in degrees at WGS 84 ``lon``, ``lat``."""
    x = lon - 105.0
    y = lat - 35.0
    pi = np.pi
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y
            + 0.2 * np.sqrt(np.abs(x)))
    dlat += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Convert WGS 84 lon/lat to GCJ-02 lon/lat.

    Parameters
    ----------
    lon, lat
        Degrees; scalars or arrays of the same shape.

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 ``(lon, lat)``; points outside China unchanged.

    Examples
    --------
    >>> lon, lat = wgs84_to_gcj02(116.404, 39.915)
    >>> round(float(lon), 6), round(float(lat), 6)
    (116.410244, 39.916404)
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    dlon, dlat = _delta(x, y)
    outside = out_of_china(x, y)
    return np.where(outside, x, x + dlon), np.where(outside, y, y + dlat)


def gcj02_to_wgs84(
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    *,
    tol: float = 1e-9,
    max_iter: int = 50,
) -> tuple[FloatArray, FloatArray]:
    """Convert GCJ-02 lon/lat to WGS 84 lon/lat (iterative exact inverse).

    Starting from the GCJ-02 point, each step moves the estimate by the difference
    between its forward image and the target; the offset varies slowly (its derivative is
    far below 1), so this converges to ~1e-12° in a handful of steps.

    Parameters
    ----------
    lon, lat
        GCJ-02 degrees; scalars or arrays of the same shape.
    tol
        Stop once the forward image of every point is within ``tol`` degrees of the input.
    max_iter
        Upper bound on the iterations (never reached in practice).

    Returns
    -------
    tuple of numpy.ndarray
        WGS 84 ``(lon, lat)``; points outside China unchanged.
    """
    gx = np.asarray(lon, dtype=float)
    gy = np.asarray(lat, dtype=float)
    wx, wy = gx.copy(), gy.copy()
    for _ in range(max_iter):
        fx, fy = wgs84_to_gcj02(wx, wy)
        ex, ey = fx - gx, fy - gy
        wx = wx - ex
        wy = wy - ey
        if np.all(np.abs(ex) < tol) and np.all(np.abs(ey) < tol):
            break
    outside = out_of_china(gx, gy)
    return np.where(outside, gx, wx), np.where(outside, gy, wy)


def _apply(geom: G, func: str) -> G:
    def convert(coords: FloatArray) -> FloatArray:
        f = wgs84_to_gcj02 if func == "forward" else gcj02_to_wgs84
        x, y = f(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    out: G = shapely.transform(geom, convert)
    return out


def geometry_wgs84_to_gcj02(geom: G) -> G:
    """Shift a shapely geometry (or array of geometries) from WGS 84 to GCJ-02 (2D)."""
    return _apply(geom, "forward")


def geometry_gcj02_to_wgs84(geom: G) -> G:
    """Shift a shapely geometry (or array of geometries) from GCJ-02 to WGS 84 (2D)."""
    return _apply(geom, "inverse")


def _check_lonlat(gdf: gpd.GeoDataFrame) -> None:
    if gdf.crs is None or not CRS.from_user_input(gdf.crs).is_geographic:
        msg = (f"GCJ-02 is lon/lat; the data's CRS is {getattr(gdf.crs, 'name', None)!r}: "
               "GCJ-02 data must be read as lon/lat (e.g. --crs EPSG:4326)")
        raise CRSError(msg)


def frame_gcj02_to_wgs84(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of a lon/lat GeoDataFrame whose GCJ-02 geometry is converted to WGS 84.

    Raises
    ------
    citymap.errors.CRSError
        If the frame is not in a geographic (lon/lat) CRS.
    """
    _check_lonlat(gdf)
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(
        geometry_gcj02_to_wgs84(np.asarray(gdf.geometry.values)), index=gdf.index, crs=gdf.crs)
    return out


def frame_wgs84_to_gcj02(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy of a lon/lat GeoDataFrame whose WGS 84 geometry is shifted to GCJ-02."""
    _check_lonlat(gdf)
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(
        geometry_wgs84_to_gcj02(np.asarray(gdf.geometry.values)), index=gdf.index, crs=gdf.crs)
    return out
