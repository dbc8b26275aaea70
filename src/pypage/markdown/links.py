"""markdown-it plugin: links between pages point at the built ``.html`` files, every URL stays
relative (so a site works under any sub-path), and links to missing files are reported.

Markdown links and images, and ``href`` / ``src`` in raw HTML, are treated alike. A link with a
``#fragment`` is recorded for the build to check against the target page's ids; a link to a
missing file whose target reads like a MyST label (``[text](quickstart)``) becomes a reference
to that label (pypage.markdown.references).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from pypage.errors import locate
from pypage.markdown.references import Link, record
from pypage.sources import SiteSources

_LABEL = re.compile(r"[A-Za-z][\w:-]*\Z")  # a MyST label: no dot, no slash
# href="…" / src='…' in raw HTML; the rest of the markup is left byte for byte as written.
_HTML_URL = re.compile(r"""(\s(?:href|src)\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Resolved:
    url: str  # what to write in the page
    missing: str | None  # for a local target that does not exist, its site path
    page: str | None  # the target page's site path, when the link points at a page
    fragment: str


def links_plugin(md: MarkdownIt) -> None:
    """Reads the page being parsed from the parser's env: ``page`` (its site path), ``site`` (the
    site's sources) and ``report`` (records a located diagnostic). Records ``links`` (``Link``)."""

    def _links_rule(state: StateCore) -> None:
        lines = state.src.splitlines()
        state.env.setdefault("lines", lines)
        for block in state.tokens:
            if block.type == "html_block":
                block.content = _rewrite_html(state, block, block.content, lines)
            if block.type != "inline" or not block.children:
                continue
            cursor = (block.map[0] if block.map else 0, 0)  # links are found left to right
            for token in block.children:
                if token.type == "html_inline":
                    token.content = _rewrite_html(state, block, token.content, lines)
                    continue
                attr = {"link_open": "href", "image": "src"}.get(token.type)
                if attr is None:
                    continue
                value = token.attrGet(attr)
                if isinstance(value, str):
                    new, cursor = _check(state, value, block, lines, cursor, image=attr == "src")
                    if new != value:
                        token.attrSet(attr, new)

    md.core.ruler.after("inline", "pypage_links", _links_rule)


def _check(
    state: StateCore,
    value: str,
    block: Token,
    lines: list[str],
    cursor: tuple[int, int],
    *,
    image: bool,
) -> tuple[str, tuple[int, int]]:
    """The URL to write for ``value``, reporting and recording what the build must know."""
    page: PurePosixPath = state.env["page"]
    resolved = rewrite(value, page=page, site=state.env["site"])
    if resolved.missing is None and not (resolved.page and resolved.fragment):
        return resolved.url, cursor
    line, col = cursor = _locate(value, block, lines, cursor)
    if resolved.missing is not None:
        if not image and _LABEL.match(value):
            return record(state, "link", value, line, col).placeholder, cursor
        report: Callable[..., None] = state.env["report"]
        report(
            line,
            col,
            f"link to a missing file '{value}'",
            severity="warning",
            hint=f"no {resolved.missing} in the site",
        )
        return resolved.url, cursor
    assert resolved.page is not None
    state.env.setdefault("links", []).append(
        Link(
            line=line,
            col=col,
            source_line=lines[line - 1] if 0 < line <= len(lines) else "",
            url=value,
            target=resolved.page,
            fragment=resolved.fragment,
        )
    )
    return resolved.url, cursor


def _rewrite_html(state: StateCore, block: Token, html: str, lines: list[str]) -> str:
    if "href" not in html and "src" not in html:
        return html
    cursor = (block.map[0] if block.map else 0, 0)

    def replace(match: re.Match[str]) -> str:
        nonlocal cursor
        tag_start = html.rfind("<", 0, match.start())
        image = html[tag_start : tag_start + 4].lower() in ("<img", "<sou", "<scr")
        new, cursor = _check(state, match.group(3), block, lines, cursor, image=image)
        return f"{match.group(1)}{match.group(2)}{new}{match.group(2)}"

    return _HTML_URL.sub(replace, html)


def rewrite(url: str, *, page: PurePosixPath, site: SiteSources) -> Resolved:
    """Where ``url``, written on ``page``, points. Answers are kept per site: a site's pages link
    to the same few places again and again."""
    key = (url, page)
    found = site.resolved.get(key)
    if found is None:
        found = site.resolved[key] = _rewrite(url, page, site)
    return found


def _rewrite(url: str, page: PurePosixPath, site: SiteSources) -> Resolved:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return Resolved(url, None, None, "")  # external or protocol-relative
    fragment = unquote(parts.fragment)
    if not parts.path:
        return Resolved(url, None, str(page) if fragment else None, fragment)  # this page
    raw = unquote(parts.path)
    base = "" if raw.startswith("/") else str(page.parent)
    target = posixpath.normpath(posixpath.join(base, raw.lstrip("/")) if base != "." else raw)
    if target == ".." or target.startswith("../"):
        return Resolved(url, None, None, "")  # outside the site: the author's business
    source = PurePosixPath(target)
    target_page: PurePosixPath | None
    if raw.endswith("/") or target == ".":
        found = site.index_of(source)  # index.md, or README.md
        if found is None:
            return Resolved(url, str(source / "index.md"), None, fragment)
        built, target_page = found.url, found.rel
    elif source.suffix.lower() == ".md":
        found = site.page_for(source)
        if found is None:
            return Resolved(url, str(source), None, fragment)
        built, target_page = found.url, found.rel
    elif site.has_file(source):
        built, target_page = source, None
    elif (found := site.page_built_as(source)) is not None:
        built, target_page = source, found.rel
    elif (found := site.page_for(source.with_suffix(".md"))) is not None:
        built, target_page = found.url, found.rel  # [text](intro); README is built as index.html
    else:
        return Resolved(url, str(source), None, fragment)
    path = quote(posixpath.relpath(str(built), str(page.parent)), safe="/")
    written = urlunsplit(("", "", path, parts.query, parts.fragment))
    return Resolved(written, None, str(target_page) if target_page else None, fragment)


def _locate(value: str, block: Token, lines: list[str], after: tuple[int, int]) -> tuple[int, int]:
    """1-based line and column of ``value`` in the block, searching past ``after`` (the line and
    column of the previous link's URL) on."""
    first, last = block.map if block.map else (0, len(lines))
    line, col = after
    start = (line, col + 1) if line > first else (first + 1, 1)
    return locate(lines, value, start=start, stop=last) or (first + 1, 1)
