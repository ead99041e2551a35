"""What a site's popup shows: the task record of the site, as compact data.

A popup is built in the browser from the map's JSON (with ``textContent``, never
``innerHTML``): the work(s) with their action, lead and responsible units, the site's own
attributes (labelled by the layer definition), its status with the date on the chosen day,
and the targets the site counts toward. This module prepares that data once per map:
works and targets as tables, attributes as columns, and for every site the index of its
group of targets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt

from citymap.i18n import N_, tr
from citymap.layers import LayerSpec
from citymap.register import Register, Target
from citymap.sites import parse_works, where_mask

__all__ = ["COMMON_LABELS", "popup_fields", "works_table", "targets_table", "target_groups"]

#: Labels of the columns every site has.
COMMON_LABELS: dict[str, str] = {
    "id": N_("ID"),
    "name": N_("Name"),
    "works": N_("Works"),
    "year": N_("Plan year"),
    "status": N_("Status"),
    "status_date": N_("Status date"),
    "source": N_("Source"),
    "kind": N_("Kind"),
}
#: Shown elsewhere in the popup (title, status line, work block), not as attributes.
_NOT_ATTRIBUTES = {"id", "name", "works", "status", "status_date", "source", "geometry"}


def popup_fields(spec: LayerSpec, gdf: gpd.GeoDataFrame, lang: str) -> list[tuple[str, str]]:
    """The site's own attributes a popup lists: ``(column, label)`` in the layer's order.

    The layer's ``popup`` list when given, else ``year``, ``kind`` (when used) and every
    field of the layer definition.
    """
    wanted: Sequence[str] = spec.popup or ("year", "kind", *spec.fields)
    out = []
    for col in wanted:
        if col in _NOT_ATTRIBUTES or col not in gdf.columns:
            continue
        if col == "kind" and not gdf["kind"].notna().any():
            continue
        f = spec.fields.get(col)
        if f is not None:
            text = (f.en if lang == "en" else f.zh) or f.zh or f.en or col
        else:
            text = tr(COMMON_LABELS[col], lang) if col in COMMON_LABELS else col
        out.append((col, text))
    return out


def works_table(register: Register, numbers: Iterable[int], lang: str) -> dict[str, Any]:
    """Work number → ``{n: name, a: action, l: lead units, p: responsible units}``."""
    common = list(register.plan.partner_units_of_every_work)
    out: dict[str, Any] = {}
    for n in sorted(set(numbers)):
        try:
            w = register.work(n)
        except KeyError:
            continue
        out[str(n)] = {"n": w.name, "a": w.action, "l": list(w.lead_units),
                       "p": list(w.partner_units) + common}
    return out


def targets_table(targets: Sequence[Target]) -> list[dict[str, Any]]:
    """The targets as ``{id, name, years, comparison, value, unit}``."""
    rows = []
    for t in targets:
        years = str(t.year) if t.start_year == t.year else f"{t.start_year}–{t.year}"
        value: float | int = int(t.value) if float(t.value).is_integer() else t.value
        rows.append({"id": t.id, "name": t.name, "years": years, "comparison": t.comparison,
                     "value": value, "unit": t.unit})
    return rows


def target_groups(
    gdf: gpd.GeoDataFrame, layer: str, targets: Sequence[Target],
) -> tuple[list[list[int]], npt.NDArray[np.int64]]:
    """Which targets each site of ``layer`` counts toward, as groups.

    A site counts toward a target measured on its layer when it belongs to the target's
    work (any site, for a plan-level target), its planned year lies in the target's years
    and it matches the target's ``where`` filter.

    Returns
    -------
    groups, index
        ``groups[k]`` lists indices into ``targets``; ``index[i]`` is the group of site ``i``.
    """
    n = len(gdf)
    mine = [(k, t) for k, t in enumerate(targets) if t.layer == layer]
    if not mine or n == 0:
        return [[]], np.zeros(n, dtype=np.int64)
    works = [parse_works(v) for v in gdf["works"]] if "works" in gdf.columns else [()] * n
    years = gdf["year"].to_numpy() if "year" in gdf.columns else np.zeros(n, dtype=int)
    member = np.zeros((n, len(mine)), dtype=bool)
    for j, (_, t) in enumerate(mine):
        m = where_mask(gdf, t.where) & np.isin(years, list(t.years))
        if t.work is not None:
            m &= np.array([t.work in w for w in works], dtype=bool)
        member[:, j] = m
    keys, index = np.unique(member, axis=0, return_inverse=True)
    groups = [[mine[j][0] for j in np.flatnonzero(row)] for row in keys]
    return groups, np.asarray(index, dtype=np.int64).reshape(-1)
