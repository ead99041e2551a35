"""Checks on a file before GDAL reads it (``citymap import``): type, size, JSON shape.

GDAL's parsers are not built for hostile input: a GeoJSON nested 100 000 levels deep, a
number of 5 000 digits or bare ``NaN`` coordinates end in driver errors, warnings from a C
error handler or GEOS exceptions far from the file. :func:`check_gis_source` refuses such
files first, with one line: the source must be a regular file (or a folder, for formats
that are folders such as a FileGDB) within :data:`citymap.limits.FILE_CAPS` ``["layer"]``,
and JSON text must nest at most :data:`MAX_JSON_DEPTH` levels, hold no ``NaN``/``Infinity``
and no number of more than :data:`MAX_NUMBER_DIGITS` digits.
"""

from __future__ import annotations

import re
from pathlib import Path

from citymap.errors import Problem, ValidationError
from citymap.i18n import _
from citymap.limits import check_regular, read_bounded

__all__ = ["MAX_JSON_DEPTH", "MAX_NUMBER_DIGITS", "check_gis_source", "geojson_problem",
           "json_problem"]

#: Deepest nesting of a GeoJSON (a MultiPolygon's coordinates are 4 levels inside a feature).
MAX_JSON_DEPTH = 64
#: Most digits of one number in a JSON file.
MAX_NUMBER_DIGITS = 40
#: GeoJSON files up to this size are also checked feature by feature (:func:`geojson_problem`).
_SHAPE_CHECKED = 50 * 1024 * 1024
_GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                   "MultiPolygon", "GeometryCollection")
_JSON_SUFFIXES = (".json", ".geojson", ".geojsonl", ".geojsons", ".topojson")
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]|\b(?:NaN|Infinity)\b|\d{41,}')


def json_problem(data: bytes) -> str | None:
    """Why the JSON text ``data`` is refused before parsing, or ``None``."""
    depth = 0
    for m in _TOKENS.finditer(data):
        tok = m.group()
        first = tok[:1]
        if first == b'"':
            continue
        if first in (b"[", b"{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return (_("nests deeper than {limit} levels (at byte {byte}); this is not "
                           "GeoJSON").format(limit=MAX_JSON_DEPTH, byte=m.start()))
        elif first in (b"]", b"}"):
            depth -= 1
        elif tok in (b"NaN", b"Infinity"):
            return (_("holds {token} at byte {byte}, which is not a JSON number; write null or "
                       "a number").format(token=tok.decode(), byte=m.start()))
        else:
            return (_("holds a number of {n} digits at byte {byte}; at most {limit} are read")
                    .format(n=len(tok), byte=m.start(), limit=MAX_NUMBER_DIGITS))
    return None


def geojson_problem(data: bytes) -> str | None:
    """Why a GeoJSON text is refused (features and geometries of the wrong shape), or ``None``.

    Only called after :func:`json_problem` passed, so parsing is bounded.
    """
    import json

    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None  # not JSON after all: GDAL's own message says so
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        return None  # a bare geometry, a TopoJSON …: left to GDAL
    features = doc.get("features")
    if not isinstance(features, list):
        return _("'features' must be a list")
    for i, f in enumerate(features, start=1):
        if not isinstance(f, dict):
            return _("feature #{index} is not an object").format(index=i)
        props, geom = f.get("properties"), f.get("geometry")
        if props is not None and not isinstance(props, dict):
            return _("feature #{index}: 'properties' must be an object or null").format(index=i)
        if geom is not None and (not isinstance(geom, dict)
                                 or geom.get("type") not in _GEOMETRY_TYPES):
            kind = geom.get("type") if isinstance(geom, dict) else type(geom).__name__
            return (_("feature #{index}: unknown geometry type {kind!r}; use one of "
                      "{choices}")
                    .format(index=i, kind=str(kind)[:40], choices=", ".join(_GEOMETRY_TYPES)))
    return None


def check_gis_source(path: Path, shown: str) -> None:
    """Refuse ``path`` before GDAL opens it (see the module docstring).

    Raises
    ------
    ValidationError
        One line naming the file and what is wrong.
    """
    if path.is_dir() and not path.is_symlink():
        return
    if path.suffix.lower() in _JSON_SUFFIXES:
        data = read_bounded(path, shown=shown, kind="layer")
        why = json_problem(data)
        if why is None and len(data) <= _SHAPE_CHECKED:
            why = geojson_problem(data)
        if why is not None:
            raise ValidationError([Problem(shown, "", "", why)])
        return
    check_regular(path, shown=shown, kind="layer")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from citymap.io.xlsx import check_xlsx_zip

        check_xlsx_zip(path, shown, kind="layer")
    if path.suffix.lower() == ".shp":
        for part in (".dbf", ".shx"):
            sibling = path.with_suffix(part)
            if sibling.exists() or sibling.is_symlink():
                check_regular(sibling, shown=str(sibling), kind="layer")
