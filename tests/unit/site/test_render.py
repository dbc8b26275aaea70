"""The page's config: what the worker is told to load comes from the interpreter table."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

import pytest

from pypage.interpreters import INTERPRETERS
from pypage.resources import data_path
from pypage.site.build import build
from pypage.site.render import relative_url
from tests.sites import write

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", list(INTERPRETERS))
def test_the_page_names_its_interpreters_adapter_and_module(tmp_path: Path, name: str) -> None:
    interpreter = INTERPRETERS[name]
    site = write(
        tmp_path / "site",
        {"a/page.md": f"---\ninterpreter: {name}\n---\n```python run\nx = 1\n```\n"},
    )
    out = build(site).out
    html = (out / "a/page.html").read_text()
    found = re.search(r'id="pypage-config">(.*?)</script>', html)
    assert found is not None
    config = json.loads(found[1])
    assert config["interpreter"] == name
    # Relative to the page, as the worker resolves them.
    adapter = out / "a" / config["adapterURL"]
    assert adapter.read_bytes() == (data_path("runtime") / interpreter.adapter).read_bytes()
    module = (out / "a" / config["interpreterModuleURL"]).resolve()
    assert module.name == interpreter.module
    assert module.parent == (out / "a" / config["interpreterURL"]).resolve()
    assert module.is_file()


def page_config(html: str) -> dict[str, object]:
    found = re.search(r'id="pypage-config">(.*?)</script>', html)
    assert found is not None
    return dict(json.loads(found[1]))


@pytest.mark.parametrize("setting", ["", "snapshot = false\n"])
def test_pyodide_pages_name_their_snapshot_key_unless_turned_off(
    tmp_path: Path, setting: str
) -> None:
    cell = "```python run\nx = 1\n```\n"
    site = write(
        tmp_path / "site",
        {
            "pypage.toml": setting,
            "index.md": cell,
            "a/deep.md": cell,
            "micro.md": f"---\ninterpreter: micropython\n---\n{cell}",
        },
    )
    out = build(site).out
    configs = {
        name: page_config((out / name).read_text())
        for name in ("index.html", "a/deep.html", "micro.html")
    }
    assert "snapshot" not in configs["micro.html"]  # MicroPython starts fast without one
    if setting:
        assert "snapshot" not in configs["index.html"]
        return
    top, deep = str(configs["index.html"]["snapshot"]), str(configs["a/deep.html"]["snapshot"])
    # One key for the whole site (relative to each page), under the runtime's folder and named
    # after Pyodide's: a new build of either is a new key. It is never fetched.
    assert (out / top).resolve() == (out / "a" / deep).resolve()
    runtime, name = top.split("/")[-2:]
    assert runtime.startswith("runtime-") and (out / "_pypage" / runtime).is_dir()
    assert name.startswith("snapshot-pyodide-") and (out / "_pypage" / name[9:]).is_dir()
    assert not (out / top).exists()


def test_urls_of_files_whose_names_are_not_url_safe_are_escaped() -> None:
    here = PurePosixPath("index.html")
    assert relative_url(PurePosixPath("c#.html"), here) == "c%23.html"
    assert relative_url(PurePosixPath("my notes/a b.html"), here) == "my%20notes/a%20b.html"
    assert relative_url(PurePosixPath("guide/intro.html"), here) == "guide/intro.html"


def test_every_page_of_a_site_with_cells_navigates_in_place_but_slides(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": "# Home\n",
            "a/lesson.md": "```python run\nx = 1\n```\n",
            "deck.md": "---\nlayout: slides\n---\n# One\n\n---\n\n# Two\n",
        },
    )
    out = build(site).out

    def navigation(name: str) -> list[Path]:
        html = (out / name).read_text()
        return [
            (out / name).parent / src
            for src in re.findall(r'<script type="module" src="([^"]*navigate\.js)"', html)
        ]

    (home,) = navigation("index.html")  # no cells: the interpreter may come from a later page
    (lesson,) = navigation("a/lesson.html")
    assert home.resolve() == lesson.resolve()
    assert home.read_bytes() == (data_path("runtime") / "navigate.js").read_bytes()
    assert navigation("deck.html") == []  # reveal.js owns a deck's document

    # The editor's import map comes first on the page without cells as well: a page navigated to
    # cannot add one in every browser.
    def import_map(page: str) -> dict[str, str]:
        html = (out / page).read_text()
        assert html.index('type="importmap"') < html.index('type="module"')
        mapped = re.search(r'<script type="importmap">(.*?)</script>', html)
        assert mapped is not None
        imports: dict[str, str] = json.loads(mapped[1])["imports"]
        return {name: str(((out / page).parent / url).resolve()) for name, url in imports.items()}

    assert import_map("index.html") == import_map("a/lesson.html")


def test_a_site_without_cells_has_no_navigation(tmp_path: Path) -> None:
    out = build(write(tmp_path / "site", {"index.md": "# Home\n", "b.md": "# B\n"})).out
    assert "navigate.js" not in (out / "index.html").read_text()


def test_navigation_false_leaves_links_to_the_browser(tmp_path: Path) -> None:
    cell = "```python run\nx = 1\n```\n"
    site = write(
        tmp_path / "site", {"pypage.toml": "navigation = false\n", "index.md": cell, "b.md": cell}
    )
    out = build(site).out
    assert "navigate.js" not in (out / "index.html").read_text()
