"""Page → HTML through the theme: navigation, relative URLs, and the runtime's tags."""

from __future__ import annotations

import itertools
import json
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from markupsafe import Markup

from .config import SiteConfig
from .parse import Page
from .runtime import RuntimeBundle
from .theme import Theme


@dataclass(frozen=True, kw_only=True)
class NavItem:
    title: str
    url: PurePosixPath
    section: str  # "" for pages at the top of the site


def navigation(pages: Sequence[Page]) -> tuple[NavItem, ...]:
    """Home first, then top-level pages, then one group per folder; ``order`` sorts within."""

    def key(page: Page) -> tuple[object, ...]:
        rel = page.source.rel
        folder = str(rel.parent) if str(rel.parent) != "." else ""
        return (folder != "", folder, rel.stem != "index", page.order, page.title.lower())

    return tuple(
        NavItem(title=page.title, url=page.source.url, section=_section(page.source.rel))
        for page in sorted(pages, key=key)
    )


def _section(rel: PurePosixPath) -> str:
    folder = rel.parent
    if str(folder) == ".":
        return ""
    return " / ".join(
        part.replace("-", " ").replace("_", " ").capitalize() for part in folder.parts
    )


def _href(target: PurePosixPath, here: PurePosixPath) -> str:
    return posixpath.relpath(str(target), str(here.parent))


def render_page(
    page: Page,
    *,
    theme: Theme,
    config: SiteConfig,
    nav: Sequence[NavItem],
    theme_assets: PurePosixPath,
    runtime: RuntimeBundle | None,
) -> str:
    here = page.source.url
    root = "../" * (len(here.parts) - 1)
    position = next(i for i, item in enumerate(nav) if item.url == here)
    links = [
        {
            "title": item.title,
            "href": _href(item.url, here),
            "section": item.section,
            "current": item.url == here,
        }
        for item in nav
    ]
    scripts = Markup("")
    if page.cells and runtime is not None:
        interpreter = page.interpreter(config.interpreter)
        settings = {
            "interpreter": interpreter,
            "interpreterURL": _href(runtime.interpreters[interpreter], here) + "/",
            "page": str(page.source.rel),
        }
        # "<" escaped so no string in the JSON can close the script element.
        payload = json.dumps(settings).replace("<", "\\u003c")
        scripts = Markup(
            f'<script type="application/json" id="pypage-config">{payload}</script>\n'
            f'<script type="module" src="{_href(runtime.loader / "page.js", here)}"></script>'
        )
    return theme.env.get_template("page.html").render(
        site={"title": config.title, "description": config.description},
        page={
            "title": page.title,
            "description": page.meta.get("description", config.description),
            "content": Markup(page.html),
            "headings": page.headings,
            "has_cells": bool(page.cells),
            "is_home": str(here) == "index.html",
        },
        root=root,
        home=links[0]["href"],
        nav=links,
        nav_sections=[
            {"title": title, "items": list(items)}
            for title, items in itertools.groupby(links, key=lambda link: link["section"])
        ],
        prev=links[position - 1] if position > 0 else None,
        next=links[position + 1] if position + 1 < len(links) else None,
        asset=lambda name: _href(theme_assets / name, here),
        pypage_scripts=scripts,
    )
