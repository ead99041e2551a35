"""Stores of workspaces: the file folder (the default) and a shared PostGIS database.

Both implement :class:`citymap.store.base.Store` (``load``, ``append_events``,
``write_layer``, ``attachments``): :class:`citymap.store.folder.FolderStore` is the
workspace folder (``citymap.toml`` + ``geo/`` + ``layers/``), the embedded default;
:class:`citymap.store.postgis.PostgisStore` keeps the same workspaces in PostGIS when
several departments of a county edit at once, or a province gathers its counties (see
docs/store.md). :func:`open_store` picks one from what the user gave.

Examples
--------
>>> store = open_store(None, workspace=".")  # doctest: +SKIP
>>> ws = store.load()  # doctest: +SKIP
>>> open_postgis("postgresql://gis@db.example/citymap").push(".")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from citymap.errors import StoreError
from citymap.i18n import _
from citymap.store._url import is_store_url, redact, scrub, secrets_of

if TYPE_CHECKING:
    from citymap.store.base import Store
    from citymap.store.postgis import PostgisStore

__all__ = ["open_store", "open_postgis", "is_store_url", "redact", "scrub", "secrets_of"]


def open_store(url: str | None, *, workspace: str | os.PathLike[str] | None = None,
               key: str | None = None) -> Store:
    """The store the user named: the database of ``url``, else the workspace folder.

    Parameters
    ----------
    url
        A store URL (``--store``/$CITYMAP_STORE, see :func:`open_postgis`), or ``None`` for
        the folder store.
    workspace
        The workspace folder when ``url`` is ``None`` (default: as
        :func:`citymap.workspace.find_workspace` finds it).
    key
        The workspace (county) key in the database (``--store-workspace``); wins over the
        URL's ``#key``.

    Raises
    ------
    StoreError
        If ``url`` is not a store URL or psycopg is missing.
    WorkspaceError
        If no workspace folder is found (folder store).
    """
    if url:
        return open_postgis(url, key=key)
    from citymap.store.folder import FolderStore

    return FolderStore(workspace)


def open_postgis(url: str, *, key: str | None = None, who: str | None = None) -> PostgisStore:
    """Open the PostGIS store named by ``url``.

    Parameters
    ----------
    url
        ``postgresql://[user[:password]@][host][:port]/dbname[?…][#workspace]`` or a libpq
        ``key=value`` string. A ``#fragment`` names the workspace (county) key.
    key
        The workspace key (wins over the ``#fragment``).
    who
        Who makes the changes (recorded with each); default $CITYMAP_USER, else the login name.

    Raises
    ------
    StoreError
        If ``url`` is not a database URL or psycopg is not installed.
    """
    if not is_store_url(url):
        raise StoreError(_("{url!r} is not a store URL: give postgresql://user@host/db (the "
                           "file workspace is the default and needs no --store)")
                         .format(url=redact(url)))
    try:
        from citymap.store.postgis import PostgisStore
    except ImportError as exc:  # pragma: no cover - psycopg is an optional dependency
        raise StoreError(_("the PostGIS store needs psycopg: pip install 'citymap[postgis]' "
                           "({error})").format(error=exc)) from None
    store = PostgisStore(url, who=who)
    if key:
        store.key = key
    return store
