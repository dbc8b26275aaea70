"""Time from navigation to the first output of an autorun cell, cold and warm, and bytes served;
the same for a bare Pyodide page on the same server, as the baseline.

    ./dev bench [--runs 5]

Cold: a new browser profile per run. Warm: a second visit with the same persistent profile (an
in-memory cache would drop the 9.6 MB wasm). Outside hosts are blocked with Chromium's host
resolver rules, because a Playwright route() would disable the HTTP cache being measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import BrowserContext, sync_playwright

from pypage.build import build
from pypage.serve import SiteHandler, make_server

HERE = Path(__file__).parent
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

PAGE = """\
# Benchmark

```python run autorun
print("first output")
```
"""

BARE = """\
<!doctype html>
<meta charset="utf-8">
<title>bare Pyodide</title>
<pre id="out"></pre>
<script type="module">
const url = new URL("{folder}/", location.href).href;
const {{ loadPyodide }} = await import(url + "pyodide.mjs");
const pyodide = await loadPyodide({{
  indexURL: url,
  stdout: (line) => {{
    document.getElementById("out").append(line + "\\n");
    performance.mark("pypage:first-output");
  }},
}});
pyodide.runPython("print('first output')");
</script>
"""


class CountingHandler(SiteHandler):
    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        self.server.bytes_sent += os.fstat(source.fileno()).st_size - source.tell()  # type: ignore[attr-defined]
        super().copyfile(source, outputfile)


def visit(context: BrowserContext, url: str) -> float:
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(
        "performance.getEntriesByName('pypage:first-output').length > 0", timeout=120_000
    )
    ms = page.evaluate("performance.getEntriesByName('pypage:first-output')[0].startTime")
    page.close()
    return float(ms)


def measure(playwright, server, url: str, runs: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    cold, warm, cold_bytes, warm_bytes = [], [], [], []
    chromium = shutil.which("chromium") or "chromium"
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as profile:
            for phase in ("cold", "warm"):
                context = playwright.chromium.launch_persistent_context(
                    profile, executable_path=chromium, args=ARGS
                )
                server.bytes_sent = 0
                ms = visit(context, url)
                context.close()
                (cold if phase == "cold" else warm).append(ms)
                (cold_bytes if phase == "cold" else warm_bytes).append(server.bytes_sent)
    return {
        "cold_ms": statistics.median(cold),
        "warm_ms": statistics.median(warm),
        "cold_bytes": statistics.median(cold_bytes),
        "warm_bytes": statistics.median(warm_bytes),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        (site / "index.md").write_text(PAGE)
        out = build(site, Path(tmp) / "www").out
        folder = next(out.glob("_pypage/pyodide-*")).relative_to(out).as_posix()
        (out / "bare.html").write_text(BARE.format(folder=folder))

        server = make_server(out, isolate=False, handler_class=CountingHandler)
        server.bytes_sent = 0  # type: ignore[attr-defined]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"

        with sync_playwright() as playwright:
            results = {
                "pypage page": measure(playwright, server, base + "index.html", args.runs),
                "bare Pyodide": measure(playwright, server, base + "bare.html", args.runs),
            }
        server.shutdown()

    print(f"Navigation → first output, median of {args.runs} (Chromium headless, loopback)")
    print(f"{'page':<14}{'cold':>10}{'warm':>10}{'cold bytes':>14}{'warm bytes':>12}")
    for name, r in results.items():
        print(
            f"{name:<14}{r['cold_ms']:>8.0f}ms{r['warm_ms']:>8.0f}ms"
            f"{r['cold_bytes'] / 1e6:>12.2f}MB{r['warm_bytes'] / 1e3:>10.1f}kB"
        )
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "first_output.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
