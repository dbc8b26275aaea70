"""Themes: a folder of Jinja2 templates plus a ``static/`` folder. A custom theme overrides the
default one template and file at a time."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from .config import CONFIG_NAME, SiteConfig
from .errors import Diagnostic, PypageError
from .highlight import stylesheet
from .resources import data_path

STATIC_SUFFIXES = {".css", ".js", ".svg", ".png", ".ico", ".woff2"}


@dataclass(frozen=True, kw_only=True)
class Theme:
    env: jinja2.Environment
    folders: tuple[Path, ...]  # most specific first

    def static_files(self) -> dict[str, bytes | Path]:
        files: dict[str, bytes | Path] = {"highlight.css": stylesheet().encode()}
        for folder in reversed(self.folders):  # the custom theme's files win
            static = folder / "static"
            for path in sorted(static.rglob("*")):
                if path.is_file() and path.suffix in STATIC_SUFFIXES:
                    files[path.relative_to(static).as_posix()] = path
        return files


def load_theme(config: SiteConfig) -> Theme:
    default = data_path("themes") / "default"
    folders = [default]
    if config.theme != "default":
        custom = (config.root / config.theme).resolve()
        if not (custom / "page.html").is_file() and not (custom / "static").is_dir():
            raise PypageError(
                Diagnostic(
                    path=CONFIG_NAME,
                    message=f"theme '{config.theme}' not found at {custom}",
                    hint='use theme = "default" or a folder with page.html and/or static/',
                )
            )
        folders.insert(0, custom)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in folders]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return Theme(env=env, folders=tuple(folders))
