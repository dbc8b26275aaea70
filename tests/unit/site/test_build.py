"""The build as a whole: which files become what, atomic replacement, self-contained output."""

from __future__ import annotations

import json
import re
from pathlib import Path
from unittest.mock import ANY

import pytest
import yaml

from pypage import __version__
from pypage.config import load_config
from pypage.errors import PypageError
from pypage.scaffold import new_site
from pypage.site.build import build
from tests.sites import write

pytestmark = pytest.mark.unit

FENCE = "```"


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def test_markdown_becomes_pages_and_other_files_are_copied(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": "# Home\n",
            "a/b.md": "# B\n",
            "a/data.csv": "x,y\n1,2\n",
            "img/logo.png": b"\x89PNG fake",
            "_drafts/secret.md": "# no\n",
            ".hidden/x.md": "# no\n",
            "_partial.md": "# no\n",
            "pypage.toml": 'title = "T"\n',
        },
    )
    out = build(site).out
    files = tree(out)
    assert {"index.html", "a/b.html", "a/data.csv", "img/logo.png", ".nojekyll"} <= files
    assert not any(f.startswith(("_drafts", ".hidden", "_partial")) for f in files)
    assert "pypage.toml" not in files
    assert (out / "img/logo.png").read_bytes() == b"\x89PNG fake"


def test_a_site_without_cells_ships_no_interpreter(tmp_path: Path) -> None:
    out = build(write(tmp_path / "s", {"index.md": "# Static\n\n```python\nx = 1\n```\n"})).out
    assert not any("pyodide" in f or "runtime-" in f for f in tree(out))
    # The theme's search box is the page's only script.
    scripts = re.findall(r"<script[^>]*>", (out / "index.html").read_text())
    assert len(scripts) == 1 and "/search.js" in scripts[0]


def test_every_url_in_a_page_is_relative(tmp_path: Path) -> None:
    site = write(
        tmp_path / "s",
        {
            "index.md": f"[deep](a/b/c.md)\n\n{FENCE}python run\nprint(1)\n{FENCE}\n",
            "a/b/c.md": f"[home](/index.md)\n\n{FENCE}python run\nprint(2)\n{FENCE}\n",
        },
    )
    out = build(site).out
    for name in ("index.html", "a/b/c.html"):
        html = (out / name).read_text()
        urls = re.findall(r'(?:href|src)="([^"]*)"', html)
        assert urls, name
        assert not [u for u in urls if u.startswith(("/", "http:", "https:"))], name
        for url in urls:
            target = (out / name).parent / url.split("#")[0]
            assert url.startswith("#") or target.exists(), f"{name}: {url}"
    assert '<a href="../../index.html">home</a>' in (out / "a/b/c.html").read_text()


def test_runtime_files_live_under_content_hashed_paths(tmp_path: Path) -> None:
    site = write(tmp_path / "s", {"index.md": f"{FENCE}python run\nprint(1)\n{FENCE}\n"})
    files = tree(build(site).out)
    assert any(re.fullmatch(r"_pypage/pyodide-[0-9a-f]{10}/pyodide\.asm\.wasm", f) for f in files)
    assert any(re.fullmatch(r"_pypage/runtime-[0-9a-f]{10}/page\.js", f) for f in files)
    assert any(re.fullmatch(r"_pypage/theme-[0-9a-f]{10}/style\.css", f) for f in files)


def test_the_service_worker_lists_the_files_it_keeps(tmp_path: Path) -> None:
    cell = f"{FENCE}python run\nprint(1)\n{FENCE}\n"
    site = write(
        tmp_path / "s",
        {"index.md": cell, "micro.md": f"---\ninterpreter: micropython\n---\n{cell}"},
    )
    out = build(site).out
    worker = (out / "pypage-sw.js").read_text()

    def listed(name: str) -> list[str]:
        found = re.search(rf"const {name} = new Set\((\[.*?\])\);", worker)
        assert found, name
        return json.loads(found.group(1))

    assets = listed("ASSETS")
    # All but the search index, which changes with the pages and is fetched network-first.
    assert assets == sorted(
        f for f in tree(out) if f.startswith("_pypage/") and not f.startswith("_pypage/search-")
    )
    assert re.search(r'const SEARCH = "_pypage/search-[^"]+/";', worker)
    assert any(f.startswith("_pypage/search-") and f.endswith("/pagefind.js") for f in tree(out))
    # Only the large compiled files take the HTTP-cache path that keeps V8's compiled code.
    compiled = listed("COMPILED")
    assert set(compiled) <= set(assets)
    names = {Path(f).name for f in compiled}
    assert {"pyodide.asm.wasm", "pyodide.asm.mjs"} <= names
    assert not names & {"micropython.wasm", "micropython.mjs", "page.js", "worker.js"}
    # The offline page is one of them, kept at install; the storage module is inlined, whole.
    offline = re.search(r'const OFFLINE = "([^"]+)";', worker)
    assert offline and offline[1] in assets and offline[1].endswith("/index.html")
    assert "Offline" in (out / offline[1]).read_text()
    assert "/* STORAGE */" not in worker
    assert "return { siteStore, leaveSharedStores, dropOtherStores };" in worker


def test_two_builds_of_the_same_site_are_identical(tmp_path: Path) -> None:
    site = write(tmp_path / "s", {"index.md": f"# A\n\n{FENCE}python run\nprint(1)\n{FENCE}\n"})
    first = build(site, tmp_path / "one").out
    second = build(site, tmp_path / "two").out
    assert tree(first) == tree(second)
    for name in tree(first):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_a_failed_build_keeps_the_previous_site(tmp_path: Path) -> None:
    site = write(tmp_path / "s", {"index.md": "# Good\n"})
    out = build(site).out
    write(site, {"index.md": f"{FENCE}python run autorn\nx\n{FENCE}\n"})
    with pytest.raises(PypageError):
        build(site)
    assert "Good" in (out / "index.html").read_text()
    assert sorted(p.name for p in out.parent.iterdir()) == ["_site", "index.md"]


def test_refuses_to_replace_a_folder_it_did_not_build(tmp_path: Path) -> None:
    site = write(tmp_path / "s", {"index.md": "# A\n"})
    precious = write(tmp_path / "precious", {"thesis.tex": "..."})
    with pytest.raises(PypageError, match="is not a site built by pypage"):
        build(site, precious)
    with pytest.raises(PypageError, match="would contain the site itself"):
        build(site, tmp_path)
    assert (precious / "thesis.tex").exists()


def test_output_setting_and_title_come_from_config(tmp_path: Path) -> None:
    site = write(
        tmp_path / "s",
        {"pypage.toml": 'title = "Course"\noutput = "public"\n', "index.md": "text\n"},
    )
    assert load_config(site).title == "Course"
    out = build(site).out
    assert out == (site / "public").resolve()
    assert "<title>Course</title>" in (out / "index.html").read_text()


def test_navigation_expands_only_the_current_section(tmp_path: Path) -> None:
    site = write(
        tmp_path / "s",
        {
            "index.md": "# Home\n",
            "zeta.md": "---\ntitle: Zeta\norder: 1\n---\n",
            "alpha.md": "---\ntitle: Alpha\norder: 2\n---\n",
            "guide/index.md": "# Guide\n",
            "guide/install.md": "# Install\n",
            "guide/more/deep.md": "# Deep\n",
        },
    )
    out = build(site).out
    links = r'<li><a href="([^"]+)"( aria-current="page")?>([^<]+)</a>'
    sections = r'<p class="nav-section"><a href="([^"]+)"( class="expanded")?>([^<]+)</a>'
    top = (out / "zeta.html").read_text()
    assert re.findall(links, top) == [
        ("index.html", "", "Home"),
        ("zeta.html", ' aria-current="page"', "Zeta"),
        ("alpha.html", "", "Alpha"),
    ]
    assert re.findall(sections, top) == [("guide/index.html", "", "Guide")]
    deep = (out / "guide/more/deep.html").read_text()
    assert re.findall(links, deep) == [
        ("../../index.html", "", "Home"),
        ("../../zeta.html", "", "Zeta"),
        ("../../alpha.html", "", "Alpha"),
        ("../index.html", "", "Guide"),
        ("../install.html", "", "Install"),
        ("deep.html", ' aria-current="page"', "Deep"),
    ]
    assert re.findall(sections, deep) == [("../index.html", ' class="expanded"', "Guide")]
    assert '<p class="nav-group">More</p>' in deep
    assert 'rel="prev"><span>Previous</span>Install' in deep


def test_relative_urls() -> None:
    from pathlib import PurePosixPath as P

    from pypage.site.render import relative_url

    assert relative_url(P("a/b/c.html"), P("index.html")) == "a/b/c.html"
    assert relative_url(P("index.html"), P("a/b/c.html")) == "../../index.html"
    assert relative_url(P("a/x.html"), P("a/b/c.html")) == "../x.html"
    assert relative_url(P("a/b/d.html"), P("a/b/c.html")) == "d.html"
    assert relative_url(P("ab/x.html"), P("a/c.html")) == "../ab/x.html"


def test_the_slides_starter_is_a_deck(tmp_path: Path) -> None:
    new_site(tmp_path / "talk", template="slides")
    report = build(tmp_path / "talk", strict=True)
    (page,) = report.pages
    assert page.is_slides and len(page.cells) == 2
    html = (report.out / "index.html").read_text()
    assert html.count("<section>") == 4
    assert '<aside class="notes">' in html


def test_the_starter_site_builds_cleanly(tmp_path: Path) -> None:
    new_site(tmp_path / "course")
    assert tree(tmp_path / "course") == {
        "pypage.toml",
        "index.md",
        ".github/workflows/pages.yml",
        ".gitignore",
    }
    report = build(tmp_path / "course", strict=True)
    assert report.warnings == ()
    assert len(report.pages[0].cells) == 3
    with pytest.raises(PypageError, match="already exists and is not empty"):
        new_site(tmp_path / "course")


def test_the_starter_workflow_installs_the_version_that_wrote_it(tmp_path: Path) -> None:
    new_site(tmp_path / "course")
    text = (tmp_path / "course" / ".github" / "workflows" / "pages.yml").read_text()
    steps = yaml.safe_load(text)["jobs"]["build"]["steps"]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs == [f'pip install "pypage-ssg=={__version__}"', "pypage check", ANY]
    (cache,) = [step["with"] for step in steps if step.get("uses", "").startswith("actions/cache")]
    assert cache["path"] == "~/.cache/pypage"
    assert cache["key"].startswith(f"pypage-{__version__}-${{{{ hashFiles(")
    assert cache["restore-keys"].split() == [f"pypage-{__version__}-", "pypage-"]
    assert "vars." not in text  # nothing to set up in the repository


def test_the_documentation_site_builds_without_warnings(tmp_path: Path) -> None:
    docs = Path(__file__).resolve().parents[3] / "docs"
    report = build(docs, tmp_path / "docs", strict=True)
    assert {str(p.source.rel) for p in report.pages} >= {
        "index.md",
        "getting-started.md",
        "authoring.md",
        "configuration.md",
        "dom-contract.md",
        "interpreters.md",
        "checking.md",
        "rich-output.md",
        "slides.md",
        "example-deck.md",
    }


def test_a_deck_layout_may_carry_a_yaml_comment(tmp_path: Path) -> None:
    site = write(
        tmp_path / "s",
        {"index.md": "---\ntitle: T\nlayout: 'slides'  # a talk\n---\n# A\n\n---\n\n# B\n"},
    )
    html = (build(site, strict=True).out / "index.html").read_text()
    assert html.count("</section>") == 2


def test_the_site_time_limit_and_the_editor_modules_reach_the_page(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "pypage.toml": "timeout = 3\n",
            "index.md": "```python run\nx = 1\n```\n\n```python run timeout=0.5\ny = 2\n```\n",
        },
    )
    out = build(site).out
    html = (out / "index.html").read_text()
    config_tag = re.search(r'id="pypage-config">(.*?)</script>', html)
    assert config_tag is not None
    config = json.loads(config_tag[1])
    assert config["timeout"] == 3.0  # the cell without its own limit gets this one
    assert 'data-timeout="0.5"' in html
    importmap = re.search(r'<script type="importmap">(.*?)</script>', html)
    assert importmap is not None
    imports = json.loads(importmap[1])["imports"]
    assert {"@codemirror/view", "@codemirror/lang-python", "@lezer/python"} <= set(imports)
    for url in imports.values():
        assert url.startswith("./_pypage/runtime-")  # relative, as an import map needs it
        assert (out / url).is_file()


def test_an_unchanged_rebuild_leaves_the_output_alone_unless_it_was_edited(tmp_path: Path) -> None:
    site = write(tmp_path / "s", {"index.md": "# A\n\nText.\n", "b.md": "# B\n"})
    out = build(site).out
    page = out / "index.html"
    written = page.stat().st_mtime_ns
    build(site)
    assert page.stat().st_mtime_ns == written  # nothing to write
    page.write_text("edited by hand")
    (out / "stray.txt").write_text("left behind")
    build(site)
    assert "Text." in page.read_text()
    assert not (out / "stray.txt").exists()
    write(site, {"b.md": "# B changed\n"})
    build(site)
    assert "B changed" in (out / "b.html").read_text()


def test_search_false_ships_no_index_and_no_search_box(tmp_path: Path) -> None:
    site = write(
        tmp_path / "s", {"index.md": "# Home\n\nWords.\n", "pypage.toml": "search = false\n"}
    )
    out = build(site).out
    assert not any(f.startswith("_pypage/search-") for f in tree(out))
    assert "site-search" not in (out / "index.html").read_text()
