"""Every error and warning an author can cause, as the exact text they will read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pypage.errors import PypageError
from pypage.site.build import build
from tests.sites import write

pytestmark = pytest.mark.unit


def errors_of(site: Path, *, out: Path | None = None, strict: bool = False) -> str:
    with pytest.raises(PypageError) as caught:
        build(site, out, strict=strict)
    return str(caught.value)


@pytest.fixture
def a_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return Path("site")


FENCE = "```"


def test_unknown_cell_option(a_site: Path) -> None:
    write(
        a_site,
        {
            "index.md": "# Home\n",
            "opt.md": f"# Options\n\nSome text.\n\nMore.\n\n{FENCE}python run autorn\nx\n{FENCE}\n",
        },
    )
    assert errors_of(a_site) == (
        "site/opt.md:7:1: error: unknown cell option 'autorn' (did you mean 'autorun'?)\n"
        "    7 | ```python run autorn\n"
        "  hint: cell options are: autorun, hidden, id=NAME, raises=EXCEPTION, readonly,"
        " skip-check, timeout=SECONDS"
    )


@pytest.mark.parametrize(
    ("info", "message", "hint"),
    [
        ("id", "cell option 'id' needs a value", "write id=VALUE"),
        ("autorun=yes", "cell option 'autorun' takes no value", "write just 'autorun'"),
        (
            "id=9lives",
            "invalid cell id '9lives'",
            "an id starts with a letter and has only letters, digits, '-' and '_'",
        ),
        (
            "timeout=0",
            "invalid timeout '0'",
            "write a number of seconds, more than 0 and at most a week, e.g. timeout=5",
        ),
        (
            "timeout=5s",
            "invalid timeout '5s'",
            "write a number of seconds, more than 0 and at most a week, e.g. timeout=5",
        ),
        ("readonly=yes", "cell option 'readonly' takes no value", "write just 'readonly'"),
    ],
)
def test_bad_option_values(a_site: Path, info: str, message: str, hint: str) -> None:
    write(a_site, {"index.md": f"{FENCE}python run {info}\nx\n{FENCE}\n"})
    assert errors_of(a_site) == (
        f"site/index.md:1:1: error: {message}\n    1 | ```python run {info}\n  hint: {hint}"
    )


def test_duplicate_cell_id(a_site: Path) -> None:
    cell = f"{FENCE}python run id=same\nx\n{FENCE}\n"
    write(a_site, {"index.md": cell + "\n" + cell})
    assert errors_of(a_site) == (
        "site/index.md:5:1: error: duplicate cell id 'same'\n"
        "    5 | ```python run id=same\n"
        "  hint: cell ids must be unique"
    )


def test_indented_fence_reports_its_column(a_site: Path) -> None:
    write(a_site, {"index.md": f"- item\n\n  {FENCE}python run hiden\n  x\n  {FENCE}\n"})
    assert errors_of(a_site).splitlines()[0] == (
        "site/index.md:3:3: error: unknown cell option 'hiden' (did you mean 'hidden'?)"
    )


def test_bad_yaml_front_matter(a_site: Path) -> None:
    write(a_site, {"index.md": "---\ntitle: [unclosed\n---\n# Hi\n"})
    assert errors_of(a_site) == (
        "site/index.md:2:17: error: invalid YAML front matter: "
        "expected ',' or ']', but got '<stream end>'\n"
        "    2 | title: [unclosed\n"
        "  hint: front matter is YAML between two '---' lines, e.g. 'title: My page'"
    )


def test_front_matter_must_be_a_mapping(a_site: Path) -> None:
    write(a_site, {"index.md": "---\n- a\n- b\n---\n"})
    assert errors_of(a_site) == (
        "site/index.md:2:1: error: front matter must be a mapping of keys to values, not list\n"
        "    2 | - a\n"
        "  hint: write 'key: value' lines, e.g. 'title: My page'"
    )


def test_front_matter_value_of_the_wrong_type(a_site: Path) -> None:
    write(a_site, {"index.md": "---\ntitle: Hi\norder: first\n---\n"})
    assert errors_of(a_site) == (
        "site/index.md:3:1: error: 'order' must be a number, not str\n"
        "    3 | order: first\n"
        "  hint: 'order' is a number that sorts the page in the navigation"
    )


def test_bad_toml(a_site: Path) -> None:
    write(a_site, {"pypage.toml": "title = My notes\n", "index.md": "# Hi\n"})
    assert errors_of(a_site) == (
        "site/pypage.toml:1:9: error: invalid TOML: invalid value\n"
        "    1 | title = My notes\n"
        '  hint: values need quotes, e.g. title = "My notes"'
    )


def test_unknown_config_key(a_site: Path) -> None:
    write(a_site, {"pypage.toml": 'title = "x"\ntheem = "dark"\n', "index.md": "# Hi\n"})
    assert errors_of(a_site) == (
        "site/pypage.toml:2:1: error: unknown setting 'theem' (did you mean 'theme'?)\n"
        '    2 | theem = "dark"\n'
        "  hint: settings are title, description, interpreter, output, theme, strict, packages, "
        "files, pyodide_distribution, pyodide_lock, cross_origin_isolation, timeout, search, "
        "snapshot, navigation, nav"
    )


def test_config_value_of_the_wrong_type(a_site: Path) -> None:
    write(a_site, {"pypage.toml": "strict = 1\n", "index.md": "# Hi\n"})
    assert errors_of(a_site) == (
        "site/pypage.toml:1:1: error: 'strict' must be a bool, not int\n"
        "    1 | strict = 1\n"
        "  hint: 'strict' is true or false: whether warnings fail the build"
    )


def test_unknown_interpreter(a_site: Path) -> None:
    write(a_site, {"pypage.toml": 'interpreter = "pyodid"\n', "index.md": "# Hi\n"})
    assert errors_of(a_site) == (
        "site/pypage.toml:1:1: error: unknown interpreter 'pyodid' (did you mean 'pyodide'?)\n"
        '    1 | interpreter = "pyodid"\n'
        "  hint: interpreters are pyodide, micropython"
    )


def test_every_error_of_a_build_is_reported(a_site: Path) -> None:
    write(
        a_site,
        {
            "a.md": f"{FENCE}python run hiden\nx\n{FENCE}\n",
            "b/c.md": "---\ntitle: [\n---\n",
        },
    )
    lines = [line for line in errors_of(a_site).splitlines() if "error:" in line]
    assert [line.split(": error:")[0] for line in lines] == ["site/a.md:1:1", "site/b/c.md:2:9"]


def test_warnings_do_not_fail_the_build_unless_strict(a_site: Path) -> None:
    write(a_site, {"index.md": "See [a](missing.md).\n\n```python\nnever closed\n"})
    report = build(a_site)
    assert [w.format() for w in report.warnings] == [
        "site/index.md:1:9: warning: link to a missing file 'missing.md'\n"
        "    1 | See [a](missing.md).\n"
        "  hint: no missing.md in the site",
        "site/index.md:3:1: warning: unclosed code fence: it swallows the rest of the page\n"
        "    3 | ```python\n"
        "  hint: close it with a line of ```",
    ]
    assert errors_of(a_site, strict=True).splitlines()[0] == (
        "site/index.md:1:9: error: link to a missing file 'missing.md'"
    )


def test_unknown_front_matter_key_is_a_warning(a_site: Path) -> None:
    write(a_site, {"index.md": "---\ntitel: Hi\n---\n"})
    assert [w.format() for w in build(a_site).warnings] == [
        "site/index.md:2:1: warning: unknown front matter key 'titel' (did you mean 'title'?)\n"
        "    2 | titel: Hi\n"
        "  hint: keys are title, description, order, interpreter, layout, packages, files"
    ]


def test_cli_prints_errors_without_traceback_and_exits_1(a_site: Path) -> None:
    write(a_site, {"index.md": f"{FENCE}python run autorn\nx\n{FENCE}\n"})
    result = subprocess.run(
        [sys.executable, "-m", "pypage", "build", str(a_site)],
        capture_output=True,
        text=True,
        env={"NO_COLOR": "1", "PATH": ""},
    )
    assert result.returncode == 1
    assert result.stderr == (
        "site/index.md:1:1: error: unknown cell option 'autorn' (did you mean 'autorun'?)\n"
        "    1 | ```python run autorn\n"
        "  hint: cell options are: autorun, hidden, id=NAME, raises=EXCEPTION, readonly,"
        " skip-check, timeout=SECONDS\n"
    )
    assert not (a_site / "_site").exists()


def test_unknown_interpreter_in_front_matter(a_site: Path) -> None:
    write(a_site, {"index.md": "---\ninterpreter: micropyton\n---\n"})
    assert errors_of(a_site) == (
        "site/index.md:2:1: error: unknown interpreter 'micropyton' (did you mean 'micropython'?)\n"
        "    2 | interpreter: micropyton\n"
        "  hint: interpreters are pyodide, micropython"
    )


def test_micropython_page_importing_what_only_pyodide_has(a_site: Path) -> None:
    write(
        a_site,
        {
            "index.md": "---\ninterpreter: micropython\n---\n\n"
            f"{FENCE}python run\nimport json, ujson\nif True:\n    import statistics\n{FENCE}\n\n"
            f"{FENCE}python run\nfrom numpy.linalg import norm\n{FENCE}\n"
        },
    )
    assert errors_of(a_site) == (
        "site/index.md:8:5: error: MicroPython has no module 'statistics'\n"
        "    8 |     import statistics\n"
        "  hint: 'statistics' is in CPython's standard library: switch the page to Pyodide "
        "with 'interpreter: pyodide' in its front matter\n"
        "site/index.md:12:1: error: MicroPython has no module 'numpy'\n"
        "   12 | from numpy.linalg import norm\n"
        "  hint: MicroPython pages can import only MicroPython's own modules"
    )


def test_optional_imports_are_not_required_on_micropython(a_site: Path) -> None:
    write(
        a_site,
        {
            "pypage.toml": 'interpreter = "micropython"\n',
            "index.md": f"{FENCE}python run\ntry:\n    import typing\nexcept ImportError:\n"
            f"    typing = None\n{FENCE}\n",
        },
    )
    assert build(a_site).warnings == ()


def test_micropython_pages_import_the_modules_their_files_bring(a_site: Path) -> None:
    write(
        a_site,
        {
            "pypage.toml": 'interpreter = "micropython"\nfiles = ["../shared/marking.py"]\n',
            "../shared/marking.py": "PASS = 10\n",
            "index.md": "# Home\n",
            "unit/index.md": "---\nfiles: [grading.py, tools/]\n---\n\n"
            f"{FENCE}python run\nimport grading, marking, tools\n{FENCE}\n",
            "unit/grading.py": "PASS = 10\n",
            "unit/tools/__init__.py": "",
        },
    )
    assert build(a_site).warnings == ()
    write(a_site, {"unit/index.md": f"{FENCE}python run\nimport grading\n{FENCE}\n"})
    assert "MicroPython has no module 'grading'" in errors_of(a_site)  # not declared: not there


def test_output_block_options_and_placement(a_site: Path) -> None:
    write(
        a_site,
        {
            "index.md": f"{FENCE}output\nstray\n{FENCE}\n\n"
            f"{FENCE}python run\nprint(1)\n{FENCE}\n{FENCE}output normalise\n1\n{FENCE}\n"
        },
    )
    assert errors_of(a_site) == (
        "site/index.md:1:1: warning: an output block must follow a python run cell\n"
        "    1 | ```output\n"
        "  hint: put it right after the cell it belongs to\n"
        "site/index.md:8:1: error: unknown output option 'normalise' "
        "(did you mean 'normalize-whitespace'?)\n"
        "    8 | ```output normalise\n"
        "  hint: output options are: normalize-whitespace"
    )


def test_raises_needs_an_exception_name(a_site: Path) -> None:
    write(a_site, {"index.md": f"{FENCE}python run raises=Value-Error\nx\n{FENCE}\n"})
    assert errors_of(a_site).splitlines()[0] == (
        "site/index.md:1:1: error: invalid exception name 'Value-Error'"
    )


@pytest.mark.parametrize(
    ("files", "first_line"),
    [
        ({}, "error: no such folder: site"),
        (
            {"pypage.toml": 'theme = "mine"\n', "index.md": "x\n"},
            "site/pypage.toml:1:1: error: theme folder 'mine' not found",
        ),
        (
            {"pypage.toml": 'interpreter = "cpython"\n', "index.md": "x\n"},
            "site/pypage.toml:1:1: error: unknown interpreter 'cpython' (did you mean 'pyodide'?)",
        ),
        (
            {"pypage.toml": "timeout = -1\n", "index.md": "x\n"},
            "site/pypage.toml:1:1: error: 'timeout' must be more than 0 seconds and at most a week,"
            " not -1.0",
        ),
        (
            {"pypage.toml": 'timeout = "5"\n', "index.md": "x\n"},
            "site/pypage.toml:1:1: error: 'timeout' must be a float, not str",
        ),
    ],
)
def test_site_level_mistakes(a_site: Path, files: dict[str, str], first_line: str) -> None:
    write(a_site, files)
    assert errors_of(a_site).splitlines()[0] == first_line


def test_a_file_is_not_a_site(a_site: Path) -> None:
    write(a_site, {"index.md": "# x\n"})
    assert errors_of(a_site / "index.md").splitlines()[0] == "error: site/index.md is not a folder"


def test_a_broken_theme_template_is_located(a_site: Path) -> None:
    write(
        a_site,
        {
            "pypage.toml": 'theme = "mine"\n',
            "mine/page.html": "<p>\n{{ broken\n",
            "index.md": "x\n",
        },
    )
    message = errors_of(a_site).splitlines()[0]
    assert message.startswith(f"{(a_site / 'mine' / 'page.html').resolve()}:")
    assert "error: theme template error:" in message


def test_an_unwritable_output_is_an_error(a_site: Path, tmp_path: Path) -> None:
    write(a_site, {"index.md": "x\n"})
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert errors_of(a_site, out=blocker / "out").startswith("error: could not write the site")


def test_empty_site_and_unclosed_front_matter_warn(a_site: Path) -> None:
    write(a_site, {"data.csv": "a,b\n"})
    assert [w.message for w in build(a_site).warnings] == ["no Markdown pages in the site"]
    write(a_site, {"index.md": "---\ntitle: X\n# H\n"})
    assert [w.format() for w in build(a_site).warnings] == [
        "site/index.md:1:1: warning: front matter is not closed: it shows as text\n"
        "    1 | ---\n"
        "  hint: end the front matter with a line of ---"
    ]


def test_byte_order_mark_and_numeric_titles(a_site: Path) -> None:
    write(a_site, {"index.md": "\ufeff---\ntitle: 1984\n---\n# Body\n"})
    (page,) = build(a_site).pages
    assert page.title == "1984"


def test_almost_cells_are_pointed_out(a_site: Path) -> None:
    write(
        a_site,
        {"index.md": f"{FENCE}Python run\nx\n{FENCE}\n\n{FENCE}python run,autorun\nx\n{FENCE}\n"},
    )
    assert [w.format().splitlines()[0] for w in build(a_site).warnings] == [
        "site/index.md:1:1: warning: 'Python run' is not a cell, only highlighted code",
        "site/index.md:5:1: warning: 'python run,autorun' is not a cell, only highlighted code",
    ]


def test_each_missing_link_is_located_at_its_own_column(a_site: Path) -> None:
    write(a_site, {"index.md": "[a](sub/) [b](sub/) [c](gone.md)\n"})
    assert [(w.line, w.col) for w in build(a_site).warnings] == [(1, 5), (1, 15), (1, 25)]
