"""The citymap error family.

Every error citymap raises on purpose is a :class:`CitymapError`. Each member also
subclasses the matching built-in (``ValueError`` for bad data, ``OSError`` for files),
so callers that know nothing of citymap can still catch them. Messages name the file,
the row or feature, the field, the bad value (``!r``) and what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from citymap.i18n import _, ngettext

__all__ = [
    "CitymapError",
    "ValidationError",
    "Problem",
    "CRSError",
    "WorkspaceError",
    "StoreError",
    "ExportError",
    "shorten",
]


class CitymapError(Exception):
    """Base of every error citymap raises on purpose."""


#: Longest message of a :class:`Problem` (a hostile value echoed back is cut short).
MAX_MESSAGE = 2000


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a message (a hostile value stays readable)."""
    text = str(text)
    if len(text) <= limit:
        return text
    return _("{start}… ({n} characters)").format(start=text[:limit], n=len(text))


class Problem:
    """One problem found while validating: where it is and what is wrong.

    Parameters
    ----------
    where
        The file (and sheet), e.g. ``"geo/register.yaml"``.
    item
        The row, feature or record, e.g. ``"work 16"`` or ``"row 7"``.
    field
        The field or column at fault, or ``""``.
    message
        What is wrong and what to do about it (in the current language).
    code
        A short language-independent name of the kind of problem, for code that reacts to
        one (e.g. ``"missing_properties"``); ``""`` for most.
    """

    __slots__ = ("where", "item", "field", "message", "code")

    def __init__(self, where: str, item: str, field: str, message: str, *,
                 code: str = "") -> None:
        self.where = where
        self.code = code
        self.item = shorten(item, 200)
        self.field = shorten(field, 200)
        self.message = shorten(message, MAX_MESSAGE)

    def __str__(self) -> str:
        parts = [p for p in (self.where, self.item, self.field) if p]
        return f"{': '.join(parts)}: {self.message}" if parts else self.message

    def __repr__(self) -> str:
        return f"Problem({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


class ValidationError(CitymapError, ValueError):
    """Input data failed validation; carries every problem found, not only the first.

    Parameters
    ----------
    problems
        The problems found. The message lists them all, one per line.
    """

    def __init__(self, problems: Sequence[Problem] | Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        n = len(self.problems)
        head = ngettext("{n} problem found:", "{n} problems found:", n).format(n=n)
        msg = str(self.problems[0]) if n == 1 else "\n".join([head, *map(str, self.problems)])
        super().__init__(msg)


class CRSError(CitymapError, ValueError):
    """A coordinate reference system is missing, unknown, or the coordinates do not fit it."""


class WorkspaceError(CitymapError, OSError):
    """A workspace file or folder is missing or cannot be read or written."""


class ExportError(CitymapError, OSError):
    """An export could not be written."""


class StoreError(CitymapError, OSError):
    """The database store failed or refused an operation."""
