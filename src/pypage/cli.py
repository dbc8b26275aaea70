"""The command line: options in, one call, an exit code out. Implementations load lazily so that
``pypage --help`` is instant."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from pypage import __version__
from pypage.errors import PypageError


def run() -> None:
    """The ``pypage`` command: ``main``, then an exit that skips tearing down every object one
    by one (tenths of a second after a large build: longer than rebuilding an unchanged site)."""
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _configure_logging(args.verbose, args.quiet)
    try:
        return int(args.command(args) or 0)
    except PypageError as exc:
        for diagnostic in exc.diagnostics:
            print(_colour(diagnostic.format(), diagnostic.severity), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _build(args: argparse.Namespace) -> int:
    if args.execute:
        from pypage.browser.execute import build_executed

        build_executed(
            args.site,
            args.output,
            strict=args.strict,
            offline=args.offline,
            browser=args.browser,
            jobs=args.jobs,
            timeout=args.timeout,
        )
        return 0
    from pypage.site.build import build

    build(args.site, args.output, strict=args.strict, offline=args.offline)
    return 0


def _check(args: argparse.Namespace) -> int:
    from pypage.browser.check import check

    report = check(
        args.site,
        browser=args.browser,
        jobs=args.jobs,
        timeout=args.timeout,
        junit=args.junit,
        shard=args.shard,
    )
    for failure in report.failures:
        print(_colour(failure.format(), "error"), file=sys.stderr)
    logging.getLogger("pypage").info(report.summary())
    return 1 if report.failures else 0


def _serve(args: argparse.Namespace) -> int:
    from pypage.serve.server import serve

    serve(args.site, args.output, host=args.host, port=args.port, open_browser=args.open)
    return 0


def _new(args: argparse.Namespace) -> int:
    from pypage.scaffold import new_site

    new_site(args.directory, title=args.title, template=args.template)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pypage",
        description="Static sites from Markdown whose Python cells run in the reader's browser.",
    )
    parser.add_argument("--version", action="version", version=f"pypage {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="store_true", help="say more")
    common.add_argument("-q", "--quiet", action="store_true", help="only errors and warnings")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    build = commands.add_parser("build", parents=[common], help="build the site into a folder")
    build.add_argument("site", nargs="?", type=Path, default=Path("."), help="site folder (.)")
    build.add_argument("-o", "--output", type=Path, help="output folder (SITE/_site)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument(
        "--offline", action="store_true", help="never download; fail if the cache lacks a file"
    )
    build.add_argument(
        "--execute",
        action="store_true",
        help="run the cells in headless Chromium and put their output in the pages",
    )
    _browser_options(build)
    build.set_defaults(command=_build)

    check = commands.add_parser(
        "check", parents=[common], help="run every cell in headless Chromium; fail on errors"
    )
    check.add_argument("site", nargs="?", type=Path, default=Path("."), help="site folder (.)")
    check.add_argument("--junit", type=Path, metavar="FILE", help="also write a JUnit XML report")
    check.add_argument(
        "--shard",
        type=_shard,
        metavar="K/N",
        help="check only the K-th of N equal parts of the pages (a CI matrix: 1/3, 2/3, 3/3)",
    )
    _browser_options(check)
    check.set_defaults(command=_check)

    serve = commands.add_parser("serve", parents=[common], help="build and serve the site")
    serve.add_argument("site", nargs="?", type=Path, default=Path("."), help="site folder (.)")
    serve.add_argument("-o", "--output", type=Path, help="output folder (SITE/_site)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    serve.add_argument("-p", "--port", type=int, default=8000, help="port (8000; 0 picks one)")
    serve.add_argument("--open", action="store_true", help="open the site in a browser")
    serve.set_defaults(command=_serve)

    new = commands.add_parser("new", parents=[common], help="start a new site in a folder")
    new.add_argument("directory", type=Path, help="folder to create")
    new.add_argument("--title", help="site title (from the folder name)")
    new.add_argument(
        "--template",
        choices=("page", "slides"),
        default="page",
        help="start with a page of notes (page) or a slide deck (slides)",
    )
    new.set_defaults(command=_new)
    return parser


def _browser_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--browser", metavar="PATH", help="Chromium to use (found on PATH)")
    parser.add_argument(
        "-j", "--jobs", type=int, default=2, metavar="N", help="pages checked at once (2)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="a cell running longer fails (60)",
    )


def _shard(text: str) -> tuple[int, int]:
    k, slash, n = text.partition("/")
    if slash and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n):
        return int(k), int(n)
    raise argparse.ArgumentTypeError(
        f"{text!r} is not K/N with 1 <= K <= N: write e.g. --shard 2/4 for the second of four parts"
    )


class _PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _colour(record.getMessage(), record.levelname.lower())


def _configure_logging(verbose: bool, quiet: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PlainFormatter())
    logger = logging.getLogger("pypage")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    logger.propagate = False


_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m"}


def _colour(text: str, severity: str) -> str:
    if os.environ.get("NO_COLOR") or not sys.stderr.isatty() or severity not in _COLOURS:
        return text
    head, _, rest = text.partition("\n")
    return f"{_COLOURS[severity]}{head}\033[0m" + (f"\n{rest}" if rest else "")
