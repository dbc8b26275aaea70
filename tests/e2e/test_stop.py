"""Stop: runaway code ends without losing the page, with or without cross-origin isolation."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from .conftest import INTERPRETERS, SITE, Served, serve_on
from .harness import output_of, run_cell, state_of, wait_finished

pytestmark = pytest.mark.e2e


def start(page: Page, cell: str) -> None:
    page.click(f'[data-pypage-cell="{cell}"] [data-pypage-run]')
    page.wait_for_function(
        "id => document.querySelector(`[data-pypage-cell=\"${id}\"]`).dataset.state === 'running'",
        arg=cell,
        timeout=60_000,
    )


def press_stop(page: Page, cell: str) -> float:
    button = f'[data-pypage-cell="{cell}"] [data-pypage-run]'
    assert page.inner_text(button).strip() == "Stop"
    assert page.get_attribute(button, "aria-label") == f"Stop cell {cell}"
    started = time.perf_counter()
    page.click(button)
    wait_finished(page, cell)
    return time.perf_counter() - started


def test_stop_restarts_python_on_a_static_host(page: Page, a_site: Served) -> None:
    # a_site is served without COOP/COEP headers, like GitHub Pages: no SharedArrayBuffer, so
    # Stop ends the worker and starts a fresh interpreter.
    page.goto(a_site.url("stop.html"))
    run_cell(page, "keep")
    start(page, "spin")
    page.click('[data-pypage-cell="after"] [data-pypage-run]')  # queued behind the loop
    assert state_of(page, "after") == "queued"
    press_stop(page, "spin")
    assert state_of(page, "spin") == "error"
    assert "Python was restarted" in output_of(page, "spin")
    assert state_of(page, "after") == "idle"
    assert "Cancelled" in output_of(page, "after")
    assert run_cell(page, "after") == "error"  # the fresh interpreter has no `kept`
    assert "NameError" in output_of(page, "after")
    run_cell(page, "keep")
    assert run_cell(page, "after") == "done"
    assert output_of(page, "after") == "still here\n"


@pytest.fixture(scope="module", params=INTERPRETERS)
def an_isolated_site(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Served]:
    # As `pypage serve` sends it: COOP/COEP, so the page has SharedArrayBuffer.
    yield from serve_on(SITE, request.param, tmp_path_factory, isolate=True)


# What Stop interrupts on each interpreter, and what only a restart ends. Both end time.sleep at
# once. Pyodide looks for the interrupt between bytecodes, not inside a long C call (sum over a
# huge range); MicroPython only when the cell calls out (prints, sleeps), never in a bare loop.
INTERRUPTED = {"pyodide": ["spin", "ticker", "nap"], "micropython": ["ticker", "nap"]}
RESTARTED = {"pyodide": "hog", "micropython": "spin"}


def test_stop_interrupts_a_python_loop_and_keeps_the_variables(
    page: Page, an_isolated_site: Served
) -> None:
    page.goto(an_isolated_site.url("stop.html"))
    assert page.evaluate("crossOriginIsolated") is True
    run_cell(page, "keep")
    for cell in INTERRUPTED[an_isolated_site.interpreter]:
        start(page, cell)
        seconds = press_stop(page, cell)
        assert seconds < 1.0, cell  # well inside the restart grace period: it was interrupted
        text = output_of(page, cell)
        assert "KeyboardInterrupt" in text and "restarted" not in text, text
        assert state_of(page, cell) == "error"
        assert run_cell(page, "after") == "done"
        assert output_of(page, "after") == "still here\n"


def test_an_interrupted_loop_shows_its_output_and_where_it_stopped(
    page: Page, an_isolated_site: Served
) -> None:
    page.goto(an_isolated_site.url("stop.html"))
    start(page, "ticker")
    page.wait_for_function(
        "() => document.querySelector('[data-pypage-cell=\"ticker\"] [data-pypage-output]')"
        ".textContent.includes('tick 3')",
        timeout=30_000,
    )
    press_stop(page, "ticker")
    text = output_of(page, "ticker")
    assert text.startswith("tick 1\ntick 2\ntick 3\n")
    assert 'File "<cell ticker>", line ' in text  # the traceback points into the cell
    assert "_pypage_cell" not in text  # and not into the runtime
    assert run_cell(page, "count") == "done"  # the loop's variable survived the interrupt
    assert output_of(page, "count") == "True\n"


def test_code_that_ignores_the_interrupt_is_stopped_by_a_restart(
    page: Page, an_isolated_site: Served
) -> None:
    cell = RESTARTED[an_isolated_site.interpreter]
    page.goto(an_isolated_site.url("stop.html"))
    start(page, cell)
    press_stop(page, cell)
    assert "Python was restarted" in output_of(page, cell)
    page.wait_for_function("document.documentElement.dataset.pypage === 'ready'", timeout=60_000)
    assert run_cell(page, "keep") == "done"
