"""Containers' diagnostics; their HTML is in fixtures/containers.md."""

from __future__ import annotations

import pytest

from tests.unit.markdown.test_directives import parse

pytestmark = pytest.mark.unit


def test_a_cell_indented_one_step_too_far_is_a_located_warning() -> None:
    page, found = parse(
        "!!! note\n        ```python run\n        print(1)\n        ```\n\n"
        "Text above\n    ```python run\n    print(2)\n    ```\n"
    )
    assert page.cells == ()
    assert [d.format() for d in found] == [
        "index.md:2:9: warning: a python run fence inside an indented code block is not a cell\n"
        "    2 |         ```python run\n"
        "  hint: it is indented 4 spaces more than its place takes: inside an admonition or a "
        "tab, indent it 4 spaces like the text; at the top of the page, not at all",
        "index.md:7:5: warning: a python run fence inside a paragraph is not a cell\n"
        "    7 |     ```python run\n"
        "  hint: leave a blank line before the fence and indent it like the text around it",
    ]


def test_cells_in_containers_count_in_page_order() -> None:
    page, found = parse(
        '```python run\nprint(0)\n```\n\n=== "A"\n    ```python run\n    print(1)\n    ```\n\n'
        ":::{tip}\n```python run\nprint(2)\n```\n:::\n"
    )
    assert found == []
    assert [(c.id, c.code, c.line) for c in page.cells] == [
        ("cell-1", "print(0)\n", 1),
        ("cell-2", "print(1)\n", 6),
        ("cell-3", "print(2)\n", 11),
    ]


def test_an_admonition_directive_without_a_title_warns() -> None:
    page, found = parse("```{admonition}\nBody.\n```\n")
    assert '<p class="admonition-title">Note</p>' in page.html
    assert [(d.line, d.message) for d in found] == [
        (1, "an {admonition} needs a title: shown as 'Note'")
    ]


def test_a_formula_that_cannot_be_typeset_is_a_located_warning_and_shows_as_tex() -> None:
    page, found = parse("Fine $x$.\n\nBroken $\\left( x$ and odd $\\foo y$.\n")
    assert '<code class="math-error">\\left( x</code>' in page.html
    assert [(d.line, d.message) for d in found] == [
        (3, "cannot typeset the formula '\\left( x' (ExtraLeftOrMissingRightError): shown as TeX"),
        (3, "unknown TeX command \\foo in '\\foo y'"),
    ]
