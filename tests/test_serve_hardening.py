"""``citymap serve`` over real HTTP: only the maps folder, security headers, safe logging,
and a ``--watch`` that survives a bad config value.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from _ws_core import make_workspace
from citymap.cli.serve import watch
from citymap.render.build import build_maps
from citymap.store.folder import FolderStore
from citymap.workspace import load_workspace


class Served:
    """A ``citymap serve`` subprocess; its stderr is collected in :attr:`log`."""

    def __init__(self, ws: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "300"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "citymap.cli.main", "serve", "--port", "0",
             "--workspace", str(ws), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.url = self.proc.stdout.readline().decode().strip()
        assert self.url.startswith("http://127.0.0.1:"), self.proc.stderr.read()
        self.port = int(self.url.rsplit(":", 1)[1].strip("/"))
        self.chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.chunks.append(line)

    @property
    def log(self) -> bytes:
        return b"".join(self.chunks)

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        try:
            with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=30) as r:  # noqa: S310
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def raw(self, request_line: bytes) -> bytes:
        """Send one raw request (no URL normalisation by a client library)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.sendall(request_line + b"\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        return data

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        for f in (self.proc.stdout, self.proc.stderr):
            if f is not None:
                f.close()


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path / "ws")
    build_maps(load_workspace(root), root / "maps")
    (tmp_path / "secret.txt").write_text("top secret", encoding="utf-8")
    (tmp_path / "secret-dir").mkdir()
    (tmp_path / "secret-dir" / "index.html").write_text("secret page", encoding="utf-8")
    maps = root / "maps"
    (maps / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (maps / "leakdir").symlink_to(tmp_path / "secret-dir")
    (maps / "inner.html").symlink_to(maps / "index.html")  # a link inside the folder is fine
    return root


@pytest.fixture
def served(ws: Path) -> Iterator[Served]:
    s = Served(ws)
    yield s
    s.close()


def test_no_listing_no_links_out_no_traversal(served: Served) -> None:
    assert served.get("/index.html")[0] == 200
    assert served.get("/")[0] == 200                      # the folder's index.html
    assert served.get("/inner.html")[0] == 200
    for path in ("/units/", "/actions/", "/leak.txt", "/leakdir/", "/leakdir/index.html",
                 "/../citymap.toml", "/%2e%2e/citymap.toml", "/..%2fcitymap.toml",
                 "/units/../../geo/register.yaml"):
        code, _, body = served.get(path)
        assert code == 404, path
        assert b"secret" not in body and b"<li>" not in body, path
    raw = served.raw(b"GET /../../secret.txt HTTP/1.1")
    assert raw.startswith(b"HTTP/1.0 404") and b"top secret" not in raw


def test_security_headers(served: Served) -> None:
    code, headers, body = served.get("/index.html")
    assert code == 200
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp.split(";")[1]
    inline = re.findall(rb"<script>(.*?)</script>", body, re.S)
    assert inline, "the page has its script inline"
    for script in inline:
        digest = base64.b64encode(hashlib.sha256(script).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    code, headers, _ = served.get("/metrics.json")
    assert code == 200 and headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'  https" in headers["Content-Security-Policy"]
    code, headers, _ = served.get("/nope")
    assert code == 404 and headers["X-Content-Type-Options"] == "nosniff"


def test_markup_and_escape_codes_in_request_lines(served: Served) -> None:
    for path in ("/[/]", "/[bold]x[/bold]", "/%5B/%5D", "/[link=http://x]y[/link]"):
        assert served.get(path)[0] == 404, path
    raw = served.raw(b"GET /\x1b[2J\x1b]0;owned\x07[/] HTTP/1.1")
    assert raw.startswith(b"HTTP/1.0 404")
    assert served.get("/index.html")[0] == 200             # still serving
    deadline = time.monotonic() + 60
    while b"owned" not in served.log and time.monotonic() < deadline:
        time.sleep(0.05)
    log = served.log
    assert b"owned" in log and b"\\x1b[2J" in log
    assert b"\x1b" not in log and b"\x07" not in log      # no escape code reached the terminal
    assert b"[/]" in log and b"Traceback" not in log


def test_watch_survives_a_bad_config_value(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    out = root / "maps"
    build_maps(load_workspace(root), out)
    before = (out / "index.html").read_bytes()
    events: list[tuple[bool, str]] = []
    stop = threading.Event()
    t = threading.Thread(target=watch, args=(FolderStore(root), out, stop),
                         kwargs={"ws": load_workspace(root), "interval": 0.05,
                                 "report": lambda ok, m: events.append((ok, m))})
    t.start()
    cfg = root / "citymap.toml"
    good = cfg.read_text(encoding="utf-8")
    try:
        _wait(lambda: events, touch=(cfg, good.replace("zoom = 13", 'zoom = "abc"')))
        assert events[0][0] is False and "abc" in events[0][1]
        assert "\n" not in events[0][1]
        assert t.is_alive()
        assert (out / "index.html").read_bytes() == before   # the previous maps stay
        reg = root / "geo" / "register.yaml"
        cfg.write_text(good, encoding="utf-8")
        _wait(lambda: len(events) > 1, touch=(reg, reg.read_text("utf-8").replace(
            "园林绿化提档升级工程", "园林绿化新名工程")))
        assert events[-1][0] is True, events
        assert "园林绿化新名工程" in (out / "index.html").read_text("utf-8")
    finally:
        stop.set()
        t.join(timeout=30)


def _wait(cond: Any, timeout: float = 120.0, touch: tuple[Path, str] | None = None) -> None:
    """Wait for ``cond``; with ``touch``, (re)write that file every 2 s meanwhile (the
    watcher may not have taken its first look yet on a busy machine)."""
    end = time.monotonic() + timeout
    last = 0.0
    while not cond():
        assert time.monotonic() < end, "timed out"
        if touch is not None and time.monotonic() - last > 2:
            touch[0].write_text(touch[1], encoding="utf-8")
            last = time.monotonic()
        time.sleep(0.05)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
def test_served_map_runs_under_its_csp(tmp_path: Path) -> None:
    """The offline map, served with its CSP, draws with no CSP violation in Chromium."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Debian's /usr/bin/chromium is not installed")
    root = make_workspace(tmp_path / "ws")
    build_maps(load_workspace(root), root / "maps", offline=True)
    s = Served(root)
    errors: list[str] = []
    outside: list[str] = []
    try:
        with sync_api.sync_playwright() as p:
            b = p.chromium.launch(executable_path=str(CHROMIUM), args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update"])
            page = b.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))

            def route(r: Any) -> None:
                if r.request.url.startswith(s.url):
                    r.continue_()
                else:
                    outside.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            page.goto(s.url + "index.html")
            page.wait_for_function("window.citymap && window.citymap.ready", timeout=30_000)
            drawn = page.evaluate("window.citymap.drawn()")
            b.close()
    finally:
        s.close()
    want = {n: len(g) for n, g in load_workspace(root).data.items() if len(g)
            and n in ("pocket_parks", "old_communities")}
    assert want and {n: drawn[n] for n in want} == want
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []
    assert errors == [] and outside == []


def test_watch_refuses_a_folder_citymap_did_not_make(ws: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from citymap.cli.main import cli
    from test_owned_outputs import tree_digest

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "index.html").write_text("my own page", encoding="utf-8")
    before = tree_digest(mine)
    r = CliRunner().invoke(cli, ["serve", "--watch", "-d", str(mine), "--workspace", str(ws)])
    assert r.exit_code == 2 and "不会替换" in r.stderr and "Traceback" not in r.stderr
    assert tree_digest(mine) == before
