"""What `pypage check` concludes about a cell from what its page showed, without a browser."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pypage.browser.verdict import CellResult, Seen, judge, not_run, reached_outside, skipped
from pypage.markdown.cells import Cell

from .pages import a_cell, a_page

pytestmark = pytest.mark.unit

TRACEBACK = (
    'Traceback (most recent call last):\n  File "<cell c>", line 1, in <module>\nValueError: boom\n'
)


def verdict(cell: Cell, seen: Seen) -> CellResult:
    return judge(a_page("index.md", cell), cell, seen, timeout=3, load_timeout=180)


def finished(state: str, *chunks: tuple[str, str]) -> Seen:
    return Seen(loaded=True, state=state, runtime="ready", chunks=chunks, seconds=0.25)


def test_output_as_expected_passes_and_keeps_what_was_printed() -> None:
    cell = a_cell("c", expected_output="2\n")
    result = verdict(cell, finished("done", ("stdout", "2\n"), ("notice", "Python ready")))
    assert (result.status, result.message) == ("passed", "")
    assert result.chunks == (("stdout", "2\n"),)  # the runtime's notices are not the cell's
    assert result.seconds == 0.25


def test_other_output_fails_with_a_diff() -> None:
    result = verdict(a_cell("c", expected_output="3\n"), finished("done", ("stdout", "three\n")))
    assert result.status == "failed"
    assert result.message == "printed something other than its expected output"
    assert result.detail == "--- expected\n+++ printed\n@@ -1 +1 @@\n-3\n+three\n"


def test_stderr_counts_as_printed_and_display_does_not() -> None:
    cell = a_cell("c", expected_output="out\nerr\n")
    seen = finished("done", ("stdout", "out\n"), ("display", "<svg/>"), ("stderr", "err\n"))
    assert verdict(cell, seen).status == "passed"


def test_whitespace_counts_unless_the_output_block_says_otherwise() -> None:
    seen = finished("done", ("stdout", "a   b\n"))
    assert verdict(a_cell("c", expected_output="a b\n"), seen).status == "failed"
    loose = a_cell("c", expected_output="a b", normalize_whitespace=True)
    assert verdict(loose, seen).status == "passed"


def test_a_cell_without_an_output_block_passes_whatever_it_prints() -> None:
    assert verdict(a_cell("c"), finished("done", ("stdout", "anything\n"))).status == "passed"


@pytest.mark.parametrize(
    ("expected", "traceback"),
    [
        ("ValueError", TRACEBACK),
        ("ValueError", "Traceback (most recent call last):\nmylib.ValueError: boom\n"),
        ("json.JSONDecodeError", "Traceback (most recent call last):\nJSONDecodeError: x\n"),
    ],
)
def test_the_expected_exception_passes(expected: str, traceback: str) -> None:
    result = verdict(a_cell("c", raises=expected), finished("error", ("error", traceback)))
    assert (result.status, result.message) == ("passed", "")


def test_another_exception_than_expected_fails_with_its_traceback() -> None:
    result = verdict(a_cell("c", raises="KeyError"), finished("error", ("error", TRACEBACK)))
    assert (result.status, result.message) == ("failed", "raised ValueError instead of KeyError")
    assert result.detail == TRACEBACK


def test_no_exception_where_one_was_expected_fails() -> None:
    result = verdict(a_cell("c", raises="KeyError"), finished("done"))
    assert result.status == "failed"
    assert result.message == "was expected to raise KeyError but finished without error"


def test_an_unexpected_exception_fails_with_its_last_line_and_traceback() -> None:
    result = verdict(a_cell("c", expected_output=""), finished("error", ("error", TRACEBACK)))
    assert (result.status, result.message) == ("failed", "raised ValueError: boom")
    assert result.detail == TRACEBACK
    assert not result.stopped_page  # the next cells still run
    bare = verdict(a_cell("c"), finished("error"))
    assert bare.message == "raised an error"


def test_a_cell_that_did_not_finish_stops_the_page() -> None:
    seen = Seen(loaded=True, state="running", runtime="ready", chunks=(("stdout", "1\n"),))
    result = verdict(a_cell("c"), seen)
    assert (result.status, result.message) == ("failed", "did not finish within 3 s")
    assert result.stopped_page
    assert result.chunks == ()  # a partial output is not recorded as the cell's


def test_python_that_did_not_load_in_time_stops_the_page() -> None:
    result = verdict(a_cell("c"), Seen(loaded=False))
    assert result.status == "failed"
    assert result.message == "could not run: Python did not load within 180 s"
    assert result.stopped_page


def test_python_that_failed_to_load_reports_the_pages_notice() -> None:
    seen = Seen(
        loaded=True,
        state="error",
        runtime="error",
        chunks=(("notice", "Python could not load: 404 for micropython.wasm\n"),),
    )
    result = verdict(a_cell("c"), seen)
    assert result.message == "could not run: Python could not load: 404 for micropython.wasm"
    assert result.stopped_page


def test_skipped_not_run_and_outside_hosts() -> None:
    spin, after = a_cell("spin", skip_check=True), a_cell("after")
    page = a_page("index.md", spin, after)
    assert skipped(page, spin).status == "skipped"
    assert not_run(page, after, stopped_by=spin).message == (
        "was not run: the earlier cell 'spin' stopped the page"
    )
    outside = reached_outside(page, spin, "https://example.org/logo.png")
    assert (outside.status, outside.message) == (
        "failed",
        "ran on a page that requested another host: https://example.org/logo.png",
    )


def test_a_failure_names_the_cells_line_and_indents_its_detail() -> None:
    result = verdict(a_cell("c", line=12), finished("error", ("error", TRACEBACK)))
    assert result.format() == (
        "site/index.md:12: error: cell 'c' raised ValueError: boom\n"
        "    Traceback (most recent call last):\n"
        '      File "<cell c>", line 1, in <module>\n'
        "    ValueError: boom"
    )


def test_the_drawn_markup_is_kept_for_build_execute_also_when_the_cell_fails() -> None:
    drawn = '<span class="traceback" data-kind="error">ValueError: boom\n</span>'
    seen = Seen(loaded=True, state="error", runtime="ready", chunks=(("error", TRACEBACK),))
    result = verdict(a_cell("c", raises="ValueError"), replace(seen, markup=drawn))
    assert (result.status, result.markup) == ("passed", drawn)
    assert verdict(a_cell("c"), replace(seen, markup=drawn)).markup == drawn
