"""Hints that help a planner: which CRS the coordinates fit, GCJ-02 data, GDAL's messages.

- :func:`crs_fit` tries the CRSs Chinese county data comes in (CGCS2000 3-degree
  Gauss-Kruger zones with and without the zone number in the easting, lon/lat) and says
  which one puts the features inside the county — the common mix-up is zone 39
  (EPSG:4527, eastings 39 500 000) under a CM 117E ``.prj`` (EPSG:4548, 500 000).
- :func:`gcj02_hint` notices points that lie ~300–700 m from the sites of the same name
  in the direction of the GCJ-02 shift (AMap/Gaode, Baidu data) and suggests
  ``--from gcj02``.
- :func:`gdal_message` is GDAL's error without its ``<DRIVER>:`` advice, which means
  nothing to a planner.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from citymap.crs import LONLAT_CRS, MEASURE_CRS
from citymap.gcj02 import wgs84_to_gcj02
from citymap.i18n import _

__all__ = ["CANDIDATE_CRS", "gdal_message", "crs_fit", "fits", "gcj02_hint"]

#: CRSs tried when coordinates do not fit the declared one, in order.
CANDIDATE_CRS: tuple[tuple[str, str], ...] = (
    ("EPSG:4490", "CGCS2000 lon/lat"),
    ("EPSG:4548", "CGCS2000 / 3-degree Gauss-Kruger CM 117E"),
    ("EPSG:4527", "CGCS2000 / 3-degree Gauss-Kruger zone 39"),
    ("EPSG:4547", "CGCS2000 / 3-degree Gauss-Kruger CM 114E"),
    ("EPSG:4549", "CGCS2000 / 3-degree Gauss-Kruger CM 120E"),
    ("EPSG:4526", "CGCS2000 / 3-degree Gauss-Kruger zone 38"),
    ("EPSG:4528", "CGCS2000 / 3-degree Gauss-Kruger zone 40"),
    ("EPSG:2436", "Beijing 1954 / 3-degree Gauss-Kruger CM 117E"),
    ("EPSG:2345", "Xian 1980 / 3-degree Gauss-Kruger CM 117E"),
)
_DRIVER_ADVICE = re.compile(r"\s*;?\s*It might help to specify the correct driver.*$",
                            re.IGNORECASE | re.DOTALL)


def gdal_message(exc: BaseException) -> str:
    """GDAL's message in one line, without the ``'<DRIVER>:'`` prefix advice."""
    text = str(exc).strip()
    text = _DRIVER_ADVICE.sub("", text.splitlines()[0] if text else type(exc).__name__)
    text = re.sub(r"'?/vsimem/[^' ]*'?", "the file", text)
    if "not recognized as being in a supported file format" in text:
        return (_("not a format citymap reads (Shapefile, GeoPackage, FileGDB, GeoJSON, "
                   "KML/KMZ, DXF, CSV, XLSX, or a zip of one)"))
    return text.rstrip(".;") or type(exc).__name__


def _points(gdf: gpd.GeoDataFrame) -> np.ndarray[Any, Any]:
    geoms = np.asarray(gdf.geometry.values)
    keep = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    pts = shapely.get_coordinates(shapely.point_on_surface(geoms[keep]))
    return np.asarray(pts[:200], dtype=float)


def fits(xy: np.ndarray[Any, Any], crs: Any, bounds: Sequence[float]) -> float:
    """Share of the points ``xy`` (in ``crs``) that fall inside the lon/lat ``bounds``."""
    if not len(xy):
        return 0.0
    tr = Transformer.from_crs(CRS.from_user_input(crs), LONLAT_CRS, always_xy=True)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        lon, lat = tr.transform(xy[:, 0], xy[:, 1])
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    w, s, e, n = bounds
    inside = np.isfinite(lon) & np.isfinite(lat) & (lon >= w) & (lon <= e) & (lat >= s) & (
        lat <= n)
    return float(inside.mean())


def crs_fit(gdf: gpd.GeoDataFrame, declared: Any, bounds: Sequence[float]) -> str | None:
    """Why the coordinates do not fit ``declared`` and which CRS they fit, or ``None``.

    ``gdf`` holds the raw coordinates (as in the file). ``None`` when at least half of
    the features fall inside ``bounds`` with the declared CRS, or when ``bounds`` is the
    whole world.
    """
    if tuple(bounds) == (-180.0, -90.0, 180.0, 90.0):
        return None
    xy = _points(gdf)
    if not len(xy) or fits(xy, declared, bounds) >= 0.5:
        return None
    own = CRS.from_user_input(declared)
    own_s = f"EPSG:{own.to_epsg()}" if own.to_epsg() else own.name
    x0, y0 = xy[0]
    fields = {"x": f"{x0:.7g}", "y": f"{y0:.7g}", "own": own_s, "own_name": own.name}
    for code, name in CANDIDATE_CRS:
        if CRS.from_user_input(code).equals(own, ignore_axis_order=True):
            continue
        if fits(xy, code, bounds) >= 0.9:
            return _("the coordinates (e.g. {x}, {y}) do not fit its CRS {own} ({own_name}); "
                     "they fit {code} ({name}): import with --crs {code}").format(
                         code=code, name=name, **fields)
        if fits(xy[:, ::-1], code, bounds) >= 0.9:
            return _("the coordinates (e.g. {x}, {y}) do not fit its CRS {own} ({own_name}); "
                     "with X and Y swapped (X is north in Chinese survey tables) they fit "
                     "{code} ({name}): swap the columns, then import with --crs {code}").format(
                         code=code, name=name, **fields)
    tr = Transformer.from_crs(own, LONLAT_CRS, always_xy=True)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        lon, _lat = tr.transform(xy[:, 0], xy[:, 1])
    if np.isfinite(np.asarray(lon, dtype=float)).all():
        return None  # plain lon/lat or metres outside the county: the site checks say where
    return _("the coordinates (e.g. {x}, {y}) do not fit its CRS {own} ({own_name}), nor any "
             "CRS citymap tried; give the right one with --crs").format(**fields)


def gcj02_hint(incoming: gpd.GeoDataFrame, existing: gpd.GeoDataFrame) -> str | None:
    """A warning when ``incoming`` sits ~300–700 m from the same names in ``existing``,
    shifted like GCJ-02 (AMap/Gaode, Baidu data imported as WGS 84), else ``None``.

    Both frames are lon/lat with a ``name`` column.
    """
    if "name" not in incoming.columns or "name" not in existing.columns or not len(existing):
        return None
    where: dict[str, Any] = {}
    for name, g in zip(existing["name"], existing.geometry.values, strict=True):
        if isinstance(name, str) and g is not None and not shapely.is_empty(g):
            where.setdefault(name.strip(), shapely.point_on_surface(g))
    pairs = [(shapely.point_on_surface(g), where[n.strip()])
             for n, g in zip(incoming["name"], incoming.geometry.values, strict=True)
             if isinstance(n, str) and n.strip() in where and g is not None
             and not shapely.is_empty(g)]
    if not pairs:
        return None
    inc = np.array([[p.x, p.y] for p, _ in pairs])
    old = np.array([[q.x, q.y] for _, q in pairs])
    gx, gy = wgs84_to_gcj02(old[:, 0], old[:, 1])
    to_m = Transformer.from_crs(LONLAT_CRS, MEASURE_CRS, always_xy=True)
    ox, oy = to_m.transform(old[:, 0], old[:, 1])
    ix, iy = to_m.transform(inc[:, 0], inc[:, 1])
    sx, sy = to_m.transform(gx, gy)
    off = np.column_stack([np.asarray(ix) - ox, np.asarray(iy) - oy])
    shift = np.column_stack([np.asarray(sx) - ox, np.asarray(sy) - oy])
    dist = np.hypot(off[:, 0], off[:, 1])
    residual = np.hypot(off[:, 0] - shift[:, 0], off[:, 1] - shift[:, 1])
    looks = (dist >= 300) & (dist <= 700) & (residual < 0.35 * dist)
    if looks.sum() < max(1, (len(pairs) + 1) // 2):
        return None
    return _("{n} of {total} feature(s) lie ~{metres:.0f} m from the sites of the same name, "
             "in the direction of the GCJ-02 shift: this may be AMap/Gaode or Baidu data; if "
             "so, import it with --from gcj02").format(
                 n=int(looks.sum()), total=len(pairs), metres=np.median(dist[looks]))
