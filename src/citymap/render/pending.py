"""The pending proposals of a map (待审核): what submissions not yet accepted would change.

Internal maps only (the public view drops them): each proposal of a site shown on the map,
with its geometry (GeoJSON, lon/lat; GCJ-02 on an AMap base map), the proposed status and
its colour, the submission, unit and person. The page draws them as a layer of their own,
dashed in the proposed status colour (``templates/js/65-pending.js``); schema in
docs/map-data.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shapely
import shapely.geometry

from citymap.sites import parse_works
from citymap.vocab import STATUS_COLORS, label
from citymap.workspace import Workspace

__all__ = ["pending_blob", "write_pending_map"]


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


def write_pending_map(ws: Workspace, proposals: Sequence[Any], out_dir: Path, *, lang: str,
                      as_of: dt.date | None = None, subtitle: str = "") -> Path:
    """A folder with one map (``index.html`` + ``lib/``) drawing ``proposals`` as 待审核.

    The folder is replaced whole (atomically) and only when missing, empty or made by
    citymap (:func:`citymap.io.owned.check_dir_replaceable`).

    Returns
    -------
    Path
        The page.
    """
    from citymap.io.atomic import atomic_dir
    from citymap.io.owned import check_dir_replaceable, check_not_workspace
    from citymap.render.assets import copy_offline_bundle, offline_refs
    from citymap.render.map import MapOptions, render_map
    from citymap.render.timeline import date_options

    check_not_workspace(out_dir, ws.root, what="--map")
    check_dir_replaceable(out_dir, what="--map")
    first, last = ws.plan_years
    dates, selected = date_options(as_of, dt.date.today(), lang, range(first, last + 1))
    options = MapOptions(lang=lang, subtitle=subtitle, dates=dates, selected=selected,
                         basemap="none", assets=offline_refs("lib", tiles=False),
                         pending=tuple(proposals))
    with atomic_dir(out_dir) as tmp:
        tmp.chmod(0o755)
        copy_offline_bundle(tmp / "lib", tiles=False)
        (tmp / "index.html").write_text(render_map(ws, options), encoding="utf-8")
    return out_dir / "index.html"
