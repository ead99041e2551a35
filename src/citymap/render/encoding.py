"""Compact encodings of the map's data: whole numbers as text, geometries, columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from citymap.errors import CitymapError
from citymap.i18n import _

__all__ = ["encode_ints", "decode_ints", "delta", "encode_geometries", "plain", "column"]

_SCALE = 1_000_000  # 6 decimals


def encode_ints(values: npt.ArrayLike) -> str:
    """Encode whole numbers as text: zigzag, 5-bit groups, characters ``?``…``~``.

    The encoding of Google's polyline format without the delta step; small numbers take
    one character. :func:`decode_ints` (and ``decodeInts`` in the map's script) invert it.
    """
    v = np.asarray(values, dtype=np.int64).reshape(-1)
    if v.size == 0:
        return ""
    z = ((v << 1) ^ (v >> 63)).astype(np.uint64)
    nchunks = np.ones(v.size, dtype=np.int64)
    t = z >> np.uint64(5)
    while t.any():
        nchunks += t > 0
        t >>= np.uint64(5)
    starts = np.cumsum(nchunks) - nchunks
    out = np.empty(int(nchunks.sum()), dtype=np.uint8)
    for k in range(int(nchunks.max())):
        m = nchunks > k
        chunk = (z[m] >> np.uint64(5 * k)) & np.uint64(31)
        more = (nchunks[m] > k + 1).astype(np.uint64) << np.uint64(5)
        out[starts[m] + k] = (chunk | more) + np.uint64(63)
    return out.tobytes().decode("ascii")


def decode_ints(text: str) -> list[int]:
    """Decode :func:`encode_ints`."""
    out = []
    r = shift = 0
    for ch in text:
        b = ord(ch) - 63
        r |= (b & 31) << shift
        shift += 5
        if b < 32:
            out.append(~(r >> 1) if r & 1 else r >> 1)
            r = shift = 0
    return out


def delta(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Differences along the first axis (the first row kept)."""
    return np.diff(values, prepend=np.zeros((1, *values.shape[1:]), dtype=np.int64), axis=0)


def encode_geometries(geoms: npt.NDArray[np.object_], *, gcj02: bool = False) -> dict[str, str]:
    """Encode a layer's geometries (one type, possibly Multi-) compactly.

    Returns
    -------
    dict
        ``c``: every vertex as (lat, lon) × 10⁶, delta-coded across the whole layer;
        ``np``: parts per feature (left out when all are 1); ``nr``: rings per polygon
        (left out when all are 1); ``nc``: vertices per line or ring (rings not closed).
    """
    geoms = np.asarray(geoms, dtype=object)
    n = len(geoms)
    parts, pidx = shapely.get_parts(geoms, return_index=True)
    nparts = np.bincount(pidx, minlength=n)
    out: dict[str, str] = {}
    kinds = set(shapely.get_type_id(parts).tolist())
    if kinds <= {0}:
        coords = shapely.get_coordinates(parts)
    elif kinds <= {1, 2}:
        coords = shapely.get_coordinates(parts)
        out["nc"] = encode_ints(shapely.get_num_coordinates(parts))
    elif kinds <= {3}:
        parts = shapely.orient_polygons(parts)  # shells one way, holes the other: nonzero fill
        rings, ridx = shapely.get_rings(parts, return_index=True)
        nrings = np.bincount(ridx, minlength=len(parts))
        ncoords = shapely.get_num_coordinates(rings)
        coords = shapely.get_coordinates(rings)
        keep = np.ones(len(coords), dtype=bool)
        keep[np.cumsum(ncoords) - 1] = False  # the closing vertex repeats the first
        coords = coords[keep]
        out["nc"] = encode_ints(ncoords - 1)
        if (nrings != 1).any():
            out["nr"] = encode_ints(nrings)
    else:
        raise CitymapError(_("cannot draw geometry types {kinds} together in one layer")
                           .format(kinds=sorted(kinds)))
    if (nparts != 1).any():
        out["np"] = encode_ints(nparts)
    if gcj02 and len(coords):
        from citymap.gcj02 import wgs84_to_gcj02

        x, y = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        coords = np.column_stack([x, y])
    ints = np.rint(coords[:, ::-1] * _SCALE).astype(np.int64) if len(coords) else \
        np.zeros((0, 2), dtype=np.int64)
    out["c"] = encode_ints(delta(ints).reshape(-1))
    return out


def plain(v: Any) -> Any:
    """A cell as a JSON value (NaN/NA → None, dates → ISO text, numpy → Python)."""
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        if np.isnan(v):
            return None
        return int(v) if v.is_integer() and abs(v) < 2**53 else round(v, 6)
    if isinstance(v, dt.date | pd.Timestamp):
        return v.isoformat()[:10]
    if isinstance(v, bool | int | str):
        return v
    return str(v)


def column(values: pd.Series) -> Any:
    """A column as a list, or dictionary-coded ``{"d": values, "i": encoded indices}``."""
    vals = [plain(v) for v in values]
    n = len(vals)
    if n < 8:
        return vals
    table: dict[Any, int] = {}
    idx = np.empty(n, dtype=np.int64)
    for k, v in enumerate(vals):
        key = (type(v).__name__, v)
        j = table.get(key)
        if j is None:
            j = table[key] = len(table)
            if len(table) > max(16, n // 4):
                return vals
        idx[k] = j
    return {"d": [v for _, v in table], "i": encode_ints(idx)}
