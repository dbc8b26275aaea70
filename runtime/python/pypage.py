"""Rich output for pypage cells: figures, HTML, images, tables in the cell that made them.

    from pypage import display, HTML, SVG, Markdown, Image

``display(obj)`` shows ``obj`` by the IPython display protocol (``_repr_mimebundle_``,
``_repr_html_``, ``_repr_markdown_``, ``_repr_svg_``, ``_repr_png_``, ``_repr_jpeg_``,
``_repr_json_``): the richest representation wins and ``repr`` is the fallback. A cell's last
expression is shown by the same rules. ``display(..., clear=True)`` first clears the cell's
output, for animations and progress.

This module runs in the browser, on Pyodide and on MicroPython.
"""

import json
import sys

if sys.implementation.name == "micropython":
    # Not base64: importing it costs MicroPython several milliseconds of every page's start.
    from binascii import b2a_base64

    def _base64(data):
        return b2a_base64(data).decode("ascii").strip()

else:
    from base64 import b64encode as _b64encode

    def _base64(data):
        return _b64encode(data).decode("ascii")


# Set by pypage's cell runner: output(kind, text, cell id), and the id of the running cell.
_output = None


def _current_cell():
    return None


# Richest first; text/plain (repr) is always added.
RICH = (
    ("text/html", "_repr_html_"),
    ("text/markdown", "_repr_markdown_"),
    ("image/svg+xml", "_repr_svg_"),
    ("image/png", "_repr_png_"),
    ("image/jpeg", "_repr_jpeg_"),
    ("application/json", "_repr_json_"),
)


def bundle(obj):
    """(data, metadata): every representation ``obj`` offers, by MIME type."""
    data = {}
    metadata = {}
    if not isinstance(obj, type):  # a class's _repr_*_ are unbound functions, not its output
        method = getattr(obj, "_repr_mimebundle_", None)
        if callable(method):
            result = method(include=None, exclude=None)
            if isinstance(result, tuple):
                result, extra = result
                metadata.update(extra or {})
            data.update(result or {})
        for mime, name in RICH:
            method = getattr(obj, name, None)
            if mime in data or not callable(method):
                continue
            value = method()
            if value is None:
                continue
            if isinstance(value, tuple):
                value, extra = value
                metadata[mime] = extra or {}
            data[mime] = value
    if "text/plain" not in data:
        data["text/plain"] = repr(obj)
    for mime in ("image/png", "image/jpeg"):
        if isinstance(data.get(mime), (bytes, bytearray)):
            data[mime] = _base64(bytes(data[mime]))
    return data, metadata


def is_rich(data):
    return any(mime != "text/plain" for mime in data)


def display(*objs, clear=False):
    """Show each object in the output of the cell that is running (or that started this code)."""
    cell = _current_cell()
    if clear:
        _output("clear", "", cell)
    for obj in objs:
        data, metadata = bundle(obj)
        _output("display", _dumps({"data": data, "metadata": metadata}), cell)


def _dumps(value):
    try:
        return json.dumps(value)
    except TypeError:  # a _repr_json_ with values JSON cannot hold
        value["data"].pop("application/json", None)
        return json.dumps(value)


class HTML:
    """HTML to show as it is (scripts in it do not run: see the docs)."""

    def __init__(self, html):
        self.html = str(html)

    def _repr_html_(self):
        return self.html

    def __repr__(self):
        return "<pypage.HTML " + str(len(self.html)) + " characters>"


class SVG:
    """An SVG picture, given as markup."""

    def __init__(self, svg, *, alt=""):
        self.svg = svg.decode() if isinstance(svg, bytes) else str(svg)
        self.alt = alt

    def _repr_svg_(self):
        return self.svg, {"alt": self.alt}

    def __repr__(self):
        return "<pypage.SVG " + str(len(self.svg)) + " characters>"


class Markdown:
    """Markdown text, rendered like the page's own."""

    def __init__(self, text):
        self.text = str(text)

    def _repr_markdown_(self):
        return self.text

    def __repr__(self):
        return self.text


_SIGNATURES = ((b"\x89PNG", "png"), (b"\xff\xd8", "jpeg"), (b"<svg", "svg"), (b"<?xml", "svg"))


class Image:
    """A PNG, JPEG or SVG image from bytes or from a file in the browser's file system.

    ``width`` is the width to show it at in CSS pixels (a picture made at twice that width stays
    crisp on high-density screens); ``alt`` describes it for screen readers.
    """

    def __init__(self, data=None, *, path=None, alt="", width=None):
        if path is not None:
            with open(path, "rb") as file:
                data = file.read()
        if isinstance(data, str):
            data = data.encode()
        if not data:
            raise ValueError("Image needs data or a path")
        self.data = bytes(data)
        self.alt = alt
        self.width = width
        head = self.data[:64].lstrip()
        self.format = None
        for magic, name in _SIGNATURES:
            if head.startswith(magic):
                self.format = name
                break
        if self.format is None:
            raise ValueError("Image data is not PNG, JPEG or SVG")

    def _metadata(self):
        metadata = {"alt": self.alt}
        if self.width:
            metadata["width"] = self.width
        return metadata

    def _repr_mimebundle_(self, include=None, exclude=None):
        mime = "image/svg+xml" if self.format == "svg" else "image/" + self.format
        value = self.data.decode() if self.format == "svg" else _base64(self.data)
        return {mime: value}, {mime: self._metadata()}

    def __repr__(self):
        return "<pypage.Image " + self.format + ", " + str(len(self.data)) + " bytes>"


# matplotlib figures: "png" (drawn at twice their size, so they stay crisp) or "svg".
figure_format = "png"


def set_figure_format(name):
    """Show matplotlib figures as "png" (the default) or "svg"."""
    global figure_format
    if name not in ("png", "svg"):
        raise ValueError("figure format must be 'png' or 'svg'")
    figure_format = name
