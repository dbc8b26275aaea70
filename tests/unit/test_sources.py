"""Finding pages: a folder's README.md is its home page when it has no index.md, as on GitHub."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from pypage.markdown.page import Page
from pypage.site.build import build
from tests.sites import write

pytestmark = pytest.mark.unit


def pages_of(pages: Iterable[Page]) -> dict[str, str]:
    return {str(p.source.rel): str(p.source.url) for p in pages}


def test_a_readme_is_its_folders_index_unless_there_is_an_index_md(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "README.md": "# Notes\n\n[Birds](birds/) and [trees](trees/README.md).\n",
            "birds/readme.md": "# Birds\n\nBack [home](../README.md) or [up](..).\n",
            "birds/owls.md": "# Owls\n\n[Birds](./), [again](readme.md), [as HTML](readme.html).\n",
            "trees/index.md": "# Trees\n",
            "trees/README.md": "# About this folder\n",
        },
    )
    report = build(site)
    assert pages_of(report.pages) == {
        "README.md": "index.html",
        "birds/owls.md": "birds/owls.html",
        "birds/readme.md": "birds/index.html",
        "trees/README.md": "trees/README.html",
        "trees/index.md": "trees/index.html",
    }
    assert report.warnings == ()

    def links(page: str) -> list[str]:
        article = (
            (report.out / page)
            .read_text()
            .split("<article data-pagefind-body>")[1]
            .split("</article>")[0]
        )
        return [href for href in re.findall(r'href="([^"]+)"', article) if "#" not in href]

    assert links("index.html") == ["birds/index.html", "trees/README.html"]
    assert links("birds/index.html") == ["../index.html", "../index.html"]
    assert links("birds/owls.html") == ["index.html", "index.html", "index.html"]


def test_a_page_named_readme_without_a_heading_takes_its_folders_name(tmp_path: Path) -> None:
    site = write(tmp_path / "site", {"index.md": "# Home\n", "02-field-trips/README.md": "Go.\n"})
    (page,) = [p for p in build(site).pages if p.source.rel.name == "README.md"]
    assert page.title == "Field trips"


def test_a_site_without_a_home_page_is_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(Path("site"), {"guide/intro.md": "# Intro\n", "trees/README.md": "# Trees\n"})
    assert [w.format() for w in build(Path("site")).warnings] == [
        "site: warning: the site has no home page: no index.md or README.md at its top\n"
        "  hint: a visit to the site's address opens index.html; add an index.md there"
    ]
    write(Path("site"), {"readme.md": "# Home\n"})
    assert build(Path("site")).warnings == ()
