"""Pages of one site may use different interpreters; each page loads only its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from .conftest import Served, Traffic, serve_site
from .harness import output_of, run_cell

pytestmark = pytest.mark.e2e

CELL = "```python run id=which\nimport sys\nsys.implementation.name\n```\n"


@pytest.fixture(scope="module")
def a_mixed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    work = tmp_path_factory.mktemp("mixed")
    site = work / "site"
    site.mkdir()
    (site / "index.md").write_text(f"# Full Python\n\n{CELL}")
    (site / "light.md").write_text(f"---\ninterpreter: micropython\n---\n# Light\n\n{CELL}")
    (site / "static.md").write_text("# No cells\n")
    yield from serve_site(site, work / "root")


@pytest.mark.parametrize(
    ("page_name", "expected", "wasm"),
    [
        ("index.html", "'cpython'\n", "pyodide.asm.wasm"),
        ("light.html", "'micropython'\n", "micropython.wasm"),
    ],
)
def test_each_page_loads_only_its_interpreter(
    page: Page, a_mixed_site: Served, traffic: Traffic, page_name: str, expected: str, wasm: str
) -> None:
    page.goto(a_mixed_site.url(page_name))
    assert run_cell(page, "which") == "done"
    assert output_of(page, "which") == expected
    assert [Path(url).name for url in traffic.requests if url.endswith(".wasm")] == [wasm]


def test_a_page_without_cells_loads_no_interpreter(
    page: Page, a_mixed_site: Served, traffic: Traffic
) -> None:
    page.goto(a_mixed_site.url("static.html"))
    page.wait_for_load_state("networkidle")
    runtime = [url for url in traffic.requests if "/_pypage/" in url and "/theme-" not in url]
    # Only in-site navigation, which keeps an interpreter started on a later page for the visit.
    assert [Path(url).name for url in runtime] == ["navigate.js"]
    assert page.get_attribute("html", "data-pypage") is None
