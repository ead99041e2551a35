"""Reminders (督办): who is told what, through which channel, and the send log.

:func:`citymap.supervise.reminders` finds what is behind; :func:`plan_messages` groups it
into one message per recipient; :func:`deliver` sends the messages not yet sent and logs
each item, level and recipient sent (``geo/remind_log.csv``), so that a second run sends
nothing new and a failed send is tried again next time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from citymap.history import now_stamp
from citymap.io.lock import log_lock
from citymap.remind.channels import SendError, send_message
from citymap.remind.config import Channel, Person, RemindConfig, load_remind_config
from citymap.remind.messages import Message, plan_messages, render, tail
from citymap.remind.sendlog import Sent, append_sent, read_sent

__all__ = ["Outcome", "deliver", "channel_of", "load_remind_config", "plan_messages",
           "render", "Message", "Person", "RemindConfig"]


@attrs.frozen
class Outcome:
    """What happened to one message.

    Attributes
    ----------
    message
        The message, with only the items not sent before.
    channel
        The channel name (``""`` when none).
    status
        ``"sent"``, ``"failed"``, ``"unsendable"`` (no person or no channel configured)
        or ``"dry-run"``.
    detail
        The reason of a failure, in one line.
    skipped
        Items left out because they were sent before.
    """

    message: Message
    channel: str
    status: str
    detail: str = ""
    skipped: int = 0


def channel_of(cfg: RemindConfig, person: Person) -> Channel | None:
    """The person's channel, else the default one, else ``None``."""
    name = person.channel or cfg.channel
    return cfg.channels.get(name) if name else None


def _key(item: Any, person: Person) -> tuple[str, str, int, str]:
    return (item.key, item.unit, item.level, person.name)


def deliver(
    root: str | Path,
    cfg: RemindConfig,
    messages: Sequence[Message],
    *,
    as_of: dt.date,
    workspace: str,
    schematic: bool,
    lang: str = "zh",
    dry_run: bool = False,
    send: Callable[..., None] = send_message,
) -> list[Outcome]:
    """Send every message's items not yet sent to its recipient, and log them.

    Under the send log's lock the log is read; each message loses the items already sent
    to its recipient at that level (a message left with none is not sent); each message
    that goes out is logged at once, item by item. A failed send is not logged.

    Raises
    ------
    WorkspaceError
        If the send log's lock cannot be had.
    ValidationError
        If the send log is damaged.
    """
    path = Path(root) / cfg.log
    out: list[Outcome] = []

    def run(write: bool) -> None:
        done = {s.key for s in read_sent(path, shown=cfg.log)}
        for msg in messages:
            new = tuple(i for i in msg.items if _key(i, msg.person) not in done)
            skipped = len(msg.items) - len(new)
            if not new:
                continue
            m = attrs.evolve(msg, items=new)
            ch = channel_of(cfg, m.person)
            name = ch.name if ch else ""
            if dry_run:
                out.append(Outcome(m, name, "dry-run", skipped=skipped))
                continue
            if m.placeholder or ch is None:
                why = ("no person holds this role for the unit: add a [[people]] table"
                       if m.placeholder else "no channel: give the person channel = \"…\" "
                       "or set [remind] channel")
                out.append(Outcome(m, name, "unsendable", why, skipped))
                continue
            title, text = render(m, workspace=workspace, as_of=as_of.isoformat(),
                                 schematic=schematic, lang=lang)
            try:
                send(ch, who=m.person.name, title=title, text=text, phone=m.person.phone,
                     email=m.person.email, tail=tail(len(new), lang))
            except (SendError, OSError) as exc:
                out.append(Outcome(m, name, "failed", str(exc), skipped))
                continue
            stamp = now_stamp()
            rows = [Sent(stamp, as_of.isoformat(), i.key, i.unit, i.level, m.person.name,
                         name) for i in new]
            if write:
                append_sent(path, rows)
            done.update(r.key for r in rows)
            out.append(Outcome(m, name, "sent", skipped=skipped))

    if dry_run:
        run(False)
    else:
        with log_lock(path):
            run(True)
    return out
