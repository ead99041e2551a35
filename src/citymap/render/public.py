"""The public view: a map's blob with only what may be published.

:func:`public_blob` takes the blob of a map (:func:`citymap.render.map.map_data`) and

* leaves out the layers marked ``internal = true`` in ``layers/*.toml``;
* keeps of every other layer only the fields listed in its ``public_fields`` (none by
  default): the site's geometry and its status on each date are always shown; ids not
  listed are replaced by the feature's number in the layer; status dates and the targets a
  site counts toward only when ``status_date`` / ``works`` are listed;
* rounds every coordinate (geometries, bounds, view) to ``[publish] coordinate_decimals``;
* drops the links to the unit and action maps and the metrics warnings (they name sites).

The residential parcels of the park service-radius layer follow the residential layer's
``public_fields`` and ``internal``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np

from citymap.layers import LayerSpec
from citymap.render.map import SERVICE_LAYER, decode_ints, encode_ints
from citymap.workspace import Workspace

__all__ = ["public_blob", "round_encoded"]

_SCALE_DIGITS = 6  # the blob's coordinates are integers × 10⁶


def round_encoded(text: str, decimals: int) -> str:
    """Round the delta-coded coordinates of a blob (``g.c``) to ``decimals`` decimals."""
    if not text or decimals >= _SCALE_DIGITS:
        return text
    ints = np.cumsum(np.asarray(decode_ints(text), dtype=np.int64).reshape(-1, 2), axis=0)
    step = 10 ** (_SCALE_DIGITS - decimals)
    # round half away from zero, in integers (no float error)
    rounded = np.sign(ints) * ((np.abs(ints) + step // 2) // step) * step
    delta = np.diff(rounded, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return encode_ints(delta.reshape(-1))


def _spec_of(ws: Workspace, entry: Mapping[str, Any]) -> LayerSpec | None:
    if entry.get("role") == "service":
        from citymap.metrics.density import find_context

        name = find_context(list(ws.data), "residential")
        return ws.layers.get(name) if name else None
    return ws.layers.get(str(entry["name"]))


def _public_layer(entry: dict[str, Any], spec: LayerSpec, decimals: int) -> dict[str, Any]:
    allowed = set(spec.public_fields)
    out = dict(entry)
    n = int(entry["n"])
    cols = {k: v for k, v in entry.get("cols", {}).items() if k in allowed}
    if "id" not in allowed:
        cols["id"] = [str(k + 1) for k in range(n)]
    out["cols"] = cols
    if "f" in out:
        out["f"] = [f for f in out["f"] if f[0] in allowed]
    if "status_date" not in allowed:
        out.pop("sd", None)
    if "works" not in allowed:
        out.pop("tg", None)
    g = dict(out["g"])
    g["c"] = round_encoded(g.get("c", ""), decimals)
    out["g"] = g
    return out


def _round_box(box: Any, decimals: int) -> Any:
    if box is None:
        return None
    return [[round(float(v), decimals) for v in corner] for corner in box]


def public_blob(data: Mapping[str, Any], ws: Workspace, *, decimals: int,
                label: str = "") -> dict[str, Any]:
    """The public version of a map's blob (see the module notes).

    Parameters
    ----------
    data
        The blob of the internal map.
    ws
        The workspace (its layer definitions say what is public).
    decimals
        Coordinates are rounded to this many decimals.
    label
        Added to the map's subtitle (e.g. ``公开版``).

    Returns
    -------
    dict
        A new blob; ``data`` is not changed.
    """
    out = copy.deepcopy(dict(data))
    layers = []
    for entry in out["layers"]:
        spec = _spec_of(ws, entry)
        if spec is None or spec.internal:
            continue
        layers.append(_public_layer(entry, spec, decimals))
    out["layers"] = layers
    if not any("works" in L["cols"] for L in layers if L.get("name") != SERVICE_LAYER):
        out["works"] = {}
    out["bounds"] = _round_box(out.get("bounds"), decimals)
    if out.get("fit") is not None:
        out["fit"] = _round_box(out["fit"], decimals)
    if out.get("view"):
        v = out["view"]
        out["view"] = [round(float(v[0]), decimals), round(float(v[1]), decimals), v[2]]
    out["links"] = []
    out["home"] = None
    for p in out.get("panel", []):
        if isinstance(p, dict):
            p.pop("warn", None)
    if label:
        out["subtitle"] = f"{out.get('subtitle') or ''} · {label}".strip(" ·")
    out["public"] = True
    return out
