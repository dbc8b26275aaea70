"""Runs a page's cells on MicroPython (loaded by the worker, not by pypage itself).

MicroPython has no ast, traceback or linecache, so the same behaviour as on CPython is built from
what it has: the last expression is found line by line and checked with compile(); tracebacks come
from sys.print_exception, keep the author's frames only, and quote the cell's source lines.
"""

import io
import sys
import time

namespace = {"__name__": "__main__"}
sources = {}  # cell filename -> its lines, to quote them in tracebacks

CELL_PREFIX = "<cell "


def run(code, cell_id, send, flush):
    """Run one cell; ``send(kind, text)`` delivers output. Returns False if the cell raised."""
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
                send("result", repr(value))
        return True
    except BaseException as error:  # SystemExit and KeyboardInterrupt too
        send("error", format_exception(error))
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
    try:
        compile(last, "<last>", "eval")
        compile(body, "<body>", "exec")
    except SyntaxError:
        return code, None, 0
    return body, last, start


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
        if not in_cells:
            continue  # the runner's own frames
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
    return "\n".join(out).rstrip("\n") + "\n"


def install_sleep_flush(flush):
    """Output printed just before a blocking sleep must reach the page before it."""
    for name in ("sleep", "sleep_ms", "sleep_us"):
        original = getattr(time, name, None)
        if original is not None:
            setattr(time, name, _flushing(original, flush))


def _flushing(sleep, flush):
    def flushing_sleep(duration):
        flush()
        sleep(duration)

    return flushing_sleep
