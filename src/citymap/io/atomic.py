"""The one atomic-write helper every writer in citymap goes through.

A file is written to a temporary file in the same folder, flushed and fsynced, then
renamed over the target, so a reader sees either the old file or the new one, never a
half-written one, and a failure part-way leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from citymap.errors import CitymapError, WorkspaceError
from citymap.i18n import N_, _
from citymap.io.owned import PARTIAL, check_dir_replaceable, mark_dir, recover

__all__ = ["atomic_path", "atomic_dir", "write_text", "write_bytes", "write_with"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode_for(target: Path, *, folder: bool) -> int:
    """The mode the result should have: the replaced file's, else the umask's default.

    ``mkstemp``/``mkdtemp`` create private (0600/0700) entries; outputs are for sharing.
    """
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        return (0o777 if folder else 0o666) & ~_umask()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - some filesystems refuse to open folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _cannot_write(target: Path, exc: OSError) -> WorkspaceError:
    """One line for a failed write (a full disk, a read-only folder); nothing was left."""
    why = exc.strerror or str(exc)
    hint = {errno.ENOSPC: N_("free some space"), errno.EDQUOT: N_("free some space"),
            errno.EROFS: N_("the disk is read-only"),
            errno.EACCES: N_("check the folder's permissions"),
            errno.EPERM: N_("check the folder's permissions")}.get(exc.errno or 0, "")
    if hint:
        return WorkspaceError(_("{target!r}: cannot write: {why}; {hint}; nothing was changed")
                              .format(target=str(target), why=why, hint=_(hint)))
    return WorkspaceError(_("{target!r}: cannot write: {why}; nothing was changed")
                          .format(target=str(target), why=why))


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    The caller writes the whole file to the yielded path (with any library: pyogrio,
    openpyxl, ...). If the block raises, the temporary file is removed and ``target``
    is untouched.

    Parameters
    ----------
    target
        The file to create or replace.
    suffix
        Suffix of the temporary file; defaults to the target's, so that drivers that
        choose a format by extension see the right one.

    Examples
    --------
    >>> with atomic_path("out.gpkg") as tmp:  # doctest: +SKIP
    ...     gdf.to_file(tmp, driver="GPKG")
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkspaceError(_("{folder!r}: cannot create the folder: {strerror}")
                             .format(folder=str(folder), strerror=exc.strerror)) from None
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=suffix if suffix is not None else target.suffix,
            dir=folder,
        )
    except OSError as exc:
        raise _cannot_write(target, exc) from None
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # let the writer create it (some drivers refuse an existing file)
    try:
        yield tmp
        if tmp.is_file():
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.chmod(tmp, _mode_for(target, folder=False))
        elif not tmp.exists():
            raise WorkspaceError(_("{target!r}: the writer produced no file")
                                 .format(target=str(target)))
        os.replace(tmp, target)
        _fsync_dir(folder)
    except BaseException as exc:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, CitymapError):
            raise _cannot_write(target, exc) from None
        raise


@contextlib.contextmanager
def atomic_dir(target: str | os.PathLike[str], *, mark: str | None = "output") -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; swap it in for ``target`` on success.

    Used for multi-file outputs (a Shapefile set, a folder of maps). On failure the
    temporary folder is removed and the previous ``target`` stays as it was. The swap is
    two renames (old aside, new in), so ``target`` is missing for an instant; a reader
    never sees a half-written folder.

    Only a folder citymap made is ever replaced (:mod:`citymap.io.owned`): ``target``
    must be missing, empty, or hold the marker file ``.citymap-output``; the current
    folder (or one holding it), a file or a link is refused. What a killed earlier run
    left beside ``target`` is cleaned up first (:func:`citymap.io.owned.recover`).

    Parameters
    ----------
    target
        The folder to create or replace.
    mark
        The kind written into the marker of the new folder (``None``: no marker, e.g. a
        pulled workspace, which is the user's data, not an output).

    Raises
    ------
    WorkspaceError
        If ``target`` may not be replaced, or the folder cannot be written.
    """
    target = Path(os.path.abspath(target))
    recover(target)
    check_dir_replaceable(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-{os.getpid()}-",
                                    dir=target.parent))
        (tmp / PARTIAL).touch()
    except OSError as exc:
        raise WorkspaceError(_("{parent!r}: cannot create the folder: {strerror}")
                             .format(parent=str(target.parent), strerror=exc.strerror)) from None
    tmp.chmod(_mode_for(target, folder=True))
    try:
        yield tmp
        if mark is not None:
            mark_dir(tmp, mark)
        for f in tmp.rglob("*"):
            if f.is_file():
                with open(f, "rb+") as fh:
                    os.fsync(fh.fileno())
        check_dir_replaceable(target)  # nothing else appeared there meanwhile
        (tmp / PARTIAL).unlink()
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        _fsync_dir(target.parent)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, CitymapError):
            raise _cannot_write(target, exc) from None
        raise


def write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``target`` atomically (UTF-8 by default)."""
    write_bytes(target, text.encode(encoding))


def write_with(target: str | os.PathLike[str], writer: Callable[[Path], None]) -> None:
    """Call ``writer(tmp_path)`` and move the result over ``target`` atomically."""
    with atomic_path(target) as tmp:
        writer(tmp)
