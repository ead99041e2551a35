"""Metrics as JSON and CSV, and ``write_metrics`` for ``maps/metrics.json`` / ``.csv``."""

from __future__ import annotations

import csv
import io
import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citymap.io.atomic import write_text

if TYPE_CHECKING:
    from citymap.metrics import MetricsResult

__all__ = ["CSV_COLUMNS", "to_dict", "to_json", "csv_rows", "to_csv", "write_metrics"]

#: Columns of the CSV: one row per target, zone and indicator.
CSV_COLUMNS = ("kind", "id", "name", "scope", "year", "metric", "unit", "comparison", "target",
               "actual", "planned", "verdict", "as_of", "site_ids", "note")


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
    """One row per target, pilot zone and indicator (columns :data:`CSV_COLUMNS`)."""
    rows: list[dict[str, str]] = []
    asof = result.as_of.isoformat()
    for t in result.targets:
        rows.append({"kind": "target", "id": t.id, "name": t.name, "scope": "",
                     "year": str(t.year), "metric": t.metric, "unit": t.unit,
                     "comparison": t.comparison, "target": _num(t.target),
                     "actual": _num(t.actual), "planned": _num(t.planned),
                     "verdict": t.verdict, "as_of": asof, "site_ids": ";".join(t.site_ids),
                     "note": t.note})
    for z in result.zones:
        rows.append({"kind": "zone", "id": z.id, "name": z.name, "scope": z.id,
                     "year": str(z.year), "metric": "pilot_zone_coverage", "unit": "%",
                     "comparison": "", "target": "", "actual": _num(z.covered_share),
                     "planned": "", "verdict": "below minimum" if z.below_min else "",
                     "as_of": asof, "site_ids": ";".join(z.site_ids),
                     "note": f"area {z.area_km2:.4f} km² (min {z.min_km2:g})"})
    for i in result.indicators:
        rows.append({"kind": "indicator", "id": i.key, "name": i.name, "scope": i.scope,
                     "year": "" if result.year is None else str(result.year),
                     "metric": i.key, "unit": i.unit, "comparison": i.comparison,
                     "target": _num(i.standard), "actual": _num(i.value), "planned": "",
                     "verdict": i.verdict, "as_of": asof, "site_ids": "",
                     "note": f"{i.note} [{i.responsible}]"})
    return rows


def to_csv(result: MetricsResult) -> str:
    """The result as CSV text (see :func:`csv_rows`)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(CSV_COLUMNS), lineterminator="\n")
    w.writeheader()
    w.writerows(csv_rows(result))
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
