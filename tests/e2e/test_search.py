"""Site search in Chromium, on a site served under a sub-path: "/" focuses the box, a word found
only on another page is listed with its nearest heading, Enter opens it there, and once a page has
been visited the whole index works offline."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from ..sites import write
from .conftest import Served, serve_site, site_store

pytestmark = pytest.mark.e2e

F = "```"
PAGES = {
    "index.md": f"# Course notes\n\nWelcome. Start with the first lesson.\n\n"
    f"{F}python run id=hello\nprint('hello')\n{F}\n",
    "lessons/1-values.md": "# Values\n\n## Numbers\n\nIntegers and floats.\n\n"
    "## Strings\n\nText in quotes; a palindrome reads the same backwards.\n",
    "lessons/2-loops.md": "# Loops\n\n## For loops\n\nA loop walks through a list.\n\n"
    "## While loops\n\nRepeat until a sentinel value turns up.\n",
}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("search")
    site = write(work / "site", PAGES)
    yield from serve_site(site, work / "root")


def search(page: Page, words: str) -> list[str]:
    page.fill(".site-search input", words)
    page.wait_for_selector(".search-results:not([hidden]) :is(a, .search-empty)")
    return page.locator(".search-results a").all_inner_texts()


def test_slash_focuses_and_a_word_on_another_page_opens_at_its_heading(
    page: Page, course: Served
) -> None:
    page.goto(course.url())
    page.wait_for_selector(".site-search[data-ready]", state="attached")
    page.locator("main").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.matches('.site-search input')")
    found = search(page, "sentinel")
    assert len(found) == 1 and found[0].startswith("Loops › While loops")
    link = page.locator(".search-results a").first
    assert link.get_attribute("href") == "/repo/lessons/2-loops.html#while-loops"
    page.keyboard.press("Enter")
    page.wait_for_url("**/repo/lessons/2-loops.html#while-loops")
    assert page.evaluate("location.hash") == "#while-loops"


def test_arrow_keys_walk_the_results_and_escape_closes_them(page: Page, course: Served) -> None:
    page.goto(course.url("lessons/1-values.html"))
    page.wait_for_selector(".site-search[data-ready]", state="attached")
    assert len(search(page, "loop")) >= 1
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('.search-results') !== null")
    page.keyboard.press("Escape")
    assert page.is_hidden(".search-results")
    assert page.evaluate("document.activeElement.matches('.site-search input')")
    assert search(page, "xylophone") == []
    assert "Nothing found" in page.inner_text(".search-results")


def test_after_a_visit_the_whole_index_works_offline(page: Page, course: Served) -> None:
    listed = json.loads(next(course.out.glob("_pypage/search-*/files.json")).read_text())
    page.goto(course.url())
    page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.focus(".site-search input")  # loads the index and asks the worker to keep it
    page.wait_for_selector(".site-search[data-offline=ready]", state="attached")
    kept = page.evaluate(
        "async name => (await (await caches.open(name)).keys()).map(r => r.url)",
        site_store("search"),
    )
    assert {url.rsplit("/_pypage/", 1)[1].split("/", 1)[1] for url in kept} >= {*listed}
    page.context.set_offline(True)
    found = search(page, "palindrome")
    assert found and found[0].startswith("Values › Strings")
