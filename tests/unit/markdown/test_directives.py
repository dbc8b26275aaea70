"""MyST directives and roles: the registries that containers, math, includes and references fill."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from pypage.errors import Diagnostic
from pypage.markdown import directives, roles
from pypage.markdown.page import Page, parse_page
from pypage.sources import SiteSources, SourcePage, page_url

pytestmark = pytest.mark.unit

INDEX = SourcePage(
    path=Path("index.md"), rel=PurePosixPath("index.md"), url=page_url(PurePosixPath("index.md"))
)
SITE = SiteSources(pages=(INDEX,), copied=())


def parse(text: str) -> tuple[Page, list[Diagnostic]]:
    return parse_page(INDEX, text, site=SITE, shown_path="index.md")


def test_an_unknown_directive_stays_code_and_is_a_located_warning() -> None:
    page, found = parse("Intro.\n\n```{nothere} arg\nbody\n```\n")
    assert "<pre" in page.html and "body" in page.html
    assert [(d.line, d.severity) for d in found] == [(3, "warning")]
    assert "unknown directive '{nothere}'" in found[0].message


def test_a_container_directive_parses_its_body_like_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def box(directive: directives.Directive, state: StateCore) -> list[Token]:
        open_, close = Token("box_open", "div", 1), Token("box_close", "div", -1)
        open_.attrSet("data-arg", directive.argument)
        open_.attrSet("data-kind", directive.options.get("class", ""))
        return [open_, *directives.parse_body(state, directive.body, directive.body_line), close]

    monkeypatch.setitem(directives.DIRECTIVES, "box", box)
    text = (
        "::::{box} Outer\n:class: tip\n## Inside\n\n"
        ":::{box} Inner\n```python run\nprint(1)\n```\n:::\n::::\n"
    )
    page, found = parse(text)
    assert found == []
    assert page.html.count('data-arg="Outer"') == 1 and 'data-arg="Inner"' in page.html
    assert 'data-kind="tip"' in page.html
    assert [cell.line for cell in page.cells] == [6]  # located at its own line of the page
    assert [h.text for h in page.headings] == ["Inside"]


def test_roles_are_replaced_by_their_handlers_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    def shout(role: roles.Role, state: StateCore) -> list[Token]:
        token = Token("text", "", 0)
        token.content = role.content.upper()
        return [token]

    monkeypatch.setitem(roles.ROLES, "shout", shout)
    page, found = parse("Say {shout}`hello` and {whisper}`quiet`.\n")
    assert "Say HELLO and" in page.html
    assert [(d.line, d.severity) for d in found] == [(1, "warning")]
    assert "unknown role '{whisper}'" in found[0].message
