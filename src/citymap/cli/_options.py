"""Options and helpers shared by every subcommand (one place, like fio's ``options``)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from citymap.cli._errors import EXIT_INVALID, CitymapClickError, catch_errors, errors_to_exit

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["EXIT_INVALID", "CitymapClickError", "catch_errors", "errors_to_exit"]
log = logging.getLogger("citymap")

def _store(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            ctx.meta[f"citymap.{key}"] = value
        return value

    return callback


def workspace_option(f: F) -> F:
    """``--workspace DIR`` (also on the group)."""
    return click.option(
        "--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), default=None,
        expose_value=False, is_eager=True, callback=_store("workspace"),
        help="Workspace folder (default: $CITYMAP_WORKSPACE, else the current folder or a "
             "parent holding citymap.toml — the repository itself is the shipped Yangxin "
             "workspace).",
    )(f)


def _set_lang(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Remember ``--lang`` and speak it from now on (click's own words too)."""
    if value is not None:
        from citymap.i18n import install_for_click

        ctx.meta["citymap.lang"] = value
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
    from citymap.cli._store import store_option

    return workspace_option(lang_option(store_option(f)))


def get_lang(ctx: click.Context, ws: Any = None) -> str:
    """The language: --lang on the command or the group, else the workspace's ``[map] lang``
    of citymap.toml when ``ws`` is given, else zh.
    """
    from citymap.i18n import get_lang as current
    from citymap.i18n import set_lang

    chosen = ctx.meta.get("citymap.lang")
    if chosen:
        return str(chosen)
    configured = getattr(getattr(ws, "config", None), "lang", None)
    if configured:
        set_lang(str(configured))
        return str(configured)
    return current()


def get_workspace_dir(ctx: click.Context) -> Path | None:
    """The ``--workspace`` given, if any."""
    value = ctx.meta.get("citymap.workspace")
    return Path(value) if value is not None else None


def load(ctx: click.Context, **kwargs: Any) -> Any:
    """Load and validate the workspace (from --store when given), turning problems into a
    clean CLI error.
    """
    from citymap.cli._store import load_from_store
    from citymap.workspace import load_workspace

    ws = load_from_store(ctx, **kwargs)
    if ws is not None:
        return ws
    with errors_to_exit():
        return load_workspace(get_workspace_dir(ctx), **kwargs)


def default_output(ctx: click.Context, ws: Any, *parts: str) -> Path:
    """Where an output goes when no -o is given: under the workspace folder, or — with
    --store, whose workspace is a temporary pulled copy — under the current folder.
    """
    base = Path.cwd() if ctx.meta.get("citymap.store_object") is not None else Path(ws.root)
    return base.joinpath(*parts)


def plan_year(ctx: click.Context, ws: Any, year: int | None, *,
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
    given = given or f"--year {year}"
    month = given.startswith("--month")
    if get_lang(ctx, ws) == "en":
        raise CitymapClickError(f"{given} is outside the plan's period {lo}–{hi}: give a "
                                f"{'month' if month else 'year'} from {lo} to {hi}")
    raise CitymapClickError(f"{given} 不在规划期 {lo}–{hi} 内: 请给出 {lo}–{hi} 之间的"
                            f"{'月份' if month else '年份'}")


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
        raise click.BadParameter(f"{exc}; or give a year like 2021 (its 31 December) or "
                                 "'today'") from None


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
