"""Imports from GIS staff: any file GDAL reads, any CRS pyproj knows, and AMap's GCJ-02.

:func:`read_external` reads one layer of a Shapefile (with or without a ``.cpg``; GBK is
detected), GeoPackage, GeoJSON, KML or anything else pyogrio reads, and returns it in
lon/lat (EPSG:4326). Data without a CRS is refused (say it with ``--crs``); a CRS given
with ``--crs`` never silently replaces the file's own. GCJ-02 data (digitised on
AMap/Gaode) is converted with :mod:`citymap.gcj02`.

:func:`import_sites` maps the file's fields onto a workspace layer (10-character
Shapefile names are mapped back through ``fields.csv`` or the same rule the export uses),
validates every feature like the workspace's own (:func:`citymap.sites.check_layer`:
ids unique in the workspace, works in the register, geometry type, inside the county),
and only when nothing is wrong merges the sites into ``geo/sites/<layer>.geojson``
atomically: sites with a new id are appended, sites with an existing id of that layer
replace it. A file with any problem imports nothing; the error lists every problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from citymap.crs import LONLAT_CRS, require_crs, resolve_crs
from citymap.errors import CRSError, Problem, ValidationError
from citymap.gcj02 import frame_gcj02_to_wgs84
from citymap.io.export import (
    JOINED_COLUMNS,
    canonical_frame,
    layer_columns,
    shapefile_field_names,
    write_geojson,
)
from citymap.sites import check_layer, coerce_columns

if TYPE_CHECKING:
    from citymap.layers import LayerSpec
    from citymap.workspace import Workspace

__all__ = ["ImportSummary", "read_external", "import_sites", "detect_encoding",
           "map_columns"]

#: Encodings tried, in order, for a Shapefile without ``.cpg`` (GB18030 ⊃ GBK ⊃ GB2312).
FALLBACK_ENCODINGS = ("UTF-8", "GB18030")
#: What GDAL reports for a Shapefile that says nothing about its encoding.
_GDAL_DEFAULT_SHP_ENCODING = ("", "ISO-8859-1")
_MULTI_PARTS = {"MultiPoint", "MultiLineString", "MultiPolygon"}


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _fail(shown: str, message: str, *, field: str = "", item: str = "") -> ValidationError:
    return ValidationError([Problem(shown, item, field, message)])


def detect_encoding(path: str | os.PathLike[str], *, layer: str | None = None) -> str | None:
    """The text encoding to read ``path`` with, or ``None`` to let GDAL decide.

    Only Shapefiles need this: a ``.cpg`` file or the dBASE language id tell GDAL the
    encoding; without them (common for files from Chinese GIS software, which write GBK)
    the attributes are tried as UTF-8 and, when they do not decode, as GB18030 (a superset
    of GBK and GB2312).

    Raises
    ------
    citymap.errors.ValidationError
        If the text decodes in none of the encodings tried: give it with ``--encoding``.
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
    raise _fail(str(path), "the attribute text is neither UTF-8 nor GBK/GB18030; give its "
                "encoding with --encoding (e.g. --encoding BIG5) or add a .cpg file")


def _spatial_layers(path: Path, shown: str) -> list[str]:
    try:
        layers = pyogrio.list_layers(path)
    except (pyogrio.errors.DataSourceError, OSError) as exc:
        raise _fail(shown, f"cannot be read as GIS data: {_one_line(exc)}") from None
    return [str(name) for name, gtype in layers if gtype is not None]


def _choose_layer(path: Path, shown: str, layer: str | None,
                  prefer: Iterable[str] = ()) -> str | None:
    names = _spatial_layers(path, shown)
    if not names:
        raise _fail(shown, "holds no layer with geometry")
    if layer is not None:
        if layer not in names:
            raise _fail(shown, f"has no layer {layer!r}; its layers are "
                        f"{', '.join(names)} (choose one with --source-layer)")
        return layer
    if len(names) == 1:
        return names[0]
    for p in prefer:
        if p in names:
            return p
    raise _fail(shown, f"holds {len(names)} layers ({', '.join(names)}); choose one with "
                "--source-layer")


def read_external(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    encoding: str | None = None,
    crs: Any = None,
    from_gcj02: bool = False,
    prefer_layers: Sequence[str] = (),
) -> gpd.GeoDataFrame:
    """Read one layer of any file GDAL reads and return it in lon/lat (EPSG:4326).

    Parameters
    ----------
    path
        The file: Shapefile, GeoPackage, GeoJSON, KML, … .
    layer
        The layer to read from a multi-layer file (a GeoPackage).
    encoding
        The attribute encoding (e.g. ``GBK``); default: detected (see
        :func:`detect_encoding`).
    crs
        The CRS of a file that has none (anything :meth:`pyproj.CRS.from_user_input`
        accepts). If the file has a different CRS it is refused, never replaced.
    from_gcj02
        The coordinates are GCJ-02 lon/lat (AMap/Gaode, Tencent): convert them to WGS 84.
    prefer_layers
        Layer names to pick, in order, when ``layer`` is not given and the file has
        several.

    Returns
    -------
    geopandas.GeoDataFrame
        2D geometries in EPSG:4326, attributes as read.

    Raises
    ------
    citymap.errors.ValidationError
        When the file is missing, unreadable, or has several layers and none was chosen.
    citymap.errors.CRSError
        When the file has no CRS and none is given, or ``crs`` contradicts the file's.
    """
    p = Path(path)
    shown = str(path)
    if not p.exists():
        raise _fail(shown, "file not found")
    chosen = _choose_layer(p, shown, layer, prefer_layers)
    enc = encoding or detect_encoding(p, layer=chosen)
    try:
        gdf = pyogrio.read_dataframe(p, layer=chosen, encoding=enc)
    except UnicodeDecodeError as exc:
        raise _fail(shown, f"the attribute text is not {enc}: {exc.reason} at byte "
                    f"{exc.start}; give the right --encoding (e.g. GBK, UTF-8)") from None
    except LookupError:
        raise _fail(shown, f"unknown encoding {enc!r}; use e.g. GBK, GB18030 or UTF-8",
                    field="--encoding") from None
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.FieldError, pyogrio.errors.GeometryError) as exc:
        raise _fail(shown, f"cannot be read: {_one_line(exc)}") from None
    given = resolve_crs(crs, what="--crs") if crs is not None else None
    if gdf.crs is None:
        if given is None:
            require_crs(gdf, where=shown)
        gdf = gdf.set_crs(given)
    elif given is not None:
        own = CRS.from_user_input(gdf.crs)
        if not own.equals(given, ignore_axis_order=True):
            raise CRSError(f"{shown}: the file says its CRS is {own.name!r} "
                           f"({own.to_string()}), but --crs says {given.name!r}; citymap never "
                           "replaces a file's CRS: drop --crs, or fix the file's .prj")
    if from_gcj02 and not CRS.from_user_input(gdf.crs).is_geographic:
        raise CRSError(f"{shown}: --from gcj02 needs lon/lat coordinates, but the file's CRS "
                       f"is {CRS.from_user_input(gdf.crs).name!r} (projected); GCJ-02 data "
                       "from AMap/Gaode is lon/lat")
    geoms = np.asarray(gdf.geometry.values)
    has_geom = ~shapely.is_missing(geoms)
    gdf = gdf.set_geometry(gpd.GeoSeries(shapely.force_2d(geoms), index=gdf.index,
                                         crs=gdf.crs)) if has_geom.any() else gdf
    source = CRS.from_user_input(gdf.crs)
    gdf = gdf.to_crs(LONLAT_CRS)
    if from_gcj02:
        gdf = frame_gcj02_to_wgs84(gdf)
    epsg = source.to_epsg()
    gdf.attrs["citymap.source_crs"] = f"{source.name} (EPSG:{epsg})" if epsg else source.name
    gdf.attrs["citymap.encoding"] = enc
    return gdf


# ----------------------------------------------------------------------------- mapping


def _fields_csv_mapping(path: Path, layer: str) -> dict[str, str]:
    """Shapefile field → column from a ``fields.csv`` beside ``path`` (citymap's export)."""
    f = path.parent / "fields.csv"
    if not f.is_file():
        return {}
    try:
        rows = list(csv.DictReader(f.read_text(encoding="utf-8-sig").splitlines()))
    except (UnicodeDecodeError, csv.Error):
        return {}
    out: dict[str, str] = {}
    for r in rows:
        files = (r.get("file") or "").split(";")
        if r.get("layer") == layer or path.name in files:
            if r.get("shp_field") and r.get("field"):
                out[r["shp_field"]] = r["field"]
    return out


def map_columns(columns: Iterable[str], spec: LayerSpec,
                extra: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """Map a file's column names onto ``spec``'s columns.

    A column matches by exact name, through ``extra`` (``fields.csv``), through the
    Shapefile 10-character rule of the export, case-insensitively, or as the first 10
    bytes of a name (what GDAL writes for a long name, e.g. ``status_dat``).

    Returns
    -------
    tuple
        ``(renames, ignored)``: file column → layer column, and the file's columns that
        match nothing (dropped, and listed in the summary). The joined work columns of an
        export are dropped silently.
    """
    wanted = layer_columns(spec, joined=True)
    shp = {v: k for k, v in shapefile_field_names(wanted).items()}
    lower = {c.lower(): c for c in wanted}
    shp_lower = {k.lower(): k for k in shp}
    # what GDAL itself makes of a long name when writing a Shapefile: the first 10 bytes
    cut = {c.encode("utf-8")[:10].decode("utf-8", "ignore").lower(): c for c in wanted}
    renames: dict[str, str] = {}
    ignored: list[str] = []
    taken: set[str] = set()
    for col in columns:
        target = None
        if col in wanted:
            target = col
        elif extra and col in extra and extra[col] in wanted:
            target = extra[col]
        elif col in shp:
            target = shp[col]
        elif col.lower() in lower:
            target = lower[col.lower()]
        elif col.lower() in shp_lower:
            target = shp[shp_lower[col.lower()]]
        elif col.lower() in cut:
            target = cut[col.lower()]
        if target is None or target in taken:
            ignored.append(col)
            continue
        taken.add(target)
        renames[col] = target
    return renames, ignored


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if isinstance(v, pd.Timestamp | dt.datetime):
        return v.date().isoformat() if v == pd.Timestamp(v).normalize() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str) and not v.strip():
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def _normalise(gdf: gpd.GeoDataFrame, spec: LayerSpec) -> gpd.GeoDataFrame:
    """Plain Python values (dates as text, blanks as missing); single-part multis demoted."""
    out = gdf.copy()
    for c in out.columns:
        if c != out.geometry.name:
            out[c] = pd.Series([_plain(v) for v in out[c]], index=out.index, dtype=object)
    if "id" in out.columns:
        out["id"] = pd.Series([v if v is None or isinstance(v, str) else
                               (str(int(v)) if isinstance(v, float) and v.is_integer()
                                else str(v)) for v in out["id"]], index=out.index, dtype=object)
    # GeoPackage writers promote every feature to Multi when a layer mixes both forms;
    # one-part multis are turned back into the single form the workspace stores.
    geoms = np.asarray(out.geometry.values).copy()
    for i, g in enumerate(geoms):
        if g is not None and g.geom_type in _MULTI_PARTS and len(g.geoms) == 1:
            geoms[i] = g.geoms[0]
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=out.crs)
    return out


# ----------------------------------------------------------------------------- import


@attrs.frozen
class ImportSummary:
    """What an import did (or, with ``dry_run``, would do)."""

    layer: str
    source: str
    target: str
    added: tuple[str, ...]
    replaced: tuple[str, ...]
    renamed: tuple[tuple[str, str], ...] = ()
    ignored: tuple[str, ...] = ()
    crs: str = ""
    encoding: str | None = None
    from_gcj02: bool = False
    dry_run: bool = False

    def lines(self) -> list[str]:
        """The summary as lines of text for the terminal."""
        verb = "would import" if self.dry_run else "imported"
        if not self.added and not self.replaced:
            return [f"{self.source} has no features: nothing imported, layer {self.layer!r} "
                    f"({self.target}) unchanged"]
        out = [f"{verb} {len(self.added) + len(self.replaced)} site(s) from {self.source} "
               f"into layer {self.layer!r} ({self.target}): {len(self.added)} new, "
               f"{len(self.replaced)} replacing sites with the same id"]
        if self.added:
            out.append(f"  new: {', '.join(self.added)}")
        if self.replaced:
            out.append(f"  replaced: {', '.join(self.replaced)}")
        src = f"  source CRS: {self.crs}"
        if self.from_gcj02:
            src += ", converted from GCJ-02 to WGS 84"
        if self.encoding:
            src += f", text read as {self.encoding}"
        out.append(src)
        if self.renamed:
            out.append("  fields mapped: " + ", ".join(f"{a} → {b}" for a, b in self.renamed))
        if self.ignored:
            out.append(f"  fields ignored (not in layers/{self.layer}.toml): "
                       f"{', '.join(self.ignored)}")
        return out


def import_sites(
    ws: Workspace,
    path: str | os.PathLike[str],
    *,
    layer: str,
    source_layer: str | None = None,
    encoding: str | None = None,
    crs: Any = None,
    from_gcj02: bool = False,
    dry_run: bool = False,
) -> ImportSummary:
    """Validate the features of ``path`` as sites of ``layer`` and merge them in.

    Parameters
    ----------
    ws
        The loaded workspace.
    path
        The file to import (see :func:`read_external`).
    layer
        The workspace layer the features belong to.
    source_layer
        The layer inside a multi-layer file (default: the one named like ``layer``, if
        any, else the only one).
    encoding, crs, from_gcj02
        As for :func:`read_external`.
    dry_run
        Check everything and report, but write nothing.

    Returns
    -------
    ImportSummary
        Ids added and replaced, fields mapped and ignored.

    Raises
    ------
    citymap.errors.ValidationError
        Listing every problem of every feature; nothing is written.
    citymap.errors.CRSError
        When the CRS is missing or contradicts ``crs``.
    """
    if layer not in ws.layers:
        raise _fail("--layer", f"unknown layer {layer!r}; the layers are "
                    f"{', '.join(ws.layers)}")
    spec = ws.layers[layer]
    shown = str(path)
    p = Path(path)
    raw = read_external(p, layer=source_layer, encoding=encoding, crs=crs,
                        from_gcj02=from_gcj02, prefer_layers=(layer,))
    src_crs = str(raw.attrs.get("citymap.source_crs", ""))
    used_encoding = raw.attrs.get("citymap.encoding")
    cols = [c for c in raw.columns if c != raw.geometry.name]
    renames, ignored = map_columns(cols, spec, _fields_csv_mapping(p, layer))
    gdf = raw.rename(columns=renames)
    gdf = gdf[[*renames.values(), gdf.geometry.name]]
    gdf = gdf.drop(columns=[c for c in JOINED_COLUMNS if c in gdf.columns
                            and c not in spec.fields])
    gdf = _normalise(gdf, spec)
    others: dict[str, str] = {}
    for name, data in ws.data.items():
        if name != layer:
            for i in data["id"]:
                others[str(i)] = ws.layers[name].source
    problems = check_layer(gdf, spec, shown=shown, bounds=ws.config.bounds,
                           work_numbers=[w.number for w in ws.register.works],
                           seen_ids=others)
    if problems and any(pr.message.startswith("missing propert") for pr in problems):
        have = ", ".join(cols) or "—"
        want = ", ".join(layer_columns(spec, joined=False))
        problems.append(Problem(shown, "", "", f"the file's fields are {have}; layer "
                                f"{layer!r} has {want} (10-character Shapefile names are "
                                "mapped back)"))
    if problems:
        raise ValidationError(problems)
    incoming = canonical_frame(coerce_columns(gdf, spec), spec)
    existing = ws.data[layer]
    old_ids = [str(i) for i in existing["id"]]
    new_ids = [str(i) for i in incoming["id"]]
    replaced = tuple(i for i in new_ids if i in set(old_ids))
    added = tuple(i for i in new_ids if i not in set(old_ids))
    target = ws.root / spec.source
    if not dry_run and len(incoming):  # no feature: a no-op leaves the file as it is
        by_id = {str(r): k for k, r in enumerate(incoming["id"])}
        rows = []
        for k, i in enumerate(old_ids):
            rows.append(incoming.iloc[[by_id[i]]] if i in by_id else existing.iloc[[k]])
        rows += [incoming.iloc[[by_id[i]]] for i in added]
        cols_out = layer_columns(spec, joined=False)
        frames = [canonical_frame(r.reindex(columns=[*cols_out, r.geometry.name]), spec)
                  for r in rows]
        merged = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=LONLAT_CRS)
        write_geojson(canonical_frame(merged, spec), target, columns=cols_out)
    return ImportSummary(
        layer=layer, source=shown, target=spec.source, added=added, replaced=replaced,
        renamed=tuple((a, b) for a, b in renames.items() if a != b), ignored=tuple(ignored),
        crs=src_crs, encoding=used_encoding, from_gcj02=from_gcj02,
        dry_run=dry_run,
    )


