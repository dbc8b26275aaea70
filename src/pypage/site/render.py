"""Page → HTML through the theme: the sidebar, relative URLs, and the runtime's tags."""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Mapping
from pathlib import PurePosixPath
from urllib.parse import quote

from markupsafe import Markup

from pypage.config import SiteConfig
from pypage.interpreters import INTERPRETERS
from pypage.markdown.page import Page
from pypage.site.loader import EDITOR_MODULES, LoaderBundle, editor_module_path
from pypage.site.navigation import Navigation, NavItem
from pypage.site.theme import Theme

_NOT_URL = re.compile(r"[^A-Za-z0-9._~/-]")


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
    url = "../" * (len(base) - common) + "/".join(target_parts[common:])
    # A file named c#.md or "my notes.md": '#' would start a fragment, a space is not a URL.
    return quote(url, safe="/") if _NOT_URL.search(url) else url


def _sidebar(nav: Navigation, here: PurePosixPath) -> list[dict[str, object]]:
    """Top-level entries, then a link per section; only the current page's section is expanded,
    so a page's HTML grows with its section, not with the whole site. Sections inside it show as
    groups titled by their path ("Basics / Strings")."""
    trail = nav.pages[nav.position[here]].sections
    current = trail[0].key if trail else None

    def link(item: NavItem) -> dict[str, object]:
        return {
            "title": item.title,
            "href": relative_url(item.url, here) if item.url is not None else item.link,
            "current": item.url == here,
        }

    def top(item: NavItem) -> int | None:
        return item.sections[0].key if item.sections else None

    sidebar = []
    for key, block in itertools.groupby(nav.items, key=top):
        items = list(block)
        expanded = key is None or key == current
        groups = []
        if expanded:
            for _, members in itertools.groupby(items, key=lambda item: item.sections[1:]):
                entries = list(members)
                title = " / ".join(section.title for section in entries[0].sections[1:])
                groups.append({"title": title, "items": [link(item) for item in entries]})
        first = next((item for item in items if item.url is not None), items[0])
        sidebar.append(
            {
                "title": items[0].sections[0].title if key is not None else "",
                "href": link(first)["href"],
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
    position = nav.position[here]
    neighbours = {
        name: {"title": item.title, "href": relative_url(item.url, here)}
        for name, index in (("prev", position - 1), ("next", position + 1))
        if 0 <= index < len(nav.pages)
        for item in (nav.pages[index],)
        if item.url is not None
    }
    scripts = []
    # In-site navigation keeps the interpreter for the whole visit: every page of a site with
    # cells takes part, those without cells too (a reader's path often crosses some). Slides
    # pages are left to the browser (reveal.js owns their document).
    navigates = (
        config.navigation
        and runtime is not None
        and bool(runtime.interpreters)
        and not page.is_slides
    )
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
            **(
                {"snapshot": snapshot_key(runtime, interpreter.name, here)}
                if interpreter.snapshots and config.snapshot
                else {}
            ),
            **(settings or {}),
        }
        # "<" escaped so no string in the JSON can close the script element.
        payload = json.dumps(settings).replace("<", "\\u003c")
        scripts.append(f'<script type="application/json" id="pypage-config">{payload}</script>')
    if runtime is not None and (page.cells or navigates):
        # Before any module script: an import map takes effect only then. On pages without cells
        # too, for the cells of the pages navigated to from there (not every browser lets a
        # script add one later).
        scripts.append(_import_map(runtime, here))
    if page.cells and runtime is not None:
        scripts.append(_module(relative_url(runtime.loader / "page.js", here)))
    if navigates:
        assert runtime is not None
        scripts.append(_module(relative_url(runtime.loader / "navigate.js", here)))
    slides_css = ""
    if page.is_slides and runtime is not None:
        slides_css = relative_url(runtime.loader / "vendor/reveal.css", here)
        scripts.append(_module(relative_url(runtime.loader / "slides.js", here)))
    return _fill(
        theme,
        "slides.html" if page.is_slides else "page.html",
        here,
        config=config,
        nav=nav,
        theme_assets=theme_assets,
        page={
            "title": page.title,
            "description": page.meta.get("description", config.description),
            "content": Markup(page.html),
            "headings": page.headings,
            "has_cells": bool(page.cells),
            "is_home": str(here) == "index.html",
        },
        nav_sections=_sidebar(nav, here),
        prev=neighbours.get("prev"),
        next=neighbours.get("next"),
        pypage_scripts=Markup("\n".join(scripts)),
        slides_css=slides_css,
        search={"module": relative_url(search / "pagefind.js", here)} if search else None,
    )


def _fill(
    theme: Theme,
    template: str,
    here: PurePosixPath,
    *,
    config: SiteConfig,
    nav: Navigation,
    theme_assets: PurePosixPath,
    **parts: object,
) -> str:
    """A theme template filled in for the page at site path ``here``: what every page gives its
    template (the site, the way to its root, home and theme files), and ``parts``."""
    return theme.env.get_template(template).render(
        site={"title": config.title, "description": config.description},
        root="../" * (len(here.parts) - 1),
        home=relative_url(nav.home, here),
        asset=lambda name: relative_url(theme_assets / name, here),
        **parts,
    )


# The offline page's list of kept pages: the service worker fills it in (runtime/sw/pypage-sw.js).
OFFLINE_LIST = "<ul data-pypage-offline-pages></ul>"


def render_offline_page(
    here: PurePosixPath,
    *,
    theme: Theme,
    config: SiteConfig,
    nav: Navigation,
    theme_assets: PurePosixPath,
) -> str:
    """The page the service worker shows for a page never visited while the reader is offline:
    the site's theme, and the pages kept for offline reading. ``here``: its site path."""
    content = (
        '<h1 id="offline">You are offline</h1>\n'
        "<p>This page has not been visited yet, so it is not kept for reading offline. "
        "These pages are:</p>\n"
        f"{OFFLINE_LIST}\n"
    )
    return _fill(
        theme,
        "page.html",
        here,
        config=config,
        nav=nav,
        theme_assets=theme_assets,
        page={
            "title": "Offline",
            "description": "",
            "content": Markup(content),
            "headings": [],
            "has_cells": False,
            "is_home": False,
        },
        nav_sections=[],
        prev=None,
        next=None,
        pypage_scripts=Markup(""),
        slides_css="",
        search=None,
    )


def snapshot_key(runtime: LoaderBundle, interpreter: str, here: PurePosixPath) -> str:
    """Where the reader's browser keeps the interpreter's memory snapshot (a Cache Storage key,
    never fetched): under the runtime's folder, named after the interpreter's, so a new build of
    either is a new key."""
    name = f"snapshot-{runtime.interpreters[interpreter].name}"
    return relative_url(runtime.loader / name, here)


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
