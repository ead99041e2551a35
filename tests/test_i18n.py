"""The message catalogues (citymap.i18n, src/citymap/locale): complete, current, consistent."""

from __future__ import annotations

import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from citymap import i18n
from citymap.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "citymap" / "locale"


def _catalog(lang: str):
    with (LOCALE / lang / "LC_MESSAGES" / "citymap.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def _fields(text: str) -> set[str]:
    """The str.format fields and %-style names of ``text``."""
    out = {f"%({m})" for m in re.findall(r"%\((\w+)\)", text)}
    try:
        out |= {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        out.add("<bad braces>")
    return out


def test_catalogues_are_current() -> None:
    """Every marked message is in both catalogues and the .mo files are compiled from the .po
    (the wheel carries the .mo): `python tools/i18n.py` has been run.
    """
    res = subprocess.run([sys.executable, str(ROOT / "tools" / "i18n.py"), "--check"],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_message_is_translated_with_the_same_fields(lang: str) -> None:
    catalog = _catalog(lang)
    missing, fuzzy, fields = [], [], []
    for msg in catalog:
        if not msg.id:
            continue
        ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
        strings = msg.string if isinstance(msg.string, tuple) else (msg.string,)
        if not all(strings):
            missing.append(ids[0])
        if msg.fuzzy:
            fuzzy.append(ids[0])
        wanted = set().union(*(_fields(i) for i in ids))
        for s in strings:
            if s and not _fields(s) <= wanted:
                fields.append((ids[0], s))
    assert not missing, f"{len(missing)} untranslated in {lang}, e.g. {missing[:5]}"
    assert not fuzzy, fuzzy[:5]
    assert not fields, fields[:5]


def test_chinese_catalogue_is_chinese() -> None:
    """A zh translation that is only the English id again is not a translation."""
    same = [m.id for m in _catalog("zh") if m.id and not isinstance(m.id, tuple)
            and m.string == m.id and re.search(r"[A-Za-z]{3,}", m.id)]
    assert not same, same[:5]


def test_translate_in_a_given_language() -> None:
    assert i18n.tr("Usage:", "zh") == "用法:"
    assert i18n.tr("Usage:", "en") == "Usage:"
    with i18n.use_lang("en"):
        assert i18n._("Usage:") == "Usage:"
    assert i18n.get_lang() == i18n.DEFAULT_LANG
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        i18n.set_lang("fr")


@pytest.mark.parametrize(("args", "words"), [
    (["status", "set", "X", "完成"], ("用法:", "错误:", "的值无效", "查看帮助")),
    (["--lang", "en", "status", "set", "X", "完成"], ("Usage:", "Error:", "Invalid value")),
    (["status", "set", "--lang", "en", "X", "完成"], ("Usage:", "Error:", "Invalid value")),
    (["nosuch"], ("错误: 没有命令 'nosuch'。",)),
])
def test_click_speaks_the_chosen_language(args: list[str], words: tuple[str, ...]) -> None:
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 2
    for word in words:
        assert word in res.output


def test_each_run_starts_in_chinese() -> None:
    runner = CliRunner()
    assert "Error:" in runner.invoke(cli, ["--lang", "en", "nosuch"]).output
    assert "错误:" in runner.invoke(cli, ["nosuch"]).output
