"""``citymap overdue``: works, targets and sites behind their deadline, by lead unit."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys

import click
from rich.table import Table

from citymap.cli._options import (
    as_of_option,
    common_options,
    errors_to_exit,
    get_lang,
    load,
    stderr_console,
    stdout_console,
)
from citymap.i18n import N_, _
from citymap.io.csvsafe import escape_record
from citymap.vocab import label

#: The kinds of an overdue item (stored in Chinese), as shown.
_KINDS = {"工程": N_("work"), "目标": N_("target"), "点位": N_("site")}


@click.command(
    "overdue",
    epilog="Examples:\n\n  citymap overdue --as-of 2021-12-31\n\n"
           "  citymap overdue --unit 县住房城乡建设局\n\n"
           "  citymap overdue --as-of 2021 --format csv > 督导清单.csv",
)
@as_of_option
@click.option("--unit", "-u", metavar="UNIT", default=None,
              help="Only the works this unit leads.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format.")
@common_options
@click.pass_context
def overdue(ctx: click.Context, as_of: dt.date | None, unit: str | None, fmt: str) -> None:
    """List what is behind on a date, by lead unit — the list a 督导 meeting starts from.

    A work is behind (滞后) when set so, or when on the date (end of day) a site planned
    for a year that has ended is not done, a target's deadline (31 December of its year)
    has come with its sites not all done, or a unit reported a site 滞后. Under each
    work: its missed targets and its late sites, with days late.
    """
    from citymap.progress import overdue_items, reporting_unit, summarize

    ws = load(ctx)
    lang = get_lang(ctx, ws)
    day = as_of or dt.date.today()
    if unit is not None:
        with errors_to_exit():
            unit = reporting_unit(ws.register, unit)
    items = overdue_items(ws, day, unit=unit)
    if fmt == "json":
        click.echo(json.dumps([i.as_dict() for i in items], ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        fields = ("unit", "work", "work_name", "kind", "id", "name", "due", "status",
                  "days_late")
        w = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(escape_record(i.as_dict()) for i in items)
        return
    con = stdout_console()
    if not items:
        con.print(_("nothing behind as of {date}").format(date=day.isoformat()))
        return
    for u, counts in summarize(items).items():
        table = Table(title=_("{unit} — behind as of {date}: {works} works, {targets} targets, "
                              "{sites} sites").format(unit=u, date=day.isoformat(),
                                                      works=counts["工程"],
                                                      targets=counts["目标"],
                                                      sites=counts["点位"]))
        heads = (_("Work"), _("Kind"), _("ID"), _("Name"), _("Due"), _("Status"),
                 _("Days late"))
        for h in heads:
            table.add_column(h, overflow="fold")
        for i in items:
            if i.unit != u:
                continue
            kind = _(_KINDS[i.kind]) if i.kind in _KINDS else i.kind
            table.add_row(str(i.work), kind, i.id, i.name,
                          i.due.isoformat() if i.due else "—", label(i.status, lang),
                          str(i.days_late) if i.due else "—")
        con.print(table)
    works = len({i.work for i in items if i.kind == "工程"})
    sites = len({i.id for i in items if i.kind == "点位"})
    stderr_console().print(_("{works} works and {sites} sites behind as of {date}").format(
        works=works, sites=sites, date=day.isoformat()))
