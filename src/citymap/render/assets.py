"""The JavaScript libraries of the maps: carried by the package, copied beside the maps.

The libraries (Leaflet and two plugins) are declared in ``package.json`` at the repository
root and pinned in ``package-lock.json``. ``tools/vendor_assets.py`` copies the files the maps
use from the locked npm tarballs (their integrity checked) into ``render/vendor/`` — package
data, committed, so an installed wheel builds maps without npm or a network. Every build
copies them into ``maps/lib/`` beside the maps (:func:`copy_offline_bundle`), so every map
opens by double-click with no network at all. citymap's own script and style
(``render/templates/``) are inlined in each map. :func:`online_refs` (CDN links at the
locked versions) remains for pages served where a CDN is wanted.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import attrs

from citymap.errors import WorkspaceError

__all__ = [
    "VENDOR_DIR",
    "VENDOR_FILES",
    "VERSIONS",
    "AssetRefs",
    "Vendor",
    "copy_offline_bundle",
    "find_node_modules",
    "online_refs",
    "offline_refs",
    "app_script",
    "app_style",
]


@attrs.frozen
class Vendor:
    """One file of a JavaScript package the maps load.

    Attributes
    ----------
    package
        The npm package name.
    path
        The file inside the package.
    kind
        ``"js"`` or ``"css"``.
    assets
        Folders of the package the file refers to (images of a style sheet), copied with it.
    needs_tiles
        Only loaded when the map has a tiled base map (the minimap).
    """

    package: str
    path: str
    kind: str
    assets: tuple[str, ...] = ()
    needs_tiles: bool = False


#: The library files every map loads, in load order.
VENDOR_FILES: tuple[Vendor, ...] = (
    Vendor("leaflet", "dist/leaflet.css", "css", ("dist/images",)),
    Vendor("leaflet", "dist/leaflet.js", "js"),
    Vendor("leaflet.fullscreen", "dist/Control.FullScreen.css", "css"),
    Vendor("leaflet.fullscreen", "dist/Control.FullScreen.umd.js", "js"),
    Vendor("leaflet-minimap", "dist/Control.MiniMap.min.css", "css", ("dist/images",),
           needs_tiles=True),
    Vendor("leaflet-minimap", "dist/Control.MiniMap.min.js", "js", needs_tiles=True),
)

#: The vendored library files (package data, see ``tools/vendor_assets.py``).
VENDOR_DIR = Path(__file__).resolve().parent / "vendor"

#: Versions used for CDN links when no ``package-lock.json`` is found (keep in step with it).
VERSIONS: dict[str, str] = {"leaflet": "1.9.4", "leaflet.fullscreen": "5.3.3",
                            "leaflet-minimap": "3.6.1"}
CDN = "https://cdn.jsdelivr.net/npm"


@attrs.frozen
class AssetRefs:
    """Where one map loads its libraries from: script and style URLs, in order."""

    styles: tuple[str, ...] = ()
    scripts: tuple[str, ...] = ()


def _parts(folder: str, suffix: str) -> list[tuple[str, str]]:
    base = resources.files("citymap.render") / "templates" / folder
    names = sorted(p.name for p in base.iterdir() if p.name.endswith(suffix))
    return [(n, (base / n).read_text(encoding="utf-8")) for n in names]


def app_script() -> str:
    """The map script of citymap: ``templates/js/*.js`` in name order, in one function scope.

    The script is split by control (``00-core.js``, ``10-draw.js``, ``50-search.js`` …);
    the parts share one strict-mode function scope, so a part may use what an earlier
    part declared. A new control is a new file whose number places it in the order.
    """
    body = "\n".join(f"/* ---- {name} */\n{text}" for name, text in _parts("js", ".js"))
    return f"(function () {{\n'use strict';\n{body}\n}}());\n"


def app_style() -> str:
    """The map style of citymap: ``templates/css/*.css`` in name order."""
    return "\n".join(f"/* ---- {name} */\n{text}" for name, text in _parts("css", ".css"))


def _repo_roots(extra: Iterable[Path]) -> list[Path]:
    roots = [Path(p) for p in extra]
    here = Path(__file__).resolve()
    roots.extend(p for p in here.parents if (p / "package.json").is_file())
    return roots


def find_node_modules(*roots: Path) -> Path | None:
    """The ``node_modules`` folder holding Leaflet, or ``None`` if absent.

    ``$CITYMAP_NODE_MODULES`` if set, else the one beside the first ``package.json`` among
    ``roots`` and the source tree's parents.
    """
    env = os.environ.get("CITYMAP_NODE_MODULES")
    if env:
        return Path(env) if (Path(env) / "leaflet").is_dir() else None
    for root in _repo_roots(roots):
        nm = root / "node_modules"
        if (nm / "leaflet" / "package.json").is_file():
            return nm
    return None


def locked_versions(*roots: Path) -> dict[str, str]:
    """Package versions from the nearest ``package-lock.json`` (else :data:`VERSIONS`)."""
    for root in _repo_roots(roots):
        lock = root / "package-lock.json"
        if lock.is_file():
            try:
                pkgs = json.loads(lock.read_text(encoding="utf-8")).get("packages", {})
            except (OSError, ValueError):
                break
            found = {name: str(pkgs.get(f"node_modules/{name}", {}).get("version", ""))
                     for name in VERSIONS}
            return {k: v or VERSIONS[k] for k, v in found.items()}
    return dict(VERSIONS)


def _wanted(tiles: bool) -> list[Vendor]:
    return [v for v in VENDOR_FILES if tiles or not v.needs_tiles]


def online_refs(*, tiles: bool, roots: Iterable[Path] = ()) -> AssetRefs:
    """CDN links at the pinned versions (for maps opened with a network)."""
    versions = locked_versions(*roots)
    styles: list[str] = []
    scripts: list[str] = []
    for v in _wanted(tiles):
        url = f"{CDN}/{v.package}@{versions[v.package]}/{v.path}"
        (styles if v.kind == "css" else scripts).append(url)
    return AssetRefs(tuple(styles), tuple(scripts))


def copy_offline_bundle(dest: Path, *, tiles: bool, roots: Iterable[Path] = ()) -> None:
    """Copy the library files the maps use into ``dest`` (``maps/lib``).

    From the package's vendored copy (:data:`VENDOR_DIR`); ``roots`` is not used any more
    (the libraries no longer come from ``node_modules``).

    Raises
    ------
    WorkspaceError
        In one line when the installed package lacks its vendored libraries.
    """
    del roots
    for v in _wanted(tiles):
        src = VENDOR_DIR / v.package / v.path
        if not src.is_file():
            raise WorkspaceError(f"{str(src)!r} is missing: this citymap installation lacks "
                                 "its map libraries; reinstall citymap (or, in the source "
                                 "tree, run `python tools/vendor_assets.py`)")
        out = dest / v.package / Path(v.path).name
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, out)
        for folder in v.assets:
            sub = VENDOR_DIR / v.package / folder
            if sub.is_dir():
                shutil.copytree(sub, dest / v.package / Path(folder).name, dirs_exist_ok=True)


def offline_refs(prefix: str, *, tiles: bool) -> AssetRefs:
    """Relative links to the bundle copied by :func:`copy_offline_bundle`.

    Parameters
    ----------
    prefix
        The path from the map to ``lib/`` (``"lib"`` for ``index.html``, ``"../lib"`` below).
    tiles
        Whether the map has a tiled base map (then the minimap is loaded).
    """
    styles: list[str] = []
    scripts: list[str] = []
    for v in _wanted(tiles):
        url = f"{prefix}/{v.package}/{Path(v.path).name}"
        (styles if v.kind == "css" else scripts).append(url)
    return AssetRefs(tuple(styles), tuple(scripts))
