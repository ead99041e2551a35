"""The one template engine of citymap's pages: a Jinja2 environment for the map and the report.

Both the map page (``render/templates/page.html``) and the report
(``data/report.html.j2``) are rendered by :func:`render_template` with the same rules:

* autoescape on for every template, so any text from the records is escaped by Jinja2;
  what is already safe for its place (the map's JSON blob, escaped for a ``<script>``
  element by :func:`citymap.render.map.dumps_for_script`; citymap's own script and style)
  is passed as :class:`markupsafe.Markup` by the caller, explicitly;
* ``StrictUndefined``: a name missing from the context is an error, never an empty text;
* the template's final newline is kept (the page is written as the template reads).

Templates are named by their path inside the ``citymap`` package.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup

__all__ = ["Markup", "environment", "render_template"]


def _source(name: str) -> str:
    return resources.files("citymap").joinpath(*name.split("/")).read_text(encoding="utf-8")


@functools.cache
def environment() -> jinja2.Environment:
    """The shared Jinja2 environment (autoescape, ``StrictUndefined``), built once."""
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_template(name: str, /, **context: Any) -> str:
    """Render the template ``name`` (a path inside the package) with ``context``.

    Parameters
    ----------
    name
        The template's path inside the ``citymap`` package, e.g.
        ``"render/templates/page.html"``.
    **context
        The values the template uses; every one it names must be given.

    Returns
    -------
    str
        The rendered text.
    """
    return environment().get_template(name).render(**context)
