"""Stop: runaway code ends without losing the page, with or without cross-origin isolation."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from .conftest import SITE, Served, serve_site
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


@pytest.fixture(scope="module")
def an_isolated_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    # As `pypage serve` sends it: COOP/COEP, so the page has SharedArrayBuffer.
    yield from serve_site(SITE, tmp_path_factory.mktemp("isolated"), isolate=True)


def test_stop_interrupts_a_python_loop_and_keeps_the_variables(
    page: Page, an_isolated_site: Served
) -> None:
    page.goto(an_isolated_site.url("stop.html"))
    assert page.evaluate("crossOriginIsolated") is True
    run_cell(page, "keep")
    start(page, "spin")
    seconds = press_stop(page, "spin")
    assert seconds < 1.0  # well inside the restart grace period: the loop was interrupted
    text = output_of(page, "spin")
    assert "KeyboardInterrupt" in text and "restarted" not in text
    assert run_cell(page, "after") == "done"
    assert output_of(page, "after") == "still here\n"


def test_code_that_ignores_the_interrupt_is_stopped_by_a_restart(
    page: Page, an_isolated_site: Served
) -> None:
    page.goto(an_isolated_site.url("stop.html"))
    start(page, "nap")
    press_stop(page, "nap")
    assert "Python was restarted" in output_of(page, "nap")
    page.wait_for_function("document.documentElement.dataset.pypage === 'ready'", timeout=60_000)
    assert run_cell(page, "keep") == "done"
