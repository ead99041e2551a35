"""``citymap show N``: one work with its units, summary and every target."""

from __future__ import annotations

import datetime as dt
import json

import click
from rich.markup import escape
from rich.table import Table

from citymap.cli._options import (
    as_of_option,
    common_options,
    get_lang,
    load_records,
    stdout_console,
)
from citymap.i18n import _
from citymap.vocab import METRICS, label


def _fmt(v: float) -> str:
    return f"{v:g}"


@click.command("show", epilog="Examples:\n\n  citymap show 16\n\n  citymap show 8 --lang en\n\n"
               "  citymap show 16 --as-of 2021-12-31")
@click.argument("number", type=int)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@as_of_option
@common_options
@click.pass_context
def show(ctx: click.Context, number: int, fmt: str, as_of: dt.date | None) -> None:
    """Show work NUMBER (工程) with its lead and responsible units and its targets.

    The status is the one on the --as-of date (default today), as `citymap tasks` and the
    maps show it: derived from the status log, the work's sites and its targets.
    """
    ws = load_records(ctx)
    reg = ws.register
    lang = get_lang(ctx, ws)
    try:
        w = reg.work(number)
    except KeyError:
        nums = [x.number for x in reg.works]
        raise click.BadParameter(_("there is no work {number!r}; the works are {first}–{last}")
                                 .format(number=number, first=min(nums), last=max(nums)),
                                 param_hint="NUMBER") from None
    act = reg.action(w.action)
    day = as_of or dt.date.today()
    state = ws.status_as_of(day).works[w.number]
    if fmt == "json":
        out = {
            "number": w.number, "name": w.name, "action": w.action, "action_name": act.name,
            "lead_units": list(w.lead_units), "partner_units": list(w.partner_units),
            "common_partner_units": list(reg.plan.partner_units_of_every_work),
            "summary": w.summary, "status": state.status, "status_as_of": day.isoformat(),
            "register_status": w.status, "site_bound": w.site_bound,
            "plan_only": w.plan_only,
            "targets": [{"id": t.id, "metric": t.metric, "name": t.name, "value": t.value,
                         "unit": t.unit, "comparison": t.comparison, "year": t.year,
                         "start_year": t.start_year, "layer": t.layer, "note": t.note,
                         "flag": t.flag} for t in w.targets],
        }
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    con = stdout_console()
    con.print(f"[bold]{label('工程', lang)} {w.number}  {escape(w.name)}[/bold]", markup=True)
    act_name = act.name_en if lang == "en" and act.name_en else act.name
    con.print(f"{label('行动', lang)}: {act.number} {act_name}")
    con.print(f"{label('牵头单位', lang)}: {'、'.join(w.lead_units)}")
    partners = list(w.partner_units) + list(reg.plan.partner_units_of_every_work)
    con.print(f"{label('责任单位', lang)}: {'、'.join(partners) or '—'}")
    con.print(f"{label('状态', lang)}: {label(state.status, lang)} ({day.isoformat()})"
              + ("  " + _("(plan pending: only a plan to draft)") if w.plan_only else ""))
    con.print(f"{label('内容', lang)}: {w.summary}")
    if not w.targets:
        con.print(f"{label('目标', lang)}: —")
        return
    table = Table(title=label("目标", lang))
    for col in ("年份", "指标", "目标值", "单位", "图层", "备注"):
        table.add_column(label(col, lang), overflow="fold")
    for t in w.targets:
        years = str(t.year) if t.start_year == t.year else f"{t.start_year}–{t.year}"
        metric = METRICS[t.metric].en if lang == "en" else t.name or METRICS[t.metric].zh
        note = "; ".join(x for x in (t.note, t.flag and f"⚠ {t.flag}") if x)
        table.add_row(years, metric, f"{t.comparison} {_fmt(t.value)}".replace("= ", ""),
                      t.unit, t.layer or "—", note)
    con.print(table)
