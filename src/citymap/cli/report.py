"""``citymap report``: the annual report as one self-contained, printable HTML file."""

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
    get_store,
    load,
    plan_year,
)


@click.command(
    "report",
    epilog="Examples:\n\n  citymap report --year 2021          # the 2021 通报\n\n"
           "  citymap report -o 总评.html          # the overview of the plan's years (总评)\n\n"
           "  citymap report --as-of 2022-06-30 -o 通报.html\n\n"
           "  citymap report --month 2021-12      # the monthly 通报 of December 2021",
)
@click.option("--year", "-y", type=int, default=None, metavar="YEAR",
              help="The year reported, one of the plan's years (its targets "
              "and pilot zone; date defaults to its 31 December or today if earlier). "
              "Without it: the overview (总评) of every target of the plan's period.")
@click.option("--month", "-m", metavar="YYYY-MM", default=None,
              help="The monthly 通报 of this month: its status changes, the status at its "
              "last day and what is late, then its year's targets as of that day.")
@as_of_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The HTML file (default: reports/report[-YEAR].html in the workspace).")
@click.option("--no-maps", is_flag=True, help="Leave out the static maps of the zones.")
@common_options
@click.pass_context
def report(ctx: click.Context, year: int | None, month: str | None, as_of: dt.date | None,
           output: Path | None, no_maps: bool) -> None:
    """Write the annual report (每年通报) or, without --year, the overview (总评) of the plan.

    A summary of the verdicts, the targets, a chart per metric (target, planned and done by
    year), the pilot zones with a map of each, and the indicators. One HTML file with the
    charts and maps inlined, nothing fetched; print it to A4 portrait from the browser.
    """
    from citymap.fonts import cjk_font
    from citymap.monthly import parse_month
    from citymap.report import write_report

    with errors_to_exit():
        ym = parse_month(month) if month else None
    if ym is not None and (year is not None or as_of is not None):
        raise click.UsageError("--month sets the year and the date (its last day): leave "
                               "out --year and --as-of")
    ws = load(ctx)
    year = plan_year(ctx, ws, year)
    if ym is not None:
        plan_year(ctx, ws, ym[0], given=f"--month {ym[0]:04d}-{ym[1]:02d}")
    with errors_to_exit():
        cjk_font(lang=get_lang(ctx, ws))  # no Chinese font: one clear line, before any work
    if output is None:
        name = (f"report-{ym[0]:04d}-{ym[1]:02d}.html" if ym else
                f"report-{year}.html" if year else "report.html")
        output = default_output(ctx, ws, "reports", name)
    with errors_to_exit():
        path = write_report(ws, output, year=year, as_of=as_of, maps=not no_maps, month=ym,
                            attachments=get_store(ctx).attachments())
    click.echo(str(path))
