"""``citymap review``: the 专班's side of submissions (填报 → 审核 → 发布).

``list`` the pending submissions, ``show`` what one would change, ``accept`` it (its events
join the status log) or ``return`` it with a reason; ``history`` prints every submission and
decision with person and reason. Also the helpers ``progress import`` and ``status set`` use
to submit instead of publishing when the workspace declares a reviewer.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.table import Table

from citymap.cli._options import (
    CitymapClickError,
    as_of_option,
    common_options,
    date_type,
    errors_to_exit,
    get_lang,
    load,
    stderr_console,
    stdout_console,
)

if TYPE_CHECKING:
    from citymap.history import StatusEvent
    from citymap.review_flow import ReviewStore, SubmitResult
    from citymap.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])

_M: dict[str, tuple[str, str]] = {
    "no_reviewer": ("本工作区未在 citymap.toml 中登记审核人([[people]] role = \"reviewer\"),"
                    "填报直接发布,无需审核",
                    "this workspace declares no reviewer ([[people]] role = \"reviewer\" in "
                    "citymap.toml): reports are published directly, there is nothing to review"),
    "submitted": ("已提交 {id}({unit},{person}):{n} 条状态待审核,审核通过后发布{link}",
                  "submitted {id} ({unit}, {person}): {n} status events wait for review and "
                  "are published when accepted{link}"),
    "would_submit": ("将提交({unit}):{n} 条状态待审核(试运行,未写入)",
                     "would submit ({unit}): {n} status events for review (dry run, nothing "
                     "written)"),
    "resubmits": (",替代被退回的 {old}", ", replacing returned {old}"),
    "nothing": ("没有新的状态:台账已有全部记录,未提交",
                "nothing new: the log holds every event already; nothing submitted"),
    "accepted": ("{id} 已通过({person}):{n} 条状态已发布", "{id} accepted ({person}): {n} status "
                 "events published"),
    "returned": ("{id} 已退回({person}):{reason}", "{id} returned ({person}): {reason}"),
    "repaired": ("补记了 {n} 条已通过但未入台账的状态", "repaired: {n} events of accepted "
                 "submissions were missing from the log and were appended"),
    "pending_n": ("{n} 份填报", "{n} submissions"),
    "history_n": ("审核记录 {n} 条", "{n} review steps"),
}


def _m(lang: str, key: str, **kw: Any) -> str:
    zh, en = _M[key]
    return (en if lang == "en" else zh).format(**kw)


def person_option(f: F) -> F:
    """``--person NAME``: who acts (default $CITYMAP_USER, else the login name)."""
    return click.option(
        "--person", "-p", metavar="NAME", default=None,
        help="Who acts, as named in citymap.toml [[people]] (default $CITYMAP_USER, else "
             "the login name).")(f)


def who(person: str | None) -> str:
    """``person``, else $CITYMAP_USER, else the login name."""
    from citymap.store.base import current_user

    return person.strip() if person and person.strip() else current_user()


def review_store(ctx: click.Context, ws: Workspace) -> ReviewStore:
    """The store of the loaded workspace, as the review loop uses it."""
    from citymap.store._interim import store_for

    return store_for(ws, ctx.meta.get("citymap.store_object"))


def reviewing(ws: Workspace) -> bool:
    """True when the workspace declares a reviewer (imports become submissions)."""
    from citymap.review_flow import roles_of

    with errors_to_exit():
        return roles_of(ws).active


def submit_events(ctx: click.Context, ws: Workspace, events: Sequence[StatusEvent],
                  locations: Sequence[tuple[str, str]], *, source: str, person: str | None,
                  resubmits: str | None, dry_run: bool,
                  today: dt.date | None = None) -> SubmitResult:
    """Submit ``events`` for review (``progress import``/``status set``) and say so."""
    from citymap.review_flow import submit

    lang = get_lang(ctx, ws)
    with errors_to_exit():
        res = submit(review_store(ctx, ws), ws, events, person=who(person), source=source,
                     locations=locations, resubmits=resubmits, today=today,
                     dry_run=dry_run, lang=lang)
    err = stderr_console()
    if not res.checked.added:
        err.print(_m(lang, "nothing"))
    elif dry_run:
        units = dict.fromkeys(e.unit for e in res.checked.added)
        for u in units:
            n = sum(1 for e in res.checked.added if e.unit == u)
            err.print(_m(lang, "would_submit", unit=u, n=n))
    for s in res.submissions:
        link = _m(lang, "resubmits", old=s.resubmits) if s.resubmits else ""
        err.print(_m(lang, "submitted", id=s.id, unit=s.unit, person=s.person,
                     n=len(s.events), link=link))
    return res


def _require_reviewing(ctx: click.Context, ws: Workspace) -> None:
    if not reviewing(ws):
        raise CitymapClickError(_m(get_lang(ctx, ws), "no_reviewer"))


def _repair(ctx: click.Context, ws: Workspace, store: ReviewStore) -> None:
    from citymap.review_flow import repair

    with errors_to_exit():
        n = repair(store, ws)
    if n:
        stderr_console().print(_m(get_lang(ctx, ws), "repaired", n=n))


_HEADS = {
    "list": (("编号", "状态", "单位", "填报人", "提交时间", "来源", "条数", "替代"),
             ("ID", "State", "Unit", "Person", "Submitted", "Source", "Events", "Replaces")),
    "show": (("编号", "名称", "图层", "当前状态", "→ 拟改为", "日期", "完成%", "备注"),
             ("Site", "Name", "Layer", "Current", "→ Proposed", "Date", "%", "Note")),
    "history": (("时间", "填报", "环节", "单位", "人员", "点位", "原因/来源"),
                ("When", "Submission", "Step", "Unit", "Person", "Sites", "Reason/source")),
}


def _table(title: str, kind: str, lang: str, rows: Sequence[Sequence[str]]) -> None:
    table = Table(title=title)
    for h in _HEADS[kind][1 if lang == "en" else 0]:
        table.add_column(h, overflow="fold")
    for r in rows:
        table.add_row(*r)
    stdout_console().print(table)


_FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]),
                       default="table", show_default=True, help="Output format.")


@click.group(
    "review",
    epilog="Examples:\n\n  citymap review list\n\n  citymap review show S1\n\n"
           "  citymap review accept S1 --person 王专班\n\n"
           "  citymap review return S2 --reason 照片与点位不符 --person 王专班\n\n"
           "  citymap review history --unit 县住房城乡建设局",
)
def review() -> None:
    """Review the units' submissions (填报 → 审核 → 发布).

    When citymap.toml declares a reviewer ([[people]] with role = "reviewer" / 审核),
    `progress import` and `status set` submit instead of publishing; a reviewer accepts a
    submission (its statuses join the log and reach metrics, maps, report and exports) or
    returns it with a reason, and the unit imports again to resubmit.
    """


@review.command(
    "list",
    epilog="Examples:\n\n  citymap review list\n\n  citymap review list --all "
           "--unit 县住房城乡建设局\n\n  citymap review list --format json",
)
@click.option("--all", "all_", is_flag=True, help="Every submission (default: pending only).")
@click.option("--unit", "-u", metavar="UNIT", default=None, help="Only this unit's.")
@_FORMAT
@common_options
@click.pass_context
def list_(ctx: click.Context, all_: bool, unit: str | None, fmt: str) -> None:
    """List the submissions waiting for review (all of them with --all)."""
    from citymap.review import PENDING, states, verdict_word

    ws = load(ctx)
    lang = get_lang(ctx, ws)
    _require_reviewing(ctx, ws)
    store = review_store(ctx, ws)
    _repair(ctx, ws, store)
    with errors_to_exit():
        reviews = store.reviews()
        subs = reviews.submissions()
        st = states(subs, reviews.decisions())
    want = ws.register.canonical_unit(unit) if unit else None
    shown = [s for s in subs if (all_ or st[s.id] == PENDING)
             and (want is None or s.unit == want)]
    if fmt == "json":
        click.echo(json.dumps([{"id": s.id, "state": st[s.id], "unit": s.unit,
                                "person": s.person, "submitted_at": s.submitted_at,
                                "source": s.source, "events": len(s.events),
                                "resubmits": s.resubmits} for s in shown],
                              ensure_ascii=False, indent=2))
        return
    _table(_m(lang, "pending_n", n=len(shown)), "list", lang,
           [(s.id, verdict_word(st[s.id], lang), s.unit, s.person, s.submitted_at, s.source,
             str(len(s.events)), s.resubmits) for s in shown])


@review.command(
    "show",
    epilog="Examples:\n\n  citymap review show S1\n\n  citymap review show S1 --format json",
)
@click.argument("ident", metavar="ID")
@as_of_option
@_FORMAT
@common_options
@click.pass_context
def show(ctx: click.Context, ident: str, as_of: dt.date | None, fmt: str) -> None:
    """What submission ID would change: each site, its current status → the proposed one."""
    from citymap.review import states, verdict_word
    from citymap.review_flow import find, proposals

    ws = load(ctx)
    lang = get_lang(ctx, ws)
    _require_reviewing(ctx, ws)
    with errors_to_exit():
        reviews = review_store(ctx, ws).reviews()
        sub = find(reviews, ident, lang)
        rows = proposals(ws, reviews, only=sub.id, as_of=as_of)
        state = states([sub], reviews.decisions())[sub.id]
    if fmt == "json":
        click.echo(json.dumps({"id": sub.id, "state": state, "unit": sub.unit,
                               "person": sub.person, "submitted_at": sub.submitted_at,
                               "source": sub.source, "resubmits": sub.resubmits,
                               "changes": [p.as_dict() for p in rows]},
                              ensure_ascii=False, indent=2))
        return
    from citymap.vocab import label

    title = (f"{sub.id} — {sub.unit} · {sub.person} · {sub.submitted_at} · {sub.source} · "
             f"{verdict_word(state, lang)}")
    _table(title, "show", lang, [
        (p.id, p.name, p.layer, label(p.current, lang) if p.current else "—",
         label(p.proposed, lang), p.date.isoformat(),
         "" if p.percent is None else f"{p.percent:g}", p.note) for p in rows])


@review.command(
    "accept",
    epilog="Examples:\n\n  citymap review accept S1 --person 王专班\n\n"
           "  CITYMAP_USER=王专班 citymap review accept S1",
)
@click.argument("ident", metavar="ID")
@person_option
@common_options
@click.pass_context
def accept(ctx: click.Context, ident: str, person: str | None) -> None:
    """Accept submission ID: its statuses join the status log (published).

    Only a reviewer declared in citymap.toml may accept. If another reviewer decided it
    first, the command says who and when, and changes nothing.
    """
    from citymap.review_flow import accept as accept_

    ws = load(ctx)
    lang = get_lang(ctx, ws)
    _require_reviewing(ctx, ws)
    store = review_store(ctx, ws)
    _repair(ctx, ws, store)
    with errors_to_exit():
        dec, res = accept_(store, ws, ident, person=who(person), lang=lang)
    stderr_console().print(_m(lang, "accepted", id=dec.submission, person=dec.person,
                              n=len(res.added)))


@review.command(
    "return",
    epilog="Examples:\n\n  citymap review return S2 --reason 照片与点位不符 --person 王专班",
)
@click.argument("ident", metavar="ID")
@click.option("--reason", "-r", required=True, metavar="TEXT",
              help="Why it is returned (told to the unit; required).")
@person_option
@common_options
@click.pass_context
def return_(ctx: click.Context, ident: str, reason: str, person: str | None) -> None:
    """Return submission ID to its unit with --reason; nothing is published.

    The unit corrects its sheet and imports it again: the new submission replaces the
    returned one (progress import --resubmits ID, or automatically the unit's latest).
    """
    from citymap.review_flow import return_submission

    ws = load(ctx)
    lang = get_lang(ctx, ws)
    _require_reviewing(ctx, ws)
    with errors_to_exit():
        dec = return_submission(review_store(ctx, ws), ws, ident, person=who(person),
                                reason=reason, lang=lang)
    stderr_console().print(_m(lang, "returned", id=dec.submission, person=dec.person,
                              reason=dec.reason), markup=False)


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    return date_type(value)


@review.command(
    "history",
    epilog="Examples:\n\n  citymap review history\n\n"
           "  citymap review history --site OC-2021-07\n\n"
           "  citymap review history --unit 县住房城乡建设局 --from 2021-01-01 --to 2021-12-31",
)
@click.option("--site", metavar="ID", default=None, help="Only the steps naming this site "
              "or work.")
@click.option("--unit", "-u", metavar="UNIT", default=None, help="Only this unit's.")
@click.option("--from", "start", metavar="DATE", default=None, callback=_date,
              help="From this day (submission or decision time).")
@click.option("--to", "end", metavar="DATE", default=None, callback=_date,
              help="To this day, inclusive.")
@_FORMAT
@common_options
@click.pass_context
def history(ctx: click.Context, site: str | None, unit: str | None, start: dt.date | None,
            end: dt.date | None, fmt: str) -> None:
    """The whole trail: every submission and decision, with person and reason, oldest first."""
    from citymap.review_flow import step_word, trail

    ws = load(ctx)
    lang = get_lang(ctx, ws)
    with errors_to_exit():
        reviews = review_store(ctx, ws).reviews()
        rows = trail(reviews.submissions(), reviews.decisions(), site=site,
                     unit=ws.register.canonical_unit(unit) if unit else None,
                     start=start, end=end)
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    _table(_m(lang, "history_n", n=len(rows)), "history", lang, [
        (r.at, r.submission, step_word(r.step, lang), r.unit, r.person, "、".join(r.ids),
         r.detail) for r in rows])
