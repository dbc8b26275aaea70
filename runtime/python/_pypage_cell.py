"""Runs a page's cells inside the browser's Python (loaded by the worker, not by pypage itself).

All cells of a page share one namespace, like a notebook. Output streams to the page as it is
written; the value of a final expression is shown like the REPL does; a traceback shows the
author's frames only, with the cell's own line numbers.
"""

import ast
import builtins
import inspect
import io
import linecache
import sys
import time
import traceback

namespace = {"__name__": "__main__", "__builtins__": builtins}

CELL_PREFIX = "<cell "
NO_INPUT = "pypage cells cannot read input() yet: set the value in the code instead"


def no_input(prompt=""):
    """Without this, input() raises a bare OSError (Pyodide has no terminal to read)."""
    sys.stdout.write(str(prompt))
    sys.stdout.write("\n")
    raise EOFError(NO_INPUT)


builtins.input = no_input
# An empty, non-interactive stdin: help() and other readers of sys.stdin work as in a pipe.
sys.stdin = io.StringIO()


class CellStream(io.TextIOBase):
    """sys.stdout / sys.stderr while a cell runs: text goes to the page unchanged."""

    def __init__(self, name, send, flush):
        self.name = name
        self._send = send
        self._flush = flush

    @property
    def encoding(self):
        return "utf-8"

    def writable(self):
        return True

    def isatty(self):
        return False

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            self._send(self.name, text)
        return len(text)

    def flush(self):
        self._flush()


def cell_filename(cell_id):
    return f"{CELL_PREFIX}{cell_id}>"


async def run(code, cell_id, send, flush):
    """Run one cell; ``send(kind, text)`` delivers output, ``flush()`` pushes it to the page now.

    Returns True on success, False when the cell raised (its traceback was sent as "error").
    """
    filename = cell_filename(cell_id)
    # linecache lets tracebacks quote the author's source lines.
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    saved = sys.stdout, sys.stderr
    sys.stdout = CellStream("stdout", send, flush)
    sys.stderr = CellStream("stderr", send, flush)
    try:
        await _execute(code, filename, send)
        return True
    except SystemExit as error:
        # sys.exit() ends the cell; only a failure status is an error, shown without frames.
        if error.code in (None, 0):
            return True
        send("error", f"SystemExit: {error.code}\n")
        return False
    except BaseException as error:
        sys.stdout.flush()
        send("error", format_exception(error))
        return False
    finally:
        sys.stdout, sys.stderr = saved


async def _execute(code, filename, send):
    tree = ast.parse(code, filename, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    body = compile(tree, filename, "exec", flags=flags)
    result = eval(body, namespace)
    if body.co_flags & inspect.CO_COROUTINE:
        await result
    if last is None:
        return
    expression = compile(last, filename, "eval", flags=flags)
    value = eval(expression, namespace)
    # Only a top-level ``await`` is awaited: a coroutine object the author did not await is shown.
    if expression.co_flags & inspect.CO_COROUTINE:
        value = await value
    if value is not None:
        namespace["_"] = value
        send("result", repr(value))


def format_exception(error):
    """The traceback from the first frame of a cell on: the runner's own frames are noise."""
    tb = error.__traceback__
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith(CELL_PREFIX):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def install_sleep_flush(flush):
    """Output printed just before a blocking ``time.sleep`` must reach the page before it."""
    sleep = time.sleep

    def flushing_sleep(seconds):
        flush()
        sleep(seconds)

    flushing_sleep.__doc__ = sleep.__doc__
    time.sleep = flushing_sleep
