"""Cells in a real browser: running, output, namespace, errors, streaming, queueing, keyboard."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Route

from pypage import interpreters

from .conftest import INTERPRETERS, Served, Traffic, serve_site
from .harness import output_of, run_cell, state_of, wait_finished

pytestmark = pytest.mark.e2e


def test_run_shows_output_and_the_page_reports_ready(page: Page, a_site: Served) -> None:
    page.goto(a_site.url())
    assert run_cell(page, "hello") == "done"
    assert output_of(page, "hello") == "Hello, pypage!\n"
    assert page.get_attribute("html", "data-pypage") == "ready"


def test_running_again_clears_the_output(page: Page, a_site: Served) -> None:
    page.goto(a_site.url())
    run_cell(page, "counter")
    assert output_of(page, "counter") == "run 1\n"
    run_cell(page, "counter")
    assert output_of(page, "counter") == "run 2\n"


def test_cells_share_one_namespace(page: Page, a_site: Served) -> None:
    page.goto(a_site.url())
    run_cell(page, "define")
    assert output_of(page, "define") == ""
    run_cell(page, "use")
    assert output_of(page, "use") == "42\n"


def test_the_value_of_a_last_expression_is_shown(page: Page, a_site: Served) -> None:
    page.goto(a_site.url())
    run_cell(page, "last-value")
    run_cell(page, "last-none")
    run_cell(page, "last-print")
    assert output_of(page, "last-value") == "['a', 'b', 'c']\n"
    assert output_of(page, "last-none") == ""
    assert output_of(page, "last-print") == "printed\n"


def test_top_level_await_works_on_pyodide_only(page: Page, a_site: Served) -> None:
    page.goto(a_site.url())
    state = run_cell(page, "awaiting")
    if a_site.interpreter == "pyodide":
        assert (state, output_of(page, "awaiting")) == ("done", "'awaited'\n")
    else:  # documented: MicroPython cells cannot await at the top level
        assert state == "error"
        assert "SyntaxError" in output_of(page, "awaiting")


def test_stderr_is_styled_apart(page: Page, a_site: Served) -> None:
    page.goto(a_site.url())
    run_cell(page, "stderr")
    spans = page.eval_on_selector_all(
        '[data-pypage-cell="stderr"] [data-pypage-output] > *',
        "els => els.map(e => [e.className, e.textContent, getComputedStyle(e).color])",
    )
    assert [(cls, text) for cls, text, _ in spans] == [
        ("stdout", "to stdout\n"),
        ("stderr", "to stderr\n"),
    ]
    assert spans[0][2] != spans[1][2]


def test_output_is_faithful_to_the_byte(page: Page, a_site: Served) -> None:
    page.goto(a_site.url())
    run_cell(page, "faithful")
    assert output_of(page, "faithful") == "a\tb  x  \n\n lead  two\n"


def test_traceback_shows_the_authors_frames_with_cell_lines(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("errors.html"))
    assert run_cell(page, "boom") == "error"
    text = output_of(page, "boom")
    assert text.startswith("Traceback (most recent call last):\n")
    assert '  File "<cell boom>", line 4, in <module>\n    outer()\n' in text
    assert '  File "<cell boom>", line 2, in outer\n    raise ValueError("boom")\n' in text
    assert "ValueError: boom\n" in text
    assert "_pypage_cell" not in text and "pyodide" not in text
    assert text.endswith("(cell 'boom' is at errors.md, line 5)\n")


def test_syntax_error_points_at_the_line(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("errors.html"))
    assert run_cell(page, "syntax") == "error"
    text = output_of(page, "syntax")
    if a_site.interpreter == "pyodide":
        assert '  File "<cell syntax>", line 2\n    if x\n' in text
        assert "SyntaxError: expected ':'" in text
        assert "Traceback" not in text
    else:  # MicroPython's own format, mapped to the cell
        assert '  File "<cell syntax>", line 2\n    if x\n' in text
        assert "SyntaxError: invalid syntax" in text
    assert text.endswith("(cell 'syntax' is at errors.md, line 12)\n")


def test_output_streams_while_the_cell_runs(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("streaming.html"))
    page.click('[data-pypage-cell="slow"] [data-pypage-run]')
    page.wait_for_function(
        """() => document.querySelector('[data-pypage-cell="slow"] [data-pypage-output]')
                 .textContent.includes("first")""",
        timeout=60_000,
    )
    # The first line is on the page while the cell still sleeps before printing the second.
    assert output_of(page, "slow") == "first\n"
    assert state_of(page, "slow") == "running"
    assert wait_finished(page, "slow") == "done"
    assert output_of(page, "slow") == "first\nsecond\n"


def test_a_flood_of_output_arrives_whole_in_few_nodes(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("streaming.html"))
    assert run_cell(page, "flood") == "done"
    text = output_of(page, "flood")
    assert text == "".join(f"{i}\n" for i in range(20_000))
    nodes = page.eval_on_selector(
        '[data-pypage-cell="flood"] [data-pypage-output]', "e => e.querySelectorAll('*').length"
    )
    assert nodes == 1  # chunks are appended to one text run, not one element per line
    # The page stayed responsive: a frame is still delivered promptly.
    assert page.evaluate("new Promise(r => requestAnimationFrame(() => r(true)))")


def test_printed_markup_is_text(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("escaping.html"))
    run_cell(page, "tags")
    assert output_of(page, "tags") == (
        "<b>bold?</b><script>window.pwned = 1</script><img src=x onerror='window.pwned = 2'>\n"
        "'<i>repr</i>'\n"
    )
    tags = page.eval_on_selector_all(
        '[data-pypage-cell="tags"] [data-pypage-output] *', "els => els.map(e => e.tagName)"
    )
    assert set(tags) == {"SPAN"}
    assert page.evaluate("window.pwned") is None


def test_autorun_runs_by_itself_after_hidden_setup(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("autorun.html"))
    assert wait_finished(page, "auto") == "done"
    assert output_of(page, "auto") == "ran by itself: from the hidden cell\n"
    assert state_of(page, "setup") == "done"
    assert not page.is_visible('[data-pypage-cell="setup"] code')
    assert not page.is_visible('[data-pypage-cell="setup"] [data-pypage-run]')


def test_hidden_setup_runs_before_the_first_cell_pressed(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("autorun.html"))
    assert run_cell(page, "after") == "done"
    assert output_of(page, "after") == "FROM THE HIDDEN CELL\n"


def test_cells_pressed_before_python_is_ready_are_queued_in_order(
    page: Page, a_site: Served
) -> None:
    # Hold the interpreter's wasm until both cells are pressed: MicroPython is otherwise ready
    # before a test can click. Only the first request is held: when the site's service worker
    # took control meanwhile, the file comes through it, which asks the HTTP cache first.
    held: list[Route] = []
    page.context.route("**/*.wasm", lambda route: route.continue_() if held else held.append(route))
    with page.context.expect_event("request", lambda r: r.url.endswith(".wasm")):
        page.goto(a_site.url("queue.html"))
        page.click('[data-pypage-cell="first"] [data-pypage-run]')
        page.click('[data-pypage-cell="second"] [data-pypage-run]')
    states = page.evaluate(
        """() => [document.documentElement.dataset.pypage,
                  ...[...document.querySelectorAll('[data-pypage-cell]')]
                      .map(c => c.dataset.state)]"""
    )
    assert states == ["loading", "queued", "queued"]
    (wasm,) = held
    wasm.continue_()
    assert wait_finished(page, "second") == "done"
    assert output_of(page, "second") == "['first', 'second']\n"


def test_interpreter_starts_only_after_first_paint(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("queue.html"))
    page.wait_for_function("document.documentElement.dataset.pypage === 'ready'", timeout=60_000)
    paint, start = page.evaluate(
        """() => [performance.getEntriesByName('first-contentful-paint')[0].startTime,
                  performance.getEntriesByName('pypage:start')[0].startTime]"""
    )
    assert start >= paint


def test_shift_enter_runs_the_focused_cell(page: Page, a_site: Served) -> None:
    page.goto(a_site.url())
    page.focus('[data-pypage-cell="hello"]')
    page.keyboard.press("Shift+Enter")
    assert wait_finished(page, "hello") == "done"
    assert output_of(page, "hello") == "Hello, pypage!\n"


def test_links_between_pages_work_under_a_sub_path(page: Page, a_site: Served) -> None:
    page.goto(a_site.url())
    page.click("text=the linked page")
    page.wait_for_url(a_site.url("sub/linked.html"))  # shown in place: no load to wait for
    page.wait_for_function("document.querySelector('h1')?.textContent.startsWith('Linked page')")
    page.click("article >> text=home")
    page.wait_for_url(a_site.url("index.html"))


def test_every_request_stays_on_the_sites_origin(
    page: Page, a_site: Served, traffic: Traffic
) -> None:
    page.goto(a_site.url())
    run_cell(page, "hello")
    assert traffic.requests
    assert all(url.startswith(a_site.url("")) for url in traffic.requests), traffic.requests
    files = interpreters.INTERPRETERS[a_site.interpreter].files
    (wasm,) = [file for file in files if file.endswith(".wasm")]
    assert [url for url in traffic.requests if url.endswith(".wasm")] == [
        next(u for u in traffic.requests if u.endswith(wasm))
    ]


def test_without_javascript_code_reads_and_no_button_shows(browser, a_site: Served) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(a_site.url())
        assert page.is_visible('[data-pypage-cell="hello"] code .nb')  # highlighted `print`
        assert not page.is_visible('[data-pypage-cell="hello"] [data-pypage-run]')
    finally:
        context.close()


@pytest.fixture(params=INTERPRETERS)
def a_broken_site(tmp_path, request: pytest.FixtureRequest) -> Iterator[Served]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.md").write_text(
        f"---\ninterpreter: {request.param}\n---\n\n```python run id=cell\nprint(1)\n```\n"
    )
    served = serve_site(site, tmp_path / "root", interpreter=request.param)
    running = next(served)
    (wasm,) = running.out.glob("_pypage/*/*.wasm")
    wasm.unlink()  # as if the host lost a file
    yield running
    served.close()


@pytest.mark.allow_console_errors
def test_a_runtime_that_fails_to_load_says_so_in_the_page(
    page: Page, a_broken_site: Served
) -> None:
    page.goto(a_broken_site.url())
    assert run_cell(page, "cell") == "error"
    assert page.get_attribute("html", "data-pypage") == "error"
    assert page.inner_text("[data-pypage-status]").startswith("Python failed to load:")
    assert output_of(page, "cell").startswith("Python failed to load, so this cell cannot run:")


@pytest.mark.allow_console_errors
def test_run_pressed_after_python_failed_to_load_still_answers(
    page: Page, a_broken_site: Served
) -> None:
    page.goto(a_broken_site.url())
    page.wait_for_selector("html[data-pypage=error]")  # Python starts once the page is idle
    assert run_cell(page, "cell") == "error"
    assert output_of(page, "cell").startswith("Python failed to load, so this cell cannot run:")
    assert run_cell(page, "cell") == "error"  # again: one message, not two
    assert output_of(page, "cell").count("Python failed to load") == 1


def test_sys_exit_ends_a_cell_and_only_a_failure_status_is_an_error(
    page: Page, a_site: Served
) -> None:
    page.goto(a_site.url("errors.html"))
    assert run_cell(page, "exit-ok") == "done"
    assert output_of(page, "exit-ok") == "before\n"
    assert run_cell(page, "exit-fail") == "error"
    assert output_of(page, "exit-fail").startswith("SystemExit: 3\n")


def test_a_value_after_a_semicolon_is_shown(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("errors.html"))
    run_cell(page, "semicolon")
    assert output_of(page, "semicolon") == "42\n"


def test_runaway_recursion_is_summarised(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("errors.html"))
    assert run_cell(page, "recursion") == "error"
    text = output_of(page, "recursion")
    assert "more times]" in text
    assert text.count('File "<cell recursion>", line 2, in down') <= 4
    assert "RecursionError" in text or "RuntimeError: maximum recursion depth" in text
