"""`pypage check --shard K/N`: which pages each part checks, and what the option accepts."""

from __future__ import annotations

import pytest

from pypage.browser.check import shard_pages
from pypage.cli import main
from pypage.markdown.page import Page

from .pages import a_cell, a_page

pytestmark = pytest.mark.unit

PAGES = [
    a_page("z.md", a_cell("c1")),
    a_page("a/b.md", a_cell("c1")),
    a_page("no-cells.md"),
    a_page("a/a.md", a_cell("c1")),
    a_page("m.md", a_cell("c1")),
]


def rels(pages: list[Page]) -> list[str]:
    return [str(page.source.rel) for page in pages]


def test_without_a_shard_every_page_with_cells_in_path_order() -> None:
    assert rels(shard_pages(PAGES, None)) == ["a/a.md", "a/b.md", "m.md", "z.md"]


def test_shards_split_the_pages_with_cells_once_each() -> None:
    parts = [rels(shard_pages(PAGES, (k, 3))) for k in (1, 2, 3)]
    assert parts == [["a/a.md", "z.md"], ["a/b.md"], ["m.md"]]
    assert rels(shard_pages(list(reversed(PAGES)), (1, 3))) == parts[0]  # order of reading


def test_more_shards_than_pages_leave_some_empty() -> None:
    assert [rels(shard_pages(PAGES, (k, 6))) for k in (4, 5)] == [["z.md"], []]


@pytest.mark.parametrize("bad", ["0/3", "4/3", "2", "a/b", "1/0"])
def test_a_bad_shard_is_a_usage_error(bad: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main(["check", "--shard", bad, "."])
    assert exit.value.code == 2
    assert "--shard 2/4" in capsys.readouterr().err
