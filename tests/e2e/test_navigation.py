"""In-site navigation, end to end: a link to another page of the site swaps the content and keeps
the interpreter (modules stay imported, each page gets a fresh namespace), history, anchors and
focus behave as with plain links, a page on the other interpreter switches to it, and whatever
cannot be swapped is loaded normally."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page

from ..sites import write
from .conftest import Served, Traffic, serve_site
from .harness import output_of, wait_finished

pytestmark = pytest.mark.e2e

FILLER = "\n\n".join(
    f"Step {n}: the loop body runs once more, and the counter grows by one." for n in range(40)
)

NOTES = {
    "index.md": """# Programming course

Week one covers [lists](lists.md); week two covers
[the while loop](loops.md#while-loops).

A [printable summary](summary.txt) is also available.
""",
    "summary.txt": "Lists, then loops.\n",
    "lists.md": """---
title: Lists
files: [data/marks.csv]
---
# Lists

```python run autorun id=setup
import statistics
course = "lists"
marks = [int(x) for x in open("data/marks.csv").read().split(",")]
print("mean mark", statistics.mean(marks))
```

## Slicing

Read on: [loops](loops.md), [the while loop](loops.md#while-loops),
[the same in MicroPython](light.md), [an old page](legacy.md), [a moved page](moved.md),
[back home](index.md).

<a href="loops.md" target="_blank" id="new-tab">Loops in a new tab</a>
""",
    "data/marks.csv": "12,15,18\n",
    "loops.md": f"""# Loops

```python run autorun id=check
import sys
print("statistics" in sys.modules, "course" in globals())
```

{FILLER}

=== "for"

    A `for` loop walks a list, item by item.

=== "while"

    A `while` loop tests its condition first.

## While loops

A `while` loop repeats while its condition holds. Back to [lists](lists.md).

{FILLER}
""",
    "light.md": """---
interpreter: micropython
---
# Lists on a small Python

```python run autorun id=which
import sys
print(sys.implementation.name)
```

Back to [lists](lists.md).
""",
    "legacy.md": """# An old page

<script>document.documentElement.dataset.legacyScript = "ran";</script>

Its inline script only runs on a normal page load.
""",
    "moved.md": "# Soon gone\n",
}


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("navigation")
    served = serve_site(write(work / "source", NOTES), work / "root")
    running = next(served)
    (running.out / "moved.html").unlink()  # linked, but gone from the host
    yield running
    served.close()


def navigations(page: Page) -> int:
    return int(page.evaluate("document.documentElement.dataset.pypageNavigations ?? 0"))


def link(page: Page, name: str) -> Locator:
    return page.get_by_role("link", name=name, exact=True).first


def follow(page: Page, name: str, count: int) -> None:
    """Click the link and wait until the page it leads to is shown in this document."""
    link(page, name).click()
    page.wait_for_function(
        f"Number(document.documentElement.dataset.pypageNavigations ?? 0) >= {count}"
    )


def wasm_loads(traffic: Traffic) -> list[str]:
    return [Path(url).name for url in traffic.requests if url.endswith(".wasm")]


def test_a_link_keeps_the_interpreter_and_gives_a_fresh_namespace(
    page: Page, notes: Served, traffic: Traffic
) -> None:
    page.goto(notes.url("lists.html"))
    wait_finished(page, "setup")
    assert output_of(page, "setup") == "mean mark 15\n"
    page.evaluate("window.sameDocument = true")
    follow(page, "loops", 1)
    wait_finished(page, "check")
    # statistics, imported on the lists page, is still imported; that page's variable is gone.
    assert output_of(page, "check") == "True False\n"
    assert page.evaluate("window.sameDocument") is True
    assert page.url == notes.url("loops.html")
    assert page.title().startswith("Loops")
    assert page.get_attribute('a[aria-current="page"]', "href") == "loops.html"
    assert wasm_loads(traffic) == ["pyodide.asm.wasm"]  # one interpreter for both pages
    assert page.evaluate("document.activeElement.matches('main')")
    # The theme's scripts bound the new content: its tabs are tabs.
    assert page.locator("[data-pypage-tabs][data-enhanced] [role=tab]").count() == 2
    page.wait_for_function(
        "document.querySelector('[data-pypage-announcer]')?.textContent.startsWith('Loops')"
    )


def test_back_and_forward_show_the_right_page_where_the_reader_was(
    page: Page, notes: Served
) -> None:
    page.goto(notes.url("loops.html"))
    wait_finished(page, "check")
    page.evaluate("window.scrollTo(0, 900)")
    page.wait_for_function("history.state?.scroll === 900")  # remembered as the reader scrolls
    link(page, "lists").scroll_into_view_if_needed()
    where = page.evaluate("scrollY")
    follow(page, "lists", 1)
    wait_finished(page, "setup")
    assert page.evaluate("scrollY") == 0
    page.go_back()
    page.wait_for_function("document.querySelector('h1')?.id === 'loops'")
    wait_finished(page, "check")
    assert page.url == notes.url("loops.html")
    # Where the reader was, give or take the output of the cells above: the page was restored
    # before they ran again, and scroll anchoring keeps the view as their output arrives.
    assert where - 1 <= page.evaluate("scrollY") <= where + 100
    assert link(page, "lists").is_visible()
    assert navigations(page) == 2  # shown in place, not loaded
    page.go_forward()
    page.wait_for_function("document.querySelector('h1')?.id === 'lists'")
    wait_finished(page, "setup")
    assert output_of(page, "setup") == "mean mark 15\n"  # its data file, written again


def test_a_link_to_a_heading_scrolls_to_it_and_focuses_it(page: Page, notes: Served) -> None:
    page.goto(notes.url("lists.html"))
    follow(page, "the while loop", 1)
    assert page.url == notes.url("loops.html#while-loops")
    assert page.evaluate("document.activeElement.id") == "while-loops"
    top = page.evaluate("document.getElementById('while-loops').getBoundingClientRect().top")
    assert 0 <= top < 100
    assert page.evaluate("scrollY") > 500
    page.reload()  # a reload loads the page the URL names, normally
    page.wait_for_selector("#while-loops")
    assert navigations(page) == 0
    assert page.get_attribute("h1", "id") == "loops"


def test_a_page_without_cells_on_the_way_keeps_the_interpreter(
    page: Page, notes: Served, traffic: Traffic
) -> None:
    page.goto(notes.url("lists.html"))
    wait_finished(page, "setup")
    follow(page, "back home", 1)
    assert page.locator("[data-pypage-cell]").count() == 0
    follow(page, "the while loop", 2)
    wait_finished(page, "check")
    assert output_of(page, "check") == "True False\n"
    assert wasm_loads(traffic) == ["pyodide.asm.wasm"]


def test_the_first_page_may_have_no_cells(page: Page, notes: Served, traffic: Traffic) -> None:
    page.goto(notes.url("index.html"))
    follow(page, "lists", 1)  # page.js arrives with the first page that has cells
    wait_finished(page, "setup")
    assert output_of(page, "setup") == "mean mark 15\n"
    follow(page, "loops", 2)
    wait_finished(page, "check")
    assert output_of(page, "check") == "True False\n"


def test_a_micropython_page_switches_interpreter_and_back(
    page: Page, notes: Served, traffic: Traffic
) -> None:
    page.goto(notes.url("lists.html"))
    wait_finished(page, "setup")
    follow(page, "the same in MicroPython", 1)
    wait_finished(page, "which")
    assert output_of(page, "which") == "micropython\n"
    follow(page, "lists", 2)
    wait_finished(page, "setup")
    assert output_of(page, "setup") == "mean mark 15\n"
    assert wasm_loads(traffic) == ["pyodide.asm.wasm", "micropython.wasm", "pyodide.asm.wasm"]


@pytest.mark.allow_console_errors  # the missing page's 404, as a plain link logs it
def test_what_cannot_be_swapped_is_loaded_normally(page: Page, notes: Served) -> None:
    page.goto(notes.url("lists.html"))
    link(page, "an old page").click()  # its inline script would be lost in a swap
    page.wait_for_url(notes.url("legacy.html"))
    page.wait_for_selector("html[data-legacy-script=ran]", state="attached")
    assert navigations(page) == 0
    page.go_back()
    page.wait_for_selector("[data-pypage-cell=setup]")
    link(page, "a moved page").click()  # the fetch fails: the browser shows what the host says
    page.wait_for_url(notes.url("moved.html"))
    assert navigations(page) == 0


def test_files_and_new_tabs_are_left_to_the_browser(page: Page, notes: Served) -> None:
    page.goto(notes.url("index.html"))
    with page.expect_navigation():
        link(page, "printable summary").click()
    assert page.url == notes.url("summary.txt")
    page.goto(notes.url("lists.html"))
    with page.context.expect_page() as opened:
        page.click("#new-tab")
    opened.value.wait_for_load_state()
    assert opened.value.url == notes.url("loops.html")
    assert page.url == notes.url("lists.html")
    assert navigations(page) == 0


def test_pages_shown_in_place_are_kept_for_offline_visits(page: Page, notes: Served) -> None:
    page.goto(notes.url("lists.html"))
    page.wait_for_function("document.documentElement.dataset.pypageOffline === 'ready'")
    follow(page, "loops", 1)
    # As the service worker keeps the pages the browser loads (polled: a predicate cannot await).
    page.wait_for_function(
        """url => {
            caches.open("pypage-pages").then(c => c.match(url)).then(r => (window.kept = !!r));
            return window.kept;
        }""",
        arg=notes.url("loops.html"),
    )
