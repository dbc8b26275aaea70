"""The navigation: file names in natural order, or the nav setting written out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pypage.errors import PypageError
from pypage.site.build import build
from pypage.site.navigation import Navigation, natural_key, navigation
from tests.sites import write

pytestmark = pytest.mark.unit


def outline(nav: Navigation) -> list[tuple[str, str, str]]:
    """Each entry as (section path, title, URL or link)."""
    return [
        (
            " / ".join(section.title for section in item.sections),
            item.title,
            str(item.url) if item.url is not None else item.link,
        )
        for item in nav.items
    ]


def sidebar(html: str) -> list[str]:
    """The sidebar's sections, groups and links, in order, as text."""
    nav = html.split('<nav class="site-nav"')[1].split("</nav>")[0]
    found = re.findall(
        r'<p class="nav-(section|group)">(?:<a href="([^"]+)"[^>]*>)?([^<]+)'
        r'|<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a>',
        nav,
    )
    return [
        f"[{title}]"
        if kind == "group"
        else f"{title} <{href}>"
        if kind
        else f"{text} <{link}>{' *' if current else ''}"
        for kind, href, title, link, current, text in found
    ]


def test_natural_order_reads_numbers_as_numbers_and_ignores_case() -> None:
    names = ["10-end", "2-loops", "Zebra", "apple", "1-intro", "02b", "2a"]
    assert sorted(names, key=natural_key) == [
        "1-intro",
        "2-loops",
        "2a",
        "02b",
        "10-end",
        "apple",
        "Zebra",
    ]


def test_files_give_the_order_numbers_give_no_titles(tmp_path: Path) -> None:
    site = write(
        tmp_path / "s",
        {
            "index.md": "# Course\n",
            "10-summary.md": "No heading here.\n",
            "2-loops.md": "# Loops\n",
            "01-variables.md": "Values have names.\n",
            "03-basics/index.md": "# The basics\n",
            "03-basics/2-strings.md": "# Strings\n",
            "03-basics/1-numbers.md": "# Numbers\n",
            "03-basics/05-deeper-still/a.md": "# A\n",
            "04-odds-and-ends/b.md": "# B\n",
            "04-odds-and-ends/a.md": "---\norder: 1\n---\n# Goes first\n",
            "Appendix.md": "# Appendix\n",
        },
    )
    report = build(site)
    nav = navigation(report.pages)
    assert outline(nav) == [
        ("", "Course", "index.html"),
        ("", "Variables", "01-variables.html"),
        ("", "Loops", "2-loops.html"),
        ("The basics", "The basics", "03-basics/index.html"),
        ("The basics", "Numbers", "03-basics/1-numbers.html"),
        ("The basics", "Strings", "03-basics/2-strings.html"),
        ("The basics / Deeper still", "A", "03-basics/05-deeper-still/a.html"),
        ("Odds and ends", "Goes first", "04-odds-and-ends/a.html"),
        ("Odds and ends", "B", "04-odds-and-ends/b.html"),
        ("", "Summary", "10-summary.html"),
        ("", "Appendix", "Appendix.html"),
    ]
    strings = (report.out / "03-basics/2-strings.html").read_text()
    assert sidebar(strings) == [
        "Course <../index.html>",
        "Variables <../01-variables.html>",
        "Loops <../2-loops.html>",
        "The basics <index.html>",
        "The basics <index.html>",
        "Numbers <1-numbers.html>",
        "Strings <2-strings.html> *",
        "[Deeper still]",
        "A <05-deeper-still/a.html>",
        "Odds and ends <../04-odds-and-ends/a.html>",
        "Summary <../10-summary.html>",
        "Appendix <../Appendix.html>",
    ]
    assert 'rel="prev"><span>Previous</span>Numbers' in strings
    assert 'rel="next"><span>Next</span>A' in strings


NAV_SITE = {
    "index.md": "# Home\n",
    "lessons/01-variables.md": "# Variables\n",
    "lessons/02-loops.md": "# Loops\n",
    "lessons/extra/puzzles.md": "# Puzzles\n",
    "about.md": "# About\n",
    "notes/later.md": "# Later\n",
}


def test_nav_in_pypage_toml_orders_and_titles_the_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toml = """nav = [
  { "Start" = "index.md" },
  { "Lessons" = [
    "lessons/02-loops.md",
    { "Extras" = [{ "Brain teasers" = "lessons/extra/puzzles.md" }] },
    "lessons/01-variables.md",
  ] },
  { "Python docs" = "https://docs.python.org/3/" },
]
"""
    monkeypatch.chdir(tmp_path)
    report = build(write(Path("s"), {**NAV_SITE, "pypage.toml": toml}))
    assert [w.format() for w in report.warnings] == [
        "s/pypage.toml:1:1: warning: 2 pages are not in nav: about.md, notes/later.md\n"
        "    1 | nav = [\n"
        "  hint: they are listed after nav's entries; add them to nav to place them"
    ]
    loops = (report.out / "lessons/02-loops.html").read_text()
    assert sidebar(loops) == [
        "Start <../index.html>",
        "Lessons <02-loops.html>",
        "Loops <02-loops.html> *",
        "[Extras]",
        "Brain teasers <extra/puzzles.html>",
        "Variables <01-variables.html>",
        "Python docs <https://docs.python.org/3/>",
        "About <../about.html>",
        "Notes <../notes/later.html>",
    ]
    assert 'rel="prev"><span>Previous</span>Start' in loops
    assert 'rel="next"><span>Next</span>Brain teasers' in loops
    # Reading order skips the link out: after Variables comes About.
    variables = (report.out / "lessons/01-variables.html").read_text()
    assert 'rel="next"><span>Next</span>About' in variables
    about = (report.out / "about.html").read_text()
    assert sidebar(about)[1:3] == [
        "Lessons <lessons/02-loops.html>",
        "Python docs <https://docs.python.org/3/>",
    ]


def test_a_nav_entry_naming_a_missing_page_is_located(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    toml = 'title = "Course"\nnav = [\n  "index.md",\n  { "Loops" = "lessons/2-loops.md" },\n]\n'
    write(Path("s"), {**NAV_SITE, "pypage.toml": toml})
    with pytest.raises(PypageError) as caught:
        build(Path("s"))
    assert str(caught.value).splitlines()[:3] == [
        "s/pypage.toml:4:16: error: nav names a missing page 'lessons/2-loops.md'"
        " (did you mean 'lessons/02-loops.md'?)",
        '    4 |   { "Loops" = "lessons/2-loops.md" },',
        "  hint: paths in nav start at the top of the site's pages",
    ]


@pytest.mark.parametrize(
    ("nav", "first_line"),
    [
        ('nav = "index.md"', "s/pypage.toml:1:1: error: 'nav' must be a list, not str"),
        ("nav = [1]", "s/pypage.toml:1:8: error: a nav entry cannot be a number (1)"),
        (
            'nav = [{ "A" = "a.md", "B" = "b.md" }]',
            "s/pypage.toml:1:11: error: a nav entry has one title, not 2: 'A', 'B'",
        ),
        (
            'nav = [{ "A" = true }]',
            "s/pypage.toml:1:11: error: the nav entry 'A' must name a page, a link or a list of"
            " entries, not true or false",
        ),
        ('nav = [""]', "s/pypage.toml:1:1: error: a nav entry is empty"),
    ],
)
def test_mistakes_in_the_nav_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nav: str, first_line: str
) -> None:
    monkeypatch.chdir(tmp_path)
    write(Path("s"), {"index.md": "# Home\n", "pypage.toml": nav + "\n"})
    with pytest.raises(PypageError) as caught:
        build(Path("s"))
    assert str(caught.value).splitlines()[0] == first_line
