"""``citymap store``: the shared PostGIS store — ``init``, ``push``, ``pull``, ``status``,
``metrics`` (every county, in SQL) and ``build`` (maps of every county).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.table import Table

from citymap.cli._env import get_env, store_option
from citymap.cli._options import (
    common_options,
    date_type,
    errors_to_exit,
    get_workspace_dir,
    stderr_console,
    stdout_console,
)
from citymap.store.base import Store

if TYPE_CHECKING:
    from citymap.store.postgis import PostgisStore


@click.group(
    "store",
    epilog="Examples:\n\n  export CITYMAP_STORE=postgresql://gis@db.example/citymap\n\n"
           "  citymap store init\n\n  citymap store push --workspace yangxin\n\n"
           "  citymap store pull ./yangxin-copy --store-workspace 阳信县\n\n"
           "  citymap store status",
)
def store() -> None:
    """The shared PostGIS store beside the file workspace (see docs/store.md).

    The workspace folder stays the default. A store holds many workspaces (counties),
    each keyed by its county; `push` and `pull` move a folder in and out losslessly.
    """


def require_store(ctx: click.Context) -> PostgisStore:
    """The PostGIS store of ``--store``/$CITYMAP_STORE, or a usage error naming them.

    The ``store`` commands move workspaces in and out of a database: the only commands that
    need that store by kind.
    """
    env = get_env(ctx)
    if not env.store_url:
        raise click.UsageError("no store given: pass --store postgresql://user@host/db or set "
                               "CITYMAP_STORE")
    st: Store = env.store  # first: it says so when psycopg is missing
    from citymap.store.postgis import PostgisStore

    assert isinstance(st, PostgisStore)  # a URL opens a database
    return st


@store.command("init", epilog="Example:\n\n  citymap store init --store postgresql://gis@db.example/citymap")
@store_option
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create or upgrade the store's schema (versioned migrations, one transaction)."""
    st = require_store(ctx)
    with errors_to_exit():
        done = st.init()
    err = stderr_console()
    if done:
        err.print(f"{st.url}: applied {', '.join(done)}")
    else:
        err.print(f"{st.url}: schema up to date")


@store.command("push", epilog="Example:\n\n  citymap store push --store "
               "postgresql://gis@db.example/citymap --workspace .")
@click.option("--replace", is_flag=True, help="Overwrite status events in the store that the "
              "folder lacks (by default such a push is refused: pull first).")
@common_options
@click.pass_context
def push(ctx: click.Context, replace: bool) -> None:
    """Validate the workspace folder and copy it into the store, in one transaction.

    The key is --store-workspace (or URL#KEY), else the county of citymap.toml. A folder
    that does not validate is refused with every problem, and nothing is stored.
    """
    st = require_store(ctx)
    with errors_to_exit():
        res = st.push(get_workspace_dir(ctx), replace=replace)
    stderr_console().print(f"pushed {res.workspace!r} to {st.url}: {res.layers} layers, "
                           f"{res.features} features, {res.events} status events, "
                           f"{res.photos} new photos")


@store.command("pull", epilog="Example:\n\n  CITYMAP_STORE=postgresql://gis@db.example/citymap "
               "citymap store pull ../yangxin-copy")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace the workspace files of an existing "
              "folder (each atomically; outputs such as maps/ stay).")
@store_option
@click.pass_context
def pull(ctx: click.Context, dest: Path, overwrite: bool) -> None:
    """Write a workspace of the store into the folder DEST (a new folder appears whole)."""
    st = require_store(ctx)
    with errors_to_exit():
        out = st.pull(dest, overwrite=overwrite)
        key = st.resolve_key()
    stderr_console().print(f"pulled {key!r} from {st.url} into {str(out)!r}")


@store.command("status", epilog="Example:\n\n  citymap store status --store postgresql://gis@db.example/citymap")
@store_option
@click.pass_context
def status(ctx: click.Context) -> None:
    """Show the schema version and the workspaces in the store."""
    st = require_store(ctx)  # first: it says so when psycopg is missing
    from citymap.store.postgis import migrations

    with errors_to_exit():
        applied = st.applied()
        known = migrations()
        pending = [m for m in known if m.version not in applied]
        infos = st.workspaces() if not pending else []
    con = stdout_console()
    con.print(f"store {st.url}")
    con.print(f"schema: {len(applied)} of {len(known)} migrations applied"
              + (f"; pending: {', '.join(f'{m.version:04d}_{m.name}' for m in pending)} "
                 "(run `citymap store init`)" if pending else ""))
    if pending:
        return
    table = Table(title=f"{len(infos)} workspaces")
    for col in ("workspace", "name", "sites", "status events", "pushed", "by"):
        table.add_column(col)
    for w in infos:
        table.add_row(w.workspace, w.name, str(w.sites), str(w.events),
                      w.pushed_at.isoformat(timespec="seconds"), w.pushed_by)
    con.print(table)


@store.command("metrics", epilog="Examples:\n\n  citymap store metrics --store "
               "postgresql://gis@db.example/citymap\n\n"
               "  citymap store metrics --store-workspace 阳信县 --as-of 2021-12-31 --format json")
@store_option
@click.option("--as-of", "as_of", default=None, metavar="DATE",
              callback=lambda ctx, p, v: date_type(v),
              help="The date (YYYY-MM-DD, a year, or 'today'; default today).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@click.pass_context
def metrics_(ctx: click.Context, as_of: dt.date | None, fmt: str) -> None:
    """Park service-radius and pilot-zone coverage of every county in the store, in SQL.

    One row per workspace (county), or only the one named with --store-workspace. The
    numbers equal those of `citymap metrics` on each county (tested to 1e-9).
    """
    st = require_store(ctx)  # first: it says so when psycopg is missing
    from citymap.store.sql_metrics import ZoneRow, service_coverage, zone_coverage

    day = as_of or dt.date.today()
    key = get_env(ctx).store_key
    with errors_to_exit():
        service = service_coverage(st, workspace=key, as_of=day)
        zones = zone_coverage(st, workspace=key)
    by_key: dict[str, list[ZoneRow]] = {}
    for z in zones:
        by_key.setdefault(z.workspace, []).append(z)
    if fmt == "json":
        rows = [{
            "workspace": s.workspace, "as_of": day.isoformat(),
            "park_service_coverage_pct": s.value, "residential_m2": s.residential_m2,
            "covered_m2": s.covered_m2, "parcels": s.parcels,
            "zones": [{"zone": z.zone, "area_km2": z.zone_m2 / 1e6, "covered_pct": z.share,
                       "sites": z.sites} for z in by_key.get(s.workspace, [])],
        } for s in service]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(service)} workspaces — as of {day.isoformat()}")
    for col in ("workspace", "公园绿地服务半径覆盖率 %", "residential km²", "pilot zones"):
        table.add_column(col)
    for s in service:
        zs = "; ".join(f"{z.zone} {z.zone_m2 / 1e6:.2f} km² {z.share:.1f} %"
                       for z in by_key.get(s.workspace, [])) or "—"
        table.add_row(s.workspace, "—" if s.value is None else f"{s.value:.2f}",
                      f"{s.residential_m2 / 1e6:.3f}", zs)
    stdout_console().print(table)


@store.command("build", epilog="Example:\n\n  citymap store build -o maps/all --offline --store "
               "postgresql://gis@db.example/citymap")
@store_option
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path),
              default=Path("maps/all"), show_default=True,
              help="Folder: one sub-folder of maps per county and an index.html.")
@click.option("--offline", is_flag=True, help="Maps that work with no network (as in build).")
@click.option("--lang", "lang", type=click.Choice(["zh", "en"]), default="zh",
              show_default=True, help="Language of the maps.")
@click.pass_context
def build_all(ctx: click.Context, out: Path, offline: bool, lang: str) -> None:
    """Build the maps of every county in the store (or the one of --store-workspace).

    Each county is pulled, validated and built as `citymap build` would; the folder gets an
    index.html linking every county's overview. Written atomically as a whole.
    """
    import html

    from citymap.io.atomic import atomic_dir
    from citymap.render.build import build_maps
    from citymap.store.postgis_attachments import PostgisAttachments

    st = require_store(ctx)
    err = stderr_console()
    with errors_to_exit():
        key = get_env(ctx).store_key
        keys = [key] if key else [w.workspace for w in st.workspaces()]
        if not keys:
            raise click.ClickException("the store holds no workspace: push one first")
        with atomic_dir(out) as tmp:
            links = []
            for k, name in enumerate(keys, start=1):
                ws = st.load(key=name)
                sub = f"county-{k:03d}"
                photos = PostgisAttachments(st, name)
                try:
                    build_maps(ws, tmp / sub, offline=offline, lang=lang, attachments=photos)
                finally:
                    photos.close()
                links.append((sub, name))
                err.print(f"[{k}/{len(keys)}] {name}: maps in {sub}/")
            items = "\n".join(f'<li><a href="{html.escape(sub)}/index.html">'
                              f"{html.escape(name)}</a></li>" for sub, name in links)
            (tmp / "index.html").write_text(
                '<!doctype html><html lang="zh"><meta charset="utf-8">'
                "<title>citymap — 各县地图</title><h1>各县地图 Maps by county</h1>"
                f"<ul>{items}</ul></html>\n", encoding="utf-8")
    err.print(f"wrote maps of {len(keys)} workspace(s) to {str(out)!r}")
