"""markdown-it plugin: attribute lists as Python-Markdown's attr_list writes them.

``{: #id .class key="value"}`` (the colon is optional) at the end of a paragraph or heading sets
that block's attributes; right after a link or an image, the link's or image's. Anything that is
not an attribute list stays text.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

_ONE = r"""(?:[#.][\w:-]+|[\w-]+=(?:"[^"]*"|'[^']*'|[^\s}]+))"""
_LIST = rf"\{{:?[ \t]*({_ONE}(?:[ \t]+{_ONE})*)[ \t]*\}}"
_TRAILING = re.compile(rf"[ \t]*{_LIST}[ \t]*$")
_LEADING = re.compile(rf"^{_LIST}")
_PART = re.compile(_ONE)
# Attributes that could run script or restyle the page around the block are not the author's
# intent in an attribute list; they are left out.
_REFUSED = re.compile(r"^on|^style$|^src$|^href$", re.IGNORECASE)


def attributes_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "pypage_attributes", _attributes)


def take_trailing(opening: Token, inline: Token) -> str:
    """Takes a trailing attribute list off the block's text and sets it on ``opening``; returns
    the id it set, or an empty string."""
    children = inline.children or []
    if not children or children[-1].type != "text":
        return ""
    last = children[-1]
    match = _TRAILING.search(last.content)
    if match is None:
        return ""
    last.content = last.content[: match.start()]
    if not last.content and len(children) > 1 and children[-2].type == "softbreak":
        del children[-2:]
    inline.content = _TRAILING.sub("", inline.content)
    return _apply(opening, match.group(1))


def _apply(token: Token, attributes: str) -> str:
    ident = ""
    for part in _PART.findall(attributes):
        if part.startswith("#"):
            ident = part[1:]
            token.attrSet("id", ident)
        elif part.startswith("."):
            token.attrJoin("class", part[1:])
        else:
            key, _, value = part.partition("=")
            if not _REFUSED.match(key):
                token.attrSet(key, value.strip("\"'"))
    return ident


def _attributes(state: StateCore) -> None:
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        _spans(token.children)  # right after a link, it is the link's, even at the end
        if index and tokens[index - 1].type == "paragraph_open":
            take_trailing(tokens[index - 1], token)


def _spans(children: list[Token]) -> None:
    """``[text](url){: .class}``, ``![alt](src){: width="50%"}``."""
    for index in range(1, len(children)):
        child = children[index]
        if child.type != "text" or not child.content.startswith("{"):
            continue
        before = children[index - 1]
        if before.type == "image":
            target = before
        elif before.type == "link_close":
            target = next((t for t in reversed(children[:index]) if t.type == "link_open"), before)
        else:
            continue
        match = _LEADING.match(child.content)
        if match:
            _apply(target, match.group(1))
            child.content = child.content[match.end() :]
