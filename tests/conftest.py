"""Every test belongs to a suite (unit, e2e, package): one without a marker would silently never
run in the suite's own job, so it is a usage error."""

from __future__ import annotations

import pytest

SUITES = {"unit", "e2e", "package"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unmarked = [item.nodeid for item in items if not SUITES & {m.name for m in item.iter_markers()}]
    if unmarked:
        raise pytest.UsageError(
            "tests without a suite marker (unit, e2e or package): " + ", ".join(unmarked)
        )
