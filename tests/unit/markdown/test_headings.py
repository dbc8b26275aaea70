"""Heading ids as GitHub and MkDocs make them, so links written for either keep working."""

from __future__ import annotations

import pytest

from pypage.markdown.headings import github_slug, mkdocs_slug
from tests.unit.markdown.test_directives import parse

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "github", "mkdocs"),
    [
        ("Used & usage", "used--usage", "used-usage"),
        (
            "You gotta understand values",
            "you-gotta-understand-values",
            "you-gotta-understand-values",
        ),
        ("Café au lait 🎉", "café-au-lait-", "cafe-au-lait"),
        ("snake_case and CamelCase", "snake_case-and-camelcase", "snake_case-and-camelcase"),
        ("What's `len()`?", "whats-len", "whats-len"),
    ],
)
def test_slugs(text: str, github: str, mkdocs: str) -> None:
    assert (github_slug(text), mkdocs_slug(text)) == (github, mkdocs)


def test_every_level_has_an_id_and_repeats_are_numbered_both_ways() -> None:
    page, _ = parse("# A\n\n## B\n\n###### Deep\n\n## B\n")
    assert '<h6 id="deep">' in page.html
    assert '<h2 id="b-1"><span id="b_1"></span>B' in page.html
    assert {"a", "b", "deep", "b-1", "b_1"} <= page.anchors


def test_explicit_ids_and_myst_targets_name_headings_and_blocks() -> None:
    page, _ = parse("## Setup {#install .wide}\n\n(first-loop)=\n## Loops\n\n(para)=\nText.\n")
    assert '<h2 id="install" class="wide">Setup <a' in page.html
    assert '<h2 id="loops"><span id="first-loop"></span>Loops' in page.html
    assert '<span id="para"></span>\n<p>Text.</p>' in page.html
    assert dict(page.labels) == {"first-loop": ("first-loop", "Loops"), "para": ("para", "")}


def test_an_abbreviation_in_a_heading_stays_in_its_toc_entry() -> None:
    page, _ = parse("[TOC]\n\n## The HTML spec\n\n*[HTML]: Hypertext Markup Language\n")
    assert [h.text for h in page.headings] == ["The HTML spec"]
    assert '<a href="#the-html-spec">The HTML spec</a>' in page.html
