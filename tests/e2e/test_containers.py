"""Containers and math in Chromium: cells inside tabs and admonitions run, tabs follow the ARIA
pattern by keyboard, every panel shows without JavaScript, and formulas are laid out as MathML."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Route

from ..sites import write
from .conftest import Served, _is_loopback, serve_site
from .harness import output_of, run_cell

pytestmark = pytest.mark.e2e

F = "```"
LESSON = f"""# Division

!!! note "Two kinds of division"
    Python has both; try them.

    {F}python run id=in-note
    print("inside the note", 7 % 3)
    {F}

=== "Integers"

    Floor division drops the fraction.

    {F}python run id=floor
    print(7 // 2)
    {F}

=== "Floats"

    ## True division

    {F}python run id=true
    print(7 / 2)
    {F}

=== "Both"

    Compare them.

The mean is $\\bar{{x}} = \\frac{{1}}{{n}}\\sum_{{i=1}}^{{n}} x_i$, and as a display:

$$
\\frac{{a+b}}{{2}}
$$

[Jump to true division](#true-division)
"""


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("containers")
    site = write(work / "site", {"index.md": LESSON})
    yield from serve_site(site, work / "root")


def open_lesson(page: Page, lesson: Served, fragment: str = "") -> None:
    page.goto(lesson.url() + fragment)
    page.wait_for_selector("[data-pypage-tabs][data-enhanced]", state="attached")


def test_a_cell_in_an_admonition_and_one_in_a_later_tab_run(page: Page, lesson: Served) -> None:
    open_lesson(page, lesson)
    assert run_cell(page, "in-note") == "done"
    assert output_of(page, "in-note") == "inside the note 1\n"
    page.get_by_role("tab", name="Floats").click()
    assert run_cell(page, "true") == "done"
    assert output_of(page, "true") == "3.5\n"


def test_tabs_move_by_keyboard_with_one_panel_shown(page: Page, lesson: Served) -> None:
    open_lesson(page, lesson)
    tabs = page.get_by_role("tab")
    assert tabs.all_inner_texts() == ["Integers", "Floats", "Both"]
    assert page.get_by_role("tabpanel").count() == 1  # hidden panels leave the a11y tree
    tabs.first.focus()
    page.keyboard.press("ArrowRight")
    floats = page.get_by_role("tab", name="Floats")
    assert floats.get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.textContent") == "Floats"
    assert page.is_visible("#tabs-1-2") and not page.is_visible("#tabs-1-1")
    page.keyboard.press("End")
    assert page.get_by_role("tab", name="Both").get_attribute("aria-selected") == "true"
    page.keyboard.press("ArrowRight")  # wraps around
    assert tabs.first.get_attribute("aria-selected") == "true"
    assert tabs.first.get_attribute("tabindex") == "0"
    assert floats.get_attribute("tabindex") == "-1"
    panel = page.get_by_role("tabpanel")
    assert panel.get_attribute("aria-labelledby") == tabs.first.get_attribute("id")


def test_a_link_to_a_heading_in_a_hidden_tab_opens_it(page: Page, lesson: Served) -> None:
    open_lesson(page, lesson, "#true-division")
    assert page.get_by_role("tab", name="Floats").get_attribute("aria-selected") == "true"
    assert page.is_visible("#true-division")
    open_lesson(page, lesson)
    page.click("text=Jump to true division")
    page.wait_for_selector("#true-division", state="visible")


def test_formulas_are_laid_out_not_shown_as_tex(page: Page, lesson: Served) -> None:
    open_lesson(page, lesson)
    assert "\\frac" not in page.inner_text("article")
    inline = page.locator("p math").first
    box = inline.bounding_box()
    assert box is not None and box["width"] > 40
    # A fraction is laid out as a fraction: its numerator sits above its denominator.
    numerator, denominator = (
        page.locator(".math-block mfrac > *").nth(i).bounding_box() for i in (0, 1)
    )
    assert numerator is not None and denominator is not None
    assert numerator["y"] + numerator["height"] <= denominator["y"] + 1


def test_without_javascript_every_panel_shows_under_its_label(
    browser: Browser, lesson: Served
) -> None:
    context = browser.new_context(java_script_enabled=False)
    blocked: list[str] = []

    def guard(route: Route) -> None:
        if _is_loopback(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.goto(lesson.url())
    for panel, label in (("#tabs-1-1", "Integers"), ("#tabs-1-2", "Floats"), ("#tabs-1-3", "Both")):
        assert page.is_visible(panel)
        assert page.inner_text(f"{panel} > .tab-label") == label
    assert page.get_by_role("tab").count() == 0
    context.close()
    assert blocked == []
