"""Imports from GIS staff: any file GDAL reads, any CRS pyproj knows, and AMap's GCJ-02.

:func:`read_external` reads one layer (see :mod:`citymap.io.intake.formats` for what is
read and how) and returns it in lon/lat (EPSG:4326). Data without a CRS is refused unless
one is given with ``--crs`` (a CSV/XLSX point table whose coordinates look like degrees is
read as lon/lat); ``--crs`` overrides a ``.prj`` and says so; coordinates that do not fit
the CRS are refused with the CRS they do fit (:func:`citymap.io.intake.hints.crs_fit`).
GCJ-02 data (AMap/Gaode) is converted with :mod:`citymap.gcj02`.

:func:`import_sites` maps the file's fields onto a workspace layer
(:mod:`citymap.io.intake.mapping`: ``--map``, ``--set``, ``--key``, a mapping file,
defaults the layer makes obvious, generated ids), converts values as people write them
(:mod:`citymap.io.intake.values`), validates every feature like the workspace's own
(:func:`citymap.sites.check_layer`), and only when nothing is wrong merges the sites into
the layer and writes it through the store it is given
(:meth:`citymap.store.base.Store.write_layer`: the layer's GeoJSON file atomically, or one
database transaction): new sites are appended, sites that are already
there (same id, same key, or the same geometry within 1 m) are replaced. A file with any
problem imports nothing; the error lists every problem, one per bad cell. A re-import that
changes nothing writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from citymap.crs import LONLAT_CRS, require_crs, resolve_crs
from citymap.errors import CRSError, Problem, ValidationError
from citymap.gcj02 import frame_gcj02_to_wgs84
from citymap.i18n import _, ngettext
from citymap.io.export import layer_columns
from citymap.io.intake.formats import (
    FALLBACK_ENCODINGS,
    Source,
    closed_lines_as_polygons,
    detect_encoding,
    fail,
    open_source,
)
from citymap.io.intake.hints import crs_fit, fits, gcj02_hint
from citymap.io.intake.mapping import (
    IdMaker,
    Mapping,
    fields_csv_mapping,
    map_columns,
    match_existing,
)
from citymap.io.intake.values import convert, is_blank, plain, status_synonyms
from citymap.sites import check_layer
from citymap.vocab import SITE_STATUSES

if TYPE_CHECKING:
    from citymap.layers import LayerSpec
    from citymap.store.base import Store
    from citymap.workspace import Workspace

__all__ = ["ImportSummary", "read_external", "import_sites", "detect_encoding",
           "map_columns", "FALLBACK_ENCODINGS", "Mapping"]

_MULTI_PARTS = {"MultiPoint", "MultiLineString", "MultiPolygon"}
#: Rows shown by ``--dry-run``.
PREVIEW_ROWS = 5


# ----------------------------------------------------------------------------- reading


def _resolve_source_crs(src: Source, given: CRS | None, bounds: Sequence[float] | None,
                        ) -> tuple[CRS, list[str]]:
    notes: list[str] = []
    own = CRS.from_user_input(src.frame.crs) if src.frame.crs is not None else None
    if given is not None:
        if own is not None and not own.equals(given, ignore_axis_order=True):
            notes.append(_("--crs {given} overrides the file's own CRS {own} ({name})")
                         .format(given=given.to_string(), own=own.to_string(), name=own.name))
        return given, notes
    if own is not None:
        return own, notes
    if src.table_points:
        xy = shapely.get_coordinates(np.asarray(src.frame.geometry.dropna().values))
        if len(xy) and (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all():
            notes.append(_("coordinate columns read as lon/lat (EPSG:4490, CGCS2000); give --crs "
                           "otherwise"))
            return CRS.from_user_input("EPSG:4490"), notes
    hint = None
    if bounds is not None:
        for code in ("EPSG:4527", "EPSG:4548", "EPSG:4526", "EPSG:4528", "EPSG:4547",
                     "EPSG:4549"):
            xy = shapely.get_coordinates(np.asarray(src.frame.geometry.dropna().values))[:200]
            if len(xy) and fits(xy, code, bounds) >= 0.9:
                hint = code
                break
    if hint:
        raise CRSError(_("{shown}: the data has no coordinate reference system; its coordinates "
                         "fit {hint}: import it with --crs {hint}")
                       .format(shown=src.shown, hint=hint))
    require_crs(src.frame, where=src.shown)
    raise AssertionError  # pragma: no cover - require_crs raised


def read_external(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    encoding: str | None = None,
    crs: Any = None,
    from_gcj02: bool = False,
    prefer_layers: Sequence[str] = (),
    bounds: Sequence[float] | None = None,
) -> gpd.GeoDataFrame:
    """Read one layer of any file GDAL reads and return it in lon/lat (EPSG:4326).

    Parameters
    ----------
    path
        Shapefile, GeoPackage, FileGDB folder, GeoJSON, KML/KMZ, DXF, CSV, XLSX, or a zip
        of one.
    layer
        The layer (GeoPackage, FileGDB), folder (KML), sheet (XLSX), or file in a zip.
    encoding
        The attribute encoding (e.g. ``GBK``); default: detected.
    crs
        The CRS of the coordinates; overrides the file's own (noted in
        ``attrs["citymap.notes"]``).
    from_gcj02
        The coordinates are GCJ-02 lon/lat (AMap/Gaode, Tencent): convert them to WGS 84.
    prefer_layers
        Layer names to pick, in order, when several layers are there and none is chosen.
    bounds
        The county's lon/lat box: coordinates that do not fit their CRS are refused with
        the CRS they fit.

    Raises
    ------
    citymap.errors.ValidationError
        When the file is missing, unreadable, or has several layers and none was chosen.
    citymap.errors.CRSError
        When the file has no CRS and none is given, or the coordinates do not fit it.
    """
    src = open_source(path, layer=layer, encoding=encoding, prefer_layers=prefer_layers)
    given = resolve_crs(crs, what="--crs") if crs is not None else None
    source_crs, notes = _resolve_source_crs(src, given, bounds)
    gdf = src.frame
    geoms = np.asarray(gdf.geometry.values)
    gdf = gdf.set_geometry(gpd.GeoSeries(shapely.force_2d(geoms), index=gdf.index),
                           crs=source_crs) if gdf.crs is None or given is not None else \
        gdf.set_geometry(gpd.GeoSeries(shapely.force_2d(geoms), index=gdf.index,
                                       crs=gdf.crs))
    if bounds is not None:
        why = crs_fit(gdf, source_crs, bounds)
        if why:
            if given is None and src.frame.crs is not None:
                why = _("{why} (--crs overrides the file's .prj)").format(why=why)
            raise CRSError(f"{src.shown}: {why}")
    if from_gcj02 and not source_crs.is_geographic:
        raise CRSError(_("{shown}: --from gcj02 needs lon/lat coordinates, but the CRS is "
                         "{name!r} (projected); GCJ-02 data from AMap/Gaode is lon/lat")
                       .format(shown=src.shown, name=source_crs.name))
    gdf = gdf.to_crs(LONLAT_CRS)
    if from_gcj02:
        gdf = frame_gcj02_to_wgs84(gdf)
    epsg = source_crs.to_epsg()
    gdf.attrs["citymap.source_crs"] = f"{source_crs.name} (EPSG:{epsg})" if epsg else \
        source_crs.name
    gdf.attrs["citymap.encoding"] = src.encoding
    gdf.attrs["citymap.notes"] = tuple(notes)
    gdf.attrs["citymap.driver"] = src.driver
    return gdf


# ----------------------------------------------------------------------------- summary


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
    kept: tuple[str, ...] = ()
    field_sources: tuple[tuple[str, str], ...] = ()
    preview: tuple[tuple[str, ...], ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    unchanged: bool = False
    mapping: Mapping = Mapping()

    def lines(self) -> list[str]:
        """The summary as lines of text for the terminal (in the current language)."""
        if not self.added and not self.replaced:
            return [_("{source} has no features: nothing imported, layer {layer!r} ({target}) "
                      "unchanged").format(source=self.source, layer=self.layer,
                                          target=self.target)]
        n = len(self.added) + len(self.replaced)
        head = (ngettext("would import {n} site from {source} into layer {layer!r} ({target}): "
                         "{new} new, {replaced} replacing sites with the same id",
                         "would import {n} sites from {source} into layer {layer!r} "
                         "({target}): {new} new, {replaced} replacing sites with the same id", n)
                if self.dry_run else
                ngettext("imported {n} site from {source} into layer {layer!r} ({target}): "
                         "{new} new, {replaced} replacing sites with the same id",
                         "imported {n} sites from {source} into layer {layer!r} ({target}): "
                         "{new} new, {replaced} replacing sites with the same id", n))
        out = [head.format(n=n, source=self.source, layer=self.layer, target=self.target,
                           new=len(self.added), replaced=len(self.replaced))]
        if self.added:
            out.append(_("  new: {ids}").format(ids=", ".join(self.added)))
        if self.replaced:
            out.append(_("  replaced: {ids}").format(ids=", ".join(self.replaced)))
        if self.unchanged and not self.dry_run:
            out.append(_("  nothing changed: {target} was not rewritten").format(
                target=self.target))
        read = [_("converted from GCJ-02 to WGS 84")] if self.from_gcj02 else []
        if self.encoding:
            read.append(_("text read as {encoding}").format(encoding=self.encoding))
        out.append(_("  source CRS: {crs}").format(crs=self.crs)
                   + "".join(_(", {more}").format(more=r) for r in read))
        out += [_("  note: {note}").format(note=n) for n in self.notes]
        out += [_("  warning: {warning}").format(warning=w) for w in self.warnings]
        if self.renamed:
            out.append(_("  fields mapped: {pairs}").format(
                pairs=", ".join(f"{a} → {b}" for a, b in self.renamed)))
        if self.kept:
            out.append(_("  fields kept (not in layers/{layer}.toml): {fields}").format(
                layer=self.layer, fields=", ".join(self.kept)))
        if self.dry_run and self.field_sources:
            out.append(_("  where each field comes from:"))
            out += [f"    {f} ← {how}" for f, how in self.field_sources]
        if self.dry_run and self.preview:
            rows = len(self.preview) - 1
            out.append(ngettext("  first {n} row:", "  first {n} rows:", rows).format(n=rows))
            out += ["    " + " | ".join(row) for row in self.preview]
        return out


# ----------------------------------------------------------------------------- mapping


def _check_mapping(m: Mapping, cols: Sequence[str], spec: LayerSpec, shown: str) -> None:
    wanted = layer_columns(spec, joined=False)
    problems = []
    for a, b in m.renames:
        if a not in cols:
            problems.append(Problem("--map", a, "", _(
                "{a}={b}: the file has no field {a!r}; its fields are {fields}")
                .format(a=a, b=b, fields=", ".join(cols) or "—")))
        elif b not in wanted:
            problems.append(Problem("--map", a, "", _("{a}={b}: layer {spec!r} has no field "
                                                      "{b!r}; its fields are {wanted}")
                                                    .format(a=a, b=b, spec=spec.name,
                                                            wanted=", ".join(wanted))))
    for a, b in m.constants:
        if a not in wanted:
            problems.append(Problem("--set", a, "", _("{a}={b}: layer {spec!r} has no field "
                                                      "{a!r}; its fields are {wanted}")
                                                    .format(a=a, b=b, spec=spec.name,
                                                            wanted=", ".join(wanted))))
    if m.key is not None and m.key not in cols:
        problems.append(Problem("--key", m.key, "", _(
            "the file has no field {key!r}; its fields are {fields}")
            .format(key=m.key, fields=", ".join(cols) or "—")))
    if problems:
        raise ValidationError(problems)


def _kinds(spec: LayerSpec) -> dict[str, str]:
    kinds = {"id": "id", "works": "works", "name": "str", "year": "year", "status": "status",
             "status_date": "date", "source": "str", "kind": "str"}
    kinds.update({f: fs.type for f, fs in spec.fields.items()})
    return kinds


#: Stand-ins for a bad cell while the rest is checked, so that a bad cell is ONE problem.
def _stand_in(kind: str, years: tuple[int, int]) -> Any:
    return {"year": years[0], "date": f"{years[0]}-01-01", "status": SITE_STATUSES[0],
            "works": None, "int": 0, "float": 0.0, "bool": True}.get(kind, "x")


def _item(k: int, fid: Any, name: Any, src: Source) -> str:
    """How a feature is named in a problem: like the site checks when it has an id."""
    if isinstance(fid, str | int) and str(fid).strip():
        return _("feature {id!r}").format(id=str(fid))
    if isinstance(name, str) and name:
        label = _("row {row} ({name})") if src.table_points else _("feature {number} ({name})")
        return label.format(row=k + 1, number=k + 1, name=name)
    label = _("row {row}") if src.table_points else _("feature {number}")
    return label.format(row=k + 1, number=k + 1)


def _convert_rows(gdf: gpd.GeoDataFrame, spec: LayerSpec, src: Source,
                  synonyms: dict[str, str], from_set: set[str],
                  years: tuple[int, int]) -> list[Problem]:
    """Convert every cell of the layer's columns in place; one problem per bad cell."""
    problems = []
    kinds = _kinds(spec)
    names = gdf["name"].tolist() if "name" in gdf.columns else [None] * len(gdf)
    fids = gdf["id"].tolist() if "id" in gdf.columns else [None] * len(gdf)
    for col in [c for c in gdf.columns if c in kinds]:
        kind = kinds[col]
        vals = gdf[col].tolist()
        out: list[Any] = []
        for k, v in enumerate(vals):
            if is_blank(v):
                out.append(None)
                continue
            try:
                out.append(convert(v, kind, synonyms=synonyms, years=years))
            except ValueError as exc:
                where = "--set" if col in from_set else src.shown
                item = "" if col in from_set else _item(k, plain(fids[k]), plain(names[k]), src)
                problems.append(Problem(where, item, col, f"{plain(v)!r} {exc}"))
                out.append(_stand_in(kind, years))
                if col in from_set:
                    break
        if out and len(out) < len(vals):  # a bad --set value: one problem, every row
            out += [out[-1]] * (len(vals) - len(out))
        gdf[col] = pd.Series(out, index=gdf.index, dtype=object)
    return problems


def _demote_multis(geoms: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    out = np.asarray(geoms, dtype=object).copy()
    for i, g in enumerate(out):
        if g is not None and g.geom_type in _MULTI_PARTS and len(g.geoms) == 1:
            out[i] = g.geoms[0]
    return out


def _shown_value(v: Any) -> str:
    v = plain(v)
    text = "" if v is None else str(v)
    return text if len(text) <= 24 else text[:23] + "…"


# ----------------------------------------------------------------------------- merging


def _record(row: dict[str, Any], cols: Sequence[str]) -> str:
    def norm(v: Any) -> Any:
        v = plain(v)
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v

    return json.dumps({c: norm(row.get(c)) for c in cols}, ensure_ascii=False, default=str)


def _same_geometry(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    ga, gb = (shapely.normalize(shapely.transform(g, lambda c: np.round(c, 7))) for g in (a, b))
    return bool(shapely.equals_exact(ga, gb, tolerance=1.5e-7))


def _keep_logged_status(incoming: gpd.GeoDataFrame, ws: Workspace, layer: str) -> None:
    """A re-imported export carries each site's status from the log (as of the export):
    where it equals what the log says today, the layer's own recorded values are kept.
    """
    existing = ws.data[layer]
    if not len(existing):
        return
    derived = ws.with_status_as_of(dt.date.today()).data[layer]
    by_id = {str(i): k for k, i in enumerate(existing["id"])}
    for k, i in enumerate(incoming["id"]):
        j = by_id.get(str(i))
        if j is None:
            continue
        same = (incoming["status"].iat[k] == derived["status"].iat[j]
                and str(incoming["status_date"].iat[k]) == str(derived["status_date"].iat[j]))
        if same:
            incoming.iloc[k, incoming.columns.get_loc("status")] = existing["status"].iat[j]
            incoming.iloc[k, incoming.columns.get_loc("status_date")] = plain(
                existing["status_date"].iat[j])


# ----------------------------------------------------------------------------- import


def import_sites(  # noqa: C901
    ws: Workspace,
    path: str | os.PathLike[str],
    *,
    store: Store,
    layer: str | None = None,
    source_layer: str | None = None,
    encoding: str | None = None,
    crs: Any = None,
    from_gcj02: bool = False,
    dry_run: bool = False,
    mapping: Mapping | None = None,
) -> ImportSummary:
    """Map, convert and validate the features of ``path`` as sites of ``layer``; merge them.

    Parameters
    ----------
    ws
        The loaded workspace.
    path
        The file to import (see :func:`read_external`).
    store
        The store ``ws`` was loaded from: the merged layer is written through it
        (:meth:`~citymap.store.base.Store.write_layer`).
    layer
        The workspace layer (default: the mapping's ``layer``).
    source_layer, encoding, crs, from_gcj02
        As for :func:`read_external`; default: the mapping's.
    dry_run
        Check everything and report (with the mapped table), but write nothing.
    mapping
        Renames (file field → layer field), constants, the key field and saved options.

    Returns
    -------
    ImportSummary
        Ids added and replaced, where each field comes from, notes and warnings.

    Raises
    ------
    citymap.errors.ValidationError
        Listing every problem (one per bad cell); nothing is written.
    citymap.errors.CRSError
        When the CRS is missing or the coordinates do not fit it.
    """
    m = mapping or Mapping()
    layer = layer or m.option("layer")
    if layer is None or layer not in ws.layers:
        raise fail("--layer", (_("unknown layer {layer!r}; the layers are {layers}")
                               .format(layer=layer, layers=', '.join(ws.layers)))
                   if layer else (_("give the layer: --layer NAME (one of {layers})")
                                  .format(layers=', '.join(ws.layers))))
    spec = ws.layers[layer]
    shown = str(path)
    p = Path(path)
    from_gcj02 = from_gcj02 or m.option("from") == "gcj02"
    raw = read_external(p, layer=source_layer or m.option("source_layer"),
                        encoding=encoding or m.option("encoding"), crs=crs or m.option("crs"),
                        from_gcj02=from_gcj02, prefer_layers=(layer,), bounds=ws.config.bounds)
    src = Source(raw, shown, driver=str(raw.attrs.get("citymap.driver", "")),
                 table_points=str(raw.attrs.get("citymap.driver")) in ("CSV", "XLSX"))
    cols = [str(c) for c in raw.columns if c != raw.geometry.name]
    _check_mapping(m, cols, spec, shown)
    renames, kept, how = map_columns(cols, spec, fields_csv_mapping(p, layer),
                                     explicit=dict(m.renames))
    gdf = raw.rename(columns=renames)
    gdf = gpd.GeoDataFrame(gdf[[*renames.values(), *kept, gdf.geometry.name]],
                           geometry=gdf.geometry.name, crs=LONLAT_CRS)
    geoms = np.asarray(gdf.geometry.values)
    if spec.geometry == "Polygon":
        geoms = closed_lines_as_polygons(geoms)
    gdf[gdf.geometry.name] = gpd.GeoSeries(_demote_multis(geoms), index=gdf.index,
                                           crs=LONLAT_CRS)
    for c in gdf.columns:
        if c != gdf.geometry.name:
            gdf[c] = pd.Series([plain(v) for v in gdf[c]], index=gdf.index, dtype=object)
    sources: dict[str, str] = {renames[c]: f"{c} ({_(w)})" for c, w in how.items()}
    for f, v in m.constants:
        gdf[f] = v
        sources[f] = f"{v!r} (--set)"
    defaulted: set[str] = set()
    if spec.is_sites:
        one_work = ";".join(map(str, spec.works)) if len(spec.works) == 1 else None
        defaults: dict[str, str | None] = {
            "works": one_work, "source": p.name, "status": SITE_STATUSES[0],
            "status_date": dt.date.today().isoformat()}
        why = {"works": _("the layer serves this one work"), "source": _("the file's name"),
               "status": _("default"), "status_date": _("today (import date)")}
        for f, value in defaults.items():
            if value is None:
                continue
            v = value
            if f not in gdf.columns:
                gdf[f] = v
                defaulted.add(f)
                sources[f] = f"{v!r} ({why[f]})"
            elif gdf[f].isna().any():
                gdf[f] = gdf[f].where(gdf[f].notna(), v)
                sources[f] += _(", empty cells {value!r} ({why})").format(value=v, why=why[f])
    synonyms = status_synonyms(ws.root)
    problems = _convert_rows(gdf, spec, src, synonyms, {f for f, _ in m.constants},
                             ws.plan_years)
    # ids: given, else the existing site the feature is (key or geometry), else new
    existing = ws.data[layer]
    key_col = renames.get(m.key, m.key) if m.key else None
    if "id" not in gdf.columns:
        gdf.insert(0, "id", None)
        sources["id"] = (_("the site with the same {key!r}, else new in the layer's id pattern")
                         .format(key=m.key) if key_col else
                         _("the site with the same geometry (within 1 m), else new in the "
                           "layer's id pattern"))
    missing = gdf["id"].isna().to_numpy()
    if missing.any():
        matched = match_existing(gdf[missing], existing, key=key_col,
                                 measure_crs=ws.config.measure_crs)
        maker = IdMaker(layer, [str(i) for i in existing["id"]], ws.site_ids | {
            str(i) for i in gdf["id"] if i is not None})
        ids = gdf["id"].tolist()
        years = gdf["year"].tolist() if "year" in gdf.columns else [None] * len(gdf)
        for k, found in zip(np.flatnonzero(missing).tolist(), matched, strict=True):
            ids[k] = found or maker.new(years[k])
        gdf["id"] = pd.Series(ids, index=gdf.index, dtype=object)
    # defaults never overwrite what an existing site already says
    if defaulted and len(existing):
        by_id = {str(i): k for k, i in enumerate(existing["id"])}
        for f in defaulted:
            if f in existing.columns:
                gdf[f] = [plain(existing[f].iat[by_id[str(i)]]) if str(i) in by_id else v
                          for i, v in zip(gdf["id"], gdf[f], strict=True)]
    others: dict[str, str] = {}
    for name, data in ws.data.items():
        if name != layer:
            for i in data["id"]:
                others[str(i)] = ws.layers[name].source
    problems += check_layer(gdf, spec, shown=shown, bounds=ws.config.bounds,
                            work_numbers=[w.number for w in ws.register.works],
                            seen_ids=others, years=ws.plan_years)
    if problems and any(pr.code == "missing_properties" for pr in problems):
        problems.append(Problem(shown, "", "", _(
            "the file's fields are {fields}; map them with --map FIELD=LAYER_FIELD or give a "
            "value for every feature with --set FIELD=VALUE (layer {layer!r} has {columns})")
            .format(fields=", ".join(cols) or "—", layer=layer,
                    columns=", ".join(layer_columns(spec, joined=False)))))
    mapped_id = next((a for a, b in renames.items() if b == "id"), None)
    if mapped_id and any(pr.code == "all_digits_id" for pr in problems):
        problems.append(Problem(shown, "", "id", _("{mapped_id!r} holds plain numbers: keep it "
                                                   "as the key instead (--key {mapped_id}, "
                                                   "without mapping it to id) and citymap "
                                                   "generates ids in the layer's pattern")
                                                 .format(mapped_id=mapped_id)))
    if problems:
        raise ValidationError(problems)
    warnings_: list[str] = []
    if not from_gcj02:
        hint = gcj02_hint(gdf, ws.sites() if spec.is_sites else existing)
        if hint:
            warnings_.append(hint)
    if spec.is_sites:
        _keep_logged_status(gdf, ws, layer)
    for c in layer_columns(spec, joined=False):
        if c not in gdf.columns:
            gdf[c] = None
    out_cols = layer_columns(spec, joined=False)
    old_extras = [c for c in existing.columns if c not in out_cols and c != existing.geometry.name]
    extras = [*old_extras, *[c for c in kept if c not in old_extras and c not in out_cols]]
    all_cols = [*out_cols, *extras]
    old_ids = [str(i) for i in existing["id"]]
    new_ids = [str(i) for i in gdf["id"]]
    old_set = set(old_ids)
    replaced = tuple(i for i in new_ids if i in old_set)
    added = tuple(i for i in new_ids if i not in old_set)
    old_rows = existing.drop(columns=existing.geometry.name).to_dict("records")
    new_rows = gdf.drop(columns=gdf.geometry.name).to_dict("records")
    by_new = {str(r["id"]): k for k, r in enumerate(new_rows)}
    rows: list[dict[str, Any]] = []
    geoms_out: list[Any] = []
    changed = bool(added)
    for k, i in enumerate(old_ids):
        j = by_new.get(i)
        if j is None:
            rows.append(old_rows[k])
            geoms_out.append(existing.geometry.values[k])
            continue
        # a cell the file leaves out keeps the existing value of a field kept earlier
        row = {**{c: old_rows[k].get(c) for c in old_extras}, **new_rows[j]}
        if _record(row, all_cols) != _record(old_rows[k], all_cols) or not _same_geometry(
                gdf.geometry.values[j], existing.geometry.values[k]):
            changed = True
        rows.append(row)
        geoms_out.append(gdf.geometry.values[j])
    for i in added:
        rows.append(new_rows[by_new[i]])
        geoms_out.append(gdf.geometry.values[by_new[i]])
    if changed and not dry_run:
        merged = gpd.GeoDataFrame(
            pd.DataFrame([{c: plain(r.get(c)) for c in all_cols} for r in rows],
                         columns=all_cols, dtype=object),
            geometry=gpd.GeoSeries(geoms_out, crs=LONLAT_CRS), crs=LONLAT_CRS)
        for c in ("year", *[f for f, fs in spec.fields.items() if fs.type == "int"]):
            merged[c] = [None if v is None else int(v) for v in merged[c]]
        store.write_layer(ws, layer, merged, columns=all_cols, action="import")
    order = [c for c in all_cols if c in gdf.columns]
    preview = [tuple(order)] + [tuple(_shown_value(r.get(c)) for c in order)
                                for r in new_rows[:PREVIEW_ROWS]]
    for c in kept:
        sources.setdefault(c, _("{column} (kept: not a field of the layer)").format(column=c))
    return ImportSummary(
        layer=layer, source=shown, target=spec.source, added=added, replaced=replaced,
        renamed=tuple((a, b) for a, b in renames.items() if a != b), ignored=(),
        crs=str(raw.attrs.get("citymap.source_crs", "")),
        encoding=raw.attrs.get("citymap.encoding"), from_gcj02=from_gcj02, dry_run=dry_run,
        kept=tuple(kept), field_sources=tuple((c, sources[c]) for c in order if c in sources),
        preview=tuple(preview), notes=tuple(raw.attrs.get("citymap.notes", ())),
        warnings=tuple(warnings_), unchanged=not changed, mapping=m,
    )


