"""Build-time syntax highlighting with Pygments, so code reads well with JavaScript off."""

from __future__ import annotations

import re
from functools import cache
from html import escape
from typing import TYPE_CHECKING

# Pygments loads on the first highlighted block: a rebuild that reuses every page needs none.
if TYPE_CHECKING:
    from pygments.formatters import HtmlFormatter
    from pygments.lexer import Lexer

LIGHT_STYLE = "default"
DARK_STYLE = "github-dark"


@cache
def _lexer(lang: str) -> Lexer | None:
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        # stripnl=False: a cell's leading blank lines are part of its code and line numbers.
        return get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


_FENCE_ATTR = re.compile(r'(hl_lines|linenums)="([^"]*)"')


@cache
def _formatter(hl_lines: tuple[int, ...] = ()) -> HtmlFormatter[str]:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True, hl_lines=list(hl_lines))


def highlight(
    code: str, lang: str, *, hl_lines: tuple[int, ...] = (), first_line: int | None = None
) -> str:
    """``<pre><code>`` whose text content is exactly ``code`` (plus line numbers when
    ``first_line`` is given)."""
    from pygments import highlight as pygmentize

    lexer = _lexer(lang) if lang else None
    body = pygmentize(code, lexer, _formatter(hl_lines)) if lexer else escape(code)
    if first_line is not None:
        count = len(code.splitlines())
        width = len(str(first_line + count - 1))
        body = "\n".join(
            f'<span class="linenos">{first_line + n:>{width}}</span>{line}' if n < count else line
            for n, line in enumerate(body.split("\n"))
        )
    cls = f' class="language-{escape(lang)}"' if lang else ""
    return f'<pre class="highlight"><code{cls}>{body}</code></pre>'


def highlight_fence(content: str, lang: str, attrs: str) -> str:
    """markdown-it's ``highlight`` hook: output starting with ``<pre`` is used as it is.
    ``attrs`` holds what pypage.markdown.fences kept of the info string."""
    found = dict(_FENCE_ATTR.findall(attrs))
    lines = tuple(_line_numbers(found.get("hl_lines", "")))
    start = found.get("linenums", "")
    first = int(start) if start.isdigit() else None
    return highlight(content, lang, hl_lines=lines, first_line=first)


def _line_numbers(spec: str) -> list[int]:
    """pymdownx's ``hl_lines="1 3-5"``."""
    numbers: list[int] = []
    for part in spec.split():
        low, _, high = part.partition("-")
        if low.isdigit() and (not high or high.isdigit()):
            numbers.extend(range(int(low), int(high or low) + 1))
    return numbers


def stylesheet() -> str:
    """Token colours for light and dark mode, following the reader's OS setting."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(".highlight")
    dark = HtmlFormatter(style=DARK_STYLE).get_style_defs(".highlight")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
