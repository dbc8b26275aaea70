"""The Pyodide distribution of the pinned version: its lock (which packages exist, what they import
and depend on, the sha256 of each file) and its files, downloaded once and verified."""

from __future__ import annotations

import functools
import hashlib
import shutil
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name
from pyodide_lock import PackageSpec, PyodideLockSpec

from pypage.bundles import write_file
from pypage.cache import cache_dir
from pypage.config import SiteConfig
from pypage.errors import Diagnostic, PypageError
from pypage.interpreters import INTERPRETERS
from pypage.markdown.imports import RUNTIME_MODULES
from pypage.packages.npm import fetch_package, pinned


@dataclass(frozen=True, kw_only=True)
class Distribution:
    version: str  # Pyodide's version
    lock: PyodideLockSpec
    base_url: str  # where the files of the lock's packages are downloaded from

    @property
    def python(self) -> str:
        """``3.14``: the Python version wheels must support."""
        return ".".join(self.lock.info.python.split(".")[:2])

    @property
    def platform_tag(self) -> str:
        """The wheel platform tag of compiled packages: ``pyemscripten_2026_0_wasm32``."""
        return f"pyemscripten_{self.lock.info.abi_version}_{self.lock.info.arch}"

    def get(self, name: str) -> PackageSpec | None:
        return self.lock.packages.get(canonicalize_name(name))

    def package_for_import(self, module: str) -> str | None:
        """The package a cell's ``import module`` needs, if the distribution provides it (the
        standard library and pypage's own modules come with the interpreter)."""
        if module in sys.stdlib_module_names or module in RUNTIME_MODULES:
            return None
        return self._by_import.get(module)

    @functools.cached_property
    def _by_import(self) -> dict[str, str]:
        return {
            module: name for name, spec in self.lock.packages.items() for module in spec.imports
        }

    def fetch(self, spec: PackageSpec, *, offline: bool) -> Path:
        """The package's file, from the cache or the distribution, verified against the lock."""
        cached = wheel_cache(spec.sha256) / Path(spec.file_name).name
        if cached.is_file():
            return cached
        url = urllib.parse.urljoin(self.base_url, spec.file_name)
        if offline:
            raise _missing(spec, "it is not in the download cache and --offline forbids downloads")
        try:
            with urllib.request.urlopen(url, timeout=120) as response:
                data = response.read()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise _missing(spec, f"downloading {url} failed: {exc}") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != spec.sha256:
            raise PypageError(
                Diagnostic(
                    message=f"hash mismatch for {spec.name} {spec.version} from {url}",
                    hint=f"the lock says sha256 {spec.sha256}, the file has {actual}: the "
                    "distribution or a proxy served a different file; nothing was written",
                )
            )
        write_file(cached, data)
        return cached


def load_distribution(config: SiteConfig, *, offline: bool) -> Distribution:
    package = pinned(INTERPRETERS["pyodide"].npm_package)
    if config.pyodide_lock:
        lock_path = (config.root / config.pyodide_lock).resolve()
        if not lock_path.is_file():
            raise PypageError(
                Diagnostic(
                    path=config.shown_path,
                    line=config.key_lines.get("pyodide_lock"),
                    message=f"no such file: {config.pyodide_lock}",
                    hint="pyodide_lock is the pyodide-lock.json of the distribution you use",
                )
            )
    else:
        lock_path = fetch_package(package, offline=offline) / "pyodide-lock.json"
    base = config.pyodide_distribution.format(version=package.version)
    if "://" not in base:  # a folder on this machine
        base = (config.root / base).resolve().as_uri()
    return Distribution(
        version=package.version,
        lock=_read_lock(lock_path),
        base_url=base.rstrip("/") + "/",
    )


def wheel_cache(sha256: str) -> Path:
    """Downloaded files live under their sha256, so a second build needs no network."""
    return cache_dir() / "packages" / "files" / sha256


def copy_to_cache(path: Path, sha256: str) -> Path:
    target = wheel_cache(sha256) / path.name
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(path, partial)
        partial.replace(target)
    return target


def closure(lock: PyodideLockSpec, names: Iterable[str]) -> list[str]:
    """``names`` and everything they depend on in ``lock``, dependencies first."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name not in lock.packages:
            return
        seen.add(name)
        for dependency in lock.packages[name].depends:
            visit(canonicalize_name(dependency))
        order.append(name)

    for name in names:
        visit(canonicalize_name(name))
    return order


@functools.cache
def _read_lock(path: Path) -> PyodideLockSpec:
    return PyodideLockSpec.from_json(path)


def _missing(spec: PackageSpec, why: str) -> PypageError:
    return PypageError(
        Diagnostic(
            message=f"could not get {spec.name} {spec.version} from Pyodide's distribution: {why}",
            hint="build once with access to the distribution, or set pyodide_distribution in "
            "pypage.toml to a reachable copy (a URL or a folder)",
        )
    )
