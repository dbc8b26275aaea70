"""markdown-it plugin: MyST directives, ```` ```{name} argument ```` and ``:::{name}`` fences.

A directive is a fence whose info string starts with ``{name}``. Modules that give a directive its
meaning register a handler in ``DIRECTIVES``; the handler turns the parsed ``Directive`` into the
tokens that replace the fence (a container re-parses its body with ``parse_body``, so cells,
headings and nested directives inside it work as at the top level). A directive nobody handles is
a located warning and stays a code block, so nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.colon_fence import colon_fence_plugin

from pypage.errors import did_you_mean

_INFO = re.compile(r"^\{([A-Za-z][\w:.-]*)\}\s*(.*)$")
_OPTION = re.compile(r"^:([\w-]+):(?:\s+(.*))?$")


@dataclass(frozen=True, kw_only=True)
class Directive:
    name: str
    argument: str  # the rest of the info string after {name}
    options: dict[str, str]  # the ':key: value' lines that open the body
    body: str  # the body after the options
    body_line: int  # the 0-based source line where the body starts
    token: Token = field(repr=False)  # the fence it was written as

    @property
    def line(self) -> int:
        """The 1-based line of the opening fence, for messages."""
        return (self.token.map[0] if self.token.map else 0) + 1


# name -> handler(directive, state) -> the tokens that replace the fence.
Handler = Callable[[Directive, StateCore], list[Token]]
DIRECTIVES: dict[str, Handler] = {}


def directive_name(info: str) -> str | None:
    match = _INFO.match(info.strip())
    return match.group(1) if match else None


def parse_body(state: StateCore, text: str, first_line: int) -> list[Token]:
    """Block tokens of ``text`` parsed like page content; ``first_line`` (0-based, in the page)
    shifts their line maps so messages about what is inside point at the page's own lines."""
    tokens: list[Token] = []
    state.md.block.parse(text, state.md, state.env, tokens)
    for token in tokens:
        if token.map:
            token.map = [token.map[0] + first_line, token.map[1] + first_line]
    return _expand(state, tokens)


def directives_plugin(md: MarkdownIt) -> None:
    """Reads ``report`` (records a located diagnostic) from the parser's env."""
    md.use(colon_fence_plugin)

    def _directives_rule(state: StateCore) -> None:
        state.tokens = _expand(state, state.tokens)

    # Right after block parsing, before cells are collected: cells inside containers count.
    md.core.ruler.after("block", "pypage_directives", _directives_rule)


def _expand(state: StateCore, tokens: list[Token]) -> list[Token]:
    result: list[Token] = []
    for token in tokens:
        name = directive_name(token.info) if token.type in ("fence", "colon_fence") else None
        if name is None:
            result.append(token)
            continue
        handler = DIRECTIVES.get(name)
        if handler is None:
            line = (token.map[0] if token.map else 0) + 1
            state.env["report"](
                line,
                1,
                f"unknown directive '{{{name}}}'{did_you_mean(name, DIRECTIVES)}: shown as code",
                hint="directives are " + ", ".join(f"{{{n}}}" for n in sorted(DIRECTIVES))
                if DIRECTIVES
                else None,
                severity="warning",
            )
            result.append(token)
            continue
        result.extend(handler(_directive(name, token), state))
    return result


def _directive(name: str, token: Token) -> Directive:
    match = _INFO.match(token.info.strip())
    argument = match.group(2).strip() if match else ""
    lines = token.content.splitlines(keepends=True)
    options: dict[str, str] = {}
    taken = 0
    for line in lines:
        option = _OPTION.match(line.strip())
        if not option:
            break
        options[option.group(1)] = (option.group(2) or "").strip()
        taken += 1
    # The body starts on the line after the opening fence, past the options.
    start = (token.map[0] if token.map else 0) + 1 + taken
    return Directive(
        name=name,
        argument=argument,
        options=options,
        body="".join(lines[taken:]),
        body_line=start,
        token=token,
    )
