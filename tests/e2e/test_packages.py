"""Packages end to end: resolved and bundled at build time from a package index and a Pyodide
distribution mirror (both served on loopback, with wheels made here), installed in Chromium from
the site only, and kept by the service worker so that a repeat visit asks the server for nothing.

Real Pyodide runs every cell. The official Pyodide distribution is not reachable from this machine,
so its path is tested against a mirror holding a wheel and lock entry made by the test."""

from __future__ import annotations

import json
import os
import re
import shutil
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar
from unittest import mock

import pytest
from playwright.sync_api import Browser, Page, Playwright

from pypage.browser.chromium import CHROMIUM_ARGS
from pypage.cache import cache_dir
from pypage.errors import PypageError
from pypage.site.build import build
from pypage.site.host import SiteHandler, make_server, running, serving

from ..sites import write
from ..wheels import (
    NPM_CACHE,
    download_real,
    make_wheel,
    pinned_lock,
    pip_environment,
    write_simple_index,
)
from .conftest import SUB_PATH, chromium_path, site_store
from .harness import output_of, run_cell, wait_finished

pytestmark = pytest.mark.e2e

GREET = (
    "from ppt_colors import RED\n\n"
    "def greet(name):\n"
    '    return f"hello {name} in {RED} (greet {VERSION})"\n'
)


@pytest.fixture(scope="session")
def machine_cache() -> Path:
    return cache_dir()


@pytest.fixture(scope="session")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A package index on loopback: test wheels, plus real micropip and a build backend."""
    root = tmp_path_factory.mktemp("index")
    files = root / "files"
    make_wheel(files, "ppt-colors", "1.0", {"ppt_colors/__init__.py": 'RED = "red"\n'})
    for version in ("1.0", "2.0", "3.0"):
        make_wheel(
            files,
            "ppt-greet",
            version,
            {"ppt_greet/__init__.py": f'VERSION = "{version}"\n' + GREET},
            requires=("ppt-colors>=1",),
        )
    make_wheel(files, "ppt-extra", "1.0", {"ppt_extra.py": 'WORD = "extra"\n'})
    make_wheel(
        files,
        "ppt-compiled",
        "1.0",
        {"ppt_compiled/__init__.py": ""},
        tag="cp314-cp314-manylinux_2_17_x86_64",
    )
    download_real(files, "micropip==0.11.1", "flit_core==3.12.0")
    write_simple_index(root)
    with serving(root, isolate=False) as base:
        yield root, f"{base}simple/"


@contextmanager
def package_cache(machine_cache: Path, folder: Path) -> Iterator[Path]:
    """An empty package cache that shares the machine's interpreter downloads."""
    folder.mkdir(parents=True, exist_ok=True)
    # Made first: a link to a folder not yet there would stop the build creating it.
    (machine_cache / NPM_CACHE).mkdir(parents=True, exist_ok=True)
    if not (folder / NPM_CACHE).exists():
        (folder / NPM_CACHE).symlink_to(machine_cache / NPM_CACHE, target_is_directory=True)
    with mock.patch.dict(os.environ, {"PYPAGE_CACHE_DIR": str(folder)}):
        yield folder


def package_site(root: Path) -> Path:
    make_wheel(root / "wheels", "ppt-local", "1.0", {"ppt_local.py": 'NAME = "local wheel"\n'})
    return write(
        root,
        {
            "index.md": """---
title: Packages
packages: ["ppt-greet==1.0", "./wheels/ppt_local-1.0-py3-none-any.whl", "./mylib"]
files: [data/]
---
# Packages

```python run autorun id=greet
import ppt_greet, ppt_local, mylib
print(ppt_greet.greet("reader"))
print(ppt_local.NAME, "/", mylib.NAME)
print(open("data/scores.csv").read().strip())
```

```python run id=pip
import micropip
await micropip.install("ppt-extra")
import ppt_extra
print("micropip installed", ppt_extra.WORD)
```
""",
            "other.md": (
                "---\npackages: [ppt-extra]\n---\n# Other\n\n```python run\nimport ppt_extra\n```\n"
            ),
            "plain.md": "# Plain\n\n```python run id=plain\nprint(6 * 7)\n```\n",
            "data/scores.csv": "name,score\nada,3\n",
            "mylib/pyproject.toml": """[build-system]
requires = ["flit_core>=3.2,<4"]
build-backend = "flit_core.buildapi"

[project]
name = "mylib"
version = "0.1"
description = "a local project"
""",
            "mylib/mylib.py": '"""A project folder."""\nNAME = "local project"\n',
        },
    )


@pytest.fixture(scope="session")
def package_served(
    index: tuple[Path, str], machine_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    work = tmp_path_factory.mktemp("packages")
    site = package_site(work / "source")
    with (
        package_cache(machine_cache, work / "cache"),
        mock.patch.dict(os.environ, pip_environment(index[1])),
    ):
        out = build(site, work / "root" / SUB_PATH).out
    with serving(work / "root", isolate=False) as base:
        yield f"{base}{SUB_PATH}/", out


def test_packages_from_the_index_a_wheel_a_project_and_files(
    package_served: tuple[str, Path], page: Page
) -> None:
    base, out = package_served
    page.goto(base + "index.html")
    wait_finished(page, "greet")
    assert output_of(page, "greet") == (
        "hello reader in red (greet 1.0)\nlocal wheel / local project\nname,score\nada,3\n"
    )
    run_cell(page, "pip")
    assert output_of(page, "pip") == "micropip installed extra\n"
    # The site lock lists exactly the site's packages, with the sha256 of the shipped files.
    [lock_file] = (out / "_pypage" / "packages").glob("pyodide-lock-*.json")
    lock = json.loads(lock_file.read_text())
    assert sorted(lock["packages"]) == [
        "micropip",
        "mylib",
        "ppt-colors",
        "ppt-extra",
        "ppt-greet",
        "ppt-local",
    ]
    assert lock["packages"]["ppt-greet"]["depends"] == ["ppt-colors"]


def test_packages_and_files_load_into_a_restored_interpreter(
    package_served: tuple[str, Path], page: Page
) -> None:
    # A memory snapshot holds no packages and no files: both come after the restore.
    base, _ = package_served
    states = []
    for _ in range(2):
        page.goto(base + "index.html")
        wait_finished(page, "greet")
        page.wait_for_function(
            "['kept', 'restored'].includes(document.documentElement.dataset.pypageSnapshot)"
        )
        states.append(page.evaluate("document.documentElement.dataset.pypageSnapshot"))
        assert output_of(page, "greet") == (
            "hello reader in red (greet 1.0)\nlocal wheel / local project\nname,score\nada,3\n"
        )
    assert states == ["kept", "restored"]
    run_cell(page, "pip")
    assert output_of(page, "pip") == "micropip installed extra\n"


def test_a_page_without_packages_downloads_none(
    package_served: tuple[str, Path], page: Page
) -> None:
    base, _ = package_served
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(base + "plain.html")
    run_cell(page, "plain")
    assert output_of(page, "plain") == "42\n"
    assert [url for url in fetched if "/_pypage/packages/" in url] == []


def test_a_package_of_the_pyodide_distribution_from_a_mirror(
    machine_cache: Path, index: tuple[Path, str], tmp_path: Path, page: Page
) -> None:
    """``import pptfast`` with no declaration: the lock's imports table maps it to a package of the
    distribution, downloaded from the mirror, checked against the lock's sha256."""
    mirror = tmp_path / "mirror"
    wheel = make_wheel(
        mirror,
        "pptfast",
        "1.0",
        {"pptfast/__init__.py": "def add(a, b):\n    return a + b\n"},
        tag="cp314-cp314-pyemscripten_2026_0_wasm32",
    )
    with package_cache(machine_cache, tmp_path / "cache") as cache:
        lock = pinned_lock(cache)
        lock["packages"]["pptfast"] = {
            "name": "pptfast",
            "version": "1.0",
            "file_name": wheel.name,
            "install_dir": "site",
            "sha256": __import__("hashlib").sha256(wheel.read_bytes()).hexdigest(),
            "package_type": "package",
            "imports": ["pptfast"],
            "depends": [],
        }
        with serving(mirror, isolate=False) as mirror_url:
            site = write(
                tmp_path / "site",
                {
                    "lock.json": json.dumps(lock),
                    "pypage.toml": f'pyodide_distribution = "{mirror_url}"\n'
                    'pyodide_lock = "lock.json"\n',
                    "index.md": "# Fast\n\n```python run autorun id=fast\nimport pptfast\n"
                    "print(pptfast.add(2, 3))\n```\n",
                },
            )
            with mock.patch.dict(os.environ, pip_environment(index[1])):
                build(site, tmp_path / "root" / SUB_PATH)

            # A mirror that serves another file under the same name fails the build.
            make_wheel(
                mirror,
                "pptfast",
                "1.0",
                {"pptfast/__init__.py": "evil = 1\n"},
                tag="cp314-cp314-pyemscripten_2026_0_wasm32",
            )
            shutil.rmtree(cache / "packages")
            with (
                mock.patch.dict(os.environ, pip_environment(index[1])),
                pytest.raises(PypageError, match=r"hash mismatch for pptfast 1\.0"),
            ):
                build(site, tmp_path / "tampered")
            assert not (tmp_path / "tampered").exists()
    with serving(tmp_path / "root", isolate=False) as base:
        page.goto(f"{base}{SUB_PATH}/index.html")
        wait_finished(page, "fast")
        assert output_of(page, "fast") == "5\n"


class CountingHandler(SiteHandler):
    """A static host (no isolation headers) that records every path asked for."""

    hits: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        type(self).hits.append(self.path)


@contextmanager
def counting(root: Path) -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Counting", (CountingHandler,), {"hits": hits})
    with running(make_server(root, isolate=False, handler_class=handler)) as base:
        yield f"{base}{SUB_PATH}/", hits


def visit(page: Page, url: str, cell: str) -> str:
    page.goto(url)
    wait_finished(page, cell)
    # "ready" covers the editor's files too, handed to the service worker once Python answered
    # (the page itself loads them only when the reader reaches for the code).
    page.wait_for_function(
        "['ready', 'partial'].includes(document.documentElement.dataset.pypageOffline)"
    )
    assert page.evaluate("document.documentElement.dataset.pypageOffline") == "ready"
    return output_of(page, cell)


def test_repeat_visits_make_no_requests_and_are_isolated(
    package_served: tuple[str, Path], browser: Browser, playwright: Playwright, tmp_path: Path
) -> None:
    _, out = package_served
    with counting(out.parent) as (base, hits):
        # Without a persistent profile: a second visit in the same browser context.
        context = browser.new_context()
        page = context.new_page()
        assert visit(page, base + "index.html", "greet").startswith("hello reader")
        assert not page.evaluate("crossOriginIsolated")  # the service worker was not there yet
        hits.clear()
        assert visit(page, base + "index.html", "greet").startswith("hello reader")
        assert [h for h in hits if "/_pypage/" in h] == []
        # The service worker added COOP/COEP: SharedArrayBuffer, so Stop can interrupt.
        assert page.evaluate("crossOriginIsolated")
        context.close()

        # With a persistent profile: the files survive a browser restart.
        profile = tmp_path / "profile"
        for attempt in range(2):
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            hits.clear()
            visit(context.pages[0], base + "index.html", "greet")
            if attempt == 1:
                assert [h for h in hits if "/_pypage/" in h] == []
            context.close()


def test_a_rebuild_deployed_while_a_tab_is_open(
    index: tuple[Path, str], machine_cache: Path, browser: Browser, tmp_path: Path
) -> None:
    """The open tab keeps working on its build (a restart loads its packages from what the service
    worker kept: the host has only the new build); a new tab shows the new build; the files of
    the build before that are evicted. The new build's service worker takes over while the pages
    load Python, at a moment the test does not choose: either tab's worker may be started then."""
    site = package_site(tmp_path / "source")
    out = tmp_path / "root" / SUB_PATH
    index_md = site / "index.md"

    def deploy(version: str) -> None:
        text = re.sub(r"ppt-greet==[0-9.]+", f"ppt-greet=={version}", index_md.read_text())
        index_md.write_text(text)
        build(site, out)

    def kept_wheels(page: Page) -> list[str]:
        urls = page.evaluate(
            "async name => (await (await caches.open(name)).keys()).map((request) => request.url)",
            site_store("assets"),
        )
        return sorted(url.rsplit("/", 1)[1] for url in urls if url.endswith(".whl"))

    with (
        package_cache(machine_cache, tmp_path / "cache"),
        mock.patch.dict(os.environ, pip_environment(index[1])),
    ):
        deploy("1.0")
        with counting(out.parent) as (base, _):
            context = browser.new_context()
            first = context.new_page()
            assert "(greet 1.0)" in visit(first, base + "index.html", "greet")
            deploy("2.0")
            second = context.new_page()
            assert "(greet 2.0)" in visit(second, base + "index.html", "greet")
            assert not list(out.rglob("ppt_greet-1.0-*.whl"))  # the host has the new build only
            first.click("[data-pypage-restart]")
            first.click('[data-pypage-cell="greet"] [data-pypage-run]')
            wait_finished(first, "greet")
            assert "(greet 1.0)" in output_of(first, "greet")
            kept = kept_wheels(second)
            assert "ppt_greet-1.0-py3-none-any.whl" in kept  # the open tab's build
            assert "ppt_greet-2.0-py3-none-any.whl" in kept
            deploy("3.0")
            first.goto(base + "index.html")  # the tab navigates: the newest build
            wait_finished(first, "greet")
            assert "(greet 3.0)" in output_of(first, "greet")
            first.wait_for_function("document.documentElement.dataset.pypageOffline === 'ready'")
            kept = kept_wheels(first)
            context.close()
    assert "ppt_greet-3.0-py3-none-any.whl" in kept
    assert "ppt_greet-2.0-py3-none-any.whl" in kept  # the build before
    assert "ppt_greet-1.0-py3-none-any.whl" not in kept  # evicted two builds later


def test_a_second_build_needs_no_network_and_offline_builds_say_what_is_missing(
    index: tuple[Path, str], machine_cache: Path, tmp_path: Path
) -> None:
    site = package_site(tmp_path / "source")
    with package_cache(machine_cache, tmp_path / "cache"):
        with mock.patch.dict(os.environ, pip_environment(index[1])):
            build(site, tmp_path / "first")
        # An index that does not answer: everything must come from the cache.
        with mock.patch.dict(os.environ, pip_environment("http://127.0.0.1:9/simple/")):
            build(site, tmp_path / "again", offline=True)
            build(site, tmp_path / "again-online")
            (site / "other.md").write_text("---\npackages: [ppt-never-cached]\n---\n# Other\n")
            with pytest.raises(PypageError) as failure:
                build(site, tmp_path / "offline", offline=True)
    assert str(failure.value) == (
        "source/other.md:2:12: error: 'ppt-never-cached' is not in the download cache and "
        "--offline forbids downloading it\n"
        "    2 | packages: [ppt-never-cached]\n"
        "  hint: build once with network access; later builds need none"
    )
    assert not (tmp_path / "offline").exists()


@pytest.mark.parametrize(
    ("declared", "message", "hint"),
    [
        (
            "numpi",
            "no package 'numpi' (did you mean 'numpy'?)",
            "pypage looks in your package index (pip's configuration) and in Pyodide "
            "314.0.7's distribution",
        ),
        (
            "ppt-greet>=4",
            "no version of 'ppt-greet' matches '>=4'",
            "versions on the index: 3.0, 2.0, 1.0",
        ),
        (
            "ppt-compiled",
            "'ppt-compiled' has no wheel that runs in Pyodide: the index has none for Python "
            "3.14 on WebAssembly, and Pyodide 314.0.7's distribution does not include it",
            "a compiled package must be built for Pyodide with pyodide-build (`pyodide build`); "
            "a pure-Python one published without a wheel can be built with `pip wheel --no-deps "
            "ppt-compiled`; then list the .whl file in packages:",
        ),
    ],
)
def test_package_errors_are_located(
    declared: str,
    message: str,
    hint: str,
    index: tuple[Path, str],
    machine_cache: Path,
    tmp_path: Path,
) -> None:
    site = write(
        tmp_path / "site",
        {"page.md": f"---\npackages: [{declared}]\n---\n# P\n\n```python run\npass\n```\n"},
    )
    with (
        package_cache(machine_cache, tmp_path / "cache"),
        mock.patch.dict(os.environ, pip_environment(index[1])),
        pytest.raises(PypageError) as failure,
    ):
        build(site, tmp_path / "out")
    assert str(failure.value) == (
        f"site/page.md:2:12: error: {message}\n    2 | packages: [{declared}]\n  hint: {hint}"
    )


def test_pages_work_where_service_workers_are_unavailable(
    package_served: tuple[str, Path], browser: Browser
) -> None:
    base, _ = package_served
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "index.html")
    wait_finished(page, "greet")
    assert output_of(page, "greet").startswith("hello reader in red (greet 1.0)\n")
    page.wait_for_function("document.documentElement.dataset.pypageOffline !== 'pending'")
    assert page.evaluate("document.documentElement.dataset.pypageOffline") == "unavailable"
    context.close()
    assert errors == []


def official_distribution_reachable() -> bool:
    from pypage.config import DEFAULT_DISTRIBUTION
    from pypage.packages.npm import pinned

    url = DEFAULT_DISTRIBUTION.format(version=pinned("pyodide").version) + "pyodide-lock.json"
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except (OSError, ValueError):
        return False


@pytest.mark.needs_distribution
@pytest.mark.skipif(
    not official_distribution_reachable(),
    reason="needs the official Pyodide distribution (matplotlib's wheel), unreachable here",
)
def test_matplotlib_figures_appear_in_the_cell(tmp_path: Path, page: Page) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": "# Plot\n\n```python run autorun id=plot\nimport matplotlib.pyplot as plt\n"
            'plt.plot([1, 4, 9])\nplt.title("Squares")\nplt.show()\nprint("after")\n```\n',
        },
    )
    build(site, tmp_path / "root" / SUB_PATH)
    with serving(tmp_path / "root", isolate=False) as base:
        page.goto(f"{base}{SUB_PATH}/index.html")
        assert wait_finished(page, "plot", timeout=180_000) == "done"
        image = '[data-pypage-cell="plot"] [data-pypage-output] img'
        page.wait_for_function("sel => document.querySelector(sel)?.naturalWidth > 0", arg=image)
        assert page.get_attribute(image, "alt") == "Figure: Squares"
        assert output_of(page, "plot").endswith("after\n")
