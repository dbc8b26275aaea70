"""Which Chromium the browser tools drive, and the flags it starts with."""

from __future__ import annotations

import shutil
from pathlib import Path

from pypage.errors import Diagnostic, PypageError

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Outside hosts do not resolve: a page that needs one fails, as it would offline. (A Playwright
# route() guard would also disable the HTTP cache, which lets a browser load the interpreter once.)
LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"

_SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser(path: str | None) -> str | None:
    """The Chromium to drive: ``--browser``, else one on PATH, else Playwright's own (None)."""
    if path:
        found = shutil.which(path) or (path if Path(path).is_file() else None)
        if not found:
            raise PypageError(
                Diagnostic(
                    message=f"no browser at '{path}'",
                    hint="give the path of a Chromium or Chrome executable",
                )
            )
        return found
    for name in _SYSTEM_BROWSERS:
        if found := shutil.which(name):
            return found
    return None
