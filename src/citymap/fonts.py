"""A CJK font for matplotlib: the report's charts must show Chinese, never tofu boxes.

The usual fonts of Windows (Microsoft YaHei, DengXian, SimHei, SimSun), macOS (PingFang,
Hiragino, Heiti, Songti), Linux (Noto Sans/Serif CJK, Source Han Sans/Serif, WenQuanYi,
AR PL UMing/UKai, Droid Sans Fallback) and 信创 systems (UOS, 麒麟: their Noto/Source Han
fonts and the 方正 FZ fonts) are looked for by name among the fonts matplotlib knows, in that
order; then any other installed font. A font is chosen only when its character map really
holds every character of :data:`PROBE` (read with fontTools), so a font that is named right
but lacks the glyphs is passed over. ``CITYMAP_FONT`` names a font file to use instead
(for machines where nothing can be installed).

When no font fits, :func:`cjk_font` raises :class:`FontError` with one line naming what to
install, rather than letting matplotlib draw boxes.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from citymap.errors import CitymapError
from citymap.i18n import N_, get_lang, tr

__all__ = ["PROBE", "CJK_FAMILIES", "FontError", "CJKFont", "cjk_font", "covers",
           "font_entries"]

#: Characters every chart draws (verdicts, legend, title words, the county): a font is
#: chosen only if it has a glyph for each.
PROBE = "阳信县目标计划完成达标按进度推进中滞后无法测算数据未开始已片区边界北处个公里"

#: Family names of the usual CJK fonts, in order of preference (simplified Chinese first).
CJK_FAMILIES: tuple[str, ...] = (
    # Linux, UOS and 麒麟 (Kylin) ship these
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "Noto Serif CJK SC", "Noto Serif SC", "Source Han Serif SC", "Source Han Serif CN",
    "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei Sharp",
    # Windows
    "Microsoft YaHei", "Microsoft YaHei UI", "DengXian", "SimHei", "SimSun", "NSimSun",
    "KaiTi", "FangSong",
    # macOS
    "PingFang SC", "Hiragino Sans GB", "Heiti SC", "STHeiti", "Songti SC", "STSong",
    # older Linux
    "AR PL UMing CN", "AR PL UKai CN", "AR PL UMing TW", "AR PL UKai TW",
    "AR PL SungtiL GB", "AR PL KaitiM GB", "Droid Sans Fallback",
    # other CJK regions: the common Han characters are there too
    "Noto Sans CJK TC", "Noto Sans CJK HK", "Noto Sans CJK JP", "Noto Sans CJK KR",
    "Noto Serif CJK TC", "Noto Serif CJK JP", "Source Han Sans", "Source Han Serif",
)

#: 方正 (Founder) fonts shipped on 信创 systems: FZShuSong-Z01, FZHei-B01, 方正书宋_GBK …
_FOUNDER = re.compile(r"^(FZ|方正)", re.IGNORECASE)

#: Chinese names of some families (fonts whose name table is Chinese only).
_ZH_NAMES = {"微软雅黑": "Microsoft YaHei", "等线": "DengXian", "黑体": "SimHei",
             "宋体": "SimSun", "新宋体": "NSimSun", "楷体": "KaiTi", "仿宋": "FangSong",
             "文泉驿正黑": "WenQuanYi Zen Hei", "文泉驿微米黑": "WenQuanYi Micro Hei",
             "思源黑体": "Source Han Sans SC", "思源宋体": "Source Han Serif SC"}


class FontError(CitymapError, OSError):
    """No installed font can draw Chinese (the report's charts would show boxes)."""


@dataclass(frozen=True)
class CJKFont:
    """The font chosen: its family name (as matplotlib knows it), file and face index."""

    name: str
    path: str
    index: int = 0


def _missing_message(lang: str) -> str:
    return tr(N_("the report's charts need a Chinese font and none is installed (looked for "
                 "Noto Sans CJK SC, Microsoft YaHei, SimHei, SimSun, Source Han Sans, "
                 "WenQuanYi, AR PL, 方正/FZ …): install one — apt-get install fonts-noto-cjk "
                 "(Debian/Ubuntu/UOS/Kylin) or dnf install google-noto-sans-cjk-fonts — or set "
                 "CITYMAP_FONT to the path of a Chinese .ttf/.otf/.ttc font file"), lang)


def _bad_env_message(path: str, lang: str) -> str:
    return tr(N_("CITYMAP_FONT={path!r} is not a font file with Chinese glyphs: name a "
                 ".ttf/.otf/.ttc file that has them, or unset CITYMAP_FONT"), lang
              ).format(path=path)


@functools.lru_cache(maxsize=256)
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    try:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            best = font.getBestCmap() or {}
            return frozenset(best)
    except Exception:  # noqa: BLE001 - a broken or foreign font file is simply not used
        return frozenset()


def covers(path: str, text: str = PROBE, *, index: int = 0) -> bool:
    """Whether the font file (face ``index`` of a collection) has a glyph for every
    character of ``text`` (spaces aside).
    """
    cmap = _cmap(path, index)
    return all(ord(c) in cmap for c in text if not c.isspace())


def font_entries() -> list[Any]:
    """The fonts matplotlib knows (``FontEntry`` with ``name``, ``fname``, ``index``)."""
    from matplotlib import font_manager

    return list(font_manager.fontManager.ttflist)


def _rank(name: str) -> tuple[int, str]:
    canonical = _ZH_NAMES.get(name, name)
    lower = canonical.lower()
    for i, family in enumerate(CJK_FAMILIES):
        if family.lower() == lower:
            return (i, name)
    if _FOUNDER.match(name):
        return (len(CJK_FAMILIES), name)
    return (len(CJK_FAMILIES) + 1, name)


def _candidates(entries: Iterable[Any]) -> list[Any]:
    # regular weights first within a family; the known names first, then 方正, then the rest
    return sorted(entries, key=lambda e: (*_rank(str(e.name)), abs(int(e.weight) - 400)
                                          if str(e.weight).isdigit() else 0, str(e.fname)))


def _from_env(path: str, lang: str) -> CJKFont:
    from matplotlib import font_manager

    if not os.path.isfile(path) or not covers(path):
        raise FontError(_bad_env_message(path, lang))
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    return CJKFont(name, path, 0)


def cjk_font(*, lang: str | None = None) -> CJKFont:
    """The CJK font the report's charts use.

    Parameters
    ----------
    lang
        The language of the error message (default: the current language).

    Returns
    -------
    CJKFont
        ``CITYMAP_FONT`` when set, else the first of :data:`CJK_FAMILIES` (then 方正/FZ
        fonts, then any other font) installed whose character map holds :data:`PROBE`.

    Raises
    ------
    FontError
        No installed font holds the characters (or ``CITYMAP_FONT`` names no such file).
    """
    lang = lang or get_lang()
    env = os.environ.get("CITYMAP_FONT", "").strip()
    if env:
        return _from_env(env, lang)
    found = _find(tuple((str(e.name), str(e.fname), int(getattr(e, "index", 0)))
                        for e in _candidates(font_entries())))
    if found is None:
        raise FontError(_missing_message(lang))
    return found


@functools.lru_cache(maxsize=8)
def _find(entries: tuple[tuple[str, str, int], ...]) -> CJKFont | None:
    tried: set[str] = set()
    for name, path, index in entries:
        if name in tried:
            continue
        if covers(path, index=index):
            return CJKFont(name, path, index)
        # the family's other files (weights) seldom differ in coverage: one check each
        tried.add(name)
    return None
