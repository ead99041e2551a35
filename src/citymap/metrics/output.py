"""Metrics as JSON and CSV, and ``write_metrics`` for ``maps/metrics.json`` / ``.csv``."""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citymap.i18n import LANGS, N_, _, tr
from citymap.io.atomic import write_text
from citymap.io.csvsafe import escape_record

if TYPE_CHECKING:
    from citymap.metrics import MetricsResult

__all__ = ["CSV_COLUMNS", "measurement", "to_dict", "to_json", "csv_rows", "to_csv",
           "write_metrics"]

#: Columns of the CSV: one row per target, zone and indicator.
CSV_COLUMNS = ("kind", "id", "name", "scope", "year", "metric", "unit", "comparison", "target",
               "actual", "planned", "verdict", "as_of", "site_ids", "note")


def _pct(x: float) -> str:
    return f"{(x - 1) * 100:+.2g} %"


def measurement(crs: str, bounds: tuple[float, float, float, float] | None = None
                ) -> dict[str, Any]:
    """How lengths and areas are measured, for GIS staff to reconcile with their figures.

    Planar in ``crs``; the ellipsoidal figures of QGIS (a CGCS2000 project measures on the
    ellipsoid) differ by the projection's scale, given over ``bounds`` (lon/lat; computed
    with ``pyproj.Proj.get_factors`` at the corners and the centre); line lengths are of
    unions snapped to a 1 cm grid; roads on a zone's boundary count half.

    Returns
    -------
    dict
        ``crs``, ``crs_name``, ``planar`` (True), ``grid_m``, ``boundary_tol_m``,
        ``length_scale`` / ``area_scale`` (``[min, max]`` or None), ``zh``, ``en``.
    """
    import numpy as np
    import pyproj

    from citymap.metrics.density import BOUNDARY_TOL_M
    from citymap.metrics.targets import GRID_M

    name = pyproj.CRS(crs).name
    length = area = None
    if bounds is not None and bounds[2] - bounds[0] <= 6 and bounds[3] - bounds[1] <= 6:
        x0, y0, x1, y1 = bounds
        lon = [x0, x1, x0, x1, (x0 + x1) / 2]
        lat = [y0, y0, y1, y1, (y0 + y1) / 2]
        f = pyproj.Proj(crs).get_factors(lon, lat)
        ls = [float(v) for v in np.atleast_1d(f.meridional_scale)]
        ar = [float(v) for v in np.atleast_1d(f.areal_scale)]
        length, area = [min(ls), max(ls)], [min(ar), max(ar)]
    fields: dict[str, Any] = {"crs": crs, "name": name, "grid": f"{GRID_M * 100:g}",
                              "tol": f"{BOUNDARY_TOL_M * 100:g}"}
    if length is not None and area is not None:
        text = N_("Lengths and areas are planar in {crs} ({name}), in m and m². The ellipsoidal "
                  "figures QGIS shows for a CGCS2000 project differ by the projection's scale: "
                  "within the county's bounds lengths by {length0} to {length1}, areas by "
                  "{area0} to {area1} (planar larger). Line lengths are of the union snapped to "
                  "a {grid} cm grid (overlaps count once), so they can differ from a plain sum "
                  "of the features by a few cm; roads within {tol} cm of a zone's boundary "
                  "count half to each side.")
        fields.update(length0=_pct(length[0]), length1=_pct(length[1]), area0=_pct(area[0]),
                      area1=_pct(area[1]))
    else:
        text = N_("Lengths and areas are planar in {crs} ({name}), in m and m². Line lengths "
                  "are of the union snapped to a {grid} cm grid (overlaps count once), so they "
                  "can differ from a plain sum of the features by a few cm; roads within {tol} "
                  "cm of a zone's boundary count half to each side.")
    # both languages travel in metrics.json (documented keys "zh" and "en")
    said = {lang: tr(text, lang).format(**fields) for lang in LANGS}
    return {"crs": crs, "crs_name": name, "planar": True, "grid_m": GRID_M,
            "boundary_tol_m": BOUNDARY_TOL_M, "length_scale": length, "area_scale": area,
            **said}


def to_dict(result: MetricsResult) -> dict[str, Any]:
    """The result as plain data."""
    return result.to_dict()


def _clean(obj: Any) -> Any:
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def to_json(result: MetricsResult, *, indent: int | None = 2) -> str:
    """The result as JSON text (UTF-8, Chinese kept readable, NaN as null)."""
    return json.dumps(_clean(result.to_dict()), ensure_ascii=False, indent=indent)


def _num(v: float | None) -> str:
    return "" if v is None or not math.isfinite(v) else f"{v:.6g}"


def csv_rows(result: MetricsResult) -> list[dict[str, str]]:
    """One row per target, pilot zone and indicator (columns :data:`CSV_COLUMNS`).

    Then a ``note`` row saying how lengths and areas are measured (:func:`measurement`).
    """
    rows: list[dict[str, str]] = []
    asof = result.as_of.isoformat()
    for t in result.targets:
        rows.append({"kind": "target", "id": t.id, "name": t.name, "scope": "",
                     "year": str(t.year), "metric": t.metric, "unit": t.unit,
                     "comparison": t.comparison, "target": _num(t.target),
                     "actual": _num(t.actual), "planned": _num(t.planned),
                     "verdict": t.verdict, "as_of": asof, "site_ids": ";".join(t.site_ids),
                     "note": t.note + _late_note(t.late)})
    for z in result.zones:
        rows.append({"kind": "zone", "id": z.id, "name": z.name, "scope": z.id,
                     "year": str(z.year), "metric": "pilot_zone_coverage", "unit": "%",
                     "comparison": "", "target": "", "actual": _num(z.covered_share),
                     "planned": "", "verdict": "below minimum" if z.below_min else "",
                     "as_of": asof, "site_ids": ";".join(z.site_ids),
                     "note": _("area {area_km2:.4f} km² (min {min_km2:g})")
                             .format(area_km2=z.area_km2, min_km2=z.min_km2)})
    for i in result.indicators:
        rows.append({"kind": "indicator", "id": i.key, "name": i.name, "scope": i.scope,
                     "year": "" if result.year is None else str(result.year),
                     "metric": i.key, "unit": i.unit, "comparison": i.comparison,
                     "target": _num(i.standard), "actual": _num(i.value), "planned": "",
                     "verdict": i.verdict, "as_of": asof, "site_ids": "",
                     "note": f"{i.note} [{i.responsible}]"})
    m = result.measurement
    rows.append({**dict.fromkeys(CSV_COLUMNS, ""), "kind": "note", "id": "measurement",
                 "name": "量算说明", "as_of": asof, "note": f"{m['zh']} {m['en']}"})
    return rows


def _late_note(late: dict[str, str] | Any) -> str:
    if not late:
        return ""
    return "; late 逾期完成: " + ", ".join(f"{i} ({d})" for i, d in late.items())


def to_csv(result: MetricsResult) -> str:
    """The result as CSV text (see :func:`csv_rows`)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    w.writeheader()
    w.writerows(escape_record(r) for r in csv_rows(result))
    return buf.getvalue()


def write_metrics(result: MetricsResult, folder: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Write ``metrics.json`` and ``metrics.csv`` into ``folder``, each atomically.

    The CSV starts with a UTF-8 byte-order mark so that spreadsheet programs read the
    Chinese text correctly.

    Returns
    -------
    tuple of Path
        The JSON and CSV files.
    """
    folder = Path(folder)
    js, cs = folder / "metrics.json", folder / "metrics.csv"
    write_text(js, to_json(result) + "\n")
    write_text(cs, "\ufeff" + to_csv(result))
    return js, cs
