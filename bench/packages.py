"""A page with one package (humanize, from your package index): time of a first build with an
empty package cache and of a second, cached build; then navigation → first output and bytes
served, cold, on a warm revisit (the service worker answers) and after a browser restart.

    ./dev bench            (or: python bench/packages.py [--runs 5])
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

from first_output import counting_server, measure
from playwright.sync_api import sync_playwright

from pypage.cache import cache_dir
from pypage.site.build import build
from pypage.site.host import running

HERE = Path(__file__).parent

PAGE = """\
---
packages: [humanize]
---
# One package

```python run autorun
import humanize
print(humanize.intcomma(1234567))
```
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    machine_cache = cache_dir()

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        (site / "index.md").write_text(PAGE)
        cache = Path(tmp) / "cache"
        cache.mkdir()
        (cache / "npm").symlink_to(machine_cache / "npm", target_is_directory=True)
        with mock.patch.dict(os.environ, {"PYPAGE_CACHE_DIR": str(cache)}):
            started = time.perf_counter()
            build(site, Path(tmp) / "first", announce=False)
            first_build = time.perf_counter() - started
            started = time.perf_counter()
            out = build(site, Path(tmp) / "www", announce=False).out
            second_build = time.perf_counter() - started

        server, counter = counting_server(out)
        with running(server) as base, sync_playwright() as playwright:
            result = measure(playwright, counter, base + "index.html", args.runs)

    print(
        f"Build, empty package cache: {first_build:.2f} s; second build (cached): "
        f"{second_build:.2f} s"
    )
    print(f"Page with one package, navigation → first output, median of {args.runs}:")
    for phase in ("cold", "warm", "relaunch"):
        print(
            f"  {phase:<9}{result[f'{phase}_ms']:>7.0f} ms"
            f"{result[f'{phase}_bytes'] / 1e3:>12.1f} kB served"
        )
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "packages.json").write_text(
        json.dumps(
            {"first_build_s": first_build, "second_build_s": second_build, **result}, indent=2
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
