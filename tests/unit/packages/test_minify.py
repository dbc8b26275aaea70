"""The editor's modules reach the site minified by the pinned esbuild, made once per machine."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from pypage.cache import cache_dir
from pypage.packages.minify import esbuild_package, minified
from pypage.packages.npm import fetch_package, pinned
from pypage.site.loader import EDITOR_MODULES

pytestmark = pytest.mark.unit


@pytest.fixture
def a_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache but for the pinned packages (downloaded once per machine)."""
    (cache_dir() / "npm").mkdir(parents=True, exist_ok=True)
    (tmp_path / "npm").symlink_to(cache_dir() / "npm")
    monkeypatch.setenv("PYPAGE_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_codemirror_is_minified_once_and_kept(a_cache: Path) -> None:
    assert esbuild_package() is not None  # this machine is one esbuild is built for
    sizes = {"source": 0, "minified": 0}
    for name, file in EDITOR_MODULES.items():
        package = pinned(name)
        source = fetch_package(package) / file
        made = minified(package, file)
        assert made.is_relative_to(a_cache / "minified")
        assert made.read_text().count("\n") < source.read_text().count("\n") / 5
        assert minified(package, file).stat().st_mtime_ns == made.stat().st_mtime_ns  # kept
        sizes["source"] += len(gzip.compress(source.read_bytes()))
        sizes["minified"] += len(gzip.compress(made.read_bytes()))
    # What a cold visit downloads after the first output (gzip, as a host serves it).
    assert sizes["minified"] < 0.6 * sizes["source"]
    assert sizes["minified"] < 180_000
