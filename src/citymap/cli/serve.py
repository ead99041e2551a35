"""``citymap serve``: serve the built maps on localhost, rebuilding them on change.

Only the files of the maps folder are served: no directory listing, no symbolic link that
leads out of the folder, no path outside it (all 404). Every response carries security
headers (:data:`SECURITY_HEADERS`) and, for a page, a Content-Security-Policy that lets
only the page's own inline scripts run (by hash), scripts and styles from the folder and
the CDN of the online maps, and images (map tiles) over https. Request lines are logged with
control characters escaped, so a request cannot send escape codes to the operator's
terminal, and never as console markup.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import http.server
import os
import re
import threading
import webbrowser
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from citymap.cli._options import (
    CitymapClickError,
    common_options,
    default_output,
    errors_to_exit,
    get_lang,
    get_store,
    load,
    stderr_console,
)
from citymap.errors import CitymapError

if TYPE_CHECKING:
    from citymap.store.base import Store
    from citymap.workspace import Workspace

#: Headers sent with every response.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",  # rebuilt maps show at once
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",  # Tianditu keys check the origin
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=(), payment=()",
}
#: The Content-Security-Policy of a page; ``{scripts}`` becomes the hashes of its inline
#: scripts.
CSP = ("default-src 'none'; script-src 'self' {scripts} https://cdn.jsdelivr.net; "
       "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
       "img-src 'self' data: blob: https:; font-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'")
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    r"""``text`` with control characters (terminal escape codes) shown as ``\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def page_csp(html: bytes) -> str:
    """The Content-Security-Policy of a page: its inline ``<script>`` elements by hash."""
    hashes = sorted({"'sha256-" + base64.b64encode(hashlib.sha256(m).digest()).decode() + "'"
                     for m in _INLINE_SCRIPT.findall(html)})
    return CSP.format(scripts=" ".join(hashes))


def _inside(path: str, root: str) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files of the maps folder only, with security headers, logged on stderr."""

    _csp: dict[tuple[str, int], str] = {}

    def send_head(self) -> Any:
        path = self.translate_path(self.path)
        targets = [path]
        if os.path.isdir(path):
            targets += [os.path.join(path, n) for n in ("index.html", "index.htm")]
        if not all(_inside(t, self.directory) for t in targets if os.path.lexists(t)):
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        served = next((t for t in targets if os.path.isfile(t)), None)
        self._page = served if served and served.endswith((".html", ".htm")) else None
        return super().send_head()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(HTTPStatus.NOT_FOUND, "File not found")  # no listings
        return None

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        page = getattr(self, "_page", None)
        if page is not None:
            self.send_header("Content-Security-Policy", self._page_csp(page))
        else:
            self.send_header("Content-Security-Policy", CSP.format(scripts=""))
        super().end_headers()

    def _page_csp(self, page: str) -> str:
        try:
            key = (page, os.stat(page).st_mtime_ns)
            if key not in self._csp:
                with open(page, "rb") as fh:
                    self._csp[key] = page_csp(fh.read())
            return self._csp[key]
        except OSError:
            return CSP.format(scripts="")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        stderr_console().print(printable(f"{self.address_string()} {format % args}"),
                               markup=False, highlight=False, style="dim")


def _snapshot(ws: Workspace) -> dict[str, int] | None:
    """Modification times of the files the workspace is read from
    (:meth:`~citymap.workspace.Workspace.input_files`).
    """
    try:
        return {str(p): p.stat().st_mtime_ns for p in ws.input_files() if p.is_file()}
    except OSError:  # a file went away while it was listed: look again next time
        return None


def watch(store: Store, out: Path, stop: threading.Event, *, ws: Workspace,
          interval: float = 1.0, offline: bool = False, lang: str = "zh",
          report: Any = None) -> None:
    """Rebuild the maps of the workspace of ``store`` into ``out`` whenever an input changes.

    Polls every ``interval`` seconds until ``stop`` is set. A workspace that no longer
    validates is reported (``report(ok, message)``) and the previous maps stay served.
    ``ws`` is the workspace as loaded now: its files are watched.
    """
    from citymap.render.build import build_maps

    last = _snapshot(ws)
    while not stop.wait(interval):
        now = _snapshot(ws)
        if now is None or now == last:
            continue
        last = now
        try:
            loaded = store.load()
            built = build_maps(loaded, out, offline=offline, lang=lang)
        except Exception as exc:  # noqa: BLE001 - any failure: say so, keep the old maps
            if report is not None:
                first = (str(exc).splitlines() or [""])[0]
                kind = "" if isinstance(exc, CitymapError) else f"{type(exc).__name__}: "
                report(False, f"{kind}{first}" or type(exc).__name__)
            continue
        ws = loaded  # its files (a new layer definition is watched from now on)
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
    from citymap.io.owned import check_dir_replaceable, recover

    ws = load(ctx)
    root = folder if folder is not None else default_output(ctx, ws, "maps")
    err = stderr_console()
    for line in recover(root):  # a build killed between its two renames left no maps/
        err.print(line, markup=False, highlight=False)
    if not (root / "index.html").is_file():
        raise CitymapClickError(f"{str(root)!r} has no index.html: run `citymap build` first")
    if watch_:  # the rebuilds replace the folder: only one citymap made
        with errors_to_exit():
            check_dir_replaceable(root, what="--watch into")
    handler = functools.partial(_Handler, directory=str(root))
    try:
        server = http.server.ThreadingHTTPServer((bind, port), handler)
    except OSError as exc:
        raise CitymapClickError(f"cannot listen on {bind}:{port}: {exc.strerror}; try "
                                "--port 0 for any free port") from None
    raw_host, real_port = server.server_address[:2]
    host = raw_host.decode() if isinstance(raw_host, bytes) else str(raw_host)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{real_port}/"
    err.print(f"欢迎 welcome — serving {root} at {url} (Ctrl-C to stop)")
    click.echo(url)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url + "index.html",)).start()
    stop = threading.Event()
    if watch_:
        def report(ok: bool, message: str) -> None:
            err.print(printable(message if ok else f"not rebuilt (the previous maps stay "
                                f"served): {message}"), markup=False, highlight=False,
                      style="green" if ok else "red")

        store = get_store(ctx)
        threading.Thread(target=watch, args=(store, root, stop), daemon=True, kwargs={
            "offline": offline, "lang": get_lang(ctx, ws), "report": report, "ws": ws}).start()
        err.print(f"watching {store.where} for changes")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err.print("stopped")
    finally:
        stop.set()
        server.server_close()
