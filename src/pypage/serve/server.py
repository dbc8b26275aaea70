"""``pypage serve``: build the site, serve it on loopback, rebuild on save and update the open
pages: in place when only a page's content changed, with a full reload otherwise."""

from __future__ import annotations

import ipaddress
import json
import logging
import queue
import shutil
import tempfile
import threading
import webbrowser
from http import HTTPStatus
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from pypage.errors import Diagnostic, PypageError
from pypage.resources import data_path
from pypage.serve.live import LiveSite, Update
from pypage.site.host import SiteHandler, make_server

log = logging.getLogger(__name__)

LIVE_PREFIX = "/__pypage__/"
_LIVE_SCRIPT = f'<script type="module" src="{LIVE_PREFIX}livereload.js"></script>'


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


def watch(live: LiveSite, broadcaster: Broadcaster, stop: threading.Event) -> None:
    """Rebuild on every batch of file changes until ``stop`` is set."""
    import watchfiles

    # step/debounce: wait 30 ms of quiet after a save (editors write in bursts), at most 300 ms.
    for changes in watchfiles.watch(live.site, stop_event=stop, debounce=300, step=30):
        update = live.apply({Path(path) for _, path in changes})
        publish_update(broadcaster, update)


def make_live_server(
    live: LiveSite, *, host: str, port: int
) -> tuple[ThreadingHTTPServer, Broadcaster]:
    broadcaster = Broadcaster()
    handler = type("Live", (LiveHandler,), {"live": live, "broadcaster": broadcaster})
    server = make_server(live.out, host=host, port=port, handler_class=handler)
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
