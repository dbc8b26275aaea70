"""Interactive cells in Chromium: the editor, saved edits, input(), time limits, the page toolbar
and stale marking, on both interpreters, as `pypage serve` serves a site (isolated) and as a
static host does (no headers: the service worker carries input() answers)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from pypage.site.build import build

from .conftest import INTERPRETERS, SUB_PATH, Served, serve_on, serve_site, site_store
from .harness import output_of, run_cell, state_of, wait_finished

pytestmark = pytest.mark.e2e

SITE = Path(__file__).parent / "interactive"


@pytest.fixture(scope="module", params=INTERPRETERS)
def site(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Served]:
    """Served like `pypage serve` serves it: COOP/COEP, so the page has SharedArrayBuffer."""
    yield from serve_on(SITE, request.param, tmp_path_factory, isolate=True)


def ready(page: Page) -> None:
    page.wait_for_function("document.documentElement.dataset.pypage === 'ready'", timeout=60_000)


def editors_ready(page: Page) -> None:
    """Reach for a cell (the editor loads then, not before); wait until every editor is there."""
    if page.evaluate("document.documentElement.dataset.pypageEditor") is None:
        page.focus("[data-pypage-cell] [data-pypage-run]")
        page.evaluate("document.activeElement.blur()")
    page.wait_for_function(
        "document.documentElement.dataset.pypageEditor === 'ready'", timeout=60_000
    )


def cell(name: str) -> str:
    return f'[data-pypage-cell="{name}"]'


def editor_text(page: Page, name: str) -> str:
    return page.eval_on_selector(
        f"{cell(name)} .cm-content",
        "e => [...e.querySelectorAll('.cm-line')].map(l => l.textContent).join('\\n')",
    )


def type_at_end(page: Page, name: str, text: str) -> None:
    page.click(f"{cell(name)} .cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def start(page: Page, name: str) -> None:
    page.click(f"{cell(name)} [data-pypage-run]")
    page.wait_for_function(
        "s => document.querySelector(s).dataset.state === 'running'", arg=cell(name)
    )


# Editing


def test_edit_and_run_then_reset(page: Page, site: Served) -> None:
    page.goto(site.url())
    editors_ready(page)
    assert page.locator(f"{cell('first')} pre.highlight").count() == 0  # the editor took over
    assert page.is_hidden(f"{cell('first')} [data-pypage-reset]")
    type_at_end(page, "first", '\nprint("edited")')
    assert page.is_visible(f"{cell('first')} [data-pypage-reset]")
    assert run_cell(page, "first") == "done"
    assert output_of(page, "first") == "x is 1\nedited\n"
    page.click(f"{cell('first')} [data-pypage-reset]")
    assert editor_text(page, "first") == 'x = 1\nprint("x is", x)'
    assert page.is_hidden(f"{cell('first')} [data-pypage-reset]")
    assert run_cell(page, "first") == "done"
    assert output_of(page, "first") == "x is 1\n"


def test_the_editor_indents_python_and_tab_indents(page: Page, site: Served) -> None:
    page.goto(site.url())
    editors_ready(page)
    type_at_end(page, "last", "\nfor i in range(2):\nprint(i)")
    # Enter after the colon indented the next line by four spaces.
    assert editor_text(page, "last").endswith("for i in range(2):\n    print(i)")
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    assert editor_text(page, "last").endswith("for i in range(2):\n        print(i)")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Enter")
    assert wait_finished(page, "last") == "done"
    assert output_of(page, "last") == "last ran\n0\n1\n"


def test_readonly_cells_keep_their_code_and_run(page: Page, site: Served) -> None:
    page.goto(site.url())
    editors_ready(page)
    assert page.locator(f"{cell('frozen')} .cm-editor").count() == 0
    assert page.locator(f"{cell('frozen')} [data-pypage-reset]").count() == 0
    assert page.locator(f"{cell('frozen')} pre.highlight .nb").count()  # highlighted
    assert run_cell(page, "frozen") == "done"
    assert output_of(page, "frozen") == "read only\n"


def test_edits_survive_a_reload(page: Page, site: Served) -> None:
    page.goto(site.url())
    editors_ready(page)
    type_at_end(page, "second", "\nprint('mine')")
    page.reload()
    # Shown before the editor loads, and what runs.
    assert page.inner_text(f"{cell('second')} .pypage-code").rstrip().endswith("print('mine')")
    editors_ready(page)
    assert editor_text(page, "second").endswith("print('mine')")
    assert page.locator("[data-pypage-edit-notice]").count() == 0
    run_cell(page, "first")
    run_cell(page, "second")
    assert output_of(page, "second") == "x + 1 is 2\nmine\n"
    page.click(f"{cell('second')} [data-pypage-reset]")
    page.reload()
    editors_ready(page)
    assert "mine" not in editor_text(page, "second")


def test_an_edit_of_a_changed_cell_is_out_of_date(browser: Browser, tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(SITE, source)
    served = serve_site(source, tmp_path / "root", isolate=True)
    site = next(served)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(site.url())
        editors_ready(page)
        type_at_end(page, "first", "\ny = 'reader'")
        type_at_end(page, "second", "\nz = 'reader too'")
        # The author changes both cells and rebuilds.
        index = source / "index.md"
        index.write_text(
            index.read_text()
            .replace('print("x is", x)', 'print("x was", x)')
            .replace('print("x + 1 is", x + 1)', 'print("x + 1 was", x + 1)')
        )
        build(source, tmp_path / "root" / SUB_PATH)
        page.reload()
        assert page.locator("[data-pypage-edit-notice]").count() == 2
        editors_ready(page)
        # Keep: the reader's version stays, and the question is not asked again.
        page.click(f"{cell('first')} [data-pypage-keep]")
        assert "y = 'reader'" in editor_text(page, "first")
        assert 'print("x is", x)' in editor_text(page, "first")
        # Take the new version: the author's code replaces the edit.
        page.click(f"{cell('second')} [data-pypage-take-new]")
        assert editor_text(page, "second") == 'print("x + 1 was", x + 1)'
        page.reload()
        editors_ready(page)
        assert page.locator("[data-pypage-edit-notice]").count() == 0
        assert "y = 'reader'" in editor_text(page, "first")
        assert editor_text(page, "second") == 'print("x + 1 was", x + 1)'
    finally:
        context.close()
        served.close()


def test_the_editor_loads_when_the_reader_reaches_for_the_code(
    page: Page, site: Served, traffic
) -> None:
    page.goto(site.url())
    ready(page)
    # Once Python answered, the service worker keeps the editor's files for later visits...
    page.wait_for_function(
        "['ready', 'partial'].includes(document.documentElement.dataset.pypageOffline)",
        timeout=60_000,
    )
    kept = page.evaluate(
        "async name => (await (await caches.open(name)).keys()).map(r => r.url)",
        site_store("assets"),
    )
    assert any(url.endswith("/editor.js") for url in kept)
    assert any("/vendor/codemirror/codemirror-view.js" in url for url in kept)
    # ...but the page itself neither fetched nor ran them: a reader who only reads never pays.
    assert [url for url in traffic.requests if "/codemirror/" in url] == []
    assert page.evaluate("document.documentElement.dataset.pypageEditor") is None
    assert page.locator(".cm-editor").count() == 0
    assert page.locator(f"{cell('first')} pre.highlight .nb").count()  # highlighted meanwhile
    page.click(f"{cell('first')} .pypage-code")
    page.wait_for_function("document.documentElement.dataset.pypageEditor === 'ready'")
    assert [url for url in traffic.requests if "/vendor/codemirror/" in url]
    # The click that loaded the editor leaves the caret in it.
    page.wait_for_function("document.activeElement.classList.contains('cm-content')")
    focused = "document.activeElement.closest('[data-pypage-cell]').dataset.pypageCell"
    assert page.evaluate(focused) == "first"


def test_editor_colours_follow_the_reader_dark_setting(browser: Browser, site: Served) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(site.url())
        editors_ready(page)
        # Highlighting follows the parse, which CodeMirror may finish in a later frame.
        page.wait_for_selector(f"{cell('first')} .tok-string")
        colours[scheme] = page.eval_on_selector(
            f"{cell('last')} .cm-content", "e => getComputedStyle(e.closest('.cm-editor')).color"
        ) + page.eval_on_selector(f"{cell('first')} .tok-string", "e => getComputedStyle(e).color")
        context.close()
    assert colours["light"] != colours["dark"]


def test_a_cell_is_usable_with_the_keyboard_alone(page: Page, site: Served) -> None:
    page.goto(site.url())
    ready(page)
    page.focus(cell("first"))  # cells are focusable; Tab reaches them in order
    editors_ready(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('cm-content')")
    page.keyboard.press("Control+End")
    page.keyboard.type("\nprint('keys')")
    page.keyboard.press("Shift+Enter")
    assert wait_finished(page, "first") == "done"
    assert output_of(page, "first") == "x is 1\nkeys\n"
    # Tab indents inside the editor; Escape then Tab leaves it, to the cell's Run button.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('cm-content')")
    assert editor_text(page, "first").endswith("    print('keys')")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.hasAttribute('data-pypage-run')")
    page.keyboard.press("Enter")
    assert wait_finished(page, "first") == "done"
    page.keyboard.press("Tab")  # then Reset, shown because the code was edited
    assert page.evaluate("document.activeElement.hasAttribute('data-pypage-reset')")
    page.keyboard.press("Enter")
    assert "keys" not in editor_text(page, "first")


# input()


def test_input_asks_in_the_page_and_the_cell_continues(page: Page, site: Served) -> None:
    page.on("dialog", lambda dialog: pytest.fail(f"a browser dialog opened: {dialog.message}"))
    page.goto(site.url("input.html"))
    editors_ready(page)  # nothing moves under the pointer afterwards
    start(page, "ask")
    field = f"{cell('ask')} [data-pypage-input]"
    page.wait_for_selector(field)
    assert page.evaluate("document.activeElement.hasAttribute('data-pypage-input')")
    assert output_of(page, "ask") == "Your name? "
    page.keyboard.type("Ada <b>")
    page.keyboard.press("Enter")
    assert wait_finished(page, "ask") == "done"
    assert output_of(page, "ask") == "Your name? Ada <b>\nHello, Ada <b>!\n"
    assert page.locator(f"{cell('ask')} [data-pypage-output] b").count() == 0
    # Two questions in a row, one without a prompt.
    start(page, "twice")
    for answer in ("1", "2"):
        page.wait_for_selector(f"{cell('twice')} [data-pypage-input]")
        page.fill(f"{cell('twice')} [data-pypage-input]", answer)
        page.press(f"{cell('twice')} [data-pypage-input]", "Enter")
    assert wait_finished(page, "twice") == "done"
    assert output_of(page, "twice") == "a? 1\n2\n12\n"


def test_stop_while_input_waits(page: Page, site: Served) -> None:
    page.goto(site.url("input.html"))
    editors_ready(page)  # nothing moves under the pointer afterwards
    start(page, "ask")
    page.wait_for_selector(f"{cell('ask')} [data-pypage-input]")
    began = time.perf_counter()
    page.click(f"{cell('ask')} [data-pypage-run]")
    assert wait_finished(page, "ask") == "error"
    assert time.perf_counter() - began < 1.0  # no restart needed
    text = output_of(page, "ask")
    assert "KeyboardInterrupt" in text and "restarted" not in text
    assert "_pypage_cell" not in text  # the traceback ends at the author's line
    assert page.locator(f"{cell('ask')} [data-pypage-input]").count() == 0
    start(page, "ask")  # Python is still there and asks again
    page.fill(f"{cell('ask')} [data-pypage-input]", "Bo")
    page.press(f"{cell('ask')} [data-pypage-input]", "Enter")
    assert wait_finished(page, "ask") == "done"


def test_input_does_not_take_focus_from_a_reader_typing_elsewhere(page: Page, site: Served) -> None:
    page.goto(site.url("input.html"))
    editors_ready(page)
    page.click(f"{cell('twice')} .cm-content")  # the reader is editing another cell
    page.eval_on_selector(f"{cell('ask')} [data-pypage-run]", "b => b.click()")
    page.wait_for_selector(f"{cell('ask')} [data-pypage-input]")
    assert (
        page.evaluate("document.activeElement.closest('[data-pypage-cell]').dataset.pypageCell")
        == "twice"
    )
    page.fill(f"{cell('ask')} [data-pypage-input]", "x")
    page.press(f"{cell('ask')} [data-pypage-input]", "Enter")
    assert wait_finished(page, "ask") == "done"


def test_the_time_limit_pauses_while_input_waits(page: Page, site: Served) -> None:
    page.goto(site.url("input.html"))
    editors_ready(page)
    start(page, "patient")
    field = f"{cell('patient')} [data-pypage-input]"
    page.wait_for_selector(field)
    # The scenario itself: a reader who thinks for longer than the cell's 1 s limit.
    page.wait_for_timeout(1500)
    assert state_of(page, "patient") == "running"
    page.fill(field, "yes")
    page.press(field, "Enter")
    assert wait_finished(page, "patient") == "done"
    assert output_of(page, "patient") == "Take your time: yes\ngot yes\n"


# Time limits and stopping


def test_a_cell_over_its_time_limit_is_stopped(page: Page, site: Served) -> None:
    page.goto(site.url("limits.html"))
    run_cell(page, "setup")
    began = time.perf_counter()
    assert run_cell(page, "spin") == "error"
    assert 1.0 <= time.perf_counter() - began < 10
    assert "this cell may run for 1 s" in output_of(page, "spin")
    if site.interpreter == "pyodide":  # interrupted: the variables are kept
        assert "KeyboardInterrupt" in output_of(page, "spin")
        assert run_cell(page, "uses") == "done"
        assert output_of(page, "uses") == "42\n"


def test_an_interrupted_cell_slow_to_unwind_is_not_restarted(page: Page, site: Served) -> None:
    """Python took the interrupt (its `finally` runs for 2.5 s), so the page waits instead of
    restarting after its first 1.5 s grace period; MicroPython, with no interrupt, restarts."""
    page.goto(site.url("limits.html"))
    run_cell(page, "setup")
    assert run_cell(page, "tidy") == "error"
    text = output_of(page, "tidy")
    assert "this cell may run for 1 s" in text
    if site.interpreter == "pyodide":
        assert "KeyboardInterrupt" in text and "Python was restarted" not in text
        assert state_of(page, "setup") == "done"
    else:
        assert "Python was restarted" in text


def test_a_forced_restart_offers_to_run_the_cells_above(page: Page, site: Served) -> None:
    page.goto(site.url("limits.html"))
    run_cell(page, "setup")
    assert run_cell(page, "hog") == "error"  # the cell ignores the interrupt: restart
    text = output_of(page, "hog")
    assert "this cell may run for 1 s" in text and "Python was restarted" in text
    assert state_of(page, "setup") == "idle"  # its variables are gone with the old Python
    page.click(f"{cell('hog')} button:has-text('Run all above')")
    assert wait_finished(page, "setup") == "done"
    assert run_cell(page, "uses") == "done"
    assert output_of(page, "uses") == "42\n"


# The page toolbar and stale cells


def test_run_all_stops_at_the_first_error(page: Page, site: Served) -> None:
    page.goto(site.url())
    page.click("[data-pypage-run-all]")
    assert wait_finished(page, "fails") == "error"
    assert state_of(page, "first") == "done" and state_of(page, "second") == "done"
    assert output_of(page, "second") == "x + 1 is 2\n"
    assert state_of(page, "last") == "idle"
    assert "Not run: cell 'fails' above failed" in output_of(page, "last")


def test_restart_and_clear_outputs(page: Page, site: Served) -> None:
    page.goto(site.url())
    run_cell(page, "first")
    page.click("[data-pypage-restart]")
    assert state_of(page, "first") == "idle"
    assert output_of(page, "first") == "x is 1\n"  # outputs stay; their state marker goes
    ready(page)
    assert run_cell(page, "second") == "error"  # a fresh Python: x is gone
    assert "NameError" in output_of(page, "second")
    page.click("[data-pypage-clear]")
    assert output_of(page, "first") == "" and output_of(page, "second") == ""
    assert state_of(page, "second") == "idle"


def test_cells_below_an_edited_cell_are_stale(page: Page, site: Served) -> None:
    page.goto(site.url())
    editors_ready(page)
    for name in ("first", "second", "last"):
        run_cell(page, name)
    assert page.locator("[data-stale]").count() == 0
    type_at_end(page, "second", "\ny = 2")
    stale = page.eval_on_selector_all("[data-stale]", "s => s.map(c => c.dataset.pypageCell)")
    assert stale == ["last"]  # below the edit, and it had run; `fails` never ran
    assert page.is_visible(f"{cell('last')} [data-pypage-stale]")
    run_cell(page, "last")
    assert page.locator("[data-stale]").count() == 0


# A static host: no isolation headers (GitHub Pages)


@pytest.fixture(scope="module")
def static_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve_site(SITE, tmp_path_factory.mktemp("interactive-static"))


def test_input_on_a_static_host_goes_through_the_service_worker(
    page: Page, static_site: Served
) -> None:
    page.goto(static_site.url("input.html"))
    editors_ready(page)
    assert page.evaluate("crossOriginIsolated") is False
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    start(page, "ask")
    page.fill(f"{cell('ask')} [data-pypage-input]", "Grace")
    page.press(f"{cell('ask')} [data-pypage-input]", "Enter")
    assert wait_finished(page, "ask") == "done"
    assert output_of(page, "ask") == "Your name? Grace\nHello, Grace!\n"
    # Stop during input() needs no restart either.
    start(page, "ask")
    page.wait_for_selector(f"{cell('ask')} [data-pypage-input]")
    page.click(f"{cell('ask')} [data-pypage-run]")
    assert wait_finished(page, "ask") == "error"
    assert "KeyboardInterrupt" in output_of(page, "ask")


def test_input_without_any_channel_says_what_to_do(browser: Browser, static_site: Served) -> None:
    context = browser.new_context(service_workers="block")
    page = context.new_page()
    try:
        page.goto(static_site.url("input.html"))
        assert run_cell(page, "ask") == "error"
        text = output_of(page, "ask")
        assert "EOFError: input() cannot reach this page yet: reload the page once" in text
    finally:
        context.close()
