"""The interpreters a page can run its cells on: the one table every other part reads (settings,
front matter, the loader bundle, what cells may import, the worker's adapter)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Interpreter:
    name: str  # as settings and front matter write it
    title: str  # as messages write it
    npm_package: str  # the npm package that provides it, pinned by runtime/package-lock.json
    files: tuple[str, ...]  # what the browser needs from that package, its ES module first
    adapter: str  # the worker's module for it, in runtime/
    installs_packages: bool  # whether packages: and imported distribution packages apply
    snapshots: bool  # whether pages start it from a memory snapshot (see pypage.toml's snapshot)

    @property
    def module(self) -> str:
        """The interpreter's own ES module, which its adapter imports."""
        return self.files[0]


INTERPRETERS: dict[str, Interpreter] = {
    interpreter.name: interpreter
    for interpreter in (
        Interpreter(
            name="pyodide",
            title="Pyodide",
            npm_package="pyodide",
            files=(
                "pyodide.mjs",
                "pyodide.asm.mjs",
                "pyodide.asm.wasm",
                "python_stdlib.zip",
                "pyodide-lock.json",
            ),
            adapter="interpreters/pyodide.js",
            installs_packages=True,
            snapshots=True,
        ),
        Interpreter(
            name="micropython",
            title="MicroPython",
            npm_package="@micropython/micropython-webassembly-pyscript",
            files=("micropython.mjs", "micropython.wasm"),
            adapter="interpreters/micropython.js",
            installs_packages=False,
            snapshots=False,  # it starts in a tenth of a second without one
        ),
    )
}
DEFAULT_INTERPRETER = "pyodide"
