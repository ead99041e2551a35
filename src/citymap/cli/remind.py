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

if TYPE_CHECKING:
    from citymap.supervise import RemindItem

_EN = {"工程": "work", "目标": "target", "点位": "site", "逾期": "late", "序时": "behind schedule"}
_LEVEL = {"zh": {1: "一级督办(责任单位)", 2: "二级督办(分管领导)", 3: "三级督办(县级牵头)"},
          "en": {1: "Level 1 (unit)", 2: "Level 2 (leader in charge)", 3: "Level 3 (county lead)"}}


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
        raise click.UsageError("sending needs the folder workspace, where the send log "
                               "(geo/remind_log.csv) is kept; with --store use --dry-run")
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
        _print_levels(levels(items), day, lang)
        for o in outcomes:
            title, text = render(o.message, workspace=name, as_of=day.isoformat(),
                                 schematic=ws.is_schematic, lang=lang)
            p = o.message.person
            via = o.channel or ("none" if lang == "en" else "未配置")
            if o.message.placeholder:
                via += " (no person configured)" if lang == "en" else "(未配置人员)"
            click.echo(f"\n=== → {p.name} · {'channel' if lang == 'en' else '渠道'} {via}"
                       + (f" · {o.skipped} sent before" if o.skipped and lang == "en" else
                          f" · 已发送过 {o.skipped} 项" if o.skipped else "") + " ===")
            click.echo(text)
        if not outcomes:
            click.echo("nothing new to send" if lang == "en" else "没有需要发送的新提醒")
        return
    failed = 0
    for o in outcomes:
        p = o.message.person
        n = len(o.message.items)
        if o.status == "sent":
            err.print(f"sent to {p.name} via {o.channel}: {n} items" if lang == "en" else
                      f"已发送 {p.name}(渠道 {o.channel}):{n} 项", markup=False)
        else:
            failed += 1
            err.print(f"not sent to {p.name}: {o.detail}" if lang == "en" else
                      f"未发送 {p.name}:{o.detail}", markup=False)
    if not outcomes:
        err.print("nothing new to send" if lang == "en" else "没有需要发送的新提醒")
    if failed:
        raise SystemExit(1)


def _print_levels(by_level: dict[int, list[RemindItem]], day: dt.date, lang: str) -> None:
    head = (f"Behind as of {day.isoformat()} (late: past the deadline; schedule: behind "
            "the expected share)" if lang == "en" else
            f"截至 {day.isoformat()} 滞后事项(逾期:超过截止日期;序时:落后序时进度)")
    click.echo(head)
    for level, items in by_level.items():
        works = sorted({(i.unit, i.work, i.work_name) for i in items},
                       key=lambda t: (t[0], t[1]))
        if lang == "en":
            click.echo(f"{_LEVEL['en'][level]}: {len(works)} works, {len(items)} items")
        else:
            click.echo(f"{_LEVEL['zh'][level]}: {len(works)} 项工程, {len(items)} 个事项")
        for u, w, wn in works:
            mine = [i for i in items if i.unit == u and i.work == w]
            if lang == "en":
                what = "; ".join(f"{_EN[i.kind]} {i.id} {_EN[i.reason]} {i.days} d"
                                 for i in mine)
            else:
                what = "; ".join(f"{i.kind} {i.id} {i.reason} {i.days} 天" for i in mine)
            click.echo(f"  {u} · {w} {wn}: {what}")
