"""Opening what other offices send, through GDAL's own drivers (pyogrio).

:func:`open_source` reads one layer of a Shapefile (GBK detected without ``.cpg``),
GeoPackage (``source_layer`` picks one of several), FileGDB folder (``x.gdb/``,
OpenFileGDB), GeoJSON, KML/KMZ (every folder, nested or not, with a ``folder`` column;
``<ExtendedData>`` as fields; Placemark names as ``name``), DXF (the ``Layer`` of each CAD
entity kept as a field, CAD internals dropped), CSV (GBK or UTF-8, point coordinates from
columns named 经度/纬度, lon/lat, lng, longitude, X/Y, 东坐标/北坐标 through the CSV
driver's ``X_POSSIBLE_NAMES``/``Y_POSSIBLE_NAMES``), XLSX (the XLSX driver, the same
column names) and zip archives holding any of these (folders and zips inside, GBK file
names). The frame comes back in the file's own CRS (``None`` when it has none).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from citymap.errors import Problem, ValidationError
from citymap.i18n import _
from citymap.io.guard import check_gis_source
from citymap.io.intake.hints import gdal_message

__all__ = ["Source", "open_source", "detect_encoding", "X_NAMES", "Y_NAMES",
           "FALLBACK_ENCODINGS", "fail", "closed_lines_as_polygons"]

#: Encodings tried, in order, for text that says nothing of its encoding (GB18030 ⊃ GBK).
FALLBACK_ENCODINGS = ("UTF-8", "GB18030")
_GDAL_DEFAULT_SHP_ENCODING = ("", "ISO-8859-1")
#: Column names taken as the east/west coordinate of a point table (case-insensitive).
X_NAMES = ("经度", "lon", "lng", "long", "longitude", "x", "东坐标", "东", "e", "easting",
           "x坐标", "坐标x", "经度(°)", "经度（°）")
#: Column names taken as the north/south coordinate of a point table.
Y_NAMES = ("纬度", "lat", "latitude", "y", "北坐标", "北", "n", "northing", "y坐标", "坐标y",
           "纬度(°)", "纬度（°）")
#: Fields GDAL adds for CAD and KML internals: not data a planner wrote.
DRIVER_INTERNALS = frozenset(s.lower() for s in (
    "PaperSpace", "SubClasses", "Linetype", "EntityHandle", "ExtendedEntity", "RawCodeValues",
    "BlockName", "BlockScale", "BlockAngle", "BlockAttributes", "LineWeight", "GeomType",
    "tessellate", "extrude", "visibility", "drawOrder", "altitudeMode", "icon", "snippet",
    "timestamp", "begin", "end", "OBJECTID", "Shape_Length", "Shape_Area", "SHAPE_Leng",
))
_DATA_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".kmz", ".dxf", ".csv",
                  ".xlsx", ".tab", ".mif", ".gml", ".fgb", ".sqlite")
#: Limits on what a zip may unpack to (a zip bomb is refused, not unpacked).
ZIP_MAX_BYTES = 1024**3
ZIP_MAX_FILES = 20000
ZIP_MAX_DEPTH = 3


def fail(shown: str, message: str, *, field: str = "", item: str = "") -> ValidationError:
    """One problem as an error."""
    return ValidationError([Problem(shown, item, field, message)])


@attrs.frozen
class Source:
    """A layer as read: the frame in its own CRS and how it was read."""

    frame: gpd.GeoDataFrame
    shown: str
    driver: str = ""
    encoding: str | None = None
    layer: str | None = None
    notes: tuple[str, ...] = ()
    #: True when the coordinates came from table columns (CSV/XLSX): lon/lat is assumed
    #: when they look like degrees and no CRS is given.
    table_points: bool = False


def detect_encoding(path: str | os.PathLike[str], *, layer: str | None = None) -> str | None:
    """The text encoding to read a Shapefile with, or ``None`` to let GDAL decide.

    A ``.cpg`` or the dBASE language id tell GDAL the encoding; without them (common for
    files from Chinese GIS software, which write GBK) the attributes are tried as UTF-8
    and then as GB18030 (a superset of GBK and GB2312).

    Raises
    ------
    citymap.errors.ValidationError
        If the text decodes in none of the encodings tried.
    """
    p = Path(path)
    if p.suffix.lower() != ".shp":
        return None
    if any(p.with_suffix(s).exists() for s in (".cpg", ".CPG")):
        return None
    try:
        info = pyogrio.read_info(p, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        return None
    if str(info.get("encoding") or "").upper() not in _GDAL_DEFAULT_SHP_ENCODING:
        return None  # the .dbf's language id names it; GDAL recodes
    for enc in FALLBACK_ENCODINGS:
        try:
            pyogrio.read_dataframe(p, layer=layer, encoding=enc, read_geometry=False)
        except UnicodeDecodeError:
            continue
        return enc
    raise fail(str(path), _("the attribute text is neither UTF-8 nor GBK/GB18030; give its "
                            "encoding with --encoding (e.g. --encoding BIG5) or add a .cpg file"))


# ----------------------------------------------------------------------------- zip


def _zip_name(info: zipfile.ZipInfo) -> str:
    """The member's name: UTF-8 when flagged, else UTF-8 or GBK (Chinese Windows zips)."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unzip(archive: Path, into: Path, shown: str, depth: int = 0,
           budget: list[int] | None = None) -> None:
    """Unpack ``archive`` into ``into`` (zips inside too), refusing zip bombs and escapes.

    ``budget`` is ``[bytes, files]`` still allowed over all nested archives together (a
    member never yields more than its declared size: :mod:`zipfile` stops there).
    """
    budget = budget if budget is not None else [ZIP_MAX_BYTES, ZIP_MAX_FILES]
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise fail(shown, _("is not a readable zip archive: {error}").format(error=exc)) from None
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        budget[0] -= total
        budget[1] -= len(infos)
        if budget[0] < 0 or budget[1] < 0:
            raise fail(shown, _("unpacks to {n} files, {mb:.0f} MB: more than citymap "
                                "unpacks; unpack it and import the file inside")
                              .format(n=len(infos), mb=total / 1e6))
        for info in infos:
            name = _zip_name(info).replace("\\", "/")
            parts = [p for p in name.split("/") if p not in ("", ".")]
            if not parts or ".." in parts or parts[0].startswith("__MACOSX"):
                continue
            target = into.joinpath(*parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            if target.suffix.lower() == ".zip":
                if depth + 1 >= ZIP_MAX_DEPTH:
                    raise fail(shown, _("holds zips nested more than {limit} deep")
                                      .format(limit=ZIP_MAX_DEPTH))
                inner = target.with_suffix("")
                inner.mkdir(exist_ok=True)
                _unzip(target, inner, f"{shown}/{'/'.join(parts)}", depth + 1, budget)
                target.unlink()


def _datasets_in(folder: Path) -> list[Path]:
    found: list[Path] = []
    for p in sorted(folder.rglob("*")):
        if any(q.suffix.lower() == ".gdb" for q in p.relative_to(folder).parents
               if q != Path(".")):
            continue  # inside a FileGDB
        if p.is_dir() and p.suffix.lower() == ".gdb":
            found.append(p)
        elif p.is_file() and p.suffix.lower() in _DATA_SUFFIXES:
            found.append(p)
    return found


@contextlib.contextmanager
def _unpacked(path: Path, shown: str, pick: str | None) -> Iterator[tuple[Path, str]]:
    """The one dataset inside a zip (unpacked into a temporary folder) and its shown name."""
    with tempfile.TemporaryDirectory(prefix="citymap-zip-") as tmp:
        _unzip(path, Path(tmp), shown)
        found = _datasets_in(Path(tmp))
        rel = {str(p.relative_to(tmp)): p for p in found}
        if pick is not None and len(found) > 1:
            chosen = [p for r, p in rel.items() if pick in (r, p.name, p.stem)]
            if chosen:
                found = chosen[:1]
        if not found:
            raise fail(shown, _("holds no GIS data (no .shp, .gpkg, .gdb, .kml, .geojson, .dxf, "
                                ".csv or .xlsx inside)"))
        if len(found) > 1:
            raise fail(shown, _("holds {n} datasets ({names}); choose one with "
                                "--source-layer NAME")
                              .format(n=len(found), names=", ".join(rel)))
        yield found[0], f"{shown}/{found[0].relative_to(tmp)}"


# ----------------------------------------------------------------------------- readers


@contextlib.contextmanager
def gdal_config(**options: str | None) -> Iterator[None]:
    """GDAL configuration options for the reads inside the block (restored after)."""
    before = {k: pyogrio.get_gdal_config_option(k) for k in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _read(path: Path | bytes, shown: str, **kwargs: Any) -> gpd.GeoDataFrame:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's own chatter
            return pyogrio.read_dataframe(path, **kwargs)
    except UnicodeDecodeError as exc:
        enc = kwargs.get("encoding")
        raise fail(shown, _("the attribute text is not {enc}: {reason} at byte {start}; give the "
                            "right --encoding (e.g. GBK, UTF-8)")
                          .format(enc=enc, reason=exc.reason, start=exc.start)) from None
    except LookupError:
        raise fail(shown, _("unknown encoding {encoding!r}; use e.g. GBK, GB18030 or UTF-8")
                          .format(encoding=kwargs.get("encoding")), field="--encoding") from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
        raise fail(shown, _("cannot be read: {error}")
                          .format(error=gdal_message(exc))) from None


def _layers(path: Path, shown: str) -> list[tuple[str, bool]]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            found = pyogrio.list_layers(path)
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise fail(shown, _("cannot be read as GIS data: {error}")
                          .format(error=gdal_message(exc))) from None
    return [(str(name), gtype is not None) for name, gtype in found]


def _choose_layer(path: Path, shown: str, layer: str | None,
                  prefer: Sequence[str]) -> str | None:
    names = [n for n, spatial in _layers(path, shown) if spatial]
    if not names:
        raise fail(shown, _("holds no layer with geometry"))
    if layer is not None:
        if layer not in names:
            raise fail(shown, _("has no layer {layer!r}; its layers are {names} (choose one with "
                                "--source-layer)").format(layer=layer, names=', '.join(names)))
        return layer
    if len(names) == 1:
        return names[0]
    for p in prefer:
        if p in names:
            return p
    raise fail(shown, _("holds {n} layers ({names}); choose one with --source-layer")
                      .format(n=len(names), names=", ".join(names)))


def _drop_internals(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Without driver internals and columns empty in every row."""
    drop = []
    for c in gdf.columns:
        if c == gdf.geometry.name:
            continue
        col = gdf[c]
        if str(c).lower() in DRIVER_INTERNALS or col.isna().all() or (
                col.dtype == object and col.map(lambda v: isinstance(v, str) and not v.strip()
                                                 or v is None).all()):
            drop.append(c)
    return gdf.drop(columns=drop)


def _read_kml(path: Path, shown: str, layer: str | None) -> Source:
    """Every folder of a KML/KMZ (nested folders are layers to GDAL), one frame."""
    names = [n for n, spatial in _layers(path, shown) if spatial]
    if layer is not None:
        if layer not in names:
            raise fail(shown, _("has no folder {layer!r}; its folders are {names}")
                              .format(layer=layer, names=', '.join(names)))
        names = [layer]
    frames = []
    for n in names:
        with gdal_config(LIBKML_LAUNDER_FIELD_NAMES="NO"):  # keep 建设年份, not ____
            g = _read(path, shown, layer=n)
        if len(g):
            g.insert(0, "folder", n)
            frames.append(g)
    if not frames:
        raise fail(shown, _("holds no Placemark with geometry"))
    gdf = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    if len(names) == 1:
        gdf = gdf.drop(columns="folder")
    return Source(_drop_internals(gdf), shown, driver="KML", layer=layer)


def _point_columns(columns: Sequence[str]) -> tuple[str | None, str | None]:
    low = {str(c).strip().lower(): str(c) for c in columns}
    x = next((low[n] for n in X_NAMES if n in low), None)
    y = next((low[n] for n in Y_NAMES if n in low), None)
    return x, y


def _no_coordinates(shown: str, columns: Sequence[str]) -> ValidationError:
    return fail(shown, _("has no coordinate columns (its columns are {columns}); name them "
                         "经度/纬度 (or lon/lat, x/y, 东坐标/北坐标) and give projected x/y "
                         "their CRS with --crs").format(columns=", ".join(columns)))


def _csv_bytes(path: Path, shown: str, encoding: str | None) -> tuple[bytes, str]:
    raw = path.read_bytes()
    if encoding:
        try:
            return raw.decode(encoding).encode("utf-8"), encoding
        except (UnicodeDecodeError, LookupError):
            raise fail(shown, _("the text is not {encoding}; give the right --encoding (e.g. "
                                "GBK, UTF-8)").format(encoding=encoding)) from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc).encode("utf-8"), "UTF-8" if enc == "utf-8-sig" else "GB18030"
        except UnicodeDecodeError:
            continue
    raise fail(shown, _("the text is neither UTF-8 nor GBK; give its encoding with --encoding"))


def _read_csv(path: Path, shown: str, encoding: str | None) -> Source:
    data, enc = _csv_bytes(path, shown, encoding)
    with tempfile.TemporaryDirectory(prefix="citymap-csv-") as tmp:
        utf8 = Path(tmp) / "table.csv"
        utf8.write_bytes(data)
        opts = {"X_POSSIBLE_NAMES": ",".join(X_NAMES), "Y_POSSIBLE_NAMES": ",".join(Y_NAMES),
                "KEEP_GEOM_COLUMNS": "NO", "AUTODETECT_TYPE": "NO",
                "EMPTY_STRING_AS_NULL": "YES"}
        gdf = _read(utf8, shown, **opts)
    if "geometry" not in gdf.columns or gdf.geometry.isna().all():
        raise _no_coordinates(shown, [c for c in gdf.columns if c != "geometry"])
    return Source(gdf, shown, driver="CSV", encoding=enc, table_points=True)


def _below_title_rows(path: Path, shown: str, sheet: str) -> pd.DataFrame | None:
    """The sheet read with its header row found below title rows (``阳信县公厕台账`` on
    row 1, the column names on row 2 or 3, as Chinese office spreadsheets often have), or
    ``None`` when no row of the first ten names coordinate columns.
    """
    raw = pd.DataFrame(_read(path, shown, layer=sheet, read_geometry=False,
                             HEADERS="DISABLE", FIELD_TYPES="STRING"))
    raw = raw.drop(columns=[c for c in raw.columns if c == "geometry"])
    for k in range(min(10, len(raw))):
        names = ["" if v is None else str(v).strip() for v in raw.iloc[k]]
        x, y = _point_columns(names)
        if x is not None and y is not None:
            body = raw.iloc[k + 1:].reset_index(drop=True)
            body.columns = [n or f"field_{i + 1}" for i, n in enumerate(names)]
            return body
    return None


def _read_xlsx(path: Path, shown: str, layer: str | None) -> Source:
    sheets = [n for n, _ in _layers(path, shown)]
    if layer is not None and layer not in sheets:
        raise fail(shown, _("has no sheet {layer!r}; its sheets are {sheets}")
                          .format(layer=layer, sheets=', '.join(sheets)))
    sheet = layer or (sheets[0] if sheets else None)
    if sheet is None:
        raise fail(shown, _("holds no sheet"))
    df = _read(path, shown, layer=sheet, read_geometry=False, HEADERS="FORCE",
               FIELD_TYPES="AUTO")
    cols = [str(c) for c in df.columns if c != "geometry"]
    xcol, ycol = _point_columns(cols)
    if xcol is None or ycol is None:
        found = _below_title_rows(path, shown, sheet)
        if found is not None:
            df = found
            cols = [str(c) for c in df.columns]
            xcol, ycol = _point_columns(cols)
    if xcol is None or ycol is None:
        raise _no_coordinates(shown, cols)
    xs = pd.to_numeric(df[xcol].map(lambda v: str(v).strip() if v is not None else v),
                       errors="coerce")
    ys = pd.to_numeric(df[ycol].map(lambda v: str(v).strip() if v is not None else v),
                       errors="coerce")
    ok = xs.notna().to_numpy() & ys.notna().to_numpy()
    geoms = np.full(len(df), None, dtype=object)
    geoms[ok] = shapely.points(xs.to_numpy()[ok].astype(float), ys.to_numpy()[ok].astype(float))
    df = pd.DataFrame(df).drop(columns=[c for c in (xcol, ycol, "geometry") if c in df.columns])
    gdf = gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index))
    return Source(gdf, shown, driver="XLSX", layer=sheet, table_points=True)


def _dxf_encoding(path: Path, encoding: str | None) -> str | None:
    """The DXF text encoding when the header's code page is wrong: a file that says
    ANSI_1252 but holds UTF-8 (GDAL and many converters write it so) is read as UTF-8.
    """
    if encoding:
        return encoding
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if b"ANSI_1252" not in head:
        return None  # ANSI_936 (GBK) and the like: GDAL recodes
    data = path.read_bytes()
    if max(data, default=0) < 0x80:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "UTF-8"


def _label_rings(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """CAD labels: a TEXT entity inside a closed polyline becomes that polyline's ``Text``
    (the usual way a drawing names its parcels); the labels used are dropped.
    """
    if "Text" not in gdf.columns:
        return gdf
    geoms = np.asarray(gdf.geometry.values)
    is_label = np.array([g is not None and g.geom_type == "Point" for g in geoms]) & \
        gdf["Text"].notna().to_numpy()
    rings = [k for k, g in enumerate(geoms) if g is not None and g.geom_type == "LineString"
             and g.is_closed and len(g.coords) >= 4]
    if not is_label.any() or not rings:
        return gdf
    texts = gdf["Text"].tolist()
    used = set()
    for k in rings:
        poly = shapely.Polygon(geoms[k].coords)
        inside = [j for j in np.flatnonzero(is_label) if poly.contains(geoms[j])]
        if inside and pd.isna(texts[k]):
            texts[k] = texts[inside[0]]
            used.update(inside)
    out = gdf.assign(Text=texts)
    return out.drop(index=out.index[sorted(used)])


def _read_dxf(path: Path, shown: str, encoding: str | None) -> Source:
    enc = _dxf_encoding(path, encoding)
    with gdal_config(DXF_ENCODING=enc):
        gdf = _read(path, shown)
    gdf = _label_rings(gdf)
    return Source(_drop_internals(gdf).reset_index(drop=True), shown, driver="DXF",
                  encoding=enc)


def _read_one(path: Path, shown: str, *, layer: str | None, encoding: str | None,
              prefer: Sequence[str]) -> Source:
    check_gis_source(path, shown)  # type, size, JSON shape: before GDAL sees it
    suffix = path.suffix.lower()
    if suffix in (".kml", ".kmz"):
        return _read_kml(path, shown, layer)
    if suffix == ".csv":
        return _read_csv(path, shown, encoding)
    if suffix == ".xlsx":
        return _read_xlsx(path, shown, layer)
    if suffix == ".dxf":
        return _read_dxf(path, shown, encoding)
    chosen = _choose_layer(path, shown, layer, prefer)
    enc = encoding or detect_encoding(path, layer=chosen)
    gdf = _read(path, shown, layer=chosen, encoding=enc)
    if suffix == ".shp" and enc is None:
        cpg = [path.with_suffix(s) for s in (".cpg", ".CPG") if path.with_suffix(s).exists()]
        if cpg:
            enc = cpg[0].read_text(encoding="ascii", errors="replace").strip() or None
        else:
            with contextlib.suppress(pyogrio.errors.DataSourceError):
                enc = str(pyogrio.read_info(path, layer=chosen).get("encoding") or "") or None
    driver = "OpenFileGDB" if suffix == ".gdb" else ""
    return Source(_drop_internals(gdf) if suffix == ".gdb" else gdf, shown, driver=driver,
                  encoding=enc, layer=chosen)


def open_source(path: str | os.PathLike[str], *, layer: str | None = None,
                encoding: str | None = None, prefer_layers: Sequence[str] = ()) -> Source:
    """Read one layer of what an office sent, in the file's own CRS.

    Parameters
    ----------
    path
        A file, a ``.gdb`` folder or a zip archive holding one dataset.
    layer
        The layer (GeoPackage, FileGDB), folder (KML), sheet (XLSX) or, in a zip holding
        several datasets, the file to read.
    encoding
        The text encoding of a Shapefile or CSV (default: detected).
    prefer_layers
        Layer names to pick, in order, when several layers are there and none is chosen.

    Raises
    ------
    citymap.errors.ValidationError
        One line naming the file and what to do.
    """
    p = Path(path)
    shown = str(path)
    if not p.exists():
        raise fail(shown, _("file not found"))
    if p.is_dir() and p.suffix.lower() != ".gdb":
        raise fail(shown, _("is a folder; give the file inside it, a FileGDB folder (*.gdb) or a "
                            "zip"))
    if p.suffix.lower() == ".zip":
        with _unpacked(p, shown, layer) as (inner, inner_shown):
            inner_layer = None if layer in (inner.name, inner.stem) else layer
            src = _read_one(inner, inner_shown, layer=inner_layer, encoding=encoding,
                            prefer=prefer_layers)
        return attrs.evolve(src, shown=shown)
    return _read_one(p, shown, layer=layer, encoding=encoding, prefer=prefer_layers)


def closed_lines_as_polygons(geoms: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Closed LineStrings (a CAD closed polyline, a KML ring) as Polygons; others as they are."""
    out = np.asarray(geoms, dtype=object).copy()
    for i, g in enumerate(out):
        if g is not None and g.geom_type == "LineString" and g.is_closed and \
                len(g.coords) >= 4:
            out[i] = shapely.Polygon(g.coords)
        elif g is not None and g.geom_type == "MultiLineString" and all(
                part.is_closed and len(part.coords) >= 4 for part in g.geoms):
            polys = [shapely.Polygon(part.coords) for part in g.geoms]
            out[i] = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
    return out


