"""markdown-it plugin: emoji shortcodes (``:tada:``, ``:+1:``) become the Unicode characters,
with GitHub's and MkDocs' names (the ``emoji`` package's aliases). Unknown names stay text."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

_SHORTCODE = re.compile(r":[a-z0-9_+-]+:")


def shortcodes_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "pypage_shortcodes", _emoji)


def _emoji(state: StateCore) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children or ":" not in block.content:
            continue
        for child in block.children:
            if child.type == "text" and _SHORTCODE.search(child.content):
                import emoji  # its table loads on the first page that may need it

                child.content = emoji.emojize(child.content, language="alias")
