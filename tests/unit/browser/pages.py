"""Pages and cells built in memory, as the Markdown stage would hand them to ``pypage check``."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from pypage.markdown.cells import Cell
from pypage.markdown.page import Page
from pypage.sources import SourcePage


def a_cell(id: str, line: int = 3, **options: Any) -> Cell:
    return Cell(id=id, code="pass", line=line, **options)


def a_page(rel: str, *cells: Cell) -> Page:
    source = PurePosixPath(rel)
    return Page(
        source=SourcePage(path=Path("site") / rel, rel=source, url=source.with_suffix(".html")),
        shown_path=f"site/{rel}",
        title="A page",
        meta={},
        html="",
        cells=cells,
        headings=(),
    )
