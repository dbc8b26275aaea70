"""What a page asks for: ``packages:`` and ``files:`` from its front matter and ``pypage.toml``,
and the modules its cells import, each with the place it was asked for."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from pypage.config import CONFIG_NAME, SiteConfig
from pypage.errors import Diagnostic, locate, source_line
from pypage.interpreters import INTERPRETERS
from pypage.markdown.imports import cell_imports
from pypage.markdown.page import Page

if TYPE_CHECKING:
    from packaging.requirements import Requirement


@dataclass(frozen=True, kw_only=True)
class Origin:
    """Where something was asked for: a line of a page's front matter or of pypage.toml."""

    path: str
    line: int | None = None
    col: int | None = None
    source_line: str | None = None

    def error(self, message: str, hint: str | None = None) -> Diagnostic:
        return Diagnostic(
            path=self.path,
            line=self.line,
            col=self.col,
            source_line=self.source_line,
            message=message,
            hint=hint,
        )


@dataclass(frozen=True, kw_only=True)
class PackageRequest:
    text: str  # as the author wrote it
    origin: Origin
    requirement: Requirement | None = None  # a package from an index or Pyodide's distribution
    local: Path | None = None  # a wheel file or a project folder

    @property
    def key(self) -> str:
        return str(self.local) if self.local else str(self.requirement)


@dataclass(frozen=True, kw_only=True)
class FileRequest:
    source: Path  # a file or a folder on this machine
    target: PurePosixPath  # where cells find it, relative to their working directory
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class PageNeeds:
    packages: tuple[PackageRequest, ...]  # declared by the page and the site
    imports: Mapping[str, frozenset[str]]  # cell id -> top-level modules it imports
    import_origins: Mapping[str, Origin]  # module -> where a cell first imports it
    files: tuple[FileRequest, ...]

    @property
    def modules(self) -> frozenset[str]:
        return frozenset().union(*self.imports.values())


def page_needs(
    page: Page, config: SiteConfig, interpreter: str
) -> tuple[PageNeeds, list[Diagnostic]]:
    found: list[Diagnostic] = []
    folder = page.source.path.parent
    page_origin = _Locator(page.shown_path, page.front_lines, page.meta_lines, "the page")
    site_origin = _Locator(config.shown_path, config.lines, config.key_lines, CONFIG_NAME)

    packages: list[PackageRequest] = []
    declared = list(page.meta.get("packages", ()))
    runs_on = INTERPRETERS[interpreter]
    if declared and not runs_on.installs_packages:
        installers = [i for i in INTERPRETERS.values() if i.installs_packages]
        found.append(
            page_origin.at("packages").error(
                f"packages: needs {' or '.join(i.title for i in installers)}; "
                f"this page runs on {runs_on.title}",
                f"{runs_on.title} cannot install packages: set 'interpreter: "
                f"{installers[0].name}' in the front matter, or remove packages:",
            )
        )
    elif runs_on.installs_packages:
        for entries, base, locator in (
            (config.packages, config.root, site_origin),
            (declared, folder, page_origin),
        ):
            for entry in entries:
                request = _package(entry, base, locator, found)
                if request and request.key not in {p.key for p in packages}:
                    packages.append(request)

    files: list[FileRequest] = []
    for entries, base, locator in (
        (config.files, config.root, site_origin),
        (page.meta.get("files", ()), folder, page_origin),
    ):
        for entry in entries:
            wanted = _file(entry, base, locator, found)
            if wanted:
                files = [f for f in files if f.target != wanted.target] + [wanted]

    imports: dict[str, frozenset[str]] = {}
    origins: dict[str, Origin] = {}
    for cell in page.cells:
        lines = cell.code.splitlines()
        found_here = list(cell_imports(cell.code))
        imports[cell.id] = frozenset(module for module, _, _ in found_here)
        for module, line, col in found_here:
            origins.setdefault(
                module,
                Origin(
                    path=page.shown_path,
                    line=cell.line + line,
                    col=col,
                    source_line=source_line(lines, line),
                ),
            )
    needs = PageNeeds(
        packages=tuple(packages), imports=imports, import_origins=origins, files=tuple(files)
    )
    return needs, found


def _package(
    entry: object, base: Path, locator: _Locator, found: list[Diagnostic]
) -> PackageRequest | None:
    origin = locator.at("packages", entry)
    if not isinstance(entry, str) or not entry.strip():
        found.append(
            origin.error(
                f"a package must be text, not {type(entry).__name__}",
                'write a name ("humanize"), a requirement ("attrs>=23"), a wheel '
                '("./dist/x-1.0-py3-none-any.whl") or a project folder ("./mylib")',
            )
        )
        return None
    text = entry.strip()
    if text.startswith((".", "/", "~")) or text.endswith(".whl"):
        path = _existing(
            base / Path(text).expanduser(),
            text,
            origin,
            found,
            f"local packages are wheels or project folders, relative to {locator.relative_to}",
        )
        if path is None:
            return None
        if path.is_dir() and not any(
            (path / name).is_file() for name in ("pyproject.toml", "setup.py")
        ):
            found.append(
                origin.error(
                    f"{text} is not a Python project (it has no pyproject.toml or setup.py)",
                    "list a project folder, a .whl file, or a package name",
                )
            )
            return None
        return PackageRequest(text=text, origin=origin, local=path)
    # Imported here: packaging costs a one-page site a tenth of its build, and most pages ask for
    # no package.
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        found.append(
            origin.error(
                f"invalid package requirement '{text}'",
                'write a name with an optional version, e.g. "attrs>=23" or "humanize==4.9"',
            )
        )
        return None
    if requirement.url:
        found.append(
            origin.error(
                f"'{text}' points at a URL",
                "download the wheel into the site's folder and list its path instead",
            )
        )
        return None
    return PackageRequest(text=text, origin=origin, requirement=requirement)


def _file(
    entry: object, base: Path, locator: _Locator, found: list[Diagnostic]
) -> FileRequest | None:
    origin = locator.at("files", entry)
    if not isinstance(entry, str) or not entry.strip():
        found.append(origin.error(f"a file must be text, not {type(entry).__name__}"))
        return None
    text = entry.strip()
    path = _existing(
        base / text, text, origin, found, f"files: paths are relative to {locator.relative_to}"
    )
    if path is None:
        return None
    # Inside the declaring folder the path stays as written ("data/scores.csv"); from elsewhere
    # ("../shared/scores.csv") the cells find the file or folder under its own name.
    try:
        target = PurePosixPath(path.relative_to(base.resolve()).as_posix())
    except ValueError:
        target = PurePosixPath(path.name)
    return FileRequest(source=path, target=target, origin=origin)


def _existing(
    path: Path, text: str, origin: Origin, found: list[Diagnostic], hint: str
) -> Path | None:
    path = path.resolve()
    if path.exists():
        return path
    found.append(origin.error(f"no such file or folder: {text}", hint))
    return None


@dataclass(frozen=True)
class _Locator:
    path: str
    lines: Sequence[str]
    key_lines: Mapping[str, int]
    relative_to: str  # what paths written here are relative to, for hints

    def at(self, key: str, item: object = None) -> Origin:
        """The line and column of ``item`` in the list that ``key`` sets."""
        start = self.key_lines.get(key)
        if start is None:
            return Origin(path=self.path)
        line, col = start, 1
        if isinstance(item, str):
            stop = start + 200
            if after := locate(self.lines, _NEXT_KEY, start=(start + 1, 1), stop=stop):
                stop = after[0] - 1
            if found := locate(
                self.lines, lambda text, _: _find(text, item), start=(start, 1), stop=stop
            ):
                line, col = found
        return Origin(path=self.path, line=line, col=col, source_line=source_line(self.lines, line))


# The line after a list that ends it: neither indented, quoted, a list item nor a comment.
_NEXT_KEY = re.compile(r"^(?![ \t\"'])\s*[^\s#-]")


def _find(line: str, item: str) -> int:
    """Where ``item`` is in the line, after the key's colon, quoted or not; -1 if it is not."""
    for quoted in (f'"{item}"', f"'{item}'", item):
        index = line.find(quoted, line.find(":") + 1 if ":" in line else 0)
        if index >= 0:
            return index
    return -1
