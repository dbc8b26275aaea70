"""markdown-it plugin: content tabs as MkDocs Material writes them (pymdownx.tabbed).

    === "Integers"

        Content indented by four spaces: cells, headings, admonitions, more tabs.

    === "Floats"

        ...

Consecutive tabs form one set; ``===+`` selects a tab, ``===!`` starts a new set. The HTML is
every panel in order, each with its label, so a page without JavaScript shows them all; the
theme's script turns a set into the ARIA tab pattern (a ``tablist`` of ``tab`` buttons,
``tabpanel`` regions, arrow keys).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

_TAB = re.compile(r'^(===[+!]?)[ \t]+"(.*)"[ \t]*$')
_INDENT = 4


def tabs_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before(
        "fence", "pypage_tabs", _tabs, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.add_render_rule("tabs_open", _render_set_open)
    md.add_render_rule("tabs_close", lambda *_: "</div>\n")
    md.add_render_rule("tab_open", _render_tab_open)
    md.add_render_rule("tab_close", lambda *_: "</div>\n")
    md.add_render_rule("tab_label_open", lambda *_: '<p class="tab-label">')
    md.add_render_rule("tab_label_close", lambda *_: "</p>\n")


def _marker(state: StateBlock, line: int) -> re.Match[str] | None:
    start = state.bMarks[line] + state.tShift[line]
    if not state.src.startswith("===", start):
        return None
    return _TAB.match(state.src[start : state.eMarks[line]])


def _tabs(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.is_code_block(start_line) or _marker(state, start_line) is None:
        return False
    if silent:
        return True
    number = state.env["tab_sets"] = state.env.get("tab_sets", 0) + 1
    indent = state.sCount[start_line]
    opening = state.push("tabs_open", "div", 1)
    opening.block = True
    opening.meta = {"set": number}
    opening.map = [start_line, start_line]
    line, tab, end = start_line, 0, start_line + 1
    while True:
        match = _marker(state, line)
        if match is None or (tab and match.group(1) == "===!"):
            break
        tab += 1
        end = line + 1
        while end < end_line and (state.isEmpty(end) or state.sCount[end] >= indent + _INDENT):
            end += 1
        panel = state.push("tab_open", "div", 1)
        panel.block = True
        panel.map = [line, end]
        panel.meta = {"id": f"tabs-{number}-{tab}", "selected": match.group(1) == "===+"}
        state.push("tab_label_open", "p", 1)
        label = state.push("inline", "", 0)
        label.content, label.map, label.children = match.group(2), [line, line + 1], []
        state.push("tab_label_close", "p", -1)
        old_indent, old_max = state.blkIndent, state.lineMax
        state.blkIndent, state.lineMax = indent + _INDENT, end
        state.md.block.tokenize(state, line + 1, end)
        state.blkIndent, state.lineMax = old_indent, old_max
        state.push("tab_close", "div", -1).block = True
        if end >= end_line or state.sCount[end] != indent:
            break
        line = end
    opening.map[1] = end
    state.push("tabs_close", "div", -1).block = True
    state.line = end
    return True


def _render_set_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return f'<div class="tabs" data-pypage-tabs id="tabs-{tokens[idx].meta["set"]}">\n'


def _render_tab_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    meta = tokens[idx].meta
    selected = " data-selected" if meta["selected"] else ""
    return f'<div class="tab-panel" id="{escape(meta["id"])}"{selected}>\n'
