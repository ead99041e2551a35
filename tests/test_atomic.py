"""The atomic-write helpers: all or nothing, shareable permissions."""

from __future__ import annotations

import os
import stat

import pytest

from citymap.errors import WorkspaceError
from citymap.io.atomic import atomic_dir, atomic_path, write_text


def test_write_replaces_and_keeps_mode(tmp_path):
    p = tmp_path / "a.txt"
    write_text(p, "一")
    assert p.read_text(encoding="utf-8") == "一"
    assert stat.S_IMODE(p.stat().st_mode) == 0o666 & ~_umask()
    p.chmod(0o640)
    write_text(p, "二")
    assert p.read_text(encoding="utf-8") == "二"
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert [x.name for x in tmp_path.iterdir()] == ["a.txt"]


def test_failure_leaves_previous_file(tmp_path):
    p = tmp_path / "a.txt"
    write_text(p, "old")

    def write_then_die() -> None:
        with atomic_path(p) as tmp:
            tmp.write_text("half", encoding="utf-8")
            raise RuntimeError("writer died")

    with pytest.raises(RuntimeError, match="writer died"):
        write_then_die()
    assert p.read_text(encoding="utf-8") == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.usefixtures("english")
def test_writer_that_writes_nothing(tmp_path):
    with pytest.raises(WorkspaceError, match="the writer produced no file"), \
            atomic_path(tmp_path / "x.gpkg"):
        pass


def test_dir_swap_and_failure(tmp_path):
    out = tmp_path / "maps"
    with atomic_dir(out) as d:
        (d / "index.html").write_text("v1", encoding="utf-8")
    assert (out / "index.html").read_text(encoding="utf-8") == "v1"
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~_umask()

    def write_then_die() -> None:
        with atomic_dir(out) as d:
            (d / "index.html").write_text("half", encoding="utf-8")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_die()
    assert (out / "index.html").read_text(encoding="utf-8") == "v1"
    assert sorted(x.name for x in tmp_path.iterdir()) == ["maps"]


@pytest.mark.usefixtures("english")
def test_dir_parent_not_creatable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="cannot create the folder"), \
            atomic_dir(blocker / "sub" / "maps"):
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
