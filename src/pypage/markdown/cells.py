"""markdown-it plugin: a fence whose info string is ``python run`` becomes a live cell."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # Cell is read back from the page cache without the parser
    from markdown_it import MarkdownIt
    from markdown_it.renderer import RendererHTML
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token

from pypage.config import parse_seconds
from pypage.errors import did_you_mean, source_line

CELL_LANG = "python"
CELL_MARKER = "run"
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")


@dataclass(frozen=True, kw_only=True)
class Cell:
    id: str
    code: str
    line: int  # 1-based line of the opening fence in the Markdown source
    autorun: bool = False
    hidden: bool = False
    raises: str | None = None  # the exception `pypage check` expects the cell to raise
    skip_check: bool = False
    expected_output: str | None = None  # from an ```output fence right after the cell
    normalize_whitespace: bool = False
    readonly: bool = False  # the reader may run the cell but not edit it
    timeout: float | None = None  # seconds before the page stops the cell

    @property
    def code_hash(self) -> str:
        """Names the author's version of the code: a reader's saved edits of another version are
        out of date."""
        return hashlib.sha256(self.code.encode()).hexdigest()[:16]


# Every option a cell accepts: name -> whether it takes a value. Later features add theirs here.
OPTIONS: dict[str, bool] = {
    "autorun": False,
    "hidden": False,
    "id": True,
    "raises": True,
    "readonly": False,
    "skip-check": False,
    "timeout": True,
}
_OPTIONS_HINT = (
    "cell options are: autorun, hidden, id=NAME, raises=EXCEPTION, readonly, skip-check,"
    " timeout=SECONDS"
)
OUTPUT_LANG = "output"
OUTPUT_OPTIONS = ("normalize-whitespace",)
_EXCEPTION = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")


def is_cell_info(info: str) -> bool:
    words = info.split()
    return len(words) >= 2 and words[0] == CELL_LANG and words[1] == CELL_MARKER


def cells_plugin(md: MarkdownIt, *, highlight: Callable[[str], str]) -> None:
    """Parse and validate cell options after block parsing; render cells as the DOM contract says.

    ``env["report"](line, col, message, hint=...)`` records a located diagnostic about the page
    being parsed; ``highlight(code)`` returns highlighted HTML for the code so a page reads well
    without JavaScript.
    """

    def _cells_rule(state: StateCore) -> None:
        report: Callable[..., None] = state.env["report"]
        seen: set[str] = set()
        generated = 0
        lines = state.src.splitlines()
        tokens = state.tokens
        for index, token in enumerate(tokens):
            if token.type in _BURYING and "run" in token.content:
                _report_buried(token, lines, report)
            if token.type == "fence" and _is_output_info(token.info) and "cell" not in token.meta:
                if not _follows_cell(tokens, index):
                    report(
                        *_where(token, lines),
                        "an output block must follow a python run cell",
                        hint="put it right after the cell it belongs to",
                        severity="warning",
                    )
                continue
            if token.type == "fence" and _looks_like_cell(token.info):
                report(
                    *_where(token, lines),
                    f"'{token.info.strip()}' is not a cell, only highlighted code",
                    hint="a cell's info string is 'python run' followed by options separated by "
                    "spaces, e.g. ```python run autorun",
                    severity="warning",
                )
            if token.type != "fence" or not is_cell_info(token.info):
                continue
            where = _where(token, lines)
            options = _parse_options(token, where, report)
            cell_id = options.get("id")
            if isinstance(cell_id, str) and cell_id in seen:
                report(*where, f"duplicate cell id '{cell_id}'", hint="cell ids must be unique")
            if not isinstance(cell_id, str):
                generated += 1
                cell_id = f"cell-{generated}"
                while cell_id in seen:
                    generated += 1
                    cell_id = f"cell-{generated}"
            seen.add(cell_id)
            expected = _expected_output(tokens, index, lines, report)
            token.meta["cell"] = Cell(
                id=cell_id,
                code=token.content,
                line=where[0],
                autorun=bool(options.get("autorun")),
                hidden=bool(options.get("hidden")),
                raises=str(options["raises"]) if "raises" in options else None,
                skip_check=bool(options.get("skip-check")),
                expected_output=expected[0] if expected else None,
                normalize_whitespace=expected[1] if expected else False,
                readonly=bool(options.get("readonly")),
                timeout=float(options["timeout"]) if "timeout" in options else None,
            )
            state.env.setdefault("cells", []).append(token.meta["cell"])

    def _render_cell(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        if token.meta.get("output_of"):
            return ""  # shown inside its cell's output area
        cell = token.meta.get("cell")
        if cell is None:
            return str(default_fence(tokens, idx, options, env))
        recorded = env.get("outputs", {}).get(cell.id)
        return render_cell(cell, highlight(cell.code), recorded=recorded)

    # markdown-it-py types its renderer as a protocol; MarkdownIt builds a RendererHTML.
    default_fence = cast("RendererHTML", md.renderer).rules["fence"]
    md.core.ruler.after("block", "pypage_cells", _cells_rule)
    md.add_render_rule("fence", _render_cell)


# A cell fence indented one step too far becomes a line of an indented code block, or of the
# paragraph above it: the cell would vanish into the text.
_BURIED = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[ \t]*python[ \t]+run\b")
_BURYING = {
    "code_block": (
        "a python run fence inside an indented code block is not a cell",
        "it is indented 4 spaces more than its place takes: inside an admonition or a tab, "
        "indent it 4 spaces like the text; at the top of the page, not at all",
    ),
    "inline": (
        "a python run fence inside a paragraph is not a cell",
        "leave a blank line before the fence and indent it like the text around it",
    ),
}


def _report_buried(token: Token, lines: list[str], report: Callable[..., None]) -> None:
    first = token.map[0] if token.map else 0
    message, hint = _BURYING[token.type]
    for offset, text in enumerate(token.content.splitlines()):
        if _BURIED.match(text):
            line = first + offset + 1
            shown = source_line(lines, line) or text
            col = 1 + len(shown) - len(shown.lstrip())
            report(line, col, message, hint=hint, severity="warning")


_NEAR_CELL = re.compile(r"^\{?\s*(python3?|py)\b.*\brun\b", re.IGNORECASE)


def _looks_like_cell(info: str) -> bool:
    """```Python run, ```py run, ```python run,autorun, ```{python run}: almost cells."""
    return not is_cell_info(info) and bool(_NEAR_CELL.match(info.strip()))


def _is_output_info(info: str) -> bool:
    words = info.split()
    return bool(words) and words[0] == OUTPUT_LANG


def _follows_cell(tokens: Sequence[Token], index: int) -> bool:
    return index > 0 and tokens[index - 1].type == "fence" and is_cell_info(tokens[index - 1].info)


def _expected_output(
    tokens: Sequence[Token], index: int, lines: list[str], report: Callable[..., None]
) -> tuple[str, bool] | None:
    """The ```output fence right after the cell at ``index``: (text, normalize whitespace)."""
    if index + 1 >= len(tokens):
        return None
    following = tokens[index + 1]
    if following.type != "fence" or not _is_output_info(following.info):
        return None
    following.meta["output_of"] = True
    normalize = False
    for word in following.info.split()[1:]:
        if word in OUTPUT_OPTIONS:
            normalize = True
        else:
            report(
                *_where(following, lines),
                f"unknown output option '{word}'{did_you_mean(word, OUTPUT_OPTIONS)}",
                hint="output options are: " + ", ".join(OUTPUT_OPTIONS),
            )
    return following.content, normalize


def _where(token: Token, lines: list[str]) -> tuple[int, int]:
    """Line and column of the fence's opening marker."""
    line = token.map[0] + 1 if token.map else 1
    text = source_line(lines, line) or ""
    return line, 1 + len(text) - len(text.lstrip())


def _parse_options(
    token: Token, where: tuple[int, int], report: Callable[..., None]
) -> dict[str, str | bool]:
    found: dict[str, str | bool] = {}
    for word in token.info.split()[2:]:
        name, eq, value = word.partition("=")
        if name not in OPTIONS:
            report(
                *where,
                f"unknown cell option '{name}'{did_you_mean(name, OPTIONS)}",
                hint=_OPTIONS_HINT,
            )
            continue
        takes_value = OPTIONS[name]
        if takes_value and not (eq and value):
            report(*where, f"cell option '{name}' needs a value", hint=f"write {name}=VALUE")
            continue
        if not takes_value and eq:
            report(*where, f"cell option '{name}' takes no value", hint=f"write just '{name}'")
            continue
        if name == "raises" and not _EXCEPTION.match(value):
            report(
                *where,
                f"invalid exception name '{value}'",
                hint="write the exception's class name, e.g. raises=ValueError",
            )
            continue
        if name == "id" and not _ID.match(value):
            report(
                *where,
                f"invalid cell id '{value}'",
                hint="an id starts with a letter and has only letters, digits, '-' and '_'",
            )
            continue
        if name == "timeout" and parse_seconds(value) is None:
            report(
                *where,
                f"invalid timeout '{value}'",
                hint="write a number of seconds, more than 0 and at most a week, e.g. timeout=5",
            )
            continue
        found[name] = value if takes_value else True
    return found


def render_cell(cell: Cell, code_html: str, *, recorded: str | None = None) -> str:
    """``recorded``: the output area's content as the runtime drew it in a browser at build time
    (``pypage build --execute``); without it, a cell's ```output block is shown until the reader
    runs the cell."""
    classes = "pypage-cell" + (" pypage-cell--hidden" if cell.hidden else "")
    flags = "".join(
        flag
        for flag, on in (
            (" data-autorun", cell.autorun),
            (" data-hidden", cell.hidden),
            (" data-readonly", cell.readonly),
        )
        if on
    )
    if cell.timeout is not None:
        flags += f' data-timeout="{cell.timeout:g}"'
    label = escape(f"Run cell {cell.id}")
    cid = escape(cell.id)
    return (
        f'<div class="{classes}" data-pypage-cell="{cid}" data-state="idle" tabindex="0"'
        f' data-line="{cell.line}" data-code-hash="{cell.code_hash}"{flags}'
        f' aria-label="Python cell {cid}">\n'
        f'<div class="pypage-code">{code_html}</div>\n'
        '<div class="pypage-bar">'
        f'<button type="button" class="pypage-run" data-pypage-run aria-label="{label}">'
        "Run</button>"
        f"{'' if cell.readonly else _reset_button(cid)}"
        '<span class="pypage-cell-status" data-pypage-cell-status></span>'
        "</div>\n"
        f'<div class="pypage-output" data-pypage-output role="log" aria-live="polite"'
        f' aria-label="Output of cell {cid}"{_prerendered(cell, recorded)}</div>\n'
        "</div>\n"
    )


def _reset_button(cid: str) -> str:
    return (
        '<button type="button" class="pypage-reset" data-pypage-reset hidden'
        f' aria-label="Reset cell {cid} to the original code">Reset</button>'
    )


def _prerendered(cell: Cell, recorded: str | None) -> str:
    """The rest of the output area's opening tag and what the area shows until the reader runs
    the cell.

    Recorded output is inserted as it is: it is the markup the runtime's output.js drew, as
    Chromium serialized it, so it holds only what the live page shows. Printed text was a text
    node (now escaped), and HTML came only from rich display, inside the srcdoc attribute of a
    sandboxed frame. An ```output block is the author's text, drawn as output.js draws printed
    text (the end-to-end tests compare the two).
    """
    if recorded:
        return f' data-prerendered="build">{recorded}'
    if cell.expected_output:
        text = escape(cell.expected_output)
        return f' data-prerendered="expected"><span class="stdout" data-kind="stdout">{text}</span>'
    return ">"
