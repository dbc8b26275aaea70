"""``pypage check``: run every cell of a built site in headless Chromium, the runtime readers
actually use, and report each cell that fails or prints something other than it should."""

from __future__ import annotations

import asyncio
import difflib
import logging
import shutil
import sys
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pypage.errors import Diagnostic, PypageError
from pypage.markdown.cells import Cell
from pypage.markdown.page import Page
from pypage.serve.server import make_server

log = logging.getLogger(__name__)

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

Chunk = tuple[str, str]  # (kind, text) as the runtime's output area holds them


@dataclass(frozen=True, kw_only=True)
class CellResult:
    page: Page
    cell: Cell
    status: str  # "passed", "failed" or "skipped"
    message: str = ""
    detail: str = ""
    chunks: tuple[Chunk, ...] = ()
    seconds: float = 0.0
    stopped_page: bool = False  # the page's interpreter cannot run further cells

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(
            path=self.page.shown_path,
            line=self.cell.line,
            message=f"cell '{self.cell.id}' {self.message}",
            hint=None,
        )

    def format(self) -> str:
        text = self.diagnostic().format()
        if self.detail:
            text += "\n" + "".join(f"    {line}\n" for line in self.detail.splitlines()).rstrip()
        return text


@dataclass(frozen=True, kw_only=True)
class CheckReport:
    results: tuple[CellResult, ...]
    seconds: float
    pages: int

    @property
    def failures(self) -> list[CellResult]:
        return [r for r in self.results if r.status == "failed"]

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def summary(self) -> str:
        skipped = self.count("skipped")
        cells, pages = len(self.results), self.pages
        return (
            f"Checked {cells} cell{'s' * (cells != 1)} on {pages} page{'s' * (pages != 1)} "
            f"in {self.seconds:.1f} s: "
            f"{self.count('passed')} passed, {len(self.failures)} failed"
            + (f", {skipped} skipped" if skipped else "")
        )


def find_browser(path: str | None) -> str | None:
    """The Chromium to drive: ``--browser``, else one on PATH, else Playwright's own (None)."""
    if path:
        found = shutil.which(path) or (path if Path(path).is_file() else None)
        if not found:
            raise PypageError(
                Diagnostic(
                    message=f"no browser at '{path}'",
                    hint="give the path of a Chromium or Chrome executable",
                )
            )
        return found
    for name in _SYSTEM_BROWSERS:
        if found := shutil.which(name):
            return found
    return None


def run_site(
    out: Path,
    pages: Sequence[Page],
    *,
    browser: str | None = None,
    jobs: int = 2,
    timeout: float = 60.0,
    progress: bool | None = None,
) -> tuple[CellResult, ...]:
    """Open each page of the built site ``out`` that has cells and run them all in order."""
    pages = [page for page in pages if page.cells]
    if not pages:
        return ()
    show = sys.stderr.isatty() if progress is None else progress
    with _serving(out) as base:
        return _in_own_thread(
            lambda: _run_pages(
                base,
                pages,
                browser=find_browser(browser),
                jobs=jobs,
                timeout=timeout,
                progress=show,
            )
        )


def _in_own_thread[T](make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a fresh event loop in its own thread: the caller may already be inside
    an event loop (a notebook, or a test driving sync Playwright), where asyncio.run() refuses."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(make())
        except BaseException as error:  # re-raised in the caller's thread
            outcome["error"] = error

    thread = threading.Thread(target=target, name="pypage-check")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@contextmanager
def _serving(out: Path) -> Iterator[str]:
    server = make_server(out, isolate=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


async def _run_pages(
    base: str,
    pages: Sequence[Page],
    *,
    browser: str | None,
    jobs: int,
    timeout: float,
    progress: bool,
) -> tuple[CellResult, ...]:
    from playwright.async_api import async_playwright

    bar = _Progress(total=len(pages), enabled=progress)
    waiting: asyncio.Queue[Page] = asyncio.Queue()
    for page in pages:
        waiting.put_nowait(page)
    async with async_playwright() as playwright:
        try:
            # Outside hosts do not resolve: a page that needs one fails, as it would offline.
            # (A route() guard would also disable the HTTP cache that lets each job load the
            # interpreter once rather than once per page.)
            chromium = await playwright.chromium.launch(
                executable_path=browser, args=[*CHROMIUM_ARGS, _LOOPBACK_ONLY]
            )
        except Exception as exc:  # Playwright's own browser may not be installed
            raise PypageError(
                Diagnostic(
                    message=f"could not start Chromium: {str(exc).splitlines()[0]}",
                    hint="install Chromium (e.g. apt-get install chromium) or pass --browser PATH",
                )
            ) from None

        done: dict[int, list[CellResult]] = {}

        async def job() -> None:
            # One context per job: its pages share an HTTP cache, each page gets a fresh tab.
            context = await chromium.new_context()
            try:
                while not waiting.empty():
                    page = waiting.get_nowait()
                    done[id(page)] = results = await _run_page(context, base, page, timeout)
                    bar.advance(page, results)
            finally:
                await context.close()

        try:
            await asyncio.gather(*(job() for _ in range(max(1, min(jobs, len(pages))))))
        finally:
            await chromium.close()
    bar.close()
    return tuple(result for page in pages for result in done.get(id(page), []))


_LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"


async def _run_page(context, base: str, page: Page, timeout: float) -> list[CellResult]:  # type: ignore[no-untyped-def]
    outside: list[str] = []

    def watch(request) -> None:  # type: ignore[no-untyped-def]
        url = request.url
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost") and not url.startswith(
            ("data:", "blob:")
        ):
            outside.append(url)

    tab = await context.new_page()
    tab.on("request", watch)
    results: list[CellResult] = []
    try:
        await tab.goto(base + str(page.source.url))
        hung: Cell | None = None
        for cell in page.cells:
            if cell.skip_check:
                results.append(CellResult(page=page, cell=cell, status="skipped"))
                continue
            if hung is not None:
                results.append(
                    CellResult(
                        page=page,
                        cell=cell,
                        status="failed",
                        message=f"was not run: the earlier cell '{hung.id}' stopped the page",
                    )
                )
                continue
            result = await _run_cell(tab, page, cell, timeout)
            results.append(result)
            if result.stopped_page:
                hung = cell
    finally:
        await tab.close()
    if outside:
        first = results[0].cell if results else page.cells[0]
        results.append(
            CellResult(
                page=page,
                cell=first,
                status="failed",
                message=f"ran on a page that requested another host: {outside[0]}",
            )
        )
    return results


# A cell that asks for input() gets an empty line, as if the reader pressed Enter at once.
_STATE = """id => {
  const cell = document.querySelector(`[data-pypage-cell="${CSS.escape(id)}"]`);
  const field = cell.querySelector("[data-pypage-input]");
  if (field) field.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true}));
  return ["done", "error"].includes(cell.dataset.state)
}"""

_PRESS = """id => {
  const cell = document.querySelector(`[data-pypage-cell="${CSS.escape(id)}"]`);
  if (!["queued", "running", "done", "error"].includes(cell.dataset.state))
    cell.querySelector("[data-pypage-run]").click();
}"""

_LOADED = """() => ["ready", "error"].includes(document.documentElement.dataset.pypage)"""

# Loading the interpreter is not the cell's time: it gets its own, generous limit.
LOAD_TIMEOUT = 180.0

_COLLECT = """id => {
  const cell = document.querySelector(`[data-pypage-cell="${CSS.escape(id)}"]`);
  const out = cell.querySelector("[data-pypage-output]");
  // What the reader typed for input() reads as part of the transcript, as in a terminal.
  const chunks = [...out.children].filter(s => s.dataset.kind).map(s => [
    s.dataset.kind === "input" ? "stdout" : s.dataset.kind, s.dataset.bundle ?? s.textContent]);
  return [cell.dataset.state, chunks, document.documentElement.dataset.pypage];
}"""


async def _run_cell(tab, page: Page, cell: Cell, timeout: float) -> CellResult:  # type: ignore[no-untyped-def]
    # Cells already run (autorun, hidden setup) are not pressed again: their first run counts.
    await tab.evaluate(_PRESS, cell.id)
    try:
        await tab.wait_for_function(_LOADED, timeout=LOAD_TIMEOUT * 1000)
    except Exception:  # Playwright's TimeoutError
        return CellResult(
            page=page,
            cell=cell,
            status="failed",
            stopped_page=True,
            message=f"could not run: Python did not load within {LOAD_TIMEOUT:g} s",
        )
    started = time.perf_counter()
    try:
        await tab.wait_for_function(_STATE, arg=cell.id, timeout=timeout * 1000)
    except Exception:  # Playwright's TimeoutError
        return CellResult(
            page=page,
            cell=cell,
            status="failed",
            message=f"did not finish within {timeout:g} s",
            stopped_page=True,
            seconds=time.perf_counter() - started,
        )
    state, raw, runtime = await tab.evaluate(_COLLECT, cell.id)
    chunks = tuple((kind, text) for kind, text in raw if kind != "notice")
    seconds = time.perf_counter() - started
    if runtime == "error":
        notice = "".join(text for kind, text in raw if kind == "notice")
        return CellResult(
            page=page,
            cell=cell,
            status="failed",
            message=f"could not run: {notice.strip()}",
            stopped_page=True,
            seconds=seconds,
        )
    return judge(page, cell, state, chunks, seconds)


def judge(
    page: Page, cell: Cell, state: str, chunks: tuple[Chunk, ...], seconds: float
) -> CellResult:
    """Compare what a cell did with what its author said it should do."""
    common = {"page": page, "cell": cell, "chunks": chunks, "seconds": seconds}
    traceback = "".join(text for kind, text in chunks if kind == "error")
    raised = _exception_name(traceback) if state == "error" else None
    if cell.raises:
        if raised is None:
            return CellResult(
                **common,
                status="failed",
                message=f"was expected to raise {cell.raises} but finished without error",
            )
        if not _same_exception(raised, cell.raises):
            return CellResult(
                **common,
                status="failed",
                detail=traceback,
                message=f"raised {raised} instead of {cell.raises}",
            )
    elif state == "error":
        last = traceback.strip().splitlines()[-1] if traceback.strip() else "an error"
        return CellResult(**common, status="failed", message=f"raised {last}", detail=traceback)
    if cell.expected_output is not None:
        # Rich output (display) is not text: an output block states what is printed.
        printed = "".join(text for kind, text in chunks if kind not in ("error", "display"))
        expected = cell.expected_output
        if cell.normalize_whitespace:
            same = " ".join(printed.split()) == " ".join(expected.split())
        else:
            same = printed == expected
        if not same:
            diff = difflib.unified_diff(
                expected.splitlines(keepends=True),
                printed.splitlines(keepends=True),
                "expected",
                "printed",
            )
            return CellResult(
                **common,
                status="failed",
                message="printed something other than its expected output",
                detail="".join(diff),
            )
    return CellResult(**common, status="passed")


def _exception_name(traceback: str) -> str | None:
    """'ValueError' from a traceback's last unindented line ('ValueError: boom')."""
    for line in reversed(traceback.strip().splitlines()):
        if line and not line.startswith(" "):
            return line.split(":", 1)[0].strip()
    return None


def _same_exception(raised: str, expected: str) -> bool:
    return raised == expected or raised.endswith("." + expected) or expected.endswith("." + raised)


@dataclass
class _Progress:
    """A bar on a terminal; one plain line per page elsewhere (CI logs)."""

    total: int
    enabled: bool
    done: int = 0
    failed: int = 0
    started: float = field(default_factory=time.perf_counter)

    def advance(self, page: Page, results: Sequence[CellResult]) -> None:
        self.done += 1
        failed = sum(1 for r in results if r.status == "failed")
        self.failed += failed
        if self.enabled:
            width = 30
            filled = width * self.done // self.total
            sys.stderr.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} pages"
                f"{f', {self.failed} failing cells' if self.failed else ''}"
            )
            sys.stderr.flush()
        else:
            verdict = f"{failed} failed" if failed else "ok"
            log.info("checked %s: %d cells, %s", page.shown_path, len(results), verdict)

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def write_junit(report: CheckReport, path: Path) -> None:
    from xml.etree import ElementTree as ET

    suite = ET.Element(
        "testsuite",
        name="pypage check",
        tests=str(len(report.results)),
        failures=str(len(report.failures)),
        skipped=str(report.count("skipped")),
        time=f"{report.seconds:.3f}",
    )
    for result in report.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=result.page.shown_path,
            name=f"{result.cell.id} (line {result.cell.line})",
            time=f"{result.seconds:.3f}",
        )
        if result.status == "failed":
            failure = ET.SubElement(case, "failure", message=result.diagnostic().format())
            failure.text = result.detail or None
        elif result.status == "skipped":
            ET.SubElement(case, "skipped", message="skip-check")
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


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
