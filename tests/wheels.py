"""Real wheels and a real package index for tests: pip and Pyodide see what they see in the wild,
served on loopback so that no test depends on a public index's contents."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from packaging.utils import canonicalize_name

# Where the interpreter and the JavaScript libraries are cached for the whole machine: tests that
# need an empty package cache still share these downloads.
NPM_CACHE = "npm"


def make_wheel(
    folder: Path,
    name: str,
    version: str,
    files: dict[str, str],
    *,
    requires: tuple[str, ...] = (),
    tag: str = "py3-none-any",
) -> Path:
    """Write a valid wheel (METADATA, WHEEL, RECORD with hashes) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    dist = name.replace("-", "_")
    info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    wheel_meta = f"Wheel-Version: 1.0\nGenerator: pypage-tests\nRoot-Is-Purelib: true\nTag: {tag}\n"
    contents = {**files, f"{info}/METADATA": metadata, f"{info}/WHEEL": wheel_meta}
    record = []
    for path, text in contents.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{path},sha256={digest.decode()},{len(text.encode())}")
    record.append(f"{info}/RECORD,,")
    target = folder / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(target, "w") as archive:
        for path, text in contents.items():
            archive.writestr(zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0)), text)
        archive.writestr(
            zipfile.ZipInfo(f"{info}/RECORD", date_time=(2024, 1, 1, 0, 0, 0)),
            "\n".join(record) + "\n",
        )
    return target


def write_simple_index(root: Path) -> None:
    """A PEP 503 index of the wheels in ``root/files`` at ``root/simple``."""
    projects: dict[str, list[str]] = {}
    for wheel in sorted((root / "files").glob("*.whl")):
        projects.setdefault(canonicalize_name(wheel.name.split("-")[0]), []).append(wheel.name)
    shutil.rmtree(root / "simple", ignore_errors=True)
    for project, wheels in projects.items():
        folder = root / "simple" / project
        folder.mkdir(parents=True)
        links = "".join(f'<a href="../../files/{w}">{w}</a><br>\n' for w in wheels)
        (folder / "index.html").write_text(f"<!doctype html><html><body>\n{links}</body></html>\n")
    (root / "simple").mkdir(exist_ok=True)
    (root / "simple" / "index.html").write_text(
        "<!doctype html><html><body>\n"
        + "".join(f'<a href="{p}/">{p}</a><br>\n' for p in projects)
        + "</body></html>\n"
    )


def download_real(folder: Path, *requirements: str, python: str = "3.14") -> None:
    """Fetch real wheels (a build backend, micropip) through this machine's own pip setup."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
            "--python-version",
            python,
            "--dest",
            str(folder),
            *requirements,
        ],
        check=True,
    )


def pip_environment(index_url: str) -> dict[str, str]:
    """Environment variables that make pip use only ``index_url`` (no config files)."""
    return {
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": index_url,
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_FIND_LINKS": "",
        "PIP_NO_INPUT": "1",
    }


def pinned_lock(cache: Path) -> dict:
    """The pyodide-lock.json of the pinned Pyodide, from pypage's npm cache."""
    [lock] = sorted((cache / NPM_CACHE).glob("pyodide-*/pyodide-lock.json"))
    return json.loads(lock.read_text())
