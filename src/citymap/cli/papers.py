"""``citymap papers``: the papers of the 调度会 (``papers dispatch``: the 调度表)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from citymap.cli._options import (
    as_of_option,
    common_options,
    default_output,
    errors_to_exit,
    get_lang,
    load,
)
from citymap.i18n import _


@click.group("papers")
def papers() -> None:
    """The meeting papers: the 调度表 (papers dispatch). The monthly 通报 is
    ``citymap report --month YYYY-MM``.
    """


@papers.command(
    "dispatch",
    epilog="Examples:\n\n  citymap papers dispatch --as-of 2021-12-31 -o 调度表.xlsx\n\n"
           "  citymap papers dispatch              # today, reports/调度表-DATE.xlsx",
)
@as_of_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The xlsx file (default: reports/调度表-DATE.xlsx in the workspace).")
@common_options
@click.pass_context
def dispatch(ctx: click.Context, as_of: dt.date | None, output: Path | None) -> None:
    """Write the 调度表: every work with its units, this year's targets, progress, status
    and late flag on the date, problem and next step (from the status log's notes, else
    empty for the meeting to fill). One xlsx, printable on A4 landscape.
    """
    from citymap.papers import write_dispatch
    from citymap.supervise import day_status

    ws = load(ctx)
    day = as_of or dt.date.today()
    if output is None:
        output = default_output(ctx, ws, "reports", f"调度表-{day.isoformat()}.xlsx")
    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter(_("{path!r}: the dispatch table is an .xlsx file; name it "
                                   "….xlsx").format(path=str(output)), param_hint="--output")
    with errors_to_exit():
        path = write_dispatch(ws, day_status(ws, day), output, lang=get_lang(ctx, ws))
    click.echo(str(path))
