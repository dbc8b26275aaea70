"""Build-time syntax highlighting with Pygments, so code reads well with JavaScript off."""

from __future__ import annotations

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


@cache
def _formatter() -> HtmlFormatter[str]:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


def highlight(code: str, lang: str) -> str:
    """``<pre><code>`` whose text content is exactly ``code``."""
    from pygments import highlight as pygmentize

    lexer = _lexer(lang) if lang else None
    body = pygmentize(code, lexer, _formatter()) if lexer else escape(code)
    cls = f' class="language-{escape(lang)}"' if lang else ""
    return f'<pre class="highlight"><code{cls}>{body}</code></pre>'


def highlight_fence(content: str, lang: str, attrs: str) -> str:
    """markdown-it's ``highlight`` hook: output starting with ``<pre`` is used as it is."""
    return highlight(content, lang)


def stylesheet() -> str:
    """Token colours for light and dark mode, following the reader's OS setting."""
    from pygments.formatters import HtmlFormatter

    light = HtmlFormatter(style=LIGHT_STYLE).get_style_defs(".highlight")
    dark = HtmlFormatter(style=DARK_STYLE).get_style_defs(".highlight")
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
