"""Wheel build hook: copy the theme and browser-runtime files into the package, by explicit globs
so that node_modules, caches or editor files can never leak into a release."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

DATA_GLOBS = (
    "themes/*/*.html",
    "themes/*/static/**/*.css",
    "themes/*/static/**/*.js",
    "themes/*/static/**/*.svg",
    "runtime/package.json",
    "runtime/package-lock.json",
    "runtime/*.js",
    "runtime/*.css",
    "runtime/interpreters/*.js",
    "runtime/dev/*.js",
    "runtime/sw/*.js",
    "runtime/python/*.py",
)


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":  # an editable install reads them from the checkout
            return
        root = Path(self.root)
        for pattern in DATA_GLOBS:
            for path in sorted(root.glob(pattern)):
                rel = path.relative_to(root).as_posix()
                build_data["force_include"][str(path)] = f"pypage/_data/{rel}"
