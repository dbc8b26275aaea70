"""A folder holding mkdocs.yml builds: what pypage reads from it, and what it says it leaves out."""

from __future__ import annotations

from pathlib import Path

import pytest

from pypage.errors import PypageError
from pypage.site.build import build
from tests.sites import write

pytestmark = pytest.mark.unit

MKDOCS = """\
site_name: Pond life
docs_dir: pages
nav:
  - Home: index.md
  - Creatures:
      - creatures/02-snails.md
      - creatures/10-frogs.md
  - Field guide: https://example.org/guide
theme:
  name: material
markdown_extensions:
  - admonition
  - pymdownx.tabbed:
      alternate_style: true
  - pymdownx.magiclink
  - toc:
      permalink: true
plugins:
  - search
extra:
  analytics: !!python/name:builtins.print
"""


def test_site_name_docs_dir_and_nav_are_read_and_the_rest_is_named(tmp_path: Path) -> None:
    site = write(
        tmp_path / "pond",
        {
            "mkdocs.yml": MKDOCS,
            "pages/index.md": "# Welcome\n",
            "pages/creatures/02-snails.md": "# Snails\n",
            "pages/creatures/10-frogs.md": "# Frogs\n",
        },
    )
    report = build(site, tmp_path / "out", announce=False)
    assert [d.format().split("\n")[0].split("pond/", 1)[1] for d in report.warnings] == [
        "mkdocs.yml:9:1: warning: 'theme' is ignored by pypage",
        "mkdocs.yml:11:1: warning: markdown extensions pypage does not provide: pymdownx.magiclink",
        "mkdocs.yml:18:1: warning: 'plugins' is ignored by pypage",
        "mkdocs.yml:20:1: warning: 'extra' is ignored by pypage",
    ]
    home = (tmp_path / "out" / "index.html").read_text()
    assert "<title>Pond life</title>" in home or "· Pond life</title>" in home
    assert "https://example.org/guide" in home
    snails = (tmp_path / "out" / "creatures/02-snails.html").read_text()
    nav = snails.split('class="site-nav"')[1].split("</nav>")[0]
    assert nav.index("Snails") < nav.index("Frogs")


def test_a_missing_docs_dir_is_an_error_at_its_line(tmp_path: Path) -> None:
    site = write(tmp_path / "pond", {"mkdocs.yml": "site_name: Pond\ndocs_dir: nowhere\n"})
    with pytest.raises(PypageError) as raised:
        build(site, announce=False)
    (problem,) = raised.value.diagnostics
    assert (problem.line, problem.message) == (2, "the pages' folder 'nowhere' does not exist")
