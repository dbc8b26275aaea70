"""Page → HTML through the theme: navigation, relative URLs, and the runtime's tags."""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from markupsafe import Markup

from pypage.config import SiteConfig, title_from_name
from pypage.interpreters import INTERPRETERS
from pypage.markdown.page import Page
from pypage.site.loader import EDITOR_MODULES, LoaderBundle, editor_module_path
from pypage.site.theme import Theme


@dataclass(frozen=True, kw_only=True)
class NavItem:
    title: str
    url: PurePosixPath
    top: str  # top-level folder ("" for pages at the top of the site)
    group: str  # label of the page's folder inside its top-level folder ("" when directly in it)


@dataclass(frozen=True)
class Navigation:
    """The site's pages in reading order, grouped by top-level folder."""

    items: tuple[NavItem, ...]
    position: dict[PurePosixPath, int] = field(init=False, repr=False, compare=False)
    sections: dict[str, tuple[NavItem, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "position", {item.url: i for i, item in enumerate(self.items)})
        sections: dict[str, list[NavItem]] = {}
        for item in self.items:
            sections.setdefault(item.top, []).append(item)
        object.__setattr__(self, "sections", {k: tuple(v) for k, v in sections.items()})


def navigation(pages: Sequence[Page]) -> Navigation:
    """Home first, then top-level pages, then one group per folder; ``order`` sorts within."""

    def key(page: Page) -> tuple[object, ...]:
        rel = page.source.rel
        folder = str(rel.parent) if str(rel.parent) != "." else ""
        return (folder != "", folder, rel.stem != "index", page.order, page.title.lower())

    items = []
    for page in sorted(pages, key=key):
        folders = page.source.rel.parent.parts
        items.append(
            NavItem(
                title=page.title,
                url=page.source.url,
                top=folders[0] if folders else "",
                group=" / ".join(title_from_name(part) for part in folders[1:]),
            )
        )
    return Navigation(tuple(items))


def relative_url(target: PurePosixPath, here: PurePosixPath) -> str:
    """The URL of site path ``target`` from the page at site path ``here``.

    String work instead of posixpath.relpath: a site's navigation asks this n² times."""
    target_parts = target.parts
    base = here.parts[:-1]
    common = 0
    while (
        common < len(base)
        and common < len(target_parts) - 1
        and base[common] == target_parts[common]
    ):
        common += 1
    return "../" * (len(base) - common) + "/".join(target_parts[common:])


def _sidebar(nav: Navigation, here: PurePosixPath) -> list[dict[str, object]]:
    """Top-level pages, then a link per section; only the current page's section is expanded, so
    a page's HTML grows with its section, not with the whole site."""
    current = nav.items[nav.position[here]].top

    def link(item: NavItem) -> dict[str, object]:
        return {
            "title": item.title,
            "href": relative_url(item.url, here),
            "current": item.url == here,
        }

    sidebar = []
    for top, items in nav.sections.items():
        expanded = top == "" or top == current
        groups = []
        if expanded:
            for group, members in itertools.groupby(items, key=lambda item: item.group):
                groups.append({"title": group, "items": [link(item) for item in members]})
        sidebar.append(
            {
                "title": title_from_name(top) if top else "",
                "href": relative_url(items[0].url, here),
                "expanded": expanded,
                "groups": groups,
            }
        )
    return sidebar


def _module(src: str) -> str:
    return f'<script type="module" src="{src}"></script>'


def render_page(
    page: Page,
    *,
    theme: Theme,
    config: SiteConfig,
    nav: Navigation,
    theme_assets: PurePosixPath,
    runtime: LoaderBundle | None,
    settings: Mapping[str, object] | None = None,
    search: PurePosixPath | None = None,
) -> str:
    """``search``: the folder of the site's search index, when it has one."""
    here = page.source.url
    root = "../" * (len(here.parts) - 1)
    position = nav.position[here]
    neighbours = {
        name: {"title": item.title, "href": relative_url(item.url, here)}
        for name, index in (("prev", position - 1), ("next", position + 1))
        if 0 <= index < len(nav.items)
        for item in (nav.items[index],)
    }
    scripts = []
    if page.cells and runtime is not None:
        interpreter = INTERPRETERS[page.interpreter(config.interpreter)]
        folder = relative_url(runtime.interpreters[interpreter.name], here) + "/"
        settings = {
            "interpreter": interpreter.name,
            "interpreterURL": folder,
            # The worker loads what these name: it keeps no list of interpreters of its own.
            "interpreterModuleURL": folder + interpreter.module,
            "adapterURL": relative_url(runtime.loader / interpreter.adapter, here),
            "page": str(page.source.rel),
            "layout": "slides" if page.is_slides else "page",
            **({"timeout": config.timeout} if config.timeout else {}),
            **(settings or {}),
        }
        # "<" escaped so no string in the JSON can close the script element.
        payload = json.dumps(settings).replace("<", "\\u003c")
        scripts.append(f'<script type="application/json" id="pypage-config">{payload}</script>')
        scripts.append(_import_map(runtime, here))
        scripts.append(_module(relative_url(runtime.loader / "page.js", here)))
    slides_css = ""
    if page.is_slides and runtime is not None:
        slides_css = relative_url(runtime.loader / "vendor/reveal.css", here)
        scripts.append(_module(relative_url(runtime.loader / "slides.js", here)))
    template = "slides.html" if page.is_slides else "page.html"
    return theme.env.get_template(template).render(
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
        home=relative_url(nav.items[0].url, here),
        nav_sections=_sidebar(nav, here),
        prev=neighbours.get("prev"),
        next=neighbours.get("next"),
        asset=lambda name: relative_url(theme_assets / name, here),
        pypage_scripts=Markup("\n".join(scripts)),
        slides_css=slides_css,
        search={"module": relative_url(search / "pagefind.js", here)} if search else None,
    )


def _import_map(runtime: LoaderBundle, here: PurePosixPath) -> str:
    """Names the editor's modules import each other by, mapped to their files in the site. It maps
    only: nothing is fetched until the editor is first used."""
    return _import_map_at(runtime.loader, len(here.parts) - 1)


@functools.lru_cache(maxsize=64)
def _import_map_at(loader: PurePosixPath, depth: int) -> str:
    """The same for every page at the same folder depth."""
    here = PurePosixPath(*(["_"] * depth), "page.html")
    imports = {}
    for name in EDITOR_MODULES:
        url = relative_url(loader / editor_module_path(name), here)
        # An import map's relative URLs must start with ./ or ../ (else they read as names).
        imports[name] = url if url.startswith("../") else f"./{url}"
    return f'<script type="importmap">{json.dumps({"imports": imports})}</script>'
