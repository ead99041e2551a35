"""Read YAML with the line number of every mapping, for error messages that point at a row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from citymap.errors import Problem, ValidationError
from citymap.i18n import _
from citymap.limits import read_bounded

LINE = "__line__"


_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader (libyaml's when present) that stores each mapping's 1-based line number
    under ``__line__``.
    """


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = loader.construct_mapping(node, deep=True)
    keys = [k.value for k, _ in node.value if isinstance(k, yaml.ScalarNode)]
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, _("duplicate key {key!r}").format(key=key), node.start_mark
            )
        seen.add(key)
    mapping[LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _refuse_aliases(text: str, name: str) -> None:
    """Refuse anchors (``&a``) and aliases (``*a``) before anything is built.

    An alias repeats a node without copying it in the file, so a few lines can expand to
    gigabytes ("billion laughs"); a register never needs one.
    """
    for event in yaml.parse(text, Loader=_Base):
        anchor = getattr(event, "anchor", None)
        if isinstance(event, yaml.AliasEvent) or anchor:
            line = event.start_mark.line + 1 if event.start_mark is not None else 0
            raise ValidationError([Problem(name, _("line {line}").format(line=line), "", _(
                "uses the YAML anchor/alias {anchor!r}; write the value out in full (anchors "
                "and aliases are refused)").format(anchor=anchor))])


def load_yaml(path: Path, *, shown: str | None = None, kind: str = "register") -> Any:
    """Load ``path``; a syntax error becomes a one-line :class:`ValidationError`.

    The file must be a regular file within the size cap of ``kind``
    (:func:`citymap.limits.read_bounded`) and use no anchors or aliases.
    """
    name = shown or str(path)
    if not path.exists() and not path.is_symlink():
        raise FileNotFoundError(2, "No such file or directory", str(path))  # callers say why
    data = read_bounded(path, shown=name, kind=kind)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            [Problem(name, _("byte {byte}").format(byte=exc.start), "",
                     _("is not UTF-8: save the file as UTF-8"))]
        ) from None
    try:
        _refuse_aliases(text, name)
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = _("line {line}").format(line=mark.line + 1) if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ValidationError(
            [Problem(name, where, "", _("is not valid YAML: {what}").format(what=what))]
        ) from None


def line_of(obj: Any) -> int | None:
    """The line number stored on a mapping by :func:`load_yaml`, if any."""
    if isinstance(obj, dict):
        line = obj.get(LINE)
        return line if isinstance(line, int) else None
    return None


def strip_lines(obj: Any) -> Any:
    """A copy of ``obj`` without the ``__line__`` keys."""
    if isinstance(obj, dict):
        return {k: strip_lines(v) for k, v in obj.items() if k != LINE}
    if isinstance(obj, list):
        return [strip_lines(v) for v in obj]
    return obj
