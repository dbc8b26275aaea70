"""Helpers the end-to-end tests share: reading and driving cells through the DOM contract."""

from __future__ import annotations

import time
from collections.abc import Callable

from playwright.sync_api import Page

from pypage.browser.driver import page_function


def run_cell(page: Page, cell: str, *, timeout: float = 60_000) -> str:
    """Press the cell's Run button and wait for it to finish; return its final state."""
    page.click(f'[data-pypage-cell="{cell}"] [data-pypage-run]')
    return wait_finished(page, cell, timeout=timeout)


def wait_finished(page: Page, cell: str, *, timeout: float = 60_000) -> str:
    """Wait until the cell's run ended (as `pypage check` waits); return its final state."""
    page.wait_for_function(page_function("finished"), arg=cell, timeout=timeout)
    return state_of(page, cell)


def state_of(page: Page, cell: str) -> str:
    return page.get_attribute(f'[data-pypage-cell="{cell}"]', "data-state") or ""


def output_of(page: Page, cell: str) -> str:
    return page.eval_on_selector(
        f'[data-pypage-cell="{cell}"] [data-pypage-output]', "e => e.textContent"
    )


def until(page: Page, holds: Callable[[], object], timeout: float = 60) -> None:
    """Wait for a condition on the test's side (a request a route holds), letting Playwright deliver
    the page's events meanwhile: a route handler runs only while the test calls into Playwright."""
    deadline = time.monotonic() + timeout
    while not holds():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout} s: {holds}")
        page.wait_for_timeout(20)
