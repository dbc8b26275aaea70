"""Links that need the whole site: #fragments checked, MyST references resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from pypage.site.build import build
from tests.sites import write

pytestmark = pytest.mark.unit


def warnings_of(site: Path) -> list[str]:
    # Messages name pages from where the build runs: here, the folder holding the site.
    return [d.format().removeprefix(f"{site.name}/") for d in build(site, announce=False).warnings]


def test_a_link_to_a_missing_heading_is_a_located_warning_with_a_did_you_mean(
    tmp_path: Path,
) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": "# Home\n\nSee [usage](guide.md#used-usag) and [top](#hom).\n",
            "guide.md": "# Guide\n\n## Used & usage\n",
        },
    )
    assert warnings_of(site) == [
        "index.md:3:13: warning: link to a missing heading '#used-usag' in guide.md\n"
        "    3 | See [usage](guide.md#used-usag) and [top](#hom).\n"
        "  hint: did you mean '#used-usage'?",
        "index.md:3:43: warning: link to a missing heading '#hom' on this page\n"
        "    3 | See [usage](guide.md#used-usag) and [top](#hom).\n"
        "  hint: did you mean '#home'?",
    ]


def test_github_and_mkdocs_slugs_and_explicit_ids_all_land(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": "[a](guide.md#used--usage) [b](guide.md#used-usage) "
            "[c](guide.md#used-usage_1) [d](guide.md#used--usage-1) [e](guide.md#setup)\n",
            "guide.md": "# Guide\n\n## Used & usage\n\n## Used & usage\n\n## Install {#setup}\n",
        },
    )
    assert warnings_of(site) == []
    html = (site / "_site/guide.html").read_text()
    assert '<h2 id="used--usage"><span id="used-usage"></span>' in html
    assert '<h2 id="setup">Install <a class="header-anchor" href="#setup">#</a></h2>' in html


def test_raw_html_links_are_rewritten_and_checked(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": '<p><a href="guide.md#install">Install</a> <img src="logo.png"></p>\n\n'
            'Inline <a href="nowhere.md">x</a>.\n',
            "guide.md": "# Guide\n",
        },
    )
    assert warnings_of(site) == [
        "index.md:1:53: warning: link to a missing file 'logo.png'\n"
        '    1 | <p><a href="guide.md#install">Install</a> <img src="logo.png"></p>\n'
        "  hint: no logo.png in the site",
        "index.md:3:17: warning: link to a missing file 'nowhere.md'\n"
        '    3 | Inline <a href="nowhere.md">x</a>.\n'
        "  hint: no nowhere.md in the site",
        "index.md:1:13: warning: link to a missing heading '#install' in guide.md\n"
        '    1 | <p><a href="guide.md#install">Install</a> <img src="logo.png"></p>\n'
        "  hint: its ids are #guide",
    ]
    assert '<a href="guide.html#install">' in (site / "_site/index.html").read_text()


def test_myst_references_resolve_to_their_target_and_its_title(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": "# Home\n\n{ref}`start` · {ref}`go <start>` · {doc}`guide` · "
            "[here](start) · {ref}`nothing`\n",
            "guide.md": "# Guide\n\n(start)=\n## Getting started\n",
        },
    )
    found = warnings_of(site)
    assert found == [
        "index.md:3:1: warning: link to a missing label 'nothing'\n"
        "    3 | {ref}`start` · {ref}`go <start>` · {doc}`guide` · [here](start) · "
        "{ref}`nothing`\n"
        "  hint: a label is a line '(name)=' before a heading or block, or a directive's "
        ":name: option"
    ]
    html = (site / "_site/index.html").read_text()
    assert '<a href="guide.html#getting-started">Getting started</a>' not in html
    assert '<a href="guide.html#start">Getting started</a>' in html
    assert '<a href="guide.html#start">go</a>' in html
    assert '<a href="guide.html">Guide</a>' in html
    assert '<a href="guide.html#start">here</a>' in html
    assert "pypage-ref" not in html


def test_a_reference_to_a_heading_id_without_a_label_finds_the_heading(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {"index.md": "# Home\n\nSee {ref}`install`.\n", "guide.md": "# Guide\n\n## Install\n"},
    )
    assert warnings_of(site) == []
    assert '<a href="guide.html#install">Install</a>' in (site / "_site/index.html").read_text()
