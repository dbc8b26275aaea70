"""The site's service worker (runtime/sw/pypage-sw.js): zero-request repeat visits, offline pages
and cross-origin isolation on hosts that cannot send headers. Written once every content-hashed
file of the build is, because it lists them all."""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath

from pypage.bundles import SiteOutput
from pypage.resources import data_path
from pypage.site.search import in_search_index

SERVICE_WORKER = PurePosixPath("pypage-sw.js")

# V8 keeps the compiled code of a wasm module or script only for a response from the HTTP cache.
# Skipping the compile pays for the worker's extra HTTP-cache lookup only for large files
# (Pyodide's 9.6 MB wasm compiles in ~0.7 s); for small ones the lookup is the slower path.
COMPILED_MIN_BYTES = 1 << 20
_COMPILED_SUFFIXES = frozenset({".wasm", ".js", ".mjs"})


def _listed(out: SiteOutput) -> list[PurePosixPath]:
    # The search index changes with every edit of a page and is not content-hashed as a whole:
    # the worker fetches it network-first (SEARCH), so it is not among the immutable assets.
    return [path for path in out.bundled() if not in_search_index(path)]


def service_worker_version(out: SiteOutput) -> str:
    """The version of the worker for ``out``'s bundled files (known before the search index)."""
    assets = [path.as_posix() for path in _listed(out)]
    return hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]


def add_service_worker(
    out: SiteOutput, *, isolate: bool, version: str, search: PurePosixPath | None = None
) -> None:
    """Add the worker, listing every bundled file of ``out``, to ``out``."""
    bundled = _listed(out)
    assets = [path.as_posix() for path in bundled]
    compiled = [
        path.as_posix()
        for path in bundled
        if path.suffix in _COMPILED_SUFFIXES and out.size(path) >= COMPILED_MIN_BYTES
    ]
    source = (data_path("runtime") / "sw" / SERVICE_WORKER.name).read_text()
    source = (
        source.replace("/* ASSETS */ []", json.dumps(assets))
        .replace("/* COMPILED */ []", json.dumps(compiled))
        .replace("/* ISOLATE */ true", "true" if isolate else "false")
        .replace('/* VERSION */ ""', json.dumps(version))
        .replace('/* SEARCH */ ""', json.dumps(f"{search}/" if search else ""))
    )
    out.add(SERVICE_WORKER, source.encode())
