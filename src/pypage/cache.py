"""This machine's cache folder: npm packages, Pyodide's distribution, resolved wheels and recorded
outputs, shared by every site built here."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def cache_dir() -> Path:
    override = os.environ.get("PYPAGE_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("pypage"))
