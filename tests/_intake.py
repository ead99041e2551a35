"""Helpers for the intake tests: the CLI, a hash of a workspace tree, distances in metres."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from click.testing import CliRunner, Result
from pyproj import Transformer

from citymap.cli.main import cli

_TO_M = Transformer.from_crs("EPSG:4326", "EPSG:4548", always_xy=True)


def run(*args: Any) -> Result:
    """``citymap ARGS`` through click's runner."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def tree_hash(root: Path) -> str:
    """A hash of every file's path and bytes under ``root``."""
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def sites(root: Path, layer: str) -> dict[str, dict[str, Any]]:
    """The features of a workspace layer by name: properties + ``geometry`` (shapely)."""
    doc = json.loads((root / "geo" / "sites" / f"{layer}.geojson").read_text("utf-8"))
    return {f["properties"]["name"]: {**f["properties"],
                                      "geometry": shapely.geometry.shape(f["geometry"])}
            for f in doc["features"]}


def metres(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Hausdorff distance in metres (EPSG:4548) between two lon/lat geometries."""
    def proj(g: shapely.Geometry) -> shapely.Geometry:
        return shapely.transform(g, lambda c: np.column_stack(_TO_M.transform(c[:, 0],
                                                                               c[:, 1])))
    return float(shapely.hausdorff_distance(proj(a), proj(b)))
