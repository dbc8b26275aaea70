"""The site's service worker (runtime/sw/pypage-sw.js): zero-request repeat visits, offline pages
and cross-origin isolation on hosts that cannot send headers. Written once every content-hashed
file of the build is, because it lists them all."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import PurePosixPath

from pypage.bundles import SiteOutput
from pypage.resources import data_path
from pypage.site.render import OFFLINE_LIST
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


def _inlined_module(name: str) -> str:
    """A runtime module as an expression: its exports as an object's members. The worker is a
    classic script, which cannot import it."""
    source = (data_path("runtime") / name).read_text()
    exported = re.findall(r"^export (?:async )?(?:function|const) (\w+)", source, re.MULTILINE)
    body = re.sub(r"^export ", "", source, flags=re.MULTILINE)
    return f"(() => {{\n{body}\nreturn {{ {', '.join(exported)} }};\n}})()"


def service_worker_version(out: SiteOutput) -> str:
    """The version of the worker for ``out``'s bundled files (known before the search index)."""
    assets = [path.as_posix() for path in _listed(out)]
    return hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]


def add_service_worker(
    out: SiteOutput,
    *,
    isolate: bool,
    version: str,
    search: PurePosixPath | None = None,
    offline: PurePosixPath | None = None,
) -> None:
    """Add the worker, listing every bundled file of ``out``, to ``out``. ``offline``: the site
    path of the page shown for a page never visited, offline."""
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
        .replace('/* OFFLINE */ ""', json.dumps(str(offline) if offline else ""))
        .replace('/* OFFLINE_LIST */ ""', json.dumps(OFFLINE_LIST))
        .replace("/* STORAGE */ (/** @type {any} */ (null))", _inlined_module("storage.js"))
    )
    out.add(SERVICE_WORKER, source.encode())
