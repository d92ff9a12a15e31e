"""`kbtool serve`: build, serve on 127.0.0.1, rebuild on change, reload the browser.

The server only ever listens on the loopback interface. Pages load
`_static/reload.js`, which listens on `/__kbtool/events` (server-sent events)
and reloads when a rebuild finished.
"""

from __future__ import annotations

import errno
import threading
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbtool.errors import InputError

if TYPE_CHECKING:
    from kbtool.config import Config
    from kbtool.site.build import BuildResult

__all__ = ["HOST", "Reloader", "SiteServer", "serve_site"]

HOST = "127.0.0.1"
EVENTS = "/__kbtool/events"


class Reloader:
    """A build counter that waiting browsers are told about."""

    def __init__(self) -> None:
        self.version = 0
        self.closed = False
        self._cond = threading.Condition()

    def bump(self) -> None:
        with self._cond:
            self.version += 1
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self._cond:
            self._cond.wait_for(lambda: self.version != seen or self.closed, timeout)
            return self.version


class _Handler(SimpleHTTPRequestHandler):
    reloader: Reloader

    def __init__(self, *args: Any, reloader: Reloader, **kwargs: Any) -> None:
        self.reloader = reloader
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0].endswith(EVENTS):
            self._events()
            return
        super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == 404:
            page = Path(str(self.directory)) / "404.html"
            if page.is_file():
                data = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                return
        super().send_error(code, message, explain)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        seen = self.reloader.version
        try:
            while not self.reloader.closed:
                now = self.reloader.wait(seen, 15.0)
                if now != seen:
                    self.wfile.write(f"event: reload\ndata: {now}\n\n".encode())
                    seen = now
                else:
                    self.wfile.write(b": ping\n\n")
                self.wfile.flush()
        except OSError:
            return

    def log_message(self, format: str, *args: Any) -> None:
        return


class SiteServer:
    """An HTTP server for a built site folder on 127.0.0.1, in a background thread."""

    def __init__(self, folder: Path, port: int) -> None:
        self.reloader = Reloader()
        handler = partial(_Handler, directory=str(folder), reloader=self.reloader)
        try:
            self.httpd = ThreadingHTTPServer((HOST, port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise InputError(f"port {port} is in use; try --port {port + 1}") from None
            raise
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}/"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.reloader.close()
        self.httpd.shutdown()
        self.httpd.server_close()


def serve_site(
    load_config: Callable[[], Config],
    *,
    out: Path,
    port: int,
    build: Callable[[Config], BuildResult],
    report: Callable[[BuildResult | Exception], None],
    ready: Callable[[str], None],
    stop: threading.Event | None = None,
) -> None:
    """Build, serve, and rebuild on every change until interrupted (or `stop` is set)."""
    from watchfiles import watch

    config = load_config()
    report(build(config))
    server = SiteServer(out, port)
    server.start()
    ready(server.url)
    watched = [config.articles_path]
    for extra in (config.root / "templates" / "site", config.source):
        if extra is not None and extra.exists():
            watched.append(extra)
    out_resolved = out.resolve()

    def relevant(_change: Any, path: str) -> bool:
        resolved = Path(path).resolve()
        return not resolved.is_relative_to(out_resolved) and "/.kbtool/" not in path

    try:
        for _changes in watch(*watched, watch_filter=relevant, stop_event=stop, debounce=200):
            try:
                config = load_config()
                report(build(config))
                server.reloader.bump()
            except Exception as exc:  # a broken file or config: say so, keep serving
                report(exc)
    finally:
        server.stop()
