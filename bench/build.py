"""Build speed and memory against the Python lower bound, measured side by side in one run.

The lower bound is a plain script that reads each page, splits off its front matter, renders it
with markdown-it-py and Pygments through one template and writes it, on two processes
(``--baseline``, by default the shared ``raw_render.py`` when it is there). Reported:

- a clean build of 1000 pages (no page cache), as a ratio of the lower bound (target <= 1.3);
- a rebuild of the same unchanged sources (target <= 0.5 s);
- a clean build of a one-page site (target <= 0.25 s);
- the per-page cost of a clean build at 5000 pages over that at 1000 (target <= 1.2);
- the peak memory of any one process of a build (target <= 150 MB).

Every figure is a whole ``pypage build`` process, as a user runs it, the median of ``--runs``.
The corpus is written to a RAM disk when there is one, so the disk does not set the pace.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from corpus import make_corpus

from pypage.cache import cache_dir

HERE = Path(__file__).resolve().parent
SHARED_BASELINE = HERE.parents[1] / "shared" / "bench" / "raw_render.py"


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and the peak resident memory (bytes) of the largest process it ran."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"{' '.join(command)} failed:\n{process.stderr.read() if process.stderr else ''}")
    return seconds, usage.ru_maxrss * 1024


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--large", type=int, default=5000, help="0 skips the large site")
    parser.add_argument("--baseline", type=Path, default=SHARED_BASELINE)
    args = parser.parse_args()

    shm = Path("/dev/shm")
    scratch = Path(tempfile.mkdtemp(prefix="pypage-bench-", dir=shm if shm.is_dir() else None))
    env = {**os.environ, "PYPAGE_CACHE_DIR": str(scratch / "cache")}
    npm_cache = cache_dir() / "npm"
    if npm_cache.is_dir():  # the interpreter and libraries: downloaded once per machine
        shutil.copytree(npm_cache, scratch / "cache" / "npm")
    sites_cache = scratch / "cache" / "sites"
    pypage = [sys.executable, "-m", "pypage", "build", "--quiet"]
    try:
        site = scratch / "site"
        make_corpus(site, args.pages)
        out = scratch / "out"
        run([*pypage, str(site), "-o", str(out)], env)  # warm-up: downloads, the OS file cache

        clean, memory, baseline, rebuild = [], [], [], []
        for _ in range(args.runs):
            shutil.rmtree(sites_cache, ignore_errors=True)
            seconds, peak = run([*pypage, str(site), "-o", str(out)], env)
            clean.append(seconds)
            memory.append(peak)
            rebuild.append(run([*pypage, str(site), "-o", str(out)], env)[0])
            if args.baseline.is_file():
                command = [sys.executable, str(args.baseline), str(site), str(scratch / "raw")]
                options = ["--engine", "markdown-it", "--highlight", "--jobs", "2", "-q"]
                baseline.append(run([*command, *options])[0])

        tiny = scratch / "tiny"
        tiny.mkdir()
        (tiny / "index.md").write_text("# Hello\n\n```python run\nprint('hi')\n```\n")
        run([*pypage, str(tiny), "-o", str(scratch / "tiny-out")], env)
        one_page = []
        for _ in range(args.runs):
            shutil.rmtree(sites_cache, ignore_errors=True)
            one_page.append(run([*pypage, str(tiny), "-o", str(scratch / "tiny-out")], env)[0])

        print(f"clean build, {args.pages} pages: {median(clean):.2f} s")
        if baseline:
            ratio = median(clean) / median(baseline)
            print(f"  lower bound (2 processes): {median(baseline):.2f} s -> ratio {ratio:.2f}")
        print(f"rebuild of unchanged sources: {median(rebuild):.2f} s")
        print(f"clean build, one page: {median(one_page):.2f} s")
        print(f"peak memory of a process: {max(memory) / 2**20:.0f} MB")

        if args.large:
            big = scratch / "big"
            make_corpus(big, args.large)
            shutil.rmtree(sites_cache, ignore_errors=True)
            seconds, peak = run([*pypage, str(big), "-o", str(scratch / "big-out")], env)
            per_page = (seconds / args.large) / (median(clean) / args.pages)
            print(
                f"clean build, {args.large} pages: {seconds:.2f} s; per-page cost "
                f"{per_page:.2f}x that at {args.pages}; peak memory {peak / 2**20:.0f} MB"
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
