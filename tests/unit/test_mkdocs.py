"""A MkDocs project builds as it is: mkdocs.yml's title, pages' folder and nav are read, every
other setting is warned about at its line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pypage.config import load_config
from pypage.errors import PypageError
from pypage.serve.live import LiveSite
from pypage.site.build import build
from tests.sites import write

pytestmark = pytest.mark.unit

MKDOCS_YML = """\
site_name: Pond Life
site_description: Notes from a summer of pond dipping.
docs_dir: notes
nav:
  - Welcome: index.md
  - Creatures:
      - creatures/02-snails.md
      - Water fleas: creatures/01-daphnia.md
  - Field guide: https://example.org/ponds/
theme:
  name: material
  palette: {scheme: slate}
markdown_extensions:
  - toc:
      slugify: !!python/name:pymdownx.slugs.uslugify
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
extra:
  build_by: !ENV [POND_AUTHOR, nobody]
repo_url: !relative https://example.org/ponds.git
"""
PAGES = {
    "notes/index.md": "# Pond life\n\nStart with [snails](creatures/02-snails.md).\n",
    "notes/creatures/01-daphnia.md": "# Daphnia\n",
    "notes/creatures/02-snails.md": "# Snails\n",
    "notes/creatures/03-newts.md": "# Newts\n",
}


@pytest.fixture
def a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write(Path("pond"), {"mkdocs.yml": MKDOCS_YML, **PAGES})


def test_a_mkdocs_project_builds_with_its_title_pages_and_nav(a_project: Path) -> None:
    config = load_config(a_project)
    assert (config.title, config.description) == (
        "Pond Life",
        "Notes from a summer of pond dipping.",
    )
    assert config.root == a_project / "notes"
    report = build(a_project)
    assert report.out == (a_project / "_site").resolve()
    assert sorted(str(p.source.url) for p in report.pages) == [
        "creatures/01-daphnia.html",
        "creatures/02-snails.html",
        "creatures/03-newts.html",
        "index.html",
    ]
    assert not (report.out / "mkdocs.yml").exists()
    snails = (report.out / "creatures/02-snails.html").read_text()
    assert "<title>Snails · Pond Life</title>" in snails
    links = re.findall(r'<(?:li|p class="nav-section")><a href="([^"]+)"[^>]*>([^<]+)</a>', snails)
    # The page nav leaves out comes after it, in its folder's (collapsed) section.
    assert links == [
        ("../index.html", "Welcome"),
        ("02-snails.html", "Creatures"),
        ("02-snails.html", "Snails"),
        ("01-daphnia.html", "Water fleas"),
        ("https://example.org/ponds/", "Field guide"),
        ("03-newts.html", "Creatures"),
    ]
    assert 'rel="prev"><span>Previous</span>Welcome' in snails
    assert 'rel="next"><span>Next</span>Water fleas' in snails


def test_each_ignored_setting_is_warned_about_once_at_its_line(a_project: Path) -> None:
    assert [w.format() for w in build(a_project).warnings] == [
        "pond/mkdocs.yml:10:1: warning: 'theme' is ignored by pypage\n"
        "   10 | theme:\n"
        "  hint: pages use pypage's theme; a pypage.toml can name a theme folder of your own",
        "pond/mkdocs.yml:18:1: warning: 'extra' is ignored by pypage\n"
        "   18 | extra:\n"
        "  hint: pypage reads site_name, site_description, docs_dir and nav from mkdocs.yml",
        "pond/mkdocs.yml:20:1: warning: 'repo_url' is ignored by pypage\n"
        "   20 | repo_url: !relative https://example.org/ponds.git\n"
        "  hint: pypage reads site_name, site_description, docs_dir and nav from mkdocs.yml",
        "pond/mkdocs.yml:4:1: warning: 1 page is not in nav: creatures/03-newts.md\n"
        "    4 | nav:\n"
        "  hint: they are listed after nav's entries; add them to nav to place them",
    ]


def test_env_tags_are_read_as_mkdocs_reads_them(
    a_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(a_project, {"mkdocs.yml": "site_name: !ENV [POND_TITLE, Ponds]\ndocs_dir: notes\n"})
    assert load_config(a_project).title == "Ponds"
    monkeypatch.setenv("POND_TITLE", "Still water")
    assert load_config(a_project).title == "Still water"


@pytest.mark.parametrize(
    ("yml", "message"),
    [
        (
            "site_name: Ponds\nnav:\n  - index.md\n  - Snails: creatures/2-snails.md\n",
            "pond/mkdocs.yml:4:13: error: nav names a missing page 'creatures/2-snails.md'"
            " (did you mean 'creatures/02-snails.md'?)\n"
            "    4 |   - Snails: creatures/2-snails.md\n"
            "  hint: paths in nav start at the top of the site's pages",
        ),
        (
            "site_name: Ponds\ndocs_dir: pages\n",
            "pond/mkdocs.yml:2:1: error: the pages' folder 'pages' does not exist\n"
            "    2 | docs_dir: pages\n"
            "  hint: docs_dir is the folder of the Markdown pages, relative to mkdocs.yml",
        ),
        (
            "docs_dir: notes\nsite_name: [Ponds\n",
            "pond/mkdocs.yml:3:1: error: invalid YAML:"
            " expected ',' or ']', but got '<stream end>'\n"
            "  hint: mkdocs.yml is YAML: 'key: value' lines, lists as '- item' lines",
        ),
        (
            "site_name: Ponds\nnav:\n  - Snails:\n",
            "pond/mkdocs.yml:3:5: error: the nav entry 'Snails' must name a page, a link or a list"
            " of entries, not nothing\n"
            "    3 |   - Snails:\n"
            "  hint: entries are '- page.md', '- Title: page.md', '- Title: https://…'"
            " or '- Section:' followed by a list of entries",
        ),
    ],
)
def test_mistakes_in_mkdocs_yml_are_located(a_project: Path, yml: str, message: str) -> None:
    write(a_project, {"mkdocs.yml": yml if "docs_dir" in yml else f"{yml}docs_dir: notes\n"})
    with pytest.raises(PypageError) as caught:
        build(a_project)
    assert caught.value.diagnostics[0].format() == message


def test_a_pypage_toml_wins_over_mkdocs_yml(a_project: Path) -> None:
    write(a_project, {"pypage.toml": 'title = "Ours"\n', "index.md": "# Top\n"})
    config = load_config(a_project)
    assert (config.title, config.root, config.nav) == ("Ours", a_project, None)


def test_serve_rebuilds_a_mkdocs_project_on_each_save(tmp_path: Path, a_project: Path) -> None:
    live = LiveSite(a_project, tmp_path / "live")
    snails = a_project / "notes/creatures/02-snails.md"
    snails.write_text("# Snails\n\nThey climb the glass.\n")
    update = live.apply({snails})
    assert (update.kind, update.pages) == ("pages", ("creatures/02-snails.html",))
    assert "climb the glass" in (live.out / "creatures/02-snails.html").read_text()
    settings = a_project / "mkdocs.yml"
    settings.write_text(MKDOCS_YML.replace("Pond Life", "Ponds"))
    assert live.apply({settings}).kind == "reload"
    assert "<title>Snails · Ponds</title>" in (live.out / "creatures/02-snails.html").read_text()
