"""End-to-end fixtures: real Chromium, a site built by the real ``pypage build``, served over HTTP
under a sub-path (as GitHub Pages serves a project site), outside network blocked, and any console
error fails the test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Route, sync_playwright

from pypage import interpreters
from pypage.browser.chromium import CHROMIUM_ARGS
from pypage.interpreters import DEFAULT_INTERPRETER
from pypage.site.build import build
from pypage.site.host import serving

SUB_PATH = "repo"
SITE = Path(__file__).parent / "site"


def site_store(kind: str) -> str:
    """The Cache Storage name of one of a served site's stores (runtime/storage.js)."""
    return f"pypage-{kind} /{SUB_PATH}/"


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed: apt-get install -y chromium")
    return path


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


INTERPRETERS = list(interpreters.INTERPRETERS)  # the tests that apply to each run on every one


@dataclass
class Served:
    """A folder served on loopback; sites sit under /repo/ like a GitHub Pages project site."""

    root: Path
    base: str
    out: Path
    interpreter: str = DEFAULT_INTERPRETER

    def url(self, page: str = "index.html") -> str:
        return f"{self.base}{SUB_PATH}/{page}"


def with_interpreter(site: Path, interpreter: str, copy_to: Path) -> Path:
    """A copy of ``site`` whose pypage.toml makes ``interpreter`` the default."""
    shutil.copytree(site, copy_to)
    config = copy_to / "pypage.toml"
    text = config.read_text() if config.exists() else ""
    config.write_text(f'{text}\ninterpreter = "{interpreter}"\n')
    return copy_to


def serve_site(
    site: Path, root: Path, *, isolate: bool = False, interpreter: str = DEFAULT_INTERPRETER
) -> Iterator[Served]:
    out = build(site, root / SUB_PATH).out
    with serving(root, isolate=isolate) as base:
        yield Served(root=root, base=base, out=out, interpreter=interpreter)


def serve_on(
    site: Path,
    interpreter: str,
    tmp_path_factory: pytest.TempPathFactory,
    *,
    isolate: bool = False,
) -> Iterator[Served]:
    """A copy of ``site`` with ``interpreter`` as its default, built and served (see serve_site)."""
    work = tmp_path_factory.mktemp(f"{site.name}-{interpreter}")
    source = with_interpreter(site, interpreter, work / "source")
    yield from serve_site(source, work / "root", isolate=isolate, interpreter=interpreter)


@pytest.fixture(scope="session", params=INTERPRETERS)
def a_site(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Served]:
    """The fixture site on each interpreter, served without special headers like a static host."""
    yield from serve_on(SITE, request.param, tmp_path_factory)


@dataclass
class Traffic:
    requests: list[str] = field(default_factory=list)  # made by the page and its workers
    # Made by the site's service worker: on a first visit it fetches what the page loaded before it
    # took control (from the HTTP cache, which Playwright's routing disables in tests).
    service_worker_requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def _is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("127.0.0.1", "localhost", "::1") or url.startswith(("data:", "blob:"))


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def page(browser: Browser, traffic: Traffic, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context()

    def guard(route: Route) -> None:
        url = route.request.url
        if _is_loopback(url):
            route.continue_()
        else:
            traffic.blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    context.on(
        "request",
        lambda r: (
            traffic.service_worker_requests if r.service_worker else traffic.requests
        ).append(r.url),
    )
    page = context.new_page()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            # "Failed to load resource" names no resource in its text; the location does.
            where = message.location.get("url")
            traffic.console_errors.append(f"{message.text} ({where})" if where else message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: traffic.console_errors.append(str(error)))
    yield page
    context.close()
    if not request.node.get_closest_marker("allow_console_errors"):
        assert traffic.console_errors == [], "console errors on the page"
    assert traffic.blocked == [], "the page tried to reach another host"
