"""A rebuild that finds every page in the cache loads neither the parser nor the template engine:
importing them is a fifth of such a rebuild."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pypage.cache import cache_dir
from tests.sites import write

pytestmark = pytest.mark.unit

PROBE = """
import sys
from pathlib import Path
from pypage.site.build import build
build(Path(sys.argv[1]), Path(sys.argv[2]), announce=False)
heavy = ("markdown_it", "mdit_py_plugins", "jinja2", "yaml", "pygments.lexers")
print(" ".join(sorted(name for name in heavy if name in sys.modules)))
"""


def loaded_by_a_build(site: Path, out: Path, cache: Path) -> str:
    env = {"PYPAGE_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin", **registry()}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(site), str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def registry() -> dict[str, str]:
    """Where a first build may download the pinned runtime from (the caller's setting)."""
    names = ("PYPAGE_NPM_REGISTRY", "npm_config_registry")
    return {name: os.environ[name] for name in names if name in os.environ}


def test_an_unchanged_rebuild_loads_no_parser_or_templates(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "index.md": "---\ntitle: Home\n---\n# Home\n\n```python\nprint(1)\n```\n",
            "guide/loops.md": "# Loops\n\nSee [home](../index.md).\n",
        },
    )
    cache = tmp_path / "cache"
    first = loaded_by_a_build(site, tmp_path / "out", cache)
    assert first.split() == ["jinja2", "markdown_it", "mdit_py_plugins", "pygments.lexers", "yaml"]
    assert loaded_by_a_build(site, tmp_path / "out", cache) == ""
    (site / "guide" / "loops.md").write_text("# Loops\n\nEdited.\n")
    assert "markdown_it" in loaded_by_a_build(site, tmp_path / "out", cache).split()


def test_nor_does_one_of_a_site_with_cells_and_its_offline_page(tmp_path: Path) -> None:
    site = write(
        tmp_path / "site",
        {
            "pypage.toml": 'interpreter = "micropython"\n',
            "index.md": "# Home\n\n```python run\nprint(1)\n```\n",
        },
    )
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache_dir() / "npm").mkdir(parents=True, exist_ok=True)
    (cache / "npm").symlink_to(cache_dir() / "npm")  # the runtime: downloaded once per machine
    assert "jinja2" in loaded_by_a_build(site, tmp_path / "out", cache).split()
    assert (tmp_path / "out" / "pypage-sw.js").is_file()
    assert loaded_by_a_build(site, tmp_path / "out", cache) == ""
