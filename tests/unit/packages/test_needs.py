"""Declaring packages and files: located errors before anything is resolved or downloaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from pypage.errors import PypageError
from pypage.site.build import build
from tests.sites import write

pytestmark = pytest.mark.unit


def build_error(site: Path, tmp_path: Path) -> str:
    with pytest.raises(PypageError) as failure:
        build(site, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    return str(failure.value)


def test_packages_on_a_micropython_page(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": "# Home\n",
            "m.md": "---\ninterpreter: micropython\npackages: [humanize]\n---\n# M\n",
        },
    )
    assert build_error(site, tmp_path) == (
        "site/m.md:3:1: error: packages: needs Pyodide; this page runs on MicroPython\n"
        "    3 | packages: [humanize]\n"
        "  hint: MicroPython cannot install packages: set 'interpreter: pyodide' in the front "
        "matter, or remove packages:"
    )


def test_bad_requirements_missing_paths_and_files_are_all_reported(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": "# Home\n",
            "p.md": "---\npackages:\n  - 'attrs>>1'\n  - ./nowhere\nfiles: [data.csv]\n---\n# P\n",
        },
    )
    assert build_error(site, tmp_path) == (
        "site/p.md:3:5: error: invalid package requirement 'attrs>>1'\n"
        "    3 |   - 'attrs>>1'\n"
        '  hint: write a name with an optional version, e.g. "attrs>=23" or "humanize==4.9"\n'
        "site/p.md:4:5: error: no such file or folder: ./nowhere\n"
        "    4 |   - ./nowhere\n"
        "  hint: local packages are wheels or project folders, relative to the page\n"
        "site/p.md:5:9: error: no such file or folder: data.csv\n"
        "    5 | files: [data.csv]\n"
        "  hint: files: paths are relative to the page"
    )


def test_site_packages_must_be_a_list_of_text(tmp_path: Path) -> None:
    site = write(tmp_path / "site", {"pypage.toml": "packages = [1]\n", "p.md": "# P\n"})
    assert build_error(site, tmp_path) == (
        "site/pypage.toml:1:1: error: 'packages' must be a list of text\n"
        "    1 | packages = [1]\n"
        "  hint: 'packages' is packages every Pyodide page may use, "
        'e.g. ["humanize", "attrs>=23"]'
    )
