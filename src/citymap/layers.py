"""Layer definitions: one ``layers/<name>.toml`` per map layer.

Adding a layer is adding a file, not editing code. A :class:`LayerSpec` says where the
layer's data is, what geometry it holds, which works it serves, how it is titled and
styled, and which fields its popups show.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import attrs

from citymap.errors import Problem, ValidationError
from citymap.i18n import _
from citymap.limits import path_problem, read_bounded
from citymap.vocab import PURPOSE_SHAPES, PURPOSES, SINGLE_PURPOSES

__all__ = ["FieldSpec", "LayerSpec", "load_layers", "layers_for", "layer_for", "purposes_of",
           "GEOMETRY_TYPES", "FIELD_TYPES", "THEMES"]

GEOMETRY_TYPES = ("Point", "LineString", "Polygon")
FIELD_TYPES = ("str", "int", "float", "bool")
ROLES = ("sites", "context")
#: The plan's five pilot focus themes (保障措施 三).
THEMES = ("生态修复", "城市更新", "城市设计", "垃圾分类", "清洁取暖")
MARKERS = ("circle", "square", "triangle", "diamond")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")
_COLOR = re.compile(r"#[0-9A-Fa-f]{3,8}|[a-z]{3,20}")
_STYLE_NUMBERS = ("weight", "fill_opacity", "opacity", "radius")
_KEYS = {"name", "role", "source", "geometry", "action", "works", "theme", "title", "popup",
         "fields", "style", "purpose", "public_fields", "internal"}
#: Columns every layer has (besides its own ``fields``), for ``public_fields``.
BASE_COLUMNS = ("id", "works", "name", "year", "status_date", "source", "kind")


@attrs.frozen
class FieldSpec:
    """One layer-specific attribute: its type and labels."""

    name: str
    type: str = "str"
    zh: str = ""
    en: str = ""
    required: bool = False


@attrs.frozen
class LayerSpec:
    """A map layer as defined in ``layers/<name>.toml``."""

    name: str
    role: str
    source: str
    geometry: str
    title_zh: str
    title_en: str
    action: int | None = None
    works: tuple[int, ...] = ()
    theme: str = ""
    purpose: str = ""
    popup: tuple[str, ...] = ()
    fields: Mapping[str, FieldSpec] = attrs.field(factory=dict)
    style: Mapping[str, Any] = attrs.field(factory=dict)
    path: str = ""
    #: The fields the public view shows (``citymap build --public``); none by default.
    public_fields: tuple[str, ...] = ()
    #: Left out of the public view.
    internal: bool = False

    def title(self, lang: str = "zh") -> str:
        """The layer's title in ``lang``."""
        return self.title_en if lang == "en" and self.title_en else self.title_zh

    @property
    def is_sites(self) -> bool:
        """True for a layer of works' sites, False for context data."""
        return self.role == "sites"


def _parse(path: Path, shown: str, data: dict[str, Any],
           problems: list[Problem]) -> LayerSpec | None:
    start = len(problems)

    def bad(field: str, msg: str) -> None:
        problems.append(Problem(shown, "", field, msg))

    for key in data:
        if key not in _KEYS:
            bad(key, _("unknown key {key!r}; known keys: {choices}")
                     .format(key=key, choices=", ".join(sorted(_KEYS))))
    name = data.get("name", path.stem)
    if name != path.stem or not isinstance(name, str) or not _NAME.match(name):
        bad("name", _("{name!r} must equal the file name {stem!r} (lower case, digits, _)")
                    .format(name=name, stem=path.stem))
    role = data.get("role", "sites")
    if role not in ROLES:
        bad("role", _("{role!r} must be one of {choices}")
                    .format(role=role, choices=", ".join(ROLES)))
    source = data.get("source")
    if not isinstance(source, str) or not source:
        bad("source", _("must be the data file, e.g. 'geo/sites/{stem}.geojson', got {source!r}")
                      .format(stem=path.stem, source=source))
    else:
        why = path_problem(path.parent.parent, source)
        if why is not None:
            bad("source", why)
    geometry = data.get("geometry")
    if geometry not in GEOMETRY_TYPES:
        bad("geometry", _("{geometry!r} must be one of {choices}")
                        .format(geometry=geometry, choices=", ".join(GEOMETRY_TYPES)))
    action = data.get("action")
    if action is not None and (not isinstance(action, int) or isinstance(action, bool)):
        bad("action", _("must be an action number, got {action!r}").format(action=action))
    works = data.get("works", [])
    if not isinstance(works, list) or not all(isinstance(w, int) for w in works):
        bad("works", _("must be a list of work numbers, got {works!r}").format(works=works))
        works = []
    theme = data.get("theme", "")
    if theme and theme not in THEMES:
        bad("theme", _("{theme!r} must be one of {choices}")
                     .format(theme=theme, choices=", ".join(THEMES)))
    purpose = _purpose(data, str(name), role, geometry, bad)
    title = data.get("title", {})
    if (not isinstance(title, dict) or not isinstance(title.get("zh"), str) or not title["zh"]
            or not isinstance(title.get("en", ""), str)):
        bad("title", _("must be {{zh = '…', en = '…'}}, got {title!r}").format(title=title))
        title = {}
    popup = data.get("popup", [])
    if not isinstance(popup, list) or not all(isinstance(p, str) for p in popup):
        bad("popup", _("must be a list of field names, got {popup!r}").format(popup=popup))
        popup = []
    fields = _parse_fields(data.get("fields", {}), bad)
    style = _parse_style(data.get("style", {}), bad)
    public = data.get("public_fields", [])
    if not isinstance(public, list) or not all(isinstance(p, str) for p in public):
        bad("public_fields", _("must be a list of field names, got {public!r}")
                             .format(public=public))
        public = []
    for p in public:
        if p not in BASE_COLUMNS and p not in fields:
            bad("public_fields", _("{field!r} is not a field of the layer; use {choices} or "
                                   "one of [fields]")
                                 .format(field=p, choices=", ".join(BASE_COLUMNS)))
    internal = data.get("internal", False)
    if not isinstance(internal, bool):
        bad("internal", _("must be true or false, got {internal!r}").format(internal=internal))
    if len(problems) > start:
        return None
    return LayerSpec(
        name=name, role=role, source=str(source), geometry=str(geometry), title_zh=title["zh"],
        title_en=str(title.get("en", "")), action=action, works=tuple(works), theme=theme,
        purpose=purpose, popup=tuple(popup), fields=fields, style=style, path=shown,
        public_fields=tuple(public), internal=bool(internal),
    )


def _parse_fields(raw: object, bad: Callable[[str, str], None]) -> dict[str, FieldSpec]:
    """The ``[fields]`` table: name → :class:`FieldSpec` (a bare type string is accepted)."""
    if not isinstance(raw, dict):
        bad("fields", _("must be a table of fields, got {value!r}").format(value=raw))
        return {}
    fields: dict[str, FieldSpec] = {}
    for fname, spec in raw.items():
        if isinstance(spec, str):
            spec = {"type": spec}
        if not _FIELD.fullmatch(fname):
            bad(f"fields.{fname}", _("{field!r} is not a field name: letters, digits and _, "
                                     "starting with a letter, at most 40 characters")
                                   .format(field=fname))
            continue
        if not isinstance(spec, dict) or spec.get("type", "str") not in FIELD_TYPES:
            bad(f"fields.{fname}", _("type must be one of {choices}, got {spec!r}")
                                   .format(choices=", ".join(FIELD_TYPES), spec=spec))
            continue
        zh, en, req = spec.get("zh", ""), spec.get("en", ""), spec.get("required", False)
        if not isinstance(zh, str) or not isinstance(en, str) or not isinstance(req, bool):
            bad(f"fields.{fname}", _("zh and en must be texts and required true or false, got "
                                     "{spec!r}").format(spec=spec))
            continue
        fields[fname] = FieldSpec(fname, spec.get("type", "str"), zh, en, req)
    return fields


def _parse_style(raw: object, bad: Callable[[str, str], None]) -> dict[str, Any]:
    """The ``[style]`` table (its marker checked)."""
    if not isinstance(raw, dict):
        bad("style", _("must be a table, got {value!r}").format(value=raw))
        return {}
    _check_style(raw, bad)
    return raw


def _purpose(data: Mapping[str, Any], name: str, role: object, geometry: object,
             bad: Callable[[str, str], None]) -> str:
    """The layer's purpose: its ``purpose`` key, else its name when that is a purpose."""
    if "purpose" not in data:  # a layer named after a purpose, of its shape, has it
        shape = PURPOSE_SHAPES.get(name)
        return name if shape is not None and shape == (role, geometry) else ""
    purpose = data["purpose"]
    if purpose == "":
        return ""
    if purpose not in PURPOSES:
        bad("purpose", _('{purpose!r} must be one of {choices} (or "" for none); see '
                         "docs/workspace.md").format(purpose=purpose, choices=", ".join(PURPOSES)))
        return ""
    want_role, want_geometry = PURPOSE_SHAPES[purpose]
    if (role, geometry) != (want_role, want_geometry):
        bad("purpose", _("a {purpose!r} layer must have role = {want_role!r} and geometry = "
                         "{want_geometry!r}, this one has {role!r} and {geometry!r}")
                       .format(purpose=purpose, want_role=want_role, want_geometry=want_geometry,
                               role=role, geometry=geometry))
    return str(purpose)


def layers_for(layers: Mapping[str, LayerSpec], purpose: str) -> tuple[str, ...]:
    """The names of the layers whose purpose is ``purpose`` (a key of
    :data:`citymap.vocab.PURPOSES`), in name order.
    """
    if purpose not in PURPOSES:
        raise KeyError(_("{purpose!r} is not a layer purpose").format(purpose=purpose))
    return tuple(sorted(n for n, spec in layers.items() if spec.purpose == purpose))


def layer_for(layers: Mapping[str, LayerSpec], purpose: str) -> str | None:
    """The layer whose purpose is ``purpose`` (one of :data:`citymap.vocab.SINGLE_PURPOSES`),
    or None when the workspace has none.
    """
    if purpose not in SINGLE_PURPOSES:
        raise KeyError(_("{purpose!r} is not a purpose of one layer; use layers_for")
                       .format(purpose=purpose))
    found = layers_for(layers, purpose)
    return found[0] if found else None


def purposes_of(tomls: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
    """Purpose → layer names, from the text of layer definitions (layer name → TOML text),
    e.g. as a store keeps them. Definitions that do not parse have no purpose.
    """
    out: dict[str, list[str]] = {}
    for name, text in tomls.items():
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            continue
        spec = _parse(Path(f"layers/{name}.toml"), f"layers/{name}.toml", data, [])
        if spec is not None and spec.purpose:
            out.setdefault(spec.purpose, []).append(name)
    return {p: tuple(sorted(names)) for p, names in out.items()}


def _check_single(layers: Mapping[str, LayerSpec], problems: list[Problem]) -> None:
    for purpose in SINGLE_PURPOSES:
        found = layers_for(layers, purpose)
        for name in found[1:]:
            problems.append(Problem(layers[name].path, "", "purpose",
                                    _("{purpose!r} is already the purpose of layer {found!r}; "
                                      "one layer per workspace may have it")
                                    .format(purpose=purpose, found=found[0])))


def _check_style(style: Mapping[str, Any], bad: Callable[[str, str], None]) -> None:
    marker = style.get("marker", "circle")
    if marker not in MARKERS:
        bad("style.marker", _("{marker!r} must be one of {choices}")
                            .format(marker=marker, choices=", ".join(MARKERS)))
    for key in _STYLE_NUMBERS:
        v = style.get(key, 0)
        if (not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v)
                or not 0 <= v <= 100):
            bad(f"style.{key}", _("{value!r} must be a number (0–1 for opacities, pixels for "
                                  "weight and radius)").format(value=v))
    colors: list[tuple[str, object]] = [("style.color", style.get("color", "#000"))]
    status = style.get("status", {})
    if not isinstance(status, dict):
        bad("style.status", _("must be a table of {{color = '#rrggbb'}} per status, got "
                              "{status!r}").format(status=status))
        status = {}
    for k, v in status.items():
        colors.append((f"style.status.{k}", v.get("color") if isinstance(v, dict) else v))
    for key, color in colors:
        if not isinstance(color, str) or not _COLOR.fullmatch(color):
            bad(key, _("{color!r} must be a colour like '#1f78b4' or 'red'").format(color=color))


#: The folder of the layer definitions, in a workspace.
LAYERS_DIR = "layers"


def layer_files(root: str | Path) -> list[Path]:
    """The layer definitions of the workspace folder ``root`` (``layers/*.toml``), sorted."""
    return sorted((Path(root) / LAYERS_DIR).glob("*.toml"))


def load_layers(root: str | Path, problems: list[Problem] | None = None) -> dict[str, LayerSpec]:
    """Read every ``layers/*.toml`` below ``root``.

    Parameters
    ----------
    root
        The workspace folder.
    problems
        Where to add the problems found; when ``None`` they are raised at once.

    Returns
    -------
    dict
        Layer name → :class:`LayerSpec`, in file-name order.
    """
    root = Path(root)
    own = problems if problems is not None else []
    out: dict[str, LayerSpec] = {}
    for path in layer_files(root):
        shown = str(path.relative_to(root))
        try:
            data = tomllib.loads(read_bounded(path, shown=shown, kind="config").decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            own.append(Problem(shown, "", "", _("is not valid UTF-8 TOML: {error}")
                                              .format(error=exc)))
            continue
        except ValidationError as exc:
            own.extend(exc.problems)
            continue
        spec = _parse(path, shown, data, own)
        if spec is not None:
            out[spec.name] = spec
    _check_single(out, own)
    if problems is None and own:
        raise ValidationError(own)
    return out
