"""Serving a built site over HTTP as a static host would, plus what pypage's own servers add:
cross-origin isolation when asked, cache headers for content-hashed bundles, a real 404 page."""

from __future__ import annotations

import functools
import html
import logging
import os
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from pypage.bundles import BUNDLE_ROOT

log = logging.getLogger(__name__)


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files of one folder: correct MIME types, cross-origin isolation, cache headers,
    no directory listings, and a real 404 page."""

    # Not a ClassVar: the base class declares it as an instance attribute (mypy).
    extensions_map = {  # noqa: RUF012
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

    def list_directory(self, path: str | os.PathLike[str]) -> None:
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


class SiteServer(ThreadingHTTPServer):
    # socketserver's default backlog of 5 refuses connections when a page loads many files at once.
    request_queue_size = 128
    daemon_threads = True

    def handle_error(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        # A page closed while it still loaded files (check closes each page when its cells are
        # done) is no error worth a traceback in the author's terminal.
        if isinstance(sys.exception(), (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def make_server(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    isolate: bool = True,
    handler_class: type[SiteHandler] = SiteHandler,
) -> SiteServer:
    handler = type("Handler", (handler_class,), {"isolate": isolate})
    return SiteServer((host, port), functools.partial(handler, directory=str(root)))


@contextmanager
def running(server: ThreadingHTTPServer) -> Iterator[str]:
    """``server`` answering on a daemon thread for the duration of the block; yields its base
    URL. For callers that need the server object itself (a live server, a counting handler)."""
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="pypage-host")
    thread.start()
    host, port = server.server_address[:2]
    name = host.decode() if isinstance(host, bytes) else host
    try:
        yield f"http://{f'[{name}]' if ':' in name else name}:{port}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serving(root: Path, *, isolate: bool, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """The folder ``root`` served on a thread while the block runs; yields the base URL.
    ``isolate``: with the COOP/COEP headers pypage's own servers send, or without them, as a
    static host such as GitHub Pages serves it. Each caller states it: pages behave differently
    (shared memory for input() and Stop)."""
    with running(make_server(root, host=host, port=port, isolate=isolate)) as base:
        yield base
