"""Incremental rebuilds for ``pypage serve``: what a changed file invalidates, and nothing more.

A changed page re-renders that page (and every page when the navigation changes); an added or
removed page, pypage.toml or the theme rebuild everything; another file is copied again. A failed
rebuild keeps the last good site and reports the error instead.
"""

from __future__ import annotations

import filecmp
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from pypage.bundles import write_file
from pypage.config import CONFIG_NAME
from pypage.errors import Diagnostics, PypageError
from pypage.markdown.page import Page
from pypage.packages.needs import PageNeeds, page_needs
from pypage.site.build import BuildReport, build, copy_asset, page_settings, read_page
from pypage.site.render import navigation, render_page

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class Update:
    """What the browsers must do after a rebuild."""

    kind: str  # "pages" (update these pages in place), "reload" (everything), "error", "none"
    pages: tuple[str, ...] = ()  # site paths of re-rendered pages ("guide/intro.html")
    error: str = ""
    seconds: float = 0.0


class LiveSite:
    """The built site ``pypage serve`` serves, kept current file by file."""

    def __init__(self, site: Path, out: Path) -> None:
        self.site = site.resolve()
        self.out = out
        self.lock = threading.Lock()
        # No service worker while authoring: the server sends fresh files and isolation headers.
        self.report: BuildReport = build(site, out, announce=False, service_worker=False)
        log.info(
            "Built %d page%s in %.2f s",
            len(self.report.pages),
            "" if len(self.report.pages) == 1 else "s",
            self.report.seconds,
        )
        self.error = ""  # the last failed rebuild's message, until a rebuild succeeds

    def apply(self, changed: set[Path]) -> Update:
        started = time.perf_counter()
        with self.lock:
            try:
                update = self._apply(changed)
            except PypageError as error:
                self.error = "\n".join(d.format() for d in error.diagnostics)
                log.error(self.error)
                return Update(kind="error", error=self.error)
        seconds = time.perf_counter() - started
        if update.kind != "none":
            self.error = ""  # after an error _apply always rebuilt everything
            log.info("Rebuilt %s in %.0f ms", _describe(update), seconds * 1000)
        return replace(update, seconds=seconds)

    def _apply(self, changed: set[Path]) -> Update:
        config = self.report.config
        rels = {rel for path in changed if (rel := self._site_path(path)) is not None}
        if not rels:
            return Update(kind="none")
        if self.error or any(self._changes_everything(rel) for rel in rels):
            return self._rebuild_all()

        pages = sorted(rel for rel in rels if rel.suffix.lower() == ".md")
        # A file that is gone and was never published is an editor's temporary file (sed -i,
        # vim's 4913, atomic-save siblings): nothing to do.
        assets = sorted(
            rel
            for rel in rels
            if rel.suffix.lower() != ".md"
            and ((self.site / rel).is_file() or (self.out / rel).is_file())
        )
        if not pages and not assets:
            return Update(kind="none")
        for rel in assets:
            if (self.site / rel).is_file():
                copy_asset(config, self.out, rel)
            else:
                (self.out / rel).unlink(missing_ok=True)

        if any(self._is_data_file(rel) for rel in assets):
            return self._rebuild_all()  # files: are shipped under content-hashed paths

        diagnostics = Diagnostics()
        current = {p.source.rel: p for p in self.report.pages}
        updated = dict(current)
        needs = dict(self.report.needs)
        for rel in pages:
            source = self.report.files.page_for(rel)
            assert source is not None  # new pages took the full path above
            page, found = read_page(source, self.report.files, config)
            diagnostics.extend(found)
            updated[rel] = page
            needs[rel], found = page_needs(page, config, page.interpreter(config.interpreter))
            diagnostics.extend(found)
            if self._needs_new_packages(page, self.report.needs.get(rel), needs[rel]):
                return self._rebuild_all()
        diagnostics.raise_if_errors(strict=config.strict)
        for warning in diagnostics.warnings:
            log.warning(warning.format())

        interpreters = {p.interpreter(config.interpreter) for p in updated.values() if p.cells}
        bundled = set(self.report.runtime.interpreters) if self.report.runtime else set()
        if not interpreters <= bundled:
            return self._rebuild_all()  # a page now needs an interpreter the site lacks

        # The navigation shows titles and order: if either changed, every page shows it.
        nav_changed = any(
            (updated[rel].title, updated[rel].order) != (current[rel].title, current[rel].order)
            for rel in pages
        )
        ordered = [updated[p.source.rel] for p in self.report.pages]
        self.report = replace(self.report, pages=tuple(ordered))
        nav = navigation(ordered)
        targets = ordered if nav_changed else [updated[rel] for rel in pages]
        for page in targets:
            html = render_page(
                page,
                theme=self.report.theme,
                config=config,
                nav=nav,
                theme_assets=self.report.theme_assets,
                runtime=self.report.runtime,
                settings=page_settings(
                    page,
                    needs[page.source.rel],
                    self.report.packages,
                    self.report.files_shipped,
                    self.report.service_worker,
                ),
            )
            write_file(self.out / page.source.url, html.encode())
        self.report = replace(self.report, needs=needs)
        if assets:
            return Update(kind="reload")
        return Update(kind="pages", pages=tuple(str(page.source.url) for page in targets))

    def _is_data_file(self, rel: PurePosixPath) -> bool:
        path = (self.site / rel).resolve()
        return any(
            path == f.source or f.source in path.parents
            for need in self.report.needs.values()
            for f in need.files
        )

    def _needs_new_packages(self, page: Page, old: PageNeeds | None, new: PageNeeds) -> bool:
        """Whether an edit changed what the page installs, which only a full build resolves."""
        if old is None or [p.key for p in old.packages] != [p.key for p in new.packages]:
            return True
        if [(f.source, f.target) for f in old.files] != [(f.source, f.target) for f in new.files]:
            return True
        dist, bundled = self.report.distribution, self.report.packages
        if dist is None or page.interpreter(self.report.config.interpreter) != "pyodide":
            return False
        return any(
            (package := dist.package_for_import(module)) is not None
            and (bundled is None or package not in bundled.by_import.values())
            for module in new.modules - old.modules
        )

    def _rebuild_all(self) -> Update:
        # Built aside, then synced file by file: swapping the whole folder, as `pypage build`
        # does, would make files vanish for a moment under pages that are loading.
        with tempfile.TemporaryDirectory(dir=self.out.parent, prefix=".rebuild-") as tmp:
            report = build(self.site, Path(tmp) / "site", announce=False, service_worker=False)
            _sync(report.out, self.out)
        self.report = replace(report, out=self.out)
        return Update(kind="reload")

    def _site_path(self, path: Path) -> PurePosixPath | None:
        """The changed file's path in the site, or None when no build depends on it."""
        try:
            rel = PurePosixPath(path.resolve().relative_to(self.site).as_posix())
        except ValueError:
            return None
        out = self.out.resolve()
        if path.resolve() == out or out in path.resolve().parents:
            return None
        if self._in_theme(rel) or rel == PurePosixPath(CONFIG_NAME):
            return rel
        if any(part.startswith(("_", ".")) for part in rel.parts):
            return None
        return rel

    def _in_theme(self, rel: PurePosixPath) -> bool:
        theme = self.report.config.theme
        if theme == "default":
            return False
        folder = (self.site / theme).resolve()
        return folder == self.site / rel or folder in (self.site / rel).parents

    def _changes_everything(self, rel: PurePosixPath) -> bool:
        """Settings and the theme reach every page; an added or removed page changes the page set
        (navigation, links)."""
        if rel == PurePosixPath(CONFIG_NAME) or self._in_theme(rel):
            return True
        if rel.suffix.lower() != ".md":
            return False
        return self.report.files.page_for(rel) is None or not (self.site / rel).exists()


def _sync(source: Path, target: Path) -> None:
    """Make ``target`` equal to ``source``: changed files replaced atomically, stale ones last."""
    wanted = set()
    for path in source.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(source)
        wanted.add(rel)
        existing = target / rel
        if not (existing.is_file() and filecmp.cmp(path, existing, shallow=False)):
            existing.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, existing)  # same file system: the staging folder is beside target
    for path in sorted(target.rglob("*"), reverse=True):
        rel = path.relative_to(target)
        if path.is_file() and rel not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _describe(update: Update) -> str:
    if update.kind == "pages":
        return update.pages[0] if len(update.pages) == 1 else f"{len(update.pages)} pages"
    return "the site"
