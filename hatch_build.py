"""Wheel build hook: copy the theme and browser-runtime files into the package, file by file, as
src/pypage/shipped.py declares them (explicit globs, so node_modules, caches or editor files can
never leak into a release)."""

from __future__ import annotations

import importlib.util
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


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":  # an editable install reads them from the checkout
            return
        root = Path(self.root)
        shipped = load_shipped(root)
        for rel in shipped.shipped_files(root):
            build_data["force_include"][str(root / rel)] = f"pypage/{shipped.DATA_FOLDER}/{rel}"
