"""A clean build of this checkout against one of an earlier revision, measured side by side.

    .venv/bin/python bench/against.py REV [--pages 1000] [--runs 5]

Both builds run the same corpus with the same Python and libraries; the earlier revision's
``src/``, ``themes/`` and ``runtime/`` are taken from git into a scratch folder and put first on
``PYTHONPATH``. Runs alternate (this, earlier, this, …) so a machine that gets busier slows both
alike. Reported: each side's median and the ratio (the authoring extensions' target: <= 1.10
against the revision before them).
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from build import median, run
from corpus import make_corpus

from pypage.cache import cache_dir

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent


def checkout_of(rev: str, into: Path) -> Path:
    """The revision's source tree (what a build reads: src, themes, runtime) under ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(CHECKOUT), "archive", "--format=tar", rev, "src", "themes", "runtime"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rev", help="the earlier revision, e.g. a commit or main~3")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--setting",
        action="append",
        default=[],
        help='a pypage.toml line for this checkout only, e.g. "search = false" (the search '
        "index, which bench/search.py times on its own)",
    )
    args = parser.parse_args()

    shm = Path("/dev/shm")
    scratch = Path(tempfile.mkdtemp(prefix="pypage-against-", dir=shm if shm.is_dir() else None))
    try:
        earlier = checkout_of(args.rev, scratch / "earlier")
        cache = scratch / "cache"
        npm_cache = cache_dir() / "npm"
        if npm_cache.is_dir():  # the interpreter and libraries: downloaded once per machine
            shutil.copytree(npm_cache, cache / "npm")
        base_env = {**os.environ, "PYPAGE_CACHE_DIR": str(cache)}
        envs = {
            "this checkout": base_env,
            args.rev: {**base_env, "PYTHONPATH": str(earlier / "src")},
        }
        site = scratch / "site"
        make_corpus(site, args.pages)
        sites = {"this checkout": site, args.rev: site}
        if args.setting:
            sites["this checkout"] = scratch / "site-this"
            shutil.copytree(site, sites["this checkout"])
            config = sites["this checkout"] / "pypage.toml"
            before = config.read_text() if config.exists() else ""
            config.write_text(before + "\n" + "\n".join(args.setting) + "\n")
        command = [sys.executable, "-m", "pypage", "build", "--quiet"]
        times: dict[str, list[float]] = {name: [] for name in envs}
        for name, env in envs.items():  # warm-up: downloads, the OS file cache
            run([*command, str(sites[name]), "-o", str(scratch / "out")], env)
        for _ in range(args.runs):
            for name, env in envs.items():
                shutil.rmtree(cache / "sites", ignore_errors=True)
                built = [*command, str(sites[name]), "-o", str(scratch / "out")]
                times[name].append(run(built, env)[0])
        ours, theirs = (median(times[name]) for name in envs)
        print(f"clean build, {args.pages} pages, median of {args.runs}:")
        print(f"  this checkout: {ours:.2f} s")
        print(f"  {args.rev}: {theirs:.2f} s")
        print(f"  ratio: {ours / theirs:.2f}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
