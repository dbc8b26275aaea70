"""``pypage build``: the engine's run from an empty state, written into a staging folder that
replaces the output only once everything succeeded."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pypage.bundles import write_files
from pypage.config import SiteConfig, load_config
from pypage.errors import Diagnostic, PypageError, display_path
from pypage.markdown.page import Page
from pypage.site.engine import Engine, Options, Outputs
from pypage.site.page_cache import PageCache

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class BuildReport:
    out: Path
    pages: tuple[Page, ...]
    warnings: tuple[Diagnostic, ...]
    seconds: float


def build(
    site: Path,
    out: Path | None = None,
    *,
    strict: bool = False,
    offline: bool = False,
    outputs: Outputs | None = None,
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
    config = load_config(site)
    out = (out or site / config.output).resolve()
    check_output(config, out)

    options = Options(
        strict=strict, offline=offline, service_worker=service_worker, outputs=outputs
    )
    cache = PageCache.for_site(site)
    built = Engine(site, out=out, options=options, cache=cache).run()
    for warning in built.warnings:
        log.warning(warning.format())

    # Writing: nothing when the output folder holds exactly what this build would write.
    wanted = built.output.signatures()
    if not _holds(out, wanted, cache.site_state(_written(out))):
        cache.store_site_state(_written(out), None)  # until the new folder is in place
        with _writing(out), _staging(out) as staging:
            write_files(staging, built.output, sorted(built.output.files))
        cache.store_site_state(_written(out), (str(out), wanted, _stamps(out)))

    seconds = time.perf_counter() - started
    (log.info if announce else log.debug)(
        "Built %d page%s in %.2f s → %s",
        len(built.pages),
        "" if len(built.pages) == 1 else "s",
        seconds,
        display_path(out, site),
    )
    return BuildReport(out=out, pages=built.pages, warnings=built.warnings, seconds=seconds)


def _written(out: Path) -> str:
    """The name of what the page cache records about one output folder (check and execute build
    into folders of their own)."""
    return "written-" + hashlib.sha256(str(out).encode()).hexdigest()[:16]


def _holds(out: Path, wanted: dict[PurePosixPath, tuple[object, ...]], manifest: object) -> bool:
    """Whether ``out`` is the folder the last build wrote, untouched since, with these files."""
    if not isinstance(manifest, tuple) or manifest[:2] != (str(out), wanted):
        return False
    try:
        return bool(_stamps(out) == manifest[2])
    except OSError:
        return False


def _stamps(out: Path) -> dict[str, tuple[int, int]]:
    """Every file of ``out`` with its size and modification time: an edit by hand shows."""
    stamps = {}
    for folder, _, files in os.walk(out):
        for name in files:
            stat = os.stat(os.path.join(folder, name))
            stamps[os.path.join(folder, name)] = (stat.st_size, stat.st_mtime_ns)
    return stamps


def check_output(config: SiteConfig, out: Path) -> None:
    """Refuse an output folder that holds the site, or that pypage did not build."""
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
    """File-system failures while writing become located errors, not tracebacks."""
    try:
        yield
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
    try:
        staging.rename(out)
    except BaseException:  # the previous site comes back rather than none at all
        if old.exists():
            old.rename(out)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
