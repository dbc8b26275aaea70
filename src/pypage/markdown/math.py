"""markdown-it plugin: TeX math typeset at build time as MathML, which browsers lay out
natively (no script, no font download, readable with JavaScript off).

Written as ``$…$`` / ``$$…$$`` (dollarmath: ``$5 and $10`` stays text), ``\\(…\\)`` / ``\\[…\\]``
(texmath), bare ``\\begin{align}…`` environments (amsmath), or MyST's ``{math}`` role and
directive (``:label:`` numbers the equation and makes it a link target). latex2mathml converts;
a formula it cannot convert, or one naming a command it does not know, is a located warning and
shows as its TeX source.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from pypage.markdown.directives import DIRECTIVES, Directive
from pypage.markdown.roles import ROLES, Role

_INLINE = ("math_inline", "math_inline_double", "math_single")
_BLOCK = ("math_block", "math_block_label", "math_block_eqno", "amsmath")
_UNKNOWN = re.compile(r"\\[A-Za-z]+")
# amsmath environments latex2mathml has no layout for, as ones it has.
_ENVIRONMENT = re.compile(
    r"\\(begin|end)\{(equation|gather|multline|alignat|flalign|eqnarray)\*?\}"
)
_ALIGN = ("\\begin{align*}", "\\end{align*}")
_LAYOUT = {
    "equation": ("", ""),
    "gather": ("\\begin{array}{c}", "\\end{array}"),
    "multline": ("\\begin{array}{c}", "\\end{array}"),
}
_LABELLED = ("math_block_label", "math_block_eqno")  # $$…$$ (label), \[…\] (label), {math}


def math_plugin(md: MarkdownIt) -> None:
    from mdit_py_plugins.amsmath import amsmath_plugin
    from mdit_py_plugins.dollarmath import dollarmath_plugin
    from mdit_py_plugins.texmath import texmath_plugin

    # Pandoc's rule for prose: no space inside the dollars, no digit after the closing one.
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(texmath_plugin, delimiters="brackets")
    md.use(amsmath_plugin)
    # Both try their patterns at every block and every inline position; a character test first
    # keeps them to places that start with a backslash (a tenth of a large build otherwise).
    _only_after_backslash(md.block.ruler, "amsmath", block=True)
    _only_after_backslash(md.block.ruler, "texmath", block=True)
    _only_after_backslash(md.inline.ruler, "texmath", block=False)
    md.core.ruler.after("inline", "pypage_math", _typeset)
    for name in _INLINE:
        md.add_render_rule(name, _render_inline)
    for name in _BLOCK:
        md.add_render_rule(name, _render_block)
    md.add_render_rule("math_reference", _render_reference)
    ROLES["math"] = _math_role
    ROLES["eq"] = _eq_role
    DIRECTIVES["math"] = _math_directive


def _only_after_backslash(ruler: Any, module: str, *, block: bool) -> None:
    def guard(rule: Any) -> Any:
        if block:
            return lambda state, start, end, silent: (
                state.src.startswith("\\", state.bMarks[start] + state.tShift[start])
                and rule(state, start, end, silent)
            )
        return lambda state, silent: state.src.startswith("\\", state.pos) and rule(state, silent)

    for entry in ruler.__rules__:
        if entry.fn.__module__.startswith(f"mdit_py_plugins.{module}"):
            entry.fn = guard(entry.fn)
    ruler.__cache__ = None


def _math_role(role: Role, state: StateCore) -> list[Token]:
    return [Token("math_inline", "math", 0, content=role.content)]


def _eq_role(role: Role, state: StateCore) -> list[Token]:
    """``{eq}`label` ``: a link to a labelled equation, reading "(n)"."""
    label = role.content.strip()
    opening = Token("link_open", "a", 1, attrs={"href": f"#{label}"})
    return [
        opening,
        Token("math_reference", "", 0, meta={"label": label}),
        Token("link_close", "a", -1),
    ]


def _render_reference(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    # Rendering comes after every formula of the page is numbered.
    label = tokens[idx].meta["label"]
    number = env.get("equations", {}).get(label)
    return f"({number})" if number else html.escape(label)


def _math_directive(directive: Directive, state: StateCore) -> list[Token]:
    token = Token("math_block_label", "math", 0, content=directive.body, map=directive.token.map)
    token.info = directive.options.get("label", "")
    token.block = True
    return [token]


def _typeset(state: StateCore) -> None:
    """Converts every formula once, where its line is known, so problems are located."""
    report = state.env["report"]
    labels: dict[str, int] = state.env.setdefault("equations", {})
    for block in state.tokens:
        if block.type in _BLOCK:
            line = (block.map[0] if block.map else 0) + 1
            label = block.info.strip() if block.type in _LABELLED else ""
            if label:
                labels.setdefault(label, len(labels) + 1)
                block.meta["number"] = labels[label]
            block.meta["mathml"] = _convert(block.content, "block", line, report)
        elif block.type == "inline" and block.children:
            line = (block.map[0] if block.map else 0) + 1
            for child in block.children:
                if child.type in _INLINE:
                    display = "block" if child.type == "math_inline_double" else "inline"
                    child.meta["mathml"] = _convert(child.content, display, line, report)


def _convert(tex: str, display: str, line: int, report: Any) -> str | None:
    from latex2mathml.converter import convert_to_element

    source = _ENVIRONMENT.sub(_layout, tex.strip())
    try:
        element = convert_to_element(source, display=display)
    except Exception as error:  # latex2mathml raises its own class per mistake, and others
        reason = type(error).__name__
        report(
            line,
            1,
            f"cannot typeset the formula '{_short(tex)}' ({reason}): shown as TeX",
            hint="check its braces and \\left … \\right pairs",
            severity="warning",
        )
        return None
    unknown = sorted({text for text in _texts(element) if _UNKNOWN.fullmatch(text)})
    if unknown:
        report(
            line,
            1,
            f"unknown TeX command {', '.join(unknown)} in '{_short(tex)}'",
            hint="the formula is typeset with the command shown as text; MathML covers LaTeX "
            "math commands, not packages' macros",
            severity="warning",
        )
    _annotate(element, tex.strip())
    return ElementTree.tostring(element, encoding="unicode")


def _layout(match: re.Match[str]) -> str:
    kind, name = match.groups()
    return _LAYOUT.get(name, _ALIGN)[kind == "end"]


def _texts(element: ElementTree.Element) -> list[str]:
    """Element texts, with latex2mathml's character references made characters (it writes them
    as text, relying on a serializer that does not escape), so the tree serializes safely."""
    found = []
    for node in element.iter():
        if node.text:
            node.text = html.unescape(node.text)
            found.append(node.text)
    return found


def _annotate(element: ElementTree.Element, tex: str) -> None:
    """The TeX source rides along as an annotation: copied with the formula, read by assistive
    technology that prefers it."""
    semantics = ElementTree.Element("semantics")
    row = ElementTree.SubElement(semantics, "mrow")
    row.extend(list(element))
    for child in list(element):
        element.remove(child)
    annotation = ElementTree.SubElement(semantics, "annotation", encoding="application/x-tex")
    annotation.text = tex
    element.append(semantics)


def _short(tex: str) -> str:
    flat = " ".join(tex.split())
    return flat if len(flat) <= 40 else flat[:37] + "…"


def _render_inline(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    mathml = token.meta.get("mathml")
    return mathml or f'<code class="math-error">{html.escape(token.content)}</code>'


def _render_block(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    mathml = token.meta.get("mathml")
    if mathml is None:
        body = f'<pre class="math-error"><code>{html.escape(token.content)}</code></pre>'
    else:
        body = mathml
    label = token.info.strip() if token.type in _LABELLED else ""
    if not label:
        return f'<div class="math-block">{body}</div>\n'
    number = token.meta.get("number", "")
    return (
        f'<div class="math-block" id="{html.escape(label)}">{body}'
        f'<span class="math-label">({number})</span></div>\n'
    )
