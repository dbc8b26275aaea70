"""The site's navigation: its pages in reading order, in sections. Either the ``nav`` setting
written out, or the files themselves: names in natural order (``2-x`` before ``10-x``), a folder
a section titled by its index page, ``order:`` first within a folder."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pypage.config import SiteConfig, title_from_file_name
from pypage.errors import Diagnostic, at_line, did_you_mean, source_line
from pypage.markdown.page import Page
from pypage.nav import NavEntry, page_path, page_targets
from pypage.sources import SiteSources


@dataclass(frozen=True, kw_only=True)
class NavSection:
    key: int  # tells apart sections of the same title
    title: str


@dataclass(frozen=True, kw_only=True)
class NavItem:
    title: str
    url: PurePosixPath | None  # the page's site path; None for a link out of the site
    link: str = ""  # that link
    sections: tuple[NavSection, ...] = ()  # the sections holding it, outermost first


@dataclass(frozen=True)
class Navigation:
    """Every entry in reading order; prev and next go through its pages."""

    items: tuple[NavItem, ...]
    pages: tuple[NavItem, ...] = field(init=False, repr=False, compare=False)
    position: dict[PurePosixPath, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        pages = tuple(item for item in self.items if item.url is not None)
        position: dict[PurePosixPath, int] = {}
        for index, item in enumerate(pages):
            assert item.url is not None
            position.setdefault(item.url, index)  # a page listed twice reads at its first place
        object.__setattr__(self, "pages", pages)
        object.__setattr__(self, "position", position)

    @property
    def home(self) -> PurePosixPath:
        """The site's index page, else its first page."""
        index = PurePosixPath("index.html")
        return index if index in self.position else self.pages[0].url or index


def navigation(pages: Sequence[Page], nav: Sequence[NavEntry] | None = None) -> Navigation:
    """``nav``'s entries (checked by ``check_nav``), then the pages it leaves out, in file order."""
    counter = iter(range(1 << 62))
    items: list[NavItem] = []
    rest = list(pages)
    if nav is not None:
        by_path = {str(page.source.rel): page for page in pages}
        items.extend(_from_entries(nav, by_path, (), counter))
        listed = {page_path(entry.target) for entry in page_targets(nav)}
        rest = [page for page in pages if str(page.source.rel) not in listed]
    items.extend(_from_files(_folder_tree(rest), (), counter))
    return Navigation(tuple(items))


def check_nav(config: SiteConfig, sources: SiteSources) -> list[Diagnostic]:
    """An entry naming no page is an error at its place; pages it leaves out, one warning."""
    if config.nav is None:
        return []
    found = []
    paths = [str(page.rel) for page in sources.pages]
    for entry in page_targets(config.nav):
        if sources.page_for(PurePosixPath(page_path(entry.target))) is not None:
            continue
        target = page_path(entry.target)
        hint = (
            "nav entries are .md pages (paths from the site's top) or links such as https://…"
            if not target.lower().endswith(".md")
            else "paths in nav start at the top of the site's pages"
        )
        found.append(
            Diagnostic(
                path=config.shown_path,
                line=entry.line,
                col=entry.col,  # none when the entry's text was not found on its line
                source_line=source_line(config.lines, entry.line),
                message=f"nav names a missing page '{entry.target}'{did_you_mean(target, paths)}",
                hint=hint,
            )
        )
    listed = {page_path(entry.target) for entry in page_targets(config.nav)}
    left_out = [path for path in paths if path not in listed]
    if left_out:
        line = config.key_lines.get("nav")
        shown = ", ".join(left_out[:5]) + (f" and {len(left_out) - 5} more" if left_out[5:] else "")
        count = f"{len(left_out)} page{'s are' if len(left_out) > 1 else ' is'}"
        found.append(
            at_line(
                config.shown_path,
                config.lines,
                line,
                f"{count} not in nav: {shown}",
                hint="they are listed after nav's entries; add them to nav to place them",
                severity="warning",
            )
        )
    return found


def _from_entries(
    entries: Sequence[NavEntry],
    pages: dict[str, Page],
    sections: tuple[NavSection, ...],
    counter: Iterator[int],
) -> Iterator[NavItem]:
    for entry in entries:
        if entry.children is not None:
            inner = (*sections, NavSection(key=next(counter), title=entry.title))
            yield from _from_entries(entry.children, pages, inner, counter)
        elif entry.is_link:
            yield NavItem(
                title=entry.title or entry.target, url=None, link=entry.target, sections=sections
            )
        elif (page := pages.get(page_path(entry.target))) is not None:
            yield NavItem(title=entry.title or page.title, url=page.source.url, sections=sections)


@dataclass
class _Folder:
    name: str
    index: Page | None = None  # its index.md (or README.md)
    pages: list[Page] = field(default_factory=list)
    folders: dict[str, _Folder] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.index.title if self.index is not None else title_from_file_name(self.name)

    @property
    def order(self) -> float | None:
        return self.index.order if self.index is not None else None


def _folder_tree(pages: Sequence[Page]) -> _Folder:
    root = _Folder(name="")
    for page in pages:
        folder = root
        for part in page.source.rel.parent.parts:
            folder = folder.folders.setdefault(part, _Folder(name=part))
        if page.source.url.name == "index.html" and folder.index is None:
            folder.index = page
        else:
            folder.pages.append(page)
    return root


def _from_files(
    folder: _Folder, sections: tuple[NavSection, ...], counter: Iterator[int]
) -> Iterator[NavItem]:
    if folder.index is not None:
        yield NavItem(title=folder.index.title, url=folder.index.source.url, sections=sections)
    entries: list[tuple[tuple[object, ...], Page | _Folder]] = []
    for page in folder.pages:
        entries.append((sort_key(page.source.rel.stem, page.order), page))
    for sub in folder.folders.values():
        entries.append((sort_key(sub.name, sub.order), sub))
    for _, entry in sorted(entries, key=lambda pair: pair[0]):
        if isinstance(entry, _Folder):
            inner = (*sections, NavSection(key=next(counter), title=entry.title))
            yield from _from_files(entry, inner, counter)
        else:
            yield NavItem(title=entry.title, url=entry.source.url, sections=sections)


_DIGITS = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[object, ...]:
    """``2-x`` before ``10-x``, case aside: runs of digits compare as numbers."""
    return tuple(
        int(part) if index % 2 else part
        for index, part in enumerate(_DIGITS.split(name.casefold()))
    )


def sort_key(name: str, order: float | None) -> tuple[object, ...]:
    """Entries with ``order:`` first, by it; then the rest by name (the name itself breaks ties,
    so the order never depends on the file system's)."""
    return (order is None, order or 0.0, natural_key(name), name)
