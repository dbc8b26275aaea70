"""The loader bundle: pypage's browser runtime (runtime/: page, worker, adapters, Python runner,
editor) with the JavaScript libraries it imports, and each interpreter's files, copied into the
site under content-hashed paths."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from pypage.bundles import Content, SiteOutput
from pypage.interpreters import INTERPRETERS
from pypage.packages.minify import minified
from pypage.packages.npm import fetch_package, pinned
from pypage.resources import data_path
from pypage.shipped import RUNTIME_LOADER_GLOBS

# JavaScript libraries the loader imports: bundle path -> (npm package, file in the package).
VENDORED = {
    "vendor/marked.esm.js": ("marked", "lib/marked.esm.js"),
    "vendor/reveal.mjs": ("reveal.js", "dist/reveal.mjs"),
    "vendor/reveal-notes.mjs": ("reveal.js", "dist/plugin/notes.mjs"),
    "vendor/reveal.css": ("reveal.js", "dist/reveal.css"),
}

# CodeMirror 6, the cell editor: ES modules that import each other by npm package name, so the
# page maps those names to the files with an import map. package -> its module file. Published
# unminified: the site has them minified (packages/minify.py).
EDITOR_MODULES = {
    "@codemirror/autocomplete": "dist/index.js",
    "@codemirror/commands": "dist/index.js",
    "@codemirror/lang-python": "dist/index.js",
    "@codemirror/language": "dist/index.js",
    "@codemirror/state": "dist/index.js",
    "@codemirror/streamparser": "dist/index.js",
    "@codemirror/view": "dist/index.js",
    "@lezer/common": "dist/index.js",
    "@lezer/highlight": "dist/index.js",
    "@lezer/lr": "dist/index.js",
    "@lezer/python": "dist/index.js",
    "@marijn/find-cluster-break": "src/index.js",
    "crelt": "index.js",
    "style-mod": "src/style-mod.js",
    "w3c-keyname": "index.js",
}


def editor_module_path(specifier: str) -> str:
    """Where a CodeMirror module is in the loader's folder."""
    return f"vendor/codemirror/{specifier.lstrip('@').replace('/', '-')}.js"


@dataclass(frozen=True, kw_only=True)
class LoaderBundle:
    """Where the loader (pypage's runtime/ files and the libraries they import) and each
    interpreter's files sit in the site. "runtime" names only the folder in the repository."""

    loader: PurePosixPath  # site path of the loader's folder
    interpreters: dict[str, PurePosixPath]  # interpreter name -> site path of its folder


def bundle_loader(
    out: SiteOutput, interpreters: set[str], *, offline: bool = False
) -> LoaderBundle:
    folders = {}
    for name in sorted(interpreters):
        interpreter = INTERPRETERS[name]
        package = fetch_package(pinned(interpreter.npm_package), offline=offline)
        files = {file: package / file for file in interpreter.files}
        folders[name] = out.add_bundle(name, files)
    runtime = data_path("runtime")
    loader_files: dict[str, Content] = {
        path.relative_to(runtime).as_posix(): path
        for pattern in RUNTIME_LOADER_GLOBS
        for path in sorted(runtime.glob(pattern))
    }
    for target, (package_name, file) in VENDORED.items():
        loader_files[target] = fetch_package(pinned(package_name), offline=offline) / file
    for package_name, file in EDITOR_MODULES.items():
        module = minified(pinned(package_name), file, offline=offline)
        loader_files[editor_module_path(package_name)] = module
    return LoaderBundle(loader=out.add_bundle("runtime", loader_files), interpreters=folders)
