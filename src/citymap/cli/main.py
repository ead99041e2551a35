"""The ``citymap`` command group: assembles the subcommands, one module each."""

from __future__ import annotations

import click

from citymap import __version__
from citymap.cli._options import lang_option, setup_logging, workspace_option
from citymap.cli.build import build
from citymap.cli.export import export
from citymap.cli.import_ import import_
from citymap.cli.metrics import metrics
from citymap.cli.overdue import overdue
from citymap.cli.papers import papers
from citymap.cli.photos import photos
from citymap.cli.plan import plan
from citymap.cli.progress import progress
from citymap.cli.remind import remind
from citymap.cli.report import report
from citymap.cli.serve import serve
from citymap.cli.show import show
from citymap.cli.status import status
from citymap.cli.store import store
from citymap.cli.tasks import tasks
from citymap.cli.validate import validate


@click.group(
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


for command in (tasks, show, validate, plan, status, progress, photos, overdue, export,
                import_, store, build, serve, metrics, report, remind, papers):
    cli.add_command(command)


def main() -> None:
    """Entry point of the ``citymap`` script."""
    cli(prog_name="citymap")


if __name__ == "__main__":  # python -m citymap.cli.main
    main()
