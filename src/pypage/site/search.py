"""Site search: a Pagefind index of every page, made at build time and shipped in the site.

Pagefind (its binary comes with the ``pagefind[bin]`` package; it runs once per build) splits
the index into small content-hashed fragments that the reader's browser fetches as words are
typed: no server, works under any sub-path and, once visited, offline (the service worker lists
every file). The theme's
search box (themes/default/static/search.js) talks to Pagefind's JavaScript API.

The index goes in ``_pypage/search-<Pagefind's version>/``: a page links to it, and must not
change when another page does. Pagefind names its index files after their content, all but
``pagefind-entry.json``; the service worker fetches the folder network-first and keeps it for
offline use (``files.json`` lists what to keep). An unchanged site reuses the last build's index
from the machine's cache instead of running Pagefind again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from pypage.bundles import BUNDLE_ROOT, SiteOutput
from pypage.errors import Diagnostic
from pypage.markdown.page import Page

log = logging.getLogger(__name__)

# What the browser loads of Pagefind's output; its bundled UIs are left out (the theme has one).
_SHIPPED = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json", "*.pf_meta", "wasm.*",
            "fragment/*", "index/*", "filter/*")  # fmt: skip


# Permalinks' "#", Run buttons, output areas, formulas' TeX source: not what readers look for.
_EXCLUDED = ".header-anchor, .pypage-bar, [data-pypage-output], annotation"


def search_folder() -> PurePosixPath:
    from importlib.metadata import PackageNotFoundError, version

    try:
        engine = version("pagefind_bin")
    except PackageNotFoundError:
        engine = "missing"
    return BUNDLE_ROOT / f"search-{engine}"


def in_search_index(path: PurePosixPath) -> bool:
    """Whether a site path is a file of the search index (it changes with any page)."""
    return (
        path.parts[:1] == BUNDLE_ROOT.parts
        and path.parts[1:2] >= ("search-",)
        and (path.parts[1].startswith("search-"))
    )


def add_search_index(
    output: SiteOutput, folder: PurePosixPath, pages: Sequence[Page], cache: Path | None
) -> Diagnostic | None:
    """Index ``pages`` as ``output`` holds them into ``folder``; a problem is returned as a
    warning (the site works without search)."""
    key = hashlib.sha256(
        "\n".join(f"{page.source.url} {_fingerprint(output, page)}" for page in pages).encode()
    ).hexdigest()[:16]
    kept = cache / "search" / key if cache is not None else None
    if kept is None or not kept.is_dir():
        try:
            made = _index(output, pages)
        except _NothingToIndex:
            return None  # pages without text: the box says search is not available
        except Exception as error:  # the binary is missing, or failed: say so, build the rest
            return Diagnostic(
                message=f"the search index could not be built: {error}",
                hint="reinstall pypage (pip install pypage-ssg: Pagefind comes with it), or set "
                "search = false in pypage.toml",
                severity="warning",
            )
        kept = _keep(made, kept)
    listing = kept / "files.json"
    try:
        shipped = json.loads(listing.read_text())  # an unchanged site: no walk of the index
    except (OSError, ValueError):
        shipped = [
            path.relative_to(kept).as_posix()
            for path in sorted(kept.rglob("*"))
            if path.is_file() and any(path.relative_to(kept).match(p) for p in _SHIPPED)
        ]
        listing.write_text(json.dumps(shipped))
    for name in shipped:
        output.add(folder / name, kept / name)
    output.add(folder / "files.json", listing)
    return None


class _NothingToIndex(Exception):
    pass


def _fingerprint(output: SiteOutput, page: Page) -> str:
    content = output.files[page.source.url]
    # A page cache file is named after the page's render key: no need to read it.
    return content.name if isinstance(content, Path) else hashlib.sha256(content).hexdigest()


def _html(output: SiteOutput, page: Page) -> bytes:
    content = output.files[page.source.url]
    return content.read_bytes() if isinstance(content, Path) else content


def _index(output: SiteOutput, pages: Sequence[Page]) -> Path:
    """A folder of Pagefind's files for ``pages``. The command line, on a scratch copy of the
    pages: its Python API waits a tenth of a second per page for replies."""
    from pagefind_bin import get_executable

    scratch = Path(tempfile.mkdtemp(prefix="pypage-search-"))
    try:
        for page in pages:
            target = scratch / "site" / str(page.source.url)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(_html(output, page))
        made = scratch / "index"
        result = subprocess.run(
            [str(get_executable()), "--site", str(scratch / "site"), "--output-path", str(made),
             "--force-language", "en", "--silent",
             "--exclude-selectors", _EXCLUDED],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if "did not contain any html" in result.stdout + result.stderr:
            raise _NothingToIndex
        if result.returncode != 0 or not (made / "pagefind-entry.json").is_file():
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise RuntimeError(detail[-1] if detail else f"pagefind exited {result.returncode}")
        kept = Path(tempfile.mkdtemp(prefix="pypage-search-index-"))
        shutil.rmtree(kept)
        shutil.move(str(made), kept)
        return kept
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _keep(made: Path, kept: Path | None) -> Path:
    """Moves the new index into the cache (only the latest is kept per site)."""
    if kept is None:
        return made
    try:
        if kept.parent.exists():
            shutil.rmtree(kept.parent)
        kept.parent.mkdir(parents=True)
        shutil.move(str(made), kept)
        return kept
    except OSError as error:  # a read-only cache: use the index from where it was made
        log.debug("search index not cached: %s", error)
        return made
