"""Finding the site's sources: every Markdown file is a page, any other file is copied."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pypage.config import SiteConfig


@dataclass(frozen=True, kw_only=True)
class SourcePage:
    path: Path
    rel: PurePosixPath  # "guide/intro.md"
    url: PurePosixPath  # "guide/intro.html", relative to the site root


@dataclass(frozen=True, kw_only=True)
class SiteSources:
    pages: tuple[SourcePage, ...]
    copied: tuple[PurePosixPath, ...]  # every other file, copied as it is
    _pages_by_rel: dict[PurePosixPath, SourcePage] = field(init=False, repr=False, compare=False)
    _pages_by_url: dict[PurePosixPath, SourcePage] = field(init=False, repr=False, compare=False)
    _copied_set: frozenset[PurePosixPath] = field(init=False, repr=False, compare=False)
    # Where links written on pages point (markdown.links), kept while the sources are these.
    resolved: dict[tuple[str, PurePosixPath], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pages_by_rel", {page.rel: page for page in self.pages})
        object.__setattr__(self, "_pages_by_url", {page.url: page for page in self.pages})
        object.__setattr__(self, "_copied_set", frozenset(self.copied))

    def page_for(self, rel: PurePosixPath) -> SourcePage | None:
        return self._pages_by_rel.get(rel)

    def page_built_as(self, url: PurePosixPath) -> SourcePage | None:
        """The page whose HTML is ``url`` ("guide/index.html" may be guide/README.md)."""
        return self._pages_by_url.get(url)

    def index_of(self, folder: PurePosixPath) -> SourcePage | None:
        """The folder's home page: its index.md, else its README.md."""
        return self._pages_by_url.get(folder / "index.html")

    def has_file(self, rel: PurePosixPath) -> bool:
        return rel in self._pages_by_rel or rel in self._copied_set


def page_url(rel: PurePosixPath) -> PurePosixPath:
    return rel.with_suffix(".html")


def is_readme(name: str) -> bool:
    return name.lower() == "readme.md"


def discover(config: SiteConfig, out: Path) -> SiteSources:
    # os.walk on strings: pathlib costs a rebuild of unchanged sources a quarter of its time here.
    root = os.path.realpath(config.root)
    output = os.path.realpath(out)
    # The settings file is not published: it is only one when it is at the top of the pages.
    config_names = {config.file.name} if config.file.parent == config.root else set()
    pages: list[SourcePage] = []
    copied: list[PurePosixPath] = []
    for folder, dirs, files in os.walk(root):
        here = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if here == "." else here + "/"
        # _ and . folders are private by convention (drafts, _site, .git); the output folder may
        # have any name, so it is skipped by identity.
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(("_", ".")) and os.path.realpath(os.path.join(folder, d)) != output
        )
        # As on GitHub, a folder's README.md is its home page when it has no index.md.
        readme = "index.md" not in files
        for name in sorted(files):
            if name.startswith((".", "_")) or (not prefix and name in config_names):
                continue
            rel = PurePosixPath(prefix + name)
            if name.lower().endswith(".md"):
                url = page_url(rel)
                if readme and is_readme(name):
                    url, readme = PurePosixPath(prefix + "index.html"), False
                pages.append(SourcePage(path=Path(folder, name), rel=rel, url=url))
            else:
                copied.append(rel)
    return SiteSources(pages=tuple(pages), copied=tuple(copied))
