"""The environment of one ``citymap`` run, on ``ctx.obj`` (as ``fio`` keeps its ``Env``).

The group and every subcommand's common options (``--workspace``, ``--lang``, ``--store``,
``--store-workspace``) fill one :class:`CliEnv`; its :attr:`CliEnv.store` is opened once,
on first use — the workspace folder (:class:`~citymap.store.folder.FolderStore`, the
default) or, with ``--store URL``/$CITYMAP_STORE, the PostGIS database
(:class:`~citymap.store.postgis.PostgisStore`). Commands load the workspace from it and
write through it; none asks which store it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import click

from citymap.cli._errors import errors_to_exit

if TYPE_CHECKING:
    from citymap.store.base import Store

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("citymap")

__all__ = ["CliEnv", "get_env", "store_option", "remember"]


@attrs.define
class CliEnv:
    """What the options of one run chose, and the store they name (opened once).

    Attributes
    ----------
    workspace
        ``--workspace DIR`` (the folder store's root; default: found from the current folder).
    lang
        ``--lang`` (``None``: the workspace's ``[map] lang``, else zh).
    store_url
        ``--store URL``/$CITYMAP_STORE (``None``: the workspace folder).
    store_key
        ``--store-workspace KEY`` (the county in a store holding several).
    """

    workspace: Path | None = None
    lang: str | None = None
    store_url: str | None = None
    store_key: str | None = None
    _store: Store | None = attrs.field(default=None, init=False, repr=False)

    @property
    def store(self) -> Store:
        """The store of this run, opened on first use and kept.

        Raises
        ------
        click.ClickException
            (exit code 2) if it cannot be opened: not a store URL, no workspace folder.
        """
        if self._store is None:
            from citymap.store import open_store

            with errors_to_exit():
                self._store = open_store(self.store_url, workspace=self.workspace,
                                         key=self.store_key)
            log.info("store: %s", self._store.where)
        return self._store


def get_env(ctx: click.Context) -> CliEnv:
    """The run's :class:`CliEnv` (made on first use, shared by the group and subcommands)."""
    env = ctx.ensure_object(CliEnv)
    assert isinstance(env, CliEnv)
    return env


def remember(field: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """An option callback setting ``field`` of the run's :class:`CliEnv` when given."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None and value != "":
            env = get_env(ctx)
            setattr(env, field, Path(value) if field == "workspace" else str(value))
        return value

    return callback


def store_option(f: F) -> F:
    """``--store URL`` ($CITYMAP_STORE) and ``--store-workspace KEY`` ($CITYMAP_STORE_WORKSPACE)."""
    f = click.option(
        "--store-workspace", "store_workspace", envvar="CITYMAP_STORE_WORKSPACE", default=None,
        metavar="KEY", expose_value=False, is_eager=True, callback=remember("store_key"),
        help="The workspace (county) key in the store, when it holds several (also URL#KEY; "
             "$CITYMAP_STORE_WORKSPACE).",
    )(f)
    return click.option(
        "--store", "store", envvar="CITYMAP_STORE", default=None, metavar="URL",
        expose_value=False, is_eager=True, callback=remember("store_url"),
        help="Work on the shared PostGIS store postgresql://user@host/db instead of the "
             "workspace folder ($CITYMAP_STORE). The folder is the default.",
    )(f)
