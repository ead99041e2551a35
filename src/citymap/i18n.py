"""The message catalogues: every sentence a person reads, in Chinese (default) or English.

citymap speaks through one gettext catalogue per language (``citymap/locale/<lang>/
LC_MESSAGES/citymap.po``, compiled to ``.mo`` beside it; the ecosystem's way, maintained
with Babel — see ``tools/i18n.py``). Message ids are English; the ``zh`` catalogue holds
the Chinese, the ``en`` catalogue the English as written (so both are complete and a
missing Chinese translation is found by the tests, not shown to a user).

Code marks a sentence with :func:`_` (or :func:`ngettext` for counts), formats it with
``str.format`` and named fields *after* translating::

    raise WorkspaceError(_("{path!r}: no register here; run `citymap plan import` first")
                         .format(path=str(p)))

The language is the process's current language (:func:`set_lang`; the CLI sets it from
``--lang`` or ``[map] lang``); :func:`tr` translates into a given language regardless
(a map built in English from a Chinese command line). :func:`N_` only marks a sentence for
extraction (a constant translated later with :func:`_`).

Data — names, units, notes from the register and the layers, status words stored in the
log — is never translated here: statuses and verdicts have their labels in
:mod:`citymap.vocab`.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

__all__ = ["LANGS", "DEFAULT_LANG", "DOMAIN", "locale_dir", "set_lang", "get_lang", "use_lang",
           "translation", "_", "N_", "ngettext", "tr", "install_for_click"]

#: The languages citymap speaks; the first is the default.
LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"
#: The gettext domain (the catalogues' file name).
DOMAIN = "citymap"

_current = [DEFAULT_LANG]


def locale_dir() -> Path:
    """The folder of the compiled catalogues (``citymap/locale``)."""
    return Path(str(resources.files("citymap") / "locale"))


def check_lang(lang: str) -> str:
    """``lang`` when citymap speaks it, else a ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return lang


@functools.cache
def translation(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (cached)."""
    check_lang(lang)
    try:
        return gettext.translation(DOMAIN, localedir=str(locale_dir()), languages=[lang])
    except OSError:  # pragma: no cover - a broken install without the .mo files
        return gettext.NullTranslations()


def set_lang(lang: str) -> None:
    """Make ``lang`` the language of every message from now on (``zh`` or ``en``)."""
    _current[0] = check_lang(lang)


def get_lang() -> str:
    """The current language."""
    return _current[0]


@contextlib.contextmanager
def use_lang(lang: str) -> Iterator[None]:
    """Speak ``lang`` inside the ``with`` block (then the language before)."""
    before = _current[0]
    set_lang(lang)
    try:
        yield
    finally:
        _current[0] = before


def _(message: str) -> str:
    """``message`` (an English message id) in the current language."""
    return translation(_current[0]).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (translate it later)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n`` in the current language."""
    return translation(_current[0]).ngettext(singular, plural, n)


def tr(message: str, lang: str) -> str:
    """``message`` in ``lang``, whatever the current language."""
    return translation(lang).gettext(message)


def install_for_click(lang: str) -> None:
    """Let click's own words (``Usage:``, ``Error:``, ``Try … for help``) come from our
    catalogue in ``lang``.

    click translates with the standard library's module-level :func:`gettext.gettext`;
    this binds that to citymap's catalogue of ``lang``. Called by the CLI only (a notebook
    importing citymap keeps its own gettext domain).
    """
    set_lang(lang)
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    for module in (click.core, click.decorators, click.exceptions, click.formatting,
                   click.parser, click.types):
        if hasattr(module, "_"):
            module._ = _  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
