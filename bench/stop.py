"""Stop latency for a Python loop (interrupt, cross-origin isolated page) and the time back to a
usable interpreter after a forced restart (static host; on MicroPython, a loop that never calls
out), median of R runs each, for both interpreters; and the Restart control → the output of a cell
run right after it, for Pyodide with its memory snapshot and with snapshot = false.

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
    ("Pyodide restart, no snap", "nosnapshot/index.html", False, "spin"),
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


SNAPSHOT_SETTLED = (
    "['kept', 'restored', 'unavailable', 'off']"
    ".includes(document.documentElement.dataset.pypageSnapshot)"
)


def restart_once(page: Page) -> float:
    """Milliseconds from pressing Restart to the output of a cell run right after it."""
    pressed = page.evaluate(
        """() => { const t = performance.now();
                   document.querySelector("[data-pypage-restart]").click();
                   document.querySelector('[data-pypage-cell="ping"] [data-pypage-run]').click();
                   return t; }"""
    )
    page.wait_for_function(f"({STATE})('ping') === 'done'", timeout=120_000)
    return float(page.evaluate("performance.now()")) - pressed


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
        plain = Path(tmp) / "plain"
        plain.mkdir()
        (plain / "index.md").write_text(PAGE)
        (plain / "pypage.toml").write_text("snapshot = false\n")
        build(plain, out / "nosnapshot")
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        for label, name, isolate, cell in CASES:
            with serving(out, isolate=isolate) as base:
                page = browser.new_page()
                page.goto(base + name)
                page.click('[data-pypage-cell="ping"] [data-pypage-run]')
                page.wait_for_function(SNAPSHOT_SETTLED, timeout=120_000)
                runs = [stop_once(page, cell) for _ in range(args.runs)]
                page.close()
            results[label] = {
                "stop_ms": statistics.median(r[0] for r in runs),
                "usable_ms": statistics.median(r[1] for r in runs),
            }
        restart_cases = (("Restart", "index.html"), ("Restart, no snap", "nosnapshot/index.html"))
        for label, name in restart_cases:
            with serving(out, isolate=True) as base:
                page = browser.new_page()
                page.goto(base + name)
                page.click('[data-pypage-cell="ping"] [data-pypage-run]')
                page.wait_for_function(SNAPSHOT_SETTLED, timeout=120_000)
                restarts = [restart_once(page) for _ in range(args.runs)]
                page.close()
            results[label] = {"usable_ms": statistics.median(restarts)}
        browser.close()
    print(f"Stop, median of {args.runs} (headless Chromium; restart: Python started again)")
    for label, r in results.items():
        ended = f"cell ended {r['stop_ms']:>7.0f} ms" if "stop_ms" in r else " " * 21
        print(f"{label:<26} {ended}   next cell ran {r['usable_ms']:>7.0f} ms")
    for what, on, off in (
        ("Restart → output", "Restart", "Restart, no snap"),
        ("Stop's restart → output", "Pyodide restart", "Pyodide restart, no snap"),
    ):
        ratio = results[on]["usable_ms"] / results[off]["usable_ms"]
        print(f"{what}, snapshot / snapshot = false: {ratio:.2f} (target <= 0.35)")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "stop.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
