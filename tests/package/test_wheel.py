"""The wheel carries the theme and runtime files a checkout serves (as src/pypage/shipped.py
declares them, never node_modules), so does the sdist, and an installed pypage builds a working
site from them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from pypage.shipped import DATA_FOLDER, shipped_files
from pypage.site.theme import Theme

pytestmark = pytest.mark.package

REPO = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".git", ".venv", "node_modules", "_site", "__pycache__", "dist")


@pytest.fixture(scope="module")
def a_checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("checkout") / "pypage"
    shutil.copytree(REPO, source, ignore=SKIP)
    # What npm would leave behind must not ship.
    stray = source / "runtime" / "node_modules" / "pyodide"
    stray.mkdir(parents=True)
    (stray / "pyodide.js").write_text("// stray")
    # A theme's image and font: a checkout serves them, so the wheel must carry them.
    static = source / "themes" / "default" / "static"
    (static / "icon.png").write_bytes(b"\x89PNG\r\n")
    (static / "fonts").mkdir()
    (static / "fonts" / "body.woff2").write_bytes(b"wOF2")
    return source


def pip_wheel(source: Path, dist: Path) -> Path:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(source),
        ],
        check=True,
    )
    (wheel,) = dist.glob("pypage-*.whl")
    return wheel


@pytest.fixture(scope="module")
def a_wheel(a_checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pip_wheel(a_checkout, tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def an_sdist(a_checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("sdist")
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(dist)],
        cwd=a_checkout,
        check=True,
        capture_output=True,
    )
    (sdist,) = dist.glob("pypage-*.tar.gz")
    return sdist


def data_files(wheel: Path) -> set[str]:
    """The wheel's package data, relative to its data folder (as a checkout's top)."""
    prefix = f"pypage/{DATA_FOLDER}/"
    names = zipfile.ZipFile(wheel).namelist()
    return {name.removeprefix(prefix) for name in names if name.startswith(prefix)}


def test_the_wheel_carries_what_a_checkout_serves_and_no_node_modules(
    a_wheel: Path, a_checkout: Path
) -> None:
    data = data_files(a_wheel)
    assert data == set(shipped_files(a_checkout))
    # What the checkout's theme serves (shipped.py's suffixes, through the theme's own code).
    default = a_checkout / "themes" / "default"
    theme = Theme(folders=(default,))
    served = {
        path.relative_to(a_checkout).as_posix()
        for path in theme.static_files().values()
        if isinstance(path, Path)
    }
    assert {"themes/default/static/icon.png", "themes/default/static/fonts/body.woff2"} <= served
    assert served <= data
    names = zipfile.ZipFile(a_wheel).namelist()
    assert "pypage/starter/index.md" in names
    assert not [name for name in names if "node_modules" in name]


def test_a_wheel_built_from_the_sdist_carries_the_same_files(
    an_sdist: Path, a_wheel: Path, a_checkout: Path, tmp_path: Path
) -> None:
    with tarfile.open(an_sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert set(shipped_files(a_checkout)) <= names
    assert not [name for name in names if "node_modules" in name]
    rebuilt = pip_wheel(an_sdist, tmp_path)
    assert sorted(zipfile.ZipFile(rebuilt).namelist()) == sorted(
        zipfile.ZipFile(a_wheel).namelist()
    )


def test_an_installed_pypage_builds_a_site(a_wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    site_packages = Path(
        sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)})
    )
    # Install without network: the wheel itself, plus this environment's dependencies on the path
    # (after the fresh site-packages, so the installed pypage wins over the checkout).
    with zipfile.ZipFile(a_wheel) as wheel:
        wheel.extractall(site_packages)
    deps = Path(sysconfig.get_paths()["purelib"])
    (site_packages / "_deps.pth").write_text(f"{deps}\n")
    python = env_dir / "bin" / "python"

    site = tmp_path / "course"
    (site / "index.md").parent.mkdir(parents=True)
    (site / "index.md").write_text("# Course\n\n```python run\nprint('hi')\n```\n")
    where = subprocess.run(
        [python, "-c", "import pypage.resources as r; print(r.data_path('runtime'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(site_packages)
    subprocess.run([python, "-m", "pypage", "build", str(site)], check=True)
    built = {p.relative_to(site / "_site").as_posix() for p in (site / "_site").rglob("*")}
    assert "index.html" in built
    assert any(name.endswith("/page.js") for name in built)
    assert any(name.endswith("/pyodide.asm.wasm") for name in built)
