"""Stop latency for a Python loop (interrupt, cross-origin isolated page) and the time back to a
usable interpreter after a forced restart (static host), median of R runs each.

    .venv/bin/python bench/stop.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from pypage.build import build
from pypage.check import CHROMIUM_ARGS
from pypage.serve import make_server

HERE = Path(__file__).parent
PAGE = """# Stop

```python run id=spin
while True:
    pass
```

```python run id=ping
print("pong")
```
"""

STATE = 'id => document.querySelector(`[data-pypage-cell="${id}"]`).dataset.state'


def stop_once(page: Page) -> tuple[float, float]:
    """Milliseconds from pressing Stop to the cell ending, and to the next cell's output."""
    page.click('[data-pypage-cell="spin"] [data-pypage-run]')
    page.wait_for_function(f"({STATE})('spin') === 'running'", timeout=120_000)
    pressed = page.evaluate(
        """() => { const t = performance.now();
                   document.querySelector('[data-pypage-cell="spin"] [data-pypage-run]').click();
                   return t; }"""
    )
    page.wait_for_function(f"['done', 'error'].includes(({STATE})('spin'))")
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
        out = build(site, Path(tmp) / "out").out
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        for label, isolate in (("interrupt (isolated)", True), ("restart (static host)", False)):
            server = make_server(out, isolate=isolate)
            threading.Thread(target=server.serve_forever, daemon=True).start()
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            runs = [stop_once(page) for _ in range(args.runs)]
            page.close()
            server.shutdown()
            results[label] = {
                "stop_ms": statistics.median(r[0] for r in runs),
                "usable_ms": statistics.median(r[1] for r in runs),
            }
        browser.close()
    print(f"Stop, median of {args.runs} (Pyodide, headless Chromium)")
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
