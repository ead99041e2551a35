"""Feature rows of the PostGIS store: GeoJSON features to COPY text and back, losslessly.

A feature's common properties (``id``, ``works``, ``name`` …) are stored in typed columns,
the layer's own fields in ``attrs`` (JSON) and any file value that is not in canonical
form in ``raw``, so that ``pull`` writes back the file as it was pushed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
import shapely.geometry

from citymap.errors import StoreError
from citymap.history import LOG_COLUMNS, StatusEvent, parse_date
from citymap.i18n import _
from citymap.io.csvsafe import escape_record
from citymap.sites import CONTEXT_COLUMNS, SITE_COLUMNS, parse_works

#: Key in ``sites.raw`` listing the common properties a feature does not have at all.
ABSENT = "__absent__"


def common_columns(role: str) -> tuple[str, ...]:
    return SITE_COLUMNS if role == "sites" else CONTEXT_COLUMNS


def _canonical(col: str, value: Any) -> Any:
    """The typed value stored in column ``col`` for a file value."""
    if value is None:
        return None
    if col == "works":
        return ";".join(map(str, parse_works(value)))
    if col == "year":
        return int(value)
    if col == "status_date":
        return parse_date(value)
    return str(value)


def file_value(col: str, value: Any) -> Any:
    """The JSON value written to the file for a stored column value."""
    if value is None:
        return None
    if col == "status_date" and isinstance(value, dt.date):
        return value.isoformat()
    return value


def _same_json(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def read_geojson(path: Path, shown: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise StoreError(_("{shown}: the store copies GeoJSON layer files and this one cannot be "
                           "read as GeoJSON ({error}); convert it to GeoJSON first")
                         .format(shown=shown, error=exc)) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise StoreError(_("{shown}: is not a GeoJSON FeatureCollection").format(shown=shown))
    features = data.get("features") or []
    return {k: v for k, v in data.items() if k != "features"}, list(features)


_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_NULL = "\\N"
#: EWKB: the type word's flag saying an SRID follows; 4326 as 4 little-endian bytes.
_EWKB_SRID_FLAG = 0x20000000
_SRID_HEX = (4326).to_bytes(4, "little").hex().upper()
#: Common columns whose canonical value is the file's text itself when that is a string.
_PLAIN_TEXT = frozenset({"id", "name", "status", "source", "kind"})
_MISSING = object()


def _copy_text(value: Any) -> str:
    r"""``value`` as a field of COPY's text format (``\N`` for None)."""
    if value is None:
        return _COPY_NULL
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPE)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _canonical_cached(col: str, value: Any, cache: dict[tuple[str, type, Any], tuple[Any, bool]]
                      ) -> tuple[Any, bool]:
    """``(canonical value, whether the file value is its canonical JSON form)``."""
    if col in _PLAIN_TEXT and type(value) is str:
        return value, True
    try:
        return cache[(col, type(value), value)]
    except KeyError:
        pass
    except TypeError:  # an unhashable file value (a list, an object)
        canon = _canonical(col, value)
        return canon, _same_json(file_value(col, canon), value)
    canon = _canonical(col, value)
    out = canon, _same_json(file_value(col, canon), value)
    cache[(col, type(value), value)] = out
    return out


def _ewkb_hex(geoms: Sequence[Any]) -> list[str]:
    """Hex EWKB with SRID 4326 of every geometry (vectorised WKB, SRID spliced in)."""
    if not len(geoms):
        return []
    wkb = shapely.to_wkb(np.asarray(geoms, dtype=object), hex=True, byte_order=1)
    heads: dict[str, str] = {}
    out = []
    for h in wkb:  # "01" (little endian), the type (4 bytes), the rest
        head = heads.get(h[:10])
        if head is None:
            kind = int.from_bytes(bytes.fromhex(h[2:10]), "little") | _EWKB_SRID_FLAG
            head = heads[h[:10]] = "01" + kind.to_bytes(4, "little").hex().upper() + _SRID_HEX
        out.append(head + h[10:])
    return out


def feature_chunks(key: str, layer: str, role: str, features: Sequence[Mapping[str, Any]],
                    order: dict[str, None], geoms: Sequence[Any] | None = None,
                    size: int = 20_000) -> Iterator[str]:
    """The COPY text (one line a feature) of one layer's features, ``size`` lines a chunk.

    Parameters
    ----------
    key, layer, role
        The workspace key, the layer and its role.
    features
        The GeoJSON features as read with :mod:`json`.
    order
        Filled with the property names in the order of the file.
    geoms
        The features' geometries, if already read (``load_workspace`` reads them exactly
        from the same file); else they are made from the GeoJSON.
    size
        Features per chunk (the server stores one chunk while the next is made).
    """
    common = common_columns(role)
    if geoms is None or len(geoms) != len(features):
        geoms = [shapely.geometry.shape(f["geometry"]) for f in features]
    head = f"{_copy_text(key)}\t{_copy_text(layer)}\t"
    cache: dict[tuple[str, type, Any], tuple[Any, bool]] = {}
    last_keys: tuple[str, ...] = ()
    for start in range(0, len(features), size):
        lines = []
        for ord_, feat, wkb in zip(range(start, start + size), features[start:start + size],
                                   _ewkb_hex(geoms[start:start + size]), strict=False):
            props = feat.get("properties") or {}
            keys = tuple(props)
            if keys != last_keys:
                for k in keys:
                    order.setdefault(k, None)
                last_keys = keys
            vals: list[str] = []
            raw: dict[str, Any] = {}
            for col in SITE_COLUMNS:
                if col not in common:
                    vals.append(_COPY_NULL)
                    continue
                v = props.get(col, _MISSING)
                if v is _MISSING:
                    raw.setdefault(ABSENT, []).append(col)
                    vals.append(_COPY_NULL)
                    continue
                canon, same = _canonical_cached(col, v, cache)
                if not same:
                    raw[col] = v
                vals.append(_copy_text(canon))
            attrs_ = {k: v for k, v in props.items() if k not in common}
            attrs_text = _copy_text(json.dumps(attrs_, ensure_ascii=False)) if attrs_ else "{}"
            raw_text = _copy_text(json.dumps(raw, ensure_ascii=False)) if raw else "{}"
            rest = "\t".join(vals[1:])
            lines.append(f"{head}{vals[0]}\t{ord_}\t{rest}\t{attrs_text}\t{raw_text}\t{wkb}\n")
        yield "".join(lines)


def collection_text(collection: Mapping[str, Any], features: Iterable[dict[str, Any]]) -> str:
    """A FeatureCollection, one feature a line (floats in their shortest exact form)."""
    head = {"type": "FeatureCollection", **{k: v for k, v in collection.items()}}
    parts = [json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [']
    feats = [json.dumps(f, ensure_ascii=False) for f in features]
    parts.append(",\n".join(feats))
    parts.append("]}\n")
    return "\n".join(parts) if feats else parts[0] + "]}\n"


def coords(geom: shapely.Geometry) -> dict[str, Any]:
    mapped: dict[str, Any] = shapely.geometry.mapping(geom)  # tuples: written as JSON lists
    return mapped


def status_log_text(events: Iterable[StatusEvent]) -> str:
    """The CSV text of a status log (header ``date,id,status,percent,note,unit,recorded_at``)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(LOG_COLUMNS), lineterminator="\n")
    w.writeheader()
    for e in events:
        w.writerow(escape_record(e.as_row()))
    return buf.getvalue()
