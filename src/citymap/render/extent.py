"""Where a map opens: a robust extent of its sites, and the page of a unit with no sites.

:func:`robust_extent` is the box a unit or action map fits on first: the sites around the
median site, so that a few far-away sites do not shrink the town centre into a corner
(they are still drawn; the reset button and zooming out reach them). :func:`empty_blob` is
what a map whose works have no site shows instead: the works and why none is on the map.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from citymap.i18n import N_
from citymap.register import Register, Work
from citymap.render.ui import translated

__all__ = ["robust_extent", "empty_blob", "EMPTY_UI", "work_reason", "MIN_RADIUS_M",
           "SPREAD"]

#: Sites within SPREAD × the median distance to the median site are the core …
SPREAD = 3.0
#: … and never within less than this radius (a compact town is not cut).
MIN_RADIUS_M = 1500.0
_M_PER_DEG = 111_320.0

#: The words of a map with no site: key → English message id.
EMPTY_UI: dict[str, str] = {
    "title": N_("The works of this unit have no sites on the map"),
    "titleAction": N_("The works of this action have no sites on the map"),
    "lead": N_("lead"),
    "partner": N_("responsible"),
    "plan_only": N_("plan-only work: the plan sets requirements, no individual sites"),
    "not_sited": N_("not a site work (rules, mechanisms, services or county-wide work): nothing to"
                    " place on the map"),
    "no_sites": N_("a site work with no site entered yet: add its sites to a layer in geo/sites/"),
    "schematic": N_("schematic map and data, not surveyed"),
}


def robust_extent(geoms: npt.ArrayLike) -> tuple[float, float, float, float] | None:
    """The box (lon/lat) of the sites around the median site.

    A site is in the core when its centroid lies within ``max(SPREAD × median distance,
    MIN_RADIUS_M)`` of the median of the centroids (distances in metres, local scale);
    at least half of the sites always are. The box is that of the core's whole geometries.

    Parameters
    ----------
    geoms
        The sites' geometries (lon/lat).

    Returns
    -------
    tuple or None
        ``(minx, miny, maxx, maxy)``; None when there are no geometries.
    """
    g = np.asarray(geoms, dtype=object)
    g = g[~shapely.is_missing(g) & ~shapely.is_empty(g)] if len(g) else g
    if not len(g):
        return None
    if len(g) >= 4:
        c = shapely.get_coordinates(shapely.centroid(g))
        mx, my = np.median(c[:, 0]), np.median(c[:, 1])
        kx = _M_PER_DEG * np.cos(np.radians(my))
        d = np.hypot((c[:, 0] - mx) * kx, (c[:, 1] - my) * _M_PER_DEG)
        radius = max(SPREAD * float(np.median(d)), MIN_RADIUS_M)
        g = g[d <= radius]
    b = shapely.total_bounds(g)
    return float(b[0]), float(b[1]), float(b[2]), float(b[3])


def work_reason(work: Work, sited_layers: Collection[str]) -> str:
    """Why a work has no site on the map: ``plan_only``, ``not_sited`` or ``no_sites``."""
    if work.plan_only:
        return "plan_only"
    if not work.site_bound and not sited_layers:
        return "not_sited"
    return "no_sites"


def empty_blob(reg: Register, works: Collection[int], lang: str, *, unit: str | None,
               layers_of_work: Mapping[int, Collection[str]]) -> dict[str, Any]:
    """What a map with no site shows: its works, the unit's part in each, and why.

    Parameters
    ----------
    reg
        The register.
    works
        The map's works.
    lang
        ``"zh"`` or ``"en"``.
    unit
        The unit of a unit map (its part — lead or responsible — is given per work), or
        None (an action map).
    layers_of_work
        The layers that declare each work (``layers/*.toml`` ``works``).

    Returns
    -------
    dict
        ``{ui, works: [[number, name, part, reason text]]}``.
    """
    ui = translated(EMPTY_UI, lang)
    rows = []
    want = reg.canonical_unit(unit) if unit else None
    for w in reg.works:
        if w.number not in works:
            continue
        part = ""
        if want is not None:
            lead = any(reg.canonical_unit(u) == want for u in w.lead_units)
            part = ui["lead"] if lead else ui["partner"]
        reason = work_reason(w, layers_of_work.get(w.number, ()))
        rows.append([w.number, w.name, part, ui[reason]])
    return {"ui": {k: ui[k] for k in ("title", "titleAction", "schematic")},
            "unit": unit is not None, "works": rows}
