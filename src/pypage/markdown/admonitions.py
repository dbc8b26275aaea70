"""markdown-it plugin: admonitions, written three ways, drawn one way.

MkDocs (``!!! note "Title"``, collapsible ``???`` / ``???+``, through mdit-py-plugins' admon),
MyST directives (```` ```{note} ````, ```` ```{admonition} Title ```` with ``:class:``,
```` ```{dropdown} ````, backtick or ``:::`` fences) and GitHub alerts (``> [!NOTE]``,
markdown-it-py's own) all become the same tokens, rendered as ``<div class="admonition KIND"
role="note">`` with a ``<p class="admonition-title">``, or as ``<details>`` with a ``<summary>``
when the reader can fold them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.admon import admon_plugin

from pypage.markdown.directives import DIRECTIVES, Directive, parse_body

# MyST's (and docutils') admonition directives, with the title each shows.
KINDS = {
    "note": "Note",
    "tip": "Tip",
    "hint": "Hint",
    "important": "Important",
    "warning": "Warning",
    "caution": "Caution",
    "danger": "Danger",
    "error": "Error",
    "attention": "Attention",
    "seealso": "See also",
}
_CLASS = re.compile(r"[^\w-]")


def admonitions_plugin(md: MarkdownIt) -> None:
    md.use(admon_plugin)
    md.options["alerts"] = True  # GitHub's > [!NOTE], built into markdown-it-py's blockquote
    md.core.ruler.after("block", "pypage_admonitions", _normalise)
    md.add_render_rule("admonition_open", _render_open)
    md.add_render_rule("admonition_close", _render_close)
    md.add_render_rule("admonition_title_open", _render_title_open)
    md.add_render_rule("admonition_title_close", _render_title_close)
    for name in KINDS:
        DIRECTIVES[name] = _kind_directive
    DIRECTIVES["admonition"] = _admonition_directive
    DIRECTIVES["dropdown"] = _dropdown_directive


def _normalise(state: StateCore) -> None:
    """Alerts become admonitions; each admonition's tokens learn whether it folds."""
    stack: list[Token] = []
    for token in state.tokens:
        if token.type.startswith("alert_"):
            kind = str(token.meta.get("kind") or (stack[-1].meta["tag"] if stack else "note"))
            token.type = token.type.replace("alert_", "admonition_", 1)
            if token.type == "admonition_open":
                token.meta = {"tag": kind.lower(), "classes": [kind.lower()]}
        if token.type == "admonition_open":
            token.meta.setdefault("fold", _fold(token.markup))
            token.meta.setdefault("classes", _classes(token))
            stack.append(token)
        elif token.type.startswith("admonition_") and stack:
            token.meta["fold"] = stack[-1].meta["fold"]
            if token.type == "admonition_close":
                stack.pop()


def _fold(markup: str) -> str | None:
    if markup.startswith("?"):
        return "open" if markup.endswith("+") else "closed"
    return None


def _classes(token: Token) -> list[str]:
    names = str(token.attrGet("class") or "").split()
    skip = {"admonition", "is-collapsible", "collapsible-open", "collapsible-closed"}
    return [name for name in names if name not in skip]


def _render_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    classes = " ".join(["admonition", *(_CLASS.sub("", c) for c in token.meta["classes"])])
    extra = "".join(f' {escape(k)}="{escape(str(v))}"' for k, v in token.attrs.items() if k == "id")
    fold = token.meta.get("fold")
    if fold is None:
        return f'<div class="{classes}" role="note"{extra}>\n'
    opened = " open" if fold == "open" else ""
    summary = ""
    if not _has_title(tokens, idx):  # a <details> needs a <summary> to be opened at all
        summary = f'<summary class="admonition-title">{escape(_kind_title(token))}</summary>\n'
    return f'<details class="{classes}"{extra}{opened}>\n{summary}'


def _render_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "</details>\n" if tokens[idx].meta.get("fold") else "</div>\n"


def _render_title_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    tag = "summary" if tokens[idx].meta.get("fold") else "p"
    return f'<{tag} class="admonition-title">'


def _render_title_close(
    self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
) -> str:
    return "</summary>\n" if tokens[idx].meta.get("fold") else "</p>\n"


def _has_title(tokens: Sequence[Token], idx: int) -> bool:
    return idx + 1 < len(tokens) and tokens[idx + 1].type == "admonition_title_open"


def _kind_title(token: Token) -> str:
    tag = str(token.meta.get("tag") or "note")
    return KINDS.get(tag, tag.title())


# MyST directives -------------------------------------------------------------------------------


def _kind_directive(directive: Directive, state: StateCore) -> list[Token]:
    # docutils: text on the directive's line is the start of the body, not a title.
    body, first = directive.body, directive.body_line
    if directive.argument:
        body, first = directive.argument + "\n" + body, directive.line - 1
    return _admonition(
        directive, state, kind=directive.name, title=KINDS[directive.name], body=(body, first)
    )


def _admonition_directive(directive: Directive, state: StateCore) -> list[Token]:
    title = directive.argument
    if not title:
        state.env["report"](
            directive.line,
            1,
            "an {admonition} needs a title: shown as 'Note'",
            hint="write the title after the name, e.g. ```{admonition} Before you start",
            severity="warning",
        )
    # Its :class: (warning, tip, …) gives its colour; without one it looks like a note.
    return _admonition(directive, state, kind="", title=title or "Note")


def _dropdown_directive(directive: Directive, state: StateCore) -> list[Token]:
    fold = "open" if "open" in directive.options else "closed"
    return _admonition(
        directive, state, kind="dropdown", title=directive.argument or "Details", fold=fold
    )


def _admonition(
    directive: Directive,
    state: StateCore,
    *,
    kind: str,
    title: str,
    fold: str | None = None,
    body: tuple[str, int] | None = None,
) -> list[Token]:
    extra = directive.options.get("class", "").split()
    line = directive.token.map or [0, 0]
    opening = Token("admonition_open", "div", 1)
    opening.block = True
    opening.map = list(line)
    opening.meta = {"tag": kind, "classes": [c for c in (kind, *extra) if c], "fold": fold}
    if name := directive.options.get("name"):
        opening.attrSet("id", name)
    title_open = Token("admonition_title_open", "p", 1, meta={"fold": fold})
    inline = Token("inline", "", 0, content=title, map=[line[0], line[0] + 1], children=[])
    title_close = Token("admonition_title_close", "p", -1, meta={"fold": fold})
    closing = Token("admonition_close", "div", -1, meta={"fold": fold})
    closing.block = True
    text, first = body or (directive.body, directive.body_line)
    return [opening, title_open, inline, title_close, *parse_body(state, text, first), closing]
