"""Coverage metrics computed inside PostGIS, for stores where that is faster.

They give the numbers of the Python path on the same data (tested to 1e-9 relative):

- :func:`service_coverage` — park service-radius coverage (公园绿地服务半径覆盖率) with the
  rules of :func:`citymap.metrics.service.park_service_coverage` and the parks of
  :func:`citymap.metrics.park_frame` (the context parks plus the pocket parks done on the
  date asked). Per workspace, in the measuring CRS (the workspace's ``measure_srid``,
  EPSG:4548 by default):

  1. every park — its polygonal parts together (``ST_CollectionExtract(g, 3)``, like
     :func:`citymap.metrics.service.whole_parks`): a park's size is the whole park's —
     gets the radius of the first rule its area falls in, and is buffered once with the
     same 16 segments per quarter circle as Python, into a temporary table;
  2. the buffers are unioned (``ST_Union``) and the union cut with ``ST_Subdivide`` into
     pieces of at most 256 vertices, GiST-indexed;
  3. the residential parcels go into a GiST-indexed temporary table; every (piece, parcel)
     pair found with ``ST_Intersects`` on the indexes counts the parcel's whole area when
     the piece ``ST_ContainsProperly`` it, else the area of their intersection.

  No intersection touches more than one bounded piece; the cost is that of the Python
  path (O(p log p + V log V + n log P)), on one core.
- :func:`zone_coverage` — per pilot zone, the area of the union of the polygon site
  footprints intersecting it (GiST index on a temporary table), each clipped to the zone
  first (a footprint wholly inside is kept as is), as
  :func:`citymap.metrics.zones.zone_coverage` does.
- :func:`road_density` — road network density of the county seat (the built-up area) and of
  every pilot zone (clipped to the built-up area), as :func:`citymap.metrics.compute_metrics`:
  the roads within the tolerance of the area (GiST index) are unioned on the 1 cm grid
  (``ST_Union(geom, 0.01)``, GEOS's precision union as ``shapely.union_all(grid_size=)``),
  and measured by the boundary rule of :func:`citymap.metrics.density.length_in_area`:
  whole inside ``ST_Buffer(area, -tol)``, half inside ``ST_Buffer(ST_Boundary(area), tol)``.

Both run per workspace (county) or, with ``workspace=None``, for every workspace in the
store, one row (or one row per zone) each, in one snapshot. All values are parameters;
layer names are data.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import attrs
import psycopg
from psycopg import sql

from citymap.store.postgis import PostgisStore, _t
from citymap.vocab import DONE, NOT_STARTED

__all__ = ["ServiceRow", "ZoneRow", "DensityRow", "service_coverage", "zone_coverage",
           "road_density", "DEFAULT_SRID", "QUAD_SEGS", "MAX_VERTICES"]

#: CGCS2000 / 3-degree Gauss-Kruger CM 117E — the default measuring CRS.
DEFAULT_SRID = 4548
#: Segments per quarter circle of the buffers (:data:`citymap.metrics.service.QUAD_SEGS`).
QUAD_SEGS = 16
#: Vertices per piece of the subdivided service area (as ``covered_area``'s default).
MAX_VERTICES = 256


@attrs.frozen
class ServiceRow:
    """Park service-radius coverage of one workspace.

    Attributes
    ----------
    workspace
        The workspace key.
    covered_m2, residential_m2
        Covered and total residential area (m²).
    parcels
        Residential parcels.
    parks_used, parks_ignored
        Parks (a multipolygon is one park) within a rule, and below every rule.
    """

    workspace: str
    covered_m2: float
    residential_m2: float
    parcels: int
    parks_used: int = 0
    parks_ignored: int = 0

    @property
    def value(self) -> float | None:
        """Covered share of residential land, % (None without residential land)."""
        return 100.0 * self.covered_m2 / self.residential_m2 if self.residential_m2 > 0 else None


@attrs.frozen
class ZoneRow:
    """Footprint coverage of one pilot zone.

    Attributes
    ----------
    workspace, zone
        The workspace key and the zone's id.
    zone_m2, covered_m2
        The zone's area and the area of the union of footprints in it (m²).
    sites
        Polygon sites intersecting the zone.
    """

    workspace: str
    zone: str
    zone_m2: float
    covered_m2: float
    sites: int

    @property
    def share(self) -> float:
        """Covered share of the zone, %."""
        return 100.0 * self.covered_m2 / self.zone_m2 if self.zone_m2 > 0 else 0.0


@attrs.frozen
class DensityRow:
    """Road network density of one area.

    Attributes
    ----------
    workspace, scope
        The workspace key; ``"county seat"`` or a pilot zone's id (the scopes of
        :func:`citymap.metrics.compute_metrics`' road-density indicators).
    km, km2
        Road length in the area (roads on its boundary counting half) and its area.
    """

    workspace: str
    scope: str
    km: float
    km2: float

    @property
    def density(self) -> float | None:
        """Road km per km² (None for an empty area)."""
        return self.km / self.km2 if self.km2 > 0 else None


def _rules(rules: Sequence[Any] | None) -> list[tuple[float, float | None, float]]:
    if rules is None:
        from citymap.metrics.service import DEFAULT_RULES

        rules = DEFAULT_RULES
    return [(float(r.min_area_m2), None if math.isinf(r.max_area_m2) else float(r.max_area_m2),
             float(r.radius_m)) for r in rules]


def _targets(conn: psycopg.Connection[Any], workspace: str | None,
             srid: int | None) -> list[tuple[str, int, list[str]]]:
    """``(key, srid, layer names)`` of the workspaces asked, by key (code point order)."""
    rows = conn.execute(sql.SQL(
        "SELECT w.workspace, w.measure_srid, "
        "COALESCE(array_agg(l.layer ORDER BY l.position) FILTER (WHERE l.layer IS NOT NULL), "
        "'{{}}') FROM {w} w LEFT JOIN {l} l USING (workspace) "
        "WHERE %(ws)s::text IS NULL OR w.workspace = %(ws)s "
        "GROUP BY w.workspace, w.measure_srid").format(
            w=_t("workspaces"), l=_t("layers")), {"ws": workspace}).fetchall()
    return sorted((str(r[0]), int(srid or r[1] or DEFAULT_SRID), list(r[2])) for r in rows)


def _purposes(conn: psycopg.Connection[Any], key: str) -> dict[str, tuple[str, ...]]:
    """Purpose → layer names of workspace ``key``, from its stored layer definitions."""
    from citymap.layers import purposes_of

    rows = conn.execute(sql.SQL("SELECT layer, toml FROM {} WHERE workspace = %(ws)s").format(
        _t("layers")), {"ws": key}).fetchall()
    return purposes_of({str(r[0]): str(r[1]) for r in rows})


def _first(purposes: dict[str, tuple[str, ...]], purpose: str) -> str | None:
    """The first layer of ``purpose`` in :func:`_purposes`' answer, or None."""
    return next(iter(purposes.get(purpose, ())), None)


def _snapshot(conn: psycopg.Connection[Any]) -> None:
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ


def service_coverage(
    store: PostgisStore,
    *,
    workspace: str | None = None,
    residential: str | None = None,
    parks: Sequence[str] | None = None,
    done_parks: Sequence[str] | None = None,
    as_of: dt.date | None = None,
    rules: Sequence[Any] | None = None,
    srid: int | None = None,
    quad_segs: int = QUAD_SEGS,
    max_vertices: int = MAX_VERTICES,
) -> list[ServiceRow]:
    """Park service-radius coverage computed in the database (see the module docstring).

    Parameters
    ----------
    store
        The store.
    workspace
        One workspace key, or ``None`` for every workspace (one row each).
    residential
        The layer of residential land; default the workspace's layer of purpose
        ``residential`` (as ``citymap metrics``). A workspace without it gets no row.
    parks
        Layers whose every polygon is a park; default the layers of purpose ``parks``.
    done_parks
        Site layers whose sites serve once done (已完成) on ``as_of``, the status on that
        day read from the status log as :meth:`citymap.history.StatusLog.status_on` does
        (default the layers of purpose ``new_parks``, as :func:`citymap.metrics.park_frame`).
    as_of
        The day (default today).
    rules
        :class:`citymap.metrics.service.RadiusRule` s (default its ``DEFAULT_RULES``).
    srid
        The metric CRS (EPSG code); default each workspace's ``measure_srid``.
    quad_segs, max_vertices
        Buffer segments per quarter circle; vertices per piece of the service area.

    Returns
    -------
    list of ServiceRow
        By workspace key.

    Raises
    ------
    ValueError
        If no rule is given.
    StoreError
        If the database fails.
    """
    rl = _rules(rules)
    if not rl:
        raise ValueError("no radius rule given")
    as_of = as_of or dt.date.today()
    # radius of a park polygon of area a: the first rule with min <= a < max
    case = sql.SQL("CASE {} END").format(sql.SQL(" ").join(
        sql.SQL("WHEN a >= {} AND {} THEN {}").format(
            sql.Literal(lo), sql.SQL("true") if hi is None else sql.SQL("a < {}").format(
                sql.Literal(hi)), sql.Literal(radius))
        for lo, hi, radius in rl))
    out: list[ServiceRow] = []
    with store.connect() as conn, store._errors("service coverage"):
        _snapshot(conn)
        with conn.transaction():
            for key, ws_srid, names in _targets(conn, workspace, srid):
                purposes = _purposes(conn, key)
                res = residential or _first(purposes, "residential")
                if res is None or res not in names:
                    continue
                park_layers = list(parks if parks is not None else purposes.get("parks", ()))
                done = list(done_parks if done_parks is not None
                            else purposes.get("new_parks", ()))
                out.append(_service_one(conn, key, ws_srid, res, park_layers, done, as_of,
                                        case, quad_segs, max_vertices))
    return out


def _service_one(conn: psycopg.Connection[Any], key: str, srid: int, residential: str,
                 parks: list[str], done_parks: list[str], as_of: dt.date,
                 case: sql.Composable, quad_segs: int, max_vertices: int) -> ServiceRow:
    params: dict[str, Any] = {"ws": key, "srid": srid, "res": residential, "parks": parks,
                              "done": done_parks, "as_of": as_of, "DONE": DONE,
                              "NOT_STARTED": NOT_STARTED, "maxv": max_vertices,
                              "buf": f"quad_segs={int(quad_segs)}"}
    for name in ("_cm_parks", "_cm_pieces", "_cm_res"):
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
    # 1. the parks serving on the day: the rows first (pushed down to the layer index),
    #    then their polygon parts (one level), the radius of each part, buffered once
    conn.execute(sql.SQL("""
        CREATE TEMP TABLE _cm_parks ON COMMIT DROP AS
        WITH p AS MATERIALIZED (
            SELECT s.geom FROM {sites} s
            LEFT JOIN LATERAL (
                SELECT e.status FROM {log} e
                WHERE e.workspace = s.workspace AND e.id = s.id AND e.date <= %(as_of)s
                ORDER BY e.date DESC, e.recorded_at COLLATE "C" DESC, e.seq DESC LIMIT 1
            ) ev ON s.layer = ANY(%(done)s::text[])
            WHERE s.workspace = %(ws)s AND s.layer = ANY(%(parks)s::text[] || %(done)s::text[])
              AND (s.layer = ANY(%(parks)s::text[]) OR COALESCE(ev.status, CASE
                   WHEN s.status_date <= %(as_of)s THEN s.status
                   ELSE %(NOT_STARTED)s END) = %(DONE)s)
        ), park AS (
            SELECT ST_CollectionExtract(ST_Transform(p.geom, %(srid)s), 3) AS g FROM p
        )
        SELECT r.radius, CASE WHEN r.radius IS NULL THEN NULL
                              ELSE ST_Buffer(r.g, r.radius, %(buf)s) END AS buf
        FROM (SELECT park.g, {case} AS radius
              FROM park CROSS JOIN LATERAL (SELECT ST_Area(park.g) AS a) pa
              WHERE NOT ST_IsEmpty(park.g)) r
    """).format(case=case, sites=_t("sites"), log=_t("status_log")), params)
    # 2. the union of the buffers, subdivided, indexed
    conn.execute("""
        CREATE TEMP TABLE _cm_pieces ON COMMIT DROP AS
        SELECT ST_Subdivide(u.g, %(maxv)s) AS g
        FROM (SELECT ST_Union(buf) AS g FROM _cm_parks WHERE buf IS NOT NULL) u
        WHERE u.g IS NOT NULL AND NOT ST_IsEmpty(u.g)
    """, params)
    conn.execute("CREATE INDEX ON _cm_pieces USING gist (g)")
    # 3. the parcels, indexed; for every piece (outer, so PostGIS prepares it once) the
    #    parcels it touches: the whole parcel when inside the piece, else the intersection
    conn.execute(sql.SQL("""
        CREATE TEMP TABLE _cm_res ON COMMIT DROP AS
        SELECT ST_Transform(geom, %(srid)s) AS g FROM {sites}
        WHERE workspace = %(ws)s AND layer = %(res)s
    """).format(sites=_t("sites")), params)
    conn.execute("CREATE INDEX ON _cm_res USING gist (g)")
    row = conn.execute("""
        SELECT (SELECT count(*) FROM _cm_res),
               (SELECT COALESCE(sum(ST_Area(g)), 0) FROM _cm_res),
               (SELECT COALESCE(sum(c.a), 0) FROM _cm_pieces p CROSS JOIN LATERAL (
                    SELECT CASE WHEN ST_ContainsProperly(p.g, r.g) THEN ST_Area(r.g)
                                ELSE ST_Area(ST_Intersection(r.g, p.g)) END AS a
                    FROM _cm_res r WHERE ST_Intersects(p.g, r.g)) c),
               (SELECT count(*) FILTER (WHERE radius IS NOT NULL) FROM _cm_parks),
               (SELECT count(*) FILTER (WHERE radius IS NULL) FROM _cm_parks)
    """).fetchone()
    assert row is not None
    return ServiceRow(key, float(row[2]), float(row[1]), int(row[0]), int(row[3]), int(row[4]))


def zone_coverage(
    store: PostgisStore,
    *,
    workspace: str | None = None,
    zones: str | None = None,
    exclude: Sequence[str] = (),
    srid: int | None = None,
) -> list[ZoneRow]:
    """Per pilot zone: the union of the site footprints in it, clipped to it, in m².

    The footprints are the polygons and multipolygons of every site layer but ``zones``
    and ``exclude`` (as :func:`citymap.metrics.zones.zone_coverage` is given
    ``ws.sites()`` without the zones); each is clipped to the zone unless wholly inside
    (``ST_ContainsProperly``), then the clipped ones are unioned.

    Parameters
    ----------
    store
        The store.
    workspace
        One workspace key, or ``None`` for every workspace.
    zones
        The layer of zones (default: the workspace's layer of purpose ``pilot_zones``).
    exclude
        Site layers left out (besides ``zones`` itself).
    srid
        The metric CRS (EPSG code); default each workspace's ``measure_srid``.

    Returns
    -------
    list of ZoneRow
        By workspace key, then in the order of the zones' layer file.
    """
    out: list[ZoneRow] = []
    with store.connect() as conn, store._errors("zone coverage"):
        _snapshot(conn)
        with conn.transaction():
            for key, ws_srid, names in _targets(conn, workspace, srid):
                layer = zones or _first(_purposes(conn, key), "pilot_zones")
                if layer is None or layer not in names:
                    continue
                out.extend(_zones_one(conn, key, ws_srid, layer, list(exclude)))
    return out


def _zones_one(conn: psycopg.Connection[Any], key: str, srid: int, zones: str,
               exclude: list[str]) -> list[ZoneRow]:
    params: dict[str, Any] = {"ws": key, "srid": srid, "zones": zones, "exclude": exclude}
    conn.execute("DROP TABLE IF EXISTS _cm_fp")
    conn.execute(sql.SQL("""
        CREATE TEMP TABLE _cm_fp ON COMMIT DROP AS
        SELECT ST_Transform(s.geom, %(srid)s) AS g
        FROM {sites} s JOIN {layers} l USING (workspace, layer)
        WHERE s.workspace = %(ws)s AND l.role = 'sites' AND s.layer <> %(zones)s
          AND NOT (s.layer = ANY(%(exclude)s::text[]))
          AND ST_GeometryType(s.geom) IN ('ST_Polygon', 'ST_MultiPolygon')
    """).format(sites=_t("sites"), layers=_t("layers")), params)
    conn.execute("CREATE INDEX ON _cm_fp USING gist (g)")
    rows = conn.execute(sql.SQL("""
        SELECT z.id, ST_Area(z.g), COALESCE(ST_Area(c.u), 0), c.n
        FROM (SELECT id, ord, ST_Transform(geom, %(srid)s) AS g FROM {sites}
              WHERE workspace = %(ws)s AND layer = %(zones)s) z
        CROSS JOIN LATERAL (
            SELECT ST_Union(CASE WHEN ST_ContainsProperly(z.g, f.g) THEN f.g
                                 ELSE ST_Intersection(f.g, z.g) END) AS u, count(f.g) AS n
            FROM _cm_fp f WHERE ST_Intersects(z.g, f.g)
        ) c
        ORDER BY z.ord, z.id
    """).format(sites=_t("sites")), params).fetchall()
    return [ZoneRow(key, str(r[0]), float(r[1]), float(r[2]), int(r[3])) for r in rows]


def road_density(
    store: PostgisStore,
    *,
    workspace: str | None = None,
    roads: str | None = None,
    built_up: str | None = None,
    zones: str | None = None,
    srid: int | None = None,
    tol: float | None = None,
    grid: float | None = None,
) -> list[DensityRow]:
    """Road network density of the county seat and of every pilot zone, in the database.

    Parameters
    ----------
    store
        The store.
    workspace
        One workspace key, or ``None`` for every workspace.
    roads, built_up
        The layers of roads and of the built-up area; default the workspace's layers of
        purpose ``roads`` / ``built_up`` (``layers/*.toml``). A workspace without
        roads gets no row; without a built-up area, no county-seat row and the zones use
        their whole area (as ``citymap metrics``).
    zones
        The layer of pilot zones; default the workspace's layer of purpose ``pilot_zones``.
    srid
        The metric CRS (EPSG code); default each workspace's ``measure_srid``.
    tol, grid
        The boundary tolerance and the grid of the road union (m); default
        :data:`citymap.metrics.density.BOUNDARY_TOL_M` and
        :data:`citymap.metrics.targets.GRID_M`.

    Returns
    -------
    list of DensityRow
        By workspace key: the county seat, then the zones in the order of their layer file.
    """
    from citymap.metrics.density import BOUNDARY_TOL_M
    from citymap.metrics.targets import GRID_M

    tol = BOUNDARY_TOL_M if tol is None else float(tol)
    grid = GRID_M if grid is None else float(grid)
    out: list[DensityRow] = []
    with store.connect() as conn, store._errors("road density"):
        _snapshot(conn)
        with conn.transaction():
            for key, ws_srid, names in _targets(conn, workspace, srid):
                purposes = _purposes(conn, key)
                rd = roads or _first(purposes, "roads")
                if rd is None or rd not in names:
                    continue
                bu = built_up or _first(purposes, "built_up")
                zl = zones or _first(purposes, "pilot_zones") or ""
                out.extend(_density_one(conn, key, ws_srid, rd,
                                        bu if bu in names else None, zl, tol, grid))
    return out


def _density_one(conn: psycopg.Connection[Any], key: str, srid: int, roads: str,
                 built_up: str | None, zones: str, tol: float, grid: float) -> list[DensityRow]:
    params: dict[str, Any] = {"ws": key, "srid": srid, "roads": roads, "built": built_up,
                              "zones": zones, "tol": tol, "grid": grid}
    for name in ("_cm_roads", "_cm_areas"):
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
    conn.execute(sql.SQL("""
        CREATE TEMP TABLE _cm_roads ON COMMIT DROP AS
        SELECT ST_Transform(geom, %(srid)s) AS g FROM {sites}
        WHERE workspace = %(ws)s AND layer = %(roads)s
          AND ST_GeometryType(geom) IN ('ST_LineString', 'ST_MultiLineString')
    """).format(sites=_t("sites")), params)
    conn.execute("CREATE INDEX ON _cm_roads USING gist (g)")
    # the areas: the built-up area (county seat), then every zone clipped to it
    conn.execute(sql.SQL("""
        CREATE TEMP TABLE _cm_areas ON COMMIT DROP AS
        WITH b AS (SELECT ST_Union(ST_Transform(geom, %(srid)s)) AS g FROM {sites}
                   WHERE workspace = %(ws)s AND layer = %(built)s)
        SELECT 'county seat' AS scope, -1 AS ord, b.g FROM b WHERE b.g IS NOT NULL
        UNION ALL
        SELECT z.id, z.ord, CASE WHEN b.g IS NULL THEN ST_Transform(z.geom, %(srid)s)
                                 ELSE ST_Intersection(ST_Transform(z.geom, %(srid)s), b.g) END
        FROM {sites} z CROSS JOIN b
        WHERE z.workspace = %(ws)s AND z.layer = %(zones)s
    """).format(sites=_t("sites")), params)
    rows = conn.execute("""
        SELECT a.scope, ST_Area(a.g),
               COALESCE(ST_Length(ST_Intersection(u.g, ST_Buffer(a.g, -%(tol)s)))
                        + 0.5 * ST_Length(ST_Intersection(u.g, ST_Buffer(ST_Boundary(a.g),
                                                                         %(tol)s))), 0)
        FROM _cm_areas a CROSS JOIN LATERAL (
            SELECT ST_Union(r.g, %(grid)s) AS g FROM _cm_roads r
            WHERE ST_DWithin(a.g, r.g, %(tol)s)) u
        ORDER BY a.ord, a.scope
    """, params).fetchall()
    return [DensityRow(key, str(r[0]), float(r[2]) / 1000.0, float(r[1]) / 1e6) for r in rows]
