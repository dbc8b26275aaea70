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
) -> CheckReport:
    """Build ``site`` into a temporary folder and run all its cells; raises on any failure."""
    import tempfile

    from pypage.site.build import build

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pypage-check-") as tmp:
        built = build(site, Path(tmp) / "site", announce=False)
        results = run_site(built.out, built.pages, browser=browser, jobs=jobs, timeout=timeout)
    report = CheckReport(
        results=results,
        seconds=time.perf_counter() - started,
        pages=sum(1 for page in built.pages if page.cells),
    )
    if junit:
        write_junit(report, junit)
    return report
