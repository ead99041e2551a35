"""Reminder tests' helpers: the progress workspace with people and channels, local servers
standing in for the DingTalk/WeCom robots and an SMTP server.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

from _ws_progress import LEAD_8, LEAD_16, LOG_HEADER, make_workspace

#: PP-1 and OC-1 done in 2020: PP-2 (2020) is late from 2021-01-01, OC-2 (2021) from 2022.
LOG = LOG_HEADER + "2020-10-01,PP-1,已完成,100,,,a\n2020-10-01,OC-1,已完成,100,,,a\n"

PEOPLE = f"""
[[people]]
name = "王住建"
unit = "{LEAD_16}"
role = "unit"
phone = "13800000001"
email = "wang@example.gov.cn"

[[people]]
name = "李执法"
unit = "{LEAD_8}"
role = "责任单位"
phone = "13800000002"
email = "li@example.gov.cn"

[[people]]
name = "赵副县长"
unit = ["{LEAD_8}", "{LEAD_16}"]
role = "leader"
phone = "13800000003"
email = "zhao@example.gov.cn"

[[people]]
name = "钱县长"
role = "county"
phone = "13800000004"
email = "qian@example.gov.cn"
"""


def remind_workspace(root: Path, channels: str, *, remind: str = "") -> Path:
    """The progress workspace with ``[remind]`` (thresholds 15/30 days), ``channels``
    (TOML of ``[remind.channels.*]``) and the four people of :data:`PEOPLE`.
    """
    make_workspace(root, status_log=LOG)
    cfg = root / "citymap.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n[remind]\nlevel2_after_days = 15\n"
                   "level3_after_days = 30\n" + remind + "\n" + channels + PEOPLE,
                   encoding="utf-8")
    return root


class Robot(BaseHTTPRequestHandler):
    """Records every POST (path, headers, JSON body) and answers ``server.answer``."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        n = int(self.headers["Content-Length"])
        body = self.rfile.read(n)
        server: Any = self.server
        server.calls.append({"path": self.path, "headers": dict(self.headers),
                             "json": json.loads(body.decode("utf-8"))})
        answer = json.dumps(server.answer).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextmanager
def robot_server() -> Iterator[Any]:
    """A local HTTP server on 127.0.0.1 (port 0) standing in for a robot webhook."""
    server: Any = HTTPServer(("127.0.0.1", 0), Robot)
    server.calls = []
    server.answer = {"errcode": 0, "errmsg": "ok"}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def smtp_server() -> Iterator[tuple[int, list[Any]]]:
    """A local aiosmtpd server; yields (port, received envelopes)."""
    from aiosmtpd.controller import Controller

    got: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            got.append(envelope)
            return "250 OK"

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, got
    finally:
        controller.stop()
