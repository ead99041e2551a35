r"""Exports for GIS staff: GeoJSON, GeoPackage, Shapefile and CSV, every file written atomically.

Layout under the output folder (default ``export/`` in the workspace)::

    geojson/<layer>.geojson     RFC 7946, one file per layer
    citymap.gpkg                every layer + register_works / register_targets tables
    shp/<layer>.shp (+ .dbf .shx .prj .cpg), shp/fields.csv
    csv/works.csv, csv/targets.csv

**GeoJSON** is one file per layer rather than one combined file: each layer has its own
attribute schema and one geometry type, which is how QGIS/ArcGIS load a feature class;
a combined file would mix Points, LineStrings and Polygons and give every feature the
union of all layers' fields. Coordinates are lon/lat (RFC 7946 §4), rounded to 7
decimals (≈1 cm), polygons wound right-hand (exterior counter-clockwise, holes
clockwise), no ``crs`` member, UTF-8 without ``\u`` escapes. Each site carries its
work's name, action, action name and lead units (:data:`JOINED_COLUMNS`).

**GeoPackage** holds every layer in EPSG:4490 (CGCS2000, default) or EPSG:4326, the
joined work columns, optionally each layer again in the workspace's measuring CRS
(``<layer>_4548``), and the register as two non-spatial tables.

**Shapefile**: one file per layer and geometry family (``<layer>.shp``; a layer mixing
Points and MultiPoints, which are different shapefile types, gets ``<layer>_point.shp``
and ``<layer>_multipoint.shp``), a ``.cpg`` saying UTF-8, and field names cut to the
dBASE limit of 10 bytes by :func:`shapefile_field_names`:

1. a name of at most 10 bytes is kept;
2. a few common long names have fixed short forms (:data:`SHP_FIXED_NAMES`);
3. any other name is cut to 10 bytes (UTF-8, never mid-character); if that collides
   (case-insensitively, as dBASE does) with a name already given, it is cut to 8 bytes
   and numbered ``_1``, ``_2``, … in column order.

Column order is the layer's canonical order (common site properties, then the
``[fields]`` of ``layers/<name>.toml`` in file order, then the joined work columns), so
the mapping only changes when a layer's fields are reordered or renamed. It is written
to ``shp/fields.csv`` (``layer,file,field,shp_field,type``) and read back by
``citymap import``.

**CSV**: the task register, ``works.csv`` (one row per work) and ``targets.csv`` (one row
per target), UTF-8 with a byte-order mark so that Excel shows the Chinese text.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from citymap import __version__
from citymap.crs import LONLAT_CRS, areas_m2, lengths_m, resolve_crs
from citymap.errors import CitymapError, CRSError, ExportError
from citymap.i18n import _
from citymap.io.atomic import atomic_dir, atomic_path, write_text
from citymap.io.csvsafe import escape_record, escape_row
from citymap.io.owned import (
    GENERATOR,
    check_file_replaceable,
    recognise_geojson,
    recognise_gpkg,
)
from citymap.sites import SITE_COLUMNS, parse_works
from citymap.vocab import EXPORT_FORMATS, METRICS

if TYPE_CHECKING:
    from citymap.layers import LayerSpec
    from citymap.register import Register
    from citymap.workspace import Workspace

__all__ = [
    "FORMATS",
    "ALL_FORMATS",
    "MEASURE_METHOD",
    "measure_column",
    "EXPORT_CRS",
    "JOINED_COLUMNS",
    "SHP_FIXED_NAMES",
    "GPKG_NAME",
    "export_workspace",
    "geojson_text",
    "write_geojson",
    "join_works",
    "layer_columns",
    "canonical_frame",
    "shapefile_field_names",
    "register_tables",
]

#: Formats ``export_workspace`` writes (the names live in :mod:`citymap.vocab`).
FORMATS = EXPORT_FORMATS
#: What ``all`` writes (DXF, for CAD, only when asked).
ALL_FORMATS = tuple(f for f in FORMATS if f != "dxf")
#: Lon/lat CRSs the GeoPackage and Shapefile may be written in.
EXPORT_CRS = ("EPSG:4490", "EPSG:4326")
#: Columns joined from the register onto each site (several works: values joined by ";").
JOINED_COLUMNS = ("work_name", "action", "action_name", "lead_units")
#: Fixed short Shapefile names of common long column names.
SHP_FIXED_NAMES: Mapping[str, str] = {
    "status_date": "stat_date",
    "action_name": "act_name",
    "partner_units": "partners",
    "heating_wan_m2": "heat_wanm2",
    "households": "households",
}
#: File name of the GeoPackage inside the output folder.
GPKG_NAME = "citymap.gpkg"
#: Decimals of lon/lat written to GeoJSON (1e-7° ≈ 1 cm).
GEOJSON_DECIMALS = 7

Progress = Callable[[str], None]


# ----------------------------------------------------------------------------- columns


def layer_columns(spec: LayerSpec, *, joined: bool = True) -> list[str]:
    """The canonical attribute columns of ``spec``'s layer, in export order."""
    from citymap.sites import CONTEXT_COLUMNS

    cols = list(SITE_COLUMNS if spec.is_sites else CONTEXT_COLUMNS)
    cols += [f for f in spec.fields if f not in cols]
    if joined and spec.is_sites:
        cols += [c for c in JOINED_COLUMNS if c not in cols]
    return cols


def join_works(gdf: gpd.GeoDataFrame, register: Register) -> gpd.GeoDataFrame:
    """A copy of a sites frame with :data:`JOINED_COLUMNS` from the register.

    A site of several works (``"6;16"``) gets each value joined by ``";"`` in the order of
    its works; lead units are listed once each. Columns the layer already has are kept.
    """
    out = gdf.copy()
    values: dict[str, list[str | None]] = {c: [] for c in JOINED_COLUMNS}
    for v in out["works"]:
        works = []
        for n in parse_works(v):
            try:
                works.append(register.work(n))
            except KeyError:
                continue
        actions = []
        for w in works:
            try:
                actions.append(register.action(w.action))
            except KeyError:
                continue
        leads = list(dict.fromkeys(u for w in works for u in w.lead_units))
        values["work_name"].append(";".join(w.name for w in works) or None)
        values["action"].append(";".join(str(w.action) for w in works) or None)
        values["action_name"].append(";".join(a.name for a in actions) or None)
        values["lead_units"].append(";".join(leads) or None)
    for col, vals in values.items():
        if col not in out.columns:
            out.insert(len(out.columns) - 1, col, pd.Series(vals, index=out.index, dtype=object))
    return out


def _cut_utf8(name: str, nbytes: int) -> str:
    raw = name.encode("utf-8")[:nbytes]
    return raw.decode("utf-8", errors="ignore")


def shapefile_field_names(columns: Sequence[str]) -> dict[str, str]:
    """The stable mapping of column names to dBASE field names (at most 10 bytes).

    Parameters
    ----------
    columns
        The columns in their canonical order (see :func:`layer_columns`).

    Returns
    -------
    dict
        Column → Shapefile field name, unique case-insensitively.

    Examples
    --------
    >>> names = shapefile_field_names(["status_date", "sewer_separation", "sewer_separation_km"])
    >>> list(names.values())
    ['stat_date', 'sewer_sepa', 'sewer_se_1']
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        if len(col.encode("utf-8")) <= 10:
            short = col
        elif col in SHP_FIXED_NAMES:
            short = SHP_FIXED_NAMES[col]
        else:
            short = _cut_utf8(col, 10)
        if short.lower() in used:
            stem = _cut_utf8(col, 8)
            k = 1
            while f"{stem}_{k}".lower() in used:
                k += 1
                if k >= 10:
                    stem = _cut_utf8(col, 7)
            short = f"{stem}_{k}"
        used.add(short.lower())
        out[col] = short
    return out


# ----------------------------------------------------------------------------- GeoJSON


def _jsonable(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        f = float(value)
        if math.isnan(f) or math.isinf(f):
            return None
        return f
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _rfc7946_geometries(geoms: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Right-hand wound polygons, rounded to :data:`GEOJSON_DECIMALS`, 2D."""
    geoms = shapely.force_2d(geoms)
    geoms = shapely.transform(geoms, lambda c: np.round(c, GEOJSON_DECIMALS))
    return np.asarray(shapely.orient_polygons(geoms, exterior_cw=False))


def geojson_text(gdf: gpd.GeoDataFrame, columns: Sequence[str] | None = None) -> str:
    """The GeoJSON text (RFC 7946) of a frame, one feature per line.

    Parameters
    ----------
    gdf
        Any frame with a CRS; it is converted to lon/lat.
    columns
        The properties to write, in order (default: every non-geometry column).

    Raises
    ------
    citymap.errors.CRSError
        If the frame has no CRS.
    """
    if gdf.crs is None:
        raise CRSError(_("cannot write GeoJSON of data without a CRS; set one first"))
    ll = gdf.to_crs(LONLAT_CRS)
    cols = list(columns) if columns is not None else [
        c for c in ll.columns if c != ll.geometry.name]
    geoms = _rfc7946_geometries(np.asarray(ll.geometry.values))
    records = ll[cols].to_dict("records") if cols else [{} for _ in range(len(ll))]
    lines = []
    for rec, geom in zip(records, geoms, strict=True):
        feature = {
            "type": "Feature",
            "properties": {k: _jsonable(v) for k, v in rec.items()},
            "geometry": (None if geom is None or shapely.is_empty(geom)
                         else shapely.geometry.mapping(geom)),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, allow_nan=False))
    body = ",\n".join(lines)
    return ('{"type": "FeatureCollection", "features": [\n' + body + ("\n" if lines else "")
            + "]}\n")


def write_geojson(gdf: gpd.GeoDataFrame, target: str | os.PathLike[str],
                  columns: Sequence[str] | None = None) -> None:
    """Write ``gdf`` as RFC 7946 GeoJSON to ``target``, atomically."""
    write_text(target, geojson_text(gdf, columns))


# ----------------------------------------------------------------------------- tables


def _join(values: Iterable[str]) -> str:
    return ";".join(values)


def register_tables(ws: Workspace, *,
                    as_of: dt.date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The register as two flat tables: works and targets (for GeoPackage and CSV).

    A work's ``status`` is the one on ``as_of`` (:meth:`Workspace.status_as_of`, as
    ``citymap tasks`` shows it); without ``as_of``, the register's.
    """
    states = ws.status_as_of(as_of).works if as_of is not None else {}
    reg = ws.register
    counts: dict[int, int] = {}
    for name in ws.site_layers:
        for v in ws.data[name]["works"]:
            for n in parse_works(v):
                counts[n] = counts.get(n, 0) + 1
    works = []
    for w in reg.works:
        try:
            action_name = reg.action(w.action).name
        except KeyError:
            action_name = ""
        works.append({
            "number": w.number, "action": w.action, "action_name": action_name,
            "name": w.name, "lead_units": _join(w.lead_units),
            "partner_units": _join(w.partner_units),
            "common_partner_units": _join(reg.plan.partner_units_of_every_work),
            "status": states[w.number].status if states else w.status,
            "site_bound": w.site_bound, "plan_only": w.plan_only,
            "sites": counts.get(w.number, 0), "targets": len(w.targets), "summary": w.summary,
        })
    targets = []
    for t in reg.targets:
        m = METRICS.get(t.metric)
        targets.append({
            "id": t.id, "work": t.work, "metric": t.metric, "metric_zh": m.zh if m else "",
            "name": t.name, "value": t.value, "unit": t.unit, "comparison": t.comparison,
            "start_year": t.start_year, "year": t.year, "layer": t.layer or "",
            "where": json.dumps({k: list(v) for k, v in t.where}, ensure_ascii=False)
            if t.where else "",
            "denominator": json.dumps({"layer": t.denominator.layer, "where": {
                k: list(v) for k, v in t.denominator.where}}, ensure_ascii=False)
            if t.denominator else "",
            "note": t.note, "flag": t.flag, "source": t.source,
        })
    wcols = ["number", "action", "action_name", "name", "lead_units", "partner_units",
             "common_partner_units", "status", "site_bound", "plan_only", "sites", "targets",
             "summary"]
    tcols = ["id", "work", "metric", "metric_zh", "name", "value", "unit", "comparison",
             "start_year", "year", "layer", "where", "denominator", "note", "flag", "source"]
    wdf = pd.DataFrame(works, columns=wcols)
    tdf = pd.DataFrame(targets, columns=tcols)
    tdf["work"] = tdf["work"].astype("Int64")
    return wdf, tdf


def _csv_text(df: pd.DataFrame) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(df.columns)
    for row in df.itertuples(index=False):
        w.writerow(escape_row("" if _jsonable(v) is None else _jsonable(v) for v in row))
    return buf.getvalue()


# ----------------------------------------------------------------------------- frames


def canonical_frame(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """A copy of a layer frame with plain values: text as ``str``/``None``, whole-number
    fields (``year`` and ``int`` fields) as nullable integers, bool fields untouched.
    """
    out = gdf.copy()
    ints = {"year"} | {f for f, fs in spec.fields.items() if fs.type == "int"}
    bools = {f for f, fs in spec.fields.items() if fs.type == "bool"}
    floats = {f for f, fs in spec.fields.items() if fs.type == "float"}
    for c in out.columns:
        if c == out.geometry.name or c in bools or c in floats:
            continue
        if c in ints:
            vals = [_jsonable(v) for v in out[c]]
            out[c] = pd.Series([None if v is None else int(v) for v in vals], index=out.index,
                               dtype="Int64")
        elif out[c].dtype == object or str(out[c].dtype) in ("str", "string"):
            out[c] = pd.Series([None if _jsonable(v) is None else str(_jsonable(v))
                                for v in out[c]], index=out.index, dtype=object)
    if out.crs is None:
        out = out.set_crs(LONLAT_CRS)
    return out


#: How the measure columns are computed (written into the GeoPackage's metadata).
MEASURE_METHOD = ("area_m2 / length_m: the planar area (m²) or length (m) of the geometry "
                  "projected to {crs} (CGCS2000 / 3-degree Gauss-Kruger), computed with "
                  "GEOS (shapely), rounded to 0.01")


def measure_column(spec: LayerSpec) -> str | None:
    """``area_m2`` for polygon layers, ``length_m`` for line layers, else ``None``."""
    return {"Polygon": "area_m2", "LineString": "length_m"}.get(spec.geometry)


def _export_frame(ws: Workspace, name: str) -> gpd.GeoDataFrame:
    """Layer ``name`` with canonical columns (+ the joined work columns for sites) and its
    area or length measured in the workspace's measuring CRS.
    """
    spec = ws.layers[name]
    gdf = ws.data[name]
    if spec.is_sites:
        gdf = join_works(gdf, ws.register)
    cols = [c for c in layer_columns(spec) if c in gdf.columns]
    out = canonical_frame(gdf[[*cols, gdf.geometry.name]], spec)
    col = measure_column(spec)
    if col is not None:
        crs = ws.config.measure_crs
        fn = areas_m2 if col == "area_m2" else lengths_m
        values = fn(out, crs) if len(out) else np.zeros(0)
        out.insert(len(out.columns) - 1, col, np.round(values, 2))
    return out


def _typed_fields(gdf: gpd.GeoDataFrame, spec: LayerSpec | None,
                  ) -> tuple[list[np.ndarray[Any, Any]], list[str], list[Any]]:
    """The attribute columns as typed arrays (dates as dates, numbers as numbers) + masks."""
    ints = {"year", "action", "number", "sites", "targets"}
    floats = {"area_m2", "length_m"}
    dates = {"status_date"}
    if spec is not None:
        ints |= {f for f, fs in spec.fields.items() if fs.type == "int"}
        floats |= {f for f, fs in spec.fields.items() if fs.type == "float"}
    data, names, masks = [], [], []
    for c in gdf.columns:
        if c == gdf.geometry.name:
            continue
        vals = [_jsonable(v) for v in gdf[c]]
        missing = np.array([v is None for v in vals], dtype=bool)
        if c in dates and all(v is None or isinstance(v, str) for v in vals):
            arr: np.ndarray[Any, Any] = np.array(
                ["NaT" if v is None else str(v)[:10] for v in vals], dtype="datetime64[D]")
        elif c in ints and all(v is None or (isinstance(v, int | float) and float(v)
                                             .is_integer()) for v in vals):
            arr = np.array([0 if v is None else int(v) for v in vals], dtype="int64")
        elif c in floats and all(v is None or isinstance(v, int | float) for v in vals):
            arr = np.array([np.nan if v is None else float(v) for v in vals], dtype="float64")
        else:
            arr = np.array([None if v is None else str(v) for v in vals], dtype=object)
        data.append(arr)
        names.append(str(c))
        masks.append(missing if missing.any() and arr.dtype.kind in "iM" else None)
    return data, names, masks


def _write_typed(gdf: gpd.GeoDataFrame, path: Path, *, layer: str, driver: str,
                 spec: LayerSpec | None, geometry_type: str, shown: str,
                 rename: Mapping[str, str] | None = None, **kwargs: Any) -> None:
    """Write a layer with typed fields (pyogrio's raw writer: Date fields stay dates),
    the fields renamed by ``rename`` (Shapefile names).
    """
    data, names, masks = _typed_fields(gdf, spec)
    names = [(rename or {}).get(n, n) for n in names]
    geoms = np.asarray(gdf.geometry.values)
    wkb = np.array([None if g is None else shapely.to_wkb(g) for g in geoms], dtype=object)
    types = set(gdf.geom_type.dropna())
    gtype = geometry_type if not types or types <= {geometry_type} else (
        "Multi" + geometry_type if driver != "ESRI Shapefile" else geometry_type)
    with _write_errors(shown, layer):
        pyogrio.raw.write(path, wkb, data, names, field_mask=masks, layer=layer,
                          driver=driver, geometry_type=gtype,
                          crs=gdf.crs.to_wkt() if gdf.crs is not None else None,
                          promote_to_multi=driver == "GPKG" and gtype.startswith("Multi"),
                          **kwargs)


@contextlib.contextmanager
def _write_errors(shown: str, layer: str) -> Iterator[None]:
    """GDAL's write errors as one-line :class:`ExportError`."""
    from citymap.io.intake.hints import gdal_message

    try:
        yield
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
        raise ExportError(_("{shown}: cannot write layer {layer!r}: {error}")
                          .format(shown=shown, layer=layer, error=gdal_message(exc))) \
            from None


def _write_layer(gdf: gpd.GeoDataFrame, path: Path, *, layer: str | None, driver: str,
                 geometry_type: str | None = None, shown: str, **kwargs: Any) -> None:
    with _write_errors(shown, layer or path.stem):
        pyogrio.write_dataframe(gdf, path, layer=layer, driver=driver,
                                geometry_type=geometry_type if len(gdf) == 0 else None,
                                **kwargs)


def _resolve_export_crs(crs: Any) -> CRS:
    c = resolve_crs(crs, what="--crs")
    epsg = c.to_epsg()
    if c.is_geographic and epsg not in (4490, 4326):
        raise CRSError(_("--crs {crs!r}: lon/lat exports are EPSG:4490 (CGCS2000) or EPSG:4326 "
                         "(WGS 84); for CAD and GIS work in metres give a projected CRS such as "
                         "EPSG:4548").format(crs=crs))
    return c


def _crs_name(c: CRS) -> str:
    epsg = c.to_epsg()
    return f"EPSG:{epsg}" if epsg else c.to_wkt()


# ----------------------------------------------------------------------------- writers


def _layers(ws: Workspace, layers: Sequence[str] | None) -> list[str]:
    names = list(ws.layers) if layers is None else list(layers)
    unknown = [n for n in names if n not in ws.layers]
    if unknown:
        raise ExportError(_("unknown layer(s) {names}; the layers are {layers}")
                          .format(names=", ".join(map(repr, unknown)), layers=", ".join(ws.layers)))
    return [n for n in names if n in ws.data]


def _export_geojson(ws: Workspace, out: Path, names: list[str], progress: Progress) -> list[Path]:
    if out.suffix.lower() in (".geojson", ".json"):
        if len(names) != 1:
            raise ExportError(_("{out!r}: one GeoJSON file holds one layer; choose it (--layer "
                                "NAME) or give a folder (layers: {names})")
                              .format(out=str(out), names=', '.join(names)))
        check_file_replaceable(out, recognise_geojson, kind="GeoJSON file")
        progress(f"GeoJSON {names[0]} → {out}")
        text = geojson_text(_export_frame(ws, names[0]))
        head = '{"type": "FeatureCollection", '
        write_text(out, head + f'"generator": "{GENERATOR} {__version__}", '
                   + text[len(head):])
        return [out]
    folder = out / "geojson"
    with atomic_dir(folder) as tmp:
        for name in names:
            progress(f"GeoJSON {name}")
            (tmp / f"{name}.geojson").write_text(geojson_text(_export_frame(ws, name)),
                                                  encoding="utf-8")
    return [folder / f"{n}.geojson" for n in names]


def _export_gpkg(ws: Workspace, out: Path, names: list[str], *, crs: CRS,
                 also_projected: bool, progress: Progress, as_of: dt.date,
                 lang: str = "zh") -> list[Path]:
    from citymap.io.qgis import finish_geopackage

    target = out if out.suffix.lower() == ".gpkg" else out / GPKG_NAME
    lonlat = _crs_name(crs) if crs.is_geographic else "EPSG:4490"
    projected = None if crs.is_geographic else crs
    if also_projected and projected is None:
        projected = resolve_crs(ws.config.measure_crs, what="measure_crs")
    p_tag = (projected.to_epsg() or "projected") if projected is not None else None
    method = MEASURE_METHOD.format(crs=ws.config.measure_crs)
    styled: dict[str, tuple[LayerSpec, list[str]]] = {}
    # GeoPackage 1.2: what GDAL < 3.7 (Debian's ogrinfo) and ArcGIS read without warnings.
    first: dict[str, Any] = {"dataset_options": {"VERSION": "1.2"},
                             "dataset_metadata": {"GENERATOR": f"{GENERATOR} {__version__}"}}
    check_file_replaceable(target, recognise_gpkg, kind="GeoPackage")
    with atomic_path(target) as tmp:
        for name in names:
            spec = ws.layers[name]
            frame = _export_frame(ws, name)
            cols = [c for c in frame.columns if c != frame.geometry.name]
            versions: list[tuple[str, Any, str]] = [(name, lonlat, spec.title(lang))]
            if projected is not None:
                versions.append((f"{name}_{p_tag}", projected, f"{spec.title(lang)} "
                                 f"({_crs_name(projected)})"))
            for table, c, title in versions:
                progress(f"GeoPackage {table} ({_crs_name(CRS.from_user_input(c))})")
                meta = {"TITLE": title, "SOURCE": spec.source}
                if measure_column(spec):
                    meta["MEASURE_METHOD"] = method
                _write_typed(frame.to_crs(c), tmp, layer=table, driver="GPKG", spec=spec,
                             geometry_type=spec.geometry, shown=str(target),
                             layer_options={"IDENTIFIER": title, "DESCRIPTION": (
                                 f"{spec.title('zh')} / {spec.title('en')}; " + (
                                     method if measure_column(spec) else "")).strip("; ")},
                             layer_metadata=meta, **first)
                first = {}
                styled[table] = (spec, cols)
        progress("GeoPackage register_works, register_targets")
        works, targets = register_tables(ws, as_of=as_of)
        _write_layer(works, tmp, layer="register_works", driver="GPKG", shown=str(target),
                     **first)
        _write_layer(targets, tmp, layer="register_targets", driver="GPKG", shown=str(target))
        progress("GeoPackage layer_styles, field aliases")
        finish_geopackage(tmp, styled, lang=lang)
    return [target]


_FAMILY = {"Point": "point", "MultiPoint": "multipoint", "LineString": "line",
           "MultiLineString": "line", "Polygon": "polygon", "MultiPolygon": "polygon"}
_SPEC_FAMILY = {"Point": "point", "LineString": "line", "Polygon": "polygon"}


def _export_shp(ws: Workspace, out: Path, names: list[str], *, crs: CRS,
                progress: Progress, encoding: str = "UTF-8") -> list[Path]:
    folder = out / "shp"
    written: list[Path] = []
    rows: list[dict[str, str]] = []
    with atomic_dir(folder) as tmp:
        for name in names:
            spec = ws.layers[name]
            gdf = _export_frame(ws, name).to_crs(crs)
            cols = [c for c in gdf.columns if c != gdf.geometry.name]
            mapping = shapefile_field_names(cols)
            fam = np.array([_FAMILY.get(t, "other") for t in gdf.geom_type.fillna("")])
            families = sorted(set(fam)) or [_SPEC_FAMILY[spec.geometry]]
            if "other" in families:
                raise ExportError(_("{name}: a Shapefile holds Points, Lines or Polygons; found "
                                    "other geometry types").format(name=name))
            files = []
            for family in families:
                stem = name if len(families) == 1 else f"{name}_{family}"
                part = gdf[fam == family] if len(gdf) else gdf
                progress(f"Shapefile {stem}.shp")
                gtype = {"point": "Point", "multipoint": "MultiPoint", "line": "LineString",
                         "polygon": "Polygon"}[family]
                _write_typed(part, tmp / f"{stem}.shp", layer=stem, driver="ESRI Shapefile",
                             spec=spec, geometry_type=gtype, rename=mapping,
                             shown=str(folder / f"{stem}.shp"), encoding=encoding)
                files.append(stem)
                written.append(folder / f"{stem}.shp")
            types = {f: ws.layers[name].fields[f].type for f in ws.layers[name].fields}
            types |= {"year": "int", "status_date": "date", "area_m2": "float",
                      "length_m": "float"}
            for col in cols:
                rows.append({"layer": name, "file": ";".join(f"{s}.shp" for s in files),
                             "field": col, "shp_field": mapping[col],
                             "type": types.get(col, "str")})
        buf = io.StringIO()
        w = csv.DictWriter(buf, ["layer", "file", "field", "shp_field", "type"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(escape_record(r) for r in rows)
        (tmp / "fields.csv").write_text(buf.getvalue(), encoding="utf-8")
    return [*written, folder / "fields.csv"]


def _export_dxf(ws: Workspace, out: Path, names: list[str], *, crs: CRS,
                progress: Progress) -> list[Path]:
    """``dxf/citymap.dxf`` for CAD: every layer on a CAD layer of its name, in metres, and
    ``citymap.prj`` saying the CRS (a DXF has no place for it).
    """
    if out.suffix:
        raise ExportError(_("{out!r}: the DXF export is a folder (dxf/citymap.dxf and its .prj); "
                            "give a folder with -o").format(out=str(out)))
    folder = out / "dxf"
    if crs.is_geographic:
        crs = resolve_crs(ws.config.measure_crs, what="measure_crs")
    frames = []
    for name in names:
        gdf = ws.data[name]
        if len(gdf):
            frames.append(gpd.GeoDataFrame({"Layer": [name] * len(gdf)},
                                           geometry=gdf.geometry.values, crs=gdf.crs))
    progress(f"DXF citymap.dxf ({_crs_name(crs)})")
    merged = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True) if frames else {
        "Layer": []}, geometry="geometry" if frames else gpd.GeoSeries([]), crs=LONLAT_CRS)
    merged = merged.to_crs(crs)
    with atomic_dir(folder) as tmp:
        _write_layer(merged, tmp / "citymap.dxf", layer="entities", driver="DXF",
                     shown=str(folder / "citymap.dxf"))
        (tmp / "citymap.prj").write_text(crs.to_wkt("WKT1_ESRI") + "\n", encoding="utf-8")
    return [folder / "citymap.dxf", folder / "citymap.prj"]


def _export_csv(ws: Workspace, out: Path, progress: Progress, as_of: dt.date) -> list[Path]:
    folder = out / "csv"
    works, targets = register_tables(ws, as_of=as_of)
    progress("CSV works.csv, targets.csv")
    with atomic_dir(folder) as tmp:
        (tmp / "works.csv").write_text(_csv_text(works), encoding="utf-8-sig")
        (tmp / "targets.csv").write_text(_csv_text(targets), encoding="utf-8-sig")
    return [folder / "works.csv", folder / "targets.csv"]


def export_workspace(
    ws: Workspace,
    out: str | os.PathLike[str],
    *,
    fmt: str,
    crs: Any = "EPSG:4490",
    also_projected: bool = False,
    layers: Sequence[str] | None = None,
    progress: Progress | None = None,
    as_of: dt.date | None = None,
    encoding: str = "UTF-8",
    lang: str = "zh",
) -> list[Path]:
    """Export a loaded workspace for GIS staff; every output is written atomically.

    Parameters
    ----------
    ws
        The validated workspace.
    out
        The output folder (formats go to ``geojson/``, ``citymap.gpkg``, ``shp/``,
        ``csv/`` inside it), or for a single format a file: ``*.gpkg`` or (one layer)
        ``*.geojson``.
    fmt
        ``geojson``, ``gpkg``, ``shp``, ``csv``, ``dxf`` or ``all`` (all but DXF).
    crs
        CRS of the Shapefile and DXF, in any form :meth:`pyproj.CRS.from_user_input`
        accepts: lon/lat EPSG:4490 (default) or EPSG:4326, or a projected CRS such as
        EPSG:4548 for CAD users. The GeoPackage's layers are lon/lat (EPSG:4490 when
        ``crs`` is projected, each layer then also in ``crs`` as ``<layer>_<epsg>``);
        GeoJSON is always lon/lat; a DXF asked in lon/lat is written in the measuring CRS.
    also_projected
        Also write each layer to the GeoPackage in the measuring CRS (``<layer>_4548``).
    encoding
        Text encoding of the Shapefile (``.cpg`` says it): UTF-8, or GBK for old
        ArcGIS/MapGIS.
    lang
        Language of the GeoPackage's field aliases and style labels.
    layers
        The layers to export (default: all).
    progress
        Called with a short message before each step.
    as_of
        The date whose status each site carries (``status``, ``status_date``, from the
        status log); default today.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    citymap.errors.ExportError
        If a file cannot be written; the previous file (or folder) is then left intact.
    citymap.errors.CRSError
        If ``crs`` is lon/lat but not EPSG:4490 or 4326, or not a CRS.
    """
    if fmt not in (*FORMATS, "all"):
        raise ExportError(_("unknown format {fmt!r}; use one of {choices} or all")
                          .format(fmt=fmt, choices=", ".join(FORMATS)))
    out = Path(out)
    day = as_of or dt.date.today()
    ws = ws.with_status_as_of(day)
    crs_c = _resolve_export_crs(crs)
    try:
        "测试".encode(encoding)
    except LookupError:
        raise ExportError(_("--encoding {encoding!r}: unknown encoding; use UTF-8 or GBK")
                          .format(encoding=encoding)) \
            from None
    names = _layers(ws, layers)
    say: Progress = progress or (lambda _msg: None)
    fmts = ALL_FORMATS if fmt == "all" else (fmt,)
    if fmt == "all" and out.suffix:
        raise ExportError(_("{out!r}: --format all writes several files; give a folder")
                          .format(out=str(out)))
    written: list[Path] = []
    before = _entries(out) if fmt == "all" else None
    try:
        for f in fmts:
            try:
                if f == "geojson":
                    written += _export_geojson(ws, out, names, say)
                elif f == "gpkg":
                    written += _export_gpkg(ws, out, names, crs=crs_c,
                                            also_projected=also_projected, progress=say,
                                            as_of=day, lang=lang)
                elif f == "shp":
                    written += _export_shp(ws, out, names, crs=crs_c, progress=say,
                                           encoding=encoding)
                elif f == "dxf":
                    written += _export_dxf(ws, out, names, crs=crs_c, progress=say)
                else:
                    written += _export_csv(ws, out, say, as_of=day)
            except OSError as exc:
                hint = _space_hint(out)
                if isinstance(exc, ExportError) and not hint:
                    raise
                if isinstance(exc, CitymapError):  # e.g. a full disk met by atomic_dir
                    raise ExportError(f"{exc}{hint}") from None
                where = exc.filename if exc.filename else out
                raise ExportError(_("{where!r}: cannot write the {format} export: {error}{hint}; "
                                    "the previous files are unchanged")
                                  .format(where=str(where), format=f, error=exc.strerror or exc,
                                          hint=hint)) from None
    except BaseException:
        if fmt == "all":  # nothing left behind: what this run added to the folder goes
            _remove_new(out, before)
        raise
    return written


def _space_hint(out: Path) -> str:
    """``"; the disk has N KB free"`` when the disk of ``out`` is (nearly) full."""
    import shutil

    folder = out if out.is_dir() else out.parent
    try:
        free = shutil.disk_usage(folder if folder.exists() else Path.cwd()).free
    except OSError:
        return ""
    if free >= 2**20:
        return ""
    return _("; the disk has {kb} KB free (free some space)").format(kb=free // 1024)


def _entries(out: Path) -> set[Path] | None:
    """What ``out`` holds now (``None``: it does not exist)."""
    return set(out.iterdir()) if out.is_dir() else None


def _remove_new(out: Path, before: set[Path] | None) -> None:
    """Remove what an interrupted ``--format all`` added to ``out`` (and ``out`` itself when
    it made it), so that a failure leaves nothing behind. What was there before stays.
    """
    import shutil

    if not out.is_dir() or out.is_symlink():
        return
    new = set(out.iterdir()) - before if before is not None else {out}
    for p in new:
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                p.unlink()
