"""The search index's share of a build: a clean build of the corpus with search on and off.

    .venv/bin/python bench/search.py [--pages 1000] [--runs 3]

The two sites are the same corpus, one with ``search = false`` in pypage.toml; runs alternate so
a machine that gets busier slows both alike. Reported: both medians, their difference (the time
Pagefind's indexing adds) and the size of the index the site ships.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from build import median, run
from corpus import make_corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    shm = Path("/dev/shm")
    scratch = Path(tempfile.mkdtemp(prefix="pypage-search-", dir=shm if shm.is_dir() else None))
    env = {**os.environ, "PYPAGE_CACHE_DIR": str(scratch / "cache")}
    pypage = [sys.executable, "-m", "pypage", "build", "--quiet"]
    try:
        on, off = scratch / "on", scratch / "off"
        make_corpus(on, args.pages)
        shutil.copytree(on, off)
        config = off / "pypage.toml"
        config.write_text((config.read_text() if config.exists() else "") + "\nsearch = false\n")
        times: dict[Path, list[float]] = {on: [], off: []}
        for site in (on, off):  # warm-up: downloads, the OS file cache
            run([*pypage, str(site), "-o", str(site / "_site")], env)
        for _ in range(args.runs):
            for site in (on, off):
                shutil.rmtree(scratch / "cache" / "sites", ignore_errors=True)
                times[site].append(run([*pypage, str(site), "-o", str(site / "_site")], env)[0])
        index = next((on / "_site" / "_pypage").glob("search-*"))
        size = sum(f.stat().st_size for f in index.rglob("*") if f.is_file())
        with_search, without = median(times[on]), median(times[off])
        print(f"clean build, {args.pages} pages, median of {args.runs}:")
        print(f"  with search: {with_search:.2f} s; without: {without:.2f} s")
        print(f"  search index: {with_search - without:.2f} s, {size / 2**20:.1f} MB shipped")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
