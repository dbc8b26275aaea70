"""A MkDocs project builds as it is: its mkdocs.yml gives the site's title, description, pages'
folder and nav; every other setting is named in a warning, once, at its line."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pypage.errors import Diagnostic, PypageError, at_line, display_path, locate, source_line
from pypage.nav import parse_nav

if TYPE_CHECKING:
    import yaml

    from pypage.config import SiteConfig

MKDOCS_NAMES = ("mkdocs.yml", "mkdocs.yaml")
NAV_FORMS_YAML = (
    "entries are '- page.md', '- Title: page.md', '- Title: https://…'"
    " or '- Section:' followed by a list of entries"
)
_READ = "pypage reads site_name, site_description, docs_dir and nav from mkdocs.yml"
# Why a setting does nothing here, for the ones MkDocs projects most often carry.
_IGNORED_HINTS = {
    "theme": "pages use pypage's theme; a pypage.toml can name a theme folder of your own",
    "plugins": "MkDocs plugins do not run in pypage",
    "site_dir": "pypage writes the site to _site; choose another folder with -o",
    "extra_css": "a theme folder of your own (theme = in a pypage.toml) carries extra styles",
    "extra_javascript": "a theme folder of your own (theme = in a pypage.toml) carries scripts",
}


# Python-Markdown and pymdownx extensions whose syntax pypage's own Markdown reads
# (docs/authoring.md): listing them in mkdocs.yml is no reason for a warning.
BUILT_IN_EXTENSIONS = frozenset({
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "meta", "tables",
    "toc", "fenced_code", "codehilite", "sane_lists", "smarty",
    "pymdownx.arithmatex", "pymdownx.details", "pymdownx.emoji", "pymdownx.highlight",
    "pymdownx.inlinehilite", "pymdownx.snippets", "pymdownx.superfences", "pymdownx.tabbed",
    "pymdownx.tasklist", "pymdownx.tilde", "pymdownx.blocks.admonition",
    "pymdownx.blocks.details", "pymdownx.blocks.tab",
})  # fmt: skip


def _unsupported_extensions(value: object) -> list[str]:
    """The extensions of a ``markdown_extensions`` list that pypage does not read."""
    entries = value if isinstance(value, list) else []
    names = [next(iter(e), "") if isinstance(e, dict) else str(e) for e in entries]
    return [name for name in names if name and name not in BUILT_IN_EXTENSIONS]


def find_mkdocs(site: Path) -> Path | None:
    return next((site / name for name in MKDOCS_NAMES if (site / name).is_file()), None)


def load_mkdocs(path: Path) -> SiteConfig:
    from pypage.config import SiteConfig, title_from_name

    site = path.parent
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    shown = display_path(path, site)
    data = _parse(text, lines, shown)

    problems: list[Diagnostic] = []
    warnings: list[Diagnostic] = []
    key_lines = {key: line for key in data if (line := _key_line(lines, str(key)))}

    def diagnostic(key: str, message: str, hint: str, severity: str = "error") -> Diagnostic:
        return at_line(shown, lines, key_lines.get(key), message, hint=hint, severity=severity)

    values: dict[str, Any] = {}
    for key, meaning in (
        ("site_name", "the site title"),
        ("site_description", "one sentence for search engines and link previews"),
        ("docs_dir", "the folder of the pages, relative to mkdocs.yml"),
    ):
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(diagnostic(key, f"'{key}' must be text", f"'{key}' is {meaning}"))
        elif value is not None:
            values[key] = value.strip()
    docs_dir = values.get("docs_dir") or "docs"
    root = site / docs_dir
    if not root.is_dir():
        problems.append(
            diagnostic(
                "docs_dir",
                f"the pages' folder '{docs_dir}' does not exist",
                "docs_dir is the folder of the Markdown pages, relative to mkdocs.yml"
                + ("" if "docs_dir" in data else " (docs unless it is set)"),
            )
        )
    nav = None
    if "nav" in data:
        nav, found = parse_nav(
            data["nav"],
            path=shown,
            lines=lines,
            key_line=key_lines.get("nav"),
            forms=NAV_FORMS_YAML,
        )
        problems.extend(found)
    for key in data:
        if str(key) == "markdown_extensions":
            if unsupported := _unsupported_extensions(data[key]):
                warnings.append(
                    diagnostic(
                        "markdown_extensions",
                        f"markdown extensions pypage does not provide: {', '.join(unsupported)}",
                        "pypage reads admonitions, tabs, details, math, snippets, attribute "
                        "lists and the rest of its own extensions without them (docs: Writing "
                        "pages); text written for these shows as written",
                        severity="warning",
                    )
                )
        elif str(key) not in ("site_name", "site_description", "docs_dir", "nav"):
            hint = _IGNORED_HINTS.get(str(key), _READ)
            warnings.append(
                diagnostic(str(key), f"'{key}' is ignored by pypage", hint, severity="warning")
            )
    if problems:
        raise PypageError(problems)
    return SiteConfig(
        root=root,
        title=values.get("site_name") or title_from_name(site.resolve().name) or "Site",
        description=values.get("site_description", ""),
        nav=nav,
        config_file=path,
        lines=tuple(lines),
        key_lines=key_lines,
        warnings=tuple(warnings),
    )


def _parse(text: str, lines: list[str], shown: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.load(text, Loader=_loader())  # a safe loader: see _loader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise PypageError(
            Diagnostic(
                path=shown,
                line=line,
                col=mark.column + 1 if mark is not None else None,
                source_line=source_line(lines, line),
                message=f"invalid YAML: {problem}",
                hint="mkdocs.yml is YAML: 'key: value' lines, lists as '- item' lines",
            )
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PypageError(
            Diagnostic(
                path=shown,
                line=1,
                col=1,
                source_line=source_line(lines, 1),
                message="mkdocs.yml must hold settings ('key: value' lines)",
                hint="e.g. site_name: My course",
            )
        )
    return data


@functools.cache
def _loader() -> type[yaml.SafeLoader]:
    """PyYAML's safe loader, tolerant of the tags MkDocs configurations carry: ``!ENV`` is read
    as MkDocs reads it, and any other (``!!python/name:…``, ``!relative``) gives its plain value
    instead of failing: pypage ignores the settings that use them, and imports nothing."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def plain(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
        if isinstance(node, yaml.ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        return None

    def environment(loader: yaml.SafeLoader, node: yaml.Node) -> object:
        """``!ENV NAME`` or ``!ENV [NAME, OTHER, default]``: the first variable set, else the
        default (the last item, when there are several)."""
        if isinstance(node, yaml.ScalarNode):
            names, default = [loader.construct_scalar(node)], None
        elif isinstance(node, yaml.SequenceNode):
            names = loader.construct_sequence(node, deep=True)
            names, default = (names[:-1], names[-1]) if len(names) > 1 else (names, None)
        else:
            return None
        return next((os.environ[str(n)] for n in names if str(n) in os.environ), default)

    Loader.add_multi_constructor("", plain)
    Loader.add_constructor("!ENV", environment)
    return Loader


def _key_line(lines: list[str], key: str) -> int | None:
    found = locate(lines, re.compile(rf"^[\"']?{re.escape(key)}[\"']?\s*:"))
    return found[0] if found else None
