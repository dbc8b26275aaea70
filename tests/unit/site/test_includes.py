"""Other files' text in a page: snippets, MyST include and literalinclude, and rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest

from pypage.errors import PypageError
from pypage.site.build import build
from tests.sites import write

pytestmark = pytest.mark.unit

FENCE = "```"


def test_snippets_fill_fences_and_pages_and_myst_includes_work(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": f"# Home\n\n{FENCE}python run\n"
            '--8<-- "shared/setup.py"\n'
            f"print(n)\n{FENCE}\n\n"
            '--8<-- "shared/note.md"\n\n'
            f"{FENCE}{{include}} shared/note.md\n{FENCE}\n\n"
            f"{FENCE}{{literalinclude}} shared/setup.py\n:lines: 2\n:caption: setup.py\n{FENCE}\n",
            "shared/setup.py": "n = 1\nm = 2\n",
            "shared/note.md": "!!! note\n    Shared *text*.\n",
        },
    )
    report = build(site, announce=False)
    assert report.warnings == ()
    (page,) = [p for p in report.pages if p.source.rel.name == "index.md"]
    assert page.cells[0].code == "n = 1\nm = 2\nprint(n)\n"
    html = page.html
    assert html.count("<p>Shared <em>text</em>.</p>") == 2
    assert '<div class="code-caption">setup.py</div>' in html
    assert "m</span> <span" in html and "n</span> <span" not in html.split("setup.py</div>")[1]


def test_a_missing_included_file_is_a_located_error(tmp_path: Path) -> None:
    site = write(tmp_path / "site", {"index.md": '# Home\n\nText.\n\n--8<-- "nothere.md"\n'})
    with pytest.raises(PypageError) as raised:
        build(site, announce=False)
    (problem,) = raised.value.diagnostics
    assert (problem.line, problem.col, problem.message) == (
        5,
        1,
        "included file 'nothere.md' not found",
    )
    assert not (site / "_site").exists()


def test_editing_an_included_file_rebuilds_the_page_that_includes_it(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {"index.md": '# Home\n\n--8<-- "part.md"\n', "part.md": "First.\n"},
    )
    build(site, announce=False)
    (site / "part.md").write_text("Second.\n")
    build(site, announce=False)
    assert "Second." in (site / "_site/index.html").read_text()
