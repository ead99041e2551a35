"""``citymap build``: the folder of maps planners open by double-click.

``maps/index.html`` shows the whole plan and links every other map; ``maps/units/<unit>.html``
shows the works a unit leads or shares; ``maps/actions/<n>-<action>.html`` the works of one
action. The libraries are always copied to ``maps/lib/`` (from the package, see
:mod:`citymap.render.assets`): every map opens by double-click with no network. A base map
is an option that degrades visibly (the page says so when tiles cannot load);
``offline=True`` leaves out networked base maps altogether. ``maps/metrics.json`` and
``maps/metrics.csv`` hold the metrics on the build's
date (:func:`citymap.metrics.output.write_metrics`). The whole folder is written
atomically (:func:`citymap.io.atomic.atomic_dir`).

The time axis offers the end of every month of the plan's years, the end of every plan year
and today (:func:`citymap.render.timeline.date_options`). The metrics are computed once per
date of it (:func:`citymap.metrics.compute_metrics`) and shared by every map; so are the
statuses on each date (:meth:`Workspace.status_as_of`) and the residential land covered by
a park's service radius (:func:`citymap.metrics.residential_coverage_layer`), drawn on the
overview.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attrs
import geopandas as gpd

from citymap.errors import CitymapError
from citymap.i18n import N_, _, tr
from citymap.io.atomic import atomic_dir
from citymap.io.owned import check_dir_replaceable, check_not_workspace
from citymap.render.assets import copy_offline_bundle, offline_refs
from citymap.render.map import BASEMAPS, Link, MapOptions, render_map
from citymap.render.panel import Panel, panel_for, panel_year
from citymap.render.timeline import DateOption, date_options
from citymap.workspace import Workspace

if TYPE_CHECKING:
    from citymap.attachments import Attachments
    from citymap.metrics import MetricsResult, ZoneResult

__all__ = ["BuiltMap", "build_maps", "resolve_basemap", "safe_name", "TIANDITU_ENV",
           "MetricsFunction"]

#: ``compute(ws, *, year=None, as_of=None) -> MetricsResult``, like
#: :func:`citymap.metrics.compute_metrics`.
MetricsFunction = Callable[..., "MetricsResult"]

TIANDITU_ENV = "CITYMAP_TIANDITU_KEY"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


@attrs.frozen
class BuiltMap:
    """One map written: its path relative to the output folder, title and kind."""

    path: str
    title: str
    kind: str


def safe_name(text: str) -> str:
    """A file name for ``text`` (Chinese kept; path separators and reserved marks replaced)."""
    name = _UNSAFE.sub("_", text).strip("._") or "map"
    return name[:80]


def resolve_basemap(basemap: str | None, *, offline: bool, tianditu_key: str | None,
                    tiles: Path | None, config_basemap: str = "osm") -> str:
    """The base map to use.

    Explicit ``basemap`` wins; then a tile folder; offline maps have none; a Tianditu key
    selects Tianditu; else the workspace's ``[map] basemap`` (OpenStreetMap by default).

    Raises
    ------
    CitymapError
        For an unknown name, or a networked base map asked for offline.
    """
    if basemap is not None and basemap not in BASEMAPS:
        raise CitymapError(_("unknown base map {basemap!r}; use one of {choices}").format(
            basemap=basemap, choices=", ".join(BASEMAPS)))
    if basemap is None:
        if tiles is not None:
            basemap = "tiles"
        elif offline:
            basemap = "none"
        elif tianditu_key:
            basemap = "tianditu"
        else:
            basemap = {"openstreetmap": "osm", "gaode": "amap"}.get(config_basemap,
                                                                     config_basemap)
            if basemap not in BASEMAPS or basemap == "tiles":
                basemap = "osm"
    if offline and basemap not in ("none", "tiles"):
        raise CitymapError(_("--offline maps cannot load the {basemap!r} base map from the "
                             "network: use --basemap none or --tiles DIR (a local tile folder)")
                           .format(basemap=basemap))
    if basemap == "tiles" and tiles is None:
        raise CitymapError(_("--basemap tiles needs --tiles DIR (a folder of z/x/y.png tiles)"))
    return basemap


def _tile_suffix(tiles: Path) -> str:
    for f in tiles.rglob("*"):
        if f.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp") and f.is_file():
            return f.suffix.lower()
    raise CitymapError(_("{path!r} holds no tiles: give a folder of z/x/y.png tiles").format(
        path=str(tiles)))


def _service_layers(ws: Workspace, dates: list[dt.date]) -> list[gpd.GeoDataFrame]:
    """Residential land within / outside the service radius on every date.

    Computed once per distinct set of parks (dates with the same parks share it).
    """
    from citymap.metrics import park_frame, residential_coverage_layer

    out: list[gpd.GeoDataFrame] = []
    seen: dict[tuple[str, ...], gpd.GeoDataFrame] = {}
    for d in dates:
        key = tuple(sorted(str(i) for i in park_frame(ws, d)["id"]))
        if key not in seen:
            seen[key] = residential_coverage_layer(ws, as_of=d)
        out.append(seen[key])
    return out


def build_maps(
    ws: Workspace,
    out_dir: str | os.PathLike[str],
    *,
    as_of: dt.date | None = None,
    lang: str = "zh",
    offline: bool = False,
    basemap: str | None = None,
    tianditu_key: str | None = None,
    tiles: str | os.PathLike[str] | None = None,
    today: dt.date | None = None,
    metrics: MetricsFunction | bool | None = True,
    progress: Callable[[int, int, str], None] | None = None,
    public: bool | None = None,
    attachments: Attachments | None = None,
    pending: Sequence[Any] = (),
) -> list[BuiltMap]:
    """Write every map of the workspace into ``out_dir`` (replaced atomically).

    Parameters
    ----------
    ws
        The loaded workspace.
    out_dir
        The maps folder (``maps/``).
    as_of
        The date shown first (default today); the date selector also offers the end of
        every plan year and today.
    lang
        ``"zh"`` (default) or ``"en"``.
    offline
        No networked base map (the libraries are always beside the maps).
    basemap
        ``osm``, ``tianditu``, ``amap``, ``none`` or ``tiles`` (see :func:`resolve_basemap`).
    tianditu_key
        Tianditu key; default ``$CITYMAP_TIANDITU_KEY``. It ends up in the maps (the
        browser needs it), never in the repository.
    tiles
        A local folder of ``z/x/y`` tiles, copied to ``maps/tiles``.
    today
        Today's date (for tests).
    metrics
        ``True`` (default): :func:`citymap.metrics.compute_metrics` fills the panels, labels
        the pilot zones, draws the park service-radius layer and writes ``metrics.json`` and
        ``metrics.csv`` (as of ``as_of`` or today, for that year; the plan's last year when
        the date is after the plan). A function with the same signature may stand in for
        it. ``None``/``False``: none of these.
    progress
        Called as ``progress(done, total, name)`` after each map.
    public
        Also write the public view of the overview, ``public/index.html`` (with its own
        ``public/lib``): whitelisted fields, no internal layer, coordinates
        rounded (:mod:`citymap.render.public`). Default: ``[publish] public``.
    pending
        The changes of pending submissions (:func:`citymap.review_flow.proposals`), drawn
        as the layer 待审核 on the internal maps (never on the public view).
    attachments
        Where the sites' photos are (default: the folder store beside the workspace; a
        workspace loaded from PostGIS passes the store's, ``store.attachments()``).

    Returns
    -------
    list of BuiltMap

    Raises
    ------
    CitymapError
        On a bad option.
    """
    if lang not in ("zh", "en"):
        raise CitymapError(_("unknown language {lang!r}; use zh or en").format(lang=lang))
    check_not_workspace(Path(out_dir), ws.root)  # refused before any work is done
    check_dir_replaceable(Path(out_dir))
    today = today or dt.date.today()
    key = tianditu_key or os.environ.get(TIANDITU_ENV) or None
    tiles_dir = Path(tiles) if tiles is not None else None
    if tiles_dir is not None and not tiles_dir.is_dir():
        raise CitymapError(_("--tiles {path!r} is not a folder").format(path=str(tiles_dir)))
    chosen = resolve_basemap(basemap, offline=offline, tianditu_key=key, tiles=tiles_dir,
                             config_basemap=ws.config.basemap)
    compute: MetricsFunction | None
    if metrics is True:
        from citymap.metrics import compute_metrics

        compute = compute_metrics
    else:
        compute = metrics or None
    first, last = ws.plan_years
    dates, selected = date_options(as_of, today, lang, range(first, last + 1), months=True)
    days = [d.date for d in dates]
    reg = ws.register

    plans: list[tuple[str, str, str, frozenset[int] | None]] = [("index.html", "", "index", None)]
    works: frozenset[int] | None
    for unit in reg.all_units:
        works = frozenset(w.number for w in reg.works_of_unit(unit))
        plans.append((f"units/{safe_name(unit)}.html", unit, "units", works))
    for a in reg.actions:
        works = frozenset(w.number for w in reg.works if w.action == a.number)
        name = a.name_en if lang == "en" and a.name_en else a.name
        plans.append((f"actions/{a.number}-{safe_name(a.name)}.html", f"{a.number} {name}",
                      "actions", works))
    seen: set[str] = set()
    for path, *_rest in plans:
        if path in seen:
            raise CitymapError(_("two maps would be written to {path!r}: rename a unit")
                               .format(path=path))
        seen.add(path)

    # the metrics of every date, computed once and shared by every map
    results: dict[dt.date, MetricsResult] = {}
    zones: dict[dt.date, tuple[ZoneResult, ...]] = {}
    service: list[gpd.GeoDataFrame] = []
    output: MetricsResult | None = None
    if compute is not None:
        from citymap.metrics import pilot_zone_results

        results = {d: compute(ws, year=panel_year(d, ws.plan_years), as_of=d) for d in days}
        zones = {d: pilot_zone_results(ws, d) for d in days}  # every zone, every date
        service = _service_layers(ws, days)
        output = results[as_of or today]  # the build's date is one of the dates

    from citymap.attachments import open_attachments
    from citymap.photos import map_photos, photo_blob

    store = attachments if attachments is not None else open_attachments(ws.root)
    photos, photo_files = map_photos(store, as_of=max(days))

    built: list[BuiltMap] = []
    with atomic_dir(out_dir) as tmp:
        tmp.chmod(0o755)  # mkdtemp makes it private; the maps are for sharing
        has_tiles = chosen not in ("none",)
        suffix = ""
        copy_offline_bundle(tmp / "lib", tiles=has_tiles)
        if tiles_dir is not None and chosen == "tiles":
            suffix = _tile_suffix(tiles_dir)
            shutil.copytree(tiles_dir, tmp / "tiles")
        for rel, photo in photo_files.items():  # thumbnails beside the maps, no network
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_bytes(store.read_thumbnail(photo))
        for k, (path, subtitle, kind, works) in enumerate(plans):
            depth = path.count("/")
            up = "../" * depth
            assets = offline_refs(f"{up}lib", tiles=has_tiles)
            links = tuple(Link(g, title, up + quote(p)) for p, title, g, _ in plans[1:]
                          if p != path)
            options = MapOptions(
                lang=lang, subtitle=subtitle or tr("Overview", lang),
                works=works, include_context=works is None, dates=dates, selected=selected,
                basemap=chosen, tianditu_key=key,
                tiles_url=f"{up}tiles/{{z}}/{{x}}/{{y}}{suffix}" if suffix else None,
                assets=assets, links=links, home=f"{up}index.html" if depth else None,
                photos=photo_blob(photos, lang=lang, up=up),
                unit=subtitle if kind == "units" else None, pending=tuple(pending),
            )
            panels = [panel_for(results.get(d), d, works=works, zones=zones.get(d),
                                years=ws.plan_years) for d in days]
            html = render_map(ws, options, panels, service if works is None else ())
            target = tmp / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")
            built.append(BuiltMap(path, subtitle or "index", kind))
            if progress is not None:
                progress(k + 1, len(plans), path)
        if public if public is not None else ws.config.publish.public:
            built.append(_write_public(ws, tmp, lang=lang, dates=dates, selected=selected,
                                       basemap=chosen, key=key, has_tiles=has_tiles,
                                       panels=[panel_for(results.get(d), d,
                                                         zones=zones.get(d),
                                                         years=ws.plan_years)
                                               for d in days],
                                       service=service))
        if output is not None:
            from citymap.metrics.output import write_metrics

            write_metrics(output, tmp)
        (tmp / "README.md").write_text(tr(_OUTPUT_README, lang), encoding="utf-8")
    return built


def _write_public(ws: Workspace, tmp: Path, *, lang: str, dates: tuple[DateOption, ...],
                  selected: int, basemap: str, key: str | None, has_tiles: bool,
                  panels: list[Panel],
                  service: list[gpd.GeoDataFrame]) -> BuiltMap:
    """The public view of the overview: ``public/index.html``."""
    if basemap == "tiles":
        raise CitymapError(_("the public view cannot use --tiles (the tile folder is "
                             "internal): use another --basemap or leave out --public"))
    copy_offline_bundle(tmp / "public" / "lib", tiles=has_tiles)
    options = MapOptions(
        lang=lang, subtitle=tr("Overview", lang), works=None,
        include_context=True, dates=dates, selected=selected, basemap=basemap,
        tianditu_key=key, assets=offline_refs("lib", tiles=has_tiles), public=True)
    target = tmp / "public" / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_map(ws, options, panels, service), encoding="utf-8")
    return BuiltMap("public/index.html", "public", "public")


_OUTPUT_README = N_("""\
Generated by `citymap build` from the workspace: index.html (the whole plan), units/ (one map
per unit), actions/ (one map per action), photos/ (thumbnails of the sites' photos),
metrics.json and metrics.csv. Do not edit: the next
build replaces this folder whole.
""")
