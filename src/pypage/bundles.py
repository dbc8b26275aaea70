"""Content-addressed folders: every file the page loads lives under a path that changes when its
content does, so browsers and service workers may cache it forever."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

ASSET_ROOT = PurePosixPath("_pypage")


def content_hash(files: Mapping[str, bytes | Path], *, length: int = 10) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        data = files[name]
        digest.update(name.encode() + b"\0")
        digest.update(data.read_bytes() if isinstance(data, Path) else data)
        digest.update(b"\0")
    return digest.hexdigest()[:length]


def write_bundle(out: Path, stem: str, files: Mapping[str, bytes | Path]) -> PurePosixPath:
    """Write ``files`` to ``out/_pypage/<stem>-<hash>/``; return that folder's site path."""
    folder = ASSET_ROOT / f"{stem}-{content_hash(files)}"
    for name, data in files.items():
        target = out / folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            shutil.copyfile(data, target)
        else:
            target.write_bytes(data)
    return folder


def write_file(target: Path, data: bytes) -> None:
    """Write whole or not at all: a server (or another build) may be reading the file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
    partial.replace(target)
