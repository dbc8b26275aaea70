"""Markdown → page: front matter, HTML body, cells, headings, and located diagnostics."""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pypage.config import interpreter_suggestion, title_from_file_name
from pypage.errors import Diagnostic, did_you_mean, locate, source_line
from pypage.interpreters import INTERPRETERS
from pypage.markdown.cells import Cell
from pypage.markdown.references import Link, Reference
from pypage.sources import SiteSources, SourcePage

# The parser and its plugins load in _markdown(), when a page is parsed: a rebuild that finds
# every page in the cache reads Page objects without them.
if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# Front matter keys: name -> (accepted types, meaning)
FRONT_MATTER: dict[str, tuple[tuple[type, ...], str]] = {
    "title": ((str,), "the page title"),
    "description": ((str,), "one sentence for search engines and link previews"),
    "order": ((int, float), "a number that sorts the page in the navigation"),
    "interpreter": ((str,), f"the Python that runs the page's cells: {', '.join(INTERPRETERS)}"),
    "layout": ((str,), "'page' (the default) or 'slides' for a slide deck"),
    "packages": ((list,), 'the packages the page\'s cells need, e.g. [humanize, "attrs>=23"]'),
    "files": ((list,), "data files or folders copied next to the cells, e.g. [data.csv]"),
}
LAYOUTS = ("page", "slides")
# Every id in a page's HTML (headings, labels, footnotes, the author's own HTML) is a fragment
# links may name.
_ANCHOR = re.compile(r"""\s(?:id|name)=["']([^"']+)["']""")
_TYPE_NAMES: dict[tuple[type, ...], str] = {
    (str,): "text",
    (int, float): "a number",
    (list,): "a list",
}


@dataclass(frozen=True, kw_only=True)
class Heading:
    level: int
    id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Page:
    source: SourcePage
    shown_path: str  # how messages name the file
    title: str
    meta: Mapping[str, Any]
    html: str
    cells: tuple[Cell, ...]
    headings: tuple[Heading, ...]
    # Where each front matter key is set, and the front matter's lines, to locate messages about
    # its values (packages:, files:) in later stages.
    meta_lines: Mapping[str, int] = field(default_factory=dict)
    front_lines: tuple[str, ...] = ()
    # What links to this page may name after '#', and its MyST labels: label -> (id, title).
    anchors: frozenset[str] = frozenset()
    labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # What the build checks and fills in once every page is read (pypage.site.crossrefs).
    links: tuple[Link, ...] = ()
    references: tuple[Reference, ...] = ()
    # Files the page included, by absolute path, with their content's fingerprint.
    includes: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_slides(self) -> bool:
        return self.meta.get("layout") == "slides"

    def interpreter(self, default: str) -> str:
        return str(self.meta.get("interpreter", default))

    @property
    def order(self) -> float | None:
        """Where ``order:`` puts the page among its folder's, or None (by its file name)."""
        value = self.meta.get("order")
        return float(value) if isinstance(value, (int, float)) else None


@dataclass
class _Reporter:
    path: str
    lines: list[str]
    found: list[Diagnostic]

    def __call__(
        self,
        line: int | None,
        col: int | None,
        message: str,
        *,
        hint: str | None = None,
        severity: str = "error",
    ) -> None:
        self.found.append(
            Diagnostic(
                path=self.path,
                line=line,
                col=col,
                message=message,
                hint=hint,
                severity=severity,
                source_line=source_line(self.lines, line),
            )
        )


def parse_page(
    source: SourcePage,
    text: str,
    *,
    site: SiteSources,
    shown_path: str,
    site_title: str = "",
    outputs: Mapping[str, str] | None = None,
) -> tuple[Page, list[Diagnostic]]:
    """``shown_path`` is how messages name the file (relative to where the user stands);
    ``outputs`` are the cells' output areas as a browser drew them at build time, by cell id."""
    found: list[Diagnostic] = []
    report = _Reporter(shown_path, text.splitlines(), found)
    md = _markdown()
    env: dict[str, Any] = {
        "outputs": outputs or {},
        "page": source.rel,
        "source_path": source.path,
        "site": site,
        "report": report,
    }
    toml = _toml_front_matter(text)
    if toml is not None:  # blank lines in its place keep every line number the author's
        text = "\n" * toml[1] + text.split("\n", toml[1])[-1]
    tokens = md.parse(text, env)
    if toml is not None:
        meta, meta_lines = _check_front_matter(_load_toml(toml, report), (0, toml[1]), report)
    else:
        meta, meta_lines = _front_matter(tokens, text, report)
    _check_fences(tokens, report.lines, report)
    html = md.renderer.render(tokens, md.options, env)
    headings = [
        Heading(level=level, id=ident, text=text) for level, ident, text in env.get("headings", ())
    ]
    title = str(meta.get("title") or _first_h1(headings) or _title_from(source, site_title))
    page = Page(
        source=source,
        shown_path=shown_path,
        title=title,
        meta=meta,
        html=html,
        cells=tuple(env.get("cells", ())),
        headings=tuple(h for h in headings if h.level in (2, 3)),
        meta_lines=meta_lines,
        front_lines=tuple(report.lines[: toml[1] if toml else _front_matter_end(tokens)]),
        anchors=frozenset(_ANCHOR.findall(html)),
        labels=env.get("labels", {}),
        links=tuple(env.get("links", ())),
        references=tuple(env.get("references", ())),
        includes=env.get("includes", {}),
    )
    return page, found


@functools.cache
def _markdown() -> MarkdownIt:
    """One parser per process: what a page's plugins need about it travels in the parse's env."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin
    from mdit_py_plugins.tasklists import tasklists_plugin

    from pypage.markdown.abbreviations import abbreviations_plugin
    from pypage.markdown.admonitions import admonitions_plugin
    from pypage.markdown.attributes import attributes_plugin
    from pypage.markdown.cells import cells_plugin
    from pypage.markdown.directives import directives_plugin
    from pypage.markdown.fences import fences_plugin
    from pypage.markdown.headings import headings_plugin
    from pypage.markdown.highlight import highlight, highlight_fence
    from pypage.markdown.includes import includes_plugin
    from pypage.markdown.links import links_plugin
    from pypage.markdown.math import math_plugin
    from pypage.markdown.references import references_plugin
    from pypage.markdown.roles import roles_plugin
    from pypage.markdown.shortcodes import shortcodes_plugin
    from pypage.markdown.slides import slides_plugin
    from pypage.markdown.tabs import tabs_plugin

    # html=True: the author's own Markdown is trusted, as in every static-site generator.
    md = MarkdownIt("commonmark", {"html": True, "highlight": highlight_fence})
    md.enable(["table", "strikethrough"])
    md.use(front_matter_plugin)
    md.use(footnote_plugin)
    md.use(tasklists_plugin)
    md.use(deflist_plugin)
    md.use(abbreviations_plugin)
    md.use(attributes_plugin)
    md.use(headings_plugin)
    md.use(shortcodes_plugin)  # after headings: its rule runs first, so ids see the emoji
    md.use(tabs_plugin)
    md.use(math_plugin)
    # Core rules added after "block" run in the reverse order of these lines: directives expand
    # first, then admonitions are normalised (those directives make too), then cells are found.
    md.use(cells_plugin, highlight=lambda code: highlight(code, "python"))
    md.use(admonitions_plugin)
    md.use(fences_plugin)
    md.use(includes_plugin)
    md.use(directives_plugin)
    md.use(links_plugin)
    md.use(references_plugin)
    md.use(roles_plugin)  # after links: its rule runs first, so roles that make links are checked
    md.use(slides_plugin)
    return md


def _front_matter(
    tokens: list[Token], text: str, report: _Reporter
) -> tuple[dict[str, Any], dict[str, int]]:
    if not tokens or tokens[0].type != "front_matter":
        if text.startswith(("---\n", "---\r\n")) and any(
            ":" in line for line in text.splitlines()[1:3]
        ):
            report(
                1,
                1,
                "front matter is not closed: it shows as text",
                hint="end the front matter with a line of ---",
                severity="warning",
            )
        return {}, {}
    import yaml

    token = tokens[0]
    try:
        data = _load_yaml(token.content)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark else 1  # +1 for the opening '---', +1 for 1-based
        col = mark.column + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        report(
            line,
            col,
            f"invalid YAML front matter: {problem}",
            hint="front matter is YAML between two '---' lines, e.g. 'title: My page'",
        )
        return {}, {}
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        report(
            2,
            1,
            f"front matter must be a mapping of keys to values, not {type(data).__name__}",
            hint="write 'key: value' lines, e.g. 'title: My page'",
        )
        return {}, {}
    first, last = token.map or (0, 1)
    return _check_front_matter(data, (first, last), report)


def _check_front_matter(
    data: Mapping[str, Any], span: tuple[int, int], report: _Reporter
) -> tuple[dict[str, Any], dict[str, int]]:
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key, value in data.items():
        line = _key_line(report.lines, str(key), span)
        types, meaning = FRONT_MATTER.get(key, ((), ""))
        if value is None and types:
            report(
                line,
                1,
                f"'{key}' is empty: ignored",
                hint=f"'{key}' is {meaning}; give it a value or remove the line",
                severity="warning",
            )
            continue
        if types == (str,) and isinstance(value, (datetime.date, datetime.time)):
            value = value.isoformat()  # title: 2024-05-01
        if key not in FRONT_MATTER:
            report(
                line,
                1,
                f"unknown front matter key '{key}'{did_you_mean(str(key), FRONT_MATTER)}",
                hint="keys are " + ", ".join(FRONT_MATTER),
                severity="warning",
            )
            continue
        if types == (str,) and isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)  # title: 1984
        if not isinstance(value, types) or isinstance(value, bool):
            report(
                line,
                1,
                f"'{key}' must be {_TYPE_NAMES[types]}, not {type(value).__name__}",
                hint=f"'{key}' is {meaning}",
            )
            continue
        if key == "layout" and value not in LAYOUTS:
            report(
                line,
                1,
                f"unknown layout '{value}'{did_you_mean(str(value), LAYOUTS)}",
                hint="layouts are page and slides",
            )
            continue
        if key == "interpreter" and value not in INTERPRETERS:
            report(
                line,
                1,
                f"unknown interpreter '{value}'{interpreter_suggestion(str(value))}",
                hint="interpreters are " + ", ".join(INTERPRETERS),
            )
            continue
        meta[key] = value
        lines[key] = line
    return meta, lines


def _load_yaml(text: str) -> Any:
    """libyaml when PyYAML has it (front matter in Python is a twentieth of a build); a mistake
    is parsed again in Python, whose messages point at the mistake rather than the end."""
    import yaml

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


def _front_matter_end(tokens: list[Token]) -> int:
    if tokens and tokens[0].type == "front_matter" and tokens[0].map:
        return tokens[0].map[1]
    return 0


def _key_line(lines: list[str], key: str, span: tuple[int, int]) -> int:
    first, last = span
    name = re.escape(key)
    found = locate(
        lines,
        re.compile(f"^(?:{name}|\"{name}\"|'{name}')\\s*[:=]"),
        start=(first + 2, 1),
        stop=last,
    )
    return found[0] if found else first + 1


def _toml_front_matter(text: str) -> tuple[str, int] | None:
    """Hugo's ``+++`` front matter: its TOML and the number of lines it takes."""
    if not text.startswith(("+++\n", "+++\r\n")):
        return None
    lines = text.split("\n")
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip("\r") == "+++":
            return "\n".join(lines[1:number]), number + 1
    return None


def _load_toml(toml: tuple[str, int], report: _Reporter) -> Mapping[str, Any]:
    import tomllib

    from pypage.config import toml_problem

    try:
        return tomllib.loads(toml[0])
    except tomllib.TOMLDecodeError as error:
        line, col, message = toml_problem(error)
        report(
            (line or 0) + 1,
            col or 1,
            f"invalid TOML front matter: {message}",
            hint="front matter between two '+++' lines is TOML, e.g. title = \"My page\"",
        )
        return {}


def _check_fences(tokens: list[Token], lines: list[str], report: _Reporter) -> None:
    for token in tokens:
        if token.type != "fence" or not token.map:
            continue
        start, end = token.map
        closing = lines[end - 1].strip() if end - 1 > start and end <= len(lines) else ""
        marker = token.markup[:1]
        closed = len(closing) >= len(token.markup) and closing == marker * len(closing)
        if not closed and end >= len(lines):
            report(
                start + 1,
                1 + len(lines[start]) - len(lines[start].lstrip()),
                "unclosed code fence: it swallows the rest of the page",
                hint=f"close it with a line of {token.markup}",
                severity="warning",
            )


def _first_h1(headings: list[Heading]) -> str:
    return next((h.text for h in headings if h.level == 1), "")


def _title_from(source: SourcePage, site_title: str) -> str:
    name = source.rel.stem
    if source.url.name == "index.html":  # index.md, or a README.md in its place
        name = source.rel.parent.name
        if not name:
            return site_title or "Home"
    return title_from_file_name(name)
