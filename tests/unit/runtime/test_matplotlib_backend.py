"""The browser's matplotlib backend (runtime/python/pypage_matplotlib.py) against the real
matplotlib backend API, on this machine's CPython: matplotlib's Pyodide wheel lives on the Pyodide
distribution only, which this machine cannot reach, and pypage does not bundle packages yet."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

RUNTIME_PYTHON = Path(__file__).resolve().parents[3] / "runtime" / "python"

SCRIPT = r"""
import base64, json, struct
import pypage  # the browser module (runtime/python), first on the path
shown = []
pypage._output = lambda kind, text, cell: shown.append(json.loads(text))
pypage._current_cell = lambda: "cell-1"

import matplotlib.pyplot as plt
import pypage_matplotlib

fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
ax.plot([1, 2, 3])
ax.set_title("Growth")
plt.show()
open_after_show = plt.get_fignums()

plt.figure()
plt.plot([3, 2, 1])
pypage_matplotlib.flush_figures()  # what the runner does when a cell ends

pypage.set_figure_format("svg")
plt.figure()
plt.plot([1, 2])
plt.show()

png = base64.b64decode(shown[0]["data"]["image/png"])
print(json.dumps({
    "backend": plt.get_backend(),
    "count": len(shown),
    "first": {"metadata": shown[0]["metadata"], "png_width": struct.unpack(">I", png[16:20])[0]},
    "second_mimes": sorted(shown[1]["data"]),
    "third": shown[2]["data"]["image/svg+xml"][:200],
    "open_after_show": open_after_show,
    "open_at_end": plt.get_fignums(),
}))
"""


def test_figures_show_in_the_cell_and_are_closed() -> None:
    pytest.importorskip("matplotlib")  # installed by the test extras; skipped only elsewhere
    env = {
        **os.environ,
        "MPLBACKEND": "module://pypage_matplotlib",
        "PYTHONPATH": str(RUNTIME_PYTHON),
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, check=True
    )
    report = json.loads(result.stdout)
    assert report["backend"] == "module://pypage_matplotlib"
    assert report["count"] == 3
    meta = report["first"]["metadata"]["image/png"]
    assert meta["alt"] == "Figure: Growth"
    assert report["first"]["png_width"] == 2 * meta["width"]  # drawn at 2x, shown at 1x
    assert 300 < meta["width"] <= 400
    assert report["second_mimes"] == ["image/png", "text/plain"]
    assert "<svg" in report["third"]
    assert report["open_after_show"] == []
    assert report["open_at_end"] == []
