"""Driving Chromium with Playwright over a served site: each page of cells in its own tab, its
cells pressed in order, each one observed through the DOM contract and handed to the verdict."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pypage.browser.chromium import CHROMIUM_ARGS, LOOPBACK_ONLY
from pypage.browser.verdict import CellResult, Seen, judge, not_run, reached_outside, skipped
from pypage.errors import Diagnostic, PypageError
from pypage.markdown.cells import Cell
from pypage.markdown.page import Page

if TYPE_CHECKING:  # Playwright itself loads only when a check runs
    from playwright.async_api import Page as Tab
    from playwright.async_api import Request

# Loading the interpreter is not the cell's time: it gets its own, generous limit.
LOAD_TIMEOUT = 180.0

PageDone = Callable[[Page, Sequence[CellResult]], None]


@functools.cache
def _driver_js() -> str:
    return files("pypage.browser").joinpath("driver.js").read_text(encoding="utf-8")


def page_function(name: str) -> str:
    """The function ``name`` of driver.js, as Playwright's evaluate() and wait_for_function()
    take a page function (they call it with their ``arg``)."""
    script = _driver_js()
    if f"\nfunction {name}(" not in script:
        raise ValueError(f"driver.js has no function {name!r}")
    return f"(() => {{\n{script}\nreturn {name};\n}})()"


def drive(
    base: str,
    pages: Sequence[Page],
    *,
    browser: str | None,
    jobs: int,
    timeout: float,
    page_done: PageDone,
) -> tuple[CellResult, ...]:
    """Run every cell of ``pages`` served at ``base``, ``jobs`` pages at a time; ``page_done`` is
    called as each page finishes. Results come in the order of ``pages``."""
    return _in_own_thread(
        lambda: _run_pages(
            base, pages, browser=browser, jobs=jobs, timeout=timeout, page_done=page_done
        )
    )


def _in_own_thread[T](make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a fresh event loop in its own thread: the caller may already be inside
    an event loop (a notebook, or a test driving sync Playwright), where asyncio.run() refuses."""
    values: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            values.append(asyncio.run(make()))
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=target, name="pypage-check")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return values[0]


async def _run_pages(
    base: str,
    pages: Sequence[Page],
    *,
    browser: str | None,
    jobs: int,
    timeout: float,
    page_done: PageDone,
) -> tuple[CellResult, ...]:
    from playwright.async_api import async_playwright

    waiting: asyncio.Queue[Page] = asyncio.Queue()
    for page in pages:
        waiting.put_nowait(page)
    async with async_playwright() as playwright:
        try:
            chromium = await playwright.chromium.launch(
                executable_path=browser, args=[*CHROMIUM_ARGS, LOOPBACK_ONLY]
            )
        except Exception as exc:  # Playwright's own browser may not be installed
            raise PypageError(
                Diagnostic(
                    message=f"could not start Chromium: {str(exc).splitlines()[0]}",
                    hint="install Chromium (e.g. apt-get install chromium) or pass --browser PATH",
                )
            ) from None

        done: dict[int, list[CellResult]] = {}
        # One context for all jobs, as one reader's browser: the memory snapshot the first pages
        # make (and the service worker's files) serve every later page.
        context = await chromium.new_context()

        async def job() -> None:
            # One tab per job, going from page to page as a reader does: one interpreter serves
            # them all, and a page that failed is followed by a fresh load (a new interpreter).
            tab = await context.new_page()
            outside: list[str] = []
            tab.on("request", lambda request: _watch(request, outside))
            fresh = True
            try:
                while not waiting.empty():
                    page = waiting.get_nowait()
                    outside.clear()
                    results = await _run_page(tab, base, page, timeout, fresh=fresh)
                    if outside:
                        first = results[0].cell if results else page.cells[0]
                        results.append(reached_outside(page, first, outside[0]))
                    done[id(page)] = results
                    fresh = any(r.status == "failed" or r.stopped_page for r in results)
                    page_done(page, results)
                await _let_snapshot_settle(tab)
            finally:
                await tab.close()

        try:
            await asyncio.gather(*(job() for _ in range(max(1, min(jobs, len(pages))))))
        finally:
            await context.close()
            await chromium.close()
    return tuple(result for page in pages for result in done.get(id(page), []))


def _watch(request: Request, outside: list[str]) -> None:
    url = request.url
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost") and not url.startswith(
        ("data:", "blob:")
    ):
        outside.append(url)


async def _run_page(
    tab: Tab, base: str, page: Page, timeout: float, *, fresh: bool
) -> list[CellResult]:
    url = base + str(page.source.url)
    if fresh:
        await _let_snapshot_settle(tab)  # the next start restores what this one made
        await tab.goto(url)
    else:
        await tab.evaluate(page_function("visit"), url)
        try:
            await tab.wait_for_function(
                page_function("arrived"), arg=url, timeout=LOAD_TIMEOUT * 1000
            )
        except Exception:  # Playwright's TimeoutError: the page is loaded the usual way instead
            await tab.goto(url)
    results: list[CellResult] = []
    hung: Cell | None = None
    for cell in page.cells:
        if cell.skip_check:
            results.append(skipped(page, cell))
        elif hung is not None:
            results.append(not_run(page, cell, stopped_by=hung))
        else:
            seen = await _observe(tab, cell, timeout)
            result = judge(page, cell, seen, timeout=timeout, load_timeout=LOAD_TIMEOUT)
            results.append(result)
            if result.stopped_page:
                hung = cell
    return results


async def _let_snapshot_settle(tab: Tab) -> None:
    """A page that made a snapshot of Python keeps it once its cells ran: closing the tab before
    would make every later page start without one."""
    from playwright.async_api import Error as PlaywrightError

    with contextlib.suppress(PlaywrightError):  # a page that never stores one: carry on
        await tab.wait_for_function(page_function("snapshotSettled"), timeout=30_000)


async def _observe(tab: Tab, cell: Cell, timeout: float) -> Seen:
    """Press the cell's Run and wait, within the limits, for Python and then for the cell."""
    await tab.evaluate(page_function("press"), cell.id)
    try:
        await tab.wait_for_function(page_function("loaded"), timeout=LOAD_TIMEOUT * 1000)
    except Exception:  # Playwright's TimeoutError
        return Seen(loaded=False)
    started = time.perf_counter()
    # Playwright's TimeoutError: the verdict reads the unfinished state.
    with contextlib.suppress(Exception):
        await tab.wait_for_function(page_function("settled"), arg=cell.id, timeout=timeout * 1000)
    state, raw, runtime, markup = await tab.evaluate(page_function("collect"), cell.id)
    return Seen(
        loaded=True,
        state=state,
        runtime=runtime,
        chunks=tuple((kind, text) for kind, text in raw),
        markup=markup,
        seconds=time.perf_counter() - started,
    )
