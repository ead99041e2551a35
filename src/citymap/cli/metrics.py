"""``citymap metrics``: every target with actual vs target, pilot zones and indicators."""

from __future__ import annotations

import datetime as dt
import json
import sys

import click
from rich.markup import escape
from rich.table import Table

from citymap.cli._options import (
    as_of_option,
    common_options,
    errors_to_exit,
    get_lang,
    load,
    plan_year,
    stdout_console,
)
from citymap.i18n import _, ngettext
from citymap.io.csvsafe import escape_record
from citymap.vocab import DONE, MEASURES, METRICS, label, scope_label, verdict_label

_v = verdict_label


def _n(x: float | None) -> str:
    return "—" if x is None else f"{x:.4g}" if abs(x) < 1000 else f"{x:,.0f}"


@click.command(
    "metrics",
    epilog="Examples:\n\n  citymap metrics --year 2021\n\n"
           "  citymap metrics --as-of 2021-06-30 --format json\n\n"
           "  citymap metrics --zone PZ-2021-01\n\n  citymap metrics --list",
)
@click.option("--year", "-y", type=int, default=None, metavar="YEAR",
              help="Only targets whose years include "
              "this year (one of the plan's years, plan.start … plan.end of the register), "
              "and that year's pilot zone. The date defaults to its 31 December "
              "(or today, if earlier).")
@as_of_option
@click.option("--zone", metavar="ID", default=None, help="Only this pilot zone.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("--list", "list_metrics", is_flag=True, help="List the metrics citymap knows "
              "and how each is measured, then exit.")
@common_options
@click.pass_context
def metrics(ctx: click.Context, year: int | None, as_of: dt.date | None, zone: str | None,  # noqa: C901
            fmt: str, list_metrics: bool) -> None:
    """Compute every target of the plan from the sites: actual vs target and a verdict.

    Also the pilot zones (area, share reached by the works by status and theme), park
    service-radius coverage (公园绿地服务半径覆盖率) and road network density. Verdicts:
    met, on track (at or above the pro-rata pace before the deadline), in progress (below
    it), behind (deadline passed), not measurable (shown with the recorded status).
    """
    lang = get_lang(ctx)
    if list_metrics:
        rows = [{"key": m.key, "zh": m.zh, "en": m.en, "unit": m.unit, "measure": m.measure,
                 "how": MEASURES.get(m.measure, "")} for m in METRICS.values()]
        if fmt == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            import csv

            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(escape_record(r) for r in rows)
        else:
            table = Table(title=_("Metrics"))
            for col in (_("Key"), _("Name"), _("Unit"), _("Measured as")):
                table.add_column(col)
            for r in rows:
                table.add_row(r["key"], r["zh" if lang == "zh" else "en"], r["unit"],
                              _(r["how"]) if r["how"] else r["measure"])
            stdout_console().print(table)
        return
    from citymap.metrics import compute_metrics
    from citymap.metrics.output import to_csv, to_json

    ws = load(ctx)
    year = plan_year(ctx, ws, year)
    with errors_to_exit():
        result = compute_metrics(ws, year=year, as_of=as_of, zone=zone)
    if fmt == "json":
        click.echo(to_json(result))
        return
    if fmt == "csv":
        click.echo(to_csv(result), nl=False)
        return
    con = stdout_console()
    head = _("{workspace} — as of {date}").format(workspace=result.workspace,
                                                   date=result.as_of.isoformat())
    if result.schematic:
        head += "  [" + _("schematic data, not surveyed") + "]"
    con.print(f"[bold]{escape(head)}[/bold]", markup=True)
    table = Table(title=_("Targets ({n})").format(n=len(result.targets)))
    for col in (_("ID"), _("Name"), _("Year"), _("Target"), _("Actual"), _("Unit"),
                _("Verdict"), _("Sites")):
        table.add_column(col, overflow="fold")
    for t in result.targets:
        years = str(t.year) if t.start_year == t.year else f"{t.start_year}–{t.year}"
        if t.actual is None and t.recorded_status:
            actual = f"({label(t.recorded_status, lang)}"
            actual += f" {t.recorded_percent:g}%)" if t.recorded_percent is not None else ")"
        else:
            actual = _n(t.actual)
        name = t.name if lang == "zh" else METRICS[t.metric].en
        verdict = _v(t.verdict, lang)
        if t.late:
            done_in = "、".join(sorted({d[:4] for d in t.late.values()}))
            verdict += " " + ngettext("(late: {n} done in {years})",
                                      "(late: {n} done in {years})",
                                      len(t.late)).format(n=len(t.late), years=done_in)
        table.add_row(t.id, name, years, f"{t.comparison} {_n(t.target)}", actual, t.unit,
                      verdict, str(len(t.site_ids)))
    con.print(table)
    if result.zones:
        zt = Table(title=_("Pilot zones"))
        for col in (_("ID"), _("Name"), _("Year"), _("Area km²"), _("Covered %"), _("Done %"),
                    _("Lines km"), _("Points")):
            zt.add_column(col, overflow="fold")
        for z in result.zones:
            flag = " ⚠ " + _("below the minimum") if z.below_min else ""
            year_flag = (" ⚠ " + _("also {zones} in the same year: one a year").format(
                zones="、".join(z.same_year))) if z.same_year else ""
            zt.add_row(z.id, z.name, f"{z.year}{year_flag}", f"{z.area_km2:.3f}{flag}",
                       f"{z.covered_share:.1f}", f"{z.by_status[DONE]['share']:.1f}",
                       f"{sum(v['km'] for v in z.lines.values()):.2f}",
                       str(sum(v['count'] for v in z.points.values())))
        con.print(zt)
    if result.indicators:
        it = Table(title=_("Indicators"))
        for col in (_("Indicator"), _("Scope"), _("Value"), _("Standard"), _("Verdict"),
                    _("Unit responsible")):
            it.add_column(col, overflow="fold")
        for i in result.indicators:
            it.add_row(i.name if lang == "zh" else i.name_en, scope_label(i.scope),
                       f"{_n(i.value)} {i.unit}", f"{i.comparison} {i.standard:g}",
                       _v(i.verdict, lang), i.responsible)
        con.print(it)
    if result.measurement:
        con.print(result.measurement["en" if lang == "en" else "zh"], markup=False,
                  highlight=False)
    for w in result.warnings:
        click.echo(_("warning: {message}").format(message=w), err=True)
