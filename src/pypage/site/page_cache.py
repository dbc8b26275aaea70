"""Per-page results of earlier builds, by content hash, in this machine's cache folder (one
folder per site): a build of unchanged sources reads them back instead of parsing and rendering
again. A damaged or missing entry is only a miss."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import time
from pathlib import Path
from typing import Any

from pypage.bundles import write_file
from pypage.cache import cache_dir

log = logging.getLogger(__name__)

# An entry no build has used for this long is removed.
KEEP_SECONDS = 24 * 3600


class PageCache:
    def __init__(self, folder: Path | None) -> None:
        """``folder=None``: nothing is kept between runs."""
        self.folder = folder

    @classmethod
    def for_site(cls, site: Path) -> PageCache:
        key = hashlib.sha256(str(site.resolve()).encode()).hexdigest()[:16]
        return cls(cache_dir() / "sites" / key)

    def load(self, key: str) -> Any | None:
        if self.folder is None:
            return None
        try:
            return pickle.loads((self.folder / "pages" / key).read_bytes())
        except Exception:  # absent, or written by another version of pypage: parse again
            return None

    def store(self, key: str, value: object) -> None:
        if self.folder is not None:
            self._write(self.folder / "pages" / key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

    def html(self, key: str) -> Path | None:
        if self.folder is None:
            return None
        path = self.folder / "html" / key
        return path if path.is_file() else None

    def store_html(self, key: str, html: bytes) -> Path | None:
        if self.folder is None:
            return None
        path = self.folder / "html" / key
        return path if self._write(path, html) else None

    def site_state(self, name: str) -> Any | None:
        """What the last build recorded about the whole site under ``name``."""
        if self.folder is None:
            return None
        try:
            return pickle.loads((self.folder / name).read_bytes())
        except Exception:
            return None

    def store_site_state(self, name: str, value: object) -> None:
        if self.folder is not None:
            self._write(self.folder / name, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

    def prune(self, keep: set[str]) -> None:
        """Forget entries the latest build did not use and nothing used for a day (serve, build,
        check and execute of one site share the folder), so that it does not grow; touch the
        ones it used."""
        if self.folder is None:
            return
        now = time.time()
        for kind in ("pages", "html"):
            try:
                entries = list(os.scandir(self.folder / kind))
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.name in keep:
                        if now - entry.stat().st_mtime > KEEP_SECONDS / 24:
                            os.utime(entry.path)
                    elif now - entry.stat().st_mtime > KEEP_SECONDS:
                        os.unlink(entry.path)
                except OSError:  # another build pruned it first
                    continue

    def _write(self, path: Path, data: bytes) -> bool:
        try:
            write_file(path, data)
        except OSError as error:  # a read-only cache slows builds down; it never fails them
            log.debug("cannot write the page cache %s: %s", path, error)
            return False
        return True
