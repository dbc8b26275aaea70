"""Build-time package resolution: every requested package and its dependencies become one file
each — from Pyodide's distribution (compiled packages such as numpy), from the user's package index
through pip (so pip's configuration applies), or from this machine (wheels, project folders).

Downloads are cached by sha256 and the index's replies by requirement, so a second build of the
same site needs no network, and ``--offline`` never touches it."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from email.parser import Parser
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from pyodide_lock import PackageSpec
from pyodide_lock.utils import parse_top_level_import_name

from pypage.cache import cache_dir
from pypage.errors import Diagnostic, PypageError, did_you_mean
from pypage.packages.distribution import Distribution, closure, copy_to_cache, wheel_cache
from pypage.packages.needs import Origin, PackageRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Resolved:
    name: str  # canonical
    version: str
    path: Path  # the file, in the download cache
    sha256: str
    depends: tuple[str, ...]
    imports: tuple[str, ...]
    source: str  # "distribution", "index" or "local"
    spec: PackageSpec | None = None  # the distribution's lock entry, when it has one


@dataclass(frozen=True)
class _Want:
    requirement: Requirement
    origin: Origin
    needed_by: str | None = None


@dataclass(frozen=True, kw_only=True)
class Resolution:
    packages: dict[str, Resolved]  # by canonical name
    roots: dict[str, str]  # PackageRequest.key -> the name of the package it resolved to


def resolve(
    requests: Sequence[PackageRequest],
    distribution_packages: Mapping[str, Origin],
    dist: Distribution,
    *,
    offline: bool,
) -> Resolution:
    """``requests``: packages the site declares; ``distribution_packages``: packages of Pyodide's
    distribution that cells import (found by scanning), with where the import is."""
    resolver = _Resolver(dist, offline=offline)
    try:
        packages = resolver.run(requests, distribution_packages)
    finally:
        resolver.index_cache.save()
    return Resolution(packages=packages, roots=resolver.roots)


class _Resolver:
    def __init__(self, dist: Distribution, *, offline: bool) -> None:
        self.dist = dist
        self.offline = offline
        self.resolved: dict[str, Resolved] = {}
        self.extras: dict[str, set[str]] = {}
        self.roots: dict[str, str] = {}
        self.errors: list[Diagnostic] = []
        self.index_cache = _IndexCache(cache_dir() / "packages" / "index-replies.json")
        self.environment = _marker_environment(dist)

    def run(
        self, requests: Sequence[PackageRequest], scanned: Mapping[str, Origin]
    ) -> dict[str, Resolved]:
        wants: list[_Want] = []
        for request in requests:
            if request.local is not None:
                found = self._local(request)
                if found:
                    self._add(found)
                    self.roots[request.key] = found.name
                    wants += self._dependencies(found, set(), request.origin)
            else:
                assert request.requirement is not None
                wants.append(_Want(request.requirement, request.origin))
                self.roots[request.key] = canonicalize_name(request.requirement.name)
        wants += [_Want(Requirement(name), origin) for name, origin in scanned.items()]
        while wants:
            wants = self._step(wants)
        if self.errors:
            raise PypageError(self.errors)
        return self.resolved

    def _step(self, wants: list[_Want]) -> list[_Want]:
        """Settle what the distribution and earlier steps know; download the rest together."""
        later: list[_Want] = []
        batch: dict[str, _Want] = {}
        for want in wants:
            requirement = want.requirement
            if requirement.marker and not requirement.marker.evaluate(self.environment):
                continue
            name: str = canonicalize_name(requirement.name)
            if name in self.resolved:
                later += self._again(name, want)
                continue
            spec = self.dist.get(name)
            if spec is not None and requirement.specifier.contains(spec.version, prereleases=True):
                self._from_distribution(spec, want)
                later += self._extras(name, requirement.extras, want.origin)
                continue
            if spec is not None and not _pure(spec.file_name):
                self.errors.append(
                    want.origin.error(
                        f"'{requirement}'{_by(want)} cannot be met: Pyodide {self.dist.version} "
                        f"ships {spec.name} {spec.version}",
                        f"{spec.name} is compiled for Pyodide, so only that version exists; "
                        "loosen the version",
                    )
                )
                continue
            if name in batch:  # asked for twice: both specifiers must hold
                first = batch[name]
                combined = Requirement(str(first.requirement))
                combined.specifier &= requirement.specifier
                combined.extras |= requirement.extras
                batch[name] = _Want(combined, first.origin, first.needed_by)
            else:
                batch[name] = want
        for name, (path, sha256) in self._download(list(batch.values())).items():
            want = batch[name]
            metadata = _metadata(path)
            found = Resolved(
                name=name,
                version=metadata.version,
                path=path,
                sha256=sha256,
                depends=(),
                imports=tuple(parse_top_level_import_name(path) or ()),
                source="index",
            )
            self._add(found)
            later += self._dependencies(found, set(want.requirement.extras), want.origin)
        return later

    def _again(self, name: str, want: _Want) -> list[_Want]:
        have = self.resolved[name]
        if not want.requirement.specifier.contains(have.version, prereleases=True):
            self.errors.append(
                want.origin.error(
                    f"'{want.requirement}'{_by(want)} conflicts with {name} {have.version}, "
                    "which another requirement chose",
                    "a page gets one version of each package: make the requirements agree",
                )
            )
            return []
        return self._extras(name, want.requirement.extras, want.origin)

    def _extras(self, name: str, extras: Iterable[str], origin: Origin) -> list[_Want]:
        new = set(extras) - self.extras.get(name, set())
        have = self.resolved.get(name)
        # The distribution's lock has no extras: its entries already list what they need.
        if not new or have is None or have.spec is not None:
            return []
        return self._dependencies(have, new, origin)

    def _dependencies(self, found: Resolved, extras: set[str], origin: Origin) -> list[_Want]:
        """The requirements ``found`` declares for Pyodide's environment and the given extras."""
        self.extras.setdefault(found.name, set()).update(extras)
        wants = []
        for text in _metadata(found.path).requires:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            marker = requirement.marker
            if marker and not any(
                marker.evaluate({**self.environment, "extra": extra})
                for extra in ("", *sorted(self.extras[found.name]))
            ):
                continue
            requirement.marker = None
            wants.append(_Want(requirement, origin, needed_by=found.name))
        depends = tuple(sorted({canonicalize_name(w.requirement.name) for w in wants}))
        self.resolved[found.name] = replace(
            found, depends=tuple(sorted({*found.depends, *depends}))
        )
        return wants

    def _from_distribution(self, spec: PackageSpec, want: _Want) -> None:
        """A package of Pyodide's distribution and its dependencies. Pure-Python ones come from
        the index when it has the same version (their wheels are the same code), so that sites
        that need no compiled package build without access to the distribution."""
        for name in closure(self.dist.lock, [spec.name]):
            if name in self.resolved:
                continue
            entry = self.dist.lock.packages[name]
            found: tuple[Path, str] | None = None
            if _pure(entry.file_name):
                pinned = _Want(Requirement(f"{name}=={entry.version}"), want.origin, want.needed_by)
                found = self._download([pinned], quiet=True).get(name)
            if found:
                path, sha256 = found
                source = "index"
            else:
                try:
                    path = self.dist.fetch(entry, offline=self.offline)
                except PypageError as error:
                    self.errors += [want.origin.error(d.message, d.hint) for d in error.diagnostics]
                    continue
                sha256 = entry.sha256
                source = "distribution"
            self._add(
                Resolved(
                    name=name,
                    version=entry.version,
                    path=path,
                    sha256=sha256,
                    depends=tuple(canonicalize_name(d) for d in entry.depends),
                    imports=tuple(entry.imports),
                    source=source,
                    spec=entry,
                )
            )

    def _add(self, found: Resolved) -> None:
        self.resolved[found.name] = found

    def _download(self, wants: list[_Want], *, quiet: bool = False) -> dict[str, tuple[Path, str]]:
        """name -> (cached wheel, sha256), from earlier replies of the index or from pip."""
        results: dict[str, tuple[Path, str]] = {}
        missing: list[_Want] = []
        for want in wants:
            name = canonicalize_name(want.requirement.name)
            cached = self.index_cache.cached(self._key(want))
            if cached:
                results[name] = cached
            else:
                missing.append(want)
        if not missing:
            return results
        if self.offline:
            if not quiet:
                for want in missing:
                    self.errors.append(
                        want.origin.error(
                            f"'{want.requirement}'{_by(want)} is not in the download cache and "
                            "--offline forbids downloading it",
                            "build once with network access; later builds need none",
                        )
                    )
            return results
        with tempfile.TemporaryDirectory(prefix="pypage-download-") as tmp:
            downloaded = _pip_download([str(w.requirement) for w in missing], self.dist, Path(tmp))
            if downloaded is None and len(missing) > 1:  # find which requirement failed
                downloaded = {}
                for index, want in enumerate(missing):
                    dest = Path(tmp) / str(index)
                    downloaded |= _pip_download([str(want.requirement)], self.dist, dest) or {}
            for want in missing:
                name = canonicalize_name(want.requirement.name)
                path = (downloaded or {}).get(name)
                if path is None:
                    if not quiet:
                        self.errors.append(self._diagnose(want))
                    continue
                results[name] = self.index_cache.store(self._key(want), path)
        return results

    def _key(self, want: _Want) -> str:
        requirement = Requirement(str(want.requirement))
        requirement.extras = set()  # extras change the dependencies, not the file
        return f"{self.dist.platform_tag}|{self.dist.python}|{requirement}"

    def _diagnose(self, want: _Want) -> Diagnostic:
        requirement = want.requirement
        name = canonicalize_name(requirement.name)
        versions = _index_versions(name, self.dist.python)
        if versions is None:
            return want.origin.error(
                f"no package '{requirement.name}'{_by(want)}"
                f"{did_you_mean(name, self.dist.lock.packages)}",
                "pypage looks in your package index (pip's configuration) and in Pyodide "
                f"{self.dist.version}'s distribution",
            )
        matching = [v for v in versions if requirement.specifier.contains(v, prereleases=True)]
        if not matching:
            return want.origin.error(
                f"no version of '{requirement.name}' matches '{requirement.specifier}'{_by(want)}",
                "versions on the index: " + ", ".join(versions[:10]),
            )
        return want.origin.error(
            f"'{requirement.name}'{_by(want)} has no wheel that runs in Pyodide: the index has "
            f"none for Python {self.dist.python} on WebAssembly, and Pyodide "
            f"{self.dist.version}'s distribution does not include it",
            "a compiled package must be built for Pyodide with pyodide-build (`pyodide build`); "
            "a pure-Python one published without a wheel can be built with "
            f"`pip wheel --no-deps {requirement.name}`; then list the .whl file in packages:",
        )

    def _local(self, request: PackageRequest) -> Resolved | None:
        path = request.local
        assert path is not None
        sha256: str | None = None  # known for a project's wheel, which is in the cache already
        if path.is_dir():
            built = self._build_project(request)
            if built is None:
                return None
            wheel, sha256 = built
        else:
            wheel = path
        try:
            _, _, _, tags = parse_wheel_filename(wheel.name)
        except InvalidWheelFilename:
            self.errors.append(request.origin.error(f"{wheel.name} is not a wheel file name"))
            return None
        if not any(_runs_in(tag, self.dist) for tag in tags):
            self.errors.append(
                request.origin.error(
                    f"{wheel.name} does not run in Pyodide: it is built for "
                    f"{', '.join(sorted({t.platform for t in tags}))}",
                    "Pyodide needs a pure-Python wheel (py3-none-any) or one built with "
                    f"pyodide-build for {self.dist.platform_tag}",
                )
            )
            return None
        if sha256 is None:
            sha256 = _sha256(wheel)
            wheel = copy_to_cache(wheel, sha256)
        metadata = _metadata(wheel)
        return Resolved(
            name=canonicalize_name(metadata.name),
            version=metadata.version,
            path=wheel,
            sha256=sha256,
            depends=(),
            imports=tuple(parse_top_level_import_name(wheel) or ()),
            source="local",
        )

    def _build_project(self, request: PackageRequest) -> tuple[Path, str] | None:
        """The project folder's wheel (built once per version of its files) and its sha256."""
        folder = request.local
        assert folder is not None
        key = f"project|{_tree_hash(folder)}"
        cached = self.index_cache.cached(key)
        if cached:
            return cached
        log.info("Building a wheel of %s", request.text)
        with tempfile.TemporaryDirectory() as tmp:
            command = [*_pip(), "wheel", "--no-deps", "--wheel-dir", tmp, str(folder)]
            if self.offline:
                command.append("--no-index")
            result = subprocess.run(command, capture_output=True, text=True)
            wheels = sorted(Path(tmp).glob("*.whl"))
            if result.returncode or not wheels:
                self.errors.append(
                    request.origin.error(
                        f"could not build a wheel of {request.text}: {_last_error(result.stderr)}",
                        f"run `pip wheel --no-deps {folder}` to see the whole output"
                        + ("; offline builds need the build backend installed" * self.offline),
                    )
                )
                return None
            return self.index_cache.store(key, wheels[0])


def _by(want: _Want) -> str:
    return f" (needed by {want.needed_by})" if want.needed_by else ""


def _pure(file_name: str) -> bool:
    return file_name.endswith("-none-any.whl")


def _runs_in(tag: Tag, dist: Distribution) -> bool:
    if tag.platform == "any":
        return tag.interpreter.startswith("py3") or tag.interpreter == f"cp{_nodot(dist.python)}"
    return tag.platform == dist.platform_tag


def _nodot(version: str) -> str:
    return version.replace(".", "")


def _pip() -> list[str]:
    if importlib.util.find_spec("pip") is None:
        raise PypageError(
            Diagnostic(
                message="pip is not installed in pypage's Python environment",
                hint="pypage resolves packages with pip, so that pip's configuration applies: "
                f"run `{sys.executable} -m ensurepip`",
            )
        )
    return [sys.executable, "-m", "pip", "--disable-pip-version-check"]


def _pip_download(
    requirements: list[str], dist: Distribution, dest: Path
) -> dict[str, Path] | None:
    """Download wheels for Pyodide's Python and platform (pure-Python ones included) into
    ``dest``; None when pip cannot satisfy every requirement."""
    log.info("Resolving %s", ", ".join(requirements))
    command = [
        *_pip(),
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--progress-bar=off",
        "--quiet",
        "--platform",
        dist.platform_tag,
        "--python-version",
        dist.python,
        "--implementation",
        "cp",
        "--abi",
        f"cp{_nodot(dist.python)}",
        "--dest",
        str(dest),
        *requirements,
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        log.debug("pip download failed: %s", result.stderr)
        return None
    return {canonicalize_name(parse_wheel_filename(p.name)[0]): p for p in dest.glob("*.whl")}


def _index_versions(name: str, python: str) -> list[str] | None:
    """Versions the index has for Pyodide's Python on any platform this machine knows, or None."""
    command = [*_pip(), "index", "versions", "--python-version", python, name]
    result = subprocess.run(command, capture_output=True, text=True)
    match = re.search(r"^Available versions: (.*)$", result.stdout, re.MULTILINE)
    if result.returncode or not match:
        return None
    return [v.strip() for v in match[1].split(",") if v.strip()]


def _last_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return (errors or lines or ["pip failed"])[-1].removeprefix("ERROR: ")


@dataclass(frozen=True)
class _Metadata:
    name: str
    version: str
    requires: tuple[str, ...]


_METADATA: dict[Path, _Metadata] = {}


def _metadata(wheel: Path) -> _Metadata:
    if wheel not in _METADATA:
        with zipfile.ZipFile(wheel) as archive:
            member = next(
                n
                for n in archive.namelist()
                if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
            )
            message = Parser().parsestr(archive.read(member).decode("utf-8", "replace"))
        _METADATA[wheel] = _Metadata(
            name=str(message["Name"]),
            version=str(message["Version"]),
            requires=tuple(message.get_all("Requires-Dist") or ()),
        )
    return _METADATA[wheel]


def _marker_environment(dist: Distribution) -> dict[str, str]:
    """Environment markers as Pyodide evaluates them (``sys_platform == "emscripten"``): every
    marker PEP 508 names, so none is taken from the machine running the build."""
    python = dist.lock.info.python
    return {
        "implementation_name": "cpython",
        "implementation_version": python,
        "os_name": "posix",
        "platform_machine": dist.lock.info.arch,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Emscripten",
        "platform_version": "",
        "python_full_version": python,
        "python_version": dist.python,
        "sys_platform": "emscripten",
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


_SKIPPED_DIRS = {"build", "dist", "node_modules", "__pycache__"}


def _tree_hash(folder: Path) -> str:
    """A project folder's identity: its source files, not its build leftovers."""
    digest = hashlib.sha256()
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and d not in _SKIPPED_DIRS and not d.endswith(".egg-info")
        )
        for name in sorted(files):
            path = Path(root) / name
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


class _IndexCache:
    """What the index replied for each requirement (and which wheel each project folder built
    into), so that later builds need not ask again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.changed = False
        try:
            self.data: dict[str, dict[str, str]] = json.loads(path.read_text())
        except (OSError, ValueError):
            self.data = {}

    def cached(self, key: str) -> tuple[Path, str] | None:
        """(file in the download cache, sha256) of an earlier reply still in the cache."""
        reply = self.data.get(key)
        if reply and (wheel_cache(reply["sha256"]) / reply["file"]).is_file():
            return wheel_cache(reply["sha256"]) / reply["file"], reply["sha256"]
        return None

    def store(self, key: str, path: Path) -> tuple[Path, str]:
        """Copy ``path`` into the download cache as the reply for ``key``."""
        sha256 = _sha256(path)
        cached = copy_to_cache(path, sha256)
        self.data[key] = {"file": cached.name, "sha256": sha256}
        self.changed = True
        return cached, sha256

    def save(self) -> None:
        if not self.changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        partial.write_text(json.dumps(self.data, indent=1, sort_keys=True))
        partial.replace(self.path)
