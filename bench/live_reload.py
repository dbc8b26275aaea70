"""Time from saving a page to the updated DOM in the browser, with `pypage serve` on an N-page site
from bench/corpus.py (median of R edits), and the rebuild time alone.

    .venv/bin/python bench/live_reload.py [--pages 500] [--edits 20]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from corpus import make_corpus, page_path
from playwright.sync_api import sync_playwright

from pypage.browser.chromium import CHROMIUM_ARGS, LOOPBACK_ONLY
from pypage.serve.live import LiveSite, Update
from pypage.serve.server import make_live_server, watch
from pypage.site.host import running

HERE = Path(__file__).parent
ARGS = [*CHROMIUM_ARGS, LOOPBACK_ONLY]


class TimedSite(LiveSite):
    """Records how long each rebuild took."""

    rebuilds: list[float]

    def apply(self, changed: set[Path]) -> Update:
        update = super().apply(changed)
        if update.kind != "none":
            self.rebuilds.append(update.seconds)
        return update


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        make_corpus(site, args.pages)
        target = site / page_path(7)
        started = time.perf_counter()
        live = TimedSite(site, Path(tmp) / "out")
        live.rebuilds = []
        first_build = time.perf_counter() - started
        server, broadcaster = make_live_server(live, host="127.0.0.1", port=0)
        stop = threading.Event()
        with running(server) as base:
            threading.Thread(target=watch, args=(live, broadcaster, stop), daemon=True).start()
            url = base + str(page_path(7).with_suffix(".html"))

            latencies = []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=shutil.which("chromium"), args=ARGS
                )
                page = browser.new_page()
                page.goto(url)
                page.wait_for_selector("html[data-pypage-live=connected]", state="attached")
                original = target.read_text()
                for n in range(args.edits):
                    marker = f"Edit number {n} for the benchmark."
                    saved_at = time.time() * 1000
                    target.write_text(original.replace("\n\n", f"\n\n{marker}\n\n", 1))
                    page.wait_for_function(
                        f"document.querySelector('main').innerText.includes({json.dumps(marker)})",
                        timeout=30_000,
                    )
                    shown_at = page.evaluate(
                        "performance.timeOrigin"
                        " + performance.getEntriesByName('pypage:live-update').at(-1).startTime"
                    )
                    latencies.append(shown_at - saved_at)
                browser.close()
            stop.set()

    rebuild_ms = [s * 1000 for s in live.rebuilds]
    print(f"{args.pages}-page site; first build {first_build:.2f} s")
    print(
        f"save → updated DOM, median of {len(latencies)}: {statistics.median(latencies):.0f} ms "
        f"(min {min(latencies):.0f}, max {max(latencies):.0f})"
    )
    print(f"rebuild alone, median: {statistics.median(rebuild_ms):.1f} ms")
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "live_reload.json").write_text(
        json.dumps(
            {
                "pages": args.pages,
                "save_to_dom_ms": latencies,
                "rebuild_ms": rebuild_ms,
                "median_save_to_dom_ms": statistics.median(latencies),
                "median_rebuild_ms": statistics.median(rebuild_ms),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
