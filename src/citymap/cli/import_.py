"""``citymap import``: bring sites from a GIS file into a workspace layer."""

from __future__ import annotations

from pathlib import Path

import click

from citymap.cli._options import common_options, errors_to_exit, load, stderr_console


@click.command("import", epilog="""Examples:

\b
  citymap import survey.shp --layer old_communities --dry-run
  citymap import 老旧小区.shp --layer old_communities --encoding GBK --crs EPSG:4527
  citymap import export/citymap.gpkg --layer wastewater_plants --source-layer wastewater_plants
  citymap import amap_points.geojson --layer construction_sites --from gcj02
""")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--layer", required=True, metavar="NAME",
              help="The workspace layer the sites belong to (layers/NAME.toml).")
@click.option("--source-layer", default=None, metavar="L",
              help="The layer inside a multi-layer FILE (GeoPackage); default: the one named "
                   "like --layer, else the only one.")
@click.option("--encoding", default=None, metavar="ENC",
              help="Text encoding of a Shapefile's attributes (e.g. GBK, UTF-8); default: "
                   "the .cpg, else UTF-8, else GBK/GB18030.")
@click.option("--crs", default=None, metavar="CRS",
              help="CRS of a FILE that has none (no .prj): anything pyproj accepts, e.g. "
                   "EPSG:4490, EPSG:4527 (Gauss-Kruger zone 39), EPSG:4548, a WKT or PROJ "
                   "string. Never replaces a CRS the file has.")
@click.option("--from", "from_", type=click.Choice(["gcj02"]), default=None,
              help="The coordinates are GCJ-02 (digitised on AMap/Gaode): convert them to "
                   "WGS 84.")
@click.option("--dry-run", is_flag=True, help="Check everything and report; write nothing.")
@common_options
@click.pass_context
def import_(ctx: click.Context, file: Path, layer: str, source_layer: str | None,
            encoding: str | None, crs: str | None, from_: str | None, dry_run: bool) -> None:
    """Import the sites of FILE (Shapefile, GeoPackage, GeoJSON, KML, …) into a layer.

    Every feature is checked like the workspace's own sites (id unique in the workspace,
    works in the register, geometry type, inside the county). If any is wrong nothing is
    written and every problem is listed (exit code 2). Otherwise the sites are merged
    into the layer's GeoJSON atomically: new ids are appended, existing ids of the layer
    are replaced.
    """
    ws = load(ctx)
    from citymap.io.importer import import_sites

    with errors_to_exit():
        summary = import_sites(ws, file, layer=layer, source_layer=source_layer,
                               encoding=encoding, crs=crs, from_gcj02=from_ == "gcj02",
                               dry_run=dry_run)
    err = stderr_console()
    for line in summary.lines():
        err.print(line, markup=False)
    store = ctx.meta.get("citymap.store_object")  # set by load() with --store
    if store is not None and not dry_run and (summary.added or summary.replaced):
        # the sites were merged into the folder pulled from the store: push it back (one
        # transaction; refused if status events were recorded meanwhile — nothing is lost)
        with errors_to_exit():
            res = store.push(ws.root, key=store.resolve_key())
        err.print(f"stored in {store.url} as {res.workspace!r}", markup=False)
