"""The release: `python -m build` makes the sdist and the wheel of the `pypage-ssg` distribution,
twine accepts them, the wheel carries the theme and runtime files a checkout serves (as
src/pypage/shipped.py declares them, never node_modules) plus the npm tarballs the lock pins, and
a pypage installed from it builds sites with no network, no npm and an empty download cache."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

from pypage import __version__
from pypage.packages.npm import pinned, runtime_packages
from pypage.shipped import DATA_FOLDER, MINIFIED_FOLDER, NPM_FOLDER, shipped_files
from pypage.site.loader import EDITOR_MODULES, editor_module_path
from pypage.site.theme import Theme

pytestmark = pytest.mark.package

REPO = Path(__file__).resolve().parents[2]
SKIP = shutil.ignore_patterns(".git", ".venv", "node_modules", "_site", "__pycache__", "dist")
DISTRIBUTION = "pypage_ssg"  # pypage-ssg, as wheel and sdist file names spell it
# Nothing answers here: a build that tried to download would fail.
NO_NETWORK = {
    "PYPAGE_NPM_REGISTRY": "http://127.0.0.1:9/",
    "PIP_INDEX_URL": "http://127.0.0.1:9/simple/",
    "PIP_NO_INDEX": "1",
}


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


@pytest.fixture(scope="module")
def release(a_checkout: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sdist, wheel) as a release makes them: the wheel is built from the sdist, in isolation."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(dist), str(a_checkout)],
        check=True,
        capture_output=True,
    )
    (sdist,) = dist.glob(f"{DISTRIBUTION}-*.tar.gz")
    (wheel,) = dist.glob(f"{DISTRIBUTION}-*.whl")
    return sdist, wheel


@pytest.fixture(scope="module")
def a_wheel(release: tuple[Path, Path]) -> Path:
    return release[1]


def data_files(wheel: Path) -> set[str]:
    """The wheel's package data, relative to its data folder (as a checkout's top)."""
    prefix = f"pypage/{DATA_FOLDER}/"
    names = zipfile.ZipFile(wheel).namelist()
    return {name.removeprefix(prefix) for name in names if name.startswith(prefix)}


def test_twine_accepts_the_release(release: tuple[Path, Path]) -> None:
    subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, release)],
        check=True,
        capture_output=True,
    )
    assert release[1].name == f"{DISTRIBUTION}-{__version__}-py3-none-any.whl"


def test_the_wheel_carries_what_a_checkout_serves_and_no_node_modules(
    a_wheel: Path, a_checkout: Path
) -> None:
    made = (f"{NPM_FOLDER}/", f"{MINIFIED_FOLDER}/")  # when the wheel was made, not in a checkout
    data = {name for name in data_files(a_wheel) if not name.startswith(made)}
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


def test_the_wheel_carries_the_pinned_runtime_as_the_lock_describes_it(a_wheel: Path) -> None:
    wheel = zipfile.ZipFile(a_wheel)
    carried = {
        name.rsplit("/", 1)[1]: name
        for name in wheel.namelist()
        if name.startswith(f"pypage/{DATA_FOLDER}/{NPM_FOLDER}/")
    }
    packages = runtime_packages()
    assert {"pyodide", "@micropython/micropython-webassembly-pyscript", "reveal.js"} <= {
        package.name for package in packages
    }
    assert sorted(carried) == sorted(package.tarball_name for package in packages)
    for package in packages:
        algorithm, _, expected = package.integrity.partition("-")
        digest = hashlib.new(algorithm, wheel.read(carried[package.tarball_name])).digest()
        assert base64.b64encode(digest).decode() == expected, package.name
    # The editor, minified when the wheel was made.
    minified = {name for name in data_files(a_wheel) if name.startswith(f"{MINIFIED_FOLDER}/")}
    editor = EDITOR_MODULES.items()
    assert minified == {f"{MINIFIED_FOLDER}/{pinned(n).cache_key}/{f}" for n, f in editor}
    # Well under PyPI's 100 MB limit for a file.
    assert a_wheel.stat().st_size < 40_000_000


def test_a_wheel_built_from_the_checkout_carries_what_the_sdists_does(
    release: tuple[Path, Path], a_checkout: Path, tmp_path: Path
) -> None:
    sdist, from_sdist = release
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert set(shipped_files(a_checkout)) <= names
    assert not [name for name in names if "node_modules" in name]
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"]
    subprocess.run([*pip_wheel, "-w", str(tmp_path), a_checkout], check=True)
    (direct,) = tmp_path.glob(f"{DISTRIBUTION}-*.whl")
    assert sorted(zipfile.ZipFile(direct).namelist()) == sorted(
        zipfile.ZipFile(from_sdist).namelist()
    )


def can_cut_the_network() -> bool:
    try:
        return subprocess.run(["unshare", "--net", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


def test_an_installed_pypage_builds_sites_with_no_network_and_no_npm(
    a_wheel: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    site_packages = Path(
        sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)})
    )
    # The wheel by pip itself; its dependencies from this environment, on the path after the
    # fresh site-packages, so that the installed pypage wins over the checkout.
    pip = [sys.executable, "-m", "pip", "--python", str(env_dir / "bin" / "python")]
    subprocess.run([*pip, "install", "--quiet", "--no-deps", "--no-index", a_wheel], check=True)
    (site_packages / "_deps.pth").write_text(f"{sysconfig.get_paths()['purelib']}\n")
    bin_dir = env_dir / "bin"
    # An empty download cache, no npm on the PATH, no registry or index that answers, and (where
    # the machine allows it) no network at all.
    environment = {
        **os.environ,
        **NO_NETWORK,
        "PYPAGE_CACHE_DIR": str(tmp_path / "empty-cache"),
        "PATH": f"{bin_dir}:/usr/bin:/bin",
    }
    environment.pop("npm_config_registry", None)
    cut = ["unshare", "--net"] if can_cut_the_network() else []

    def pypage(*args: str) -> str:
        done = subprocess.run(
            [*cut, str(bin_dir / "pypage"), *args],
            env=environment,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    assert pypage("--version").strip() == f"pypage {__version__}"
    where = subprocess.run(
        [bin_dir / "python", "-c", "import pypage.resources as r; print(r.data_path('runtime'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(site_packages)

    site = tmp_path / "course"
    (site / "index.md").parent.mkdir(parents=True)
    (site / "index.md").write_text(
        "# Course\n\n```python run\nprint('hi')\n```\n\n[Small](small.md)\n"
    )
    (site / "small.md").write_text(
        "---\ninterpreter: micropython\n---\n# Small\n\n```python run\nprint(1)\n```\n"
    )
    pypage("build", "--offline", str(site))
    built = {p.relative_to(site / "_site").as_posix() for p in (site / "_site").rglob("*")}
    assert "index.html" in built
    assert any(name.endswith("/page.js") for name in built)
    assert any(name.endswith("/pyodide.asm.wasm") for name in built)
    assert any(name.endswith("/micropython.wasm") for name in built)
    # The editor as the wheel carries it, minified: no esbuild ran here (nor could it).
    view = pinned("@codemirror/view")
    (shipped,) = (site / "_site").glob(f"_pypage/runtime-*/{editor_module_path(view.name)}")
    carried = site_packages / "pypage" / DATA_FOLDER / MINIFIED_FOLDER / view.cache_key
    assert shipped.read_bytes() == (carried / EDITOR_MODULES[view.name]).read_bytes()
    # The starter site, with its slides, and this project's own documentation.
    for template in ("page", "slides"):
        pypage("new", "--template", template, str(tmp_path / template))
        pypage("build", "--offline", str(tmp_path / template))
        assert (tmp_path / template / "_site" / "index.html").is_file()
    pypage("build", "--offline", str(REPO / "docs"), "-o", str(tmp_path / "docs-site"))
    assert (tmp_path / "docs-site" / "packages.html").is_file()
