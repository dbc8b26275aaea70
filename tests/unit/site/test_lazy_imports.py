"""A rebuild that finds every page in the cache loads neither the parser nor the template engine:
importing them is a fifth of such a rebuild."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
    env = {"PYPAGE_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(site), str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


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
