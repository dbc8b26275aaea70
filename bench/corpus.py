"""The shared corpus generator (../shared/bench/make_corpus.py) as a function for the benchmarks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "bench" / "make_corpus.py"


def make_site(dest: Path, *, pages: int, sections: int = 20) -> Path:
    """A deterministic site of ``pages`` pages with ``python run`` cells, written to ``dest``."""
    if not CORPUS.is_file():
        sys.exit(f"corpus generator not found at {CORPUS}")
    subprocess.run(
        [
            sys.executable,
            str(CORPUS),
            str(dest),
            "--pages",
            str(pages),
            "--sections",
            str(sections),
            "--flavor",
            "pypage",
        ],
        check=True,
        capture_output=True,
    )
    return dest
