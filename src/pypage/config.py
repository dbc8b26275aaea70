"""``pypage.toml``: optional site settings. A plain folder of Markdown builds without one."""

from __future__ import annotations

import functools
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pypage.errors import (
    Diagnostic,
    PypageError,
    at_line,
    did_you_mean,
    display_path,
    locate,
    source_line,
)
from pypage.interpreters import DEFAULT_INTERPRETER, INTERPRETERS
from pypage.nav import NavEntry, parse_nav

CONFIG_NAME = "pypage.toml"
# Where packages built for Pyodide (numpy, pandas, …) are downloaded from at build time.
DEFAULT_DISTRIBUTION = "https://cdn.jsdelivr.net/pyodide/v{version}/full/"
MAX_SECONDS = 7 * 24 * 3600  # the longest time limit a cell may have


@dataclass(frozen=True, kw_only=True)
class SiteConfig:
    root: Path
    title: str = ""
    description: str = ""
    interpreter: str = DEFAULT_INTERPRETER
    output: str = "_site"
    theme: str = "default"
    strict: bool = False
    packages: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    pyodide_distribution: str = DEFAULT_DISTRIBUTION
    pyodide_lock: str = ""
    cross_origin_isolation: bool = True
    timeout: float | None = None  # seconds a cell may run before the page stops it
    search: bool = True
    snapshot: bool = True  # Pyodide starts from a memory snapshot kept by the reader's browser
    navigation: bool = True  # links within the site swap the content and keep the interpreter
    nav: tuple[NavEntry, ...] | None = None  # the navigation written out; None: from file names
    # Mistakes that do not stop the build (settings of mkdocs.yml that pypage ignores).
    warnings: tuple[Diagnostic, ...] = ()
    # The settings file (pypage.toml, or a MkDocs project's mkdocs.yml), its lines and where each
    # key is set, to locate messages about values.
    config_file: Path | None = None  # None: root/pypage.toml, which may not exist
    lines: tuple[str, ...] = ()
    key_lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        return self.config_file or self.root / CONFIG_NAME

    @functools.cached_property
    def shown_path(self) -> str:
        return display_path(self.file, self.file.parent)


# key -> (python type, description used in hints)
_KEYS: dict[str, tuple[type, str]] = {
    "title": (str, "the site title shown in every page's header"),
    "description": (str, "one sentence for search engines and link previews"),
    "interpreter": (str, f"the default interpreter: {', '.join(INTERPRETERS)}"),
    "output": (str, "the output folder, relative to the site"),
    "theme": (str, "'default' or a path to a theme folder"),
    "strict": (bool, "true or false: whether warnings fail the build"),
    "packages": (list, 'packages every Pyodide page may use, e.g. ["humanize", "attrs>=23"]'),
    "files": (list, 'data files or folders every page gets, e.g. ["data/"]'),
    "pyodide_distribution": (
        str,
        "the URL (or folder) of a Pyodide distribution to take numpy & co. from",
    ),
    "pyodide_lock": (str, "the pyodide-lock.json that describes that distribution"),
    "cross_origin_isolation": (
        bool,
        "true or false: whether the service worker isolates pages (Stop without restarting)",
    ),
    "timeout": (float, "the seconds any cell may run before it is stopped, e.g. 10"),
    "search": (bool, "true or false: whether pages get a search box (a Pagefind index)"),
    "snapshot": (
        bool,
        "true or false: whether Pyodide starts from a memory snapshot the browser keeps",
    ),
    "navigation": (
        bool,
        "true or false: whether links within the site keep Python running (in-site navigation)",
    ),
    "nav": (list, 'the navigation\'s pages and sections in order, e.g. ["index.md", "setup.md"]'),
}
NAV_FORMS_TOML = (
    'entries are "page.md", { "Title" = "page.md" }, { "Title" = "https://…" }'
    ' or { "Section" = [ …entries… ] }'
)


def load_config(root: Path) -> SiteConfig:
    path = root / CONFIG_NAME
    if not path.is_file():
        from pypage.mkdocs import find_mkdocs, load_mkdocs

        mkdocs = find_mkdocs(root)  # a MkDocs project builds as it is
        if mkdocs is not None:
            return load_mkdocs(mkdocs)
        return SiteConfig(root=root, title=_title_from_folder(root))
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    shown = display_path(path, root)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, col = _toml_position(exc)
        raise PypageError(
            Diagnostic(
                path=shown,
                line=line,
                col=col,
                message=f"invalid TOML: {_toml_message(exc)}",
                source_line=source_line(lines, line),
                hint='values need quotes, e.g. title = "My notes"',
            )
        ) from None

    problems = []

    def problem(key: str, message: str, hint: str) -> None:
        """An error located at the line that sets ``key``."""
        problems.append(at_line(shown, lines, _key_line(lines, key), message, hint=hint))

    # TOML values, each checked against _KEYS (whose types are SiteConfig's) before it is kept.
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _KEYS:
            problem(
                key,
                f"unknown setting '{key}'{did_you_mean(key, _KEYS)}",
                "settings are " + ", ".join(_KEYS),
            )
            continue
        kind, meaning = _KEYS[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind):
            problem(
                key,
                f"'{key}' must be a {kind.__name__}, not {type(value).__name__}",
                f"'{key}' is {meaning}",
            )
            continue
        if key == "nav":
            value, found = parse_nav(
                value, path=shown, lines=lines, key_line=_key_line(lines, key), forms=NAV_FORMS_TOML
            )
            problems.extend(found)
        elif isinstance(value, list):
            if not all(isinstance(item, str) and item for item in value):
                problem(key, f"'{key}' must be a list of text", f"'{key}' is {meaning}")
                continue
            value = tuple(value)
        values[key] = value

    if "timeout" in values and parse_seconds(values["timeout"]) is None:
        problem(
            "timeout",
            f"'timeout' must be more than 0 seconds and at most a week,"
            f" not {values.pop('timeout')}",
            "write a number of seconds, e.g. timeout = 10",
        )
    interpreter = str(values.get("interpreter", DEFAULT_INTERPRETER))
    if interpreter not in INTERPRETERS:
        problem(
            "interpreter",
            f"unknown interpreter '{interpreter}'{interpreter_suggestion(interpreter)}",
            "interpreters are " + ", ".join(INTERPRETERS),
        )
    theme = str(values.get("theme", "default"))
    if theme != "default" and not (root / theme).is_dir():
        problem(
            "theme",
            f"theme folder '{theme}' not found",
            'use theme = "default", or the path of a folder (relative to the site) '
            "with page.html and/or static/",
        )
    if problems:
        raise PypageError(problems)
    values.setdefault("title", _title_from_folder(root))
    key_lines = {key: line for key in values if (line := _key_line(lines, key))}
    return SiteConfig(
        root=root,
        lines=tuple(lines),
        key_lines=key_lines,
        **values,
    )


def parse_seconds(value: object) -> float | None:
    """A time limit in seconds (a positive, finite number), or None if ``value`` is not one."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    # Browsers' timers hold at most 2**31 - 1 ms (24.8 days); a week is more than any cell needs.
    return seconds if math.isfinite(seconds) and 0 < seconds <= MAX_SECONDS else None


# Names people reach for: both mean "real CPython", which in the browser is Pyodide.
_ALIASES = {"cpython": "pyodide", "python": "pyodide", "python3": "pyodide"}


def interpreter_suggestion(name: str) -> str:
    if name.lower() in _ALIASES:
        return f" (did you mean '{_ALIASES[name.lower()]}'?)"
    return did_you_mean(name, INTERPRETERS)


def title_from_name(name: str) -> str:
    """A title for what a file or folder name names: ``getting-started`` -> ``Getting started``."""
    return name.replace("-", " ").replace("_", " ").strip().capitalize()


# "01-variables", "2_loops", "3. functions": a number in front orders the files, it is no title.
_NUMBER_PREFIX = re.compile(r"^\d+(?:[-_ ]+|\.\s*)(?=[^\W\d_])")


def title_from_file_name(name: str) -> str:
    """A title from a file or folder name: ``01-variables`` is ``Variables``."""
    return title_from_name(_NUMBER_PREFIX.sub("", name))


def _title_from_folder(root: Path) -> str:
    return title_from_name(root.resolve().name) or "Site"


def _key_line(lines: list[str], key: str) -> int | None:
    found = locate(lines, re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*="))
    return found[0] if found else None


_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def toml_problem(exc: tomllib.TOMLDecodeError) -> tuple[int | None, int | None, str]:
    """Line, column and message of a TOML mistake, as every Python version reports it."""
    return (*_toml_position(exc), _toml_message(exc))


def _toml_position(exc: tomllib.TOMLDecodeError) -> tuple[int | None, int | None]:
    lineno = getattr(exc, "lineno", None)  # Python >= 3.14
    if lineno:
        return lineno, getattr(exc, "colno", None)
    match = _POSITION.search(str(exc))
    return (int(match[1]), int(match[2])) if match else (None, None)


def _toml_message(exc: tomllib.TOMLDecodeError) -> str:
    message = getattr(exc, "msg", None) or _POSITION.sub("", str(exc))
    return message.strip().rstrip(".").lower()
