"""Errors in the CLI: a :class:`~citymap.errors.CitymapError` becomes one line and exit 2."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from citymap.errors import CitymapError, ValidationError

F = TypeVar("F", bound=Callable[..., Any])

__all__ = ["EXIT_INVALID", "CitymapClickError", "catch_errors", "errors_to_exit"]

#: Exit code for bad input data or usage.
EXIT_INVALID = 2


class CitymapClickError(click.ClickException):
    """A citymap error shown as ``Error: …`` with exit code 2 and no traceback."""

    exit_code = EXIT_INVALID


class errors_to_exit:
    """Context manager: a :class:`CitymapError` becomes ``Error: …`` and exit code 2."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, et: type[BaseException] | None, exc: BaseException | None,
                 tb: Any) -> None:
        if exc is None:
            return
        if isinstance(exc, ValidationError):
            raise CitymapClickError(str(exc)) from None
        if isinstance(exc, CitymapError):
            raise CitymapClickError(str(exc)) from None


def catch_errors(f: F) -> F:
    """Decorator form of :class:`errors_to_exit`."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with errors_to_exit():
            return f(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
