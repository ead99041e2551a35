"""Field mapping: the file's fields → the layer's, constants, defaults, generated ids.

A :class:`Mapping` is what a planner types (``--map 名称=name``, ``--set works=8``,
``--key 编号``) or saves in a small TOML/YAML file for the next delivery from the same
office (``--mapping 规划局.toml``)::

    layer = "pocket_parks"        # optional: the workspace layer
    key = "编号"                  # the field that tells a feature again on re-import
    crs = "EPSG:4527"             # optional: --crs, --encoding, --from, --source-layer
    [map]
    "名称" = "name"
    "建设年份" = "year"
    [set]
    source = "县自然资源规划局 2021 测绘"

Columns not mapped explicitly match by name (exactly, case-insensitively, through the
Shapefile 10-character rule of the export, through ``fields.csv``) or through a few common
Chinese headers (:data:`HEADER_SYNONYMS`). Fields the layer does not know are kept under
their own names.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import geopandas as gpd
import numpy as np
import shapely

from citymap.i18n import N_, _
from citymap.io.intake.formats import fail

if TYPE_CHECKING:
    from citymap.layers import LayerSpec

__all__ = ["Mapping", "HEADER_SYNONYMS", "parse_pairs", "load_mapping", "mapping_text",
           "fields_csv_mapping", "map_columns", "IdMaker", "match_existing"]

#: Common headers of department tables → site properties (used when not mapped).
HEADER_SYNONYMS: MappingABC[str, str] = {
    "名称": "name", "项目名称": "name", "名字": "name", "地名": "name",
    "年份": "year", "建设年份": "year", "实施年份": "year", "计划年份": "year", "年度": "year",
    "状态": "status", "建设状态": "status", "进展": "status", "进度状态": "status",
    "状态日期": "status_date", "日期": "status_date",
    "来源": "source", "数据来源": "source",
    "类型": "kind", "类别": "kind",
    "工程": "works", "工程编号": "works",
    "Text": "name",  # the label of a CAD polyline (DXF)
}
#: Columns an export adds that are not site data (dropped on import).
EXPORT_ONLY = ("work_name", "action", "action_name", "act_name", "lead_units", "lead_unit",
               "area_m2", "length_m")
_OPTIONS = ("layer", "key", "crs", "encoding", "from", "source_layer")


@attrs.frozen
class Mapping:
    """How a file's fields become a layer's: renames, constants, key and read options."""

    renames: tuple[tuple[str, str], ...] = ()
    constants: tuple[tuple[str, str], ...] = ()
    key: str | None = None
    options: tuple[tuple[str, str], ...] = ()

    def option(self, name: str) -> str | None:
        """A read option saved with the mapping (``layer``, ``crs``, …), if any."""
        return dict(self.options).get(name)

    def merged(self, other: Mapping) -> Mapping:
        """Merge: ``other``'s entries winning (the command line over a file)."""
        return Mapping(
            renames=tuple({**dict(self.renames), **dict(other.renames)}.items()),
            constants=tuple({**dict(self.constants), **dict(other.constants)}.items()),
            key=other.key or self.key,
            options=tuple({**dict(self.options), **dict(other.options)}.items()))


def parse_pairs(values: Iterable[str], *, option: str) -> tuple[tuple[str, str], ...]:
    """``["名称=name", "works=8"]`` → pairs; a value may hold ``=``, quotes are removed.

    Raises
    ------
    citymap.errors.ValidationError
        For an entry without ``=`` or with an empty side.
    """
    out = []
    for v in values:
        left, sep, right = v.partition("=")
        left, right = left.strip(), right.strip().strip('"').strip("'")
        if not sep or not left or (option == "--map" and not right):
            raise fail(option, _("{value!r} is not FIELD=VALUE; write e.g. {option} {example}")
                       .format(value=v, option=option,
                               example="名称=name" if option == "--map" else "works=8"),
                       field=option)
        out.append((left, right))
    return tuple(out)


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file (TOML, or YAML for ``.yaml``/``.yml``).

    Raises
    ------
    citymap.errors.ValidationError
        When the file is missing, not valid, or has an unknown key.
    """
    p = Path(path)
    shown = str(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise fail(shown, _("mapping file not found"), field="--mapping") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(shown, _("cannot be read as UTF-8 text: {error}")
                          .format(error=exc), field="--mapping") from None
    try:
        if p.suffix.lower() in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        else:
            data = tomllib.loads(text)
    except Exception as exc:  # noqa: BLE001 - TOML and YAML errors differ; one line either way
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise fail(shown, _("is not a valid mapping file: {msg}")
                          .format(msg=msg), field="--mapping") from None
    if not isinstance(data, dict):
        raise fail(shown, _("is not a mapping file: expected keys map, set, key, layer"),
                   field="--mapping")
    unknown = [k for k in data if k not in (*_OPTIONS, "map", "set")]
    if unknown:
        raise fail(shown, _("unknown key(s) {keys}; a mapping file has map, set and {options}")
                   .format(keys=", ".join(map(repr, unknown)), options=", ".join(_OPTIONS)),
                   field="--mapping")
    if data.get("from") not in (None, "gcj02"):
        raise fail(shown, _('from = {value!r}: the only conversion is "gcj02" (AMap/Gaode, '
                            "Tencent)").format(value=data["from"]), field="from")
    for table in ("map", "set"):
        if not isinstance(data.get(table, {}), dict):
            raise fail(shown, _("{table!r} must be a table of FIELD = VALUE")
                              .format(table=table), field=table)
    return Mapping(
        renames=tuple((str(k), str(v)) for k, v in (data.get("map") or {}).items()),
        constants=tuple((str(k), str(v)) for k, v in (data.get("set") or {}).items()),
        key=str(data["key"]) if data.get("key") else None,
        options=tuple((k, str(data[k])) for k in _OPTIONS if k != "key" and data.get(k)))


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def mapping_text(m: Mapping) -> str:
    """The mapping as a TOML file that :func:`load_mapping` reads back."""
    lines = ["# citymap import mapping (citymap import FILE --mapping THIS_FILE)"]
    opts = dict(m.options)
    if m.key:
        opts["key"] = m.key
    lines += [f"{k} = {_toml_str(v)}" for k, v in opts.items()]
    lines += ["", "[map]"] + [f"{_toml_str(a)} = {_toml_str(b)}" for a, b in m.renames]
    lines += ["", "[set]"] + [f"{_toml_str(a)} = {_toml_str(b)}" for a, b in m.constants]
    return "\n".join(lines) + "\n"


def fields_csv_mapping(path: Path, layer: str) -> dict[str, str]:
    """Shapefile field → column from a ``fields.csv`` beside ``path`` (citymap's export)."""
    f = path.parent / "fields.csv"
    if not f.is_file():
        return {}
    try:
        rows = list(csv.DictReader(f.read_text(encoding="utf-8-sig").splitlines()))
    except (UnicodeDecodeError, csv.Error):
        return {}
    out: dict[str, str] = {}
    for r in rows:
        files = (r.get("file") or "").split(";")
        if (r.get("layer") == layer or path.name in files) and r.get("shp_field") and \
                r.get("field"):
            out[r["shp_field"]] = r["field"]
    return out


def map_columns(columns: Iterable[str], spec: LayerSpec,
                extra: dict[str, str] | None = None,
                explicit: MappingABC[str, str] | None = None,
                ) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Map a file's column names onto ``spec``'s columns.

    Returns
    -------
    tuple
        ``(renames, kept, how)``: file column → layer column; the file's columns the layer
        does not know (kept under their own names); and for each mapped file column how it
        was matched (``--map``, ``name``, ``fields.csv``, ``Shapefile name``, ``header``).
    """
    from citymap.io.export import layer_columns, shapefile_field_names

    wanted = layer_columns(spec, joined=False)
    shp = {v: k for k, v in shapefile_field_names(layer_columns(spec, joined=True)).items()}
    lower = {c.lower(): c for c in wanted}
    shp_lower = {k.lower(): k for k in shp}
    cut = {c.encode("utf-8")[:10].decode("utf-8", "ignore").lower(): c for c in wanted}
    explicit = explicit or {}
    renames: dict[str, str] = {}
    how: dict[str, str] = {}
    kept: list[str] = []
    taken = set(explicit.values())
    cols = list(columns)
    for col in cols:
        if col in explicit:
            renames[col] = explicit[col]
            how[col] = "--map"
    for col in cols:
        if col in explicit:
            continue
        target, why = None, ""
        if col in wanted:
            target, why = col, N_("same name")
        elif extra and col in extra and extra[col] in wanted:
            target, why = extra[col], "fields.csv"
        elif col in shp:
            target, why = shp[col], N_("Shapefile name")
        elif col.lower() in lower:
            target, why = lower[col.lower()], N_("same name")
        elif col.lower() in shp_lower:
            target, why = shp[shp_lower[col.lower()]], N_("Shapefile name")
        elif col.lower() in cut:
            target, why = cut[col.lower()], N_("Shapefile name")
        elif col.strip() in HEADER_SYNONYMS:
            target, why = HEADER_SYNONYMS[col.strip()], N_("header synonym")
        if target is not None and target not in wanted:
            target = None  # an export's joined column: not site data
        if target is None or target in taken:
            if not _export_only(col, shp):
                kept.append(col)
            continue
        taken.add(target)
        renames[col] = target
        how[col] = why
    return renames, kept, how


def _export_only(col: str, shp: MappingABC[str, str]) -> bool:
    """True for a column an export adds (under its own, its Shapefile or GDAL's cut name)."""
    cuts = {c.encode("utf-8")[:10].decode("utf-8", "ignore").lower() for c in EXPORT_ONLY}
    return col in EXPORT_ONLY or shp.get(col) in EXPORT_ONLY or col.lower() in cuts


# ----------------------------------------------------------------------------- ids


_ID_SHAPES = (re.compile(r"^(?P<p>[A-Za-z]+)-(?P<y>\d{4})-(?P<n>\d+)$"),
              re.compile(r"^(?P<p>[A-Za-z]+)-(?P<n>\d+)$"))


class IdMaker:
    """New ids in the pattern of a layer's ids (``PP-2021-07``, ``WC-12``), never reused.

    The pattern is the one most of the layer's ids follow; a layer without ids uses the
    initials of its name (``pocket_parks`` → ``PP-<year>-01``).
    """

    def __init__(self, layer: str, layer_ids: Sequence[str], all_ids: Iterable[str]) -> None:
        self.used = {str(i) for i in all_ids}
        shapes: Counter[int] = Counter()
        prefixes: Counter[str] = Counter()
        width = 2
        for i in layer_ids:
            for k, rx in enumerate(_ID_SHAPES):
                m = rx.match(str(i))
                if m:
                    shapes[k] += 1
                    prefixes[m["p"]] += 1
                    width = max(width, len(m["n"]))
                    break
        self.with_year = not shapes or shapes.most_common(1)[0][0] == 0
        self.prefix = prefixes.most_common(1)[0][0] if prefixes else "".join(
            w[0] for w in layer.split("_") if w).upper() or "S"
        self.width = width

    def new(self, year: Any) -> str:
        """The next free id for a site of ``year``."""
        stem = f"{self.prefix}-{year}-" if self.with_year and isinstance(year, int) else \
            f"{self.prefix}-"
        n = 1 + max((int(u[len(stem):]) for u in self.used
                     if u.startswith(stem) and u[len(stem):].isdigit()), default=0)
        out = f"{stem}{n:0{self.width}d}" if self.with_year else f"{stem}{n}"
        self.used.add(out)
        return out


def match_existing(incoming: gpd.GeoDataFrame, existing: gpd.GeoDataFrame, *,
                   key: str | None, measure_crs: str, tolerance_m: float = 1.0,
                   ) -> list[str | None]:
    """For each incoming feature, the id of the existing site it is, or ``None``.

    With ``key`` (a column both frames have) features are the same when the key values
    are; otherwise when the geometries lie within ``tolerance_m`` of each other
    (Hausdorff distance in ``measure_crs``).
    """
    out: list[str | None] = [None] * len(incoming)
    if not len(existing):
        return out
    if key is not None:
        if key not in existing.columns:
            return out
        index = {str(v).strip(): str(i) for v, i in zip(existing[key], existing["id"],
                                                        strict=True)
                 if v is not None and str(v).strip() and str(v) != "nan"}
        for k, v in enumerate(incoming[key]):
            if v is not None and str(v).strip():
                out[k] = index.get(str(v).strip())
        return out
    a = np.asarray(incoming.to_crs(measure_crs).geometry.values)
    b = np.asarray(existing.to_crs(measure_crs).geometry.values)
    tree = shapely.STRtree(b)
    ids = [str(i) for i in existing["id"]]
    taken: set[int] = set()
    for k, g in enumerate(a):
        if g is None or shapely.is_empty(g):
            continue
        for j in tree.query(g, predicate="dwithin", distance=tolerance_m):
            if int(j) not in taken and shapely.hausdorff_distance(g, b[j]) <= tolerance_m:
                out[k] = ids[int(j)]
                taken.add(int(j))
                break
    return out
