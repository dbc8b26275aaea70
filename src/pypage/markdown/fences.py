"""markdown-it plugin: fence attributes as MkDocs (pymdownx) and Pandoc authors write them.

``python title="check.py" hl_lines="2 3" linenums="1"`` and ``{.python title="check.py"}``:
the title becomes a file-name caption above the block (cells too), highlighted lines and line
numbers go to the highlighter (pypage.markdown.highlight), and what is left of the info string
is what every other rule reads, so ```` ```{.python} ```` is plain Python and a cell's own
options are checked as before.
"""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from pypage.markdown.directives import directive_name

_ATTR = re.compile(r"""(?:^|\s)(title|hl_lines|linenums)=("[^"]*"|'[^']*'|\S+)""")
_PANDOC = re.compile(r"^\{\s*\.([\w+-]+)\s*(.*?)\s*\}\s*$")


def fences_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("block", "pypage_fences", _fences)


def _fences(state: StateCore) -> None:
    tokens: list[Token] = []
    for token in state.tokens:
        if token.type == "fence" and directive_name(token.info) is None:
            title = _normalise(token)
            if title:
                caption = Token("html_block", "", 0, map=token.map)
                caption.content = f'<div class="code-caption">{escape(title)}</div>\n'
                tokens.append(caption)
        tokens.append(token)
    state.tokens = tokens


def _normalise(token: Token) -> str:
    """Rewrites the fence's info string; returns its title."""
    info = token.info.strip()
    pandoc = _PANDOC.match(info)
    if pandoc:
        info = f"{pandoc.group(1)} {pandoc.group(2)}".strip()
    found = {name: value.strip("\"'") for name, value in _ATTR.findall(info)}
    rest = _ATTR.sub("", info).strip()
    words = rest.split()
    is_cell = words[:2] == ["python", "run"]
    extra = (
        ""
        if is_cell
        else "".join(
            f' {name}="{found[name]}"' for name in ("hl_lines", "linenums") if name in found
        )
    )
    token.info = rest + extra
    return str(found.get("title", ""))
