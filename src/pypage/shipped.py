"""What pypage ships besides its Python code: the files of ``themes/`` and ``runtime/`` that a
source checkout serves and a wheel carries as package data.

Declared once, here, and read by the wheel's build hook (hatch_build.py), the loader bundle, theme
loading and the package tests. The build hook loads this file by its path, before pypage is
installed: it must import nothing from pypage or its dependencies. Explicit globs, never a whole
folder, so node_modules, caches or editor files cannot leak into a site or a release."""

from __future__ import annotations

from pathlib import Path

# Where a wheel carries them: a folder of the pypage package (resources.data_path looks there).
DATA_FOLDER = "_data"
# The folder of DATA_FOLDER where a wheel carries the npm tarballs runtime/package-lock.json pins
# (hatch_build.py adds them; packages/npm.py reads them), so that no build needs npm or a network.
NPM_FOLDER = "npm"
# The folder of DATA_FOLDER where a wheel carries library files minified when it was made
# (hatch_build.py adds them; packages/minify.py reads them).
MINIFIED_FOLDER = "minified"

# A theme's static/ files that reach the site, by suffix (an author's theme's too).
THEME_STATIC_SUFFIXES = frozenset({".css", ".js", ".svg", ".png", ".ico", ".woff2"})

# The loader's own files in runtime/, copied into every site with cells (site/loader.py).
RUNTIME_LOADER_GLOBS = ("*.js", "*.css", "interpreters/*.js", "python/*.py")

# Everything that ships, relative to the top of a checkout (in a wheel, to pypage/_data/).
SHIPPED_GLOBS = (
    "themes/*/*.html",
    *(f"themes/*/static/**/*{suffix}" for suffix in sorted(THEME_STATIC_SUFFIXES)),
    *(f"runtime/{pattern}" for pattern in RUNTIME_LOADER_GLOBS),
    "runtime/sw/*.js",  # the site's service worker (site/serviceworker.py)
    "runtime/dev/*.js",  # pypage serve's live reload (serve/server.py)
    "runtime/package.json",  # the npm packages pypage pins (packages/npm.py)
    "runtime/package-lock.json",
)


def shipped_files(root: Path) -> list[str]:
    """The shipped files under ``root`` (a checkout, or a wheel's data folder), as sorted POSIX
    paths relative to it."""
    found = {
        path.relative_to(root).as_posix()
        for pattern in SHIPPED_GLOBS
        for path in root.glob(pattern)
        if path.is_file()
    }
    return sorted(found)
