"""The pending proposals of a map (待审核): what submissions not yet accepted would change.

Internal maps only (the public view drops them): each proposal of a site shown on the map,
with its geometry (GeoJSON, lon/lat; GCJ-02 on an AMap base map), the proposed status and
its colour, the submission, unit and person. The page draws them as a layer of their own,
dashed in the proposed status colour (``templates/js/65-pending.js``); schema in
docs/map-data.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import shapely
import shapely.geometry

from citymap.sites import parse_works
from citymap.vocab import STATUS_COLORS, label
from citymap.workspace import Workspace

__all__ = ["pending_blob"]


def _gcj(geom: shapely.Geometry) -> shapely.Geometry:
    from citymap.gcj02 import wgs84_to_gcj02

    def move(xy: Any) -> Any:
        x, y = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        out = xy.copy()
        out[:, 0], out[:, 1] = x, y
        return out

    return shapely.transform(geom, move)


def pending_blob(ws: Workspace, proposals: Sequence[Any], *, lang: str,
                 works: frozenset[int] | None = None, gcj: bool = False) -> list[dict[str, Any]]:
    """The ``pending`` entry of a map's blob (see the module notes).

    Parameters
    ----------
    ws
        The workspace (the sites' geometry).
    proposals
        :class:`citymap.review_flow.Proposal` of the pending submissions.
    lang
        Language of the status words.
    works
        The works the map shows (``None``: all); other sites are left out.
    gcj
        Whether the map's coordinates are GCJ-02 (AMap).
    """
    out: list[dict[str, Any]] = []
    for p in proposals:
        gdf = ws.data.get(p.layer) if p.layer else None
        if gdf is None or not len(gdf):
            continue
        rows = gdf[gdf["id"].astype(str) == p.id]
        if not len(rows):
            continue
        row = rows.iloc[0]
        if works is not None and not works.intersection(parse_works(row["works"])):
            continue
        geom = row.geometry
        if gcj:
            geom = _gcj(geom)
        out.append({
            "submission": p.submission, "unit": p.unit, "person": p.person,
            "at": p.submitted_at, "id": p.id, "layer": p.layer, "name": p.name,
            "current": label(p.current, lang) if p.current else "",
            "proposed": label(p.proposed, lang), "color": STATUS_COLORS.get(p.proposed, "#888"),
            "date": p.date.isoformat(), "percent": p.percent, "note": p.note,
            "geometry": shapely.geometry.mapping(geom),
        })
    return out

