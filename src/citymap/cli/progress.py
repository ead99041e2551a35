"""``citymap progress``: spreadsheets both ways — a unit's template, and importing it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from rich.table import Table

from citymap.cli._options import (
    as_of_option,
    common_options,
    errors_to_exit,
    get_store,
    load,
    stderr_console,
    stdout_console,
)
from citymap.i18n import _, get_lang, ngettext
from citymap.vocab import label


@click.group(
    "progress",
    epilog="Examples:\n\n  citymap progress template --unit 县综合行政执法局 -o 执法局.xlsx\n\n"
           "  citymap progress import 执法局.xlsx --dry-run\n\n"
           "  citymap progress import 执法局.xlsx",
)
def progress() -> None:
    """Progress reports from the units (定期调度、督导、通报) as spreadsheets.

    A unit gets a pre-filled sheet of its works and sites, fills in the new status, date,
    percent and note, and the county imports it: every row is checked first, and any
    problem refuses the whole file with the list of problems.
    """


@progress.command(
    "template",
    epilog="Examples:\n\n  citymap progress template --unit 县综合行政执法局 -o 执法局.xlsx\n\n"
           "  citymap progress template --unit 县住房城乡建设局 --lead-only -o 住建局.csv",
)
@click.option("--unit", "-u", metavar="UNIT", required=True,
              help="The reporting unit, e.g. 县综合行政执法局 (aliases are understood).")
@click.option("--output", "-o", "output", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write: .xlsx (protected, with drop-downs) or .csv.")
@click.option("--lead-only", is_flag=True, help="Only the works the unit leads (default: "
              "also those it shares).")
@as_of_option
@common_options
@click.pass_context
def template(ctx: click.Context, unit: str, output: Path, lead_only: bool,
             as_of: dt.date | None) -> None:
    """Write UNIT's progress sheet: its works and their sites with the current status.

    Ids and names are locked; 新状态 (new status) is a drop-down; 日期 (date), 完成百分比
    (percent) and 备注 (note) are to fill in. Rows left blank are not reports.
    """
    from citymap.progress import make_template

    ws = load(ctx)
    with errors_to_exit():
        res = make_template(ws, unit, output, as_of=as_of or dt.date.today(),
                            lead_only=lead_only)
    stderr_console().print(_("wrote {path}: {works} works, {sites} sites of {unit}").format(
        path=res.path, works=res.works, sites=res.sites, unit=res.unit))


@progress.command(
    "import",
    epilog="Examples:\n\n  citymap progress import 执法局.xlsx --dry-run\n\n"
           "  citymap progress import 执法局.xlsx\n\n"
           "  citymap progress import 进度.csv --unit 县住房城乡建设局",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", "-u", metavar="UNIT", default=None,
              help="The reporting unit, when the file has no 填报单位 column.")
@click.option("--sheet", default=None, help="The sheet to read (default 进度填报, else the "
              "first).")
@click.option("--dry-run", is_flag=True, help="Check every row and show what would be "
              "added; write nothing.")
@click.option("--person", "-p", metavar="NAME", default=None,
              help="Who submits, as named in citymap.toml [[people]] (default $CITYMAP_USER, "
                   "else the login name); used when the workspace declares a reviewer.")
@click.option("--resubmits", metavar="ID", default=None,
              help="The returned submission this file replaces (default: the unit's latest "
                   "returned one); when the workspace declares a reviewer.")
@common_options
@click.pass_context
def import_(ctx: click.Context, file: Path, unit: str | None, sheet: str | None,
            dry_run: bool, person: str | None, resubmits: str | None) -> None:
    """Check FILE (.xlsx or .csv) and append its new statuses to the status log.

    All or nothing: an unknown id, a unit reporting on a work it neither leads nor shares,
    an unknown status, a date before the plan's start (plan.start of the register) or after
    today or earlier than the last status of that id, a percent outside 0–100 or a
    duplicated row refuses the whole file, with every problem listed (sheet, row, column,
    what is wrong). Rows already in the log add
    nothing, so importing the same file again is harmless. Exit code 2 when refused.

    When citymap.toml declares a reviewer, the checked file becomes a submission (who,
    unit, when, file) that is published only when a reviewer accepts it (citymap review).
    """
    from citymap.cli.review import reviewing, submit_events
    from citymap.progress import import_progress, read_checked

    ws = load(ctx)
    if reviewing(ws):  # a reviewer is declared: submit, publish on acceptance
        with errors_to_exit():
            _pf, events, locations = read_checked(ws, file, unit=unit, sheet=sheet)
        submit_events(ctx, ws, events, locations, source=file.name, person=person,
                      resubmits=resubmits, dry_run=dry_run)
        return
    with errors_to_exit():
        res = import_progress(ws, file, store=get_store(ctx), unit=unit, sheet=sheet,
                              dry_run=dry_run)
    if res.added:
        n = len(res.added)
        table = Table(title=(ngettext("would add {n} status event", "would add {n} status events",
                                      n) if dry_run else
                             ngettext("added {n} status event", "added {n} status events", n))
                      .format(n=n))
        for h in (_("Date"), _("ID"), _("Status"), _("Done %"), _("Note"), _("Reporting unit")):
            table.add_column(h, overflow="fold")
        for e in res.added:
            r = e.as_row()
            table.add_row(r["date"], r["id"], label(r["status"], get_lang()), r["percent"],
                          r["note"], r["unit"])
        stdout_console().print(table)
    summary = (_("{file}: {rows} rows reported, would add {added}, {unchanged} already in the "
                 "log, {blank} rows left blank") if dry_run else
               _("{file}: {rows} rows reported, added {added}, {unchanged} already in the log, "
                 "{blank} rows left blank"))
    stderr_console().print(summary.format(file=file.name, rows=res.rows, added=len(res.added),
                                          unchanged=len(res.unchanged), blank=res.skipped))
