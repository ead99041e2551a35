"""``citymap validate``: check the whole workspace and print a summary per layer and work."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from citymap.cli._options import (
    common_options,
    errors_to_exit,
    get_lang,
    get_store,
    load,
    stderr_console,
    stdout_console,
)
from citymap.vocab import SCHEMATIC, label


@click.command("validate", epilog="Examples:\n\n  citymap validate\n\n"
               "  citymap validate --workspace ../other-county --repair")
@click.option("--repair", is_flag=True, help="Repair invalid geometries with shapely's "
              "make_valid and write the repaired layers back (atomically).")
@common_options
@click.pass_context
def validate(ctx: click.Context, repair: bool) -> None:
    """Check the register, the layer definitions, every site and the status log.

    Every problem is listed with its file, row or feature, field and what to do; the exit
    code is 2 when there is any. On success a summary per layer and per work is printed.
    """
    ws = load(ctx, repair=repair)
    lang = get_lang(ctx, ws)
    err = stderr_console()
    if repair:
        store = get_store(ctx)
        with errors_to_exit():
            for name in ws.repaired:  # the layers load_workspace(repair=True) repaired
                where = store.write_layer(ws, name, ws.data[name], action="repair")
                err.print(f"repaired geometries written: {where}", markup=False,
                          highlight=False)
    con = stdout_console()
    lt = Table(title="图层 Layers" if lang == "zh" else "Layers")
    for col in ("layer", "role", "geometry", "features", "schematic", "works"):
        lt.add_column(col)
    for name, spec in ws.layers.items():
        gdf = ws.data[name]
        n_schematic = int((gdf["source"].astype(str) == SCHEMATIC).sum()) if len(gdf) else 0
        lt.add_row(name, spec.role, spec.geometry, str(len(gdf)), str(n_schematic),
                   ",".join(map(str, spec.works)) or "—")
    con.print(lt)
    from citymap.sites import parse_works

    counts: dict[int, int] = {}
    for name in ws.site_layers:
        for v in ws.data[name]["works"]:
            for n in parse_works(v):
                counts[n] = counts.get(n, 0) + 1
    wt = Table(title="工程 Works" if lang == "zh" else "Works")
    for col in ("工程", "名称", "需现场", "sites"):
        wt.add_column(label(col, lang))
    missing = []
    for w in ws.register.works:
        n = counts.get(w.number, 0)
        if w.site_bound and n == 0:
            missing.append(w)
        wt.add_row(str(w.number), w.name, label("是" if w.site_bound else "否", lang), str(n))
    con.print(wt)
    for w in missing:
        err.print(f"[yellow]warning:[/yellow] work {w.number} {escape(w.name)} is site-bound "
                  "but has no site yet", markup=True)
    for msg in ws.warnings:
        err.print(f"[yellow]warning:[/yellow] {escape(msg)}", markup=True)
    from citymap.layers import layer_for
    from citymap.metrics.zones import crowded_years, crowded_years_message

    zone_layer = layer_for(ws.layers, "pilot_zones")
    for year, ids in crowded_years(ws.data.get(zone_layer or "")).items():
        msg = crowded_years_message(year, ids, layer=zone_layer or "", lang=lang)
        err.print(f"[yellow]warning:[/yellow] {escape(msg)}", markup=True)
    n_sites = sum(len(ws.data[n]) for n in ws.site_layers)
    note = " (schematic data 示意)" if ws.is_schematic else ""
    err.print(f"[green]ok[/green]: {len(ws.register.works)} works, "
              f"{len(ws.register.targets)} targets, {len(ws.layers)} layers, {n_sites} sites, "
              f"{len(ws.history)} status events{note}", markup=True)
