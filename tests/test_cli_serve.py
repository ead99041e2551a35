"""``citymap serve``: the maps over HTTP on localhost, rebuilt when the workspace changes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request

from _ws_core import make_workspace
from citymap.cli.serve import watch
from citymap.render.build import build_maps
from citymap.store.folder import FolderStore
from citymap.workspace import load_workspace


def test_serves_the_maps_on_localhost(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    build_maps(load_workspace(ws), ws / "maps")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "citymap.cli.main", "serve", "--port", "0",
                             "--workspace", str(ws)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "index.html", timeout=10) as resp:  # noqa: S310
            body = resp.read().decode("utf-8")
            assert resp.headers["Cache-Control"] == "no-store"
        assert "测试县" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def test_watch_rebuilds_on_change_and_keeps_old_maps_on_error(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    out = ws / "maps"
    build_maps(load_workspace(ws), out)
    events: list[tuple[bool, str]] = []
    stop = threading.Event()
    t = threading.Thread(target=watch, args=(FolderStore(ws), out, stop),
                         kwargs={"ws": load_workspace(ws), "interval": 0.05,
                                 "report": lambda ok, m: events.append((ok, m))})
    t.start()
    try:
        reg = ws / "geo" / "register.yaml"
        time.sleep(0.2)
        reg.write_text(reg.read_text(encoding="utf-8").replace("园林绿化提档升级工程",
                                                               "园林绿化改名工程"),
                       encoding="utf-8")
        _wait(lambda: events)
        assert events[0][0] is True and "rebuilt" in events[0][1]
        assert "园林绿化改名工程" in (out / "index.html").read_text(encoding="utf-8")
        reg.write_text("works: [\n", encoding="utf-8")
        _wait(lambda: len(events) > 1)
        assert events[1][0] is False and "register.yaml" in events[1][1]
        assert "园林绿化改名工程" in (out / "index.html").read_text(encoding="utf-8")
    finally:
        stop.set()
        t.join(timeout=10)


def _wait(cond, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)
