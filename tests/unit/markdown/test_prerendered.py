"""What a cell's output area shows before the reader runs it: the markup ``build --execute``
recorded, as it is, or the cell's ```output block, as the runtime draws printed text."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from pypage.markdown.page import parse_page
from pypage.sources import SiteSources, SourcePage

pytestmark = pytest.mark.unit

INDEX = SourcePage(
    path=Path("index.md"), rel=PurePosixPath("index.md"), url=PurePosixPath("index.html")
)
SITE = SiteSources(pages=(INDEX,), copied=())
CELL = "```python run id=a\nprint('<b>x</b> & y')\n```\n"
EXPECTED = "```output\n<b>x</b> & y\n```\n"
# Markup as output.js draws it and Chromium serializes it (text escaped, HTML only in srcdoc).
RECORDED = (
    '<span class="stdout" data-kind="stdout">&lt;b&gt;x&lt;/b&gt; &amp; y\n</span>'
    '<div class="display" data-kind="display" data-bundle="{&quot;data&quot;: {}}">'
    '<iframe class="pypage-html" title="HTML output" srcdoc="&lt;b&gt;x&lt;/b&gt;"></iframe></div>'
)


def output_area(markdown: str, outputs: dict[str, str] | None = None) -> str:
    page, found = parse_page(INDEX, markdown, site=SITE, shown_path="index.md", outputs=outputs)
    assert found == []
    start = page.html.index('<div class="pypage-output"')
    return page.html[start : page.html.index("</div>\n</div>", start) + len("</div>")]


def test_recorded_markup_is_inserted_as_the_runtime_drew_it() -> None:
    area = output_area(CELL + EXPECTED, {"a": RECORDED})
    assert area.endswith(f' data-prerendered="build">{RECORDED}</div>')


def test_an_output_block_is_drawn_as_printed_text() -> None:
    area = output_area(CELL + EXPECTED)
    assert area.endswith(
        ' data-prerendered="expected">'
        '<span class="stdout" data-kind="stdout">&lt;b&gt;x&lt;/b&gt; &amp; y\n</span></div>'
    )


def test_without_either_the_area_is_empty() -> None:
    area = output_area(CELL, {"other": RECORDED})
    assert area.endswith('aria-label="Output of cell a"></div>')
