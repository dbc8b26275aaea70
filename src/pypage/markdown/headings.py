"""markdown-it plugin: every heading gets an id that existing links already use.

Authors' links were written against GitHub (``used & usage`` → ``#used--usage``, repeats
``-1``) or MkDocs (``#used-usage``, repeats ``_1``, non-ASCII dropped). A heading's id is
GitHub's slug, and MkDocs' slug, when it differs, is an empty ``<span>`` inside it, so links of
both kinds land. ``{#id}`` (or ``{: #id .class}``) after the text sets the id; a MyST
``(label)=`` line before a block names it, for ``{ref}`` and for links.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from pypage.markdown.attributes import take_trailing

_GITHUB_DROP = re.compile(r"[^\w\- ]")
_MKDOCS_DROP = re.compile(r"[^\w\s-]")
_MKDOCS_JOIN = re.compile(r"[-\s]+")


def github_slug(text: str) -> str:
    return _GITHUB_DROP.sub("", text.lower()).replace(" ", "-")


def mkdocs_slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _MKDOCS_JOIN.sub("-", _MKDOCS_DROP.sub("", ascii_text).strip().lower())


def headings_plugin(md: MarkdownIt) -> None:
    """Records in the parser's env ``labels`` (label -> (id, title)) and ``headings`` (level,
    id, text), the text read before later rules (abbreviations) split it into markup."""
    from mdit_py_plugins.myst_blocks import myst_block_plugin

    md.use(myst_block_plugin)
    # Only its (label)= targets: a line starting with % or +++ means what it means in CommonMark.
    md.block.ruler.disable(["myst_line_comment", "myst_block_break"])
    md.core.ruler.after("inline", "pypage_headings", _ids)
    md.add_render_rule("heading_open", _render_heading_open)
    md.add_render_rule("heading_close", _render_heading_close)
    md.add_render_rule("myst_target", _render_target)
    md.add_render_rule("toc_marker", _render_toc)


def _ids(state: StateCore) -> None:
    _toc_markers(state.tokens)
    taken: set[str] = set()
    seen_github: dict[str, int] = {}
    seen_mkdocs: dict[str, int] = {}
    labels: dict[str, tuple[str, str]] = state.env.setdefault("labels", {})
    tokens = state.tokens
    pending: list[Token] = []  # (label)= lines waiting for the block they name
    for index, token in enumerate(tokens):
        if token.type == "myst_target":
            pending.append(token)
            continue
        if token.type != "heading_open":
            if pending and token.nesting >= 0 and token.level == pending[0].level:
                for target in pending:
                    labels.setdefault(target.content, (target.content, ""))
                pending = []
            continue
        inline = tokens[index + 1]
        explicit = take_trailing(token, inline)
        text = _heading_text(inline)
        if explicit:
            ident, aliases = explicit, []
        else:
            ident = _unique(github_slug(text) or "section", seen_github, "-", taken)
            alias = _unique(mkdocs_slug(text) or "section", seen_mkdocs, "_", taken)
            aliases = [alias] if alias != ident else []
        for target in pending:
            if target.content != ident:
                aliases.append(target.content)
            labels.setdefault(target.content, (target.content, text))
            target.meta["named"] = True  # the heading carries its id
        pending = []
        taken.update([ident, *aliases])
        token.attrSet("id", ident)
        state.env.setdefault("headings", []).append((int(token.tag[1]), ident, text))
        token.meta["aliases"] = aliases
    for target in pending:
        labels.setdefault(target.content, (target.content, ""))


def _toc_markers(tokens: list[Token]) -> None:
    """Python-Markdown's ``[TOC]``: a paragraph of only that becomes the page's contents."""
    for index in range(len(tokens) - 2):
        if (
            tokens[index].type == "paragraph_open"
            and tokens[index + 1].content.strip() == "[TOC]"
            and tokens[index + 2].type == "paragraph_close"
        ):
            tokens[index].type, tokens[index].tag = "toc_marker", ""
            tokens[index + 1].type, tokens[index + 1].children = "text", []
            tokens[index + 1].content = ""
            tokens[index + 2].type = "text"


def _render_toc(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    items = [
        f'<li class="toc-level-{level}"><a href="#{escape(ident)}">{escape(text)}</a></li>'
        for level, ident, text in env.get("headings", ())
        if level in (2, 3)
    ]
    return f'<nav class="page-toc" aria-label="Contents"><ul>\n{"".join(items)}</ul></nav>\n'


def _unique(slug: str, seen: dict[str, int], joiner: str, taken: set[str]) -> str:
    count = seen.get(slug)
    seen[slug] = 0 if count is None else count + 1
    if count is None and slug not in taken:
        return slug
    candidate = f"{slug}{joiner}{seen[slug] or 1}"
    while candidate in taken:
        seen[slug] += 1
        candidate = f"{slug}{joiner}{seen[slug]}"
    return candidate


def _heading_text(inline: Token) -> str:
    return "".join(
        child.content for child in inline.children or () if child.type in ("text", "code_inline")
    ).strip()


def _render_heading_open(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    token = tokens[idx]
    spans = "".join(
        f'<span id="{escape(alias)}"></span>' for alias in token.meta.get("aliases", ())
    )
    return str(self.renderToken(tokens, idx, options, env)) + spans


def _render_heading_close(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    ident = tokens[idx - 2].attrGet("id")  # heading_open, inline, heading_close
    anchor = f' <a class="header-anchor" href="#{escape(str(ident))}">#</a>' if ident else ""
    return f"{anchor}</{tokens[idx].tag}>\n"


def _render_target(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if token.meta.get("named"):
        return ""
    return f'<span id="{escape(token.content)}"></span>\n'
