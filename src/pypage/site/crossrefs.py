"""Links that need the whole site: every ``#fragment`` is checked against the target page's ids,
and MyST references (``{ref}``, ``{doc}``, ``[text](label)``) are resolved to URLs and titles.

Runs on every build after the pages are read; it only walks what pages recorded, so it costs a
rebuild next to nothing, and a page whose headings change re-checks the links into it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from urllib.parse import quote

from pypage.errors import Diagnostic, did_you_mean
from pypage.markdown.page import Page
from pypage.markdown.references import PLACEHOLDER, TITLE, Reference
from pypage.site.render import relative_url

# Placeholder -> (URL from the page, title of the target).
Resolutions = Mapping[str, tuple[str, str]]

_WRITTEN = re.compile(
    f'href="{re.escape(PLACEHOLDER)}(?P<key>[^"]*)"(?P<rest>[^>]*>)(?P<title>{re.escape(TITLE)})?'
)


def cross_references(
    pages: Sequence[Page],
) -> tuple[list[Diagnostic], dict[PurePosixPath, Resolutions]]:
    by_path = {str(page.source.rel): page for page in pages}
    labels: dict[str, tuple[Page, str, str]] = {}
    for page in pages:
        for label, (ident, title) in page.labels.items():
            labels.setdefault(label, (page, ident, title or page.title))
    found: list[Diagnostic] = []
    resolutions: dict[PurePosixPath, Resolutions] = {}
    for page in pages:
        for link in page.links:
            target = by_path.get(link.target)
            if target is None or link.fragment in target.anchors:
                continue
            where = "on this page" if target is page else f"in {link.target}"
            found.append(
                Diagnostic(
                    path=page.shown_path,
                    line=link.line,
                    col=link.col,
                    message=f"link to a missing heading '#{link.fragment}' {where}",
                    hint=_ids_hint(link.fragment, target.anchors),
                    severity="warning",
                    source_line=link.source_line,
                )
            )
        resolved: dict[str, tuple[str, str]] = {}
        for reference in page.references:
            here = page.source.url
            if reference.kind == "doc":
                doc = by_path.get(reference.target)
                if doc is not None:
                    resolved[reference.placeholder] = (
                        relative_url(doc.source.url, here),
                        doc.title,
                    )
                    continue
                found.append(
                    _problem(
                        page, reference, f"{{doc}} names a missing page '{reference.target}'", None
                    )
                )
            else:
                named = labels.get(reference.target) or _heading(pages, reference.target)
                if named is not None:
                    target_page, ident, title = named
                    url = (
                        relative_url(target_page.source.url, here)
                        if target_page is not page
                        else ""
                    )
                    resolved[reference.placeholder] = (f"{url}#{quote(ident)}", title)
                    continue
                what = "label" if reference.kind == "label" else "file or label"
                found.append(
                    _problem(
                        page,
                        reference,
                        f"link to a missing {what} '{reference.target}'"
                        f"{did_you_mean(reference.target, labels)}",
                        "a label is a line '(name)=' before a heading or block, or a directive's "
                        ":name: option",
                    )
                )
            resolved[reference.placeholder] = (f"#{quote(reference.target)}", reference.target)
        if resolved:
            resolutions[page.source.rel] = resolved
    return found, resolutions


def _heading(pages: Sequence[Page], ident: str) -> tuple[Page, str, str] | None:
    """MyST's heading anchors: a label nobody declared may be a heading's id, on some page."""
    for page in pages:
        if ident in page.anchors:
            title = next((h.text for h in page.headings if h.id == ident), page.title)
            return page, ident, title
    return None


def fill_in(page_html: str, resolved: Resolutions) -> str:
    """The page's HTML with its references' placeholders replaced."""
    if not resolved:
        return page_html

    def replace(match: re.Match[str]) -> str:
        url, title = resolved.get(PLACEHOLDER + match.group("key"), ("#", ""))
        text = html.escape(title) if match.group("title") else ""
        return f'href="{html.escape(url)}"{match.group("rest")}{text}'

    return _WRITTEN.sub(replace, page_html)


def _problem(page: Page, reference: Reference, message: str, hint: str | None) -> Diagnostic:
    return Diagnostic(
        path=page.shown_path,
        line=reference.line,
        col=reference.col,
        message=message,
        hint=hint,
        severity="warning",
        source_line=reference.source_line,
    )


def _ids_hint(fragment: str, ids: Iterable[str]) -> str:
    ids = sorted(ids)
    close = did_you_mean(fragment, ids)
    if close:
        return f"did you mean '#{close.split(chr(39))[1]}'?"
    if not ids:
        return "the page has no headings or ids"
    shown = ", ".join(f"#{i}" for i in ids[:5]) + (", …" if len(ids) > 5 else "")
    return f"its ids are {shown}"
