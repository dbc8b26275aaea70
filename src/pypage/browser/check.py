"""``pypage check``: run every cell of a built site in headless Chromium, the runtime readers
actually use, and report each cell that fails or prints something other than it should.

The stages: chromium (which browser), site.host (the built site served on loopback), driver
(Playwright presses the cells and observes the pages), verdict (each cell judged), report
(progress, summary, JUnit)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from pypage.browser.chromium import find_browser
from pypage.browser.driver import drive
from pypage.browser.report import CheckReport, Progress, write_junit
from pypage.browser.verdict import CellResult
from pypage.markdown.page import Page
from pypage.site.host import serving

Shard = tuple[int, int]  # (K, N): the K-th of N parts of the pages, K counted from 1


def shard_pages(pages: Sequence[Page], shard: Shard | None) -> list[Page]:
    """The pages with cells, or the ``shard`` of them: every N-th page by source path, so each CI
    job gets the same pages on every run and the N jobs together check each page once."""
    with_cells = sorted((page for page in pages if page.cells), key=lambda p: p.source.rel)
    if shard is None:
        return with_cells
    k, n = shard
    return with_cells[k - 1 :: n]


def run_site(
    out: Path,
    pages: Sequence[Page],
    *,
    browser: str | None = None,
    jobs: int = 2,
    timeout: float = 60.0,
    progress: bool | None = None,
) -> tuple[CellResult, ...]:
    """Open each page of the built site ``out`` that has cells and run them all in order.
    ``progress``: a bar (True), plain log lines (False), or a bar only on a terminal (None)."""
    pages = [page for page in pages if page.cells]
    if not pages:
        return ()
    executable = find_browser(browser)
    bar = Progress(total=len(pages), enabled=progress)
    with serving(out, isolate=True) as base:
        try:
            return drive(
                base,
                pages,
                browser=executable,
                jobs=jobs,
                timeout=timeout,
                page_done=bar.advance,
            )
        finally:
            bar.close()


def check(
    site: Path,
    *,
    browser: str | None = None,
    jobs: int = 2,
    timeout: float = 60.0,
    junit: Path | None = None,
    shard: Shard | None = None,
) -> CheckReport:
    """Build ``site`` into a temporary folder and run all its cells (or those of the pages in
    ``shard``); raises on any failure."""
    import tempfile

    from pypage.site.build import build

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pypage-check-") as tmp:
        built = build(site, Path(tmp) / "site", announce=False)
        pages = shard_pages(built.pages, shard)
        results = run_site(built.out, pages, browser=browser, jobs=jobs, timeout=timeout)
    report = CheckReport(
        results=results,
        seconds=time.perf_counter() - started,
        pages=len(pages),
        shard=shard,
    )
    if junit:
        write_junit(report, junit)
    return report
