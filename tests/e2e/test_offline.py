"""Two courses on one origin, as GitHub Pages serves a teacher's sites (user.github.io/course-a/
and /course-b/): each keeps what it stored whatever the other does, both work offline at both
addresses of their pages, a page never visited shows the site's offline page, and storage the
browser refuses leaves the site working from the network.

A persistent profile and no route() handler (it would turn the HTTP cache off): outside hosts do
not resolve instead. MicroPython keeps the sites small; the stores are the same for Pyodide."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Playwright

from pypage.browser.chromium import CHROMIUM_ARGS, LOOPBACK_ONLY
from pypage.site.build import build
from pypage.site.host import SiteHandler, make_server, running

from ..sites import write
from .conftest import chromium_path
from .harness import output_of, run_cell

pytestmark = pytest.mark.e2e

F = "```"


def course(name: str) -> dict[str, str]:
    return {
        "pypage.toml": f'title = "Course {name.upper()}"\ninterpreter = "micropython"\n',
        "index.md": f"""# Course {name.upper()}

Start with [the first week](week-1.md); [the second week](week-2.md) comes later.

{F}python run id=hello
print("course {name}", 6 * 7)
{F}
""",
        "week-1.md": f"# Week one\n\n{F}python run id=week\nprint('week one')\n{F}\n",
        "week-2.md": "# Week two\n\nNot visited before the test goes offline.\n",
    }


class Counting(SiteHandler):
    hits: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        type(self).hits.append(self.path)


@pytest.fixture
def courses(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    for name in ("a", "b"):
        build(write(tmp_path / f"course-{name}", course(name)), root / f"course-{name}")
    return root


@contextmanager
def host(root: Path, port: int = 0) -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Hits", (Counting,), {"hits": hits})
    with running(make_server(root, port=port, isolate=False, handler_class=handler)) as base:
        yield base, hits


@contextmanager
def profile(
    playwright: Playwright, folder: Path
) -> Iterator[tuple[BrowserContext, list[str], list[str]]]:
    """A persistent profile (the HTTP cache and the service worker's stores survive), its console
    errors and warnings, the service worker's included."""
    context = playwright.chromium.launch_persistent_context(
        folder, executable_path=chromium_path(), args=[*CHROMIUM_ARGS, LOOPBACK_ONLY]
    )
    errors: list[str] = []
    warnings: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)
        elif message.type == "warning":
            warnings.append(message.text)

    context.on("console", on_console)
    context.on("weberror", lambda error: errors.append(str(error.error)))
    try:
        yield context, errors, warnings
    finally:
        context.close()


def visit(page: Page, url: str, *, kept: str = "ready") -> None:
    """Load the page, run its first cell and wait until the service worker kept what it used."""
    page.goto(url)
    run_cell(page, "hello")
    page.wait_for_function(
        "['ready', 'partial'].includes(document.documentElement.dataset.pypageOffline)"
    )
    assert page.evaluate("document.documentElement.dataset.pypageOffline") == kept


def asset_requests(hits: list[str], site: str) -> list[str]:
    return [hit for hit in hits if hit.startswith(f"/{site}/_pypage/")]


CACHE_NAMES = "async () => (await caches.keys()).sort()"
KEPT = "async () => (await (await caches.open('pypage-assets /course-a/')).keys()).length"


def test_two_sites_on_one_origin_keep_what_they_stored(
    courses: Path, playwright: Playwright, tmp_path: Path
) -> None:
    with profile(playwright, tmp_path / "profile") as (ctx, errors, _):
        page = ctx.pages[0]
        with host(courses) as (base, hits):
            # What an earlier pypage left, in the stores every site of the origin shared.
            page.goto(base + "course-a/week-2.html")
            week_1 = (courses / "course-a" / "week-1.html").read_text()
            page.evaluate(
                """async ([base, week1]) => {
                    const assets = await caches.open("pypage-assets");
                    await assets.put(base + "course-a/_pypage/old-1/a.js", new Response("a"));
                    await assets.put(base + "elsewhere/_pypage/old-1/b.js", new Response("b"));
                    const pages = await caches.open("pypage-pages");
                    const html = { headers: { "Content-Type": "text/html" } };
                    await pages.put(base + "course-a/week-1.html", new Response(week1, html));
                }""",
                [base, week_1],
            )
            # Course A by its file, course B by its folder (how GitHub Pages links a site).
            for address in ("course-a/index.html", "course-b/"):
                visit(page, base + address)
                visit(page, base + address)
            hits.clear()
            visit(page, base + "course-a/index.html")
            visit(page, base + "course-b/")
            # Nothing fetched again: neither site's visits evicted the other's files.
            assert asset_requests(hits, "course-a") == asset_requests(hits, "course-b") == []
            assert page.evaluate(CACHE_NAMES) == [
                "pypage-assets",  # still holding the other site's entry, for its own worker
                "pypage-assets /course-a/",
                "pypage-assets /course-b/",
                "pypage-pages /course-a/",
                "pypage-pages /course-b/",
            ]
            left = page.evaluate(
                "async () => (await (await caches.open('pypage-assets')).keys()).map(r => r.url)"
            )
            assert left == [base + "elsewhere/_pypage/old-1/b.js"]
            # Of this site's old entries, what is still of use moved to its own store.
            moved = page.evaluate(
                """async base => {
                    const pages = await caches.open("pypage-pages /course-a/");
                    const assets = await caches.open("pypage-assets /course-a/");
                    const stale = await assets.match(base + "course-a/_pypage/old-1/a.js");
                    const page = await pages.match(base + "course-a/week-1.html");
                    return [await page?.text(), stale === undefined];
                }""",
                base,
            )
            assert moved == [week_1, True]
            page.goto(base + "course-a/week-1.html")
            page.wait_for_selector("[data-pypage-cell=week]")
        # The host is gone: the reader is offline. Each page answers at both of its addresses.
        page.goto(base + "course-a/")  # visited as index.html
        run_cell(page, "hello")
        assert output_of(page, "hello") == "course a 42\n"  # Python, from what the site kept
        page.goto(base + "course-b/index.html")  # visited as course-b/
        run_cell(page, "hello")
        assert output_of(page, "hello") == "course b 42\n"
        page.goto(base + "course-b/")
        assert page.get_attribute("h1", "id") == "course-b"
        page.goto(base + "course-a/week-1.html")
        run_cell(page, "week")
        # A page never visited: the site's own offline page, listing what can be read.
        page.goto(base + "course-a/week-2.html")
        assert page.get_attribute("h1", "id") == "offline"
        assert page.title() == "Offline · Course A"
        listed = page.eval_on_selector_all(
            "[data-pypage-offline-pages] a", "links => links.map(a => [a.textContent, a.href])"
        )
        assert sorted(listed) == [
            ["Course A", base + "course-a/"],
            ["Week one · Course A", base + "course-a/week-1.html"],
        ]
        # In the site's theme: its stylesheet, from where the offline page is kept.
        assert page.evaluate("document.styleSheets[0].cssRules.length") > 10
        page.click("text=Week one · Course A")
        page.wait_for_selector("[data-pypage-cell=week]")
        assert errors == []


def test_storage_the_browser_refuses_leaves_the_site_working(
    courses: Path, playwright: Playwright, tmp_path: Path
) -> None:
    with (
        host(courses) as (base, _),
        profile(playwright, tmp_path / "profile") as (ctx, errors, warnings),
    ):
        page = ctx.pages[0]
        visit(page, base + "course-a/index.html")
        # The quota is full: every write to Cache Storage fails in the site's service worker.
        (worker,) = ctx.service_workers
        worker.evaluate(
            """() => {
                const full = () => Promise.reject(new DOMException("full", "QuotaExceededError"));
                self.saved = [Cache.prototype.put, Cache.prototype.add];
                Cache.prototype.put = Cache.prototype.add = full;
            }"""
        )
        page.evaluate(
            """async () => {
                for (const name of await caches.keys()) await caches.delete(name);  // evicted
            }"""
        )
        visit(page, base + "course-a/index.html", kept="partial")  # from the network
        assert output_of(page, "hello") == "course a 42\n"
        assert page.evaluate(KEPT) == 0
        page.goto(base + "course-a/week-1.html")
        run_cell(page, "week")
        # Room again: the next visit stores the site again, and the one after needs nothing.
        worker.evaluate("() => ([Cache.prototype.put, Cache.prototype.add] = self.saved)")
        visit(page, base + "course-a/index.html")
        assert page.evaluate(KEPT) > 5
        assert errors == []
        # Said once, however many writes failed.
        refusals = [text for text in warnings if "did not store the site" in text]
        assert len(refusals) == 1, warnings
