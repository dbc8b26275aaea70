"""Rich output: the display protocol, images, HTML in a sandbox, order, clear, async routing, and
output recorded by ``pypage build --execute`` drawn as a live run draws it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from pypage.browser.execute import build_executed
from pypage.site.host import serving

from .conftest import SITE, SUB_PATH, Served, Traffic
from .harness import output_of, run_cell

pytestmark = pytest.mark.e2e

OUTPUT = '[data-pypage-cell="{}"] [data-pypage-output]'


def children(page: Page, cell: str) -> list[tuple[str, str]]:
    pairs = page.eval_on_selector_all(
        OUTPUT.format(cell) + " > *", "els => els.map(e => [e.dataset.kind, e.textContent])"
    )
    return [(kind, text) for kind, text in pairs]


def frame_text(page: Page, cell: str) -> str:
    page.wait_for_function(
        """sel => { const f = document.querySelector(sel + " iframe");
                    return f && f.contentDocument && f.contentDocument.body
                      && f.contentDocument.body.innerText.length > 0 }""",
        arg=OUTPUT.format(cell),
    )
    return page.eval_on_selector(
        OUTPUT.format(cell) + " iframe", "f => f.contentDocument.body.innerHTML"
    )


@pytest.mark.allow_console_errors
def test_html_is_shown_in_a_sandbox_where_scripts_never_run(
    page: Page, a_site: Served, traffic: Traffic
) -> None:
    page.goto(a_site.url("rich.html"))
    assert run_cell(page, "html") == "done"
    assert "<th>n</th>" in frame_text(page, "html")
    sandbox = page.get_attribute(OUTPUT.format("html") + " iframe", "sandbox") or ""
    assert "allow-scripts" not in sandbox
    height = page.eval_on_selector(OUTPUT.format("html") + " iframe", "f => f.offsetHeight")
    assert height > 30  # sized to its content
    assert page.evaluate("window.pwned") is None
    # Chromium reports what the sandbox blocked, and the author's broken <img src=x>; only that.
    for message in traffic.console_errors:
        assert message.startswith("Blocked script execution in 'about:srcdoc'") or (
            "404" in message
        ), message
    assert any(m.startswith("Blocked script execution") for m in traffic.console_errors)


def test_svg_png_and_jpeg_become_images_with_alt_text(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("rich.html"))
    run_cell(page, "svg")
    run_cell(page, "png")
    svg = OUTPUT.format("svg") + " img"
    page.wait_for_function("sel => document.querySelector(sel).naturalWidth > 0", arg=svg)
    assert page.get_attribute(svg, "alt") == "Bars of 3, 7 and 2"
    assert (page.get_attribute(svg, "src") or "").startswith("data:image/svg+xml")
    png = OUTPUT.format("png") + " img"
    page.wait_for_function("sel => document.querySelector(sel).naturalWidth === 1", arg=png)
    assert page.get_attribute(png, "alt") == "a single dot"
    assert page.get_attribute(png, "width") == "20"
    run_cell(page, "jpeg")
    jpeg = OUTPUT.format("jpeg") + " img"
    page.wait_for_function("sel => document.querySelector(sel).naturalWidth === 2", arg=jpeg)
    assert page.get_attribute(jpeg, "alt") == "a red square"
    assert (page.get_attribute(jpeg, "src") or "").startswith("data:image/jpeg;base64,")


def test_markdown_json_bundles_and_the_repr_fallback(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("rich.html"))
    for cell in ("markdown", "json", "bundle", "plain"):
        assert run_cell(page, cell) == "done"
    assert "<strong>bold</strong>" in frame_text(page, "markdown")
    assert json.loads(output_of(page, "json")) == {"a": [1, 2]}
    assert "<em>from a bundle</em>" in frame_text(page, "bundle")
    assert children(page, "plain") == [("result", "Plain()\n")]


def test_text_and_rich_output_keep_their_order(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("rich.html"))
    run_cell(page, "mixed")
    assert [kind for kind, _ in children(page, "mixed")] == ["stdout", "display", "stdout"]
    assert [text for kind, text in children(page, "mixed") if kind == "stdout"] == [
        "before\n",
        "after\n",
    ]


def test_display_with_clear_replaces_the_output(page: Page, a_site: Served) -> None:
    page.goto(a_site.url("rich.html"))
    run_cell(page, "clear")
    assert children(page, "clear") == [("display", "'frame 2'\n")]


def test_output_of_an_asyncio_task_lands_in_the_cell_that_started_it(
    page: Page, a_site: Served
) -> None:
    if a_site.interpreter != "pyodide":
        pytest.skip("asyncio output routing is a Pyodide feature (documented)")
    page.goto(a_site.url("rich.html"))
    assert run_cell(page, "task") == "done"
    assert run_cell(page, "other") == "done"  # runs while the task is still sleeping
    page.wait_for_function(
        "sel => document.querySelector(sel).textContent.includes('from the task')"
        " && document.querySelector(sel + ' iframe')",
        arg=OUTPUT.format("task"),
    )
    assert output_of(page, "other") == "other\n"
    assert [kind for kind, _ in children(page, "task")] == ["stdout", "display"]
    assert "<b>late</b>" in frame_text(page, "task")


# A cell that `build --execute` does not run, so its ```output block is what the page shows first.
PRINTED = """
```python run id=printed skip-check
print("<b>not bold</b> & 'quoted'")
```

```output
<b>not bold</b> & 'quoted'
```
"""
# Every kind of output whose drawing does not depend on timing (not the asyncio task's).
SAME_MARKUP = ("html", "svg", "png", "jpeg", "markdown", "json", "bundle", "plain", "mixed")
SAME_MARKUP += ("clear", "printed")


@pytest.fixture(scope="module")
def an_executed_rich_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("executed-rich")
    site = work / "site"
    site.mkdir()
    (site / "rich.md").write_text((SITE / "rich.md").read_text() + PRINTED)
    out = build_executed(site, work / "root" / SUB_PATH).out
    with serving(work / "root", isolate=False) as base:
        yield Served(root=work / "root", base=base, out=out)


def markup(page: Page, cell: str) -> str:
    """The output area's content, once drawn (Markdown is drawn when marked has loaded). A frame's
    height is left out: each browser measures it (output.js and page.js fit it to its content).
    So are objects' addresses in the bundles' text/plain (``<Table object at 0x…>``): each run of
    Python has its own."""
    selector = OUTPUT.format(cell)
    page.wait_for_function(
        "sel => !document.querySelector(sel + ' > .display:empty')", arg=selector
    )
    drawn = page.eval_on_selector(
        selector,
        """out => { const copy = out.cloneNode(true);
                    copy.querySelectorAll("iframe").forEach((f) => f.removeAttribute("style"));
                    return copy.innerHTML }""",
    )
    return re.sub(r" at 0x[0-9a-f]+&gt;", " at 0x…&gt;", drawn)


@pytest.mark.allow_console_errors  # the html cell's blocked script, in both runs
def test_recorded_output_is_the_markup_a_live_run_draws(
    page: Page, an_executed_rich_page: Served
) -> None:
    page.goto(an_executed_rich_page.url("rich.html"))
    sources = {
        cell: page.get_attribute(OUTPUT.format(cell), "data-prerendered") for cell in SAME_MARKUP
    }
    assert sources == {cell: "expected" if cell == "printed" else "build" for cell in SAME_MARKUP}
    recorded = {cell: markup(page, cell) for cell in SAME_MARKUP}
    assert "&lt;b&gt;not bold&lt;/b&gt; &amp; 'quoted'" in recorded["printed"]
    # The recorded frame finds its stylesheet on the published site (under /repo/), not on the
    # local server the build ran it on.
    page.wait_for_function(
        """sel => { const doc = document.querySelector(sel + " iframe").contentDocument;
                    return [...(doc?.styleSheets ?? [])].some(
                      (sheet) => sheet.href?.endsWith("/frame.css") && sheet.cssRules.length) }""",
        arg=OUTPUT.format("html"),
    )
    for cell in SAME_MARKUP:
        assert run_cell(page, cell) == "done"
        assert markup(page, cell) == recorded[cell], cell
