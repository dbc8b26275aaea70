"""``pypage build --execute``: run the cells in headless Chromium at build time and put their real
output in the pages, so readers see it before Python loads (and with JavaScript off). What goes in
a page is each output area's markup as the runtime drew it, so recorded and live output are drawn
by one renderer (runtime/output.js). Outputs are cached by a hash of each page's cells and runtime,
so an unchanged page is not run again."""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from pathlib import Path, PurePosixPath

from pypage.browser.check import run_site
from pypage.cache import cache_dir
from pypage.config import load_config
from pypage.errors import Diagnostic, PypageError
from pypage.markdown.page import Page
from pypage.site.build import BuildReport, build

log = logging.getLogger(__name__)

Outputs = dict[str, str]  # cell id -> its output area's markup


def build_executed(
    site: Path,
    out: Path | None = None,
    *,
    strict: bool = False,
    offline: bool = False,
    browser: str | None = None,
    jobs: int = 2,
    timeout: float = 60.0,
) -> BuildReport:
    config = load_config(site)
    with tempfile.TemporaryDirectory(prefix="pypage-execute-") as tmp:
        first = build(site, Path(tmp) / "site", strict=strict, offline=offline, announce=False)
        recorded: dict[PurePosixPath, Outputs] = {}
        to_run: list[Page] = []
        keys = {}
        for page in first.pages:
            if not page.cells:
                continue
            keys[page.source.rel] = key = _page_key(first.out, page, config.interpreter)
            cached = _load(key)
            if cached is None:
                to_run.append(page)
            else:
                recorded[page.source.rel] = cached
        log.info(
            "Executing %d page%s (%d unchanged, from the cache)",
            len(to_run),
            "" if len(to_run) == 1 else "s",
            len(recorded),
        )
        results = run_site(first.out, to_run, browser=browser, jobs=jobs, timeout=timeout)
    failures = [r for r in results if r.status == "failed"]
    for page in to_run:
        outputs = {r.cell.id: r.markup for r in results if r.page is page and r.markup}
        recorded[page.source.rel] = outputs
        if not any(r.page is page for r in failures):
            _store(keys[page.source.rel], outputs)  # only pages that ran cleanly are cached
    if failures:
        messages = "\n".join(f.format().replace(": error: ", ": warning: ", 1) for f in failures)
        if strict or config.strict:
            raise PypageError(Diagnostic(message="cells failed while executing:\n" + messages))
        log.warning(messages)
    return build(site, out, strict=strict, offline=offline, outputs=recorded)


def _page_key(out: Path, page: Page, default_interpreter: str) -> str:
    interpreter = page.interpreter(default_interpreter)
    # The bundles' content-hashed folder names identify the runtime and interpreter exactly.
    bundles = sorted(
        p.name for p in (out / "_pypage").glob("*") if p.name.startswith(("runtime-", interpreter))
    )
    cells = [[c.id, c.code, c.hidden, c.autorun, c.raises, c.skip_check] for c in page.cells]
    data = json.dumps([interpreter, bundles, cells], sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()


def _path(key: str) -> Path:
    return cache_dir() / "outputs" / f"{key}.json"


def _load(key: str) -> Outputs | None:
    try:
        data = json.loads(_path(key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return None  # written by an older pypage (chunks of text, not markup): run the page again
    return data


def _store(key: str, outputs: Outputs) -> None:
    path = _path(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(outputs), encoding="utf-8")
    tmp.replace(path)
