"""A build killed with SIGKILL leaves nothing that lasts (citymap.io.owned.recover).

Real subprocesses: one stopped while writing its temporary folder, one between the two
renames of :func:`citymap.io.atomic.atomic_dir` (the old maps aside, the new not yet in).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from _ws_maps import make_workspace
from citymap.cli.main import cli
from citymap.io.owned import PARTIAL

# the build, with one step replaced by "touch the signal file, then hang"
KILLED = """
import os, sys, time
from pathlib import Path
signal, root, where = sys.argv[1], sys.argv[2], sys.argv[3]

def hang():
    Path(signal).write_text(str(os.getpid()))
    time.sleep(120)

if where == "writing":
    import citymap.render.build as b
    real = b.render_map
    def render_map(*a, **k):
        hang()
    b.render_map = render_map
else:  # between the renames: the old maps moved aside, the new ones not yet in
    import citymap.io.atomic as atomic
    real_replace = os.replace
    def replace(src, dst):
        if ".tmp-" in str(src) and str(dst).endswith("maps"):
            hang()
        real_replace(src, dst)
    atomic.os.replace = replace
from citymap.cli.main import main
sys.argv = ["citymap", "--workspace", root, "build"]
main()
"""


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CITYMAP_TIANDITU_KEY", raising=False)
    root = make_workspace(tmp_path / "ws")
    res = CliRunner().invoke(cli, ["build", "-w", str(root)])
    assert res.exit_code == 0, res.output
    return root


def kill_build(ws: Path, tmp_path: Path, where: str) -> int:
    signal = tmp_path / f"signal-{where}"
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KILLED), str(signal),
                             str(ws), where], env=dict(os.environ))
    try:
        deadline = time.monotonic() + 120
        while not signal.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert signal.exists(), "the build never reached the step"
    finally:
        proc.kill()  # SIGKILL: no clean-up runs
        proc.wait()
    return proc.pid


def leftovers(ws: Path) -> list[str]:
    return sorted(p.name for p in ws.iterdir() if p.name.startswith(".maps."))


def test_killed_while_writing_then_next_build_cleans_up(ws: Path, tmp_path: Path) -> None:
    index = (ws / "maps" / "index.html").read_bytes()
    pid = kill_build(ws, tmp_path, "writing")
    left = leftovers(ws)
    assert len(left) == 1 and left[0].startswith(f".maps.tmp-{pid}-")
    assert (ws / left[0] / PARTIAL).is_file()
    assert (ws / "maps" / "index.html").read_bytes() == index  # the old maps still there
    # what is not citymap's, or belongs to a live process, is left alone
    live = ws / f".maps.tmp-{os.getpid()}-live"
    live.mkdir()
    (live / PARTIAL).touch()
    foreign = ws / ".maps.tmp-999999999-mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", encoding="utf-8")
    res = CliRunner().invoke(cli, ["build", "-w", str(ws)])
    assert res.exit_code == 0, res.output
    assert leftovers(ws) == sorted([live.name, foreign.name])
    assert (foreign / "notes.txt").read_text("utf-8") == "mine"


def test_killed_between_the_renames_then_serve_recovers(ws: Path, tmp_path: Path) -> None:
    index = (ws / "maps" / "index.html").read_bytes()
    pid = kill_build(ws, tmp_path, "renames")
    assert not (ws / "maps").exists()
    left = leftovers(ws)
    assert f".maps.old-{pid}" in left and any(x.startswith(f".maps.tmp-{pid}-") for x in left)
    proc = subprocess.Popen([sys.executable, "-c", "from citymap.cli.main import main; main()",
                             "--workspace", str(ws), "serve", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), url
        with urllib.request.urlopen(url + "index.html", timeout=30) as r:
            assert r.status == 200 and r.read() == index  # the previous maps, served
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert (ws / "maps" / "index.html").read_bytes() == index
    res = CliRunner().invoke(cli, ["build", "-w", str(ws)])  # and the next build cleans up
    assert res.exit_code == 0, res.output
    assert leftovers(ws) == []


def test_killed_between_the_renames_then_build_recovers(ws: Path, tmp_path: Path) -> None:
    kill_build(ws, tmp_path, "renames")
    assert not (ws / "maps").exists()
    res = CliRunner().invoke(cli, ["build", "-w", str(ws)])
    assert res.exit_code == 0, res.output
    assert (ws / "maps" / "index.html").is_file() and leftovers(ws) == []
