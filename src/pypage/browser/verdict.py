"""What ``pypage check`` concludes about a cell from what the page showed: passed, failed (and
why, at the cell's line) or skipped. No browser here: the driver observes, this module judges."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from pypage.errors import Diagnostic
from pypage.markdown.cells import Cell
from pypage.markdown.page import Page

Chunk = tuple[str, str]  # (kind, text) as the runtime's output area holds them

FINISHED = ("done", "error")  # the cell states that end a run (the DOM contract's data-state)


@dataclass(frozen=True, kw_only=True)
class CellResult:
    page: Page
    cell: Cell
    status: str  # "passed", "failed" or "skipped"
    message: str = ""
    detail: str = ""
    chunks: tuple[Chunk, ...] = ()
    markup: str = ""  # its output area as the runtime drew it (what build --execute records)
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
class Seen:
    """One cell as the page showed it when the driver stopped waiting for it."""

    loaded: bool  # Python loaded (or failed to load) within the driver's limit
    state: str = ""  # the cell's data-state
    runtime: str = ""  # <html data-pypage>: "ready", or "error" when Python failed to load
    chunks: tuple[Chunk, ...] = ()  # its output area, the runtime's notices included
    markup: str = ""  # its output area's markup, without the notices
    seconds: float = 0.0  # from Python ready to the driver's last look


def judge(page: Page, cell: Cell, seen: Seen, *, timeout: float, load_timeout: float) -> CellResult:
    """Compare what a cell did with what its author said it should do."""
    if not seen.loaded:
        return CellResult(
            page=page,
            cell=cell,
            status="failed",
            stopped_page=True,
            message=f"could not run: Python did not load within {load_timeout:g} s",
        )
    if seen.state not in FINISHED:
        return CellResult(
            page=page,
            cell=cell,
            status="failed",
            message=f"did not finish within {timeout:g} s",
            stopped_page=True,
            seconds=seen.seconds,
        )
    chunks = tuple((kind, text) for kind, text in seen.chunks if kind != "notice")
    if seen.runtime == "error":
        notice = "".join(text for kind, text in seen.chunks if kind == "notice")
        return CellResult(
            page=page,
            cell=cell,
            status="failed",
            message=f"could not run: {notice.strip()}",
            stopped_page=True,
            seconds=seen.seconds,
        )
    passed = CellResult(
        page=page,
        cell=cell,
        status="passed",
        chunks=chunks,
        markup=seen.markup,
        seconds=seen.seconds,
    )
    traceback = "".join(text for kind, text in chunks if kind == "error")
    raised = _exception_name(traceback) if seen.state == "error" else None
    if cell.raises:
        if raised is None:
            return replace(
                passed,
                status="failed",
                message=f"was expected to raise {cell.raises} but finished without error",
            )
        if not _same_exception(raised, cell.raises):
            return replace(
                passed,
                status="failed",
                detail=traceback,
                message=f"raised {raised} instead of {cell.raises}",
            )
    elif seen.state == "error":
        last = traceback.strip().splitlines()[-1] if traceback.strip() else "an error"
        return replace(passed, status="failed", message=f"raised {last}", detail=traceback)
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
            return replace(
                passed,
                status="failed",
                message="printed something other than its expected output",
                detail="".join(diff),
            )
    return passed


def skipped(page: Page, cell: Cell) -> CellResult:
    """A ``skip-check`` cell: its author keeps it out of the check (a runaway loop on purpose)."""
    return CellResult(page=page, cell=cell, status="skipped")


def not_run(page: Page, cell: Cell, *, stopped_by: Cell) -> CellResult:
    return CellResult(
        page=page,
        cell=cell,
        status="failed",
        message=f"was not run: the earlier cell '{stopped_by.id}' stopped the page",
    )


def reached_outside(page: Page, cell: Cell, url: str) -> CellResult:
    """The page asked another host for ``url``: a site must work from its own origin alone."""
    return CellResult(
        page=page,
        cell=cell,
        status="failed",
        message=f"ran on a page that requested another host: {url}",
    )


def _exception_name(traceback: str) -> str | None:
    """'ValueError' from a traceback's last unindented line ('ValueError: boom')."""
    for line in reversed(traceback.strip().splitlines()):
        if line and not line.startswith(" "):
            return line.split(":", 1)[0].strip()
    return None


def _same_exception(raised: str, expected: str) -> bool:
    return raised == expected or raised.endswith("." + expected) or expected.endswith("." + raised)
