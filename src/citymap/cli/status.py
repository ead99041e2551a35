"""``citymap status``: record one status (``set``) and read the status history (``log``)."""

from __future__ import annotations

import csv
import json
import sys
from typing import TYPE_CHECKING

import click
from rich.table import Table

from citymap.cli._options import (
    as_of_option,
    common_options,
    date_type,
    errors_to_exit,
    get_lang,
    get_store,
    load,
    stderr_console,
    stdout_console,
)
from citymap.i18n import _, ngettext
from citymap.io.csvsafe import escape_record
from citymap.limits import shorten
from citymap.vocab import SITE_STATUSES, label

if TYPE_CHECKING:
    from citymap.history import StatusEvent
    from citymap.workspace import Workspace


@click.group(
    "status",
    epilog="Examples:\n\n  citymap status set OC-2021-07 已完成 --date 2021-09-30 "
           "--unit 县住房城乡建设局\n\n  citymap status log OC-2021-07",
)
def status() -> None:
    """Record and read the status history (geo/status_log.csv, append-only)."""


@status.command(
    "set",
    epilog="Examples:\n\n  citymap status set OC-2021-07 进行中 --date 2021-05-01 --percent 40 "
           "--unit 县住房城乡建设局 --note 外墙保温施工\n\n"
           "  citymap status set 16 滞后 --date 2021-12-31 --unit 县住房城乡建设局 "
           "--note 资金未到位   (a work's own "
           "status)",
)
@click.argument("ident", metavar="SITE_OR_WORK")
@click.argument("new_status", metavar="STATUS", type=click.Choice(SITE_STATUSES))
@click.option("--date", "date", required=True, metavar="DATE",
              callback=lambda ctx, p, v: date_type(v),
              help="The day the status holds from: YYYY-MM-DD or 'today'.")
@click.option("--percent", type=click.FloatRange(0, 100), default=None,
              help="Percent complete, 0–100.")
@click.option("--note", default="", help="Free text, e.g. what was done or what is missing.")
@click.option("--unit", "-u", metavar="UNIT", default=None,
              help="The reporting unit; it must lead or share the work (required where the "
                   "register names the units of the work, i.e. for every work of the plan).")
@click.option("--dry-run", is_flag=True, help="Check and show the event, write nothing.")
@click.option("--person", "-p", metavar="NAME", default=None,
              help="Who submits, as named in citymap.toml [[people]] (default $CITYMAP_USER, "
                   "else the login name); used when the workspace declares a reviewer.")
@common_options
@click.pass_context
def set_(ctx: click.Context, ident: str, new_status: str, date: object, percent: float | None,
         note: str, unit: str | None, dry_run: bool, person: str | None) -> None:
    """Record that SITE_OR_WORK (a site id or a work number) has STATUS from --date on.

    The event is appended to the status log under a lock and written atomically; the
    same event twice is recorded once. Dates before the last status of the same id are
    refused: the log only grows forward.
    """
    import datetime as dt

    from citymap.progress import set_status

    assert isinstance(date, dt.date)
    ws = load(ctx)
    from citymap.cli.review import reviewing

    if reviewing(ws):  # a reviewer is declared: submit, publish on acceptance
        _submit_one(ctx, ws, ident, new_status, date, percent=percent, note=note, unit=unit,
                    dry_run=dry_run, person=person)
        return
    with errors_to_exit():
        res = set_status(ws, ident, new_status, date, store=get_store(ctx), percent=percent,
                         note=note, unit=unit, dry_run=dry_run)
    err = stderr_console()
    if res.added:
        e = res.added[0]
        if e.unit:
            who = _("reported by {unit}").format(unit=e.unit)
            if unit and unit != e.unit:
                who += f" (--unit {unit})"
        else:
            who = _("no reporting unit")
        event = f"{e.date.isoformat()} {e.id} {label(e.status, get_lang(ctx))}" + (
            f" {e.percent:g}%" if e.percent is not None else "")
        line = (_("would record: {event} — {who}") if dry_run
                else _("recorded: {event} — {who}")).format(event=event, who=who)
        err.print(line, markup=False, highlight=False)
    else:
        err.print(_("already recorded: nothing to add"))


def _submit_one(ctx: click.Context, ws: Workspace, ident: str, new_status: str, date: object, *,
                percent: float | None, note: str, unit: str | None, dry_run: bool,
                person: str | None) -> None:
    """``status set`` when a reviewer is declared: the event becomes a submission."""
    import datetime as dt

    from citymap.cli.review import submit_events
    from citymap.errors import ValidationError
    from citymap.progress import status_event

    assert isinstance(date, dt.date)
    with errors_to_exit():
        event, problems = status_event(ws, ident, new_status, date,
                                       percent=percent, note=note, unit=unit)
        if problems:
            raise ValidationError(problems)
    submit_events(ctx, ws, [event], [("status set", event.id)],
                  source="status set", person=person, resubmits=None, dry_run=dry_run)


def _rows(events: tuple[StatusEvent, ...]) -> list[dict[str, str]]:
    return [e.as_row() for e in events]


@status.command(
    "log",
    epilog="Examples:\n\n  citymap status log\n\n  citymap status log OC-2021-07\n\n"
           "  citymap status log 16 --format csv > work16.csv",
)
@click.argument("ident", metavar="[ID]", required=False)
@click.option("--unit", "-u", metavar="UNIT", default=None, help="Only events this unit "
              "reported.")
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format.")
@common_options
@click.pass_context
def log_(ctx: click.Context, ident: str | None, unit: str | None, as_of: object,
         fmt: str) -> None:
    """Show the status history, oldest first: every event, or those of one site or work.

    With --as-of, only the events on or before that date (what the map shows for it).
    """
    import datetime as dt

    ws = load(ctx)
    lang = get_lang(ctx, ws)
    events = sorted(ws.history.events, key=lambda e: (e.date, e.recorded_at))
    if ident is not None:
        known = ws.site_ids | {str(w.number) for w in ws.register.works}
        if ident not in known:
            raise click.BadParameter(_("unknown site or work {id!r}").format(id=shorten(ident)),
                                     param_hint="ID")
        events = [e for e in events if e.id == ident]
    if unit is not None:
        want = ws.register.canonical_unit(unit)
        events = [e for e in events if ws.register.canonical_unit(e.unit) == want]
    if isinstance(as_of, dt.date):
        events = [e for e in events if e.date <= as_of]
    rows = _rows(tuple(events))
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        from citymap.history import LOG_COLUMNS

        w = csv.DictWriter(sys.stdout, fieldnames=LOG_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(escape_record(r) for r in rows)
        return
    title = f"{ident} — " if ident else ""
    table = Table(title=title + ngettext("{n} status event", "{n} status events",
                                         len(rows)).format(n=len(rows)))
    heads = (_("Date"), _("ID"), _("Status"), _("Done %"), _("Note"), _("Reporting unit"),
             _("Recorded"))
    for h in heads:
        table.add_column(h, overflow="fold")
    for r in rows:
        table.add_row(r["date"], r["id"], label(r["status"], lang), r["percent"], r["note"],
                      r["unit"], r["recorded_at"])
    stdout_console().print(table)
