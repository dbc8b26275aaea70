"""Stop latency for a Python loop (interrupt, cross-origin isolated page) and the time back to a
usable interpreter after a forced restart (static host; on MicroPython, a loop that never calls
out), median of R runs each, for both interpreters.

    .venv/bin/python bench/stop.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from pypage.browser.chromium import CHROMIUM_ARGS
from pypage.site.build import build
from pypage.site.host import serving

HERE = Path(__file__).parent
PAGE = """# Stop

```python run id=spin
while True:
    pass
```

```python run id=nap
import time
while True:
    time.sleep(0.01)
```

```python run id=ping
print("pong")
```
"""

STATE = 'id => document.querySelector(`[data-pypage-cell="${id}"]`).dataset.state'


MICRO_PAGE = "---\ninterpreter: micropython\n---\n" + PAGE

# (label, page, isolated host, cell): MicroPython cannot look for Stop inside a loop that never
# calls out, so its bare loop is the restart case and a sleeping loop the interrupt case.
CASES = (
    ("Pyodide interrupt", "index.html", True, "spin"),
    ("Pyodide restart", "index.html", False, "spin"),
    ("MicroPython interrupt", "micro.html", True, "nap"),
    ("MicroPython restart", "micro.html", True, "spin"),
)


def stop_once(page: Page, cell: str) -> tuple[float, float]:
    """Milliseconds from pressing Stop to the cell ending, and to the next cell's output."""
    page.click(f'[data-pypage-cell="{cell}"] [data-pypage-run]')
    page.wait_for_function(f"({STATE})('{cell}') === 'running'", timeout=120_000)
    pressed = page.evaluate(
        """cell => { const t = performance.now();
                   document.querySelector(`[data-pypage-cell="${cell}"] [data-pypage-run]`).click();
                   return t; }""",
        cell,
    )
    page.wait_for_function(f"['done', 'error'].includes(({STATE})('{cell}'))")
    stopped = page.evaluate("performance.now()")
    page.click('[data-pypage-cell="ping"] [data-pypage-run]')
    page.wait_for_function(f"({STATE})('ping') === 'done'", timeout=120_000)
    usable = page.evaluate("performance.now()")
    return stopped - pressed, usable - pressed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        site = Path(tmp) / "site"
        site.mkdir()
        (site / "index.md").write_text(PAGE)
        (site / "micro.md").write_text(MICRO_PAGE)
        out = build(site, Path(tmp) / "out").out
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        for label, name, isolate, cell in CASES:
            with serving(out, isolate=isolate) as base:
                page = browser.new_page()
                page.goto(base + name)
                runs = [stop_once(page, cell) for _ in range(args.runs)]
                page.close()
            results[label] = {
                "stop_ms": statistics.median(r[0] for r in runs),
                "usable_ms": statistics.median(r[1] for r in runs),
            }
        browser.close()
    print(f"Stop, median of {args.runs} (headless Chromium; restart: Python started again)")
    for label, r in results.items():
        print(
            f"{label:<24} cell ended {r['stop_ms']:>7.0f} ms"
            f"   next cell ran {r['usable_ms']:>7.0f} ms"
        )
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "stop.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
