"""The map page's own script and style run on a Chromium 90-era engine (UOS / 麒麟 browsers).

The script (every part of ``render/templates/js``, as one map carries it) is parsed by acorn
pinned in ``package.json`` at ECMAScript 2020; newer syntax (class fields, ``#private``,
top-level ``await``, ``??=``) fails the parse. APIs and CSS newer than Chromium 90 that a
parser cannot see are looked for by name.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from citymap.render.assets import app_script, app_style

ROOT = Path(__file__).resolve().parents[1]
PARSER = ROOT / "tools" / "parse_es.js"

#: Built-ins that Chromium 90 lacks (with the version that added them).
NEWER_APIS = {
    r"\.at\(": "Array/String.prototype.at (Chromium 92)",
    r"Object\.hasOwn\b": "Object.hasOwn (93)",
    r"\bstructuredClone\b": "structuredClone (98)",
    r"\.findLast(Index)?\(": "findLast (97)",
    r"\.replaceAll\(": "replaceAll (85, fine, but keep to replace with /g)",
    r"\bAbortSignal\.timeout\b": "AbortSignal.timeout (103)",
}
#: CSS that Chromium 90 does not know.
NEWER_CSS = {
    r":has\(": ":has() (105)", r"@container": "container queries (105)",
    r"@layer": "cascade layers (99)", r"\b\d+(dvh|svh|lvh)\b": "dynamic viewport units (108)",
    r"color-mix\(": "color-mix (111)", r"text-wrap": "text-wrap (114)",
    r"^\s*&": "CSS nesting (112)",
}


def _parse(source: str, level: int = 2020) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (ROOT / "node_modules" / "acorn" / "package.json").is_file():
        pytest.fail("node_modules/acorn is missing: run `npm ci` in the repository (acorn is "
                    "pinned in package.json's devDependencies)")
    return subprocess.run([node, str(PARSER), str(level)], input=source, capture_output=True,
                          text=True, check=False, cwd=ROOT)


def test_the_map_script_is_ecmascript_2020() -> None:
    done = _parse(app_script())
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok: ECMAScript 2020")


@pytest.mark.parametrize("newer", ["class A { #x = 1 }", "let a = 1; a ??= 2;",
                                   "await Promise.resolve(1);", "class B { static { } }"])
def test_the_parser_rejects_what_chromium_90_cannot_run(newer: str) -> None:
    assert _parse(app_script() + "\n" + newer).returncode == 1


def test_no_api_newer_than_chromium_90() -> None:
    script = app_script()
    found = [what for pat, what in NEWER_APIS.items() if re.search(pat, script)]
    assert found == []


def test_no_css_newer_than_chromium_90() -> None:
    style = app_style()
    found = [what for pat, what in NEWER_CSS.items() if re.search(pat, style, re.M)]
    assert found == []
