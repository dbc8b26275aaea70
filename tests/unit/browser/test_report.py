"""How `pypage check` tells its results: the summary, progress, and the JUnit XML file."""

from __future__ import annotations

import logging
from pathlib import Path
from xml.etree import ElementTree

import pytest

from pypage.browser.report import CheckReport, Progress, write_junit
from pypage.browser.verdict import CellResult

from .pages import a_cell, a_page

pytestmark = pytest.mark.unit

OK, WRONG, SPIN = a_cell("ok", line=3), a_cell("wrong", line=9), a_cell("spin", line=15)
INDEX = a_page("index.md", OK, WRONG)
LOOPS = a_page("guide/loops.md", SPIN)
RESULTS = (
    CellResult(page=INDEX, cell=OK, status="passed", seconds=0.5),
    CellResult(
        page=INDEX,
        cell=WRONG,
        status="failed",
        message="printed something other than its expected output",
        detail="-3\n+three\n",
        seconds=0.25,
    ),
    CellResult(page=LOOPS, cell=SPIN, status="skipped"),
)
A_REPORT = CheckReport(results=RESULTS, seconds=2.5, pages=2)


def test_the_summary_counts_cells_pages_and_verdicts() -> None:
    assert A_REPORT.summary() == (
        "Checked 3 cells on 2 pages in 2.5 s: 1 passed, 1 failed, 1 skipped"
    )
    one = CheckReport(results=RESULTS[:1], seconds=0.04, pages=1)
    assert one.summary() == "Checked 1 cell on 1 page in 0.0 s: 1 passed, 0 failed"


def test_junit_has_a_case_per_cell_with_its_failure(tmp_path: Path) -> None:
    path = tmp_path / "reports" / "check.xml"
    write_junit(A_REPORT, path)
    assert path.read_text(encoding="utf-8").startswith("<?xml version='1.0' encoding='utf-8'?>")
    suite = ElementTree.parse(path).getroot()
    assert (suite.tag, suite.attrib) == (
        "testsuite",
        {"name": "pypage check", "tests": "3", "failures": "1", "skipped": "1", "time": "2.500"},
    )
    cases = [(case.get("classname"), case.get("name"), case.get("time")) for case in suite]
    assert cases == [
        ("site/index.md", "ok (line 3)", "0.500"),
        ("site/index.md", "wrong (line 9)", "0.250"),
        ("site/guide/loops.md", "spin (line 15)", "0.000"),
    ]
    passed, failed, skipped = suite
    assert list(passed) == []
    (failure,) = failed
    assert (failure.tag, failure.text) == ("failure", "-3\n+three\n")
    assert failure.get("message") == (
        "site/index.md:9: error: cell 'wrong' printed something other than its expected output"
    )
    (skip,) = skipped
    assert (skip.tag, skip.attrib) == ("skipped", {"message": "skip-check"})


def test_progress_off_a_terminal_is_a_plain_line_per_page(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pypage")
    progress = Progress(total=2)  # capsys' stderr is not a terminal
    progress.advance(INDEX, RESULTS[:2])
    progress.advance(LOOPS, RESULTS[2:])
    progress.close()
    assert caplog.messages == [
        "checked site/index.md: 2 cells, 1 failed",
        "checked site/guide/loops.md: 1 cells, ok",
    ]
    assert capsys.readouterr().err == ""


def test_progress_on_a_terminal_is_one_bar_redrawn(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pypage")
    progress = Progress(total=2, enabled=True)
    progress.advance(INDEX, RESULTS[:2])
    progress.advance(LOOPS, RESULTS[2:])
    progress.close()
    assert capsys.readouterr().err == (
        f"\r[{'#' * 15}{'.' * 15}] 1/2 pages, 1 failing cells"
        f"\r[{'#' * 30}] 2/2 pages, 1 failing cells\n"
    )
    assert caplog.messages == []
