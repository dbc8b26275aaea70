"""Wheel build hook: copy the theme and browser-runtime files into the package, file by file, as
src/pypage/shipped.py declares them (explicit globs, so node_modules, caches or editor files can
never leak into a release), and add the npm tarballs runtime/package-lock.json pins, verified
against the lock, so that an installed pypage builds sites with no npm and no network, and the
editor's modules minified (so that no user's machine runs esbuild)."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def load_shipped(root: Path) -> ModuleType:
    """pypage/shipped.py, by its path: the package and its dependencies are not installed yet."""
    spec = importlib.util.spec_from_file_location(
        "_pypage_shipped", root / "src" / "pypage" / "shipped.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def source_tree(root: Path) -> Iterator[None]:
    """pypage's own modules importable from the tree being built (those used here need only the
    standard library and platformdirs)."""
    sys.path.insert(0, str(root / "src"))
    try:
        yield
    finally:
        sys.path.remove(str(root / "src"))


def pinned_tarballs() -> list[tuple[str, Path]]:
    """(file name, verified tarball) of every runtime package the lock pins, fetched the way a
    build fetches them: from the machine's cache, else from the npm registry."""
    npm = importlib.import_module("pypage.packages.npm")
    errors = importlib.import_module("pypage.errors")
    try:
        return [(p.tarball_name, npm.tarball(p)) for p in npm.runtime_packages()]
    except errors.PypageError as error:
        raise SystemExit(f"pypage's wheel needs the pinned runtime:\n{error}") from None


def minified_files() -> list[tuple[str, Path]]:
    """(path in the minified folder, file) of each library file a site ships minified, made by
    the pinned esbuild."""
    loader = importlib.import_module("pypage.site.loader")
    minify = importlib.import_module("pypage.packages.minify")
    npm = importlib.import_module("pypage.packages.npm")
    if minify.esbuild_package() is None:
        raise SystemExit("pypage's wheel is made where the pinned esbuild runs")
    files = []
    for name, file in loader.EDITOR_MODULES.items():
        package = npm.pinned(name)
        files.append((f"{package.cache_key}/{file}", minify.minified(package, file)))
    return files


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":  # an editable install reads them from the checkout
            return
        root = Path(self.root)
        shipped = load_shipped(root)
        data = f"pypage/{shipped.DATA_FOLDER}"
        for rel in shipped.shipped_files(root):
            build_data["force_include"][str(root / rel)] = f"{data}/{rel}"
        with source_tree(root):
            for name, path in pinned_tarballs():
                build_data["force_include"][str(path)] = f"{data}/{shipped.NPM_FOLDER}/{name}"
            for name, path in minified_files():
                build_data["force_include"][str(path)] = f"{data}/{shipped.MINIFIED_FOLDER}/{name}"
