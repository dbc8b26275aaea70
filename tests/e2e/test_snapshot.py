"""Pyodide's memory snapshot, end to end: made by the reader's browser on the first visit, kept in
Cache Storage, restored on the next start (a visit, Restart, Stop's restart); the interpreter it
gives behaves like a fresh one; a bad snapshot falls back to a normal start with one warning."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page

from ..sites import write
from .conftest import Served, serve_site, site_store
from .harness import output_of, run_cell, state_of, wait_finished

pytestmark = pytest.mark.e2e

NOTES = {
    "index.md": """---
title: Chance
---
# Chance and waiting

Every run of the page draws new numbers, as a fresh Python would.

```python run autorun id=draw
import random
print("drew", random.random())
```

## Asking

```python run id=ask
name = input("Your name? ")
print(f"Hello, {name}!")
```

## Waiting

```python run id=ticks
import time
for tick in range(4):
    print("tick", tick, flush=True)
    time.sleep(0.3)
```

```python run id=spin
while True:
    pass
```

```python run id=after
print("still answering", 6 * 7)
```
""",
    "micro.md": """---
interpreter: micropython
---
# On MicroPython

```python run autorun id=micro
print("micro", 2 ** 10)
```
""",
}

SNAPSHOT_STATES = (
    "['kept', 'restored', 'unavailable', 'off']"
    ".includes(document.documentElement.dataset.pypageSnapshot)"
)


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    # Served with cross-origin isolation, as `pypage serve` does: Stop interrupts in place.
    work = tmp_path_factory.mktemp("snapshot")
    yield from serve_site(write(work / "source", NOTES), work / "root", isolate=True)


def snapshot_state(page: Page) -> str:
    page.wait_for_function(SNAPSHOT_STATES, timeout=120_000)
    return str(page.evaluate("document.documentElement.dataset.pypageSnapshot"))


def visit(page: Page, url: str) -> tuple[str, str]:
    """Open the page; once its autorun cell ran and the snapshot settled: that cell's output and
    how Python started."""
    page.goto(url)
    wait_finished(page, "draw", timeout=120_000)
    return output_of(page, "draw"), snapshot_state(page)


def stored_keys(page: Page) -> list[str]:
    return list(
        page.evaluate(
            "async name => (await (await caches.open(name)).keys()).map(r => r.url)",
            site_store("snapshots"),
        )
    )


def test_the_first_visit_makes_the_snapshot_and_later_starts_restore_it(
    page: Page, notes: Served
) -> None:
    first, state = visit(page, notes.url())
    assert state == "kept"
    [key] = stored_keys(page)
    assert key.startswith(notes.url("_pypage/runtime-")), key
    assert "/snapshot-pyodide-" in key
    draws = {first}
    for _ in range(2):
        output, state = visit(page, notes.url())
        assert state == "restored"
        assert output.startswith("drew 0.")
        draws.add(output)
    assert len(draws) == 3, "every restore must reseed random"
    assert stored_keys(page) == [key]

    # The restored interpreter streams, asks, and stops like a fresh one.
    page.click('[data-pypage-cell="ticks"] [data-pypage-run]')
    page.wait_for_function(
        """() => {
          const cell = document.querySelector('[data-pypage-cell="ticks"]');
          return cell.dataset.state === 'running' && cell.textContent.includes('tick 0');
        }""",
        timeout=60_000,
    )
    wait_finished(page, "ticks")
    assert output_of(page, "ticks") == "tick 0\ntick 1\ntick 2\ntick 3\n"

    page.click('[data-pypage-cell="ask"] [data-pypage-run]')
    field = '[data-pypage-cell="ask"] [data-pypage-input]'
    page.wait_for_selector(field)
    page.fill(field, "Ada")
    page.press(field, "Enter")
    wait_finished(page, "ask")
    assert output_of(page, "ask").endswith("Hello, Ada!\n")

    page.click('[data-pypage-cell="spin"] [data-pypage-run]')
    page.wait_for_function(
        "document.querySelector('[data-pypage-cell=\"spin\"]').dataset.state === 'running'"
    )
    page.click('[data-pypage-cell="spin"] [data-pypage-run]')  # Stop
    wait_finished(page, "spin")
    assert "KeyboardInterrupt" in output_of(page, "spin")
    assert "restarted" not in output_of(page, "spin")
    assert run_cell(page, "after") == "done"
    assert output_of(page, "after") == "still answering 42\n"


def test_restart_starts_from_the_snapshot(page: Page, notes: Served) -> None:
    _, state = visit(page, notes.url())
    assert state in ("kept", "restored")
    run_cell(page, "after")
    page.evaluate("delete document.documentElement.dataset.pypageSnapshot")
    page.click("[data-pypage-restart]")
    assert snapshot_state(page) == "restored"
    assert run_cell(page, "after") == "done"
    assert output_of(page, "after") == "still answering 42\n"


@pytest.mark.parametrize("damage", ["garbage", "cut short"])
def test_a_bad_snapshot_falls_back_to_a_normal_start(
    page: Page, notes: Served, damage: str
) -> None:
    warnings: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "warning" and message.text.startswith("pypage:"):
            warnings.append(message.text)

    page.on("console", on_console)
    _, state = visit(page, notes.url())
    assert state in ("kept", "restored")
    [key] = stored_keys(page)
    page.evaluate(
        """async ([key, damage, name]) => {
          const cache = await caches.open(name);
          const real = new Uint8Array(await (await cache.match(key)).arrayBuffer());
          const bytes = damage === 'garbage'
            ? real.map((_, i) => (i * 31) % 251)
            : real.subarray(0, real.length >> 1);
          const stated = damage === 'garbage' ? bytes.length : real.length;
          const headers = {'x-pypage-snapshot-bytes': String(stated)};
          await cache.put(key, new Response(bytes, {headers}));
        }""",
        [key, damage, site_store("snapshots")],
    )
    warnings.clear()
    output, state = visit(page, notes.url())
    assert state == "unavailable"
    assert output.startswith("drew 0.")
    assert len(warnings) == 1, warnings
    assert "stored snapshot" in warnings[0]
    # The failed snapshot is gone, and is not made again for this build: no second warning.
    output, state = visit(page, notes.url())
    assert (state, output.startswith("drew 0."), len(warnings)) == ("unavailable", True, 1)
    marker = page.evaluate(
        """async ([key, name]) => (await (await caches.open(name)).match(key))
            .headers.get('x-pypage-snapshot')""",
        [key, site_store("snapshots")],
    )
    assert marker == "failed"


def test_micropython_pages_start_without_one(page: Page, notes: Served) -> None:
    page.goto(notes.url("micro.html"))
    wait_finished(page, "micro")
    assert output_of(page, "micro") == "micro 1024\n"
    assert snapshot_state(page) == "off"


def test_snapshot_false_turns_it_off(page: Page, tmp_path: Path) -> None:
    source = write(tmp_path / "source", {**NOTES, "pypage.toml": "snapshot = false\n"})
    for served in serve_site(source, tmp_path / "root"):
        output, state = visit(page, served.url())
        assert (state, output.startswith("drew 0.")) == ("off", True)
        assert stored_keys(page) == []
        assert state_of(page, "draw") == "done"
