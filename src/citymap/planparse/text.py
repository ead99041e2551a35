"""Text helpers: reading a plan file, simplified characters, lines, brackets, dates."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

from citymap.errors import Problem, ValidationError, WorkspaceError
from citymap.i18n import _

__all__ = ["CJK", "prepare_lines", "read_plan_file", "split_top", "to_simplified"]

CJK = "\u4e00-\u9fff"
#: Opening and closing brackets a unit block or an aside may be written in.
OPEN = "(〔【["
CLOSE = ")〕】]"

_CIRCLED = re.compile("([\u2460-\u2473])")  # ①..⑳: NFKC would turn them into plain digits

_BOILERPLATE = [
    re.compile(p)
    for p in (
        r"^(当前)?位置\s*:", r"首页\s*>", r"^标签\s*:", r"^关键词\s*:", r"^(上一篇|下一篇)",
        r"(范文|文库|文秘|公文)(站|网|网站|大全)$", r"^以上内容由.{1,20}提报。?$",
        r"^(来源|作者|发布时间|发布日期|发布机构|浏览|阅读|责任编辑|编辑|索引号|文号)\s*:",
        r"^(相关|推荐|热门)(文章|阅读|范文)", r"^(打印本页|关闭窗口|分享到|收藏|复制)",
        r"^【?字体", r"版权所有", r"^(免费)?下载", r"^\(此件公开发布\)$", r"^抄送\s*:",
    )
]


@functools.lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Normalise ``text`` (NFKC: full-width punctuation and digits) and convert it to simplified.

    Circled numbers (①, ②, ...) are kept: they number items.

    Parameters
    ----------
    text
        Traditional or simplified Chinese.

    Returns
    -------
    str
        Simplified text with ASCII punctuation where the text had full-width forms.
    """
    parts = _CIRCLED.split(text)
    text = "".join(p if i % 2 else unicodedata.normalize("NFKC", p) for i, p in enumerate(parts))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return str(_converter().convert(text))


def is_boilerplate(line: str) -> bool:
    """Whether ``line`` is web-page furniture (navigation, tags, source notes)."""
    return any(p.search(line) for p in _BOILERPLATE)


def prepare_lines(text: str) -> list[str]:
    """Simplified text → stripped lines, boilerplate and repeated lines dropped.

    Works and headings that a web copy glued onto the previous paragraph are put on their
    own line.
    """
    text = re.sub(rf"(?<=[。)])[ \t]*(?=\d{{1,3}}[.、][{CJK}])", "\n", text)
    text = re.sub(rf"(?<=[。])[ \t]*(?=\([一二三四五六七八九十]+\)[{CJK}])", "\n", text)
    lines: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip().strip("\u3000")
        if not line or is_boilerplate(line):
            continue
        if lines and line == lines[-1]:
            continue
        lines.append(line)
    return lines


def split_top(s: str, seps: str = "、,;") -> list[str]:
    """Split ``s`` at ``seps`` outside brackets."""
    out: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in s:
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(depth - 1, 0)
        if ch in seps and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def paren_groups(s: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of the top-level bracket groups of ``s`` (end exclusive)."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for i, ch in enumerate(s):
        if ch in OPEN:
            if depth == 0:
                start = i
            depth += 1
        elif ch in CLOSE and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
    return spans


def last_day(year: int, month: int) -> dt.date:
    """The last day of ``month``."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def safe_date(year: int, month: int, day: int) -> dt.date | None:
    """The date, or ``None`` when there is no such day."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def read_plan_file(path: str | Path) -> tuple[str, str]:
    """Read a plan text file, UTF-8 or GB18030/GBK (tried in that order).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    tuple of (str, str)
        The text and the encoding it was read with.

    Raises
    ------
    WorkspaceError
        The file is missing or cannot be read.
    ValidationError
        The file is not text in UTF-8, UTF-16 (with BOM) or GB18030.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise WorkspaceError(_("{path!r}: no such file").format(path=str(p))) from None
    except IsADirectoryError:
        raise WorkspaceError(_("{path!r}: is a folder, not a plan text file")
                             .format(path=str(p))) from None
    except OSError as exc:
        raise WorkspaceError(_("{path!r}: cannot read: {strerror}")
                             .format(path=str(p), strerror=exc.strerror)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(enc), "utf-8" if enc == "utf-8-sig" else enc
            except UnicodeDecodeError:
                continue
    raise ValidationError([Problem(str(p), "", "", _("is not a text file in UTF-8 or "
                                                     "GB18030/GBK: save the plan as UTF-8 text"))])
