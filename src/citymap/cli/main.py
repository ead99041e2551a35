"""The ``citymap`` command group: assembles the subcommands, one module each.

The subcommands are registered lazily (click's "lazy loading" pattern): a subcommand's module
is imported only when that subcommand runs or its help is shown, and the modules import the
heavy geometry stack (geopandas, shapely, pyproj, pyogrio, matplotlib) only inside the
functions that need it. ``citymap --version`` and every ``--help`` therefore start without it
(``tests/test_cli_startup.py``, ``benchmarks/bench_startup.py``).
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from citymap import __version__
from citymap.cli._options import lang_option, setup_logging, workspace_option
from citymap.i18n import DEFAULT_LANG, get_lang, install_for_click, set_lang

#: Subcommand name → ``module:attribute`` of its click command.
SUBCOMMANDS: dict[str, str] = {
    "tasks": "citymap.cli.tasks:tasks",
    "show": "citymap.cli.show:show",
    "validate": "citymap.cli.validate:validate",
    "plan": "citymap.cli.plan:plan",
    "status": "citymap.cli.status:status",
    "progress": "citymap.cli.progress:progress",
    "review": "citymap.cli.review:review",
    "photos": "citymap.cli.photos:photos",
    "overdue": "citymap.cli.overdue:overdue",
    "export": "citymap.cli.export:export",
    "import": "citymap.cli.import_:import_",
    "store": "citymap.cli.store:store",
    "build": "citymap.cli.build:build",
    "serve": "citymap.cli.serve:serve",
    "metrics": "citymap.cli.metrics:metrics",
    "report": "citymap.cli.report:report",
    "remind": "citymap.cli.remind:remind",
    "papers": "citymap.cli.papers:papers",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use (``lazy``: name → ``mod:attr``)."""

    def __init__(self, *args: object, lazy: dict[str, str] | None = None,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = dict(lazy or {})

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        """Every run starts in Chinese (``--lang`` may change it while parsing): CliRunner
        runs many commands in one process.
        """
        install_for_click(DEFAULT_LANG)
        return super().make_context(info_name, args, parent, **extra)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run, then speak the language of before again (a notebook or a test that runs
        ``citymap --lang en …`` keeps its own language afterwards).
        """
        before = get_lang()
        try:
            return super().main(*args, **kwargs)
        finally:
            set_lang(before)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every subcommand name, sorted (as click lists them)."""
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The subcommand ``cmd_name``, importing its module when first asked."""
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, _, attr = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attr)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    lazy=SUBCOMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="Example: citymap tasks --unit 县住房城乡建设局   ·   citymap show 16",
)
@click.version_option(__version__, prog_name="citymap")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
@workspace_option
@lang_option
def cli(verbose: int) -> None:
    """citymap: the county's city-quality plan as data, maps and metrics.

    Works (工程), their sites, progress, coverage metrics, Leaflet maps and GIS exports of
    a three-year plan. Run from the workspace folder (the repository is the shipped
    Yangxin workspace) or pass --workspace DIR. Data goes to stdout, logs to stderr.
    """
    setup_logging(verbose)


def main() -> None:
    """Entry point of the ``citymap`` script."""
    cli(prog_name="citymap")


if __name__ == "__main__":  # python -m citymap.cli.main
    main()
