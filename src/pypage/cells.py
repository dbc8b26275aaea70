"""markdown-it plugin: a fence whose info string is ``python run`` becomes a live cell."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .errors import did_you_mean

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


# Every option a cell accepts: name -> whether it takes a value. Later features add theirs here.
OPTIONS: dict[str, bool] = {"autorun": False, "hidden": False, "id": True}
_OPTIONS_HINT = "cell options are: autorun, hidden, id=NAME"


def is_cell_info(info: str) -> bool:
    words = info.split()
    return len(words) >= 2 and words[0] == CELL_LANG and words[1] == CELL_MARKER


def cells_plugin(
    md: MarkdownIt, *, highlight: Callable[[str], str], report: Callable[..., None]
) -> None:
    """Parse and validate cell options after block parsing; render cells as the DOM contract says.

    ``report(line, col, message, hint=...)`` records a located diagnostic; ``highlight(code)``
    returns highlighted HTML for the code so a page reads well without JavaScript.
    """

    def _cells_rule(state: StateCore) -> None:
        seen: set[str] = set()
        generated = 0
        lines = state.src.splitlines()
        for token in state.tokens:
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
            token.meta["cell"] = Cell(
                id=cell_id,
                code=token.content,
                line=where[0],
                autorun=bool(options.get("autorun")),
                hidden=bool(options.get("hidden")),
            )
            state.env.setdefault("cells", []).append(token.meta["cell"])

    def _render_cell(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        cell = token.meta.get("cell")
        if cell is None:
            return default_fence(tokens, idx, options, env)
        return render_cell(cell, highlight(cell.code))

    default_fence = md.renderer.rules["fence"]
    md.core.ruler.after("block", "pypage_cells", _cells_rule)
    md.add_render_rule("fence", _render_cell)


def _where(token: Token, lines: list[str]) -> tuple[int, int]:
    """Line and column of the fence's opening marker."""
    line = token.map[0] + 1 if token.map else 1
    text = lines[line - 1] if line <= len(lines) else ""
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
        if name == "id" and not _ID.match(value):
            report(
                *where,
                f"invalid cell id '{value}'",
                hint="an id starts with a letter and has only letters, digits, '-' and '_'",
            )
            continue
        found[name] = value if takes_value else True
    return found


def render_cell(cell: Cell, code_html: str) -> str:
    classes = "pypage-cell" + (" pypage-cell--hidden" if cell.hidden else "")
    flags = (" data-autorun" if cell.autorun else "") + (" data-hidden" if cell.hidden else "")
    label = escape(f"Run cell {cell.id}")
    cid = escape(cell.id)
    return (
        f'<div class="{classes}" data-pypage-cell="{cid}" data-state="idle" tabindex="0"'
        f' data-line="{cell.line}"{flags} aria-label="Python cell {cid}">\n'
        f'<div class="pypage-code">{code_html}</div>\n'
        '<div class="pypage-bar">'
        f'<button type="button" class="pypage-run" data-pypage-run aria-label="{label}">'
        "Run</button>"
        '<span class="pypage-cell-status" data-pypage-cell-status></span>'
        "</div>\n"
        f'<div class="pypage-output" data-pypage-output role="log" aria-live="polite"'
        f' aria-label="Output of cell {cid}"></div>\n'
        "</div>\n"
    )
