"""``pypage serve``: build the site and serve it on loopback with the headers the runtime wants."""

from __future__ import annotations

import functools
import ipaddress
import logging
import threading
import webbrowser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

from .assets import ASSET_ROOT
from .errors import Diagnostic, PypageError

log = logging.getLogger(__name__)


class SiteHandler(SimpleHTTPRequestHandler):
    """Static files with correct MIME types, cross-origin isolation and cache headers."""

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
        if f"/{ASSET_ROOT}/" in self.path:
            self.send_header("Cache-Control", "public, max-age=31536000, immutable")
        else:
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


def make_server(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    isolate: bool = True,
    handler_class: type[SiteHandler] = SiteHandler,
) -> ThreadingHTTPServer:
    handler = type("Handler", (handler_class,), {"isolate": isolate})
    server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(root)))
    server.daemon_threads = True
    return server


def serve(
    site: Path,
    out: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
) -> None:
    from .build import build

    report = build(site, out)
    if not _is_loopback(host):
        log.warning("warning: serving on %s makes the site reachable from other machines", host)
    try:
        server = make_server(report.out, host=host, port=port)
    except OSError as error:
        raise PypageError(
            Diagnostic(
                message=f"cannot serve on {host}:{port}: {error.strerror or error}",
                hint="another server may be using the port: choose one with --port, or --port 0",
            )
        ) from None
    bound_port = server.server_address[1]
    url = f"http://{host if ':' not in host else f'[{host}]'}:{bound_port}/"
    log.info("Serving %s at %s (Ctrl+C to stop)", report.out, url)
    if open_browser:
        threading.Timer(0.2, webbrowser.open, args=(url,)).start()
    try:
        server.serve_forever()
    finally:
        server.server_close()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
