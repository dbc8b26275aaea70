"""``pypage new``: a starter site with a few cells and a workflow that publishes it."""

from __future__ import annotations

import json
import logging
import shlex
from pathlib import Path
from string import Template

from pypage import __version__
from pypage.config import title_from_name
from pypage.errors import Diagnostic, PypageError

log = logging.getLogger(__name__)

_STARTER = Path(__file__).parent / "starter"

# starter file -> where it goes in the new site, per template
COMMON = {
    "pypage.toml": "pypage.toml",
    "github-pages.yml": ".github/workflows/pages.yml",
    "gitignore": ".gitignore",
}
TEMPLATES = {
    "page": {**COMMON, "index.md": "index.md"},
    "slides": {**COMMON, "slides.md": "index.md"},
}


def new_site(directory: Path, *, title: str | None = None, template: str = "page") -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise PypageError(
            Diagnostic(
                message=f"{directory} already exists and is not empty",
                hint="choose a new folder name; pypage new never overwrites files",
            )
        )
    title = title or title_from_name(directory.resolve().name)
    # JSON string syntax is also a valid TOML basic string and YAML double-quoted scalar.
    values = {"title": json.dumps(title)[1:-1], "version": __version__}
    for source, target in TEMPLATES[template].items():
        text = Template((_STARTER / source).read_text(encoding="utf-8")).safe_substitute(values)
        path = directory / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    log.info("Created %s. Next: pypage serve %s", directory, shlex.quote(str(directory)))
