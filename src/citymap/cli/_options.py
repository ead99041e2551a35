"""Options and helpers shared by every subcommand (one place, like fio's ``options``)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console

from citymap.cli._env import get_env, remember, store_option
from citymap.cli._errors import EXIT_INVALID, CitymapClickError, catch_errors, errors_to_exit

if TYPE_CHECKING:
    from citymap.store.base import Store
    from citymap.workspace import Workspace, WorkspaceRecords

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("citymap")

__all__ = ["EXIT_INVALID", "CitymapClickError", "as_of_option", "catch_errors",
           "common_options", "date_type", "default_output", "errors_to_exit", "get_lang",
           "get_store", "get_workspace_dir", "lang_option", "load", "plan_year",
           "setup_logging", "stderr_console", "stdout_console", "workspace_option"]


def workspace_option(f: F) -> F:
    """``--workspace DIR`` (also on the group)."""
    return click.option(
        "--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=None,
        expose_value=False, is_eager=True, callback=remember("workspace"),
        help="Workspace folder (default: $CITYMAP_WORKSPACE, else the current folder or a "
             "parent holding citymap.toml — the repository itself is the shipped Yangxin "
             "workspace).",
    )(f)


def _set_lang(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Remember ``--lang`` and speak it from now on (click's own words too)."""
    if value is not None:
        from citymap.i18n import install_for_click

        get_env(ctx).lang = str(value)
        install_for_click(value)
    return value


def lang_option(f: F) -> F:
    """``--lang zh|en`` (also on the group)."""
    return click.option(
        "--lang", type=click.Choice(["zh", "en"]), default=None, expose_value=False,
        is_eager=True, callback=_set_lang,
        help="Language of labels: zh (default, 简体中文) or en.",
    )(f)


def common_options(f: F) -> F:
    """The options every subcommand takes: --workspace, --lang, --store/--store-workspace."""
    return workspace_option(lang_option(store_option(f)))


def get_lang(ctx: click.Context, ws: WorkspaceRecords | None = None) -> str:
    """The language: --lang on the command or the group, else the workspace's ``[map] lang``
    of citymap.toml when ``ws`` is given, else zh.
    """
    from citymap.i18n import get_lang as current
    from citymap.i18n import set_lang

    chosen = get_env(ctx).lang
    if chosen:
        return chosen
    configured = ws.config.lang if ws is not None else None
    if configured:
        set_lang(configured)
        return configured
    return current()


def get_workspace_dir(ctx: click.Context) -> Path | None:
    """The ``--workspace`` given, if any."""
    return get_env(ctx).workspace


def get_store(ctx: click.Context) -> Store:
    """The run's store (the workspace folder, or ``--store``), opened once."""
    return get_env(ctx).store


def load(ctx: click.Context, *, repair: bool = False, today: dt.date | None = None) -> Workspace:
    """Load and validate the workspace from the run's store, turning problems into a clean
    CLI error.
    """
    store = get_store(ctx)
    with errors_to_exit():
        ws = store.load(repair=repair, today=today)
    get_lang(ctx, ws)  # the workspace's [map] lang speaks unless --lang was given
    return ws


def load_records(ctx: click.Context) -> WorkspaceRecords:
    """What the status on a date needs (``tasks``, ``show``), from the run's store
    (:meth:`~citymap.store.base.Store.load_records`: the records without geometry when the
    folder's files are exactly those a validated load accepted, else the validated load),
    turning problems into a clean CLI error.
    """
    store = get_store(ctx)
    with errors_to_exit():
        return store.load_records()


def default_output(ctx: click.Context, ws: Workspace, *parts: str) -> Path:
    """Where an output goes when no -o is given: under the store's
    :attr:`~citymap.store.base.Store.output_base` (the workspace folder; the current folder
    for a database, whose loaded workspace is a temporary copy).
    """
    del ws  # the store says where
    return get_store(ctx).output_base.joinpath(*parts)


def plan_year(ctx: click.Context, ws: Workspace, year: int | None, *,
              given: str | None = None) -> int | None:
    """``--year`` checked against the loaded plan's period (``ws.plan_years``).

    A year outside it is one line naming the period, exit code 2. ``given`` is how the
    option was written, for the message (default ``--year YEAR``; ``--month 2021-12``).
    """
    if year is None:
        return None
    lo, hi = ws.plan_years
    if lo <= year <= hi:
        return year
    from citymap.i18n import _

    given = given or f"--year {year}"
    if given.startswith("--month"):
        raise CitymapClickError(_("{given} is outside the plan's period {first}–{last}: give "
                                  "a month from {first} to {last}").format(
                                      given=given, first=lo, last=hi))
    raise CitymapClickError(_("{given} is outside the plan's period {first}–{last}: give a "
                              "year from {first} to {last}").format(given=given, first=lo,
                                                                     last=hi))


def date_type(value: str | dt.date | None) -> dt.date | None:
    """Parse a ``--date``/``--as-of`` value: a date as :func:`citymap.history.parse_date`
    reads it (2021-11-30, 2021/11/30, 2021.05.01, 2021年11月30日), a year (its 31
    December) or today.
    """
    from citymap.history import parse_date

    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    if text in ("today", "今天"):
        return dt.date.today()
    if text.isdigit() and len(text) == 4:
        return dt.date(int(text), 12, 31)
    try:
        return parse_date(text)
    except ValueError as exc:
        from citymap.i18n import _

        raise click.BadParameter(_("{problem}; or give a year like 2021 (its 31 December) "
                                   "or 'today'").format(problem=exc)) from None


def as_of_option(f: F) -> F:
    """``--as-of DATE``."""
    return click.option(
        "--as-of", "as_of", default=None, metavar="DATE",
        callback=lambda ctx, p, v: date_type(v),
        help="Show the plan as of this date: YYYY-MM-DD (or 2021/11/30, 2021年11月30日), a "
             "year (its 31 December) or 'today' (default: today).",
    )(f)


def stdout_console() -> Console:
    """A console for data on stdout (plain when not a terminal).

    Console markup is off: names and notes from the data (``[/]``, ``[bold]``) print as
    they are. Code that styles a line passes ``markup=True`` and escapes the data in it
    (:func:`rich.markup.escape`).
    """
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 200,
                   markup=False, emoji=False)


def stderr_console() -> Console:
    """A console for logs and summaries on stderr."""
    return Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def setup_logging(verbosity: int) -> None:
    """Log to stderr; -v for info, -vv for debug."""
    level = logging.WARNING - 10 * verbosity
    logging.basicConfig(level=max(level, logging.DEBUG), stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("PYOGRIO_USE_ARROW", "0")
