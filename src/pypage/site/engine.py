"""The build engine, one for ``pypage build`` and ``pypage serve``: sources in, every file of the
site out (a ``SiteOutput``), nothing written. A full build is a run from an empty state; serve
keeps one engine and runs it again after each save.

Per-page work (parse, check, render) is a function of the page's source and the site's state, so
its results are kept by content hash, in memory and in the page cache, and redone only when an
input changed; what is left is spread over every core. Site-wide work (packages, bundles) is
redone only when what it depends on changed.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from pypage.bundles import BUNDLE_ROOT, SiteOutput
from pypage.config import SiteConfig, load_config
from pypage.errors import Diagnostic, Diagnostics, PypageError, display_path
from pypage.interpreters import INTERPRETERS
from pypage.markdown.page import Page
from pypage.packages.datafiles import bundle_files
from pypage.resources import data_path
from pypage.site.crossrefs import cross_references, fill_in
from pypage.site.loader import LoaderBundle, bundle_loader
from pypage.site.navigation import Navigation, check_nav, navigation
from pypage.site.page_cache import PageCache
from pypage.site.parallel import map_pages
from pypage.site.render import relative_url, render_offline_page, render_page
from pypage.site.search import add_search_index, search_folder
from pypage.site.serviceworker import SERVICE_WORKER, add_service_worker, service_worker_version
from pypage.site.theme import Theme, load_theme
from pypage.sources import SiteSources, SourcePage, discover

if TYPE_CHECKING:  # the parser and the package stages load when there is work for them
    from pypage.packages.bundle import SitePackages
    from pypage.packages.distribution import Distribution
    from pypage.packages.needs import Origin, PageNeeds
    from pypage.packages.resolve import Resolution

log = logging.getLogger(__name__)

# Recorded cell outputs (``pypage build --execute``): by page, then cell id, the markup drawn.
Outputs = Mapping[PurePosixPath, Mapping[str, str]]


@dataclass(frozen=True, kw_only=True)
class Options:
    strict: bool = False
    offline: bool = False
    service_worker: bool = True
    outputs: Outputs | None = None  # to pre-render


@dataclass(frozen=True, kw_only=True)
class Built:
    """One run of the engine: the site's files, not yet written."""

    config: SiteConfig
    pages: tuple[Page, ...]
    warnings: tuple[Diagnostic, ...]
    output: SiteOutput


@dataclass(frozen=True, kw_only=True)
class PageWork:
    """What reading one page found: the page, what it needs and the problems in both."""

    page: Page
    diagnostics: tuple[Diagnostic, ...]
    # None when its needs depend on other files (packages: or files: paths), which are checked
    # afresh on every run.
    needs: PageNeeds | None


class Engine:
    def __init__(
        self, site: Path, *, out: Path, options: Options, cache: PageCache | None = None
    ) -> None:
        self.site = site
        self.out = out
        self.options = options
        self.cache = cache or PageCache(None)
        # What earlier runs computed, kept while their inputs are unchanged.
        self._pages: dict[str, PageWork] = {}
        self._html: dict[str, bytes | Path] = {}
        self._offline: dict[str, bytes] = {}  # the offline page, by what it is made from
        self._resolutions: dict[str, tuple[Distribution | None, Resolution | None]] = {}
        self._runtimes: dict[tuple[str, ...], tuple[SiteOutput, LoaderBundle]] = {}
        self._last: _LastRun | None = None  # what the last successful run found

    def run(self, changed: Collection[PurePosixPath] | None = None) -> Built:
        """Raises ``PypageError`` with every problem found, before anything is written.

        ``changed``: the site paths edited since the last successful run, when the caller knows
        them (serve). When they are all existing pages, the settings, the site's file list, the
        other pages' text and the theme are what the last run found."""
        last = self._last
        if last is not None and changed is not None and all(map(self._is_page_of_last, changed)):
            config, sources = last.config, last.sources
            reread: Collection[PurePosixPath] | None = changed
        else:
            # Configuration: pypage.toml is optional.
            config = load_config(self.site)
            # Discovery: Markdown files are pages, everything else is copied.
            sources = discover(config, self.out)
            reread = None

        # Reading: every page, collecting every problem before giving up.
        diagnostics = Diagnostics()
        if not sources.pages:
            diagnostics.add(
                Diagnostic(
                    path=display_path(config.root, config.root),
                    message="no Markdown pages in the site",
                    hint="every .md file becomes a page; start with index.md",
                    severity="warning",
                )
            )
        elif sources.index_of(PurePosixPath()) is None:
            diagnostics.add(
                Diagnostic(
                    path=display_path(config.root, config.root),
                    message="the site has no home page: no index.md or README.md at its top",
                    hint="a visit to the site's address opens index.html; add an index.md there",
                    severity="warning",
                )
            )
        diagnostics.extend(config.warnings)
        diagnostics.extend(check_nav(config, sources))
        keys, works = self._read_pages(config, sources, reread)
        pages = [work.page for work in works]
        needs: dict[PurePosixPath, PageNeeds] = {}
        for work in works:
            diagnostics.extend(work.diagnostics)
            if work.needs is not None:
                needs[work.page.source.rel] = work.needs
            else:
                needs[work.page.source.rel], found = _needs(work.page, config)
                diagnostics.extend(found)
        # Links between pages: fragments checked, MyST references resolved.
        found, resolutions = cross_references(pages)
        diagnostics.extend(found)
        diagnostics.raise_if_errors(strict=self.options.strict or config.strict)

        # Packages: resolved (and downloaded, once per machine) before anything is written.
        distribution, resolution = self._resolve(config, pages, needs)

        # Bundles: the loader, the interpreters, the theme, the packages and the data files.
        output = SiteOutput()
        theme = last.theme if reread is not None and last is not None else self._load_theme(config)
        output.files.update(theme.files.files)
        runtime = self._bundle_loader(output, config, pages)
        packages = None
        if resolution is not None and distribution is not None:
            from pypage.packages.bundle import bundle_packages

            packages = bundle_packages(output, resolution, distribution)
        shipped = {rel: bundle_files(output, need.files) for rel, need in needs.items()}
        # Rendering: every page through the theme.
        nav = navigation(pages, config.nav)
        filled = []
        for key, page in zip(keys, pages, strict=True):
            if resolved := resolutions.get(page.source.rel):
                page = dataclasses.replace(page, html=fill_in(page.html, resolved))
                key = _hash(key, sorted(resolved.items()))
            filled.append((key, page))
        search = search_folder() if config.search and pages else None
        version = ""
        offline = None
        if self.options.service_worker and runtime:  # it is not among the files it lists
            offline = self._add_offline_page(output, theme, config, nav)
            version = service_worker_version(output)
        jobs = [
            (key, page, page_settings(page, needs[page.source.rel], packages, shipped, version))
            for key, page in filled
        ]
        html = self._render(
            _RenderContext(
                config=config,
                theme_key=theme.key,
                nav=nav,
                theme_assets=theme.assets,
                runtime=runtime,
                search=search,
            ),
            jobs,
        )
        for page, content in zip(pages, html, strict=True):
            # A path is a page cache file, named after the page's render key.
            output.add(page.source.url, content, named=isinstance(content, Path))
        if search is not None:
            problem = add_search_index(output, search, pages, self.cache.folder)
            if problem is not None:
                diagnostics.add(problem)
        if version:
            add_service_worker(
                output,
                isolate=config.cross_origin_isolation,
                version=version,
                search=search,
                offline=offline,
            )

        for rel in sources.copied:
            output.add(rel, config.root / rel)
        # GitHub Pages would otherwise run Jekyll, which drops the _pypage folder.
        output.add(PurePosixPath(".nojekyll"), b"")
        if self._last is None:  # once per engine: serve's saves need not scan the cache
            self.cache.prune(set(keys) | set(self._html) | set(self._offline))
        self._last = _LastRun(
            config=config,
            sources=sources,
            read_keys=dict(zip((s.rel for s in sources.pages), keys, strict=True)),
            theme=theme,
        )
        return Built(
            config=config, pages=tuple(pages), warnings=tuple(diagnostics.warnings), output=output
        )

    # Pages -------------------------------------------------------------------------------------

    def _load_theme(self, config: SiteConfig) -> _ThemeBundle:
        theme = load_theme(config)
        files = SiteOutput()
        assets = files.add_bundle("theme", theme.static_files())
        key = _theme_key(theme, assets)
        _themes.clear()
        _themes[key] = theme  # rendering here (and in forked workers) uses this one
        return _ThemeBundle(theme=theme, files=files, assets=assets, key=key)

    def forget(self) -> None:
        """The next run starts from the files alone (after an unexpected failure)."""
        self._last = None

    def _is_page_of_last(self, rel: PurePosixPath) -> bool:
        assert self._last is not None
        return (
            rel.suffix.lower() == ".md"
            and self._last.sources.page_for(rel) is not None
            and (self._last.config.root / rel).is_file()
        )

    def _read_pages(
        self,
        config: SiteConfig,
        sources: SiteSources,
        reread: Collection[PurePosixPath] | None,
    ) -> tuple[list[str], list[PageWork]]:
        site_key = _hash(
            _code_version(), repr(config), [str(p.rel) for p in sources.pages], sources.copied
        )
        recorded = self.options.outputs or {}
        keys, todo = [], []
        known = self._last.read_keys if self._last is not None and reread is not None else {}
        edited = set(reread or ())
        shown_path = _page_paths_shown(config.root)
        for source in sources.pages:
            if (
                source.rel not in edited
                and known.get(source.rel) in self._pages
                and _includes_unchanged(self._pages[known[source.rel]].page)
            ):
                keys.append(known[source.rel])  # not edited since the last run
                continue
            shown = shown_path(source)
            try:
                text = source.path.read_bytes()
            except OSError as error:
                raise PypageError(
                    Diagnostic(path=shown, message=f"cannot read the page: {error.strerror}")
                ) from None
            key = _hash(site_key, shown, sorted(recorded.get(source.rel, {}).items()), text)
            keys.append(key)
            if key not in self._pages and (cached := self.cache.load(key)) is not None:
                self._pages[key] = cached
            if key in self._pages and not _includes_unchanged(self._pages[key].page):
                del self._pages[key]
            if key not in self._pages:
                todo.append((key, source, shown, text))
        context = _ReadContext(config=config, sources=sources, outputs=recorded, cache=self.cache)
        for (key, *_), work in zip(todo, map_pages(_read_page, context, todo), strict=True):
            self._pages[key] = work
        works = [self._pages[key] for key in keys]
        self._pages = dict(zip(keys, works, strict=True))  # forget pages that changed
        return keys, works

    def _render(
        self, context: _RenderContext, jobs: Sequence[tuple[str, Page, dict[str, object]]]
    ) -> list[bytes | Path]:
        # A page's included files are part of what its HTML is made from (the read key is its text).
        keys = [
            _hash(key, context.key, settings, sorted(page.includes.items()))
            for key, page, settings in jobs
        ]
        todo = []
        for key, (_, page, settings) in zip(keys, jobs, strict=True):
            if key not in self._html and (cached := self.cache.html(key)) is not None:
                self._html[key] = cached
            if key not in self._html:
                todo.append((key, page, settings))
        rendered: Sequence[bytes | Path] = ()
        if todo:  # templates are compiled (and their errors found) when a page needs them
            with _template_errors():
                rendered = map_pages(_render_page, (context, self.cache), todo)
        for (key, *_), content in zip(todo, rendered, strict=True):
            self._html[key] = content
        self._html = {key: self._html[key] for key in keys}  # forget pages that changed
        return [self._html[key] for key in keys]

    def _add_offline_page(
        self, output: SiteOutput, theme: _ThemeBundle, config: SiteConfig, nav: Navigation
    ) -> PurePosixPath:
        """The service worker's page for a page never visited, offline; returns its site path.
        Kept like a page's HTML: a rebuild that reuses every page compiles no template."""
        # Rendered for its place in the bundle folder (the name's hash does not change its depth).
        here = BUNDLE_ROOT / "offline" / "index.html"
        key = _hash("offline page", theme.key, config.title, config.description, nav.home)
        html = self._offline.get(key)
        if html is None and (kept := self.cache.html(key)) is not None:
            html = kept.read_bytes()
        if html is None:
            with _template_errors():
                html = render_offline_page(
                    here, theme=theme.theme, config=config, nav=nav, theme_assets=theme.assets
                ).encode()
            self.cache.store_html(key, html)
        self._offline = {key: html}
        return output.add_bundle("offline", {here.name: html}) / here.name

    # Site-wide work ----------------------------------------------------------------------------

    def _resolve(
        self, config: SiteConfig, pages: Sequence[Page], needs: Mapping[PurePosixPath, PageNeeds]
    ) -> tuple[Distribution | None, Resolution | None]:
        installing = [
            page
            for page in pages
            if INTERPRETERS[page.interpreter(config.interpreter)].installs_packages
            and (page.cells or needs[page.source.rel].packages)
        ]
        requests = {r.key: r for p in installing for r in needs[p.source.rel].packages}
        modules = sorted({m for p in installing for m in needs[p.source.rel].modules})
        if not requests and not modules:
            return None, None  # cells that import nothing need nothing resolved
        # Local projects are not re-read on every save: what a page asks for is the key.
        key = _hash(
            _code_version(),  # it covers the pinned Pyodide version too
            config.pyodide_distribution,
            config.pyodide_lock,
            sorted(requests),
            modules,
            self.options.offline,
        )
        if key not in self._resolutions and self.cache.site_state("no packages") == key:
            # The last build found that the cells import nothing from the distribution.
            self._resolutions = {key: (None, None)}
        if key not in self._resolutions:
            from pypage.packages.distribution import load_distribution
            from pypage.packages.resolve import resolve

            distribution = load_distribution(config, offline=self.options.offline)
            scanned = distribution_imports(installing, needs, distribution)
            resolution = None
            if scanned or requests:
                resolution = resolve(
                    list(requests.values()), scanned, distribution, offline=self.options.offline
                )
            else:
                self.cache.store_site_state("no packages", key)
            self._resolutions = {key: (distribution, resolution)}
        return self._resolutions[key]

    def _bundle_loader(
        self, output: SiteOutput, config: SiteConfig, pages: Sequence[Page]
    ) -> LoaderBundle | None:
        # Only the interpreters that pages with cells use; each page loads only its own.
        interpreters = tuple(
            sorted({page.interpreter(config.interpreter) for page in pages if page.cells})
        )
        if not interpreters and not any(page.is_slides for page in pages):
            return None
        if interpreters not in self._runtimes:
            files = SiteOutput()
            runtime = bundle_loader(files, set(interpreters), offline=self.options.offline)
            self._runtimes = {interpreters: (files, runtime)}
        files, runtime = self._runtimes[interpreters]
        output.files.update(files.files)
        return runtime


@dataclass(frozen=True, kw_only=True)
class _LastRun:
    config: SiteConfig
    sources: SiteSources
    read_keys: dict[PurePosixPath, str]  # each page's read key
    theme: _ThemeBundle


@dataclass(frozen=True, kw_only=True)
class _ThemeBundle:
    theme: Theme
    files: SiteOutput  # its static files' bundle
    assets: PurePosixPath  # that bundle's folder
    key: str  # its templates and static files, for the render key


@dataclass(frozen=True, kw_only=True)
class _ReadContext:
    config: SiteConfig
    sources: SiteSources
    outputs: Outputs
    cache: PageCache


def _read_page(context: _ReadContext, job: tuple[str, SourcePage, str, bytes]) -> PageWork:
    """Runs in a worker process when there are many pages; the worker keeps what it read."""
    from pypage.markdown.imports import check_imports, file_modules
    from pypage.markdown.page import parse_page

    key, source, shown, text = job
    config = context.config
    decoded, problem = _page_text(shown, text)
    if problem is not None:  # an empty page stands in for it: the build stops with the error
        empty, _ = parse_page(source, "", site=context.sources, shown_path=shown)
        return PageWork(page=empty, diagnostics=(problem,), needs=None)
    page, found = parse_page(
        source,
        decoded,
        site=context.sources,
        shown_path=shown,
        site_title=config.title,
        outputs=context.outputs.get(source.rel),
    )
    declared = page.meta.get("files", ())  # not a list: reported with the page's other needs
    files = file_modules([*config.files, *(declared if isinstance(declared, list) else ())])
    found.extend(check_imports(page, page.interpreter(config.interpreter), files))
    needs = None
    if not (page.meta.get("packages") or page.meta.get("files") or config.packages or config.files):
        needs, more = _needs(page, config)
        found.extend(more)
    work = PageWork(page=page, diagnostics=tuple(found), needs=needs)
    context.cache.store(key, work)
    return work


def _page_text(shown: str, data: bytes) -> tuple[str, Diagnostic | None]:
    """The page's text, or what is wrong with it: not UTF-8, or not text at all."""
    try:
        # utf-8-sig: editors on Windows may start files with a byte-order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # Where the first byte that is not UTF-8 is, as an editor counts lines and columns.
        before = data[: error.start]
        start = before.rfind(b"\n") + 1
        return "", Diagnostic(
            path=shown,
            line=before.count(b"\n") + 1,
            col=len(before[start:].decode("utf-8", "replace")) + 1,
            message=f"not UTF-8: byte 0x{data[error.start]:02x} cannot start a character here",
            hint="save the file as UTF-8 (most editors: Save with Encoding → UTF-8); "
            "a file that is not text should not be named .md",
            source_line=data[start:].split(b"\n", 1)[0].decode("utf-8", "replace"),
        )
    if "\0" in text:
        return "", Diagnostic(
            path=shown,
            line=text.count("\n", 0, text.index("\0")) + 1,
            col=1,
            message="not a text file (it holds NUL bytes)",
            hint="a page is a Markdown text file; rename the file if it is not one",
        )
    return text, None


def _includes_unchanged(page: Page) -> bool:
    """A page is read again when a file it included changed since."""
    if not page.includes:
        return True
    from pypage.markdown.includes import fingerprint

    return all(fingerprint(path) == digest for path, digest in page.includes.items())


def _needs(page: Page, config: SiteConfig) -> tuple[PageNeeds, list[Diagnostic]]:
    from pypage.packages.needs import page_needs

    return page_needs(page, config, page.interpreter(config.interpreter))


@dataclass(frozen=True, kw_only=True)
class _RenderContext:
    config: SiteConfig
    theme_key: str
    nav: Navigation
    theme_assets: PurePosixPath
    runtime: LoaderBundle | None
    search: PurePosixPath | None = None

    @functools.cached_property
    def key(self) -> str:
        """Everything besides the page and its settings that its HTML depends on."""
        return _hash(
            self.theme_key,
            repr(self.config),
            repr(self.nav.items),
            str(self.theme_assets),
            repr(self.runtime),
            str(self.search),
        )


def _render_page(
    contexts: tuple[_RenderContext, PageCache], job: tuple[str, Page, dict[str, object]]
) -> bytes | Path:
    """Runs in a worker process when there are many pages: the page goes to the page cache from
    there, and only its path comes back."""
    context, cache = contexts
    key, page, settings = job
    html = render_page(
        page,
        theme=_theme(context.config, context.theme_key),
        config=context.config,
        nav=context.nav,
        theme_assets=context.theme_assets,
        runtime=context.runtime,
        settings=settings,
        search=context.search,
    ).encode()
    return cache.store_html(key, html) or html


_themes: dict[str, Theme] = {}


def _theme(config: SiteConfig, key: str) -> Theme:
    """One theme (and its compiled templates) per process, however many pages it renders."""
    if key not in _themes:
        _themes.clear()
        _themes[key] = load_theme(config)
    return _themes[key]


def _theme_key(theme: Theme, assets: PurePosixPath) -> str:
    # Every file but static/ (bundled on its own): partials, macros and includes too.
    templates = sorted(
        (path.relative_to(folder).as_posix(), path.read_bytes())
        for folder in theme.folders
        for path in folder.rglob("*")
        if path.is_file() and path.relative_to(folder).parts[0] != "static"
    )
    return _hash(str(assets), [str(f) for f in theme.folders], templates)


def distribution_imports(
    pages: Sequence[Page], needs: Mapping[PurePosixPath, PageNeeds], dist: Distribution
) -> dict[str, Origin]:
    """Packages of Pyodide's distribution that cells import, with the first import's place:
    ``import numpy`` needs no declaration."""
    found: dict[str, Origin] = {}
    for page in pages:
        for module, origin in needs[page.source.rel].import_origins.items():
            package = dist.package_for_import(module)
            if package and package not in found:
                found[package] = origin
    return found


def page_settings(
    page: Page,
    needs: PageNeeds,
    packages: SitePackages | None,
    shipped: Mapping[PurePosixPath, Sequence[tuple[str, PurePosixPath]]],
    service_worker: str,
) -> dict[str, object]:
    """What the page's runtime needs to know beyond its cells: packages, files, service worker."""
    here = page.source.url
    settings: dict[str, object] = {}
    if packages is not None and page.cells:
        cells = {cell: names for cell, names in packages.for_cells(needs).items() if names}
        if cells:
            settings["packages"] = {
                "lock": relative_url(packages.lock, here),
                "index": relative_url(packages.index, here) + "/",
                "cells": cells,
            }
    if shipped.get(page.source.rel) and page.cells:
        settings["files"] = [
            [target, relative_url(path, here)] for target, path in shipped[page.source.rel]
        ]
    if service_worker:
        settings["serviceWorker"] = {
            "url": f"{relative_url(SERVICE_WORKER, here)}?v={service_worker}",
            "version": service_worker,
        }
    return settings


@contextmanager
def _template_errors() -> Iterator[None]:
    """A broken theme template is a located error, not a traceback."""
    import jinja2

    try:
        yield
    except jinja2.TemplateError as error:
        name = getattr(error, "filename", None) or getattr(error, "name", None)
        raise PypageError(
            Diagnostic(
                path=name,
                line=getattr(error, "lineno", None),
                message=f"theme template error: {error.message or error}",
                hint='fix the theme\'s template, or use theme = "default"',
            )
        ) from None


def _hash(*parts: Any) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part if isinstance(part, bytes) else json.dumps(part, default=str).encode()
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


@functools.cache
def _page_paths_shown(root: Path) -> Callable[[SourcePage], str]:
    """``display_path`` of each page at the cost of one: a page is shown as the site folder and
    its path in the site (a working folder inside the site takes the long way)."""
    folder = display_path(root, root)
    if os.path.realpath(os.getcwd()).startswith(os.path.realpath(root) + os.sep):
        return lambda source: display_path(source.path, root)
    if folder == ".":
        return lambda source: str(source.rel)
    return lambda source: f"{folder}{os.sep}{source.rel}"


def _code_version() -> str:
    """Cached pages are only as good as the code that made them: pypage's own modules, its pinned
    npm packages, and the libraries that shape a page (found, not imported: a build that parses
    nothing does not load them)."""
    import importlib.util

    package = Path(__file__).resolve().parents[1]
    files = [*package.rglob("*.py"), data_path("runtime") / "package-lock.json"]
    for name in ("markdown_it", "mdit_py_plugins", "pygments", "jinja2", "yaml"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            files.append(Path(spec.origin))
    stamps = sorted((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    return _hash(sys.version, stamps)
