"""Markdown → HTML fixture files: ``title / . / markdown / . / expected html / .`` per case."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from pypage.markdown.page import parse_page
from pypage.sources import SiteSources, SourcePage, page_url

pytestmark = pytest.mark.unit

FIXTURES = Path(__file__).parent / "fixtures"

SITE = SiteSources(
    pages=tuple(
        SourcePage(path=Path(rel), rel=PurePosixPath(rel), url=page_url(PurePosixPath(rel)))
        for rel in ("index.md", "guide/index.md", "guide/intro.md")
    ),
    copied=(PurePosixPath("data/table.csv"), PurePosixPath("data/chart.png")),
)


def read_cases(path: Path) -> list[tuple[str, str, str]]:
    cases = []
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title = lines[i].strip()
        assert lines[i + 1] == ".\n", f"{path.name}: '.' expected after '{title}'"
        i += 2
        parts = []
        for _ in range(2):
            start = i
            while lines[i] != ".\n":
                i += 1
            parts.append("".join(lines[start:i]))
            i += 1
        cases.append((title, parts[0], parts[1]))
    return cases


CASES = [
    pytest.param(markdown, expected, id=f"{path.stem}: {title}")
    for path in sorted(FIXTURES.glob("*.md"))
    for title, markdown, expected in read_cases(path)
]


@pytest.mark.parametrize(("markdown", "expected"), CASES)
def test_fixture(markdown: str, expected: str) -> None:
    page, diagnostics = parse_page(SITE.pages[0], markdown, site=SITE, shown_path="index.md")
    assert [d.format() for d in diagnostics] == []
    assert page.html == expected


def test_cell_code_is_exactly_the_fence_content() -> None:
    code = "\n\tif x:\n        print('  a  b ')  # tabs, blank first line\n"
    page, _ = parse_page(
        SITE.pages[0], f"```python run\n{code}```\n", site=SITE, shown_path="index.md"
    )
    assert page.cells[0].code == code


def test_title_comes_from_front_matter_then_first_heading() -> None:
    with_meta, _ = parse_page(
        SITE.pages[2], "---\ntitle: Meta\n---\n# Heading\n", site=SITE, shown_path="x.md"
    )
    with_heading, _ = parse_page(SITE.pages[2], "# Heading *one*\n", site=SITE, shown_path="x.md")
    bare, _ = parse_page(SITE.pages[2], "text\n", site=SITE, shown_path="x.md")
    assert (with_meta.title, with_heading.title, bare.title) == ("Meta", "Heading one", "Intro")
