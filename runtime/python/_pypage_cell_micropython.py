"""Runs a page's cells on MicroPython (loaded by the worker, not by pypage itself).

MicroPython has no ast, traceback or linecache, so the same behaviour as on CPython is built from
what it has: the last expression is found line by line and checked with compile(); tracebacks come
from sys.print_exception, keep the author's frames only, and quote the cell's source lines.
"""

import io
import os
import sys
import time

import pypage

CELL_PREFIX = "<cell "
_read_line = None  # from the worker: see _pypage_cell.input


def read_input(prompt=""):
    """input(): the prompt goes to the cell's output, the answer comes from a field after it."""
    if prompt != "":
        sys.stdout.write(str(prompt))  # the worker sends it to the page before it blocks
    reply = str(_read_line(str(prompt)))
    if reply.startswith("="):
        return reply[1:]
    if reply.startswith("!"):
        raise KeyboardInterrupt
    raise EOFError(reply[1:])


namespace = {"__name__": "__main__", "input": read_input}
sources = {}  # cell filename -> its lines, to quote them in tracebacks
_send = None  # output(kind, text, cell id), from the worker
_running = [None]  # the cell whose code is running (MicroPython has no contextvars)


def install(output, flush, read_line, wait=None):
    """Called once by the worker. print() reaches the page through the interpreter's stdout.
    ``wait(seconds)`` (pages that can interrupt Python) sleeps until Stop, and says if it came."""
    global _send, _read_line
    _send, _read_line = output, read_line
    pypage._output = output
    pypage._current_cell = lambda: _running[0]
    _start.update(
        cwd=os.getcwd(), entries=set(os.listdir()), path=list(sys.path), modules=set(sys.modules)
    )
    install_sleep(flush, wait)


# What the first page started with: working directory and its entries, sys.path, modules.
_start = {}


def new_page():
    """Another page of the site is shown: it starts as a page just loaded (see _pypage_cell), but
    for the built-in modules, which stay imported."""
    namespace.clear()
    namespace.update({"__name__": "__main__", "input": read_input})
    sources.clear()
    home = _start["cwd"]
    os.chdir(home)
    sys.path.clear()
    sys.path.extend(_start["path"])
    for name in os.listdir():
        if name not in _start["entries"]:
            _remove(name)
    prefix = home.rstrip("/") + "/"
    for name in list(sys.modules):
        local = (getattr(sys.modules[name], "__file__", None) or "").startswith(prefix)
        if local and name not in _start["modules"]:
            del sys.modules[name]


def _remove(path):
    if os.stat(path)[0] & 0x4000:  # a directory (MicroPython has no os.path)
        for name in os.listdir(path):
            _remove(path + "/" + name)
        os.rmdir(path)
    else:
        os.remove(path)


def run(code, cell_id):
    """Run one cell. Returns False if the cell raised (its traceback was sent as "error")."""
    _running[0] = cell_id
    send = _send
    filename = CELL_PREFIX + cell_id + ">"
    sources[filename] = code.split("\n")
    body, last, offset = split_last_expression(code)
    try:
        exec(compile(body, filename, "exec"), namespace)
        if last is not None:
            # The expression is compiled on its own, so its line numbers start at 1: the filename
            # carries the offset that format_exception adds back.
            value = eval(compile(last, filename[:-1] + "+" + str(offset) + ">", "eval"), namespace)
            if value is not None:
                namespace["_"] = value
                data, _ = pypage.bundle(value)
                if pypage.is_rich(data):
                    pypage.display(value)
                else:
                    send("result", data["text/plain"], cell_id)
        return True
    except SystemExit as error:
        code = error.args[0] if error.args else None
        if code in (None, 0):
            return True
        send("error", "SystemExit: " + str(code) + "\n", cell_id)
        return False
    except BaseException as error:  # KeyboardInterrupt too
        send("error", format_exception(error), cell_id)
        return False


def split_last_expression(code):
    """(body, last expression or None, line offset of the expression)."""
    lines = code.split("\n")
    end = len(lines)
    while end and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    start = end - 1
    while start > 0 and _continues(lines[start]):
        start -= 1
    if start < 0 or _continues(lines[start]):
        return code, None, 0
    if start and lines[start - 1].rstrip().endswith("\\"):
        return code, None, 0
    body = "\n".join(lines[:start])
    last = "\n".join(lines[start:end])
    if _compiles(last, "eval") and _compiles(body, "exec"):
        return body, last, start
    # "a = 1; a": the expression may follow a semicolon on the last line.
    if start == end - 1 and ";" in last:
        head, tail = last.rsplit(";", 1)
        body = "\n".join(lines[:start] + [head])  # noqa: RUF005 - MicroPython lacks [*a, b]
        if tail.strip() and _compiles(tail.strip(), "eval") and _compiles(body, "exec"):
            return body, tail.strip(), start
    return code, None, 0


def _compiles(source, mode):
    try:
        compile(source, "<check>", mode)
        return True
    except SyntaxError:
        return False


def _continues(line):
    """A line that cannot start a top-level statement."""
    return not line or line[0] in " \t#)]}"


def format_exception(error):
    buffer = io.StringIO()
    sys.print_exception(error, buffer)
    out = []
    in_cells = False
    for line in buffer.getvalue().split("\n"):
        if not line.startswith('  File "'):
            out.append(line)
            continue
        name = line.split('"')[1]
        in_cells = in_cells or name.startswith(CELL_PREFIX)
        if not in_cells or name.endswith("_pypage_cell_micropython.py"):
            continue  # the runner's own frames (also input()'s, after the cell's)
        rest = line.split('"', 2)[2]
        lineno = int(rest.split("line ")[1].split(",")[0]) if "line " in rest else 0
        if "+" in name and name.startswith(CELL_PREFIX):
            base, shift = name[:-1].rsplit("+", 1)
            name, lineno = base + ">", lineno + int(shift)
            tail = rest.split(",", 2)[2] if rest.count(",") >= 2 else ""
            line = '  File "' + name + '", line ' + str(lineno) + ("," + tail if tail else "")
        out.append(line)
        source = sources.get(name)
        if source and 0 < lineno <= len(source) and source[lineno - 1].strip():
            out.append("    " + source[lineno - 1].strip())
    while out and not out[-1]:
        out.pop()
    name = out[-1][:-2] if out and out[-1].endswith(": ") else ""
    if name and " " not in name and ":" not in name:
        out[-1] = name  # MicroPython's "KeyboardInterrupt: " for no message; CPython has no colon
    return "\n".join(_collapse_repeats(out)) + "\n"


def _collapse_repeats(lines):
    """Runaway recursion repeats one frame hundreds of times; say so once, as CPython does."""
    entries = []  # a frame is its "File" line plus the source line under it
    for line in lines:
        if line.startswith("    ") and entries and entries[-1][0].startswith('  File "'):
            entries[-1].append(line)
        else:
            entries.append([line])
    out = []
    i = 0
    while i < len(entries):
        j = i
        is_frame = entries[i][0].startswith('  File "')
        while is_frame and j + 1 < len(entries) and entries[j + 1] == entries[i]:
            j += 1
        times = j - i + 1
        for _ in range(min(times, 3)):
            out.extend(entries[i])
        if times > 3:
            out.append("  [Previous line repeated " + str(times - 3) + " more times]")
        i = j + 1
    return out


# time's sleep functions and their unit, in seconds.
SLEEPS = (("sleep", 1), ("sleep_ms", 0.001), ("sleep_us", 0.000001))


def install_sleep(flush, wait):
    """Output printed just before a blocking sleep must reach the page before it, and Stop ends
    the sleep (the worker cannot interrupt MicroPython from outside; it waits for Stop instead)."""
    for name, unit in SLEEPS:
        original = getattr(time, name, None)
        if original is not None:
            setattr(time, name, _flushing(original, flush, wait, unit))


def _flushing(sleep, flush, wait, unit):
    def flushing_sleep(duration):
        flush()
        if wait is None or not isinstance(duration, (int, float)) or not 0 <= duration < 1e9:
            return sleep(duration)  # and its errors, for a negative or odd argument
        if wait(duration * unit):
            raise KeyboardInterrupt

    return flushing_sleep
