"""One version: src/pypage/__init__.py declares it; the package metadata, `pypage --version` and
the changelog follow."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pypage import __version__

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


def test_the_metadata_takes_the_version_from_the_package() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["project"]["name"] == "pypage-ssg"
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["path"] == "src/pypage/__init__.py"


def test_the_command_says_its_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pypage", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout == f"pypage {__version__}\n"


def test_the_changelog_starts_with_this_version() -> None:
    headings = re.findall(r"^## (\S+)", (REPO / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert headings[0] == __version__
