"""The browser runtime: the pinned interpreter (from the npm registry, integrity-checked, cached on
this machine) and pypage's loader, copied into the site under content-hashed paths."""

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
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import platformdirs

from .assets import write_bundle
from .errors import Diagnostic, PypageError
from .resources import data_path

log = logging.getLogger(__name__)

# What each interpreter needs in the browser, and the npm package that provides it.
INTERPRETERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pyodide": (
        "pyodide",
        (
            "pyodide.mjs",
            "pyodide.asm.mjs",
            "pyodide.asm.wasm",
            "python_stdlib.zip",
            "pyodide-lock.json",
        ),
    ),
    "micropython": (
        "@micropython/micropython-webassembly-pyscript",
        ("micropython.mjs", "micropython.wasm"),
    ),
}

# The loader's own files: explicit globs, so nothing stray (node_modules, editor backups) ships.
RUNTIME_GLOBS = ("*.js", "*.css", "interpreters/*.js", "python/*.py")

# JavaScript libraries the loader imports: bundle path -> (npm package, file in the package).
VENDORED = {
    "vendor/marked.esm.js": ("marked", "lib/marked.esm.js"),
    "vendor/reveal.mjs": ("reveal.js", "dist/reveal.mjs"),
    "vendor/reveal-notes.mjs": ("reveal.js", "dist/plugin/notes.mjs"),
    "vendor/reveal.css": ("reveal.js", "dist/reveal.css"),
}

# CodeMirror 6, the cell editor: ES modules that import each other by npm package name, so the
# page maps those names to the files with an import map. package -> its module file.
EDITOR_MODULES = {
    "@codemirror/autocomplete": "dist/index.js",
    "@codemirror/commands": "dist/index.js",
    "@codemirror/lang-python": "dist/index.js",
    "@codemirror/language": "dist/index.js",
    "@codemirror/state": "dist/index.js",
    "@codemirror/streamparser": "dist/index.js",
    "@codemirror/view": "dist/index.js",
    "@lezer/common": "dist/index.js",
    "@lezer/highlight": "dist/index.js",
    "@lezer/lr": "dist/index.js",
    "@lezer/python": "dist/index.js",
    "@marijn/find-cluster-break": "src/index.js",
    "crelt": "index.js",
    "style-mod": "src/style-mod.js",
    "w3c-keyname": "index.js",
}


def editor_module_path(specifier: str) -> str:
    """Where a CodeMirror module is in the loader's folder."""
    return f"vendor/codemirror/{specifier.lstrip('@').replace('/', '-')}.js"


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


@dataclass(frozen=True, kw_only=True)
class RuntimeBundle:
    loader: PurePosixPath  # site path of the loader's folder
    interpreters: dict[str, PurePosixPath]  # interpreter name -> site path of its folder


@functools.cache
def _lock() -> dict[str, Any]:
    return json.loads((data_path("runtime") / "package-lock.json").read_text())


def pinned(name: str) -> NpmPackage:
    entry = _lock()["packages"][f"node_modules/{name}"]
    return NpmPackage(name=name, version=entry["version"], integrity=entry["integrity"])


def cache_dir() -> Path:
    override = os.environ.get("PYPAGE_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("pypage"))


def bundle_runtime(out: Path, interpreters: set[str], *, offline: bool = False) -> RuntimeBundle:
    folders = {}
    for name in sorted(interpreters):
        package_name, wanted = INTERPRETERS[name]
        package = fetch_package(pinned(package_name), offline=offline)
        files = {file: package / file for file in wanted}
        folders[name] = write_bundle(out, name, files)
    runtime = data_path("runtime")
    loader_files: dict[str, bytes | Path] = {
        path.relative_to(runtime).as_posix(): path
        for pattern in RUNTIME_GLOBS
        for path in sorted(runtime.glob(pattern))
    }
    vendored = {
        **VENDORED,
        **{editor_module_path(name): (name, file) for name, file in EDITOR_MODULES.items()},
    }
    for target, (package_name, file) in vendored.items():
        loader_files[target] = fetch_package(pinned(package_name), offline=offline) / file
    return RuntimeBundle(loader=write_bundle(out, "runtime", loader_files), interpreters=folders)


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
