"""The ``--store URL`` option (or $CITYMAP_STORE) and loading a workspace from a store.

Without ``--store`` every command works on the file workspace (the default). With it, the
workspace is read from the PostGIS store: pulled into a temporary folder (removed when the
command ends) and loaded from there with the same validation, so commands see exactly the
``Workspace`` they would see from files. Writes of status and progress go to the database
(see :meth:`citymap.store.postgis.PostgisStore.append_events`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from citymap.cli._errors import errors_to_exit

if TYPE_CHECKING:
    from citymap.attachments import Attachments
    from citymap.store.postgis import PostgisStore
    from citymap.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("citymap")

__all__ = ["store_option", "get_store", "require_store", "load_from_store", "attachments_of"]


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value:
            ctx.meta[f"citymap.{key}"] = value
        return value

    return callback


def store_option(f: F) -> F:
    """``--store URL`` ($CITYMAP_STORE) and ``--store-workspace KEY`` ($CITYMAP_STORE_WORKSPACE)."""
    f = click.option(
        "--store-workspace", "store_workspace", envvar="CITYMAP_STORE_WORKSPACE", default=None,
        metavar="KEY", expose_value=False, is_eager=True, callback=_remember("store_workspace"),
        help="The workspace (county) key in the store, when it holds several (also URL#KEY; "
             "$CITYMAP_STORE_WORKSPACE).",
    )(f)
    return click.option(
        "--store", "store", envvar="CITYMAP_STORE", default=None, metavar="URL",
        expose_value=False, is_eager=True, callback=_remember("store"),
        help="Work on the shared PostGIS store postgresql://user@host/db instead of the "
             "workspace folder ($CITYMAP_STORE). The folder is the default.",
    )(f)


def get_store(ctx: click.Context) -> PostgisStore | None:
    """The store named by ``--store``/$CITYMAP_STORE, or ``None`` for the file workspace."""
    url = ctx.meta.get("citymap.store")
    if not url:
        return None
    from citymap.store import open_store

    with errors_to_exit():
        store = open_store(str(url))
    key = ctx.meta.get("citymap.store_workspace")
    if key:
        store.key = str(key)
    return store


def require_store(ctx: click.Context) -> PostgisStore:
    """The store, or a usage error naming --store and $CITYMAP_STORE."""
    store = get_store(ctx)
    if store is None:
        raise click.UsageError("no store given: pass --store postgresql://user@host/db or set "
                               "CITYMAP_STORE")
    return store


def load_from_store(ctx: click.Context, **kwargs: Any) -> Workspace | None:
    """The workspace from the store when ``--store`` is given, else ``None``.

    Parameters
    ----------
    ctx
        The click context (``--store``/``--store-workspace`` were stored in its meta).
    **kwargs
        Passed to :func:`citymap.workspace.load_workspace` (``repair``, ``today``).
    """
    store = get_store(ctx)
    if store is None:
        return None
    log.info("loading the workspace from the store %s (pulled into a temporary folder)",
             store.url)
    with errors_to_exit():
        ws: Workspace = store.load(**kwargs)
    ctx.meta["citymap.store_object"] = store
    return ws


def attachments_of(ctx: click.Context) -> Attachments | None:
    """The photos of the store the workspace was loaded from (:func:`load_from_store`), or
    ``None`` for the file workspace (its photos are beside it).
    """
    store = ctx.meta.get("citymap.store_object")
    if store is None:
        return None
    with errors_to_exit():
        found: Attachments = store.attachments()
    return found
