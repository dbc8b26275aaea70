"""The files of a built site, gathered before any is written. Every file a page loads lives in a
bundle: a folder under ``_pypage/`` whose name changes when its content does, so browsers and
service workers may cache it forever."""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

BUNDLE_ROOT = PurePosixPath("_pypage")

# A file's content: bytes made by the build, or a file to copy (an author's image, a wheel, the
# interpreter's wasm) that is never read into memory.
Content = bytes | Path


def content_hash(files: Mapping[str, Content], *, length: int = 10) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        digest.update(name.encode() + b"\0")
        digest.update(data.read_bytes() if isinstance(data, Path) else data)
        digest.update(b"\0")
    return digest.hexdigest()[:length]


class SiteOutput:
    """Every file of the site by its site path. The build engine compares one build's output
    with the previous one's and writes only what differs."""

    def __init__(self) -> None:
        self.files: dict[PurePosixPath, Content] = {}
        # Files copied from a path that names their content (a cached page, named after its
        # inputs): like bundled files, the path alone tells versions apart.
        self.named: set[PurePosixPath] = set()

    def add(self, path: PurePosixPath, content: Content, *, named: bool = False) -> None:
        self.files[path] = content
        if named:
            self.named.add(path)

    def add_bundle(self, stem: str, files: Mapping[str, Content]) -> PurePosixPath:
        """Put ``files`` in ``_pypage/<stem>-<hash>/``; return that folder's site path."""
        folder = BUNDLE_ROOT / f"{stem}-{content_hash(files)}"
        for name, content in files.items():
            self.files[folder / name] = content
        return folder

    def bundled(self) -> list[PurePosixPath]:
        """The site paths of every bundled file, sorted."""
        return sorted(path for path in self.files if path.parts[:1] == BUNDLE_ROOT.parts)

    def size(self, path: PurePosixPath) -> int:
        content = self.files[path]
        return content.stat().st_size if isinstance(content, Path) else len(content)

    def signatures(self) -> dict[PurePosixPath, tuple[object, ...]]:
        """What tells each file apart from another version of it, for every file: its source's
        path when that names the content (bundles, cached pages), else ``signature``."""
        return {
            path: (
                ("named by content", str(content))
                if isinstance(content, Path)
                and (path in self.named or path.parts[:1] == BUNDLE_ROOT.parts)
                else signature(content)
            )
            for path, content in self.files.items()
        }


def signature(content: Content) -> tuple[object, ...]:
    """What tells two versions of a file apart without reading a copied file again."""
    if isinstance(content, Path):
        stat = content.stat()
        return ("file", str(content), stat.st_size, stat.st_mtime_ns)
    return ("bytes", hashlib.blake2b(content, digest_size=16).digest())


def write_files(folder: Path, output: SiteOutput, paths: Iterable[PurePosixPath]) -> None:
    made: set[Path] = set()
    for path in paths:
        target = folder / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        content = output.files[path]
        if isinstance(content, Path):
            copy_file(content, target)
        else:
            write_file(target, content)


def write_file(target: Path, data: bytes) -> None:
    """Write whole or not at all: a server (or another build) may be reading the file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = _partial(target)
    partial.write_bytes(data)
    partial.replace(target)


def copy_file(source: Path, target: Path) -> None:
    partial = _partial(target)
    shutil.copyfile(source, partial)
    os.replace(partial, target)


def _partial(target: Path) -> Path:
    # Unique per process and thread: two builds may write the same cache entry at once.
    return target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}.partial")
