"""Helpers the end-to-end tests share: reading and driving cells through the DOM contract."""

from __future__ import annotations

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
