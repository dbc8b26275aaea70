"""markdown-it plugin: links between pages point at the built ``.html`` files, every URL stays
relative (so a site works under any sub-path), and links to missing files are reported."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from pypage.errors import locate
from pypage.sources import SiteSources


def links_plugin(md: MarkdownIt) -> None:
    """Reads the page being parsed from the parser's env: ``page`` (its site path), ``site`` (the
    site's sources) and ``report`` (records a located diagnostic)."""

    def _links_rule(state: StateCore) -> None:
        page: PurePosixPath = state.env["page"]
        site: SiteSources = state.env["site"]
        report: Callable[..., None] = state.env["report"]
        lines = state.src.splitlines()
        for block in state.tokens:
            if block.type != "inline" or not block.children:
                continue
            cursor = (block.map[0] if block.map else 0, 0)  # links are found left to right
            for token in block.children:
                attr = {"link_open": "href", "image": "src"}.get(token.type)
                if attr is None:
                    continue
                value = token.attrGet(attr)
                if not isinstance(value, str):
                    continue
                rewritten, missing = rewrite(value, page=page, site=site)
                if rewritten != value:
                    token.attrSet(attr, rewritten)
                if missing:
                    line, col = cursor = _locate(value, block, lines, cursor)
                    report(
                        line,
                        col,
                        f"link to a missing file '{value}'",
                        severity="warning",
                        hint=f"no {missing} in the site",
                    )

    md.core.ruler.after("inline", "pypage_links", _links_rule)


def rewrite(url: str, *, page: PurePosixPath, site: SiteSources) -> tuple[str, str | None]:
    """The URL to write in the page and, for a local target that does not exist, its site path."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return url, None  # external, protocol-relative, or a fragment on this page
    raw = unquote(parts.path)
    base = PurePosixPath() if raw.startswith("/") else page.parent
    target = posixpath.normpath(str(base / raw.lstrip("/")))
    if target == ".." or target.startswith("../"):
        return url, None  # outside the site: the author's business
    source = PurePosixPath(target)
    if raw.endswith("/") or target == ".":
        found = site.index_of(source)  # index.md, or README.md
        if found is None:
            return url, str(source / "index.md")
        built = found.url
    elif source.suffix.lower() == ".md":
        found = site.page_for(source)
        if found is None:
            return url, str(source)
        built = found.url
    elif site.has_file(source) or site.page_built_as(source) is not None:
        built = source
    elif (found := site.page_for(source.with_suffix(".md"))) is not None:
        built = found.url  # x.html for x.md: README.html is built as index.html
    else:
        return url, str(source)
    path = quote(posixpath.relpath(str(built), str(page.parent)), safe="/")
    return urlunsplit(("", "", path, parts.query, parts.fragment)), None


def _locate(value: str, block: Token, lines: list[str], after: tuple[int, int]) -> tuple[int, int]:
    """1-based line and column of ``value`` in the block, searching past ``after`` (the line and
    column of the previous link's URL) on."""
    first, last = block.map if block.map else (0, len(lines))
    line, col = after
    start = (line, col + 1) if line > first else (first + 1, 1)
    return locate(lines, value, start=start, stop=last) or (first + 1, 1)
