"""In-site navigation, end to end: a link to another page of the site swaps the content and keeps
the interpreter (modules stay imported, each page gets a fresh namespace), history, anchors and
focus behave as with plain links, a page on the other interpreter switches to it, and whatever
cannot be swapped is loaded normally."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, Route

from ..sites import write
from .conftest import Served, Traffic, serve_site, site_store
from .harness import output_of, run_cell, until, wait_finished

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

See [slicing](#slicing) below.

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

Jump to [while loops](#while-loops).

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

# Two units whose pages each bring their own grading.py, and write a file of their own: the
# second page must see its module, not the first page's, and none of the first page's files.
UNIT = """---
title: Unit {n}
files: [grading.py]
{front}---
# Unit {n}

```python run id=grade
import os, grading
with open("progress-{n}.txt", "w") as out:
    out.write("seen")
mine = [name for name in os.listdir() if name.startswith(("grading", "progress"))]
print(grading.UNIT, sorted(mine))
```

Next: [unit two](../{prefix}two/index.md). Revise [lists](../lists.md) first.
"""
TICKER = """
```python run id=ticker
import asyncio

async def tick():
    while True:
        await asyncio.sleep(0.02)
        print("tick")

ticking = asyncio.create_task(tick())
await asyncio.sleep(0.1)
```
"""
WAIT = """
```python run id=ticker
print("two")
```

```python run id=later
import asyncio
await asyncio.sleep(0.3)  # long enough for the other page's task to tick a dozen times
print("waited")
```
"""
for prefix, front in (("", ""), ("tiny-", "interpreter: micropython\n")):
    for n in ("one", "two"):
        NOTES[f"{prefix}{n}/index.md"] = UNIT.format(n=n, front=front, prefix=prefix) + (
            (TICKER if n == "one" else WAIT) if not prefix else ""
        )
        NOTES[f"{prefix}{n}/grading.py"] = f"UNIT = {n!r}\n"


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
        """([name, url]) => {
            caches.open(name).then(c => c.match(url)).then(r => (window.kept = !!r));
            return window.kept;
        }""",
        arg=[site_store("pages"), notes.url("loops.html")],
    )


@pytest.mark.parametrize("prefix", ["", "tiny-"], ids=["pyodide", "micropython"])
def test_the_next_page_starts_as_if_loaded(page: Page, notes: Served, prefix: str) -> None:
    """Not only a fresh namespace: the last page's files, the modules imported from them and the
    tasks its cells started are gone as well."""
    page.goto(notes.url(f"{prefix}one/index.html"))
    run_cell(page, "grade")
    assert output_of(page, "grade") == "one ['grading.py', 'progress-one.txt']\n"
    if not prefix:
        run_cell(page, "ticker")
        assert "tick" in output_of(page, "ticker")
    follow(page, "unit two", 1)
    assert output_of(page, "grade") == ""
    run_cell(page, "grade")
    assert output_of(page, "grade") == "two ['grading.py', 'progress-two.txt']\n"
    if not prefix:
        # The first page's task, still ticking, would write into this page's cell of the same id.
        run_cell(page, "ticker")
        run_cell(page, "later")
        assert output_of(page, "ticker") == "two\n"


def test_coming_back_to_an_anchor_returns_where_the_reader_was(page: Page, notes: Served) -> None:
    page.goto(notes.url("loops.html"))
    wait_finished(page, "check")
    page.evaluate("window.sameDocument = true")
    link(page, "while loops").click()  # the browser's own fragment navigation, a history entry
    page.wait_for_url(notes.url("loops.html#while-loops"))
    below = page.evaluate("document.getElementById('while-loops').offsetTop") + 400
    page.evaluate(f"window.scrollTo(0, {below})")
    page.wait_for_function(f"history.state?.scroll === {below}")
    link(page, "lists").scroll_into_view_if_needed()
    where = page.evaluate("scrollY")
    follow(page, "lists", 1)
    page.go_back()
    page.wait_for_function("document.querySelector('h1')?.id === 'loops'")
    assert page.url == notes.url("loops.html#while-loops")
    assert page.evaluate("window.sameDocument") is True  # swapped in, not reloaded
    # Where the reader was, not at the anchor (see the test above for the margin).
    assert where - 1 <= page.evaluate("scrollY") <= where + 100


def test_back_to_a_fragment_of_the_page_shown_drops_the_page_still_loading(
    page: Page, notes: Served
) -> None:
    page.goto(notes.url("lists.html"))
    link(page, "slicing").click()
    page.wait_for_url(notes.url("lists.html#slicing"))
    held: list[Route] = []
    # The next page is answered when the test says (the context: the service worker may ask).
    page.context.route("**/loops.html", lambda route: held.append(route))
    # Set once navigate.js has the page's text in hand (and has done with it, in the same task).
    page.evaluate(
        """() => {
            const fetch = window.fetch;
            window.fetch = async (...args) => {
                const response = await fetch(...args);
                const text = response.text.bind(response);
                response.text = async () => {
                    const body = await text();
                    setTimeout(() => (window.answered = true));
                    return body;
                };
                return response;
            };
        }"""
    )
    link(page, "loops").click()
    page.wait_for_function("document.documentElement.dataset.pypageNavigation === 'loading'")
    until(page, lambda: held)  # the request is on its way, not merely about to be
    page.go_back()  # the reader changed their mind
    page.wait_for_url(notes.url("lists.html"))
    assert page.evaluate("document.documentElement.dataset.pypageNavigation") == "done"
    held[0].continue_()
    page.wait_for_function("window.answered === true")
    assert page.url == notes.url("lists.html")
    assert page.get_attribute("h1", "id") == "lists"
    assert navigations(page) == 0


def test_python_wanted_by_a_page_left_does_not_run_the_next_pages_cells_again(
    page: Page, notes: Served
) -> None:
    # The page's idle callbacks wait for the test: the first page's start of Python comes due only
    # once the reader is on the next page.
    page.add_init_script(
        """window.idle = [];
        window.requestIdleCallback = (callback) => window.idle.push(callback);"""
    )
    page.goto(notes.url("one/index.html"))  # no autorun cell: Python starts when idle
    page.wait_for_function("window.idle.length > 0")
    follow(page, "lists", 1)
    wait_finished(page, "setup")  # autorun: started at once
    state = page.evaluate(
        """() => {
            for (const callback of window.idle.splice(0)) callback();
            return document.querySelector('[data-pypage-cell=setup]').dataset.state;
        }"""
    )
    assert state == "done"  # not queued to run a second time


def test_an_edit_made_while_back_loads_stays_with_its_page(page: Page, notes: Served) -> None:
    page.goto(notes.url("one/index.html"))
    follow(page, "unit two", 1)
    page.click('[data-pypage-cell="grade"] .pypage-code')  # loads the editor
    page.wait_for_selector('[data-pypage-cell="grade"] .cm-content')
    held: list[Route] = []
    page.context.route("**/one/index.html", lambda route: held.append(route))
    page.go_back()  # the address is the first page's already; the second is still shown
    page.wait_for_function("document.documentElement.dataset.pypageNavigation === 'loading'")
    page.click('[data-pypage-cell="grade"] .cm-content')
    page.keyboard.press("Control+End")
    page.keyboard.type("\nprint('edited on unit two')")
    until(page, lambda: held)
    held[0].continue_()
    page.wait_for_function("document.querySelector('h1')?.id === 'unit-one'")
    # The first page's cell of the same id is as its author wrote it.
    assert "edited" not in page.inner_text('[data-pypage-cell="grade"] .pypage-code')
    assert page.is_hidden('[data-pypage-cell="grade"] [data-pypage-reset]')
    page.go_forward()
    page.wait_for_function("document.querySelector('h1')?.id === 'unit-two'")
    assert "edited on unit two" in page.inner_text('[data-pypage-cell="grade"] .pypage-code')
