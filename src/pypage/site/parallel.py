"""Per-page work across the machine's cores: a process pool for sites large enough to pay for
one, plain calls for the rest (a one-page site never starts a process)."""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import multiprocessing.context

# Below this many pages the work costs less than starting the processes (~30 ms each).
MIN_ITEMS = 24
# Pages per task: enough that sending work and results is cheap next to the work itself.
CHUNKS_PER_WORKER = 4

_installed: tuple[Callable[[Any, Any], Any], Any] | None = None


def map_pages[C, T, R](work: Callable[[C, T], R], context: C, items: Sequence[T]) -> list[R]:
    """``[work(context, item) for item in items]``, in order, on every core when it pays.

    ``work`` must be a module-level function; ``context`` is sent to each process once."""
    workers = min(_cores(), math.ceil(len(items) / (MIN_ITEMS / 2)))
    if workers <= 1 or len(items) < MIN_ITEMS:
        return [work(context, item) for item in items]
    size = math.ceil(len(items) / (workers * CHUNKS_PER_WORKER))
    chunks = [items[start : start + size] for start in range(0, len(items), size)]
    from concurrent.futures import ProcessPoolExecutor  # only sites that use it pay its import

    with ProcessPoolExecutor(
        workers, mp_context=_start_method(), initializer=_install, initargs=(work, context)
    ) as pool:
        return [result for chunk in pool.map(_run, chunks) for result in chunk]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start_method() -> multiprocessing.context.BaseContext:
    # fork copies the parent's memory, so a worker starts in milliseconds; it is unsafe while
    # other threads run (pypage serve's server, a test's), where a fresh interpreter is forked
    # from a clean one instead.
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _install(work: Callable[[Any, Any], Any], context: Any) -> None:
    global _installed
    _installed = (work, context)


def _run(chunk: Sequence[Any]) -> list[Any]:
    assert _installed is not None
    work, context = _installed
    return [work(context, item) for item in chunk]
