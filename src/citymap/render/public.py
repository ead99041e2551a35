"""The public view: a map's blob (``citymap-map`` 2) with only what may be published.

:func:`public_blob` takes the blob of a map (:func:`citymap.render.map.map_data`) and

* leaves out the layers marked ``internal = true`` in ``layers/*.toml``;
* keeps of every other layer only the fields listed in its ``public_fields`` (none by
  default) — in the popups, the search and the data. What the map is about is always
  shown: each site's geometry, its status on every date of the time axis and its late mark
  (so the site's work numbers and planned year stay in the data as numbers, they decide the
  late mark). An ``id`` not listed is replaced by the feature's number in the layer; the
  targets a site counts toward only when ``works`` is listed; without ``status_date`` the
  status events are moved to the end of their month, so that no exact status date is
  published (the status at every month-end is unchanged);
* rounds every coordinate (geometries, bounds, view, zone labels) to
  ``[publish] coordinate_decimals``;
* drops the links to the unit and action maps and the metrics warnings (they name sites).

The residential parcels of the park service-radius layer follow the residential layer's
``public_fields`` and ``internal``.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np

from citymap.layers import LayerSpec
from citymap.render.encoding import decode_ints, delta, encode_ints
from citymap.render.timeline import EPOCH
from citymap.workspace import Workspace

__all__ = ["public_blob", "round_encoded", "month_end_days"]

_SCALE_DIGITS = 6  # the blob's coordinates are integers × 10⁶


def round_encoded(text: str, decimals: int) -> str:
    """Round the delta-coded coordinates of a blob (``geometry.c``) to ``decimals``."""
    if not text or decimals >= _SCALE_DIGITS:
        return text
    ints = np.cumsum(np.asarray(decode_ints(text), dtype=np.int64).reshape(-1, 2), axis=0)
    step = 10 ** (_SCALE_DIGITS - decimals)
    # round half away from zero, in integers (no float error)
    rounded = np.sign(ints) * ((np.abs(ints) + step // 2) // step) * step
    return encode_ints(delta(rounded).reshape(-1))


def month_end_days(text: str) -> str:
    """Delta-coded day numbers (``events.day``) moved to the last day of their month."""
    if not text:
        return text
    days = np.cumsum(np.asarray(decode_ints(text), dtype=np.int64))
    out = np.empty_like(days)
    cache: dict[int, int] = {}
    for k, n in enumerate(days.tolist()):
        v = cache.get(n)
        if v is None:
            d = EPOCH + dt.timedelta(days=n)
            end = dt.date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
            v = cache[n] = (end - EPOCH).days
        out[k] = v
    return encode_ints(delta(out))


def _spec_of(ws: Workspace, entry: Mapping[str, Any]) -> LayerSpec | None:
    if entry.get("role") == "service":
        from citymap.layers import layer_for

        name = layer_for(ws.layers, "residential")
        return ws.layers.get(name) if name else None
    return ws.layers.get(str(entry["name"]))


def _public_layer(entry: dict[str, Any], spec: LayerSpec, decimals: int) -> dict[str, Any]:
    allowed = set(spec.public_fields)
    out = dict(entry)
    n = int(entry["n"])
    cols = {k: v for k, v in entry.get("columns", {}).items() if k in allowed}
    if "id" not in allowed:
        cols["id"] = [str(k + 1) for k in range(n)]
    out["columns"] = cols
    if "fields" in out:
        out["fields"] = [f for f in out["fields"] if f["column"] in allowed]
    if "works" not in allowed:
        out.pop("targets", None)
    if "status_date" not in allowed and isinstance(out.get("events"), dict):
        ev = dict(out["events"])
        ev["day"] = month_end_days(ev.get("day", ""))
        out["events"] = ev
    g = dict(out["geometry"])
    g["c"] = round_encoded(g.get("c", ""), decimals)
    out["geometry"] = g
    if "labelAt" in out:
        out["labelAt"] = [[round(float(a), decimals), round(float(b), decimals)]
                          for a, b in out["labelAt"]]
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
    service = out.get("service")
    if service:
        spec = _spec_of(ws, service)
        out["service"] = (None if spec is None or spec.internal
                          else _public_layer(service, spec, decimals))
    out["bounds"] = _round_box(out.get("bounds"), decimals)
    if out.get("fit") is not None:
        out["fit"] = _round_box(out["fit"], decimals)
    if out.get("view"):
        v = out["view"]
        out["view"] = [round(float(v[0]), decimals), round(float(v[1]), decimals), v[2]]
    out["links"] = []
    out["home"] = None
    out["pending"] = None  # submissions not yet accepted are internal
    for p in out.get("panel", []):
        if isinstance(p, dict):
            p["warnings"] = []
    if label:
        out["subtitle"] = f"{out.get('subtitle') or ''} · {label}".strip(" ·")
    out["public"] = True
    return out
