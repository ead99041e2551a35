"""What a validated load accepted: a stamp of every file it read, kept outside the workspace.

When :func:`load_validated` (the folder store's ``load``) finds a workspace valid, it
remembers a stamp of every file the load read — ``citymap.toml``, the register, every
``layers/*.toml`` (and which there are), each layer's source and the status log (or that
there is none) — as path, size, ``mtime_ns`` and SHA-256 of the content, with the day the
dates were checked against and a fingerprint of the citymap code that checked them. The
stamp lives in the user's cache (``$XDG_CACHE_HOME`` or ``~/.cache``, then
``citymap/<hash of the resolved folder>.json``), written atomically; a cache that cannot be
written only means no stamp.

:func:`load_records` gives what the status on a date needs (``citymap tasks``, ``citymap
show``): when the stamp matches every file exactly (same set of layer definitions, same size,
time and content hash of each file, before and after reading them), it reads the records
without geometry (:func:`citymap.workspace.read_records`: no geopandas, shapely, pyproj or
pyogrio); otherwise — any change, a new or removed file, a stamp of other code, a corrupt or
foreign cache file, a layer that is not GeoJSON — it runs the validated load (which reports
problems exactly as always, and stamps the files when they pass).

Files changed within a second before the load started are not stamped (their content may
have changed under the load, as git treats "racily clean" index entries); the next load
stamps them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import time
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from citymap.errors import CitymapError

if TYPE_CHECKING:
    from citymap.workspace import Workspace, WorkspaceRecords

__all__ = ["cache_dir", "stamp_path", "load_validated", "load_records"]

FORMAT = "citymap validated-files stamp"
VERSION = 1
#: Files changed this close before the load started are not stamped (racy: see above).
RACY_NS = 1_000_000_000
#: A cache file larger than this is not one of ours.
MAX_STAMP_BYTES = 4 * 1024 * 1024

_FileStamp = dict[str, Any] | None


def cache_dir() -> Path:
    """The user's cache folder of citymap: ``$XDG_CACHE_HOME/citymap`` or ``~/.cache/citymap``."""
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base and os.path.isabs(base) else Path.home() / ".cache") / "citymap"


def stamp_path(root: Path) -> Path:
    """Where the stamp of the workspace folder ``root`` is kept."""
    key = hashlib.sha256(str(Path(root).resolve()).encode("utf-8", "surrogateescape"))
    return cache_dir() / f"{key.hexdigest()[:32]}.json"


@functools.cache
def _code() -> str:
    """A fingerprint of the citymap code: its version and every module's size and time."""
    import citymap

    pkg = Path(citymap.__file__).resolve().parent
    h = hashlib.sha256(citymap.__version__.encode())
    for path in sorted(pkg.rglob("*.py")):
        st = path.stat()
        h.update(f"{path.relative_to(pkg)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _names(ws: WorkspaceRecords) -> list[str]:
    """Every file the validated load of ``ws`` read (:meth:`WorkspaceRecords.loaded_files`),
    relative to its folder, each once.
    """
    root = Path(ws.root)
    return list(dict.fromkeys(p.relative_to(root).as_posix() for p in ws.loaded_files()))


def _layer_files(root: Path) -> list[str]:
    """The layer definitions there are now (as :func:`citymap.layers.load_layers` finds them)."""
    from citymap.layers import layer_files

    return [p.relative_to(root).as_posix() for p in layer_files(root)]


def _file_stamp(path: Path) -> _FileStamp:
    """Size, ``mtime_ns`` and SHA-256 of ``path``; ``None`` when there is no such file."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    with path.open("rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": digest}


def _stamps(root: Path, names: list[str]) -> dict[str, _FileStamp]:
    return {name: _file_stamp(root / name) for name in names}


def _remember(ws: Workspace, *, today: dt.date, started_ns: int) -> None:
    """Write the stamp of ``ws``'s files, unless one changed too recently or the cache is
    not writable (then there is simply no stamp).
    """
    from citymap.io.atomic import write_text

    root = Path(ws.root)
    target = stamp_path(root)
    try:
        files = _stamps(root, _names(ws))
        if any(s is not None and s["mtime_ns"] >= started_ns - RACY_NS for s in files.values()):
            target.unlink(missing_ok=True)  # an older stamp is no longer what was validated
            return
        doc = {"format": FORMAT, "version": VERSION, "root": str(root.resolve()),
               "code": _code(), "today": today.isoformat(), "layer_files": _layer_files(root),
               "files": files}
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text(target, json.dumps(doc, ensure_ascii=False, indent=1))
    except (OSError, CitymapError):
        return


def _read_stamp(root: Path) -> dict[str, Any] | None:
    """The stamp of ``root``, or ``None`` when there is none or it is not a stamp of ours for
    this folder and this code (corrupt, foreign, stale code).
    """
    path = stamp_path(root)
    try:
        if path.stat().st_size > MAX_STAMP_BYTES:
            return None
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(doc, dict) and doc.get("format") == FORMAT
            and doc.get("version") == VERSION and doc.get("root") == str(root.resolve())
            and doc.get("code") == _code() and isinstance(doc.get("today"), str)
            and isinstance(doc.get("layer_files"), list) and isinstance(doc.get("files"), dict)
            and all(isinstance(k, str) and _inside(k) and _valid_file_stamp(v)
                    for k, v in doc["files"].items())):
        return None
    try:
        dt.date.fromisoformat(doc["today"])
    except ValueError:
        return None
    return doc


def _inside(name: str) -> bool:
    """True for a path inside the workspace folder (what the load reads: relative, no ``..``)."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def _valid_file_stamp(value: object) -> bool:
    return value is None or (isinstance(value, dict) and set(value) == {"size", "mtime_ns",
                                                                        "sha256"}
                             and isinstance(value["size"], int)
                             and isinstance(value["mtime_ns"], int)
                             and isinstance(value["sha256"], str))


def _matches(root: Path, stamp: Mapping[str, Any], day: dt.date) -> bool:
    """True when every stamped file is exactly as stamped, the layer definitions are the
    same set, and the dates were checked against a day not after ``day``.
    """
    if dt.date.fromisoformat(stamp["today"]) > day or _layer_files(root) != stamp["layer_files"]:
        return False
    try:
        return bool(_stamps(root, list(stamp["files"])) == stamp["files"])
    except OSError:
        return False


def load_validated(root: str | os.PathLike[str] | None = None, *, repair: bool = False,
                   today: dt.date | None = None) -> Workspace:
    """:func:`citymap.workspace.load_workspace`, then remember the files it accepted.

    A load with ``repair`` stamps nothing (what it accepted is not what the files hold).
    """
    from citymap.workspace import load_workspace

    started = time.time_ns()
    ws = load_workspace(root, repair=repair, today=today)
    if not repair:
        _remember(ws, today=today or dt.date.today(), started_ns=started)
    return ws


def load_records(root: str | os.PathLike[str] | None = None, *,
                 today: dt.date | None = None) -> WorkspaceRecords:
    """What the status on a date needs: the records without geometry when the files are
    exactly those a validated load accepted, else the validated load itself.

    Both give the same :meth:`status_as_of`, ``register`` and ``config`` (a
    :class:`~citymap.workspace.Workspace` is a ``WorkspaceRecords``); the validated load
    raises :class:`~citymap.errors.ValidationError` for invalid files as always.
    """
    from citymap.errors import ValidationError
    from citymap.workspace import find_workspace, read_records

    folder = find_workspace(root)
    day = today or dt.date.today()
    stamp = _read_stamp(folder)
    if stamp is not None and _matches(folder, stamp, day):
        try:
            got = read_records(folder, today=day)
        except (ValidationError, OSError, ValueError):
            got = None
        if (got is not None
                and set(_names(got)) <= set(stamp["files"])
                and _matches(folder, stamp, day)):  # nothing changed while reading
            return got
    return load_validated(folder, today=today)
