"""The send log ``geo/remind_log.csv``: who was reminded of what, so nobody is told twice.

Append-only UTF-8 CSV, one row per item, level and recipient sent
(``sent_at,as_of,item,unit,level,recipient,channel``). Written like the status log: under
its exclusive lock (``fcntl.flock`` on ``geo/.remind_log.lock``), the old bytes unchanged
and the new rows after them, through an atomic rewrite.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import attrs

from citymap.errors import Problem, ValidationError, shorten
from citymap.io.atomic import write_bytes
from citymap.io.csvsafe import escape_row, unescape_cell
from citymap.limits import read_bounded

__all__ = ["SENT_COLUMNS", "Sent", "read_sent", "append_sent"]

SENT_COLUMNS = ("sent_at", "as_of", "item", "unit", "level", "recipient", "channel")


@attrs.frozen
class Sent:
    """One row of the send log."""

    sent_at: str
    as_of: str
    item: str
    unit: str
    level: int
    recipient: str
    channel: str

    @property
    def key(self) -> tuple[str, str, int, str]:
        """What makes a reminder the same one: item, unit, level, recipient."""
        return (self.item, self.unit, self.level, self.recipient)


def read_sent(path: Path, *, shown: str) -> list[Sent]:
    """The rows of the send log (none when it does not exist).

    Raises
    ------
    ValidationError
        If a row is damaged (file, row, field).
    """
    if not path.exists():
        return []
    try:
        text = read_bounded(path, shown=shown, kind="log").decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError([Problem(shown, "", "", "is not UTF-8")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in SENT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError([Problem(shown, "header", ", ".join(missing),
                                       "missing columns; the send log was edited by hand — "
                                       "restore it from the backup")])
    out = []
    try:
        rows = [{k: unescape_cell(v or "") for k, v in r.items() if k is not None}
                for r in reader]
    except csv.Error as exc:
        raise ValidationError([Problem(shown, f"row {reader.line_num}", "", f"is not valid "
                                       f"CSV ({shorten(str(exc))}); restore the send log from "
                                       "the backup")]) from None
    for n, row in enumerate(rows, start=2):
        try:
            level = int(row["level"])
        except (TypeError, ValueError):
            raise ValidationError([Problem(shown, f"row {n}", "level", f"{row['level']!r} "
                                           "is not 1, 2 or 3")]) from None
        out.append(Sent(row["sent_at"], row["as_of"], row["item"], row["unit"], level,
                        row["recipient"], row["channel"]))
    return out


def append_sent(path: Path, rows: Iterable[Sent]) -> None:
    """Append ``rows`` (call under :func:`citymap.io.lock.log_lock` of ``path``)."""
    old = path.read_bytes() if path.exists() else b""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if not old.strip():
        old = b""
        writer.writerow(SENT_COLUMNS)
    elif not old.endswith(b"\n"):
        old += b"\n"
    for r in rows:
        writer.writerow(escape_row([r.sent_at, r.as_of, r.item, r.unit, r.level, r.recipient,
                                    r.channel]))
    write_bytes(path, old + buf.getvalue().encode("utf-8"))
