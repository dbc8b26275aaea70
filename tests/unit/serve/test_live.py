"""What each kind of change rebuilds under `pypage serve`."""

from __future__ import annotations

from pathlib import Path

import pytest

from pypage.serve.live import LiveSite
from tests.sites import write

pytestmark = pytest.mark.unit


@pytest.fixture
def a_live_site(tmp_path: Path) -> LiveSite:
    site = write(
        tmp_path / "site",
        {"index.md": "# Home\n\nText.\n", "guide/a.md": "# A\n", "guide/b.md": "# B\n"},
    )
    return LiveSite(site, tmp_path / "out")


def change(live: LiveSite, name: str, text: str | None) -> set[Path]:
    path = live.site / name
    if text is None:
        path.unlink()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return {path}


def test_a_content_edit_rebuilds_only_that_page(a_live_site: LiveSite) -> None:
    before = (a_live_site.out / "guide/b.html").stat().st_mtime_ns
    update = a_live_site.apply(change(a_live_site, "guide/a.md", "# A\n\nNew words.\n"))
    assert (update.kind, update.pages) == ("pages", ("guide/a.html",))
    assert "New words." in (a_live_site.out / "guide/a.html").read_text()
    assert (a_live_site.out / "guide/b.html").stat().st_mtime_ns == before


def test_a_title_change_rebuilds_every_page(a_live_site: LiveSite) -> None:
    update = a_live_site.apply(change(a_live_site, "guide/a.md", "# Renamed\n"))
    assert update.kind == "pages"
    assert sorted(update.pages) == ["guide/a.html", "guide/b.html", "index.html"]
    assert "Renamed" in (a_live_site.out / "guide/b.html").read_text()


def test_new_pages_config_and_assets_reload_everything(a_live_site: LiveSite) -> None:
    assert a_live_site.apply(change(a_live_site, "new.md", "# New\n")).kind == "reload"
    assert (a_live_site.out / "new.html").is_file()
    assert a_live_site.apply(change(a_live_site, "new.md", None)).kind == "reload"
    assert not (a_live_site.out / "new.html").exists()
    assert a_live_site.apply(change(a_live_site, "data.csv", "a,b\n")).kind == "reload"
    assert (a_live_site.out / "data.csv").read_text() == "a,b\n"
    update = a_live_site.apply(change(a_live_site, "pypage.toml", 'title = "Course"\n'))
    assert update.kind == "reload"
    assert "<title>Home · Course</title>" in (a_live_site.out / "index.html").read_text()


def test_editor_temporary_files_and_private_folders_change_nothing(a_live_site: LiveSite) -> None:
    temporary = a_live_site.site / "sedAb12Cd"
    assert a_live_site.apply({temporary}).kind == "none"  # created and renamed away already
    assert a_live_site.apply(change(a_live_site, "_drafts/x.md", "# x\n")).kind == "none"
    assert a_live_site.apply(change(a_live_site, ".git/HEAD", "ref\n")).kind == "none"


def test_a_broken_edit_keeps_the_last_good_page_until_fixed(a_live_site: LiveSite) -> None:
    update = a_live_site.apply(change(a_live_site, "index.md", "---\ntitle: [\n---\n"))
    assert update.kind == "error"
    assert "index.md:2:9: error: invalid YAML front matter" in update.error
    assert "Text." in (a_live_site.out / "index.html").read_text()
    assert a_live_site.error
    update = a_live_site.apply(change(a_live_site, "index.md", "# Fixed\n"))
    assert update.kind == "reload"
    assert a_live_site.error == ""
    assert "Fixed" in (a_live_site.out / "index.html").read_text()
