"""Runs a page's cells inside the browser's Python (loaded by the worker, not by pypage itself).

All cells of a page share one namespace, like a notebook. Output streams to the page as it is
written, into the cell whose code wrote it (also from asyncio tasks that finish after the cell);
the value of a final expression is shown like the REPL does (rich objects richly, see pypage.py);
a traceback shows the author's frames only, with the cell's own line numbers.
"""

import ast
import builtins
import contextvars
import importlib
import inspect
import io
import linecache
import os
import shutil
import sys
import time
import traceback

import pypage

namespace = {"__name__": "__main__", "__builtins__": builtins}

CELL_PREFIX = "<cell "

# The cell whose code is running, as (page, cell id). asyncio tasks and callbacks copy it when they
# are created, so their output goes to the cell that started them even after it has finished; not
# once the reader went on to another page (in-site navigation keeps the interpreter), whose cells
# may have the same ids.
_running_cell = contextvars.ContextVar("pypage_cell", default=None)
_last_cell = [None]  # for code without that context (callbacks from JavaScript)
_page = [0]  # the page shown, counted by new_page


def current_cell():
    running = _running_cell.get()
    if running is None:
        return _last_cell[0]
    page, cell_id = running
    return cell_id if page == _page[0] else None  # the worker drops output of no cell


_output = None  # output(kind, text, cell id), from the worker
_flush = None  # pushes buffered output to the page now


class CellStream(io.TextIOBase):
    """sys.stdout / sys.stderr: text goes unchanged to the cell that wrote it."""

    def __init__(self, name):
        self.name = name

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
            _output(self.name, text, current_cell())
        return len(text)

    def flush(self):
        _flush()


def input(prompt=""):
    """The prompt goes to the cell's output; the reader answers in a text field right after it.

    ``_read_line`` (from the worker) blocks until then and returns "=" + the answer, "!" when the
    reader pressed Stop, or "?" + why the page cannot ask.
    """
    if prompt != "":
        sys.stdout.write(str(prompt))  # the worker sends it to the page before it blocks
    reply = str(_read_line(str(prompt)))
    if reply.startswith("="):
        return reply[1:]
    if reply.startswith("!"):
        raise KeyboardInterrupt
    raise EOFError(reply[1:])


input.__doc__ = builtins.input.__doc__
_read_line = None


def install(output, flush, read_line, wait=None):
    """Called once by the worker: route the interpreter's output to the page, and input() to it.
    ``wait(seconds)`` (pages that can interrupt Python) sleeps until Stop, and says if it came."""
    global _output, _flush, _read_line
    _output, _flush, _read_line = output, flush, read_line
    pypage._output = output
    pypage._current_cell = current_cell
    sys.stdout = CellStream("stdout")
    sys.stderr = CellStream("stderr")
    # An empty, non-interactive stdin: help() and other readers of sys.stdin work as in a pipe.
    sys.stdin = io.StringIO()
    builtins.input = input
    # matplotlib draws with Agg and shows figures in the cell (pypage_matplotlib.py).
    os.environ.setdefault("MPLBACKEND", "module://pypage_matplotlib")
    _start.update(
        cwd=os.getcwd(), entries=set(os.listdir()), path=list(sys.path), modules=set(sys.modules)
    )
    sleep = time.sleep

    def flushing_sleep(seconds):
        flush()  # output printed just before a blocking sleep must reach the page before it
        if wait is None or not _plain_duration(seconds):
            return sleep(seconds)  # and its errors, for a negative or odd argument
        if wait(seconds):
            raise KeyboardInterrupt

    flushing_sleep.__doc__ = sleep.__doc__
    time.sleep = flushing_sleep


def _plain_duration(seconds):
    """A number of seconds time.sleep accepts and a JavaScript timer can wait for."""
    return isinstance(seconds, (int, float)) and 0 <= seconds < 1e9


# What the first page started with: working directory and its entries, sys.path, modules.
_start = {}


def new_page():
    """Another page of the site is shown (in-site navigation): its cells start as on a page just
    loaded, except that the modules of packages stay imported, which is what makes the switch fast.
    Gone are the namespace, the tasks the cells started, the files the last page wrote (its data
    files among them) and the modules imported from them: the next page's may differ."""
    _page[0] += 1
    _last_cell[0] = None
    asyncio = sys.modules.get("asyncio")
    if asyncio is not None:
        for task in asyncio.all_tasks(asyncio.get_event_loop()):
            task.cancel()
    namespace.clear()
    namespace.update(__name__="__main__", __builtins__=builtins)
    for filename in [name for name in linecache.cache if name.startswith(CELL_PREFIX)]:
        del linecache.cache[filename]
    home = _start["cwd"]
    os.chdir(home)
    sys.path.clear()
    sys.path.extend(_start["path"])
    for name in set(os.listdir()) - _start["entries"]:
        if os.path.isdir(name) and not os.path.islink(name):
            shutil.rmtree(name, ignore_errors=True)
        else:
            os.remove(name)
    for name, module in list(sys.modules.items()):
        local = (getattr(module, "__file__", None) or "").startswith(home + "/")
        if local and name not in _start["modules"]:
            del sys.modules[name]
    importlib.invalidate_caches()


def cell_filename(cell_id):
    return f"{CELL_PREFIX}{cell_id}>"


async def run(code, cell_id):
    """Run one cell. Returns True on success, False when the cell raised (its traceback was sent
    as "error" output)."""
    filename = cell_filename(cell_id)
    # linecache lets tracebacks quote the author's source lines.
    linecache.cache[filename] = (len(code), None, code.splitlines(keepends=True), filename)
    token = _running_cell.set((_page[0], cell_id))
    _last_cell[0] = cell_id
    try:
        await _execute(code, filename)
        return True
    except SystemExit as error:
        # sys.exit() ends the cell; only a failure status is an error, shown without frames.
        if error.code in (None, 0):
            return True
        _output("error", f"SystemExit: {error.code}\n", cell_id)
        return False
    except BaseException as error:  # KeyboardInterrupt too
        _output("error", format_exception(error), cell_id)
        return False
    finally:
        _show_open_figures()
        _running_cell.reset(token)


async def _execute(code, filename):
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
        show(value)


def show(value):
    """A final expression's value: richly if it offers more than repr, else as its repr."""
    data, _ = pypage.bundle(value)
    if pypage.is_rich(data):
        pypage.display(value)
    else:
        _output("result", data["text/plain"], current_cell())


def _show_open_figures():
    backend = sys.modules.get("pypage_matplotlib")
    if backend is not None:
        try:
            backend.flush_figures()
        except Exception as error:  # a figure that cannot draw must say why
            _output("error", format_exception(error), current_cell())


def format_exception(error):
    """The traceback from the first frame of a cell on: the runner's own frames are noise."""
    tb = error.__traceback__
    while tb is not None and not tb.tb_frame.f_code.co_filename.startswith(CELL_PREFIX):
        tb = tb.tb_next
    # Nor do the runner's frames at the end (input() raising KeyboardInterrupt on Stop).
    last_own = None
    frame = tb
    while frame is not None:
        if frame.tb_frame.f_code.co_filename != __file__:
            last_own = frame
        frame = frame.tb_next
    if last_own is not None:
        last_own.tb_next = None
    return "".join(traceback.format_exception(type(error), error, tb))
