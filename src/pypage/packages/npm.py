"""npm packages pinned by runtime/package-lock.json (the interpreters, CodeMirror, marked,
reveal.js): downloaded from the user's npm registry once per machine and verified against the
lock's integrity hash."""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypage.cache import cache_dir
from pypage.errors import Diagnostic, PypageError
from pypage.resources import data_path

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class NpmPackage:
    name: str
    version: str
    integrity: str  # Subresource Integrity string from package-lock.json: "sha512-<base64>"

    @property
    def tarball_path(self) -> str:
        basename = self.name.rsplit("/", 1)[-1]
        return f"{self.name}/-/{basename}-{self.version}.tgz"

    @property
    def cache_key(self) -> str:
        digest = base64.b64decode(self.integrity.partition("-")[2]).hex()[:16]
        return f"{self.name.replace('/', '+')}-{self.version}-{digest}"


@functools.cache
def _lock() -> dict[str, Any]:
    lock: dict[str, Any] = json.loads((data_path("runtime") / "package-lock.json").read_text())
    return lock


def pinned(name: str) -> NpmPackage:
    entry = _lock()["packages"][f"node_modules/{name}"]
    return NpmPackage(name=name, version=entry["version"], integrity=entry["integrity"])


def fetch_package(package: NpmPackage, *, offline: bool = False) -> Path:
    """The unpacked package folder, downloaded once per machine and verified against the lock."""
    target = cache_dir() / "npm" / package.cache_key
    if (target / "package.json").is_file():
        return target
    label = f"{package.name} {package.version}"
    if offline:
        raise PypageError(
            Diagnostic(
                message=f"{label} is not in the cache and --offline forbids downloading it",
                hint=f"build once with network access; the cache is {cache_dir()}",
            )
        )
    # Imported here: only a first build downloads, and urllib.request is slow to import.
    import urllib.error
    import urllib.request

    url = registry() + package.tarball_path
    log.info("Downloading %s (once; cached in %s)", label, cache_dir())
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise PypageError(
            Diagnostic(
                message=f"could not download {label} from {url}: {exc}",
                hint="check the network, or set PYPAGE_NPM_REGISTRY to a reachable npm registry",
            )
        ) from None
    _verify(data, package, url)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        archive = Path(tmp) / "package.tgz"
        archive.write_bytes(data)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        try:
            (Path(tmp) / "package").rename(target)
        except OSError:
            if not (target / "package.json").is_file():  # another build won the race
                raise
    return target


def _verify(data: bytes, package: NpmPackage, url: str) -> None:
    algorithm, _, expected = package.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise PypageError(
            Diagnostic(
                message=f"integrity check failed for {package.name} {package.version} from {url}",
                hint=f"expected {package.integrity}, got {algorithm}-{actual}; "
                "the registry or a proxy served a different file",
            )
        )


def registry() -> str:
    """The npm registry the user's npm is configured with (or PYPAGE_NPM_REGISTRY)."""
    url = os.environ.get("PYPAGE_NPM_REGISTRY") or os.environ.get("npm_config_registry")  # noqa: SIM112 - npm's own spelling
    if not url and (npm := shutil.which("npm")):
        try:
            result = subprocess.run(
                [npm, "config", "get", "registry"],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
            url = result.stdout.strip()
        except (subprocess.SubprocessError, OSError):
            url = ""
    if not url or not url.startswith(("http://", "https://", "file://")):
        raise PypageError(
            Diagnostic(
                message="no npm registry configured to download the Python interpreter from",
                hint="install npm (pypage uses its registry setting) "
                "or set PYPAGE_NPM_REGISTRY to the registry's URL",
            )
        )
    return url.rstrip("/") + "/"
