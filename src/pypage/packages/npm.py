"""npm packages pinned by runtime/package-lock.json (the interpreters, CodeMirror, marked,
reveal.js): taken from the tarballs an installed wheel carries (hatch_build.py puts them there),
else downloaded from the user's npm registry once per machine; either way verified against the
lock's integrity hash before they are unpacked into the machine's cache.

The wheel's build hook imports this module from the source tree: it must need nothing beyond the
standard library and platformdirs (pypage.cache)."""

from __future__ import annotations

import base64
import functools
import hashlib
import io
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
from pypage.resources import data_path, packaged_path
from pypage.shipped import NPM_FOLDER

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
    def tarball_name(self) -> str:
        """The tarball's file name where pypage keeps it (in a wheel, in the machine's cache)."""
        return f"{self.cache_key}.tgz"

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


def runtime_packages() -> list[NpmPackage]:
    """Every package the lock pins for the browser runtime (not the tools that check it)."""
    return [
        pinned(key.removeprefix("node_modules/"))
        for key, entry in sorted(_lock()["packages"].items())
        if key.startswith("node_modules/") and not entry.get("dev")
    ]


def fetch_package(package: NpmPackage, *, offline: bool = False) -> Path:
    """The unpacked package folder, unpacked once per machine from its verified tarball."""
    target = cache_dir() / "npm" / package.cache_key
    if (target / "package.json").is_file():
        return target
    archive = tarball(package, offline=offline)
    data = archive.read_bytes()
    try:
        _verify(data, package, str(archive))  # again: a file on disk may have changed since
    except PypageError:
        if archive.is_relative_to(cache_dir()):
            archive.unlink(missing_ok=True)  # downloaded again next time
        raise
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(tmp, filter="data")
        try:
            (Path(tmp) / "package").rename(target)
        except OSError:
            if not (target / "package.json").is_file():  # another build won the race
                raise
    return target


def bundled_tarball(package: NpmPackage) -> Path | None:
    """The tarball an installed wheel carries for the package (a checkout carries none)."""
    path = packaged_path(NPM_FOLDER) / package.tarball_name
    return path if path.is_file() else None


def tarball(package: NpmPackage, *, offline: bool = False) -> Path:
    """The package's tarball, verified: the wheel's, else this machine's, else downloaded once."""
    if bundled := bundled_tarball(package):
        return bundled
    kept = cache_dir() / "npm" / package.tarball_name
    if kept.is_file():
        return kept
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
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f".{kept.name}.{os.getpid()}")
    partial.write_bytes(data)
    partial.replace(kept)  # whole or not at all, should builds run side by side
    return kept


def _verify(data: bytes, package: NpmPackage, source: str) -> None:
    algorithm, _, expected = package.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise PypageError(
            Diagnostic(
                message=f"integrity check failed for {package.name} {package.version} "
                f"from {source}",
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
