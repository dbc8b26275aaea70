"""The build engine: an incremental run after an edit gives exactly the site a fresh build gives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pypage.errors import PypageError
from pypage.serve.live import LiveSite
from pypage.site.build import build
from pypage.site.engine import Engine, Options
from pypage.site.page_cache import PageCache
from tests.sites import write
from tests.wheels import make_wheel

pytestmark = pytest.mark.unit

FENCE = "```"

COURSE = {
    "pypage.toml": 'title = "Programming 101"\ntheme = "course-theme"\n',
    "index.md": (
        "# Programming 101\n\nStart with [loops](week1/loops.md) and "
        "[the data](week1/data.md#reading-the-file).\n"
    ),
    "week1/loops.md": (
        "---\ntitle: Loops\norder: 1\n---\n\n# Loops\n\nA `for` loop repeats.\n\n"
        f"{FENCE}python run\nfor n in range(3):\n    print(n)\n{FENCE}\n\n"
        f"{FENCE}output\n0\n1\n2\n{FENCE}\n\n## Exercise\n\nSum the numbers below ten.\n"
    ),
    "week1/data.md": (
        "---\ntitle: Data\norder: 2\nfiles: [marks.csv]\n---\n\n## Reading the file\n\n"
        f"{FENCE}python run\nprint(open('marks.csv').read())\n{FENCE}\n\n![plot](plot.svg)\n"
    ),
    "week1/marks.csv": "name,mark\nada,9\n",
    "week1/plot.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "course-theme/parts/note.html": "<p>Practise every day.</p>\n",
}
DEFAULT_PAGE = Path(__file__).resolve().parents[3] / "themes/default/page.html"


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def fresh(site: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """A full build that shares nothing with the incremental one: no page cache."""
    with monkeypatch.context() as patch:
        patch.setattr(PageCache, "for_site", classmethod(lambda cls, site: cls(None)))
        return tree(build(site, out, announce=False, service_worker=False).out)


def edit(site: Path, name: str, change: Callable[[str], str] | None) -> set[Path]:
    path = site / name
    if change is None:
        path.unlink()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(change(path.read_text() if path.exists() else ""))
    return {path}


def test_every_edit_gives_the_site_a_fresh_build_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A custom theme overrides the default one template at a time.
    site = write(
        tmp_path / "course", {**COURSE, "course-theme/page.html": DEFAULT_PAGE.read_text()}
    )
    wheel = make_wheel(tmp_path / "wheels", "gradebook", "1.0", {"gradebook.py": "PASS = 5\n"})
    live = LiveSite(site, tmp_path / "live")
    assert tree(live.out) == fresh(site, tmp_path / "fresh-0", monkeypatch)

    include = '{% include "parts/note.html" %}</body>'
    new_page = "# Functions\n\nSee [loops](../week1/loops.md).\n"
    edits: list[tuple[str, str, Callable[[str], str] | None]] = [
        ("a paragraph", "week1/loops.md", lambda t: t.replace("repeats.", "repeats a block.")),
        ("a title", "week1/loops.md", lambda t: t.replace("title: Loops", "title: For loops")),
        ("a new page", "week2/functions.md", lambda t: new_page),
        ("a link to it", "index.md", lambda t: t + "\nThen [functions](week2/functions.md).\n"),
        (
            "packages",
            "week1/data.md",
            lambda t: t.replace("files:", f"packages: [{wheel}]\nfiles:"),
        ),
        (
            "an import",
            "week1/data.md",
            lambda t: f"{t}\n{FENCE}python run\nimport gradebook\n{FENCE}\n",
        ),
        ("a data file", "week1/marks.csv", lambda t: t + "grace,10\n"),
        ("a copied file", "week1/plot.svg", lambda t: t.replace("/>", "><circle r='1'/></svg>")),
        (
            "a template",
            "course-theme/page.html",
            lambda t: t.replace("</body>", "<p>Hi</p></body>"),
        ),
        ("an include", "course-theme/page.html", lambda t: t.replace("</body>", include)),
        ("a partial", "course-theme/parts/note.html", lambda t: t.replace("every", "each")),
        ("pypage.toml", "pypage.toml", lambda t: t.replace("101", "102") + 'description = "Hi"\n'),
        ("a README", "week2/README.md", lambda t: "# Week two\n"),
        ("a nav", "pypage.toml", lambda t: t + 'nav = ["week1/data.md", {"Start" = "index.md"}]\n'),
        ("a README's title", "week2/README.md", lambda t: "# The second week\n"),
        ("a deleted page", "week2/functions.md", None),
        ("the link to it", "index.md", lambda t: t.split("\nThen")[0]),
        ("a deleted copied file", "week1/plot.svg", None),
    ]
    for number, (what, name, change) in enumerate(edits, 1):
        update = live.apply(edit(site, name, change))
        assert update.kind in {"pages", "reload"}, (what, update.error)
        expected = fresh(site, tmp_path / f"fresh-{number}", monkeypatch)
        actual = tree(live.out)
        assert sorted(actual) == sorted(expected), what
        for path, data in expected.items():
            assert actual[path] == data, (what, path)


def test_a_second_run_of_unchanged_sources_reads_no_page_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write(tmp_path / "course", {**COURSE, "pypage.toml": 'title = "Programming 101"\n'})
    cache = PageCache(tmp_path / "cache")
    first = Engine(site, out=tmp_path / "out", options=Options(), cache=cache).run()

    read: list[object] = []
    import pypage.site.engine as engine

    original = engine._read_page
    monkeypatch.setattr(engine, "_read_page", lambda *args: read.append(args) or original(*args))
    second = Engine(site, out=tmp_path / "out", options=Options(), cache=cache).run()
    assert read == []
    assert second.output.files.keys() == first.output.files.keys()
    for path, content in first.output.files.items():
        again = second.output.files[path]
        as_bytes = [c.read_bytes() if isinstance(c, Path) else c for c in (content, again)]
        assert as_bytes[0] == as_bytes[1], path

    (site / "week1/loops.md").write_text("# Loops\n\nChanged.\n")
    Engine(site, out=tmp_path / "out", options=Options(), cache=cache).run()
    assert [job[1].rel.as_posix() for _, job in read] == ["week1/loops.md"]


def test_serve_never_clears_a_folder_pypage_did_not_build(tmp_path: Path) -> None:
    site = write(tmp_path / "course", {"index.md": "# Home\n"})
    precious = write(tmp_path / "thesis", {"thesis.tex": "..."})
    with pytest.raises(PypageError, match="is not a site built by pypage"):
        LiveSite(site, precious)
    with pytest.raises(PypageError, match="would contain the site itself"):
        LiveSite(site, tmp_path)
    assert (precious / "thesis.tex").exists()
    assert (site / "index.md").exists()


def test_edits_made_while_the_site_is_broken_are_all_picked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = write(tmp_path / "course", {"index.md": "# Home\n", "a.md": "# A\n", "b.md": "# B\n"})
    live = LiveSite(site, tmp_path / "live")
    assert live.apply(edit(site, "a.md", lambda t: "---\ntitle: [\n---\n")).kind == "error"
    assert live.apply(edit(site, "b.md", lambda t: "# B, edited meanwhile\n")).kind == "error"
    assert live.apply(edit(site, "a.md", lambda t: "# A, fixed\n")).kind == "reload"
    assert tree(live.out) == fresh(site, tmp_path / "fresh", monkeypatch)
