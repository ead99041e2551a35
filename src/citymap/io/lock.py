"""An exclusive lock beside a file that is rewritten atomically (status log, photo index).

The lock is ``fcntl.flock`` on ``.<stem>.lock`` in the file's folder: that file is never
replaced (the data file is), so every writer locks the same inode, and the operating system
releases the lock when the process ends, even when it is killed.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from citymap.errors import WorkspaceError
from citymap.i18n import _

__all__ = ["log_lock"]


def _lock_path(log_path: Path) -> Path:
    return log_path.parent / f".{log_path.stem}.lock"


@contextlib.contextmanager
def log_lock(log_path: str | Path, *, timeout: float = 120.0) -> Iterator[Path]:
    """Hold the exclusive lock of a status log (``fcntl.flock`` on ``.<stem>.lock`` beside it).

    The lock file is never replaced (the log is), so every writer locks the same inode.
    The operating system releases the lock when the process ends, even when it is killed.

    Raises
    ------
    WorkspaceError
        If the lock cannot be had within ``timeout`` seconds or the folder is not writable.
    """
    path = _lock_path(Path(log_path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WorkspaceError(_("{path!r}: cannot open the lock file: {strerror}")
                             .format(path=str(path), strerror=exc.strerror)) \
            from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise WorkspaceError(_("{path!r}: cannot lock: {strerror}")
                                         .format(path=str(path), strerror=exc.strerror)) \
                        from None
                if time.monotonic() > deadline:
                    raise WorkspaceError(
                        _("{path!r}: another citymap process has held the status log for more "
                          "than {timeout:g} s; try again when it has finished")
                        .format(path=str(path), timeout=timeout)) from None
                time.sleep(0.05)
        try:
            yield path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
