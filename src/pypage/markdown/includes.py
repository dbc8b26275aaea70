"""markdown-it plugin: other files' text in a page.

- ``--8<-- "file"`` (pymdownx.snippets) on a line of its own: the file's Markdown in its place;
  on a line inside a fence, its text, indented like the line (a cell can be a shared script).
- ``;--8<-- "file"`` shows the line as written, without the ``;``.
- MyST ```` ```{include} file ```` (Markdown) and ```` ```{literalinclude} file ```` (code:
  ``:language:``, ``:lines: 2-5``, ``:caption:``).

A path is relative to the page, then to the site's top folder. A missing file is a located
error. What a page included is recorded with a fingerprint (``env["includes"]``), so a rebuild
reads the page again when an included file changes.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import MutableMapping
from pathlib import Path, PurePosixPath
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from pypage.markdown.directives import DIRECTIVES, Directive

_SNIPPET = re.compile(r"""^([ \t]*)--8<--[ \t]+(["'])(.+?)\2[ \t]*$""")
# pymdownx's escape: ;--8<-- "file" shows the line itself, without the ';'.
_ESCAPED = re.compile(r"""^([ \t]*);(--8<--[ \t]+(["']).+?\3[ \t]*)$""")
_LANGUAGES = {".py": "python", ".js": "javascript", ".toml": "toml", ".json": "json",
              ".yml": "yaml", ".yaml": "yaml", ".sh": "bash", ".md": "markdown", ".txt": "text",
              ".csv": "text", ".html": "html", ".css": "css"}  # fmt: skip
_DEPTH = 8  # an include including itself stops here, with an error


def includes_plugin(md: MarkdownIt) -> None:
    md.block.ruler.before("fence", "pypage_snippet", _snippet_block)
    md.core.ruler.after("block", "pypage_snippets_in_fences", _snippets_in_fences)
    DIRECTIVES["include"] = _include_directive
    DIRECTIVES["literalinclude"] = _literalinclude_directive


def read_included(env: MutableMapping[str, Any], name: str, line: int, col: int = 1) -> str | None:
    """The text of ``name`` as the page at ``env["source_path"]`` names it, or None after
    reporting it missing."""
    source: Path = env["source_path"]
    page: PurePosixPath = env["page"]
    top = source.parents[len(page.parts) - 1]
    for base in (source.parent, top):
        path = base / name
        try:
            data = path.read_bytes()
        except OSError:
            continue
        env.setdefault("includes", {})[str(path)] = hashlib.sha1(data).hexdigest()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            _report(env, line, col, f"included file '{name}' is not UTF-8", "save it as UTF-8")
            return None
    _report(
        env,
        line,
        col,
        f"included file '{name}' not found",
        f"paths are relative to the page ({source.parent}), then to the site ({top})",
    )
    return None


def fingerprint(path: str) -> str | None:
    try:
        return hashlib.sha1(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _report(env: MutableMapping[str, Any], line: int, col: int, message: str, hint: str) -> None:
    env["report"](line, col, message, hint=hint)


def _parse_included(
    md: MarkdownIt, env: MutableMapping[str, Any], text: str, line: int
) -> list[Token]:
    """Block tokens of included Markdown, every one placed on the including line: messages about
    what is inside point there."""
    depth = env.get("include_depth", 0)
    if depth >= _DEPTH:
        _report(env, line + 1, 1, "includes nest too deep", "an included file includes itself")
        return []
    env["include_depth"] = depth + 1
    tokens: list[Token] = []
    md.block.parse(text, md, env, tokens)
    env["include_depth"] = depth
    for token in tokens:
        token.map = [line, line + 1]
    return tokens


def _snippet_block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if not state.src.startswith("--8<--", state.bMarks[start_line] + state.tShift[start_line]):
        return False
    if state.is_code_block(start_line):
        return False
    text = state.src[state.bMarks[start_line] : state.eMarks[start_line]]
    match = _SNIPPET.match(text)
    if match is None:
        return False
    if silent:
        return True
    state.line = start_line + 1
    col = len(match.group(1)) + 1
    included = read_included(state.env, match.group(3), start_line + 1, col)
    if included is not None:
        state.tokens.extend(_parse_included(state.md, state.env, included, start_line))
    return True


def _snippets_in_fences(state: StateCore) -> None:
    for token in state.tokens:
        if token.type != "fence" or "--8<--" not in token.content:
            continue
        first = (token.map[0] if token.map else 0) + 1
        lines = []
        for offset, line in enumerate(token.content.splitlines(keepends=True)):
            text = line.rstrip("\r\n")
            match = _SNIPPET.match(text)
            if match is None:
                lines.append(_ESCAPED.sub(r"\1\2", text) + line[len(text) :])
                continue
            included = read_included(state.env, match.group(3), first + offset + 1)
            if included is not None:
                indent = match.group(1)
                lines.extend(indent + part for part in included.splitlines(keepends=True))
                if lines and not lines[-1].endswith("\n"):
                    lines[-1] += "\n"
        token.content = "".join(lines)


def _include_directive(directive: Directive, state: StateCore) -> list[Token]:
    text = read_included(state.env, directive.argument, directive.line)
    if text is None:
        return []
    return _parse_included(state.md, state.env, text, directive.line - 1)


def _literalinclude_directive(directive: Directive, state: StateCore) -> list[Token]:
    text = read_included(state.env, directive.argument, directive.line)
    if text is None:
        return []
    options = directive.options
    if "lines" in options:
        wanted = _lines(options["lines"])
        text = "".join(
            line
            for number, line in enumerate(text.splitlines(keepends=True), 1)
            if number in wanted
        )
    language = options.get("language") or _LANGUAGES.get(
        PurePosixPath(directive.argument).suffix, ""
    )
    fence = Token("fence", "code", 0, content=text, map=directive.token.map, markup="```")
    caption = options.get("caption", "")
    fence.info = language + (f' title="{caption}"' if caption and '"' not in caption else "")
    fence.block = True
    return [fence]


def _lines(spec: str) -> set[int]:
    """Sphinx's ``:lines: 1,3,5-10``."""
    wanted: set[int] = set()
    for part in spec.replace(" ", "").split(","):
        low, _, high = part.partition("-")
        if low.isdigit():
            wanted.update(range(int(low), int(high) + 1 if high.isdigit() else int(low) + 1))
    return wanted
