"""Themes: a folder of Jinja2 templates plus a ``static/`` folder. A custom theme overrides the
default one template and file at a time."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pypage.config import SiteConfig
from pypage.markdown.highlight import stylesheet
from pypage.resources import data_path
from pypage.shipped import THEME_STATIC_SUFFIXES

if TYPE_CHECKING:
    import jinja2


@dataclass(frozen=True, kw_only=True)
class Theme:
    folders: tuple[Path, ...]  # most specific first

    @functools.cached_property
    def env(self) -> jinja2.Environment:
        """Made on the first page rendered: a rebuild that reuses every page loads no Jinja."""
        import jinja2

        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(folder) for folder in self.folders]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def static_files(self) -> dict[str, bytes | Path]:
        files: dict[str, bytes | Path] = {"highlight.css": stylesheet().encode()}
        for folder in reversed(self.folders):  # the custom theme's files win
            static = folder / "static"
            for path in sorted(static.rglob("*")):
                if path.is_file() and path.suffix in THEME_STATIC_SUFFIXES:
                    files[path.relative_to(static).as_posix()] = path
        return files


def load_theme(config: SiteConfig) -> Theme:
    default = data_path("themes") / "default"
    folders = [default]
    if config.theme != "default":  # load_config checked that the folder exists
        folders.insert(0, (config.root / config.theme).resolve())
    return Theme(folders=tuple(folders))
