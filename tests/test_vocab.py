"""One home for the words: statuses, colours and verdicts are defined in citymap.vocab only."""

from __future__ import annotations

import ast
from pathlib import Path

from citymap import vocab

SRC = Path(__file__).resolve().parents[1] / "src" / "citymap"
WORDS = {"DONE", "BEHIND", "STARTED", "NOT_STARTED", "STATUS_COLORS", "STATUS_DASHES",
         "STATUS_SHAPES", "VERDICTS", "VERDICT_ZH", "VERDICT_COLORS", "SITE_STATUSES",
         "WORK_STATUSES", "PURPOSES", "ZONE_LAYER", "PARK_SITE_LAYERS", "CONTEXT_NAMES"}


def _assigned(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, ast.AnnAssign) else [])
        for t in targets:
            if isinstance(t, ast.Name):
                names.add(t.id.lstrip("_"))
    return names


def test_words_are_defined_once_in_vocab() -> None:
    defined = {str(p.relative_to(SRC)): _assigned(p) & WORDS for p in SRC.rglob("*.py")}
    elsewhere = {k: v for k, v in defined.items() if v and k != "vocab.py"}
    assert elsewhere == {}
    assert {"DONE", "STATUS_COLORS", "VERDICT_ZH", "PURPOSES"} <= defined["vocab.py"]


def test_the_words_agree() -> None:
    assert set(vocab.STATUS_COLORS) == set(vocab.SITE_STATUSES) == set(vocab.STATUS_DASHES) \
        == set(vocab.STATUS_SHAPES)
    assert set(vocab.VERDICTS) <= set(vocab.VERDICT_ZH) == set(vocab.VERDICT_COLORS)
    assert set(vocab.PURPOSE_SHAPES) == set(vocab.PURPOSES) >= set(vocab.SINGLE_PURPOSES)
    assert vocab.verdict_label("behind") == "滞后" and vocab.verdict_label("behind", "en") \
        == "behind"
