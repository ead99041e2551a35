"""``citymap remind``: tell the units, their 分管 leaders and the county's lead what is behind."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import click

from citymap.cli._options import (
    as_of_option,
    common_options,
    errors_to_exit,
    get_lang,
    get_store,
    load,
    stderr_console,
)
from citymap.i18n import N_, _

if TYPE_CHECKING:
    from citymap.supervise import RemindItem

#: Why an item is listed (``RemindItem.reason``, stored in Chinese), as shown.
_REASONS = {"逾期": N_("late"), "序时": N_("behind schedule")}
_LEVEL_ROLE = {1: "unit", 2: "leader", 3: "county"}


@click.command(
    "remind",
    epilog="Examples:\n\n  citymap remind --dry-run --as-of 2021-12-31\n\n"
           "  citymap remind                      # send what is new today\n\n"
           "  citymap remind --dry-run --lang en",
)
@as_of_option
@click.option("--unit", "-u", metavar="UNIT", default=None,
              help="Only what this lead unit is behind on.")
@click.option("--dry-run", is_flag=True, help="Print the messages; send and log nothing.")
@common_options
@click.pass_context
def remind(ctx: click.Context, as_of: dt.date | None, unit: str | None, dry_run: bool) -> None:
    """Send each recipient one message listing what is behind (督办), escalating by days.

    Behind: past the deadline (逾期, the overdue list) or behind the schedule (序时进度:
    the share expected done by the date, linear over the item's planned year or its
    target's years). Days late or behind of [remind] level2_after_days or more also go to
    the unit's 分管 leader, of level3_after_days or more to the county's lead too.
    People and channels (DingTalk, WeCom, SMTP) come from citymap.toml; what was sent is
    logged in geo/remind_log.csv so that nobody is told the same thing twice.
    """
    from citymap.progress import reporting_unit
    from citymap.remind import deliver, load_remind_config, plan_messages, render
    from citymap.supervise import day_status, levels, reminders

    ws = load(ctx)
    folder = get_store(ctx).folder  # where the send log is kept
    if not dry_run and folder is None:
        raise click.UsageError(_("sending needs the folder workspace, where the send log "
                                 "(geo/remind_log.csv) is kept; with --store use --dry-run"))
    lang = get_lang(ctx, ws)
    day = as_of or dt.date.today()
    with errors_to_exit():
        cfg = load_remind_config(ws.root, canonical=ws.register.canonical_unit)
        if unit is not None:
            unit = reporting_unit(ws.register, unit)
    items = reminders(ws, day_status(ws, day), level2_after_days=cfg.level2_after_days,
                      level3_after_days=cfg.level3_after_days, margin=cfg.schedule_margin)
    if unit is not None:
        items = [i for i in items if i.unit == unit]
    messages = plan_messages(cfg, items)
    name = ws.config.name_en or ws.config.name if lang == "en" else ws.config.name
    with errors_to_exit():
        outcomes = deliver(folder or ws.root, cfg, messages, as_of=day, workspace=name,
                           schematic=ws.is_schematic, lang=lang, dry_run=dry_run)
    err = stderr_console()
    if dry_run:
        _print_levels(levels(items), day)
        for o in outcomes:
            title, text = render(o.message, workspace=name, as_of=day.isoformat(),
                                 schematic=ws.is_schematic, lang=lang)
            p = o.message.person
            via = o.channel or _("not configured")
            if o.message.placeholder:
                via = _("{channel} (no person configured)").format(channel=via)
            line = _("→ {person} · channel {channel}").format(person=p.name, channel=via)
            if o.skipped:
                line += " · " + _("{n} sent before").format(n=o.skipped)
            click.echo(f"\n=== {line} ===")
            click.echo(text)
        if not outcomes:
            click.echo(_("nothing new to send"))
        return
    failed = 0
    for o in outcomes:
        p = o.message.person
        n = len(o.message.items)
        if o.status == "sent":
            err.print(_("sent to {person} via {channel}: {n} items").format(
                person=p.name, channel=o.channel, n=n), markup=False)
        else:
            failed += 1
            err.print(_("not sent to {person}: {problem}").format(person=p.name,
                                                                 problem=o.detail),
                      markup=False)
    if not outcomes:
        err.print(_("nothing new to send"))
    if failed:
        raise SystemExit(1)


def _print_levels(by_level: dict[int, list[RemindItem]], day: dt.date) -> None:
    from citymap.remind.messages import KINDS, LEVELS, ROLE_NAMES

    click.echo(_("Behind as of {date} (late: past the deadline; behind schedule: behind the "
                 "expected share)").format(date=day.isoformat()))
    for level, items in by_level.items():
        works = sorted({(i.unit, i.work, i.work_name) for i in items},
                       key=lambda t: (t[0], t[1]))
        click.echo(_("{level} ({role}): {works} works, {items} items").format(
            level=_(LEVELS[level]), role=_(ROLE_NAMES[_LEVEL_ROLE[level]]), works=len(works),
            items=len(items)))
        for u, w, wn in works:
            mine = [i for i in items if i.unit == u and i.work == w]
            what = "; ".join(_("{kind} {id} {reason} {days} d").format(
                kind=_(KINDS[i.kind]) if i.kind in KINDS else i.kind, id=i.id,
                reason=_(_REASONS[i.reason]) if i.reason in _REASONS else i.reason,
                days=i.days) for i in mine)
            click.echo(f"  {u} · {w} {wn}: {what}")
