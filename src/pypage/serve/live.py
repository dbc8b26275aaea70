"""``pypage serve``'s site: the build engine run again on every save, and only the files whose
content changed written into the served folder. An edit that changes only pages' HTML updates those
pages in place; anything else (a new or removed page, a copied file, pypage.toml, the theme)
reloads the browsers. A failed rebuild keeps the last good site and reports the error instead.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from pypage.bundles import write_files
from pypage.config import CONFIG_NAME, SiteConfig
from pypage.errors import PypageError
from pypage.mkdocs import MKDOCS_NAMES
from pypage.site.build import check_output
from pypage.site.engine import Built, Engine, Options
from pypage.site.page_cache import PageCache
from pypage.site.search import in_search_index

log = logging.getLogger(__name__)

SETTINGS_FILES = (CONFIG_NAME, *MKDOCS_NAMES)


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
        started = time.perf_counter()
        self.site = site.resolve()
        self.out = out
        self.lock = threading.Lock()
        # No service worker while authoring: the server sends fresh files and isolation headers.
        self.engine = Engine(
            self.site,
            out=out,
            options=Options(service_worker=False),
            cache=PageCache.for_site(self.site),
        )
        built = self.engine.run()
        for warning in built.warnings:
            log.warning(warning.format())
        check_output(built.config, out.resolve())  # never clear a folder pypage did not build
        shutil.rmtree(out, ignore_errors=True)
        write_files(out, built.output, sorted(built.output.files))
        self.config: SiteConfig = built.config
        self.written = built.output.signatures()
        self.error = ""  # the last failed rebuild's message, until a rebuild succeeds
        self.pending: set[PurePosixPath] = set()  # edited since the last successful rebuild
        seconds = time.perf_counter() - started
        pages = len(built.pages)
        log.info("Built %d page%s in %.2f s", pages, "" if pages == 1 else "s", seconds)

    def apply(self, changed: set[Path]) -> Update:
        started = time.perf_counter()
        with self.lock:
            try:
                update = self._apply(changed)
            except PypageError as error:
                self.error = "\n".join(d.format() for d in error.diagnostics)
                log.error(self.error)
                return Update(kind="error", error=self.error)
            except Exception as error:  # the watcher must outlive it; the browser shows it
                log.exception("unexpected error while rebuilding")
                self.error = f"error: unexpected {type(error).__name__} while rebuilding: {error}"
                self.written = {}  # what was written is uncertain: the next run rewrites all
                self.engine.forget()
                return Update(kind="error", error=self.error)
        seconds = time.perf_counter() - started
        if update.kind != "none":
            log.info("Rebuilt %s in %.0f ms", _describe(update), seconds * 1000)
        return replace(update, seconds=seconds)

    def _apply(self, changed: set[Path]) -> Update:
        rels = {rel for path in changed if (rel := self._site_path(path)) is not None}
        if not rels:
            return Update(kind="none")
        # Every path edited since the last good build: a failed one may have read some of them.
        self.pending |= rels
        built = self.engine.run(changed=self.pending)
        self.pending = set()
        for warning in built.warnings:
            log.warning(warning.format())
        after_error, self.error = bool(self.error), ""
        everything = any(self._is_settings(rel) or self._in_theme(rel) for rel in rels)
        self.config = built.config
        served = set(self.written)
        rewritten = self._write(built)
        if not rewritten and not after_error:
            return Update(kind="none")  # saved without a change, or an editor's temporary file
        # Pages that were served and still are can be updated in place; a page added or removed
        # changes the set of pages.
        pages = {page.source.url for page in built.pages} & served
        # The search box reads a new index as it is; the pages need no reload for it.
        rewritten = {path for path in rewritten if not in_search_index(path)}
        if after_error or everything or not rewritten <= pages:
            return Update(kind="reload")
        return Update(kind="pages", pages=tuple(sorted(str(path) for path in rewritten)))

    def _write(self, built: Built) -> set[PurePosixPath]:
        """Write what differs from the served files; return the site paths written or removed.
        Stale files go last, so that a page being loaded never misses one."""
        wanted = built.output.signatures()
        new = sorted(path for path, sig in wanted.items() if self.written.get(path) != sig)
        write_files(self.out, built.output, new)
        stale = sorted(set(self.written) - set(wanted))
        for path in stale:
            (self.out / path).unlink(missing_ok=True)
            for folder in (self.out / path).parents:
                if folder == self.out or any(folder.iterdir()):
                    break
                folder.rmdir()
        self.written = wanted
        return set(new) | set(stale)

    def _site_path(self, path: Path) -> PurePosixPath | None:
        """The changed file's path among the pages (the site folder, or a MkDocs project's
        docs_dir), or None when no build depends on it. A settings file is named by its name."""
        full = path.resolve()
        if full.parent == self.site and full.name in SETTINGS_FILES:
            return PurePosixPath(full.name)  # a MkDocs project may get a pypage.toml
        root = self.config.root.resolve()
        try:
            rel = PurePosixPath(full.relative_to(root).as_posix())
        except ValueError:
            return None
        out = self.out.resolve()
        if full == out or out in full.parents:
            return None
        if self._in_theme(rel):
            return rel
        if any(part.startswith(("_", ".")) for part in rel.parts):
            return None
        return rel

    def _is_settings(self, rel: PurePosixPath) -> bool:
        return len(rel.parts) == 1 and rel.name in SETTINGS_FILES

    def _in_theme(self, rel: PurePosixPath) -> bool:
        theme = self.config.theme
        if theme == "default":
            return False
        root = self.config.root.resolve()
        folder = (root / theme).resolve()
        return folder == root / rel or folder in (root / rel).parents


def _describe(update: Update) -> str:
    if update.kind == "pages":
        return update.pages[0] if len(update.pages) == 1 else f"{len(update.pages)} pages"
    return "the site"
