"""The interpreter pinned in runtime/ is what the build fetches and verifies."""

from __future__ import annotations

import json

import pytest

from pypage.errors import PypageError
from pypage.packages.npm import NpmPackage, fetch_package, pinned
from pypage.resources import data_path

pytestmark = pytest.mark.unit


def test_pin_matches_package_json() -> None:
    manifest = json.loads((data_path("runtime") / "package.json").read_text())
    package = pinned("pyodide")
    assert manifest["dependencies"]["pyodide"] == package.version
    assert package.integrity.startswith("sha512-")


def test_a_tampered_package_is_refused(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = pinned("pyodide")
    registry = tmp_path / "registry"
    tarball = registry / real.tarball_path
    tarball.parent.mkdir(parents=True)
    tarball.write_bytes(b"not the real pyodide")
    monkeypatch.setenv("PYPAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PYPAGE_NPM_REGISTRY", registry.as_uri())
    with pytest.raises(PypageError, match="integrity check failed for pyodide"):
        fetch_package(real)
    assert not (tmp_path / "cache" / "npm" / real.cache_key).exists()


def test_offline_without_cache_says_what_to_do(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYPAGE_CACHE_DIR", str(tmp_path))
    package = NpmPackage(name="pyodide", version="0.0.0", integrity="sha512-AAAA")
    with pytest.raises(PypageError) as caught:
        fetch_package(package, offline=True)
    assert str(caught.value) == (
        "error: pyodide 0.0.0 is not in the cache and --offline forbids downloading it\n"
        f"  hint: build once with network access; the cache is {tmp_path}"
    )
