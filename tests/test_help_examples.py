"""Every example in every ``--help`` names things the shipped workspace has.

The repository root is the shipped Yangxin workspace. Each example line of each command's
help is parsed with the command's own options (click), and every site or work id, layer,
unit, action, pilot zone, store workspace key and workspace file it names must exist
there. The read-only examples are also run on the shipped workspace and must succeed.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from citymap.cli.main import cli
from citymap.workspace import Workspace, load_workspace

ROOT = Path(__file__).resolve().parents[1]

#: read-only commands whose examples are run on the shipped workspace
READ_ONLY = {("tasks",), ("show",), ("validate",), ("status", "log"), ("overdue",),
             ("metrics",)}


def _commands(cmd: click.Command = cli, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], click.Command]]:
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name, sub in sorted(cmd.commands.items()):
            yield from _commands(sub, (*path, name))


def _example_lines(path: tuple[str, ...]) -> list[str]:
    r = CliRunner().invoke(cli, [*path, "--help"], terminal_width=400)
    assert r.exit_code == 0, r.output
    out = []
    for line in r.output.split("Example", 1)[-1].splitlines():
        for part in re.split(r"·|&&", line):
            m = re.search(r"(?<![\w/.])citymap\s", part)  # not the database named citymap
            if m is None:
                continue
            text = part[m.start():]
            text = re.sub(r"\s(#|\(|>).*$", "", text)  # comment, remark, redirect
            out.append(text.strip())
    return out


EXAMPLES = [(path, line) for path, _ in _commands() for line in _example_lines(path)]


def _parse(line: str) -> tuple[tuple[str, ...], click.Context]:
    args = shlex.split(line)[1:]
    cmd: click.Command = cli
    path: list[str] = []
    while isinstance(cmd, click.Group) and args and args[0] in cmd.commands:
        cmd = cmd.commands[args[0]]
        path.append(args.pop(0))
    return tuple(path), cmd.make_context(" ".join(path), args)


@pytest.fixture(scope="module")
def shipped() -> Workspace:
    return load_workspace(ROOT)


def test_every_command_has_examples() -> None:
    with_examples = {path for path, _ in EXAMPLES}
    missing = [" ".join(p) for p, c in _commands()
               if p and not isinstance(c, click.Group) and p not in with_examples]
    assert missing == []
    assert len(EXAMPLES) > 40


def _check(ws: Workspace, name: str, value: Any) -> str | None:
    reg = ws.register
    if value is None or value == () or value is False:
        return None
    if name == "ident":
        ok = value in ws.site_ids or value in {str(w.number) for w in reg.works}
        return None if ok else f"site or work {value!r}"
    if name in ("number", "work"):
        return None if int(value) in {w.number for w in reg.works} else f"work {value!r}"
    if name in ("layer", "layers"):
        bad = [v for v in ([value] if isinstance(value, str) else value) if v not in ws.layers]
        return f"layer(s) {bad}" if bad else None
    if name == "unit":
        units = {reg.canonical_unit(u) for u in reg.all_units}
        return None if reg.canonical_unit(value) in units else f"unit {value!r}"
    if name == "action":
        return None if int(value) in {a.number for a in reg.actions} else f"action {value!r}"
    if name == "zone":
        zones = set(ws.data["pilot_zones"]["id"].astype(str))
        return None if value in zones else f"pilot zone {value!r}"
    if name in ("compare_path",):
        return None if (ROOT / value).is_file() else f"file {value!r}"
    return None


@pytest.mark.parametrize(("path", "line"), EXAMPLES, ids=[e[1] for e in EXAMPLES])
def test_example_names_what_the_shipped_workspace_has(shipped: Workspace,
                                                      path: tuple[str, ...],
                                                      line: str) -> None:
    del path  # the help it came from (in the test id)
    _, ctx = _parse(line)
    wrong = [w for n, v in ctx.params.items() if (w := _check(shipped, n, v))]
    key = getattr(ctx.obj, "store_key", None)
    if key is not None and key != shipped.config.county:
        wrong.append(f"store workspace {key!r}")
    assert wrong == [], f"{line}: the shipped workspace has no {', '.join(wrong)}"


RUNNABLE = [e for e in EXAMPLES if _parse(e[1])[0] in READ_ONLY
            and "--workspace" not in e[1] and "--repair" not in e[1]]


@pytest.mark.parametrize(("path", "line"), RUNNABLE, ids=[e[1] for e in RUNNABLE])
def test_read_only_example_runs(path: tuple[str, ...], line: str) -> None:
    args = shlex.split(line)[1:]
    r = CliRunner().invoke(cli, ["--workspace", str(ROOT), *args])
    assert r.exit_code == 0, f"{line}\n{r.output}"
    assert "Traceback" not in r.output
