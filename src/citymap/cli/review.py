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
from pathlib import Path
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
    get_store,
    load,
    stderr_console,
    stdout_console,
)
from citymap.i18n import N_, _

if TYPE_CHECKING:
    from citymap.history import StatusEvent
    from citymap.review_flow import ReviewStore, SubmitResult
    from citymap.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])

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
    """The run's store, from which ``ws`` was loaded."""
    del ws  # loaded from this very store
    return get_store(ctx)


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

    get_lang(ctx, ws)
    with errors_to_exit():
        res = submit(review_store(ctx, ws), ws, events, person=who(person), source=source,
                     locations=locations, resubmits=resubmits, today=today,
                     dry_run=dry_run)
    err = stderr_console()
    if not res.checked.added:
        err.print(_("nothing new: the log holds every event already; nothing submitted"))
    elif dry_run:
        units = dict.fromkeys(e.unit for e in res.checked.added)
        for u in units:
            n = sum(1 for e in res.checked.added if e.unit == u)
            err.print(_("would submit ({unit}): {n} status events for review (dry run, "
                        "nothing written)").format(unit=u, n=n))
    for s in res.submissions:
        text = (_("submitted {id} ({unit}, {person}): {n} status events wait for review and "
                  "are published when accepted; it replaces returned {old}")
                if s.resubmits else
                _("submitted {id} ({unit}, {person}): {n} status events wait for review and "
                  "are published when accepted"))
        err.print(text.format(id=s.id, unit=s.unit, person=s.person, n=len(s.events),
                              old=s.resubmits))
    return res


def _require_reviewing(ctx: click.Context, ws: Workspace) -> None:
    get_lang(ctx, ws)
    if not reviewing(ws):
        raise CitymapClickError(_(
            "this workspace declares no reviewer ([[people]] role = \"reviewer\" in "
            "citymap.toml): reports are published directly, there is nothing to review"))


def _repair(ctx: click.Context, ws: Workspace, store: ReviewStore) -> None:
    from citymap.review_flow import repair

    with errors_to_exit():
        n = repair(store, ws)
    if n:
        stderr_console().print(_("repaired: {n} events of accepted submissions were missing "
                                 "from the log and were appended").format(n=n))


_HEADS = {
    "list": (N_("ID"), N_("State"), N_("Unit"), N_("Person"), N_("Submitted"), N_("Source"),
             N_("Events"), N_("Replaces")),
    "show": (N_("Site"), N_("Name"), N_("Layer"), N_("Current"), N_("→ Proposed"), N_("Date"),
             N_("%"), N_("Note")),
    "history": (N_("When"), N_("Submission"), N_("Step"), N_("Unit"), N_("Person"),
                N_("Sites"), N_("Reason/source")),
}


def _table(title: str, kind: str, rows: Sequence[Sequence[str]]) -> None:
    table = Table(title=title)
    for h in _HEADS[kind]:
        table.add_column(_(h), overflow="fold")
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
    _table(_("{n} submissions").format(n=len(shown)), "list",
           [(s.id, verdict_word(st[s.id]), s.unit, s.person, s.submitted_at, s.source,
             str(len(s.events)), s.resubmits) for s in shown])


@review.command(
    "show",
    epilog="Examples:\n\n  citymap review show S1\n\n  citymap review show S1 --format json"
           "\n\n  citymap review show S1 --map 待审核S1",
)
@click.argument("submission", metavar="ID")
@as_of_option
@_FORMAT
@click.option("--map", "map_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, metavar="DIR",
              help="Also write a map of these changes (the layer 待审核) to DIR/index.html "
                   "(DIR is replaced whole; only a new, empty or citymap-made folder).")
@common_options
@click.pass_context
def show(ctx: click.Context, submission: str, as_of: dt.date | None, fmt: str,
         map_dir: Path | None) -> None:
    """What submission ID would change: each site, its current status → the proposed one.

    With --map DIR, also a map (opens offline) drawing the changes dashed in the proposed
    status's colour over the sites' status on --as-of.
    """
    from citymap.review import states, verdict_word
    from citymap.review_flow import find, proposals

    ws = load(ctx)
    lang = get_lang(ctx, ws)
    _require_reviewing(ctx, ws)
    with errors_to_exit():
        reviews = review_store(ctx, ws).reviews()
        sub = find(reviews, submission)
        rows = proposals(ws, reviews, only=sub.id, as_of=as_of)
        state = states([sub], reviews.decisions())[sub.id]
        if map_dir is not None:
            from citymap.render.pending_map import write_pending_map

            page = write_pending_map(ws, rows, map_dir, lang=lang, as_of=as_of,
                                     subtitle=f"{sub.id} · {sub.unit}")
            stderr_console().print(_("wrote the map of {id}: {page}").format(
                id=sub.id, page=page))
    if fmt == "json":
        click.echo(json.dumps({"id": sub.id, "state": state, "unit": sub.unit,
                               "person": sub.person, "submitted_at": sub.submitted_at,
                               "source": sub.source, "resubmits": sub.resubmits,
                               "changes": [p.as_dict() for p in rows]},
                              ensure_ascii=False, indent=2))
        return
    from citymap.vocab import label

    title = (f"{sub.id} — {sub.unit} · {sub.person} · {sub.submitted_at} · {sub.source} · "
             f"{verdict_word(state)}")
    _table(title, "show", [
        (p.id, p.name, p.layer, label(p.current, lang) if p.current else "—",
         label(p.proposed, lang), p.date.isoformat(),
         "" if p.percent is None else f"{p.percent:g}", p.note) for p in rows])


@review.command(
    "accept",
    epilog="Examples:\n\n  citymap review accept S1 --person 王专班\n\n"
           "  CITYMAP_USER=王专班 citymap review accept S1",
)
@click.argument("submission", metavar="ID")
@person_option
@common_options
@click.pass_context
def accept(ctx: click.Context, submission: str, person: str | None) -> None:
    """Accept submission ID: its statuses join the status log (published).

    Only a reviewer declared in citymap.toml may accept. If another reviewer decided it
    first, the command says who and when, and changes nothing.
    """
    from citymap.review_flow import accept as accept_

    ws = load(ctx)
    _require_reviewing(ctx, ws)
    store = review_store(ctx, ws)
    _repair(ctx, ws, store)
    with errors_to_exit():
        dec, res = accept_(store, ws, submission, person=who(person))
    stderr_console().print(_("{id} accepted ({person}): {n} status events published").format(
        id=dec.submission, person=dec.person, n=len(res.added)))


@review.command(
    "return",
    epilog="Examples:\n\n  citymap review return S2 --reason 照片与点位不符 --person 王专班",
)
@click.argument("submission", metavar="ID")
@click.option("--reason", "-r", required=True, metavar="TEXT",
              help="Why it is returned (told to the unit; required).")
@person_option
@common_options
@click.pass_context
def return_(ctx: click.Context, submission: str, reason: str, person: str | None) -> None:
    """Return submission ID to its unit with --reason; nothing is published.

    The unit corrects its sheet and imports it again: the new submission replaces the
    returned one (progress import --resubmits ID, or automatically the unit's latest).
    """
    from citymap.review_flow import return_submission

    ws = load(ctx)
    _require_reviewing(ctx, ws)
    with errors_to_exit():
        dec = return_submission(review_store(ctx, ws), ws, submission, person=who(person),
                                reason=reason)
    stderr_console().print(_("{id} returned ({person}): {reason}").format(
        id=dec.submission, person=dec.person, reason=dec.reason))


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
    get_lang(ctx, ws)
    with errors_to_exit():
        reviews = review_store(ctx, ws).reviews()
        rows = trail(reviews.submissions(), reviews.decisions(), site=site,
                     unit=ws.register.canonical_unit(unit) if unit else None,
                     start=start, end=end)
    if fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
        return
    _table(_("{n} review steps").format(n=len(rows)), "history", [
        (r.at, r.submission, step_word(r.step), r.unit, r.person, "、".join(r.ids),
         r.detail) for r in rows])
