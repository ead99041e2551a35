"""``citymap store``: the shared PostGIS store — ``init``, ``push``, ``pull``, ``status``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from citymap.cli._options import (
    common_options,
    errors_to_exit,
    get_workspace_dir,
    stderr_console,
    stdout_console,
)
from citymap.cli._store import require_store, store_option


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
                           f"{res.features} features, {res.events} status events")


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
    from citymap.store.postgis import migrations

    st = require_store(ctx)
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
