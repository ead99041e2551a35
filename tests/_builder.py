"""The one workspace builder of the tests: every test workspace is written by
:func:`write_workspace`; the ``_ws*`` modules only hold the data of their workspace.

- :mod:`_ws_core`: 3 works (one plan-only), pocket parks, old communities, roads.
- :mod:`_ws_progress`: :mod:`_ws_core`'s workspace and spreadsheet helpers.
- :mod:`_ws`: the GIS interchange workspace (a polygon with a hole, a MultiPolygon, long
  field names).
- :mod:`_ws_maps`: the map workspace (a pilot zone, context layers, a status history).
- :mod:`_ws_metrics`: shapes drawn in EPSG:4548 metres, any layers, for known answers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

Feature = dict[str, Any]


def feature_collection(features: Sequence[Feature]) -> str:
    """A GeoJSON FeatureCollection of ``features`` (UTF-8 text, Chinese kept)."""
    return json.dumps({"type": "FeatureCollection", "features": list(features)},
                      ensure_ascii=False)


def write_geojson(path: Path, features: Sequence[Feature]) -> None:
    """Write ``features`` as a FeatureCollection, making the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(feature_collection(features), encoding="utf-8")


def layer_toml(name: str, *, geometry: str, role: str = "sites", works: Sequence[int] = (),
               action: int | None = None, title: tuple[str, str] | None = None,
               theme: str = "", purpose: str | None = None,
               fields: Mapping[str, str] | None = None) -> str:
    """The text of ``layers/<name>.toml`` (source ``geo/sites|context/<name>.geojson``)."""
    sub = "sites" if role == "sites" else "context"
    zh, en = title or (name, name)
    text = (f'name = "{name}"\nrole = "{role}"\nsource = "geo/{sub}/{name}.geojson"\n'
            f'geometry = "{geometry}"\ntitle = {{ zh = "{zh}", en = "{en}" }}\n')
    if role == "sites":
        text += (f"action = {action}\n" if action is not None else "") + f"works = {list(works)}\n"
    if theme:
        text += f'theme = "{theme}"\n'
    if purpose is not None:
        text += f'purpose = "{purpose}"\n'
    if fields:
        text += "[fields]\n" + "".join(f'{k} = {{ type = "{v}" }}\n' for k, v in fields.items())
    return text


def write_workspace(root: Path, *, config: str, register: str, layers: Mapping[str, str],
                    data: Mapping[str, Sequence[Feature] | str],
                    status_log: str | None = None) -> Path:
    """Write a workspace into ``root`` (created) and return it.

    Parameters
    ----------
    root
        The folder.
    config, register
        The text of ``citymap.toml`` and ``geo/register.yaml``.
    layers
        Layer name → the text of ``layers/<name>.toml``.
    data
        Path in the workspace (e.g. ``geo/sites/x.geojson``) → its features, or the whole
        file's text.
    status_log
        The text of ``geo/status_log.csv`` (none written when None).
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "citymap.toml").write_text(config, encoding="utf-8")
    (root / "geo").mkdir(exist_ok=True)
    (root / "geo" / "register.yaml").write_text(register, encoding="utf-8")
    (root / "layers").mkdir(exist_ok=True)
    for name, text in layers.items():
        (root / "layers" / f"{name}.toml").write_text(text, encoding="utf-8")
    for rel, content in data.items():
        path = root / rel
        if isinstance(content, str):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        else:
            write_geojson(path, content)
    if status_log is not None:
        (root / "geo" / "status_log.csv").write_text(status_log, encoding="utf-8")
    return root


#: The repository: the shipped Yangxin workspace.
SHIPPED = Path(__file__).resolve().parents[1]


def age_files(root: Path, seconds: int = 3600) -> Path:
    """Give every file below ``root`` a time ``seconds`` in the past (the folder store does
    not stamp files changed within a second of a load: :mod:`citymap.store.stamp`)."""
    when = int((dt.datetime.now().timestamp() - seconds) * 1e9)
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(when, when))
    return root


def copy_shipped(dest: Path) -> Path:
    """The shipped workspace (``citymap.toml``, ``geo/``, ``layers/``) copied to ``dest``,
    its files dated an hour ago."""
    dest.mkdir(parents=True)
    shutil.copy2(SHIPPED / "citymap.toml", dest / "citymap.toml")
    for sub in ("geo", "layers"):
        shutil.copytree(SHIPPED / sub, dest / sub)
    return age_files(dest)
