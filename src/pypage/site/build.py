"""``pypage build``: the pipeline from a folder of Markdown to a static site."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2

from pypage.bundles import write_bundle, write_file
from pypage.config import SiteConfig, load_config
from pypage.errors import Diagnostic, Diagnostics, PypageError, display_path
from pypage.markdown.imports import check_imports
from pypage.markdown.page import Page, parse_page
from pypage.packages.bundle import SitePackages, bundle_packages
from pypage.packages.datafiles import bundle_files
from pypage.packages.distribution import Distribution, load_distribution
from pypage.packages.needs import Origin, PageNeeds, page_needs
from pypage.packages.resolve import resolve
from pypage.site.loader import RuntimeBundle, bundle_runtime
from pypage.site.render import navigation, relative_url, render_page
from pypage.site.serviceworker import SERVICE_WORKER, write_service_worker
from pypage.site.theme import Theme, load_theme
from pypage.sources import SiteFiles, SourcePage, discover

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class BuildReport:
    out: Path
    pages: tuple[Page, ...]
    warnings: tuple[Diagnostic, ...]
    seconds: float
    # What an incremental rebuild (pypage serve) reuses:
    config: SiteConfig
    files: SiteFiles
    theme: Theme
    theme_assets: PurePosixPath
    runtime: RuntimeBundle | None
    needs: Mapping[PurePosixPath, PageNeeds]
    packages: SitePackages | None
    distribution: Distribution | None
    files_shipped: Mapping[PurePosixPath, Sequence[tuple[str, PurePosixPath]]]
    service_worker: str  # its version, or "" when the site has none


def build(
    site: Path,
    out: Path | None = None,
    *,
    strict: bool = False,
    offline: bool = False,
    outputs: Mapping[PurePosixPath, Mapping[str, Sequence[tuple[str, str]]]] | None = None,
    announce: bool = True,
    service_worker: bool = True,
) -> BuildReport:
    """``outputs``: cell outputs recorded in a browser, by page and cell id, to pre-render."""
    started = time.perf_counter()
    if not site.is_dir():
        raise PypageError(
            Diagnostic(
                message=f"{site} is not a folder" if site.exists() else f"no such folder: {site}",
                hint="give the folder that holds the site's Markdown files",
            )
        )

    # Configuration: pypage.toml is optional.
    config = load_config(site)
    out = (out or site / config.output).resolve()
    _check_output(config, out)

    # Discovery: Markdown files are pages, everything else is copied.
    files = discover(config, out)

    # Parsing: every page, collecting every problem before giving up.
    diagnostics = Diagnostics()
    if not files.pages:
        diagnostics.add(
            Diagnostic(
                path=display_path(site, site),
                message="no Markdown pages in the site",
                hint="every .md file becomes a page; start with index.md",
                severity="warning",
            )
        )
    pages = []
    needs: dict[PurePosixPath, PageNeeds] = {}
    for source in files.pages:
        page, found = read_page(source, files, config, outputs=(outputs or {}).get(source.rel))
        pages.append(page)
        diagnostics.extend(found)
        needs[source.rel], found = page_needs(page, config, page.interpreter(config.interpreter))
        diagnostics.extend(found)
    diagnostics.raise_if_errors(strict=strict or config.strict)
    for warning in diagnostics.warnings:
        log.warning(warning.format())

    theme = load_theme(config)
    nav = navigation(pages)

    # Packages: resolved (and downloaded, once per machine) before anything is written.
    pyodide_pages = [
        p
        for p in pages
        if p.interpreter(config.interpreter) == "pyodide"
        and (p.cells or needs[p.source.rel].packages)
    ]
    distribution = load_distribution(config, offline=offline) if pyodide_pages else None
    resolution = None
    if distribution is not None:
        scanned = distribution_imports(pyodide_pages, needs, distribution)
        requests = {r.key: r for p in pyodide_pages for r in needs[p.source.rel].packages}
        if scanned or requests:
            resolution = resolve(list(requests.values()), scanned, distribution, offline=offline)

    # Writing: into a staging folder that replaces the output only once everything succeeded.
    with _writing(out), _staging(out) as staging:
        # Only the interpreters that pages with cells use; each page loads only its own.
        interpreters = {page.interpreter(config.interpreter) for page in pages if page.cells}
        needs_runtime = interpreters or any(page.is_slides for page in pages)
        runtime = bundle_runtime(staging, interpreters, offline=offline) if needs_runtime else None
        theme_assets = write_bundle(staging, "theme", theme.static_files())
        site_packages = None
        if resolution is not None and distribution is not None:
            site_packages = bundle_packages(staging, resolution, distribution)
        shipped = {
            rel: bundle_files(staging, need.files) for rel, need in needs.items() if need.files
        }
        version = ""
        if service_worker and runtime:  # it sits at the root, not among the files it lists
            version = write_service_worker(staging, isolate=config.cross_origin_isolation)
        for page in pages:
            html = render_page(
                page,
                theme=theme,
                config=config,
                nav=nav,
                theme_assets=theme_assets,
                runtime=runtime,
                settings=page_settings(
                    page, needs[page.source.rel], site_packages, shipped, version
                ),
            )
            write_file(staging / page.source.url, html.encode())
        for rel in files.assets:
            copy_asset(config, staging, rel)
        # GitHub Pages would otherwise run Jekyll, which drops the _pypage folder.
        (staging / ".nojekyll").write_text("")

    seconds = time.perf_counter() - started
    (log.info if announce else log.debug)(
        "Built %d page%s in %.2f s → %s",
        len(pages),
        "" if len(pages) == 1 else "s",
        seconds,
        display_path(out, site),
    )
    return BuildReport(
        out=out,
        pages=tuple(pages),
        warnings=tuple(diagnostics.warnings),
        seconds=seconds,
        config=config,
        files=files,
        theme=theme,
        theme_assets=theme_assets,
        runtime=runtime,
        needs=needs,
        packages=site_packages,
        distribution=distribution,
        files_shipped=shipped,
        service_worker=version,
    )


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
    if page.source.rel in shipped and page.cells:
        settings["files"] = [
            [target, relative_url(path, here)] for target, path in shipped[page.source.rel]
        ]
    if service_worker:
        settings["serviceWorker"] = {
            "url": f"{relative_url(SERVICE_WORKER, here)}?v={service_worker}",
            "version": service_worker,
        }
    return settings


def read_page(
    source: SourcePage,
    files: SiteFiles,
    config: SiteConfig,
    *,
    outputs: Mapping[str, Sequence[tuple[str, str]]] | None = None,
) -> tuple[Page, list[Diagnostic]]:
    """Read, parse and check one page."""
    page, found = parse_page(
        source,
        # utf-8-sig: editors on Windows may start files with a byte-order mark.
        source.path.read_text(encoding="utf-8-sig"),
        site=files,
        shown_path=display_path(source.path, config.root),
        site_title=config.title,
        outputs=outputs,
    )
    found.extend(check_imports(page, page.interpreter(config.interpreter)))
    return page, found


def copy_asset(config: SiteConfig, out: Path, rel: PurePosixPath) -> None:
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config.root / rel, target)


def _check_output(config: SiteConfig, out: Path) -> None:
    root = config.root.resolve()
    if out == root or out in root.parents:
        raise PypageError(
            Diagnostic(
                message=f"the output folder {out} would contain the site itself",
                hint="choose an output folder inside or beside the site, e.g. -o _site",
            )
        )
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / ".nojekyll").exists())
    ):
        raise PypageError(
            Diagnostic(
                message=f"{out} exists and is not a site built by pypage; refusing to replace it",
                hint="remove it yourself or choose another output folder with -o",
            )
        )


@contextmanager
def _writing(out: Path) -> Iterator[None]:
    """File-system and template failures while writing become located errors, not tracebacks."""
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
    except OSError as error:
        raise PypageError(
            Diagnostic(
                message=f"could not write the site to {out}: {error.strerror or error}",
                hint="check that the output folder's parent exists and is writable",
            )
        ) from None


@contextmanager
def _staging(out: Path) -> Iterator[Path]:
    """A sibling folder of ``out`` (same file system, so swapping it in is two renames)."""
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
