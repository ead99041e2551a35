"""``citymap plan import FILE``: draft a register from a plan text of the city-quality family."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table

from citymap.cli._options import CitymapClickError, get_lang, lang_option, stderr_console
from citymap.errors import CitymapError
from citymap.i18n import N_, _, ngettext
from citymap.io.atomic import write_text
from citymap.io.owned import check_file_replaceable, recognise_first_line

if TYPE_CHECKING:  # the plan parser (cn2an, the register's pandas) is imported when it runs
    from citymap.planparse import DraftRegister, NoWorksError

__all__ = ["plan"]

#: What the draft could not determine, by field (``Unplaced.field``).
_GAP_NAMES = {"county": N_("county name"), "title": N_("title"), "start": N_("plan period"),
              "action": N_("action of a work"), "lead_units": N_("lead units"),
              "year": N_("year of a number"), "metric": N_("metric of a target"),
              "phase": N_("phase dates"), "name": N_("name of a work")}


def _first_line(exc: BaseException) -> str:
    lines = str(exc).splitlines()
    if len(lines) > 1 and lines[0].endswith("found:"):  # ValidationError with several problems
        more = len(lines) - 2
        return lines[1] + (" " + ngettext("(and {n} more)", "(and {n} more)", more).format(
            n=more) if more > 0 else "")
    return lines[0] if lines else type(exc).__name__


def _no_works_message(exc: NoWorksError, source: str) -> str:
    heads = list(exc.found.get("headings", []))  # type: ignore[call-overload]
    title = str(exc.found.get("title") or "")
    shown = "; ".join(heads[:3]) + ("…" if len(heads) > 3 else "")
    found = _("found {lines} lines, {n} numbered headings").format(
        lines=exc.found.get("lines", 0), n=len(heads))
    if heads:
        found += f" ({shown})"
    if title:
        found += ", " + _("title {title!r}").format(title=title)
    return _("{source}: no numbered works found (works like '1.规划设计提升工程。… (牵头单位:…)' "
             "or '(一)推进老旧小区改造。… (X牵头,Y配合)'); {found} and no units — is this a "
             "plan of this family?").format(source=source, found=found)


def _summary(draft: DraftRegister, out: Path | None, diffs: list[str] | None,
             lang: str) -> None:
    console = stderr_console()
    p = draft.plan
    table = Table(title=_("{title}: {works} works, {actions} actions, {phases} phases, "
                          "{targets} targets").format(
                              title=p.title or draft.source, works=len(draft.works),
                              actions=len(draft.actions), phases=len(draft.phases),
                              targets=len(draft.targets)), title_justify="left")
    for col in ("#", _("Work"), _("Action"), _("Lead units"), _("Partners"), _("Targets"),
                _("Plan only")):
        table.add_column(col, overflow="fold")
    for w in draft.works:
        placed = sum(1 for t in w.targets if t.metric)
        table.add_row(str(w.number), w.name, "" if w.action is None else str(w.action),
                      "、".join(w.lead_units), str(len(w.partner_units)),
                      f"{placed}/{len(w.targets)}" if w.targets else "",
                      _("yes") if w.plan_only else "")
    console.print(table)
    none = _("(none)")
    period = f"{p.start.isoformat()}–{p.end.isoformat()}" if p.start and p.end else none
    console.print(_("found: title {title}, county {county}, period {period}, issued by "
                    "{issuer}").format(title=p.title or none, county=p.county or none,
                                       period=period, issuer=p.issued_by or none), markup=False)
    if p.partner_units_of_every_work:
        console.print(_("responsible units of every work: {units}").format(
            units="、".join(p.partner_units_of_every_work)), markup=False)
    if draft.plan_targets:
        console.print(_("plan-level targets: {n}").format(n=len(draft.plan_targets)))
    gaps = Counter(u.field for u in draft.unplaced if u.field)
    if gaps:
        console.print(_("could not determine (fill in in the draft): {gaps}").format(gaps=", ".join(
            f"{_(_GAP_NAMES[f]) if f in _GAP_NAMES else f} ×{n}" for f, n in gaps.items())),
            markup=False)
    if draft.unplaced:
        head = _("unplaced ({n}), review by hand:").format(n=len(draft.unplaced))
        console.print(f"[bold]{escape(head)}[/bold]", markup=True)
        for u in draft.unplaced:
            console.print(f"  - {u.show(lang)}", markup=False)
    else:
        console.print(_("unplaced: none"))
    if diffs is not None:
        head = _("differences from the register ({n}):").format(n=len(diffs))
        console.print(f"[bold]{escape(head)}[/bold]", markup=True)
        for d in diffs:
            console.print(f"  - {d}", markup=False)
    if out is not None:
        console.print(_("draft written to {out} (review it before use)").format(out=out),
                      markup=False)


@click.group(name="plan", context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Example: citymap plan import plan.txt -o draft.yaml")
def plan() -> None:
    """Plan texts: draft a register from a city-quality / city-renewal plan."""


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
@lang_option
@click.pass_context
def import_command(ctx: click.Context, file: Path, output: Path | None,
                   compare_path: Path | None) -> None:
    """Read a plan text FILE and draft a register from it.

    FILE is the plan as text (UTF-8 or GB18030/GBK), traditional or simplified, of the
    city-quality / city-renewal family: a title, actions and works numbered 一、/(一)/1./
    1、/(1)/① or 一是…二是…, each work with its units ("(牵头单位:…;责任单位:…)",
    "(X牵头,Y配合)", "责任单位:…" on its own line, ...), phases and safeguards. Web-page
    boilerplate is dropped.

    The draft lists actions, works with lead and responsible units, phases and targets
    drafted from sentences with a year and a number; a metric is filled in only where a
    keyword maps it unambiguously, otherwise it is null. A summary of what was found and of
    what could not be placed (each with its sentence) goes to stderr. The command fails
    (exit 2) only when the text holds no works. Review the draft before using it.
    """
    from citymap.plandraft import DRAFT_MARK, compare_with_register, draft_to_yaml
    from citymap.planparse import NoWorksError, parse_plan_text, read_plan_file

    lang = get_lang(ctx)
    try:
        text, _encoding = read_plan_file(file)
        draft = parse_plan_text(text, source=file.name)
    except NoWorksError as exc:
        raise CitymapClickError(_no_works_message(exc, file.name)) from None
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
            check_file_replaceable(output, recognise_first_line(DRAFT_MARK), kind="file")
            write_text(output, yaml_text)
        except (CitymapError, OSError) as exc:
            raise CitymapClickError(_("cannot write {path!r}: {problem}").format(
                path=str(output), problem=_first_line(exc))) from None
    else:
        click.echo(yaml_text, nl=False)
    _summary(draft, output, diffs, lang)
