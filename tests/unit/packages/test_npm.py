"""The interpreter pinned in runtime/ is what the build fetches (from the wheel, the machine's
cache or the registry) and verifies."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import tarfile
from pathlib import Path

import pytest

from pypage.errors import PypageError
from pypage.packages import npm
from pypage.packages.npm import NpmPackage, fetch_package, pinned
from pypage.resources import data_path
from pypage.shipped import NPM_FOLDER

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


def a_tarball(folder: Path, body: str = '{"name": "demo"}') -> tuple[bytes, NpmPackage]:
    """A package's tarball as npm packs it (a package/ folder), and its pin."""
    source = folder / "source" / "package"
    source.mkdir(parents=True)
    (source / "package.json").write_text(body)
    archive = folder / "demo.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source, arcname="package")
    data = archive.read_bytes()
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    return data, NpmPackage(name="demo", version="1.0.0", integrity=integrity)


def test_an_installed_wheel_unpacks_the_tarball_it_carries_with_no_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, package = a_tarball(tmp_path)
    carried = tmp_path / "wheel" / NPM_FOLDER
    carried.mkdir(parents=True)
    (carried / package.tarball_name).write_bytes(data)
    monkeypatch.setattr(npm, "packaged_path", lambda name: tmp_path / "wheel" / name)
    monkeypatch.setenv("PYPAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PYPAGE_NPM_REGISTRY", "http://127.0.0.1:9/")  # nothing answers there
    folder = fetch_package(package, offline=True)
    assert json.loads((folder / "package.json").read_text()) == {"name": "demo"}
    assert folder == tmp_path / "cache" / "npm" / package.cache_key


def test_a_kept_tarball_that_changed_is_refused_and_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, package = a_tarball(tmp_path)
    monkeypatch.setenv("PYPAGE_CACHE_DIR", str(tmp_path / "cache"))
    kept = tmp_path / "cache" / "npm" / package.tarball_name
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"damaged on disk")
    with pytest.raises(PypageError, match=f"integrity check failed for demo 1.0.0 from {kept}"):
        fetch_package(package, offline=True)
    assert not kept.exists()  # the next build downloads it again


def test_the_documentation_lists_every_bundled_package_and_its_licence() -> None:
    lock = json.loads((data_path("runtime") / "package-lock.json").read_text())["packages"]
    docs = Path(__file__).resolve().parents[3] / "docs" / "licences.md"
    rows = re.findall(r"^\| `([^`]+)` \| ([^ |]+) \| ([^ |]+) \|$", docs.read_text(), re.MULTILINE)
    assert sorted(rows) == sorted(
        (p.name, p.version, lock[f"node_modules/{p.name}"]["license"])
        for p in npm.runtime_packages()
    )
