"""Links whose target is only known once every page is read: MyST ``{ref}`label` ``,
``{doc}`path` `` and ``[text](label)``, and every link's ``#fragment``.

A page records what it points at (``Link``, ``Reference``) and writes a placeholder URL,
``pypage-ref:KIND:TARGET``; the build, holding every page's ids and labels, checks the links and
fills the placeholders in (pypage.site.crossrefs).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

# Pages cached by an unchanged rebuild hold Links and References: this module must load without
# the parser.
if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

    from pypage.markdown.roles import Role

PLACEHOLDER = "pypage-ref:"
TITLE = "<!--pypage-ref-title-->"  # where a reference without text shows its target's title
_EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>\s*$", re.DOTALL)  # {ref}`text <label>`


@dataclass(frozen=True, kw_only=True)
class Link:
    """An internal link with a fragment, to check against the target page's ids."""

    line: int
    col: int
    source_line: str
    url: str  # as written
    target: str  # the target page's site path
    fragment: str


@dataclass(frozen=True, kw_only=True)
class Reference:
    kind: str  # "label" (a MyST label or an id) or "doc" (a page, for its title)
    target: str
    line: int
    col: int
    source_line: str

    @property
    def placeholder(self) -> str:
        return f"{PLACEHOLDER}{self.kind}:{self.target}"


def references_plugin(md: MarkdownIt) -> None:
    from pypage.markdown.roles import ROLES

    ROLES["ref"] = _ref_role
    ROLES["doc"] = _doc_role
    ROLES["numref"] = _ref_role  # no numbered figures: it links like {ref}


def record(state: StateCore, kind: str, target: str, line: int, col: int = 1) -> Reference:
    lines: list[str] = state.env.setdefault("lines", state.src.splitlines())
    reference = Reference(
        kind=kind,
        target=target,
        line=line,
        col=col,
        source_line=lines[line - 1] if 0 < line <= len(lines) else "",
    )
    state.env.setdefault("references", []).append(reference)
    return reference


def _split(content: str) -> tuple[str, str]:
    match = _EXPLICIT.match(content)
    return (match.group(1), match.group(2).strip()) if match else ("", content.strip())


def _ref_role(role: Role, state: StateCore) -> list[Token]:
    text, label = _split(role.content)
    return _link(record(state, "label", label, role.line), text)


def _doc_role(role: Role, state: StateCore) -> list[Token]:
    text, path = _split(role.content)
    page: PurePosixPath = state.env["page"]
    target = PurePosixPath(path.lstrip("/")) if path.startswith("/") else page.parent / path
    if target.suffix.lower() != ".md":
        target = target.with_name(target.name + ".md")
    return _link(record(state, "doc", _normal(target), role.line), text)


def _normal(path: PurePosixPath) -> str:
    return posixpath.normpath(str(path))


def _link(reference: Reference, text: str) -> list[Token]:
    from markdown_it.token import Token

    opening = Token("link_open", "a", 1, attrs={"href": reference.placeholder})
    inner = (
        Token("text", "", 0, content=text) if text else Token("html_inline", "", 0, content=TITLE)
    )
    return [opening, inner, Token("link_close", "a", -1)]
