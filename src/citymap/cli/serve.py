"""``citymap serve``: serve the built maps on localhost, rebuilding them on change."""

from __future__ import annotations

import functools
import http.server
import threading
import webbrowser
from pathlib import Path
from typing import Any

import click

from citymap.cli._options import (
    CitymapClickError,
    common_options,
    get_lang,
    load,
    stderr_console,
)
from citymap.errors import CitymapError


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, logged on stderr, never cached (rebuilt maps show at once)."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        stderr_console().print(f"[dim]{self.address_string()} {format % args}[/dim]")


def _inputs(root: Path) -> dict[str, int]:
    """Modification times of the workspace's inputs (config, layers, geo/)."""
    files = [root / "citymap.toml", *(root / "layers").glob("*.toml"), *(root / "geo").rglob("*")]
    return {str(p): p.stat().st_mtime_ns for p in files
            if p.is_file() and not p.name.startswith(".")}


def watch(root: Path, out: Path, stop: threading.Event, *, interval: float = 1.0,
          offline: bool = False, lang: str = "zh",
          report: Any = None) -> None:
    """Rebuild the maps of workspace ``root`` into ``out`` whenever an input changes.

    Polls every ``interval`` seconds until ``stop`` is set. A workspace that no longer
    validates is reported (``report(ok, message)``) and the previous maps stay served.
    """
    from citymap.render.build import build_maps
    from citymap.workspace import load_workspace

    last = _inputs(root)
    while not stop.wait(interval):
        now = _inputs(root)
        if now == last:
            continue
        last = now
        try:
            built = build_maps(load_workspace(root), out, offline=offline, lang=lang)
        except CitymapError as exc:
            if report is not None:
                report(False, str(exc).splitlines()[0])
            continue
        if report is not None:
            report(True, f"rebuilt {len(built)} maps")


@click.command("serve", epilog="Examples:\n\n  citymap build && citymap serve\n\n"
               "  citymap serve --port 8080 --open\n\n  citymap serve --watch --offline")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port (0: any free port).")
@click.option("--bind", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 to share on the local network).")
@click.option("--open", "open_browser", is_flag=True, help="Open the overview in the browser.")
@click.option("-d", "--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="The maps folder (default: maps/ in the workspace).")
@click.option("--watch", "watch_", is_flag=True, help="Rebuild the maps when the workspace's files "
              "change (register, layers, sites, status log); reload the page to see them.")
@click.option("--offline", is_flag=True, help="With --watch: rebuild offline maps.")
@common_options
@click.pass_context
def serve(ctx: click.Context, port: int, bind: str, open_browser: bool,
          folder: Path | None, watch_: bool, offline: bool) -> None:
    """Serve the maps built by `citymap build` at http://127.0.0.1:8000/ until Ctrl-C.

    The maps also open by double-click; serving helps when a browser restricts pages
    opened from files, or to share them on the local network.
    """
    from citymap.io.owned import recover

    ws = load(ctx)
    root = folder if folder is not None else ws.root / "maps"
    err = stderr_console()
    for line in recover(root):  # a build killed between its two renames left no maps/
        err.print(line, markup=False, highlight=False)
    if not (root / "index.html").is_file():
        raise CitymapClickError(f"{str(root)!r} has no index.html: run `citymap build` first")
    handler = functools.partial(_Handler, directory=str(root))
    try:
        server = http.server.ThreadingHTTPServer((bind, port), handler)
    except OSError as exc:
        raise CitymapClickError(f"cannot listen on {bind}:{port}: {exc.strerror}; try "
                                "--port 0 for any free port") from None
    raw_host, real_port = server.server_address[:2]
    host = raw_host.decode() if isinstance(raw_host, bytes) else str(raw_host)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{real_port}/"
    err.print(f"欢迎 welcome — serving {root} at [bold]{url}[/bold] (Ctrl-C to stop)")
    click.echo(url)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url + "index.html",)).start()
    stop = threading.Event()
    if watch_:
        def report(ok: bool, message: str) -> None:
            err.print(("[green]" if ok else "[red]not rebuilt: ") + message
                      + ("[/green]" if ok else "[/red]"), markup=True)

        threading.Thread(target=watch, args=(ws.root, root, stop), daemon=True, kwargs={
            "offline": offline, "lang": get_lang(ctx, ws), "report": report}).start()
        err.print(f"watching {ws.root} for changes")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err.print("stopped")
    finally:
        stop.set()
        server.server_close()
