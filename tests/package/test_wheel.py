"""The wheel carries the theme and runtime files it needs (never node_modules), and an installed
pypage builds a working site from them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.package

REPO = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".git", ".venv", "node_modules", "_site", "__pycache__", "dist")


@pytest.fixture(scope="module")
def a_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("checkout") / "pypage"
    shutil.copytree(REPO, source, ignore=SKIP)
    # What npm would leave behind must not ship.
    stray = source / "runtime" / "node_modules" / "pyodide"
    stray.mkdir(parents=True)
    (stray / "pyodide.js").write_text("// stray")
    dist = tmp_path_factory.mktemp("dist")
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


def test_the_wheel_holds_the_runtime_and_theme_but_no_node_modules(a_wheel: Path) -> None:
    names = set(zipfile.ZipFile(a_wheel).namelist())
    for needed in (
        "pypage/_data/runtime/package-lock.json",
        "pypage/_data/runtime/page.js",
        "pypage/_data/runtime/worker.js",
        "pypage/_data/runtime/interpreters/pyodide.js",
        "pypage/_data/runtime/python/_pypage_cell.py",
        "pypage/_data/runtime/dev/livereload.js",
        "pypage/_data/themes/default/page.html",
        "pypage/_data/themes/default/static/style.css",
        "pypage/starter/index.md",
    ):
        assert needed in names
    assert not [n for n in names if "node_modules" in n]


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
