"""Pages that are not what a page should be: clear located messages, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from pypage.errors import PypageError
from pypage.site.build import build
from tests.sites import write

pytestmark = pytest.mark.unit


def test_a_latin1_page_and_a_binary_md_are_located_errors_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": "# Home\n",
            "latin.md": "# Café\n\nGrüße\n".encode("latin-1"),
            "logo.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00",
            "nul.md": b"# Text\n\nthen \x00 a NUL\n",
        },
    )
    with pytest.raises(PypageError) as raised:
        build(site, announce=False)
    found = {(Path(d.path or "").name, d.line, d.col, d.message) for d in raised.value.diagnostics}
    assert found == {
        ("latin.md", 1, 6, "not UTF-8: byte 0xe9 cannot start a character here"),
        ("logo.md", 1, 1, "not UTF-8: byte 0x89 cannot start a character here"),
        ("nul.md", 3, 1, "not a text file (it holds NUL bytes)"),
    }
    assert not (site / "_site").exists()


def test_toml_front_matter_is_read_and_keeps_line_numbers(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": "# Home\n",
            "notes.md": '+++\ntitle = "From TOML"\norder = 2\n+++\n\n```python run\nx = 1\n```\n',
        },
    )
    report = build(site, announce=False)
    (page,) = [p for p in report.pages if p.source.rel.name == "notes.md"]
    assert (page.title, page.order, page.cells[0].line) == ("From TOML", 2.0, 6)
    assert "+++" not in page.html


def test_toml_front_matter_mistakes_are_located(tmp_path: Path) -> None:
    site = write(tmp_path / "site", {"index.md": '+++\ntitle = "x"\norder = = 2\n+++\n# H\n'})
    with pytest.raises(PypageError) as raised:
        build(site, announce=False)
    (problem,) = raised.value.diagnostics
    assert (problem.line, problem.message.split(":")[0]) == (3, "invalid TOML front matter")


def test_front_matter_dates_become_text_and_empty_values_are_warnings(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {"index.md": "---\ntitle: 2024-05-01\ndescription:\n---\nText.\n"},
    )
    report = build(site, announce=False)
    assert report.pages[0].title == "2024-05-01"
    assert [(d.line, d.message) for d in report.warnings] == [
        (3, "'description' is empty: ignored")
    ]
