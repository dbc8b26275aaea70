"""How ``pypage check`` tells its results: a progress bar on a terminal (plain lines in CI), the
summary line, and a JUnit XML file for CI systems."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pypage.browser.verdict import CellResult
from pypage.markdown.page import Page

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class CheckReport:
    results: tuple[CellResult, ...]
    seconds: float
    pages: int
    shard: tuple[int, int] | None = None  # (K, N): only the K-th of N parts of the pages

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
            + (f" (shard {self.shard[0]} of {self.shard[1]})" if self.shard else "")
        )


@dataclass
class Progress:
    """A bar on a terminal; one plain line per page elsewhere (CI logs). ``enabled=None``: a bar
    when stderr is a terminal."""

    total: int
    enabled: bool | None = None
    done: int = 0
    failed: int = 0

    def __post_init__(self) -> None:
        if self.enabled is None:
            self.enabled = sys.stderr.isatty()

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
