"""Library files minified by the esbuild runtime/package-lock.json pins (a development tool, never
part of a site): CodeMirror reaches readers at two fifths of its published size. A wheel carries
the minified files (hatch_build.py makes them), so an installed pypage never runs esbuild; a source
checkout makes them once per machine, with the same esbuild, so its sites and tests ship what an
installed pypage ships.

The wheel's build hook imports this module from the source tree: it must need nothing beyond the
standard library and platformdirs (pypage.cache)."""

from __future__ import annotations

import logging
import os
import platform
import subprocess
import sys
from pathlib import Path

from pypage.cache import cache_dir
from pypage.errors import Diagnostic, PypageError
from pypage.packages.npm import NpmPackage, fetch_package, pinned
from pypage.resources import packaged_path
from pypage.shipped import MINIFIED_FOLDER

log = logging.getLogger(__name__)

# esbuild's name for this machine's operating system and processor, as its npm packages say it.
_SYSTEMS = {"linux": "linux", "darwin": "darwin", "win32": "win32", "freebsd": "freebsd"}
_PROCESSORS = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}


def minified(package: NpmPackage, file: str, *, offline: bool = False) -> Path:
    """``file`` of ``package``, minified: the wheel's copy, else this machine's, else made now."""
    rel = Path(package.cache_key, file)
    if (carried := packaged_path(MINIFIED_FOLDER) / rel).is_file():
        return carried
    source = fetch_package(package, offline=offline) / file
    tool = esbuild_package()
    if tool is None:  # a checkout on a machine esbuild is not built for
        log.warning("no esbuild for this machine: %s %s ships unminified", package.name, file)
        return source
    kept = cache_dir() / MINIFIED_FOLDER / tool.cache_key / rel
    if kept.is_file():
        return kept
    binary = fetch_package(tool, offline=offline) / (
        "esbuild.exe" if sys.platform == "win32" else "bin/esbuild"
    )
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f".{kept.name}.{os.getpid()}")
    done = subprocess.run(
        [binary, source, "--minify", "--format=esm", "--log-level=error", f"--outfile={partial}"],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        partial.unlink(missing_ok=True)
        raise PypageError(
            Diagnostic(
                message=f"esbuild could not minify {package.name}'s {file}: {done.stderr.strip()}",
                hint=f"remove {cache_dir() / 'npm'} to fetch the pinned packages again",
            )
        )
    partial.replace(kept)  # whole or not at all, should builds run side by side
    return kept


def esbuild_package() -> NpmPackage | None:
    """The pinned esbuild binary's package for this machine, if esbuild is built for it."""
    system = _SYSTEMS.get(sys.platform)
    processor = _PROCESSORS.get(platform.machine().lower())
    try:
        return pinned(f"@esbuild/{system}-{processor}") if system and processor else None
    except KeyError:
        return None
