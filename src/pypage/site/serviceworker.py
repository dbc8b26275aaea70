"""The site's service worker (runtime/sw/pypage-sw.js): zero-request repeat visits, offline pages
and cross-origin isolation on hosts that cannot send headers. Written once every content-hashed
file of the build is, because it lists them all."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath

from pypage.bundles import ASSET_ROOT
from pypage.resources import data_path

SERVICE_WORKER = PurePosixPath("pypage-sw.js")

# V8 keeps the compiled code of a wasm module or script only for a response from the HTTP cache.
# Skipping the compile pays for the worker's extra HTTP-cache lookup only for large files
# (Pyodide's 9.6 MB wasm compiles in ~0.7 s); for small ones the lookup is the slower path.
COMPILED_MIN_BYTES = 1 << 20
_COMPILED_SUFFIXES = frozenset({".wasm", ".js", ".mjs"})


def write_service_worker(out: Path, *, isolate: bool) -> str:
    """Write the worker into ``out``; return its version (a hash of the files it lists)."""
    assets = _assets(out)
    compiled = [
        name
        for name in assets
        if PurePosixPath(name).suffix in _COMPILED_SUFFIXES
        and (out / name).stat().st_size >= COMPILED_MIN_BYTES
    ]
    version = hashlib.sha256("\n".join(assets).encode()).hexdigest()[:12]
    source = (data_path("runtime") / "sw" / SERVICE_WORKER.name).read_text()
    source = (
        source.replace("/* ASSETS */ []", json.dumps(assets))
        .replace("/* COMPILED */ []", json.dumps(compiled))
        .replace("/* ISOLATE */ true", "true" if isolate else "false")
        .replace('/* VERSION */ ""', json.dumps(version))
    )
    (out / SERVICE_WORKER).write_text(source)
    return version


def _assets(out: Path) -> list[str]:
    root = out / ASSET_ROOT
    return sorted(path.relative_to(out).as_posix() for path in root.rglob("*") if path.is_file())
