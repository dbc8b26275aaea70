"""A link to the next page of a site → the first output of that page's autorun cell, for Pyodide
and MicroPython: in-site navigation (the interpreter stays) against a normal page load of the same
link in the same run (warm HTTP cache, service worker, snapshot); and the page's plus its worker's
memory after 20 in-site navigations against after 5 (cross-origin isolated, so the browser can
measure both).

    .venv/bin/python bench/navigation.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from pypage.browser.chromium import CHROMIUM_ARGS
from pypage.site.build import build
from pypage.site.host import serving

HERE = Path(__file__).parent
PAGES = 26  # 1 warm-up, 20 for memory, and more for the timed hops


def lesson(interpreter: str, n: int) -> str:
    return f"""---
interpreter: {interpreter}
---
# Lesson {n}

```python run autorun id=lesson
import json
total = sum(range({n * 1000}))
print("lesson {n}", total)
```

Some notes about lesson {n}.
"""


def write_site(root: Path) -> None:
    (root / "index.md").parent.mkdir(parents=True)
    (root / "index.md").write_text("# Lessons\n\n[Pyodide](pyodide/lesson0.md)\n")
    for interpreter in ("pyodide", "micropython"):
        folder = root / interpreter
        folder.mkdir(parents=True)
        for n in range(PAGES):
            (folder / f"lesson{n}.md").write_text(lesson(interpreter, n))


FIRST_OUTPUT = "performance.getEntriesByName('pypage:first-output').length > {count}"
NEXT = "document.querySelector('a[rel=next]')"


def click_next(page: Page) -> float:
    """Click the pager's next link; the click's time since the epoch, in ms."""
    return float(
        page.evaluate(
            f"() => {{ const t = performance.timeOrigin + performance.now();"
            f" {NEXT}.click(); return t; }}"
        )
    )


def hop_in_site(page: Page) -> float:
    """Milliseconds from the click to the next page's first output, in the same document."""
    count = page.evaluate("performance.getEntriesByName('pypage:first-output').length")
    clicked = click_next(page)
    page.wait_for_function(FIRST_OUTPUT.format(count=count), timeout=120_000)
    shown = page.evaluate(
        "performance.timeOrigin"
        " + performance.getEntriesByName('pypage:first-output').at(-1).startTime"
    )
    return float(shown) - clicked


def hop_loading(page: Page) -> float:
    """The same when the link loads a new document, as it does without in-site navigation."""
    clicked = float(
        page.evaluate(
            f"() => {{ const t = performance.timeOrigin + performance.now();"
            f" location.assign({NEXT}.href); return t; }}"
        )
    )
    page.wait_for_function(FIRST_OUTPUT.format(count=0), timeout=120_000)
    shown = page.evaluate(
        "performance.timeOrigin + performance.getEntriesByName('pypage:first-output')[0].startTime"
    )
    return float(shown) - clicked


def settle(page: Page) -> None:
    page.wait_for_function(FIRST_OUTPUT.format(count=0), timeout=120_000)
    page.wait_for_function(
        "['kept', 'restored', 'unavailable', 'off', undefined].includes("
        "document.documentElement.dataset.pypageSnapshot) && "
        "document.documentElement.dataset.pypageOffline !== 'pending'",
        timeout=120_000,
    )


def timed(browser: Browser, base: str, interpreter: str, runs: int) -> dict[str, float]:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}{interpreter}/lesson0.html")
    settle(page)
    page.goto(f"{base}{interpreter}/lesson0.html")  # warm: cached files, stored snapshot
    settle(page)
    in_site = [hop_in_site(page) for _ in range(runs)]
    loading = []
    for _ in range(runs):
        loading.append(hop_loading(page))
        settle(page)
    context.close()
    return {"in_site_ms": statistics.median(in_site), "page_load_ms": statistics.median(loading)}


def memory(page: Page) -> tuple[int, int]:
    """Bytes the page and its workers use, and the Python worker's share of them."""
    total, worker = page.evaluate(
        """async () => {
            globalThis.gc?.();
            const measured = await performance.measureUserAgentSpecificMemory();
            const worker = (a) => a.scope === "DedicatedWorkerGlobalScope";
            const inWorker = measured.breakdown
                .filter(part => part.attribution.some(worker))
                .reduce((sum, part) => sum + part.bytes, 0);
            return [measured.bytes, inWorker];
        }"""
    )
    return int(total), int(worker)


def memory_after(browser: Browser, base: str, interpreter: str) -> dict[str, int]:
    page = browser.new_page()
    page.goto(f"{base}{interpreter}/lesson0.html")
    settle(page)
    found = {}
    for hop in range(1, 21):
        hop_in_site(page)
        if hop in (5, 20):
            found[f"after_{hop}"], found[f"worker_after_{hop}"] = memory(page)
    page.close()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        site = Path(tmp) / "site"
        write_site(site)
        out = build(site, Path(tmp) / "out").out
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            # Eager: the browser measures memory at once instead of at its next idle collection.
            args=[
                *CHROMIUM_ARGS,
                "--enable-blink-features=ForceEagerMeasureMemory",
                "--js-flags=--expose-gc",
            ],
        )
        with serving(out, isolate=True) as base:
            for interpreter in ("pyodide", "micropython"):
                results[interpreter] = {
                    **timed(browser, base, interpreter, args.runs),
                    **memory_after(browser, base, interpreter),
                }
        browser.close()
    print(f"Link → next page's first output, median of {args.runs} (headless Chromium, warm)")
    for interpreter, r in results.items():
        ratio = r["in_site_ms"] / r["page_load_ms"]
        grown = r["after_20"] / r["after_5"]
        print(
            f"{interpreter:<12} in-site {r['in_site_ms']:>6.0f} ms (target <= 150)"
            f"   page load {r['page_load_ms']:>6.0f} ms   ratio {ratio:.2f}"
        )
        print(
            f"{'':<12} memory after 20 navigations {r['after_20'] / 2**20:>6.1f} MiB,"
            f" after 5 {r['after_5'] / 2**20:>6.1f} MiB: {grown:.2f} (target <= 1.2)"
            f" (Python's worker: {r['worker_after_20'] / 2**20:.1f} and"
            f" {r['worker_after_5'] / 2**20:.1f} MiB)"
        )
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "navigation.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
