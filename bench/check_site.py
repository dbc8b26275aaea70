"""Time `pypage check` on an N-page site from bench/corpus.py (a cell on every page), with
Pyodide's memory snapshot and one interpreter going from page to page (in-site navigation), against
snapshot = false and navigation = false (the baseline: a fresh start per page, in the same run), and
the build alone, for comparison.

    .venv/bin/python bench/check_site.py [--pages 50] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from corpus import make_corpus

from pypage.browser.check import check
from pypage.site.build import build

HERE = Path(__file__).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--interpreter", default="pyodide", choices=("pyodide", "micropython"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        make_corpus(site, args.pages)
        (site / "pypage.toml").write_text(f'interpreter = "{args.interpreter}"\n')
        started = time.perf_counter()
        built = build(site, Path(tmp) / "out")
        build_seconds = time.perf_counter() - started
        cells = sum(len(page.cells) for page in built.pages)
        seconds = {}
        baseline = "snapshot = false\nnavigation = false"
        tried = "snapshot = true\nnavigation = true"
        for setting in (baseline, tried):
            config = f'interpreter = "{args.interpreter}"\n{setting}\n'
            (site / "pypage.toml").write_text(config)
            started = time.perf_counter()
            report = check(site, jobs=args.jobs, timeout=120)
            seconds[setting] = time.perf_counter() - started
            assert not report.failures, report.failures[0].format()
        check_seconds = seconds[tried]

    print(f"{len(built.pages)} pages, {cells} cells ({args.interpreter}, -j {args.jobs})")
    print(
        f"build: {build_seconds:.2f} s   check: {check_seconds:.1f} s, with snapshot and navigation"
        f" off {seconds[baseline]:.1f} s: {check_seconds / seconds[baseline]:.2f}"
        f" (target <= 0.35) ({report.count('passed')} passed, {len(report.failures)} failed)"
    )
    for failure in report.failures[:5]:
        print(failure.format())
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / f"check_site_{args.interpreter}.json").write_text(
        json.dumps(
            {
                "pages": len(built.pages),
                "cells": cells,
                "jobs": args.jobs,
                "build_s": build_seconds,
                "check_s": check_seconds,
                "check_no_snapshot_no_reuse_s": seconds[baseline],
                "passed": report.count("passed"),
                "failed": len(report.failures),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
