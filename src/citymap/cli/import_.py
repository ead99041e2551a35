"""``citymap import``: bring sites from a GIS file into a workspace layer."""

from __future__ import annotations

from pathlib import Path

import attrs
import click

from citymap.cli._options import common_options, errors_to_exit, get_store, load, stderr_console
from citymap.errors import Problem, ValidationError


def _check_save_target(path: Path) -> None:
    """Refuse to replace a file citymap did not make (a saved mapping starts with our line)."""
    if path.exists():
        head = path.read_text(encoding="utf-8", errors="replace")[:60] if path.is_file() else ""
        if not head.startswith("# citymap import mapping"):
            raise ValidationError([Problem(str(path), "", "--save-mapping", "exists and was "
                                           "not written by citymap; choose another name")])


@click.command("import", epilog="""Examples:

\b
  citymap import survey.shp --layer old_communities --dry-run
  citymap import 老旧小区.shp --layer old_communities --encoding GBK --crs EPSG:4527
  citymap import export/citymap.gpkg --layer wastewater_plants --source-layer wastewater_plants
  citymap import amap_points.geojson --layer construction_sites --from gcj02
  citymap import 口袋公园.shp --layer pocket_parks --set year=2021
  citymap import 交付.zip --layer old_communities --map 名称=name --key 编号 --dry-run
  citymap import 交付.zip --layer old_communities --set source="县住建局 台账" --set year=2021
  citymap import 交付.zip --mapping docs/mappings/old_communities.toml
  citymap import 工地.xlsx --layer construction_sites --set year=2021      (经度/纬度 columns)
  citymap import 规划.dxf --layer pocket_parks --crs EPSG:4548 --map Layer=kind
""")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--layer", default=None, metavar="NAME",
              help="The workspace layer the sites belong to (layers/NAME.toml); may be "
                   "saved in the --mapping file.")
@click.option("--map", "maps", multiple=True, metavar="FIELD=LAYER_FIELD",
              help="Take a layer field from a field of FILE (repeatable), e.g. "
                   "--map 名称=name --map 建设年份=year.")
@click.option("--set", "sets", multiple=True, metavar="LAYER_FIELD=VALUE",
              help="Give every feature this value (repeatable), e.g. --set works=8 "
                   "--set source=\"县自然资源规划局 2021 测绘\".")
@click.option("--key", default=None, metavar="FIELD",
              help="The field of FILE that tells a feature again on re-import (e.g. 编号); "
                   "default: the id, else the geometry (within 1 m).")
@click.option("--mapping", "mapping_file", type=click.Path(path_type=Path, dir_okay=False),
              default=None, metavar="FILE.toml",
              help="A saved mapping (TOML or YAML: map, set, key, layer, crs, encoding, "
                   "from, source_layer); options given here win over it.")
@click.option("--save-mapping", type=click.Path(path_type=Path, dir_okay=False), default=None,
              metavar="FILE.toml",
              help="Save this import's mapping and options for the next delivery (written "
                   "when every check passes, with --dry-run too; never over a file citymap "
                   "did not make).")
@click.option("--source-layer", default=None, metavar="L",
              help="The layer inside FILE (GeoPackage, FileGDB), the KML folder, the XLSX "
                   "sheet, or the file in a zip; default: the one named like --layer, else "
                   "the only one (every folder of a KML).")
@click.option("--encoding", default=None, metavar="ENC",
              help="Text encoding of a Shapefile's or CSV's text (e.g. GBK, UTF-8); default: "
                   "the .cpg, else UTF-8, else GBK/GB18030.")
@click.option("--crs", default=None, metavar="CRS",
              help="CRS of the coordinates: anything pyproj accepts, e.g. EPSG:4490, "
                   "EPSG:4527 (Gauss-Kruger zone 39), EPSG:4548 (CM 117E), a WKT or PROJ "
                   "string. Overrides a wrong .prj (the summary says so).")
@click.option("--from", "from_", type=click.Choice(["gcj02"]), default=None,
              help="The coordinates are GCJ-02 (digitised on AMap/Gaode): convert them to "
                   "WGS 84.")
@click.option("--dry-run", is_flag=True, help="Check everything and report; write nothing.")
@common_options
@click.pass_context
def import_(ctx: click.Context, file: Path, layer: str | None, maps: tuple[str, ...],
            sets: tuple[str, ...], key: str | None, mapping_file: Path | None,
            save_mapping: Path | None, source_layer: str | None, encoding: str | None,
            crs: str | None, from_: str | None, dry_run: bool) -> None:
    """Import the sites of FILE into a layer: Shapefile, GeoPackage, FileGDB folder,
    GeoJSON, KML/KMZ, DXF, CSV/XLSX with coordinate columns, or a zip of one.

    Fields are mapped by name, by --map, or by a saved --mapping file; --set gives
    constants; a layer serving one work gets that work, source defaults to the file's
    name and status to 未开始; ids are generated in the layer's pattern and stay the same
    on re-import. Every feature is checked like the workspace's own sites; if any is
    wrong nothing is written and every problem is listed, one per bad cell (exit code
    2). Otherwise the sites are merged into the layer's GeoJSON atomically. --dry-run
    shows the mapped table first.
    """
    ws = load(ctx)
    from citymap.io.importer import import_sites
    from citymap.io.intake.mapping import Mapping, load_mapping, mapping_text, parse_pairs

    with errors_to_exit():
        saved = load_mapping(mapping_file) if mapping_file is not None else Mapping()
        opts = {"layer": layer, "crs": crs, "encoding": encoding, "from": from_,
                "source_layer": source_layer}
        given = Mapping(renames=parse_pairs(maps, option="--map"),
                        constants=parse_pairs(sets, option="--set"), key=key,
                        options=tuple((k, v) for k, v in opts.items() if v))
        mapping = saved.merged(given)
        if save_mapping is not None:
            _check_save_target(save_mapping)
        store = get_store(ctx)
        summary = import_sites(ws, file, store=store, mapping=mapping, dry_run=dry_run)
        if save_mapping is not None:
            from citymap.io.atomic import write_text

            write_text(save_mapping, mapping_text(attrs.evolve(
                mapping, options=(("layer", summary.layer), *(
                    (k, v) for k, v in mapping.options if k != "layer")))))
    err = stderr_console()
    for line in summary.lines():
        err.print(line, markup=False, highlight=False)
    if save_mapping is not None:
        err.print(f"mapping saved to {save_mapping}", markup=False)
    if not dry_run and not summary.unchanged:
        err.print(f"stored in {store.where}", markup=False)
