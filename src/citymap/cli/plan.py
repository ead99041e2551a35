"""``citymap plan import FILE``: draft a register from a county's plan text."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from citymap.cli._options import CitymapClickError, stderr_console
from citymap.errors import CitymapError
from citymap.io.atomic import write_text
from citymap.plandraft import compare_with_register, draft_to_yaml
from citymap.planparse import (
    DraftRegister,
    parse_plan_text,
    read_plan_file,
)

__all__ = ["plan"]


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    if len(lines) > 1 and lines[0].endswith("found:"):  # ValidationError with several problems
        return lines[1] + (f" (and {len(lines) - 2} more)" if len(lines) > 2 else "")
    return lines[0] if lines else type(exc).__name__


def _summary(draft: DraftRegister, out: Path | None, diffs: list[str] | None) -> None:
    console = stderr_console()
    table = Table(title=f"{draft.plan.title or draft.source}: {len(draft.works)} works, "
                  f"{len(draft.actions)} actions, {len(draft.phases)} phases",
                  title_justify="left")
    for col in ("#", "工程", "行动", "牵头单位", "责任单位", "目标", "仅方案"):
        table.add_column(col, overflow="fold")
    for w in draft.works:
        placed = sum(1 for t in w.targets if t.metric)
        table.add_row(str(w.number), w.name, "" if w.action is None else str(w.action),
                      "、".join(w.lead_units), str(len(w.partner_units)),
                      f"{placed}/{len(w.targets)}" if w.targets else "",
                      "是" if w.plan_only else "")
    console.print(table)
    if draft.plan.partner_units_of_every_work:
        console.print("每项工作的责任单位: " + "、".join(draft.plan.partner_units_of_every_work))
    if draft.plan_targets:
        console.print(f"plan-level targets: {len(draft.plan_targets)}")
    if draft.unplaced:
        console.print(f"[bold]unplaced ({len(draft.unplaced)}), review by hand:[/bold]")
        for u in draft.unplaced:
            console.print(f"  - {u}", markup=False)
    else:
        console.print("unplaced: none")
    if diffs is not None:
        console.print(f"[bold]differences from the register ({len(diffs)}):[/bold]")
        for d in diffs:
            console.print(f"  - {d}", markup=False)
    if out is not None:
        console.print(f"draft written to {out} (review it before use)", markup=False)


@click.group(name="plan", context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Example: citymap plan import plan.txt -o draft.yaml")
def plan() -> None:
    """Plan texts: draft a register from a county's implementation plan."""


@plan.command(
    name="import",
    epilog="Example: citymap plan import 阳信县实施方案.txt -o draft.yaml "
           "--compare geo/register.yaml",
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
@click.option("-o", "--output", "output", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Write the draft register YAML here (atomically). "
              "Default: print it on stdout.")
@click.option("--compare", "compare_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None, metavar="REGISTER",
              help="A reviewed register (e.g. geo/register.yaml): list where the draft differs.")
def import_command(file: Path, output: Path | None, compare_path: Path | None) -> None:
    """Read a plan text FILE and draft a register from it.

    FILE is the plan as text (UTF-8 or GB18030/GBK), traditional or simplified, of the
    provincial shape: actions "(一)…行动", works "1.名称工程。… (牵头单位:…,责任单位:…)",
    phases "(一)宣传发动阶段(2020年4月30日前)". Web-page boilerplate is dropped.

    The draft lists actions, works with lead and responsible units, phases and targets
    drafted from sentences with a year and a number; a metric is filled in only where a
    keyword maps it unambiguously, otherwise it is null. A summary of the works found and of
    what could not be placed goes to stderr. Review the draft before using it as a register.
    """
    try:
        text, _encoding = read_plan_file(file)
        draft = parse_plan_text(text, source=file.name)
    except CitymapError as exc:
        raise CitymapClickError(_first_line(exc)) from None
    diffs: list[str] | None = None
    if compare_path is not None:
        from citymap.register import load_register

        try:
            register = load_register(compare_path)
        except (CitymapError, OSError) as exc:
            raise CitymapClickError(f"--compare: {_first_line(exc)}") from None
        diffs = compare_with_register(draft, register)
    yaml_text = draft_to_yaml(draft)
    if output is not None:
        try:
            write_text(output, yaml_text)
        except (CitymapError, OSError) as exc:
            raise click.ClickException(f"cannot write {str(output)!r}: {_first_line(exc)}"
                                       ) from None
    else:
        click.echo(yaml_text, nl=False)
    _summary(draft, output, diffs)
