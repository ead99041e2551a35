"""citymap: map a county's city-quality plan — works, sites, progress, coverage, maps, exports.

The public API, in the order data flows (workspace → metrics → maps / exports)::

    ws = citymap.load_workspace(".")                  # validated register, sites, history
    res = citymap.compute_metrics(ws, year=2021)      # every target, zones, indicators
    citymap.build_maps(ws, "maps")                    # Leaflet maps (HTML)
    m = citymap.explore(ws, as_of="2021-12-31")       # a folium.Map for notebooks
    citymap.export_workspace(ws, "out", fmt="gpkg")   # GeoJSON / GeoPackage / Shapefile / CSV
    store = citymap.open_store(None, workspace=".")  # the folder; a URL for PostGIS
    citymap.import_sites(store.load(), "survey.shp", store=store, layer="old_communities")

Names are imported on first use, so ``import citymap`` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_workspace": "citymap.workspace",
    "Workspace": "citymap.workspace",
    "load_register": "citymap.register",
    "compute_metrics": "citymap.metrics",
    "write_metrics": "citymap.metrics.output",
    "build_maps": "citymap.render.build",
    "explore": "citymap.render.explore",
    "export_workspace": "citymap.io.export",
    "import_sites": "citymap.io.importer",
    "read_external": "citymap.io.importer",
    "open_store": "citymap.store",
    "CitymapError": "citymap.errors",
    "ValidationError": "citymap.errors",
}

__all__ = [
    "__version__",
    "load_workspace",
    "Workspace",
    "load_register",
    "compute_metrics",
    "write_metrics",
    "build_maps",
    "explore",
    "export_workspace",
    "import_sites",
    "read_external",
    "open_store",
    "CitymapError",
    "ValidationError",
]

if TYPE_CHECKING:
    from citymap.errors import CitymapError, ValidationError
    from citymap.io.export import export_workspace
    from citymap.io.importer import import_sites, read_external
    from citymap.metrics import compute_metrics
    from citymap.metrics.output import write_metrics
    from citymap.register import load_register
    from citymap.render.build import build_maps
    from citymap.render.explore import explore
    from citymap.store import open_store
    from citymap.workspace import Workspace, load_workspace


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'citymap' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
