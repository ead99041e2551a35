"""``citymap export``: the workspace for GIS staff as GeoJSON, GeoPackage, Shapefile and CSV."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.markup import escape

from citymap.cli._options import (
    as_of_option,
    common_options,
    default_output,
    errors_to_exit,
    get_lang,
    load,
    stderr_console,
)
from citymap.i18n import _, ngettext
from citymap.vocab import EXPORT_FORMATS as FORMATS


@click.command("export", epilog="""Examples:

\b
  citymap export --format all
  citymap export --format gpkg --crs EPSG:4326 --also-projected -o export/
  citymap export --format geojson --layer old_communities -o old_communities.geojson
  citymap export --format shp --crs EPSG:4548 --encoding GBK     (old ArcGIS/MapGIS, metres)
  citymap export --format dxf --crs EPSG:4548                    (CAD)

\b
Output (inside the folder given with -o, default export/):
  geojson/<layer>.geojson   RFC 7946 lon/lat, one file per layer, work name/action/lead
                            units joined onto each site
  citymap.gpkg              every layer + register_works, register_targets tables;
                            opens styled in QGIS (layer_styles), Chinese titles and
                            field aliases, area_m2/length_m measured in EPSG:4548
  shp/<layer>.shp           UTF-8 or --encoding (.cpg), field names cut to 10
                            characters: see shp/fields.csv
  dxf/citymap.dxf           (--format dxf) every layer on a CAD layer of its name
  csv/works.csv, targets.csv  the task register (UTF-8 with BOM, opens in Excel)
""")
@click.option("--format", "fmt", type=click.Choice([*FORMATS, "all"]), default="all",
              show_default=True, help="What to write.")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              metavar="DIR_OR_FILE",
              help="Output folder (default: export/ in the workspace), or for one "
                   "format a file: *.gpkg, or *.geojson for one layer.")
@click.option("--crs", "crs", default="EPSG:4490", show_default=True, metavar="CRS",
              help="CRS of the Shapefile and DXF: lon/lat EPSG:4490 (CGCS2000) or EPSG:4326 "
                   "(WGS 84), or projected for CAD/GIS in metres, e.g. EPSG:4548; any form "
                   "pyproj accepts. GeoPackage layers stay lon/lat (a projected CRS adds "
                   "<layer>_<epsg> copies); a DXF in lon/lat is written in EPSG:4548.")
@click.option("--encoding", default="UTF-8", show_default=True, metavar="ENC",
              help="Text encoding of the Shapefile (.cpg says it): UTF-8, or GBK for old "
                   "ArcGIS/MapGIS.")
@click.option("--also-projected", is_flag=True,
              help="Also write each layer to the GeoPackage in EPSG:4548 (CGCS2000 "
                   "Gauss-Kruger CM 117E) as <layer>_4548, for CAD/GIS work in metres.")
@click.option("--layer", "layers", multiple=True, metavar="NAME",
              help="Export only this layer (repeatable; default: every layer).")
@as_of_option
@common_options
@click.pass_context
def export(ctx: click.Context, fmt: str, output: Path | None, crs: str, encoding: str,
           also_projected: bool, layers: tuple[str, ...], as_of: dt.date | None) -> None:
    """Export the layers and the task register for GIS staff; every file atomically.

    Each site carries its status on the --as-of date (default today) from the status log.
    A failed export leaves the previous files as they were. Paths written are printed on
    stdout, progress on stderr.
    """
    ws = load(ctx)
    out = output if output is not None else default_output(ctx, ws, "export")
    err = stderr_console()
    from citymap.io.export import export_workspace

    with errors_to_exit(), err.status(_("exporting …")) as status:
        def progress(msg: str) -> None:
            if err.is_terminal:
                status.update(_("exporting: {step}").format(step=msg))
            else:
                err.print(msg, markup=False, highlight=False)

        written = export_workspace(ws, out, fmt=fmt, crs=crs, also_projected=also_projected,
                                   layers=list(layers) or None, progress=progress,
                                   as_of=as_of, encoding=encoding, lang=get_lang(ctx, ws))
    for path in written:
        click.echo(str(path))
    done = ngettext("{n} file written under {out}", "{n} files written under {out}",
                    len(written)).format(n=len(written), out=str(out))
    ok = _("ok")
    err.print(f"[green]{escape(ok)}[/green]: {escape(done)}", markup=True)
