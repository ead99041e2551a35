"""Keep the message catalogues up to date (Babel): extract, update, fill English, compile.

Run from the project root after changing or adding a message::

    .venv/bin/python tools/i18n.py            # extract → update zh/en .po → compile .mo
    .venv/bin/python tools/i18n.py --check    # exit 1 when a catalogue is out of date
    .venv/bin/python tools/i18n.py --merge OTHER.po …   # also take translations from these
                                              # (e.g. both sides of a git merge conflict:
                                              # git show :2:PATH > a.po; git show :3:PATH > b.po)

What it does:

1. extracts every message marked with ``_``, ``N_``, ``ngettext`` and ``tr`` in
   ``src/citymap`` (Python), plus click's own words (``Usage:``, ``Error:`` …, from the
   installed click modules that :func:`citymap.i18n.install_for_click` binds);
2. updates ``src/citymap/locale/{zh,en}/LC_MESSAGES/citymap.po`` (translations kept, new
   messages added, gone ones dropped — never left "fuzzy": a changed message must be
   translated again);
3. fills the English catalogue with the message ids (they are English);
4. compiles both to ``.mo`` (what the package reads at run time and the wheel carries).

New Chinese translations are written into ``zh/LC_MESSAGES/citymap.po`` by hand (or by an
editor such as Poedit); ``tests/test_i18n.py`` fails while any is missing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "citymap"
LOCALE = SRC / "locale"
DOMAIN = "citymap"
LANGS = ("zh", "en")
FIXED_DATE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "tr": (1,)}
#: click's modules whose ``_``/``ngettext`` citymap binds (citymap.i18n.install_for_click).
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types")


def _add(catalog: Catalog, found: Iterable[tuple[Any, ...]], origin: str) -> None:
    for item in found:
        filename, lineno, message, comments, context = item[:5]
        catalog.add(message, None, [(f"{origin}{filename}", lineno)],
                    auto_comments=comments, context=context)


def extract() -> Catalog:
    """Every message of citymap and of the click modules citymap translates."""
    import click

    catalog = Catalog(project="citymap", domain=DOMAIN, charset="utf-8")
    found = extract_from_dir(str(SRC), method_map=[("**.py", "python")],
                             keywords=KEYWORDS, strip_comment_tags=True)
    _add(catalog, ((f, ln, m, c, ctx) for f, ln, m, c, ctx in found), "")
    click_dir = Path(click.__file__).parent
    for name in CLICK_MODULES:
        path = click_dir / f"{name}.py"
        items = extract_from_file("python", str(path),
                                  keywords={"_": None, "ngettext": (1, 2)})
        _add(catalog, ((path.name, ln, m, c, ctx) for ln, m, c, ctx in items), "click/")
    return catalog


def po_path(lang: str) -> Path:
    """The ``.po`` file of ``lang``."""
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    """The catalogue of ``lang`` as it is on disk (empty when there is none)."""
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="citymap", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def _read_file(path: Path, lang: str) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


def updated(lang: str, template: Catalog, merge: Iterable[Path] = ()) -> Catalog:
    """``lang``'s catalogue brought up to ``template``: translations kept (and taken from
    the ``merge`` files where this one has none), none fuzzy.
    """
    catalog = read(lang) if po_path(lang).exists() and b"<<<<<<<" not in \
        po_path(lang).read_bytes() else Catalog(locale=lang, domain=DOMAIN, project="citymap")
    for other in merge:
        for msg in _read_file(other, lang):
            if msg.id and msg.string and not msg.fuzzy:
                mine = catalog.get(msg.id, msg.context)
                if mine is None:
                    catalog.add(msg.id, msg.string, context=msg.context)
                elif not mine.string:
                    mine.string = msg.string
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.creation_date = catalog.revision_date = FIXED_DATE  # no churn between runs
    catalog.fuzzy = False
    catalog.last_translator = "citymap developers"
    catalog.language_team = "citymap"
    if lang == "en":
        for msg in catalog:
            if msg.id:
                msg.string = msg.id
    for msg in catalog:
        msg.flags.discard("fuzzy")
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, sort_output=True, omit_header=False,
             include_lineno=False)
    return buf.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def _strip_date(data: bytes) -> bytes:
    return b"\n".join(line for line in data.split(b"\n")
                      if not line.startswith((b'"POT-Creation-Date', b'"PO-Revision-Date')))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a catalogue is out of date")
    parser.add_argument("--merge", nargs="+", type=Path, default=[], metavar="PO",
                        help="also take translations from these .po files (the Chinese ones "
                             "are used for zh; the English catalogue is filled from the ids)")
    args = parser.parse_args(argv)
    template = extract()
    stale: list[str] = []
    for lang in LANGS:
        catalog = updated(lang, template, args.merge if lang == "zh" else ())
        po, mo = po_bytes(catalog), mo_bytes(catalog)
        path = po_path(lang)
        mo_path = path.with_suffix(".mo")
        old_po = path.read_bytes() if path.exists() else b""
        old_mo = mo_path.read_bytes() if mo_path.exists() else b""
        if _strip_date(old_po) != _strip_date(po) or old_mo != mo:
            stale.append(str(path.relative_to(ROOT)))
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(po)
                mo_path.write_bytes(mo)
        missing = [m.id for m in catalog if m.id and not m.string]
        if missing:
            print(f"{path.relative_to(ROOT)}: {len(missing)} message(s) without a "
                  f"translation, e.g. {missing[0]!r}", file=sys.stderr)
    if args.check and stale:
        print("out of date: " + ", ".join(stale) + " — run .venv/bin/python tools/i18n.py",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
