"""Output recorded in a browser at build time (``pypage build --execute``), as static HTML that
matches what the runtime draws: text as text, rich output as the runtime shows it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from html import escape
from urllib.parse import quote

from markdown_it import MarkdownIt

from pypage.resources import data_path

# Span classes of output kinds, as the runtime's output.js draws them.
TEXT_CLASSES = {"stdout": "stdout", "stderr": "stderr", "result": "result", "error": "traceback"}
_SANDBOX = "allow-same-origin allow-popups allow-popups-to-escape-sandbox"


def render_chunks(chunks: Sequence[tuple[str, str]]) -> str:
    html = []
    for kind, text in chunks:
        if kind == "clear":
            html.clear()
        elif kind == "display":
            html.append(_display(text))
        elif kind in TEXT_CLASSES:
            html.append(
                f'<span class="{TEXT_CLASSES[kind]}" data-kind="{kind}">{escape(text)}</span>'
            )
    return "".join(html)


def _display(text: str) -> str:
    try:
        bundle = json.loads(text)
        data = bundle.get("data", {})
        metadata = bundle.get("metadata", {})
    except (ValueError, AttributeError):
        return f'<span class="result" data-kind="result">{escape(text)}</span>'

    def meta(mime: str) -> dict[str, object]:
        value = metadata.get(mime, metadata)
        return value if isinstance(value, dict) else {}

    if isinstance(data.get("text/html"), str):
        inner = _frame(data["text/html"])
    elif isinstance(data.get("text/markdown"), str):
        inner = _frame(
            MarkdownIt("commonmark", {"html": True}).enable("table").render(data["text/markdown"])
        )
    elif isinstance(data.get("image/svg+xml"), str):
        inner = _image(
            "data:image/svg+xml;charset=utf-8," + quote(data["image/svg+xml"]),
            meta("image/svg+xml"),
        )
    elif isinstance(data.get("image/png"), str):
        inner = _image("data:image/png;base64," + data["image/png"], meta("image/png"))
    elif isinstance(data.get("image/jpeg"), str):
        inner = _image("data:image/jpeg;base64," + data["image/jpeg"], meta("image/jpeg"))
    elif "application/json" in data:
        inner = f'<pre class="json">{escape(json.dumps(data["application/json"], indent=2))}</pre>'
    else:
        inner = f'<span class="result">{escape(str(data.get("text/plain", "")))}\n</span>'
    return f'<div class="display" data-kind="display" data-bundle="{escape(text)}">{inner}</div>'


def _image(src: str, meta: dict[str, object]) -> str:
    alt = escape(str(meta.get("alt") or "Image output"))
    width = meta.get("width")
    size = f' width="{int(width)}"' if isinstance(width, (int, float)) else ""
    return f'<img src="{escape(src)}" alt="{alt}"{size} decoding="async">'


def _frame(html: str) -> str:
    # Scripts in author HTML never run (no allow-scripts), as in the runtime's frames.
    document = (
        '<!doctype html><meta charset="utf-8"><base target="_blank">'
        f"<style>{_frame_css()}</style>{html}"
    )
    return (
        f'<iframe class="pypage-html" title="HTML output" sandbox="{_SANDBOX}"'
        f' srcdoc="{escape(document)}"></iframe>'
    )


@cache
def _frame_css() -> str:
    return (data_path("runtime") / "frame.css").read_text(encoding="utf-8")
