"""From candidate photos to photos to store: the site, the day, the kind, and the flags.

- The **site** is the one the source names; a photo naming none is matched to the nearest
  site by its EXIF GPS position. Distances are measured in the workspace's measuring CRS
  (EPSG:4548) to the site's geometry (0 inside a polygon).
- The **day** is EXIF ``DateTimeOriginal`` when the photo has it, else the day the file
  name or sheet gives, else ``--date``.
- The **kind** (前/中/后) is the one given, else inferred from the site's status on that
  day: 未开始 → 前 (before), 已完成 → 后 (after), else 中 (during).
- A photo is **flagged** when it lies farther than the threshold from its site, or its
  day is outside the report period: flagged photos are listed and stored only when the
  user accepts them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from citymap.attachments import NewPhoto
from citymap.errors import Problem
from citymap.i18n import _
from citymap.photos.images import inspect_image, make_thumbnail, sha256_hex
from citymap.photos.sources import Candidate
from citymap.workspace import Workspace

__all__ = ["Planned", "DEFAULT_MAX_DISTANCE_M", "plan_photos", "infer_kind", "Period"]

#: A photo farther than this from its site is flagged (metres).
DEFAULT_MAX_DISTANCE_M = 200.0


@attrs.frozen
class Period:
    """The report period: photos dated outside it are flagged."""

    start: dt.date
    end: dt.date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.start.isoformat()}–{self.end.isoformat()}"


@attrs.frozen
class Planned:
    """A photo ready to store, with its flags (empty: attach).

    Attributes
    ----------
    candidate
        Where it came from.
    photo
        The photo to store.
    flags
        Short codes (``far``, ``period``) of what is wrong with it.
    reasons
        One sentence per flag.
    """

    candidate: Candidate
    photo: NewPhoto
    flags: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


def infer_kind(ws: Workspace, site: str, day: dt.date,
               sites: pd.DataFrame | None = None) -> str:
    """前, 中 or 后 from the site's status on ``day`` (the status log, else its record).

    ``sites`` is ``ws.sites()`` when the caller has it already.
    """
    sites = ws.sites() if sites is None else sites
    one = sites[sites["id"].astype(str) == site]
    if not len(one):
        return "中"
    status = str(ws.history.status_on(pd.DataFrame(one), day)["status"].iloc[0])
    return {"未开始": "前", "已完成": "后"}.get(status, "中")


def _measure_sites(sites: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    return sites.to_crs(crs) if len(sites) else sites


def _distance(sites_m: gpd.GeoDataFrame, ws: Workspace, lon: float, lat: float,
              site: str | None) -> tuple[str | None, float | None]:
    """(site, metres) to the named site, or the nearest one when none is named."""
    if not len(sites_m):
        return site, None
    pt = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(ws.config.measure_crs)[0]
    if site is not None:
        geoms = sites_m.geometry[sites_m["id"].astype(str) == site]
        if not len(geoms):
            return site, None
        return site, float(geoms.distance(pt).min())
    d = sites_m.geometry.distance(pt)
    k = int(d.to_numpy().argmin())
    return str(sites_m["id"].iloc[k]), float(d.iloc[k])


def plan_photos(
    ws: Workspace,
    candidates: Sequence[Candidate],
    *,
    period: Period | None = None,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    site: str | None = None,
    date: dt.date | None = None,
    kind: str | None = None,
    today: dt.date | None = None,
    stored: frozenset[str] = frozenset(),
) -> tuple[list[Planned], list[Problem]]:
    """Check every candidate and decide its site, day, kind and flags.

    Parameters
    ----------
    ws
        The workspace (sites, status history, measuring CRS).
    candidates
        The photos found.
    period
        The report period (None: no photo is flagged for its day).
    max_distance_m
        A photo with a GPS position farther than this from its site is flagged.
    site, date, kind
        Given on the command line: the site of photos whose source names none (before
        any GPS match), the day of photos without EXIF date or a day in their name, the
        kind of every photo whose source gives none.
    today
        The latest day a photo may have (default: today).
    stored
        SHA-256 of the photos already stored: no thumbnail is made for them again.

    Returns
    -------
    planned, problems
        The photos to store, and one problem per photo that cannot be (not an image, too
        big, unknown site, no day, a day in the future).
    """
    today = today or dt.date.today()
    known = ws.site_ids
    sites = ws.sites()
    sites_m = _measure_sites(sites, ws.config.measure_crs)
    out: list[Planned] = []
    problems: list[Problem] = []
    for c in candidates:
        def bad(field: str, msg: str, c: Candidate = c) -> None:
            problems.append(Problem(c.where, c.item, field, msg))

        try:
            data = c.read()
            info = inspect_image(data)
        except OSError as exc:
            bad("", _("cannot be read: {error}").format(error=exc.strerror or exc))
            continue
        except ValueError as exc:
            bad("", str(exc))
            continue
        sha = sha256_hex(data)
        name = c.site or site
        if name is not None and name not in known:
            bad("site", _("{name!r} is not a site id of the workspace: name the photo after its "
                          "site (e.g. OC-2021-07_前_2021-03-01.jpg) or fix the id")
                        .format(name=name[:64]))
            continue
        distance = None
        if info.lat is not None and info.lon is not None:
            name, distance = _distance(sites_m, ws, info.lon, info.lat, name)
        if name is None:
            bad("site", _("names no site and has no GPS position: put the site id in the file "
                          "name (e.g. OC-2021-07_前.jpg), list it in a sheet (--sheet) or give "
                          "--site"))
            continue
        day, date_from = (info.taken, "exif") if info.taken else (
            (c.date, c.date_from or "given") if c.date else (date, "given"))
        if day is None:
            bad("date", _("has no EXIF date and no date in its name: give --date or name it like "
                          "OC-2021-07_前_2021-03-01.jpg"))
            continue
        if day > today:
            bad("date", _("is dated {day}, after today: check the camera's clock or give --date")
                        .format(day=day.isoformat()))
            continue
        flags: list[str] = []
        reasons: list[str] = []
        if distance is not None and distance > max_distance_m:
            flags.append("far")
            reasons.append(_("taken {distance:.0f} m from {name} (more than {limit:g} m)")
                           .format(distance=distance, name=name, limit=max_distance_m))
        if period is not None and day not in period:
            flags.append("period")
            reasons.append(_("dated {day}, outside the period {period}")
                           .format(day=day.isoformat(), period=period))
        try:
            thumb = b"" if sha in stored else make_thumbnail(data)
        except ValueError as exc:
            bad("", str(exc))
            continue
        photo = NewPhoto(
            site=name, date=day, kind=c.kind or kind or infer_kind(ws, name, day, sites),
            date_from=date_from, source=c.shown, width=info.width, height=info.height,
            extension=info.extension, sha256=sha, read=c.read, thumbnail=thumb, lat=info.lat,
            lon=info.lon, distance_m=None if distance is None else round(distance, 1),
            flags=tuple(flags))
        out.append(Planned(c, photo, tuple(flags), tuple(reasons)))
    return out, problems

