"""Course notes written the way MkDocs, MyST and GitHub authors write them build without a warning,
lose none of their cells, and every cell passes in Chromium, wherever it sits (an admonition, a
tab, a directive, a collapsible block)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pypage.browser.check import check
from pypage.site.build import build

pytestmark = pytest.mark.e2e

NOTES = Path(__file__).resolve().parents[1] / "notes"
SITES = sorted(path.name for path in NOTES.iterdir() if path.is_dir())
# What pypage says it leaves out: the MkDocs course names Material, whose look it does not copy.
EXPECTED_WARNINGS = {"mkdocs-course": ["mkdocs.yml:9:1: warning: 'theme' is ignored by pypage"]}


def written_cells(site: Path) -> int:
    """The ``python run`` fences the author wrote, found as plain text, indented or not."""
    return sum(
        line.strip().startswith(("```python run", "````python run"))
        for page in site.rglob("*.md")
        for line in page.read_text(encoding="utf-8").splitlines()
    )


@pytest.mark.parametrize("name", SITES)
def test_notes_build_clean_and_every_cell_passes(name: str, tmp_path: Path) -> None:
    site = NOTES / name
    built = build(site, tmp_path / "out", announce=False)
    found = [w.format().splitlines()[0].split(f"{name}/", 1)[-1] for w in built.warnings]
    assert found == EXPECTED_WARNINGS.get(name, [])
    assert sum(len(page.cells) for page in built.pages) == written_cells(site) > 0

    report = check(site, jobs=2, timeout=60)
    assert [f.format() for f in report.failures] == []
    assert report.count("passed") == written_cells(site)
