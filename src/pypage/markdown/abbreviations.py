"""markdown-it plugin: abbreviations as Python-Markdown's abbr writes them.

``*[HTML]: Hyper Text Markup Language`` lines (anywhere in the page, usually at its end) are
removed, and every whole-word ``HTML`` in the page's text becomes ``<abbr title="…">``.
"""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_DEFINITION = re.compile(r"^\*\[([^\]]+)\]:[ \t]*(.*?)[ \t]*$")


def abbreviations_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before(
        "reference", "pypage_abbreviation", _definitions, {"alt": ["paragraph", "reference"]}
    )
    md.core.ruler.after("inline", "pypage_abbreviations", _mark)


def _definitions(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if not state.src.startswith("*[", state.bMarks[start_line] + state.tShift[start_line]):
        return False
    if state.is_code_block(start_line):
        return False
    found: dict[str, str] = {}
    line = start_line
    while line < end_line:
        text = state.src[state.bMarks[line] + state.tShift[line] : state.eMarks[line]]
        match = _DEFINITION.match(text)
        if match is None:
            break
        found[match.group(1)] = match.group(2)
        line += 1
    if not found:
        return False
    if not silent:
        state.env.setdefault("abbreviations", {}).update(found)
        state.line = line
    return True


def _mark(state: StateCore) -> None:
    defined: dict[str, str] = state.env.get("abbreviations", {})
    if not defined:
        return
    words = sorted(defined, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + r")(?!\w)")
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        for child in block.children:
            if child.type != "text" or not pattern.search(child.content):
                children.append(child)
                continue
            last = 0
            for match in pattern.finditer(child.content):
                if match.start() > last:
                    children.append(
                        Token("text", "", 0, content=child.content[last : match.start()])
                    )
                word = match.group(1)
                markup = f'<abbr title="{escape(defined[word])}">{escape(word)}</abbr>'
                children.append(Token("html_inline", "", 0, content=markup))
                last = match.end()
            if last < len(child.content):
                children.append(Token("text", "", 0, content=child.content[last:]))
        block.children = children
