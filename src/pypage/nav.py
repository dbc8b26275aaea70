"""The ``nav`` setting (pypage.toml's, or mkdocs.yml's): the site's navigation written out, with
MkDocs' meaning. An entry is a page (``"intro.md"``), a titled page (``{"Start" = "intro.md"}``),
a link out of the site (``{"Docs" = "https://…"}``) or a section (``{"Lessons" = [ … ]}``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from pypage.errors import Diagnostic, at_line, locate


@dataclass(frozen=True, kw_only=True)
class NavEntry:
    title: str  # "" for a page listed by its path alone: the page's own title is shown
    target: str = ""  # a page's path in the site, or a URL; "" for a section
    children: tuple[NavEntry, ...] | None = None  # a section's entries
    # Where the entry is written, for messages about it.
    line: int | None = None
    col: int | None = None

    @property
    def is_section(self) -> bool:
        return self.children is not None

    @property
    def is_link(self) -> bool:
        """A link out of the site rather than one of its pages."""
        return self.children is None and is_external(self.target)


def is_external(target: str) -> bool:
    parts = urlsplit(target)
    # "C:" is no scheme worth a link; one letter is a Windows drive.
    return bool(parts.netloc) or (len(parts.scheme) > 1 and not target.lower().endswith(".md"))


def parse_nav(
    value: object, *, path: str, lines: Sequence[str], key_line: int | None, forms: str
) -> tuple[tuple[NavEntry, ...], list[Diagnostic]]:
    """``value`` as the settings file holds it; ``forms`` is the hint naming the entries' forms
    in that file's syntax. Entries are located by finding their text in ``lines`` in order, from
    the ``nav`` key's line on: TOML and YAML parsers keep no positions."""
    problems: list[Diagnostic] = []
    cursor = (key_line or 1, 1)

    def find(text: str) -> tuple[int | None, int | None]:
        nonlocal cursor
        found = locate(lines, text, start=cursor) if text else None
        if found is None:
            return cursor[0] if key_line else None, None
        cursor = (found[0], found[1] + len(text))
        return found

    def problem(where: tuple[int | None, int | None], message: str, hint: str) -> None:
        line, col = where
        problems.append(at_line(path, lines, line, message, hint=hint, col=col))

    def entries(items: object, where: tuple[int | None, int | None]) -> tuple[NavEntry, ...]:
        if not isinstance(items, list):
            problem(where, f"'nav' must be a list of entries, not {_kind(items)}", forms)
            return ()
        return tuple(entry for item in items if (entry := parse(item)) is not None)

    def parse(item: object) -> NavEntry | None:
        if isinstance(item, str):
            line, col = find(item)
            if not item.strip():
                problem((line, col), "a nav entry is empty", forms)
                return None
            return NavEntry(title="", target=item.strip(), line=line, col=col)
        if not isinstance(item, dict):
            problem(find(_text(item)), f"a nav entry cannot be {_kind(item)}", forms)
            return None
        if len(item) != 1:
            names = ", ".join(f"'{key}'" for key in item)
            problem(
                find(str(next(iter(item), ""))),
                f"a nav entry has one title, not {len(item)}" + (f": {names}" if names else ""),
                "give each page, link or section an entry of its own",
            )
            return None
        ((title, value),) = item.items()
        line, col = where = find(str(title))
        title = str(title).strip()
        if not title:
            problem(where, "a nav entry's title is empty", forms)
            return None
        if isinstance(value, list):
            return NavEntry(title=title, children=entries(value, where), line=line, col=col)
        if isinstance(value, str) and value.strip():
            line, col = find(value)
            return NavEntry(title=title, target=value.strip(), line=line, col=col)
        problem(
            where,
            f"the nav entry '{title}' must name a page, a link or a list of entries,"
            f" not {_kind(value)}",
            forms,
        )
        return None

    found = entries(value, (key_line, None))
    return found, problems


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _text(value: object) -> str:
    """How a scalar is likely written in the file, to find it there."""
    if isinstance(value, bool):
        return str(value).lower()
    return "" if value is None or isinstance(value, list | dict) else str(value)


def page_targets(entries: Sequence[NavEntry]) -> list[NavEntry]:
    """Every entry naming a page of the site, depth first."""
    found = []
    for entry in entries:
        if entry.children is not None:
            found.extend(page_targets(entry.children))
        elif not entry.is_link:
            found.append(entry)
    return found


_DOT_SLASH = re.compile(r"^(?:\./)+")


def page_path(target: str) -> str:
    """The site path a page entry names: ``./intro.md`` and ``/intro.md`` are ``intro.md``."""
    return _DOT_SLASH.sub("", target).lstrip("/")
