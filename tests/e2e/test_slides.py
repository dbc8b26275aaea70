"""Slide decks (layout: slides) in Chromium: navigation, hash, cells, autorun, notes, print."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from ..sites import write
from .conftest import Served, serve_site
from .harness import output_of, run_cell, state_of, wait_finished

pytestmark = pytest.mark.e2e

F = "```"
DECK = f"""---
title: The deck
layout: slides
---

# Python in the room

{F}notes
Welcome everyone. Only the speaker sees this.
{F}

---

## Slide two

{F}python run autorun id=auto2
print("shown on slide two")
{F}

---

## Slide three

{F}python run id=three
sum(range(10))
{F}

---

## The end

{F}python run id=forever
while True:
    pass
{F}
"""


@pytest.fixture(scope="module")
def a_deck(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("deck")
    site = write(
        work / "site",
        {"index.md": "# Course\n\nSee [the deck](deck.md).\n", "deck.md": DECK},
    )
    yield from serve_site(site, work / "root")


def open_deck(page: Page, deck: Served, fragment: str = "") -> None:
    page.goto(deck.url("deck.html") + fragment)
    page.wait_for_selector("html[data-pypage-slides=ready]", state="attached")


def current_heading(page: Page) -> str:
    return page.inner_text(".reveal .slides > section.present :is(h1, h2)")


def test_keys_move_between_slides_and_the_url_follows(page: Page, a_deck: Served) -> None:
    open_deck(page, a_deck)
    assert current_heading(page).startswith("Python in the room")
    page.keyboard.press("ArrowRight")
    page.wait_for_url("**/deck.html#/1")
    assert current_heading(page).startswith("Slide two")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("location.hash === '' || location.hash === '#/0'")  # first slide
    assert current_heading(page).startswith("Python in the room")


def test_a_reload_keeps_the_slide(page: Page, a_deck: Served) -> None:
    open_deck(page, a_deck, "#/2")
    assert current_heading(page).startswith("Slide three")
    page.reload()
    page.wait_for_selector("html[data-pypage-slides=ready]", state="attached")
    assert current_heading(page).startswith("Slide three")


def test_a_cell_runs_on_its_slide(page: Page, a_deck: Served) -> None:
    open_deck(page, a_deck, "#/2")
    assert run_cell(page, "three") == "done"
    assert output_of(page, "three") == "45\n"
    assert page.is_visible('[data-pypage-cell="three"] [data-pypage-output]')


def test_autorun_waits_for_its_slide_while_python_warms_up(page: Page, a_deck: Served) -> None:
    open_deck(page, a_deck)
    # Python starts loading on the title slide, without any cell being run ...
    page.wait_for_function("document.documentElement.dataset.pypage === 'ready'", timeout=60_000)
    # ... but the autorun cell on slide two has not run yet.
    assert state_of(page, "auto2") == "idle"
    page.keyboard.press("ArrowRight")
    assert wait_finished(page, "auto2") == "done"
    assert output_of(page, "auto2") == "shown on slide two\n"


def test_speaker_notes_are_not_shown_to_the_audience(page: Page, a_deck: Served) -> None:
    open_deck(page, a_deck)
    notes = page.locator("aside.notes")
    assert notes.count() == 1
    assert "Only the speaker sees this." in (notes.text_content() or "")
    assert not notes.is_visible()


def test_printing_shows_every_slide_with_its_output(page: Page, a_deck: Served) -> None:
    open_deck(page, a_deck, "#/2")
    run_cell(page, "three")
    page.emulate_media(media="print")
    for heading in ("Python in the room", "Slide two", "Slide three", "The end"):
        assert page.locator(f".reveal section :is(h1, h2):has-text('{heading}')").is_visible()
    assert page.is_visible('[data-pypage-cell="three"] [data-pypage-output]')
    assert not page.is_visible(".deck-bar")


def test_the_deck_is_a_page_of_the_site(page: Page, a_deck: Served) -> None:
    page.goto(a_deck.url("index.html"))
    page.click("article >> text=the deck")
    page.wait_for_selector("html[data-pypage-slides=ready]", state="attached")
    page.click(".deck-home")
    page.wait_for_url(a_deck.url("index.html"))
    assert page.is_visible(".site-nav >> text=The deck")


def test_the_speaker_view_shows_the_notes_and_a_timer(page: Page, a_deck: Served) -> None:
    open_deck(page, a_deck)
    with page.expect_popup() as opened:
        page.keyboard.press("s")
    speaker = opened.value
    speaker.wait_for_function(
        "document.body && document.body.innerText.includes('Only the speaker sees this.')",
        timeout=30_000,
    )
    assert speaker.locator(".speaker-controls-time").count() == 1
    speaker.close()


def test_stop_works_on_a_slide(page: Page, a_deck: Served) -> None:
    open_deck(page, a_deck, "#/3")
    page.click('[data-pypage-cell="forever"] [data-pypage-run]')
    page.wait_for_function(
        "document.querySelector('[data-pypage-cell=\"forever\"]').dataset.state === 'running'",
        timeout=60_000,
    )
    page.click('[data-pypage-cell="forever"] [data-pypage-run]')  # now labelled Stop
    assert wait_finished(page, "forever") == "error"
    assert "Python was restarted" in output_of(page, "forever")
    assert page.is_visible('[data-pypage-cell="forever"] [data-pypage-output]')
