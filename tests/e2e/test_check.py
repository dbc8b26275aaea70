"""`pypage check` and `pypage build --execute` against real Chromium and both interpreters."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Browser

from pypage.browser.check import check
from pypage.browser.execute import build_executed
from pypage.site.host import serving

from ..sites import write

pytestmark = pytest.mark.e2e

F = "```"


CHECKED_PAGE = f"""# Checked

{F}python run id=ok
print(1 + 1)
{F}

{F}output
2
{F}

{F}python run id=wrong
print("three")
{F}

{F}output
3
{F}

{F}python run id=loose
print("a   b")
{F}

{F}output normalize-whitespace
a b
{F}

{F}python run id=fails
def f():
    raise ValueError("boom")

f()
{F}

{F}python run id=meant raises=ZeroDivisionError
1 / 0
{F}

{F}python run id=other raises=KeyError
int("x")
{F}

{F}python run id=clean raises=KeyError
pass
{F}

{F}python run id=skipped skip-check
raise SystemExit("never run")
{F}
"""


@pytest.fixture(scope="module")
def a_checked_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write(
        tmp_path_factory.mktemp("checked") / "site",
        {
            "index.md": CHECKED_PAGE,
            "micro.md": "---\ninterpreter: micropython\n---\n\n"
            + f"{F}python run id=m-ok\nprint('mp')\n{F}\n\n{F}output\nmp\n{F}\n\n"
            + f"{F}python run id=m-fails\n[][1]\n{F}\n",
        },
    )


def test_check_reports_each_failure_at_its_line(a_checked_site: Path, tmp_path: Path) -> None:
    junit = tmp_path / "report.xml"
    report = check(a_checked_site, junit=junit, timeout=30)
    verdicts = {(r.page.source.rel.name, r.cell.id): r.status for r in report.results}
    assert verdicts == {
        ("index.md", "ok"): "passed",
        ("index.md", "wrong"): "failed",
        ("index.md", "loose"): "passed",
        ("index.md", "fails"): "failed",
        ("index.md", "meant"): "passed",
        ("index.md", "other"): "failed",
        ("index.md", "clean"): "failed",
        ("index.md", "skipped"): "skipped",
        ("micro.md", "m-ok"): "passed",
        ("micro.md", "m-fails"): "failed",
    }
    messages = [f.diagnostic().format().split("site/", 1)[1] for f in report.failures]
    assert sorted(messages) == sorted(
        [
            "index.md:11: error: cell 'wrong' printed something other than its expected output",
            "index.md:27: error: cell 'fails' raised ValueError: boom",
            "index.md:38: error: cell 'other' raised ValueError instead of KeyError",
            "index.md:42: error: cell 'clean' was expected to raise KeyError but finished "
            "without error",
            "micro.md:13: error: cell 'm-fails' raised IndexError: list index out of range",
        ]
    )
    wrong = next(f for f in report.failures if f.cell.id == "wrong")
    assert wrong.detail == "--- expected\n+++ printed\n@@ -1 +1 @@\n-3\n+three\n"
    fails = next(f for f in report.failures if f.cell.id == "fails")
    assert '  File "<cell fails>", line 4, in <module>' in fails.detail

    suite = ElementTree.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("10", "5", "1")
    failed = [c.get("name") for c in suite if c.find("failure") is not None]
    assert "fails (line 27)" in failed


def test_the_cli_exits_1_with_the_located_message(tmp_path: Path) -> None:
    site = write(tmp_path / "s", {"index.md": f"# x\n\n{F}python run id=bad\n1 / 0\n{F}\n"})
    result = subprocess.run(
        [sys.executable, "-m", "pypage", "check", str(site)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "checked s/index.md: 1 cells, 1 failed"  # plain progress line, not a TTY
    assert lines[1:3] == [
        "s/index.md:3: error: cell 'bad' raised ZeroDivisionError: division by zero",
        "    Traceback (most recent call last):",
    ]
    assert re.fullmatch(r"Checked 1 cell on 1 page in [0-9.]+ s: 0 passed, 1 failed", lines[-1])


def test_a_hanging_cell_is_stopped_and_reported(tmp_path: Path) -> None:
    site = write(
        tmp_path / "s",
        {
            "index.md": f"{F}python run id=spin\nwhile True:\n    pass\n{F}\n\n"
            f"{F}python run id=after\nprint(1)\n{F}\n"
        },
    )
    report = check(site, timeout=3)
    assert [(r.cell.id, r.status, r.message) for r in report.results] == [
        ("spin", "failed", "did not finish within 3 s"),
        ("after", "failed", "was not run: the earlier cell 'spin' stopped the page"),
    ]


PARALLEL_CELL = f"""{F}python run id=window
import time
start = time.time()
time.sleep(4)
print(start, time.time())
{F}
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_pages_are_checked_in_parallel_with_jobs(tmp_path: Path, jobs: int) -> None:
    site = write(tmp_path / "s", {"a.md": PARALLEL_CELL, "b.md": PARALLEL_CELL})
    report = check(site, jobs=jobs, timeout=30)
    windows = sorted(tuple(float(x) for x in r.chunks[0][1].split()) for r in report.results)
    overlap = windows[1][0] < windows[0][1]
    assert overlap == (jobs == 2)


@pytest.fixture(scope="module")
def an_executed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("executed")
    site = write(
        work / "site",
        {
            "index.md": f"# Executed\n\n{F}python run id=sq\nprint([n * n for n in range(4)])\n"
            f"{F}\n\n{F}python run id=err raises=KeyError\n{{}}['k']\n{F}\n\n"
            f"{F}python run id=pic\nfrom pypage import SVG\n"
            f'SVG(\'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>\','
            f" alt='a box')\n{F}\n"
        },
    )
    return build_executed(site, work / "out").out


def test_build_execute_puts_real_output_in_the_page(an_executed_site: Path) -> None:
    html = (an_executed_site / "index.html").read_text()
    assert (
        'data-prerendered="build"><span class="stdout" data-kind="stdout">[0, 1, 4, 9]\n</span>'
        in html
    )
    assert "KeyError: 'k'" in html  # as Chromium serializes the text the runtime drew
    picture = re.search(r'data-pypage-cell="pic".*?<img src="([^"]+)" alt="([^"]+)"', html, re.S)
    assert picture is not None
    assert picture[1].startswith("data:image/svg+xml;charset=utf-8,") and picture[2] == "a box"


def test_pre_rendered_output_shows_without_javascript_and_is_replaced_on_run(
    browser: Browser, an_executed_site: Path
) -> None:
    output = '[data-pypage-cell="sq"] [data-pypage-output]'
    with serving(an_executed_site, isolate=False) as base:
        no_js = browser.new_context(java_script_enabled=False)
        page = no_js.new_page()
        page.goto(base + "index.html")
        assert page.inner_text(output) == "[0, 1, 4, 9]\n"
        no_js.close()

        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "index.html")
        assert page.get_attribute(output, "data-prerendered") == "build"
        page.click('[data-pypage-cell="sq"] [data-pypage-run]')
        page.wait_for_function(
            "document.querySelector('[data-pypage-cell=\"sq\"]').dataset.state === 'done'",
            timeout=60_000,
        )
        assert page.get_attribute(output, "data-prerendered") is None
        assert page.eval_on_selector(output, "e => e.textContent") == "[0, 1, 4, 9]\n"
        context.close()


def test_an_unchanged_site_is_not_executed_again(an_executed_site: Path, tmp_path: Path) -> None:
    site = an_executed_site.parent / "site"
    # A browser that does not exist proves the outputs came from the cache.
    again = build_executed(site, tmp_path / "again", browser="/nonexistent/chromium")
    assert (again.out / "index.html").read_text() == (an_executed_site / "index.html").read_text()


def test_the_documentation_passes_its_own_check() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs"
    report = check(docs, jobs=2, timeout=60)
    assert [f.format() for f in report.failures] == []
    assert report.results and report.count("passed") > 0
    # Only the cells the docs mark skip-check (runaway loops shown on purpose) go unchecked.
    assert all(
        r.status == "passed" or (r.status == "skipped" and r.cell.skip_check)
        for r in report.results
    )


def test_a_page_that_reaches_for_another_host_fails(tmp_path: Path) -> None:
    site = write(
        tmp_path / "s",
        {
            "index.md": '<img src="https://example.org/logo.png" alt="">\n\n'
            f"{F}python run id=fine\nprint('ok')\n{F}\n"
        },
    )
    report = check(site, timeout=30)
    assert [(r.cell.id, r.status, r.message) for r in report.failures] == [
        (
            "fine",
            "failed",
            "ran on a page that requested another host: https://example.org/logo.png",
        )
    ]


def test_shards_check_every_page_exactly_once(tmp_path: Path) -> None:
    # Pages in folders and out of file-name order; MicroPython keeps three check runs quick.
    names = ["index.md", "b/intro.md", "a/z-last.md", "a/first.md", "c.md"]
    pages = {
        name: f"# {name}\n\n{F}python run\nprint({name!r})\n{F}\n\n{F}python run\nprint(2)\n{F}\n"
        for name in names
    }
    site = write(tmp_path / "s", {**pages, "pypage.toml": 'interpreter = "micropython"\n'})
    seen: list[str] = []
    for k in (1, 2, 3):
        report = check(site, shard=(k, 3), timeout=30)
        assert report.failures == []
        assert f"(shard {k} of 3)" in report.summary()
        checked = {str(r.page.source.rel) for r in report.results}
        assert report.pages == len(checked) and len(report.results) == 2 * len(checked)
        seen.extend(checked)
    assert sorted(seen) == sorted(names)


def test_pages_whose_names_need_escaping_are_reached_in_place(tmp_path: Path) -> None:
    # One tab goes from page to page as a reader does; the address it arrives at is escaped.
    cell = f"{F}python run\nprint('here')\n{F}\n"
    site = write(
        tmp_path / "s",
        {"index.md": cell, "week 2.md": cell, "pypage.toml": 'interpreter = "micropython"\n'},
    )
    report = check(site, jobs=1, timeout=30)
    assert report.failures == []
    assert sorted(str(r.page.source.rel) for r in report.results) == ["index.md", "week 2.md"]
