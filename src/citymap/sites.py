"""Site layers: reading the GeoJSON of each layer and checking every site.

A site is one geometry of a work (a row of a sites GeoDataFrame). Reading checks the
common properties (docs/workspace.md), the layer's own fields, geometry type and validity,
and that coordinates are lon/lat inside the county; every problem is reported with its
file, feature id and what to do.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from citymap.crs import LONLAT_CRS, coordinate_problem
from citymap.errors import Problem
from citymap.history import parse_date
from citymap.i18n import _, ngettext
from citymap.layers import LayerSpec
from citymap.limits import ID_RULE, check_regular, id_problem
from citymap.records import (
    CONTEXT_COLUMNS,
    GEOJSON_SUFFIXES,
    SITE_COLUMNS,
    empty_records,
    feature_properties,
    geojson_features,
    parse_works,
    records_frame,
    site_mask_for_work,
    where_mask,
)
from citymap.records import coerce_columns as _coerce
from citymap.records import is_missing as _is_missing
from citymap.vocab import PLAN_YEARS, SITE_STATUSES

__all__ = [
    "SITE_COLUMNS",
    "CONTEXT_COLUMNS",
    "ID_PATTERN",
    "parse_works",
    "read_layer_file",
    "check_layer",
    "repair_geometries",
    "empty_layer",
    "coerce_columns",
    "site_mask_for_work",
    "where_mask",
]

ID_PATTERN = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}\Z")
_MULTI = {"Point": "MultiPoint", "LineString": "MultiLineString", "Polygon": "MultiPolygon"}


def empty_layer(spec: LayerSpec) -> gpd.GeoDataFrame:
    """An empty GeoDataFrame with the columns of ``spec``'s layer."""
    return gpd.GeoDataFrame(empty_records(spec), geometry=gpd.GeoSeries([], crs=LONLAT_CRS),
                            crs=LONLAT_CRS)


def coerce_columns(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Give a checked layer its canonical columns and dtypes (works as text, year as int);
    :func:`citymap.records.coerce_columns` with the geometry kept last.
    """
    return _coerce(gdf, spec, geometry=gdf.geometry.name)


def _read_geojson(path: Path, shown: str) -> gpd.GeoDataFrame:
    """Read one of the workspace's own GeoJSON files exactly (types kept as written)."""
    from citymap.errors import ValidationError

    features = geojson_features(path, shown)
    problems: list[Problem] = []
    geoms = []
    props = []
    for i, f in enumerate(features, start=1):
        p = feature_properties(f, i, shown, problems)
        try:
            g = f.get("geometry") if isinstance(f, dict) else None
            geoms.append(shapely.geometry.shape(g) if g else None)
        except (AttributeError, KeyError, TypeError, ValueError, OverflowError, RecursionError,
                shapely.errors.ShapelyError) as exc:
            fid = str(p.get("id", f"#{i}"))[:40]
            problems.append(Problem(shown, _("feature {id!r}").format(id=fid), "geometry",
                                    _("is not a valid GeoJSON geometry: {error}")
                                    .format(error=str(exc).splitlines()[0][:200])))
            geoms.append(None)
        props.append(p)
    if problems:
        raise ValidationError(problems)
    return gpd.GeoDataFrame(records_frame(props), geometry=gpd.GeoSeries(geoms, crs=LONLAT_CRS),
                            crs=LONLAT_CRS)


def read_layer_file(path: str | Path, *, shown: str, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read one layer file; the result is in lon/lat.

    The workspace's own GeoJSON is read exactly with :mod:`json` and shapely (property
    types are kept as written); any other format GDAL reads goes through pyogrio.

    Raises
    ------
    citymap.errors.ValidationError
        When the file is missing or unreadable (one line naming it).
    """
    from citymap.errors import ValidationError

    path = Path(path)
    if not path.exists():
        raise ValidationError([Problem(shown, "", "", _("file not found: create it or fix the "
                                                        "layer's 'source'"))])
    check_regular(path, shown=shown, kind="layer")
    if path.suffix.lower() in GEOJSON_SUFFIXES:
        return _read_geojson(path, shown)
    try:
        gdf = pyogrio.read_dataframe(path, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        from citymap.io.intake.hints import gdal_message

        msg = gdal_message(exc)
        raise ValidationError([Problem(shown, "", "", _("cannot be read: {msg}")
                                                      .format(msg=msg))]) from None
    if gdf.crs is None:
        raise ValidationError([Problem(shown, "", "crs", _("has no coordinate reference system; "
                                                           "add one (.prj) or import it with "
                                                           "--crs"))])
    if gdf.crs.to_epsg() not in (4326, 4490):
        gdf = gdf.to_crs(LONLAT_CRS)
    return gdf


def _as_date(value: object) -> dt.date:
    return parse_date(value)


def _check_type(value: object, ftype: str) -> bool:
    if ftype == "str":
        return isinstance(value, str)
    if ftype == "int":
        return isinstance(value, int | np.integer) and not isinstance(value, bool) or (
            isinstance(value, float | np.floating) and float(value).is_integer())
    if ftype == "float":
        return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool)
    if ftype == "bool":
        return isinstance(value, bool | np.bool_) or value in ("是", "否", "true", "false")
    return True


def check_layer(
    gdf: gpd.GeoDataFrame,
    spec: LayerSpec,
    *,
    shown: str,
    bounds: Sequence[float],
    work_numbers: Iterable[int] | None,
    seen_ids: dict[str, str] | None = None,
    today: dt.date | None = None,
    years: tuple[int, int] | None = PLAN_YEARS,
) -> list[Problem]:
    """Every problem of one layer's features.

    Parameters
    ----------
    gdf
        The layer, lon/lat.
    spec
        Its definition.
    shown
        The file name used in messages.
    bounds
        The county's lon/lat box (west, south, east, north).
    work_numbers
        The works of the register; a site linking to another number is refused
        (``None`` when the register could not be read: links are then not checked).
    seen_ids
        Ids already seen in other layers (id → file), updated in place.
    today
        Latest allowed status date (default: today).
    years
        The plan's first and last year (``Plan.years``): a site's ``year`` lies in them
        (None when the register could not be read: the year is then only checked to be a
        whole number).
    """
    problems: list[Problem] = []
    works = set(work_numbers) if work_numbers is not None else None
    seen = seen_ids if seen_ids is not None else {}
    today = today or dt.date.today()
    required = SITE_COLUMNS[:-1] if spec.is_sites else CONTEXT_COLUMNS[:1]
    if len(gdf) == 0:
        return problems  # an empty layer is fine: nothing to check
    missing = [c for c in required if c not in gdf.columns]
    if missing:
        return [Problem(shown, "", ", ".join(missing),
                        ngettext("missing property; every feature needs {required}",
                                 "missing properties; every feature needs {required}",
                                 len(missing)).format(required=", ".join(required)),
                        code="missing_properties")]
    geoms = gdf.geometry.values
    allowed = {spec.geometry, _MULTI[spec.geometry]}
    types = shapely.get_type_id(geoms)
    type_names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                           "MultiLineString", "MultiPolygon", "GeometryCollection"])
    valid = shapely.is_valid(geoms)
    records = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    for i, rec in enumerate(records):
        fid = rec.get("id")
        item = (_("feature {id!r}").format(id=str(fid)[:40])
                if not _is_missing(fid) and len(str(fid)) <= 40
                else _("feature #{index}").format(index=i + 1))

        def bad(field: str, msg: str, item: str = item, code: str = "") -> None:
            problems.append(Problem(shown, item, field, msg, code=code))

        _check_id(fid, seen, shown, bad)
        g = geoms[i]
        if g is None or shapely.is_empty(g):
            bad("geometry", _("has no geometry"))
            continue
        tname = type_names[types[i]] if types[i] >= 0 else "None"
        if tname not in allowed:
            bad("geometry", _("is a {tname} but layer {spec!r} holds {geometry}s")
                            .format(tname=tname, spec=spec.name, geometry=spec.geometry))
        elif not valid[i]:
            bad("geometry", _("is invalid: {reason} (run `citymap validate --repair` to fix it "
                              "with make_valid)").format(reason=shapely.is_valid_reason(g)))
        where = coordinate_problem(g, bounds)
        if where:
            bad("geometry", where)
        if spec.is_sites:
            _check_site_works(rec, spec, works, bad)
            _check_site_record(rec, today, bad, years)
        _check_fields(rec, spec, bad)
    return problems


class _Bad(Protocol):
    def __call__(self, field: str, msg: str, *, code: str = "") -> None: ...


def _check_id(fid: object, seen: dict[str, str], shown: str, bad: _Bad) -> None:
    """A valid id, not all digits, unique in the workspace (``seen``: id → file)."""
    if _is_missing(fid) or id_problem(fid) is not None:
        bad("id", id_problem(fid) or (_("{fid!r} is not a valid id ({rule})")
                                      .format(fid=fid, rule=_(ID_RULE))))
    elif str(fid).isdigit():
        bad("id", _("{fid!r} is all digits, which the status log reads as a work number; give "
                    "sites ids with a letter, e.g. 'OC-2021-07'").format(fid=fid),
            code="all_digits_id")
    elif str(fid) in seen:
        bad("id", _("duplicate id {fid!r} (also in {other}); ids are unique in the workspace")
                  .format(fid=fid, other=seen[str(fid)]))
    else:
        seen[str(fid)] = shown


def _check_site_works(rec: Mapping[str, object], spec: LayerSpec, works: set[int] | None,
                      bad: _Bad) -> None:
    """The site's ``works``: parseable, not empty where the layer has works, in the register."""
    try:
        nums = parse_works(rec.get("works"))
    except ValueError as exc:
        bad("works", _("{works!r}: {error}; write work numbers like '16' or '6;16'")
                     .format(works=rec.get("works"), error=exc))
        nums = ()
    if spec.works and not nums:
        bad("works", _("is empty: name the work(s) this site belongs to"))
    for n in nums:
        if works is not None and n not in works:
            bad("works", _("links to work {number!r}, which is not in the register")
                         .format(number=n))


def _check_site_record(rec: Mapping[str, object], today: dt.date, bad: _Bad,
                       years: tuple[int, int] | None) -> None:
    """The site's year (in the plan's ``years`` when given), status, date, name and source."""
    year = rec.get("year")
    if _is_missing(year) or not _check_type(year, "int") or (
            years is not None and not years[0] <= int(year) <= years[1]):  # type: ignore[call-overload]
        span = f"{years[0]}–{years[1]}" if years is not None else _("(a whole number)")
        bad("year", _("must be a plan year {span}, got {year!r}").format(span=span, year=year))
    status = rec.get("status")
    if status not in SITE_STATUSES:
        bad("status", _("unknown status {status!r}; use one of {choices}")
                      .format(status=status, choices=", ".join(SITE_STATUSES)))
    sd = rec.get("status_date")
    if _is_missing(sd):
        bad("status_date", _("must be a date YYYY-MM-DD, got {value!r}").format(value=sd))
    else:
        try:
            if _as_date(sd) > today:
                bad("status_date", _("{date!r} is in the future").format(date=str(sd)))
        except ValueError as exc:
            bad("status_date", str(exc))
    if _is_missing(rec.get("name")) or not str(rec.get("name")).strip():
        bad("name", _("is empty: give the site a name"))
    if _is_missing(rec.get("source")) or not str(rec.get("source")).strip():
        bad("source", _("is empty: write 示意 for schematic data or where the survey came from"))


def _check_fields(rec: Mapping[str, object], spec: LayerSpec, bad: _Bad) -> None:
    """The layer's own fields: required ones present, every value of its type."""
    for fname, fspec in spec.fields.items():
        value = rec.get(fname)
        if _is_missing(value):
            if fspec.required:
                bad(fname, _("is required by the layer definition but empty"))
            continue
        if not _check_type(value, fspec.type):
            bad(fname, _("{value!r} is not a {type}").format(value=value, type=fspec.type))


def repair_geometries(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Repair invalid geometries with :func:`shapely.make_valid`; return the ids repaired."""
    geoms = gdf.geometry.values
    bad = ~shapely.is_valid(geoms) & ~shapely.is_missing(geoms)
    if not bad.any():
        return gdf, []
    out = gdf.copy()
    fixed = shapely.make_valid(geoms[bad])
    out.loc[bad, out.geometry.name] = fixed
    ids = [str(i) for i in out.loc[bad, "id"]] if "id" in out.columns else []
    return out, ids


