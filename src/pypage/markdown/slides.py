"""markdown-it plugin for slide decks: a page with ``layout: slides`` is split into slides at its
``---`` lines, and a ```notes block becomes the speaker notes of its slide (on any page it is kept
out of the audience's view)."""

from __future__ import annotations

import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

NOTES_LANG = "notes"


def slides_plugin(md: MarkdownIt) -> None:
    def _slides_rule(state: StateCore) -> None:
        slides = _layout(state.tokens) == "slides"
        tokens = []
        for token in state.tokens:
            if token.type == "fence" and token.info.split()[:1] == [NOTES_LANG]:
                tokens.append(
                    _html(f'<aside class="notes">\n{_render(md, token.content)}</aside>\n')
                )
            elif slides and _is_slide_break(token):
                tokens.append(_html("</section>\n<section>\n"))
            else:
                tokens.append(token)
        if slides:
            start = 1 if tokens and tokens[0].type == "front_matter" else 0
            tokens = [*tokens[:start], _html("<section>\n"), *tokens[start:], _html("</section>\n")]
        state.tokens = tokens

    md.core.ruler.push("pypage_slides", _slides_rule)


def _layout(tokens: list[Token]) -> object:
    """The front matter's layout; an invalid front matter is reported by parse.py, here it just
    means an ordinary page."""
    if not tokens or tokens[0].type != "front_matter" or "layout" not in tokens[0].content:
        return None  # most pages: no second YAML parse of their front matter
    try:
        meta = yaml.safe_load(tokens[0].content)
    except yaml.YAMLError:
        return None
    return meta.get("layout") if isinstance(meta, dict) else None


def _is_slide_break(token: Token) -> bool:
    # A line of dashes; *** and ___ stay rules within a slide. (markdown-it-py's markup for ---
    # is one dash longer than the line, so the character is compared, not the string.)
    return token.type == "hr" and set(token.markup) == {"-"}


def _html(content: str) -> Token:
    token = Token("html_block", "", 0)
    token.content = content
    return token


def _render(md: MarkdownIt, text: str) -> str:
    # Notes are plain Markdown; a parser of their own keeps the page's plugins (cells) out of them.
    notes = MarkdownIt("commonmark", {"html": md.options.get("html", False)})
    html: str = notes.render(text)  # render() is typed Any, for renderers that build other things
    return html
