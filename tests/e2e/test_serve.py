"""`pypage serve`: live updates in place, error overlay, full reloads, and a safe server."""

from __future__ import annotations

import http.client
import shutil
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from pypage.resources import data_path
from pypage.serve.live import LiveSite
from pypage.serve.server import make_live_server, watch
from pypage.site.build import build
from pypage.site.host import running

from .harness import output_of, run_cell

pytestmark = pytest.mark.e2e

F = "```"
PAGE = f"""# Live

Original paragraph.

{F}python run id=define
x = 41
{F}

{F}python run id=use
print(x + 1)
{F}
"""


@dataclass
class Live:
    site: Path
    base: str

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.site / name
        path.write_text(path.read_text().replace(old, new))


@pytest.fixture
def a_live_site(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Live]:
    # A test's page must close before the server stops: a load still under way against a stopped
    # server (the reloaded page, the event stream) is a console error the page fixture reports.
    page = request.getfixturevalue("page") if "page" in request.fixturenames else None
    site = tmp_path / "site"
    theme = site / "_theme"
    theme.mkdir(parents=True)
    shutil.copy(data_path("themes") / "default" / "page.html", theme / "page.html")
    (site / "pypage.toml").write_text('theme = "_theme"\n')
    (site / "index.md").write_text(PAGE)
    (site / "other.md").write_text("# Other\n")
    live = LiveSite(site, tmp_path / "out")
    server, broadcaster = make_live_server(live, host="127.0.0.1", port=0)
    stop = threading.Event()
    threading.Thread(target=watch, args=(live, broadcaster, stop), daemon=True).start()
    with running(server) as base:
        try:
            yield Live(site=site, base=base)
        finally:
            if page is not None:
                page.context.close()
            stop.set()


def connected(page: Page) -> None:
    """Wait until the page's live-reload stream is open (edits before that would be missed)."""
    page.wait_for_selector("html[data-pypage-live=connected]", state="attached")
    page.wait_for_function("document.documentElement.dataset.pypage === 'ready'", timeout=60_000)


def test_an_edit_updates_the_page_in_place_and_keeps_python_state(
    page: Page, a_live_site: Live
) -> None:
    page.goto(a_live_site.base)
    connected(page)
    run_cell(page, "define")
    page.evaluate("window.notReloaded = true")
    a_live_site.edit("index.md", "Original paragraph.", "Edited paragraph.")
    page.wait_for_function("document.body.innerText.includes('Edited paragraph.')")
    assert page.evaluate("window.notReloaded") is True
    assert page.get_attribute("html", "data-pypage-updates") == "1"
    assert run_cell(page, "use") == "done"  # a new element, bound to the same interpreter
    assert output_of(page, "use") == "42\n"


def test_a_broken_edit_shows_an_overlay_until_it_is_fixed(page: Page, a_live_site: Live) -> None:
    page.goto(a_live_site.base)
    connected(page)
    a_live_site.edit("index.md", "# Live", "---\ntitle: [oops\n---\n# Live")
    overlay = page.wait_for_selector("[data-pypage-error-overlay]")
    assert "index.md:2:" in overlay.inner_text()
    assert "error: invalid YAML front matter" in overlay.inner_text()
    assert page.is_visible("text=Original paragraph.")  # the last good version stays
    a_live_site.edit("index.md", "title: [oops", "title: Fixed")
    page.wait_for_selector("[data-pypage-error-overlay]", state="detached")
    page.wait_for_function("document.title.startsWith('Fixed')")
    connected(page)  # the fix reloaded the page: let it load Python before the test ends


def test_a_template_edit_reloads_the_page(page: Page, a_live_site: Live) -> None:
    page.goto(a_live_site.base)
    connected(page)
    page.evaluate("window.notReloaded = true")
    a_live_site.edit("_theme/page.html", "<footer", '<p id="from-template">new</p><footer')
    page.wait_for_selector("#from-template")
    assert page.evaluate("window.notReloaded") is None
    connected(page)  # let the reloaded page load Python before the test ends


def test_a_title_change_updates_the_navigation_of_the_open_page(
    page: Page, a_live_site: Live
) -> None:
    page.goto(a_live_site.base)
    connected(page)
    a_live_site.edit("other.md", "# Other", "# Renamed")
    page.wait_for_selector(".site-nav >> text=Renamed")


def request(base: str, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request(method, path)  # sent exactly as written, no normalisation
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/%2E%2E%5C%2E%2E%5Cetc%5Cpasswd",
        "//etc/passwd",
        "/_pypage/",
        "/nonexistent.html",
    ],
)
def test_only_files_of_the_built_site_are_served(a_live_site: Live, path: str) -> None:
    status, headers, body = request(a_live_site.base, path)
    assert status == 404
    assert b"root:" not in body
    assert b"Page not found" in body
    assert headers["content-type"].startswith("text/html")


def test_headers_and_the_injected_script(a_live_site: Live) -> None:
    status, headers, body = request(a_live_site.base, "/index.html")
    assert status == 200
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert headers["cross-origin-embedder-policy"] == "require-corp"
    assert b'<script type="module" src="/__pypage__/livereload.js"></script></body>' in body
    wasm = next((a_live_site.site.parent / "out" / "_pypage").glob("pyodide-*/pyodide.asm.wasm"))
    status, headers, _ = request(a_live_site.base, "/" + str(wasm.relative_to(wasm.parents[2])))
    assert status == 200
    assert headers["content-type"] == "application/wasm"
    assert headers["cache-control"] == "public, max-age=31536000, immutable"


def test_the_reload_script_never_lands_in_a_build(a_live_site: Live, tmp_path: Path) -> None:
    out = build(a_live_site.site, tmp_path / "built").out
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js"):
            assert b"__pypage__" not in path.read_bytes(), path
    assert not list(out.rglob("livereload.js"))


def test_the_server_stays_up_under_many_concurrent_requests(a_live_site: Live) -> None:
    paths = ["/index.html", "/other.html", "/missing", "/../x"] * 100
    with ThreadPoolExecutor(max_workers=64) as pool:
        statuses = list(pool.map(lambda p: request(a_live_site.base, p)[0], paths))
    assert statuses.count(200) == 200 and statuses.count(404) == 200
    assert request(a_live_site.base, "/index.html")[0] == 200
