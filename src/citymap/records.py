"""Site records: a layer's attributes without its geometry (no geopandas, shapely, pyproj).

What the status of a date needs from a layer — ``id``, ``works``, ``name``, ``year``,
``status``, ``status_date``, ``source``, ``kind`` and the layer's own fields — in their
canonical columns and types. The validated load (:mod:`citymap.sites`,
:func:`citymap.workspace.load_workspace`) gives its GeoDataFrames these columns with
:func:`coerce_columns`; the records-only load (:func:`citymap.workspace.read_records`) reads
the same properties of the workspace's GeoJSON with :mod:`json` (:func:`geojson_features`,
:func:`feature_properties`, the same reader the validated load uses) and passes them through
the same :func:`coerce_columns`, so both give equal frames.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from citymap.errors import Problem, ValidationError
from citymap.history import parse_date
from citymap.i18n import _
from citymap.limits import read_bounded

if TYPE_CHECKING:
    from citymap.layers import LayerSpec

__all__ = [
    "SITE_COLUMNS",
    "CONTEXT_COLUMNS",
    "GEOJSON_SUFFIXES",
    "parse_works",
    "site_mask_for_work",
    "where_mask",
    "coerce_columns",
    "empty_records",
    "concat_sites",
    "geojson_features",
    "feature_properties",
    "read_geojson_records",
]

#: Properties every site has, in this order.
SITE_COLUMNS = ("id", "works", "name", "year", "status", "status_date", "source", "kind")
#: Properties every context feature has.
CONTEXT_COLUMNS = ("id", "name", "source")
#: Layer files read with :mod:`json` (the workspace's own GeoJSON); other formats need GDAL.
GEOJSON_SUFFIXES = (".geojson", ".json")

_Frame = TypeVar("_Frame", bound=pd.DataFrame)


def parse_works(value: object) -> tuple[int, ...]:
    """Parse the ``works`` property (``"16"``, ``"6;16"``, ``16``) into work numbers.

    Raises
    ------
    ValueError
        If a part is not a whole number.
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ()
    if isinstance(value, int | np.integer):
        return (int(value),)
    return _parse_works_text(str(value))


@functools.lru_cache(maxsize=4096)
def _parse_works_text(text: str) -> tuple[int, ...]:
    """:func:`parse_works` of a text (cached: a layer repeats a few values many times)."""
    text = text.strip()
    if not text:
        return ()
    out = []
    for part in re.split(r"[;,，；、\s]+", text):
        if part:
            if not part.isdigit():
                raise ValueError(_("{part!r} is not a work number").format(part=part))
            out.append(int(part))
    return tuple(out)


def is_missing(v: object) -> bool:
    """True for ``None``, NaN, ``pd.NA`` and ``pd.NaT``."""
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT


def record_columns(spec: LayerSpec) -> list[str]:
    """The canonical columns of ``spec``'s layer: the common ones, then its own fields."""
    return list(SITE_COLUMNS if spec.is_sites else CONTEXT_COLUMNS) + list(spec.fields)


def empty_records(spec: LayerSpec) -> pd.DataFrame:
    """An empty frame with the columns of ``spec``'s layer (no geometry)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in record_columns(spec)})


def coerce_columns(frame: _Frame, spec: LayerSpec, *, geometry: str | None = None) -> _Frame:
    """Give a checked layer its canonical columns and dtypes (works as text, year as int).

    ``geometry`` names the geometry column of a GeoDataFrame (kept last); a records frame
    has none. The attribute columns come out the same either way.
    """
    out = frame.copy()
    if spec.is_sites:
        for col in SITE_COLUMNS:
            if col not in out.columns:
                out[col] = None
        out["works"] = [";".join(map(str, parse_works(v))) for v in out["works"]]
        out["year"] = out["year"].astype(int)
        out["status_date"] = [parse_date(v).isoformat() for v in out["status_date"]]
        out["kind"] = [None if is_missing(v) else str(v) for v in out["kind"]]
    out["id"] = out["id"].astype(str)
    for fname in spec.fields:
        if fname not in out.columns:
            out[fname] = None
    front = list(SITE_COLUMNS if spec.is_sites else CONTEXT_COLUMNS)
    front = [c for c in front if c in out.columns]
    rest = [c for c in out.columns if c not in front and c != geometry]
    return out[[*front, *rest, *([geometry] if geometry else [])]]  # type: ignore[no-any-return]


def concat_sites(data: Mapping[str, pd.DataFrame], layers: Iterable[str], *,
                 geometry: bool = False) -> pd.DataFrame | None:
    """The sites of ``layers`` in one frame with a ``layer`` column, or ``None`` when none.

    With ``geometry``, each frame's geometry column is kept after the site columns.
    """
    frames = []
    for name in layers:
        frame = data[name]
        if len(frame):
            extra = [frame.geometry.name] if geometry else []
            frames.append(frame[[*SITE_COLUMNS, *extra]].assign(layer=name))
    return pd.concat(frames, ignore_index=True) if frames else None


def site_mask_for_work(works_col: pd.Series, work: int) -> np.ndarray:
    """Boolean mask of sites whose ``works`` (text column) includes ``work``."""
    return np.array([work in parse_works(v) for v in works_col], dtype=bool)


def where_mask(gdf: pd.DataFrame, where: Mapping[str, Sequence[str]] | Iterable[
        tuple[str, Sequence[str]]]) -> np.ndarray:
    """Boolean mask of rows matching a target's ``where`` filter (field in values)."""
    items = where.items() if isinstance(where, Mapping) else where
    mask = np.ones(len(gdf), dtype=bool)
    for field, values in items:
        if field not in gdf.columns:
            return np.zeros(len(gdf), dtype=bool)
        col = gdf[field].astype(str)
        mask &= col.isin([str(v) for v in values]).to_numpy()
    return mask


# ----------------------------------------------------------------------------- GeoJSON

def _refuse_constant(name: str) -> float:
    raise ValueError(_("{name} is not a JSON number (RFC 8259); write null or a number")
                     .format(name=name))


def _finite(text: str) -> float:
    value = float(text)
    if not np.isfinite(value):
        raise ValueError(_("{text!r} is too large for a number").format(text=text[:20]))
    return value


def geojson_features(path: Path, shown: str) -> list[Any]:
    """The features of one of the workspace's own GeoJSON files (numbers kept as written).

    Raises
    ------
    ValidationError
        When it is not UTF-8 JSON, not a FeatureCollection, not lon/lat or has no list of
        features (one line naming the file).
    """
    data = read_bounded(path, shown=shown, kind="layer")
    try:
        doc = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant,
                         parse_float=_finite)
    except UnicodeDecodeError:
        raise ValidationError([Problem(shown, "", "", _("is not UTF-8: GeoJSON must be UTF-8 "
                                                        "(RFC 7946)"))]) from None
    except json.JSONDecodeError as exc:
        raise ValidationError([Problem(shown, _("line {line}").format(line=exc.lineno), "",
                                       _("is not valid JSON: {error}").format(error=exc.msg))]) \
            from None
    except RecursionError:
        raise ValidationError([Problem(shown, "", "", _("is nested too deeply to be GeoJSON"))]) \
            from None
    except ValueError as exc:  # NaN/Infinity, or an integer of thousands of digits
        raise ValidationError([Problem(shown, "", "", _("is not valid JSON: {error}")
                                       .format(error=str(exc).splitlines()[0]))]) from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ValidationError([Problem(shown, "", "type",
                                       _("must be a GeoJSON FeatureCollection"))])
    crs = doc.get("crs")
    if crs is not None:
        props = crs.get("properties") if isinstance(crs, dict) else None
        name = str(props.get("name", "")) if isinstance(props, dict) else ""
        if not any(k in name for k in ("CRS84", "4326", "4490")):
            raise ValidationError([Problem(shown, "", "crs", _("{name!r}: workspace GeoJSON is "
                                                               "lon/lat (RFC 7946); bring other "
                                                               "CRSs in with `citymap import "
                                                               "--crs …`").format(name=name))])
    features = doc.get("features")
    if not isinstance(features, list):
        raise ValidationError([Problem(shown, "", "features", _("must be a list"))])
    return features


def feature_properties(feature: object, number: int, shown: str,
                       problems: list[Problem]) -> dict[str, Any]:
    """The properties of feature ``number`` (1-based) of a GeoJSON file (``{}`` when none).

    Properties that are not an object are a problem (added to ``problems``).
    """
    p = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
    if not isinstance(p, dict):
        problems.append(Problem(shown, _("feature #{index}").format(index=number), "properties",
                                _("must be an object, got {value!r}").format(value=str(p)[:40])))
        return {}
    return p


def records_frame(props: list[dict[str, Any]]) -> pd.DataFrame:
    """The properties of a layer's features as a frame, one row each, as written."""
    return pd.DataFrame.from_records(props) if props else pd.DataFrame()


def read_geojson_records(path: Path, spec: LayerSpec, *, shown: str) -> pd.DataFrame:
    """The canonical attribute columns of a workspace GeoJSON layer, without its geometry.

    Reads what :func:`citymap.sites.read_layer_file` reads (the same JSON reader) but
    builds no geometry and checks nothing beyond the file's shape: meant for a layer the
    validated load has accepted unchanged (:mod:`citymap.store.stamp`).
    """
    problems: list[Problem] = []
    props = [feature_properties(f, i, shown, problems)
             for i, f in enumerate(geojson_features(path, shown), start=1)]
    if problems:
        raise ValidationError(problems)
    frame = records_frame(props)
    return coerce_columns(frame if len(frame) else empty_records(spec), spec)
