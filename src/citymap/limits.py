"""Limits on what citymap reads, so that one hostile file cannot poison or exhaust a workspace.

Every workspace file is checked *before* it is parsed (:func:`read_bounded`): it must be a
regular file (not a FIFO, a device or a symlink to ``/dev/zero``), lie inside the
workspace once symlinks are resolved (:func:`inside_workspace`), and be no larger than
its cap in :data:`FILE_CAPS`. Every id follows one rule (:func:`id_problem`) and every
text cell that reaches the status log is bounded (:data:`MAX_NOTE_CHARS`,
:data:`MAX_TEXT_CHARS`). The numbers are documented in docs/store.md ("Limits").
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePath

from citymap.errors import Problem, ValidationError, shorten
from citymap.i18n import N_, _

__all__ = [
    "MB",
    "FILE_CAPS",
    "MAX_ID_CHARS",
    "MAX_NOTE_CHARS",
    "MAX_TEXT_CHARS",
    "MAX_SHEET_ROWS",
    "MAX_XLSX_UNCOMPRESSED",
    "MAX_XLSX_MEMBERS",
    "ID_RULE",
    "id_problem",
    "text_problem",
    "shorten",
    "inside_workspace",
    "path_problem",
    "read_bounded",
    "check_regular",
]

MB = 1024 * 1024
#: Largest size of each kind of workspace file, in bytes.
FILE_CAPS: dict[str, int] = {
    "config": 1 * MB,      # citymap.toml, layers/*.toml
    "register": 4 * MB,    # geo/register.yaml
    "layer": 200 * MB,     # a site or context layer (GeoJSON or another GDAL format)
    "log": 100 * MB,       # geo/status_log.csv
    "sheet": 20 * MB,      # a progress .xlsx/.csv as handed in
}
#: What each kind of file is called in a message.
FILE_KINDS: dict[str, str] = {
    "config": N_("a configuration file"),
    "register": N_("the register"),
    "layer": N_("a layer file"),
    "log": N_("the status log"),
    "sheet": N_("a progress sheet"),
}
#: Longest id (site id; work numbers are numbers).
MAX_ID_CHARS = 64
#: Longest note of a status event / progress row.
MAX_NOTE_CHARS = 2000
#: Longest other text cell (unit, status, date, percent, recorded_at).
MAX_TEXT_CHARS = 200
#: Most data rows of a progress sheet.
MAX_SHEET_ROWS = 20_000
#: Largest total uncompressed size of an .xlsx (checked before it is parsed).
MAX_XLSX_UNCOMPRESSED = 50 * MB
#: Most members of an .xlsx zip.
MAX_XLSX_MEMBERS = 500

ID_RULE = N_("an id is 1–64 characters: letters A–Z a–z, digits, '_', '-' and '.', starting "
             "with a letter or digit (e.g. OC-2021-01)")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")


def id_problem(value: object) -> str | None:
    """Why ``value`` is not a valid site id, or ``None`` when it is.

    The rule (:data:`ID_RULE`) refuses ``.``, ``..``, empty ids, ids with a newline, a NUL
    or a space, and ids over :data:`MAX_ID_CHARS` characters.

    Examples
    --------
    >>> id_problem("OC-2021-01") is None
    True
    >>> id_problem("..")
    "'..' is not a valid id: an id is 1–64 characters: letters A–Z a–z, digits, '_', '-' \
and '.', starting with a letter or digit (e.g. OC-2021-01)"
    """
    text = str(value)
    if _ID.fullmatch(text):
        return None
    return (_("{text!r} is not a valid id: {rule}")
            .format(text=shorten(text, 40), rule=_(ID_RULE)))


def text_problem(value: str, *, limit: int = MAX_TEXT_CHARS) -> str | None:
    """Why a text cell is refused (too long, or holding a NUL), or ``None``."""
    if len(value) > limit:
        return (_("has {n} characters; at most {limit} are allowed — shorten it")
                .format(n=len(value), limit=limit))
    if "\x00" in value:
        return _("holds a NUL character; remove it")
    return None


def path_problem(root: Path, value: str) -> str | None:
    """Why the configured path ``value`` is not a file inside the workspace ``root``, or ``None``.

    Refused: an absolute path, a path with ``..``, a NUL, and a path that a symlink (of
    the file or of any folder on the way) takes outside ``root``.
    """
    if "\x00" in value:
        return _("{value!r} holds a NUL character").format(value=value)
    pure = PurePath(value)
    if pure.is_absolute() or value.startswith("~"):
        return (_("{value!r} is absolute; give a path inside the workspace, relative to "
                   "citymap.toml (e.g. geo/sites/parks.geojson)").format(value=value))
    if ".." in pure.parts:
        return (_("{value!r} goes up with '..'; give a path inside the workspace")
                .format(value=value))
    try:
        real_root = root.resolve()
        real = (root / value).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        return _("{value!r} cannot be resolved: {error}").format(value=value, error=exc)
    if real != real_root and real_root not in real.parents:
        return (_("{value!r} leads outside the workspace (a symlink to {real!r})")
                .format(value=value, real=str(real)))
    return None


def inside_workspace(root: Path, value: str, *, where: str, item: str,
                     field: str) -> Problem | None:
    """:func:`path_problem` as a :class:`Problem` (or ``None``)."""
    why = path_problem(root, value)
    return None if why is None else Problem(where, item, field, why)


def check_regular(path: Path, *, shown: str, kind: str) -> int:
    """Refuse ``path`` unless it is a regular file no larger than ``FILE_CAPS[kind]``.

    Symlinks are followed (a layer may be a link inside the workspace); what they lead to
    must be a regular file. Nothing is read.

    Returns
    -------
    int
        The size in bytes.

    Raises
    ------
    ValidationError
        One line naming the file and what it is.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ValidationError([Problem(shown, "", "", _("file not found"))]) from None
    except OSError as exc:
        raise ValidationError([Problem(shown, "", "", _("cannot be read: {strerror}")
                                                      .format(strerror=exc.strerror))]) \
            from None
    if not stat.S_ISREG(st.st_mode):
        what = (_("a folder") if stat.S_ISDIR(st.st_mode) else _("a pipe (FIFO)")
                if stat.S_ISFIFO(st.st_mode) else _("a device")
                if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else _("not a file"))
        raise ValidationError([Problem(shown, "", "", _("cannot be read: it is {what}, not a "
                                                        "regular file; replace it with the data "
                                                        "file").format(what=what))])
    cap = FILE_CAPS[kind]
    if st.st_size > cap:
        raise ValidationError([Problem(shown, "", "", _(
            "is {size:.1f} MB; at most {cap} MB is read for {kind}")
            .format(size=st.st_size / MB, cap=cap // MB, kind=_(FILE_KINDS[kind])))])
    return st.st_size


def read_bounded(path: Path, *, shown: str, kind: str) -> bytes:
    """The bytes of ``path`` after :func:`check_regular`; never more than the cap.

    The file is opened without blocking (a FIFO swapped in after the check cannot hang
    the read) and at most ``FILE_CAPS[kind] + 1`` bytes are read.
    """
    check_regular(path, shown=shown, kind=kind)
    cap = FILE_CAPS[kind]
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise ValidationError([Problem(shown, "", "", _("cannot be read: {strerror}")
                                                      .format(strerror=exc.strerror))]) \
            from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise ValidationError([Problem(shown, "", "", _("is not a regular file"))])
        # read what is there (and one byte more, to see growth) — never a buffer of the cap
        data = fh.read(min(cap, st.st_size) + 1)
        if len(data) > st.st_size:
            data += fh.read(cap + 1 - len(data))
    if len(data) > cap:
        raise ValidationError([Problem(shown, "", "", _("is larger than {cap} MB, the most "
                                                        "read for {kind}")
                                                      .format(cap=cap // MB,
                                                              kind=_(FILE_KINDS[kind])))])
    return data
