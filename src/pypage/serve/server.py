"""``pypage serve``: build the site, serve it on loopback, rebuild on save and update the open
pages: in place when only a page's content changed, with a full reload otherwise."""

from __future__ import annotations

import functools
import html
import ipaddress
import json
import logging
import queue
import shutil
import sys
import tempfile
import threading
import webbrowser
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from pypage.bundles import BUNDLE_ROOT
from pypage.errors import Diagnostic, PypageError
from pypage.resources import data_path
from pypage.serve.live import LiveSite, Update

log = logging.getLogger(__name__)

LIVE_PREFIX = "/__pypage__/"
_LIVE_SCRIPT = f'<script type="module" src="{LIVE_PREFIX}livereload.js"></script>'


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files of one folder: correct MIME types, cross-origin isolation, cache headers,
    no directory listings, and a real 404 page."""

    extensions_map: ClassVar[dict[str, str]] = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
        ".zip": "application/zip",
    }
    isolate = True  # COOP/COEP give the page SharedArrayBuffer

    def end_headers(self) -> None:
        if self.isolate:
            self.send_header("Cross-Origin-Opener-Policy", "same-origin")
            self.send_header("Cross-Origin-Embedder-Policy", "require-corp")
            self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        # Files under _pypage/ have content-hashed names: they never change, so never re-fetch.
        if f"/{BUNDLE_ROOT}/" in self.path:
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def list_directory(self, path: str | Path) -> None:  # type: ignore[override]
        self.send_not_found()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code == HTTPStatus.NOT_FOUND:
            self.send_not_found()
        else:
            super().send_error(code, message, explain)

    def send_not_found(self) -> None:
        body = self.decorate(_not_found_page(self.path)).encode()
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def decorate(self, page: str) -> str:
        """Hook for the live server to add its script to every HTML page it sends."""
        return page

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


def _not_found_page(path: str) -> str:
    # Self-contained (no stylesheet): relative URLs would not resolve from an unknown path.
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Not found</title>'
        '<meta name="color-scheme" content="light dark">'
        '<body style="font: 16px/1.6 system-ui, sans-serif; max-width: 40rem; margin: 4rem auto;'
        ' padding: 0 1rem">'
        f"<h1>Page not found</h1><p>Nothing is at <code>{html.escape(path)}</code>.</p>"
        '<p><a href="/">Go to the home page</a></p></body></html>'
    )


def make_server(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    isolate: bool = True,
    handler_class: type[SiteHandler] = SiteHandler,
) -> ThreadingHTTPServer:
    handler = type("Handler", (handler_class,), {"isolate": isolate})
    return SiteServer((host, port), functools.partial(handler, directory=str(root)))


class SiteServer(ThreadingHTTPServer):
    # socketserver's default backlog of 5 refuses connections when a page loads many files at once.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        # A page closed while it still loaded files (check closes each page when its cells are
        # done) is no error worth a traceback in the author's terminal.
        if isinstance(sys.exception(), (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class Broadcaster:
    """Fan-out of rebuild events to every open page (one queue per Server-Sent Events stream)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: set[queue.Queue[tuple[str, dict[str, object]]]] = set()

    def subscribe(self) -> queue.Queue[tuple[str, dict[str, object]]]:
        channel: queue.Queue[tuple[str, dict[str, object]]] = queue.Queue()
        with self._lock:
            self._queues.add(channel)
        return channel

    def unsubscribe(self, channel: queue.Queue[tuple[str, dict[str, object]]]) -> None:
        with self._lock:
            self._queues.discard(channel)

    def publish(self, event: str, data: dict[str, object]) -> None:
        with self._lock:
            for channel in self._queues:
                channel.put((event, data))


class LiveHandler(SiteHandler):
    """The site plus the live-reload channel; the reload script is injected into HTML here and
    never written into the built site."""

    # Set on the subclass make_live_server creates.
    live: ClassVar[LiveSite]
    broadcaster: ClassVar[Broadcaster]

    def do_GET(self) -> None:
        if self.path == LIVE_PREFIX + "events":
            self._stream_events()
        elif self.path == LIVE_PREFIX + "livereload.js":
            self._send_bytes(
                (data_path("runtime") / "dev" / "livereload.js").read_bytes(), "text/javascript"
            )
        elif (page := self._html_file()) is not None:
            self._send_bytes(self.decorate(page.read_text(encoding="utf-8")).encode(), "text/html")
        else:
            super().do_GET()

    def decorate(self, page: str) -> str:
        at = page.rfind("</body>")
        return page[:at] + _LIVE_SCRIPT + page[at:] if at >= 0 else page + _LIVE_SCRIPT

    def _html_file(self) -> Path | None:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?", 1)[0].endswith("/"):
                return None  # the base class redirects to the slash form
            path = path / "index.html"
        return path if path.suffix == ".html" and path.is_file() else None

    def _send_bytes(self, body: bytes, content_type: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream_events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        channel = self.broadcaster.subscribe()
        try:
            error = self.live.error
            if error:  # a page opened while the build is broken shows the error at once
                self._send_event("build-error", {"error": error})
            else:
                self._send_event("hello", {})
            while True:
                try:
                    event, data = channel.get(timeout=15)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                self._send_event(event, data)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            self.broadcaster.unsubscribe(channel)

    def _send_event(self, event: str, data: dict[str, object]) -> None:
        self.wfile.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()


def publish_update(broadcaster: Broadcaster, update: Update) -> None:
    if update.kind == "error":
        broadcaster.publish("build-error", {"error": update.error})
    elif update.kind == "pages":
        broadcaster.publish("pages", {"pages": list(update.pages)})
    elif update.kind == "reload":
        broadcaster.publish("reload", {})


def watch(live: object, broadcaster: Broadcaster, stop: threading.Event) -> None:
    """Rebuild on every batch of file changes until ``stop`` is set."""
    import watchfiles

    site = getattr(live, "site")  # noqa: B009 - typed loosely to keep imports lazy
    # step/debounce: wait 30 ms of quiet after a save (editors write in bursts), at most 300 ms.
    for changes in watchfiles.watch(site, stop_event=stop, debounce=300, step=30):
        update = live.apply({Path(path) for _, path in changes})  # type: ignore[attr-defined]
        publish_update(broadcaster, update)


def make_live_server(
    live: object, *, host: str, port: int
) -> tuple[ThreadingHTTPServer, Broadcaster]:
    broadcaster = Broadcaster()
    handler = type("Live", (LiveHandler,), {"live": live, "broadcaster": broadcaster})
    server = make_server(getattr(live, "out"), host=host, port=port, handler_class=handler)  # noqa: B009
    return server, broadcaster


def serve(
    site: Path,
    out: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
) -> None:
    scratch = None
    if out is None:  # the served build is the server's own, not the site's _site folder
        scratch = Path(tempfile.mkdtemp(prefix="pypage-serve-"))
        out = scratch / "site"
    try:
        live = LiveSite(site, out)
        if not _is_loopback(host):
            log.warning("warning: serving on %s makes the site reachable from other machines", host)
        try:
            server, broadcaster = make_live_server(live, host=host, port=port)
        except OSError as error:
            raise PypageError(
                Diagnostic(
                    message=f"cannot serve on {host}:{port}: {error.strerror or error}",
                    hint="another server may be using the port: choose one with --port, "
                    "or --port 0",
                )
            ) from None
        stop = threading.Event()
        watcher = threading.Thread(target=watch, args=(live, broadcaster, stop), daemon=True)
        watcher.start()
        bound_port = server.server_address[1]
        url = f"http://{host if ':' not in host else f'[{host}]'}:{bound_port}/"
        log.info("Serving %s at %s (watching for changes; Ctrl+C to stop)", site, url)
        if open_browser:
            threading.Timer(0.2, webbrowser.open, args=(url,)).start()
        try:
            server.serve_forever()
        finally:
            stop.set()
            server.server_close()
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
