"""``files:``: data files and folders shipped with the site and written into the interpreter's
file system before a page's first cell runs, so that ``open("data.csv")`` works."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from pypage.bundles import BUNDLE_ROOT, SiteOutput
from pypage.packages.needs import FileRequest

FILES = BUNDLE_ROOT / "files"


def bundle_files(
    out: SiteOutput, requests: Iterable[FileRequest]
) -> list[tuple[str, PurePosixPath]]:
    """(path the cells see, site path of the file) for every file of ``requests``."""
    shipped: dict[str, PurePosixPath] = {}
    for request in requests:
        for source, target in _walk(request.source, request.target):
            digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
            site_path = FILES / digest / source.name
            out.add(site_path, source)
            shipped[target.as_posix()] = site_path
    return sorted(shipped.items())


def _walk(source: Path, target: PurePosixPath) -> Iterable[tuple[Path, PurePosixPath]]:
    if source.is_file():
        yield source, target
        return
    for root, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            yield path, target / path.relative_to(source).as_posix()
