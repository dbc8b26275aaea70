"""What a page's cells import, checked against what the page's interpreter can provide."""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath

from pypage.errors import Diagnostic, source_line
from pypage.interpreters import INTERPRETERS
from pypage.markdown.page import Page

# help('modules') of the MicroPython 1.27.0 WebAssembly build pinned in runtime/ (PyScript variant).
# Built-in modules also answer to a "u" prefix (ujson, utime).
MICROPYTHON_MODULES = frozenset(
    """
    __main__ _asyncio abc array asyncio base64 binascii builtins cmath collections copy datetime
    deflate errno fnmatch framebuf functools gc gzip hashlib heapq hmac html inspect io itertools
    js jsffi json locale logging math micropython operator os pathlib platform random re select
    stat string struct sys tarfile time types uctypes unittest uu vfs zlib
    """.split()  # noqa: SIM905 - read as the listing it was copied from
)

# Modules pypage's runtime puts on every interpreter's path (runtime/python/).
RUNTIME_MODULES = frozenset({"pypage"})

_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def cell_imports(code: str) -> Iterator[tuple[str, int, int]]:
    """(top-level module, line, column) of every absolute import the code must have.

    Imports guarded by ``try: … except ImportError:`` are optional and left out; code that does not
    parse yields nothing (the browser will show the author the SyntaxError).
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return
    yield from _visit(tree.body)


def _visit(body: list[ast.stmt]) -> Iterator[tuple[str, int, int]]:
    for node in body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno, node.col_offset + 1
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno, node.col_offset + 1
        elif isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
            yield from _visit(node.orelse + node.finalbody)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    yield from _visit([c for c in children if isinstance(c, ast.stmt)])
            if isinstance(node, ast.Try):
                for handler in node.handlers:
                    yield from _visit(handler.body)


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(n, ast.Name) and n.id in _IMPORT_ERRORS for n in names)


def micropython_has(module: str) -> bool:
    return (
        module in MICROPYTHON_MODULES
        or module in RUNTIME_MODULES
        or (module.startswith("u") and module[1:] in MICROPYTHON_MODULES)
    )


# An interpreter that cannot install packages has only its own modules: the test of them, by
# interpreter (the others get what cells import from their distribution, see packages/).
FIXED_MODULES: dict[str, Callable[[str], bool]] = {"micropython": micropython_has}


def file_modules(entries: Iterable[object]) -> frozenset[str]:
    """Modules that ``files:`` entries put where cells import from: a ``.py`` file or a folder (a
    package) at the top of their working directory. The entries are as written; one outside the
    page's folder lands under its own name (see packages/needs.py)."""
    names = set()
    for entry in entries:
        if not isinstance(entry, str) or not entry.strip():
            continue
        path = PurePosixPath(entry.strip())
        if ".." in path.parts:
            path = PurePosixPath(path.name)
        if len(path.parts) == 1 and path.suffix in ("", ".py", ".mpy"):
            names.add(path.stem)
    return frozenset(names)


def check_imports(
    page: Page, interpreter: str, files: frozenset[str] = frozenset()
) -> list[Diagnostic]:
    """``files``: modules the page's data files provide (see file_modules)."""
    if INTERPRETERS[interpreter].installs_packages:
        return []
    has, title = FIXED_MODULES[interpreter], INTERPRETERS[interpreter].title
    found = []
    for cell in page.cells:
        lines = cell.code.splitlines()
        for module, line, col in cell_imports(cell.code):
            if has(module) or module in files:
                continue
            if module in sys.stdlib_module_names:
                hint = (
                    f"'{module}' is in CPython's standard library: switch the page to Pyodide "
                    "with 'interpreter: pyodide' in its front matter"
                )
            else:
                hint = f"{title} pages can import only {title}'s own modules"
            found.append(
                Diagnostic(
                    path=page.shown_path,
                    line=cell.line + line,
                    col=col,
                    source_line=source_line(lines, line),
                    message=f"{title} has no module '{module}'",
                    hint=hint,
                )
            )
    return found
