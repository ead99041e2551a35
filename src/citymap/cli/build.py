"""``citymap build``: write the folder of interactive maps (``maps/``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from citymap.cli._options import (
    as_of_option,
    common_options,
    default_output,
    errors_to_exit,
    get_lang,
    get_store,
    load,
    stderr_console,
)
from citymap.i18n import _
from citymap.vocab import BASEMAPS


@click.command(
    "build",
    epilog="Examples:\n\n  citymap build\n\n  citymap build --offline\n\n"
           "  citymap build --as-of 2021 --lang en -o maps-en\n\n"
           "  citymap build --basemap amap   (overlays shifted to GCJ-02 to fit AMap tiles)",
)
@click.option("--offline", is_flag=True, help="No networked base map (none, or --tiles). Every "
              "map opens with no network anyway: its libraries are copied beside it, and a "
              "base map that cannot load is named on the page while the data is drawn.")
@as_of_option
@click.option("--basemap", type=click.Choice(BASEMAPS), default=None,
              help="Base map: osm (OpenStreetMap), tianditu (天地图, needs a key), amap (高德, "
                   "GCJ-02), none, or tiles (a local folder, --tiles). Default: tianditu when "
                   "a key is set, else the workspace's [map] basemap; none with --offline.")
@click.option("--tianditu-key", envvar="CITYMAP_TIANDITU_KEY", show_envvar=True, default=None,
              metavar="KEY", help="Tianditu key (it is written into the maps, which need it "
                                  "to load tiles; never commit it).")
@click.option("--tiles", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, metavar="DIR", help="A local folder of z/x/y tiles (web mercator, "
                                                "WGS 84/CGCS2000) copied to maps/tiles.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              metavar="DIR", help="Output folder (default: maps/ in the workspace): new, "
                                  "empty, or one citymap built before (it holds "
                                  ".citymap-output), replaced as a whole, atomically. "
                                  "Any other folder is refused.")
@click.option("--public/--no-public", "public", default=None,
              help="Also write the public view maps/public/index.html: only each layer's "
                   "public_fields, no layer marked internal, coordinates rounded to [publish] "
                   "coordinate_decimals (default: [publish] public in citymap.toml).")
@common_options
@click.pass_context
def build(ctx: click.Context, offline: bool, as_of: dt.date | None, basemap: str | None,
          tianditu_key: str | None, tiles: Path | None, output: Path | None,
          public: bool | None) -> None:
    """Build the interactive maps: maps/index.html, one map per lead unit and per action.

    The maps open by double-click, in Chinese by default (--lang en for English). The
    status shown is the status on the chosen date (a selector on the map offers the end
    of every plan year and today); the metrics panel shows every target of that year,
    planned against done. The path of maps/index.html is printed on stdout.
    """
    from citymap.render.build import build_maps

    ws = load(ctx)
    lang = get_lang(ctx, ws)
    out = output if output is not None else default_output(ctx, ws, "maps")
    err = stderr_console()
    with errors_to_exit(), Progress(TextColumn("{task.description}"), BarColumn(),
                                    MofNCompleteColumn(), TextColumn("{task.fields[name]}"),
                                    console=err, transient=True) as bar:
        task = bar.add_task(_("maps"), total=None, name="")

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, name=name)

        built = build_maps(ws, out, as_of=as_of, lang=lang, offline=offline, basemap=basemap,
                           tianditu_key=tianditu_key, tiles=tiles, progress=progress,
                           public=public, attachments=get_store(ctx).attachments(),
                           pending=_pending(ctx, ws, as_of))
    kinds = {k: sum(1 for b in built if b.kind == k) for k in ("units", "actions", "public")}
    line = _("wrote {n} maps to {out}: index.html, {units} unit maps, {actions} action "
             "maps").format(n=len(built), out=out, units=kinds["units"],
                            actions=kinds["actions"])
    if kinds["public"]:
        line += ", public/index.html"
    if offline:
        line += " " + _("(offline)")
    err.print(line, markup=False)
    click.echo(str(out / "index.html"))


def _pending(ctx: click.Context, ws: Any, as_of: Any) -> list[Any]:
    """The pending submissions' changes (drawn as 待审核) when a reviewer is declared."""
    from citymap.cli.review import review_store, reviewing
    from citymap.review_flow import proposals

    if not reviewing(ws):
        return []
    with errors_to_exit():
        return proposals(ws, review_store(ctx, ws).reviews(), as_of=as_of)
