"""Time from navigation to the first output of an autorun cell, cold and warm, and bytes served,
for a Pyodide page (with its memory snapshot, and with snapshot = false) and a MicroPython page;
the same for bare Pyodide (main thread and module worker) and bare MicroPython pages on the same
server, as baselines, and MicroPython's floor: the bare page with the two rules pypage keeps
(Python in a worker, started only after first paint).

    ./dev bench [--runs 5]

Cold: a new browser profile per run. Warm: a second visit with the same persistent profile (an
in-memory cache would drop the 9.6 MB wasm). Each visit lasts until the page settled (its editor
loaded, its files kept by the service worker), as a reader's would. Outside hosts are blocked
with Chromium's host resolver rules, because a Playwright route() would disable the HTTP cache
being measured.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, AnyStr, ClassVar

from playwright.sync_api import BrowserContext, Playwright, sync_playwright

from pypage.browser.chromium import CHROMIUM_ARGS, LOOPBACK_ONLY
from pypage.site.build import build
from pypage.site.host import SiteHandler, SiteServer, make_server, running

if TYPE_CHECKING:
    from _typeshed import SupportsRead, SupportsWrite

HERE = Path(__file__).parent
ARGS = [*CHROMIUM_ARGS, LOOPBACK_ONLY]

PAGE = """\
# Benchmark

```python run autorun
print("first output")
```
"""

MICRO_PAGE = "---\ninterpreter: micropython\n---\n" + PAGE
NO_SNAPSHOT = "nosnapshot"  # the same page in a site built with snapshot = false

BARE_PYODIDE = """\
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

BARE_MICROPYTHON = """\
<!doctype html>
<meta charset="utf-8">
<title>bare MicroPython</title>
<pre id="out"></pre>
<script type="module">
const url = new URL("{folder}/", location.href).href;
const {{ loadMicroPython }} = await import(url + "micropython.mjs");
const mp = await loadMicroPython({{
  url: url + "micropython.wasm",
  stdout: (line) => {{
    document.getElementById("out").append(line + "\\n");
    performance.mark("pypage:first-output");
  }},
}});
mp.runPython("print('first output')");
</script>
"""

# The baseline of Pyodide's snapshot target: the interpreter in a module worker, as pypage runs it.
BARE_PYODIDE_WORKER = """\
<!doctype html>
<meta charset="utf-8">
<title>bare Pyodide in a worker</title>
<pre id="out"></pre>
<script type="module">
const worker = new Worker("bare-pyodide-worker.js", { type: "module" });
worker.onmessage = ({ data }) => {
  document.getElementById("out").append(data + "\\n");
  performance.mark("pypage:first-output");
};
</script>
"""

BARE_PYODIDE_WORKER_JS = """\
const url = new URL("{folder}/", import.meta.url).href;
const {{ loadPyodide }} = await import(url + "pyodide.mjs");
const pyodide = await loadPyodide({{ indexURL: url, stdout: (line) => postMessage(line) }});
pyodide.runPython("print('first output')");
"""

# The least any loader that keeps pypage's rules can do: Python in a module worker (a busy cell
# must not freeze the page), started once the first contentful paint is recorded (never before).
FLOOR_MICROPYTHON = """\
<!doctype html>
<meta charset="utf-8">
<title>MicroPython floor</title>
<p>A cell</p>
<pre id="out"></pre>
<script type="module">
let started = false;
new PerformanceObserver((list, observer) => {
  if (started || !list.getEntriesByName("first-contentful-paint").length) return;
  started = true;
  observer.disconnect();
  const worker = new Worker("floor-micropython.js", { type: "module" });
  worker.onmessage = ({ data }) => {
    document.getElementById("out").append(data + "\\n");
    performance.mark("pypage:first-output");
  };
}).observe({ type: "paint", buffered: true });
</script>
"""

FLOOR_MICROPYTHON_WORKER = """\
const url = new URL("{folder}/", import.meta.url).href;
const {{ loadMicroPython }} = await import(url + "micropython.mjs");
const mp = await loadMicroPython({{
  url: url + "micropython.wasm",
  stdout: (line) => postMessage(line),
}});
mp.runPython("print('first output')");
"""


@dataclass
class Counter:
    bytes_sent: int = 0


class CountingHandler(SiteHandler):
    """Adds the size of each file it sends to ``counter`` (set per server: counting_server)."""

    counter: ClassVar[Counter]

    def copyfile(self, source: SupportsRead[AnyStr], outputfile: SupportsWrite[AnyStr]) -> None:
        if isinstance(source, io.IOBase):  # the base class sends files it opened
            self.counter.bytes_sent += os.fstat(source.fileno()).st_size - source.tell()
        super().copyfile(source, outputfile)


def counting_server(root: Path) -> tuple[SiteServer, Counter]:
    """A static host (no isolation headers) of ``root`` that counts the bytes of files it sends."""
    counter = Counter()
    handler = type("Counting", (CountingHandler,), {"counter": counter})
    return make_server(root, isolate=False, handler_class=handler), counter


SETTLED = """() => {
  const state = document.documentElement.dataset;
  if (!("pypage" in state)) return true;  // a bare page
  // "ready" covers the editor's files, which the page hands over once Python answered (it loads
  // them only for a reader who edits); a snapshot still being stored is not settled either.
  return ["ready", "partial"].includes(state.pypageOffline) && state.pypageSnapshot !== "made";
}"""


def visit(context: BrowserContext, url: str) -> tuple[float, float]:
    """(first output, first contentful paint), in ms since navigation."""
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(
        "performance.getEntriesByName('pypage:first-output').length > 0"
        " && performance.getEntriesByName('first-contentful-paint').length > 0",
        timeout=120_000,
    )
    output, paint = page.evaluate(
        """() => [performance.getEntriesByName('pypage:first-output')[0].startTime,
                  performance.getEntriesByName('first-contentful-paint')[0].startTime]"""
    )
    # A reader stays longer than the first output: the page stores Python's snapshot after it,
    # and the service worker keeps what the page used. Closing earlier would leave that work to
    # run into (and be counted in) the next visit.
    page.wait_for_function(SETTLED, timeout=60_000)
    page.close()
    return float(output), float(paint)


def measure(playwright: Playwright, counter: Counter, url: str, runs: int) -> dict[str, float]:
    """Per run, a fresh profile: a cold visit, a warm revisit in the same browser (new tab), and a
    warm revisit after restarting the browser on the same profile (disk cache only)."""
    times: dict[str, list[float]] = {"cold": [], "warm": [], "relaunch": []}
    paints: dict[str, list[float]] = {"cold": [], "warm": [], "relaunch": []}
    sent: dict[str, list[int]] = {"cold": [], "warm": [], "relaunch": []}
    chromium = shutil.which("chromium") or "chromium"

    def timed(context: BrowserContext, phase: str) -> None:
        counter.bytes_sent = 0
        output, paint = visit(context, url)
        times[phase].append(output)
        paints[phase].append(paint)
        sent[phase].append(counter.bytes_sent)

    for _ in range(runs):
        with tempfile.TemporaryDirectory() as profile:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=chromium, args=ARGS
            )
            timed(context, "cold")
            timed(context, "warm")
            context.close()
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=chromium, args=ARGS
            )
            timed(context, "relaunch")
            context.close()
    result: dict[str, float] = {}
    for phase in times:
        result[f"{phase}_ms"] = statistics.median(times[phase])
        result[f"{phase}_paint_ms"] = statistics.median(paints[phase])
        result[f"{phase}_bytes"] = statistics.median(sent[phase])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        site.mkdir()
        (site / "index.md").write_text(PAGE)
        (site / "micro.md").write_text(MICRO_PAGE)
        out = build(site, Path(tmp) / "www").out
        plain = Path(tmp) / NO_SNAPSHOT
        plain.mkdir()
        (plain / "index.md").write_text(PAGE)
        (plain / "pypage.toml").write_text("snapshot = false\n")
        build(plain, out / NO_SNAPSHOT)
        for name, template in (("pyodide", BARE_PYODIDE), ("micropython", BARE_MICROPYTHON)):
            folder = next(out.glob(f"_pypage/{name}-*")).relative_to(out).as_posix()
            (out / f"bare-{name}.html").write_text(template.format(folder=folder))
        folder = next(out.glob("_pypage/pyodide-*")).relative_to(out).as_posix()
        (out / "bare-pyodide-worker.html").write_text(BARE_PYODIDE_WORKER)
        (out / "bare-pyodide-worker.js").write_text(BARE_PYODIDE_WORKER_JS.format(folder=folder))
        (out / "floor-micropython.html").write_text(FLOOR_MICROPYTHON)
        folder = next(out.glob("_pypage/micropython-*")).relative_to(out).as_posix()
        (out / "floor-micropython.js").write_text(FLOOR_MICROPYTHON_WORKER.format(folder=folder))

        server, counter = counting_server(out)
        with running(server) as base, sync_playwright() as playwright:
            results = {
                name: measure(playwright, counter, base + url, args.runs)
                for name, url in (
                    ("pypage Pyodide", "index.html"),
                    ("no snapshot", f"{NO_SNAPSHOT}/index.html"),
                    ("bare Pyodide", "bare-pyodide.html"),
                    ("bare Py worker", "bare-pyodide-worker.html"),
                    ("pypage MicroPy", "micro.html"),
                    ("bare MicroPy", "bare-micropython.html"),
                    ("floor MicroPy", "floor-micropython.html"),
                )
            }

    print(f"Navigation → first output, median of {args.runs} (Chromium headless, loopback)")
    print("warm: revisit in the running browser; relaunch: revisit after a browser restart;")
    print("paint: first contentful paint of the warm visit (pypage starts Python only after it)")
    print("floor: bare MicroPython in a module worker started after first paint, as pypage must")
    print(
        f"{'page':<16}{'cold':>9}{'warm':>9}{'relaunch':>10}{'paint':>9}"
        f"{'cold bytes':>13}{'warm bytes':>12}"
    )
    for name, r in results.items():
        print(
            f"{name:<16}{r['cold_ms']:>7.0f}ms{r['warm_ms']:>7.0f}ms{r['relaunch_ms']:>8.0f}ms"
            f"{r['warm_paint_ms']:>7.0f}ms"
            f"{r['cold_bytes'] / 1e6:>11.2f}MB{r['warm_bytes'] / 1e3:>10.1f}kB"
        )
    pypage, worker = results["pypage Pyodide"], results["bare Py worker"]
    micro, floor = results["pypage MicroPy"], results["floor MicroPy"]
    print(
        f"Pyodide warm / bare worker warm: {pypage['warm_ms'] / worker['warm_ms']:.2f}"
        f" (target <= 0.35); relaunch: {pypage['relaunch_ms'] / worker['relaunch_ms']:.2f}"
        f"; cold / bare worker cold: {pypage['cold_ms'] / worker['cold_ms']:.2f} (<= 1.1)"
    )
    print(
        f"MicroPython warm / floor warm: {micro['warm_ms'] / floor['warm_ms']:.2f} (target <= 1.3)"
    )
    results_dir = HERE / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "first_output.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
