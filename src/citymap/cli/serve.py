"""``citymap serve``: serve the built maps on localhost."""

from __future__ import annotations

import functools
import http.server
import threading
import webbrowser
from pathlib import Path
from typing import Any

import click

from citymap.cli._options import CitymapClickError, common_options, load, stderr_console


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, logged on stderr, never cached (rebuilt maps show at once)."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        stderr_console().print(f"[dim]{self.address_string()} {format % args}[/dim]")


@click.command("serve", epilog="Examples:\n\n  citymap build && citymap serve\n\n"
               "  citymap serve --port 8080 --open")
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port (0: any free port).")
@click.option("--bind", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 to share on the local network).")
@click.option("--open", "open_browser", is_flag=True, help="Open the overview in the browser.")
@click.option("-d", "--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="The maps folder (default: maps/ in the workspace).")
@common_options
@click.pass_context
def serve(ctx: click.Context, port: int, bind: str, open_browser: bool,
          folder: Path | None) -> None:
    """Serve the maps built by `citymap build` at http://127.0.0.1:8000/ until Ctrl-C.

    The maps also open by double-click; serving helps when a browser restricts pages
    opened from files, or to share them on the local network.
    """
    root = folder if folder is not None else load(ctx).root / "maps"
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
    err = stderr_console()
    err.print(f"欢迎 welcome — serving {root} at [bold]{url}[/bold] (Ctrl-C to stop)")
    click.echo(url)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url + "index.html",)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err.print("stopped")
    finally:
        server.server_close()
