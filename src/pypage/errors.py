"""Located diagnostics: every mistake an author can make is reported as
``path:line:col: error: message``, the offending source line, and a hint."""

from __future__ import annotations

import difflib
import functools
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path


@dataclass(frozen=True, kw_only=True)
class Diagnostic:
    message: str
    path: str | None = None
    line: int | None = None
    col: int | None = None
    hint: str | None = None
    severity: str = "error"
    source_line: str | None = None

    def format(self) -> str:
        where = ""
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        text = f"{where}{self.severity}: {self.message}"
        if self.source_line is not None and self.line is not None:
            text += f"\n{self.line:>5} | {self.source_line.rstrip()}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class PypageError(Exception):
    """A failure the user can fix. Only the CLI catches it; it prints without a traceback."""

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic]) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


@dataclass
class Diagnostics:
    """Collects every problem of a build so the author sees them all at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "warning"]

    def raise_if_errors(self, *, strict: bool = False) -> None:
        """Fail with every diagnostic (warnings too, so nothing is hidden) when any is fatal."""
        if strict and self.items:
            raise PypageError(replace(d, severity="error") for d in self.items)
        if self.errors:
            raise PypageError(self.items)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a close match exists, else an empty string.

    A word close to one part of a hyphenated choice counts too: 'skip' → 'skip-check'."""
    choices = list(choices)
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if not matches:
        parts = {part: choice for choice in choices for part in choice.split("-") if part}
        close = difflib.get_close_matches(word, list(parts), n=1, cutoff=0.75)
        matches = [parts[close[0]]] if close else []
    return f" (did you mean '{matches[0]}'?)" if matches else ""


# Locating text in a source for messages: lines and columns count from 1, as editors show them.


def at_line(
    path: str,
    lines: Sequence[str],
    line: int | None,
    message: str,
    *,
    hint: str | None = None,
    col: int | None = None,
    severity: str = "error",
) -> Diagnostic:
    """A diagnostic about line ``line`` of a file whose ``lines`` are known (shown with it): at
    ``col``, column 1 if not given, or no place at all when the line is unknown."""
    return Diagnostic(
        path=path,
        line=line,
        col=col if col is not None else (1 if line else None),
        source_line=source_line(lines, line),
        message=message,
        hint=hint,
        severity=severity,
    )


def source_line(lines: Sequence[str], line: int | None) -> str | None:
    """Line ``line`` of ``lines``, or None outside them."""
    return lines[line - 1] if line and 0 < line <= len(lines) else None


def locate(
    lines: Sequence[str],
    what: str | re.Pattern[str] | Callable[[str, int], int],
    *,
    start: tuple[int, int] = (1, 1),
    stop: int | None = None,
) -> tuple[int, int] | None:
    """Line and column of the first ``what`` in ``lines`` from ``start`` (line, column) on, up to
    line ``stop`` (inclusive). ``what`` is text, a pattern, or a function that finds something in
    a line as str.find does: ``find(text, offset)`` is its index, or -1."""
    find = _finder(what)
    first, col = start
    last = len(lines) if stop is None else min(stop, len(lines))
    for number in range(max(first, 1), last + 1):
        index = find(lines[number - 1], col - 1 if number == first else 0)
        if index >= 0:
            return number, index + 1
    return None


def _finder(what: str | re.Pattern[str] | Callable[[str, int], int]) -> Callable[[str, int], int]:
    if isinstance(what, str):
        return lambda text, at: text.find(what, at)
    if isinstance(what, re.Pattern):
        pattern = what
        return lambda text, at: found.start() if (found := pattern.search(text, at)) else -1
    return what


def display_path(path: Path, root: Path) -> str:
    """Paths in messages are relative to where the user stands, as compilers print them."""
    # os.path on strings: a build names every page this way, and pathlib is several times slower.
    full = os.path.realpath(path)
    for base in _bases(os.getcwd(), os.fspath(root)):
        if full == base:
            return "."
        prefix = base if base.endswith(os.sep) else base + os.sep
        if full.startswith(prefix):
            return full[len(prefix) :]
    return str(path)


@functools.lru_cache(maxsize=8)
def _bases(cwd: str, root: str) -> tuple[str, str]:
    """Resolved once per site and working folder, not once per page."""
    return os.path.realpath(cwd), os.path.dirname(os.path.realpath(root))
