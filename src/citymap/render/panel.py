"""The metrics panel of a map: per target, planned against done, and counts by status.

The numbers come from the metrics code (:func:`citymap.metrics.compute_metrics`), never
from a template: :func:`panel_rows` turns its result (attrs records with ``to_dict()``, or
plain dicts) into :class:`PanelRow` records, and :func:`panel_blob` into the small JSON
the map's script draws as progress bars.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

__all__ = ["PanelRow", "Panel", "MetricsProvider", "rows_from_dicts", "panel_rows",
           "metrics_provider", "panel_blob"]


@attrs.frozen
class PanelRow:
    """One target as the panel shows it.

    Attributes
    ----------
    id
        Target id (``"16.2"``).
    name
        Its name (``改造老旧小区``).
    year
        The target year.
    planned
        The target value.
    actual
        The value reached on the date asked, ``None`` when it cannot be measured.
    unit
        The unit of both.
    verdict
        The metrics code's verdict (e.g. ``met``, ``not met``, ``recorded``), shown as is.
    work
        The work number, ``None`` for a plan-level target.
    met
        True when the target is met, False when not, ``None`` when unknown.
    """

    id: str
    name: str
    year: int
    planned: float
    actual: float | None
    unit: str
    verdict: str = ""
    work: int | None = None
    met: bool | None = None

    @property
    def fraction(self) -> float | None:
        """``actual / planned`` clipped to 0…1, ``None`` when unknown."""
        if self.actual is None or not self.planned:
            return None
        return max(0.0, min(1.0, self.actual / self.planned))


@attrs.frozen
class Panel:
    """The panel of one date of the date selector.

    Attributes
    ----------
    as_of
        The date.
    year
        The year whose targets are shown (the date's year, at most the plan's last).
    rows
        The targets.
    counts
        Sites by status (in :data:`citymap.vocab.SITE_STATUSES` order); when empty the map
        counts the sites it shows.
    available
        False when no metrics code was available (the panel says so).
    """

    as_of: dt.date
    year: int
    rows: tuple[PanelRow, ...]
    counts: Mapping[str, int] = attrs.field(factory=dict)
    available: bool = True


#: ``(workspace, year, as_of) -> iterable of dicts or records`` (the metrics code).
MetricsProvider = Callable[[Any, int, dt.date], Iterable[Any]]

_MET = {"met", "达标", "done", "ok", "pass", "achieved", "已完成", "true"}
_NOT_MET = {"not met", "未达标", "behind", "fail", "missed", "false", "short", "未完成"}


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _first(d: Mapping[str, Any], *keys: str) -> Any:
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return None


def rows_from_dicts(items: Iterable[Any]) -> list[PanelRow]:
    """Panel rows from the metrics results: dicts, or records with ``to_dict()``.

    Known keys: ``id``/``target``/``target_id``, ``name``, ``year``, ``value``/``planned``/
    ``target_value``, ``actual``/``done``/``achieved``, ``unit``, ``verdict``/``status``,
    ``work``, ``met``. Rows without an id are skipped.
    """
    rows = []
    for item in items:
        d: Mapping[str, Any] = item.to_dict() if hasattr(item, "to_dict") else dict(item)
        tid = _first(d, "id", "target_id", "target")
        if isinstance(tid, Mapping):
            tid = tid.get("id")
        if tid is None:
            continue
        verdict = str(_first(d, "verdict", "status", "state") or "")
        met_raw = d.get("met")
        met = bool(met_raw) if isinstance(met_raw, bool) else (
            True if verdict.lower() in _MET else False if verdict.lower() in _NOT_MET else None)
        work = _first(d, "work", "work_number")
        year = _first(d, "year", "target_year")
        rows.append(PanelRow(
            id=str(tid), name=str(_first(d, "name", "target_name") or ""),
            year=int(year) if year is not None else 0,
            planned=_num(_first(d, "planned", "value", "target_value")) or 0.0,
            actual=_num(_first(d, "actual", "done", "achieved", "measured")),
            unit=str(_first(d, "unit") or ""), verdict=verdict,
            work=int(work) if work is not None and str(work).isdigit() else None, met=met,
        ))
    return rows


def metrics_provider() -> MetricsProvider | None:
    """The metrics code's ``compute_metrics`` as a provider, or ``None`` if it is missing."""
    try:
        from citymap import metrics
    except ImportError:
        return None
    compute = getattr(metrics, "compute_metrics", None)
    if compute is None:
        return None

    def provide(ws: Any, year: int, as_of: dt.date) -> Iterable[Any]:
        result = compute(ws, year=year, as_of=as_of)
        for attr in ("targets", "rows", "results"):
            if hasattr(result, attr):
                return list(getattr(result, attr))
        if hasattr(result, "to_dict"):
            d = result.to_dict()
            for attr in ("targets", "rows", "results"):
                if attr in d:
                    return list(d[attr])
        return list(result)

    return provide


def panel_rows(provider: MetricsProvider | None, ws: Any, year: int, as_of: dt.date,
               *, works: Sequence[int] | None = None) -> tuple[PanelRow, ...]:
    """The rows of the targets of ``year`` (restricted to ``works`` if given)."""
    if provider is None:
        return ()
    rows = rows_from_dicts(provider(ws, year, as_of))
    keep = set(works) if works is not None else None
    return tuple(r for r in rows if r.year == year and (keep is None or r.work in keep))


def _round(v: float | None) -> float | None:
    if v is None:
        return None
    r = round(v, 3)
    return int(r) if float(r).is_integer() else r


def panel_blob(panel: Panel) -> dict[str, Any]:
    """The JSON the map's script draws: rows as short arrays, counts by status in order.

    Each row is ``[id, name, planned, actual, unit, verdict, met]`` with ``met`` 1, 0 or
    ``None``.
    """
    return {
        "year": panel.year,
        "rows": [[r.id, r.name, _round(r.planned), _round(r.actual), r.unit, r.verdict,
                  None if r.met is None else int(r.met)] for r in panel.rows],
        "counts": [int(v) for v in panel.counts.values()],
        "ok": panel.available,
    }
