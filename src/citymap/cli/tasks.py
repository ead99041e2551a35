"""``citymap tasks``: list the works of the plan, filtered by action, unit or status."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from citymap.cli._options import (
    as_of_option,
    common_options,
    get_lang,
    load_records,
    stdout_console,
)
from citymap.i18n import _
from citymap.io.csvsafe import escape_row
from citymap.vocab import WORK_STATUSES, label

if TYPE_CHECKING:
    from citymap.register import Register, Work


def filter_works(register: Register, *, action: str | None = None, unit: str | None = None,
                 status: str | None = None, lead_only: bool = False,
                 statuses: dict[int, str] | None = None) -> list[Work]:
    """The works matching every filter given.

    Parameters
    ----------
    register
        The plan.
    action
        An action number, or part of its name.
    unit
        A unit name (or alias): works it leads or shares.
    status
        A work status.
    lead_only
        With ``unit``: only the works it leads.
    statuses
        Work number → status on the date asked (default: the register's status).
    """
    works = list(register.works)
    if action is not None:
        if action.isdigit():
            works = [w for w in works if w.action == int(action)]
        else:
            nums = {a.number for a in register.actions if action in a.name
                    or action.lower() in a.name_en.lower()}
            works = [w for w in works if w.action in nums]
    if unit is not None:
        keep = {w.number for w in register.works_of_unit(unit, lead_only=lead_only)}
        works = [w for w in works if w.number in keep]
    if status is not None:
        works = [w for w in works if (statuses or {}).get(w.number, w.status) == status]
    return works


@click.command(
    "tasks",
    epilog="Examples:\n\n  citymap tasks --unit 县住房城乡建设局\n\n"
           "  citymap tasks --action 2 --status 进行中\n\n  citymap tasks --lang en --format json",
)
@click.option("--action", "-a", metavar="N|NAME", help="Only works of this action (number or "
              "part of its name, e.g. 2 or 蓝绿).")
@click.option("--unit", "-u", metavar="UNIT", help="Only works this unit leads or shares, "
              "e.g. 县住房城乡建设局 (aliases such as 县卫生健康委 are understood).")
@click.option("--lead-only", is_flag=True, help="With --unit: only the works it leads.")
@click.option("--status", "-s", type=click.Choice(WORK_STATUSES), help="Only works with this "
              "status on the --as-of date.")
@as_of_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format.")
@common_options
@click.pass_context
def tasks(ctx: click.Context, action: str | None, unit: str | None, lead_only: bool,
          status: str | None, as_of: dt.date | None, fmt: str) -> None:
    """List the works (工程) of the plan with their lead units and status.

    Filters combine: --unit finds every work a unit leads or shares (the townships, which
    share every work, are listed by the plan once for all works). The status is the one on
    the --as-of date (default today), derived from the status log, its sites and targets.
    """
    ws = load_records(ctx)
    reg = ws.register
    lang = get_lang(ctx, ws)
    if unit is not None and unit not in reg.all_units and reg.canonical_unit(unit) \
            not in reg.all_units:
        raise click.BadParameter(_("{unit!r} is not a unit of the plan; run `citymap tasks "
                                   "--format json` to see them").format(unit=unit),
                                 param_hint="--unit")
    day = as_of or dt.date.today()
    statuses = {n: st.status for n, st in ws.status_as_of(day).works.items()}
    works = filter_works(reg, action=action, unit=unit, status=status, lead_only=lead_only,
                         statuses=statuses)
    role = {}
    if unit is not None:
        lead = {w.number for w in reg.works_of_unit(unit, lead_only=True)}
        role = {w.number: ("牵头" if w.number in lead else "责任") for w in works}
    rows: list[dict[str, Any]] = [{
        "number": w.number,
        "action": w.action,
        "action_name": reg.action(w.action).name_en if lang == "en" else reg.action(
            w.action).name,
        "name": w.name,
        "lead_units": list(w.lead_units),
        "partner_units": list(w.partner_units),
        "status": label(statuses.get(w.number, w.status), lang),
        "role": role.get(w.number, ""),
        "targets": len(w.targets),
        "site_bound": w.site_bound,
    } for w in works]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        import csv
        import sys

        writer = csv.writer(sys.stdout)
        writer.writerow(["number", "action", "name", "lead_units", "partner_units", "status",
                         "targets"])
        for r in rows:
            writer.writerow(escape_row([r["number"], r["action"], r["name"],
                                        "、".join(r["lead_units"]),
                                        "、".join(r["partner_units"]), r["status"],
                                        r["targets"]]))
        return
    table = Table(title=f"{reg.plan.title} — {len(rows)} / {len(reg.works)} "
                  f"{label('工程列表', lang)} ({day.isoformat()})")
    cols = ["工程", "行动", "名称", "牵头单位", "状态", "目标"]
    if unit is not None:
        cols.insert(4, "角色")
    for col in cols:
        table.add_column(label(col, lang), overflow="fold")
    for r in rows:
        cells = [str(r["number"]), f"{r['action']} {r['action_name']}", str(r["name"]),
                 "、".join(r["lead_units"]), str(r["status"]), str(r["targets"])]
        if unit is not None:
            cells.insert(4, label(str(r["role"]), lang))
        table.add_row(*cells)
    stdout_console().print(table)
