"""A deterministic site of N Markdown pages for the benchmarks, written into a folder.

    .venv/bin/python bench/corpus.py FOLDER -n 1000 [--flavor pypage|plain]

Each page reads like documentation: front matter (title, order), an H1, a few H2/H3 sections of
paragraphs with emphasis, inline code and links to other pages, a bullet and an ordered list, a
table and fenced Python. In the "pypage" flavor some fences are ``python run`` cells, a few with
the ``output`` block they must print (so ``pypage check`` has something to compare); "plain"
keeps every fence a plain ``python`` block, for tools that do not run code.

Page k is drawn from a generator seeded with k alone, so its text is the same whatever N is (only
which pages its links point at depends on N): a 5000-page corpus costs five times a 1000-page one.
The cells use builtins only, and run alike on Pyodide and MicroPython.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import posixpath
import random
import sys
from pathlib import Path, PurePosixPath

FLAVORS = ("pypage", "plain")
PER_CHAPTER = 25  # pages per folder, as a docs site groups them


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NOUNS = _words(
    "buffer cache channel cluster codec column config cursor dataset decoder digest driver engine "
    "event filter frame graph handler index journal kernel layer ledger loader manifest matrix "
    "module monitor parser payload pipeline plugin probe queue record registry renderer replica "
    "request router sampler schema scheduler segment session signal snapshot socket stream "
    "table tenant thread token tracker vector widget worker"
)
VERBS = _words(
    "builds caches checks collects compares decodes emits expands filters flushes groups indexes "
    "loads merges opens parses reads renders resolves samples sorts splits stores tracks writes"
)
ADJECTIVES = _words(
    "atomic bounded cached cold compact default durable eager empty fixed lazy local nested "
    "ordered partial pending plain primary private remote shared sorted stable static strict warm"
)


def page_path(index: int) -> PurePosixPath:
    """Where page ``index`` (0-based) lives in the corpus, relative to its folder."""
    return PurePosixPath(f"chapter-{index // PER_CHAPTER + 1:03d}", f"page-{index + 1:05d}.md")


def make_corpus(folder: Path, pages: int, *, flavor: str = "pypage") -> None:
    """Write a home page and ``pages`` pages into ``folder`` (created; it must be empty)."""
    if flavor not in FLAVORS:
        raise ValueError(f"unknown flavor {flavor!r}: choose one of {', '.join(FLAVORS)}")
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} is not empty")
    titles = [_title(random.Random(index)) for index in range(pages)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.md").write_text(_home(titles), encoding="utf-8")
    for index in range(pages):
        path = folder / page_path(index)
        path.parent.mkdir(exist_ok=True)
        path.write_text(_page(index, titles, run_cells=flavor == "pypage"), encoding="utf-8")


def _title(rng: random.Random) -> str:
    first, second = rng.sample(NOUNS, 2)
    return f"The {rng.choice(ADJECTIVES)} {first} {second}"


def _home(titles: list[str]) -> str:
    lines = ["---", "title: Benchmark corpus", "---", "", "# Benchmark corpus", ""]
    for chapter in range(0, len(titles), PER_CHAPTER):
        lines += [f"## Chapter {chapter // PER_CHAPTER + 1}", ""]
        lines += [
            f"- [{titles[i]}]({page_path(i)})"
            for i in range(chapter, min(chapter + PER_CHAPTER, len(titles)))
        ]
        lines.append("")
    return "\n".join(lines)


def _page(index: int, titles: list[str], *, run_cells: bool) -> str:
    rng = random.Random(index)
    title = _title(rng)
    here = page_path(index)

    def link() -> str:
        target = rng.randrange(len(titles))
        href = posixpath.relpath(str(page_path(target)), str(here.parent))
        return f"[{titles[target].lower()}]({href})"

    def sentence() -> str:
        words = [rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS)]
        words += [rng.choice(("the", "each", "every", "a")), rng.choice(NOUNS)]
        extra = rng.random()
        if extra < 0.25:
            words.append(f"with `{rng.choice(NOUNS)}.{rng.choice(VERBS)[:-1]}()`")
        elif extra < 0.45:
            words.append(f"*before* the {rng.choice(NOUNS)}")
        elif extra < 0.6:
            words.append(f"as {link()} explains")
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraph() -> str:
        return " ".join(sentence() for _ in range(rng.randint(3, 6)))

    parts = [f"---\ntitle: {title}\norder: {index + 1}\n---", f"# {title}", paragraph()]
    sections = rng.randint(3, 4)
    fences = rng.sample(range(sections), 2)  # the sections that show code
    for section in range(sections):
        parts += [f"## {rng.choice(VERBS).capitalize()} the {rng.choice(NOUNS)}", paragraph()]
        if section == 0:
            parts.append("\n".join(f"- {sentence()}" for _ in range(rng.randint(3, 5))))
        if section == 1:
            parts.append("\n".join(f"{n}. {sentence()}" for n in range(1, rng.randint(3, 5) + 1)))
        if section == 2:
            parts.append(_table(rng))
        if section in fences:
            parts += [f"### An example: {rng.choice(NOUNS)}s", paragraph()]
            parts += _code(rng, run=run_cells and section == fences[0], check=section % 2 == 0)
        parts.append(paragraph())
    parts.append(f"Next: {link()}.")
    return "\n\n".join(parts) + "\n"


def _table(rng: random.Random) -> str:
    rows = ["| name | kind | size |", "|---|---|---:|"]
    for _ in range(rng.randint(3, 5)):
        rows.append(f"| `{rng.choice(NOUNS)}` | {rng.choice(ADJECTIVES)} | {rng.randint(1, 999)} |")
    return "\n".join(rows)


def _code(rng: random.Random, *, run: bool, check: bool) -> list[str]:
    """A fence of Python; as a ``run`` cell, with the output it prints when ``check``."""
    items = rng.sample(NOUNS, rng.randint(3, 6))
    sizes = [rng.randint(1, 99) for _ in items]
    name = rng.choice(NOUNS)
    code = rng.choice(
        (
            # Lists, not a dict: a dict's order is not the same on MicroPython.
            f"names = {items!r}\n"
            f"sizes = {sizes!r}\n"
            f"largest = max(range(len(sizes)), key=lambda i: sizes[i])\n"
            f'print("largest:", names[largest], sizes[largest])\n'
            f'print("total:", sum(sizes))\n',
            f"def {name}_weight(word):\n"
            f"    return sum(ord(letter) for letter in word) % 97\n\n"
            f"for word in {sorted(items)!r}:\n"
            f"    print(word, {name}_weight(word))\n",
            f"class {name.capitalize()}Queue:\n"
            f"    def __init__(self):\n"
            f"        self.items = []\n\n"
            f"    def push(self, item):\n"
            f"        self.items.append(item)\n"
            f"        return len(self.items)\n\n"
            f"queue = {name.capitalize()}Queue()\n"
            f"for item in {items!r}:\n"
            f"    queue.push(item.upper())\n"
            f'print(" -> ".join(queue.items))\n',
            f"numbers = {sizes!r}\n"
            f"evens = [n for n in numbers if n % 2 == 0]\n"
            f'print("sorted:", sorted(numbers))\n'
            f'print("evens:", len(evens), "of", len(numbers))\n',
        )
    )
    if not run:
        return [f"```python\n{code}```"]
    fence = [f"```python run\n{code}```"]
    if check:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(code, {})  # the generator's own code: what the cell prints, in any Python
        fence.append(f"```output\n{printed.getvalue()}```")
    return fence


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="where to write the corpus (empty or new)")
    parser.add_argument("-n", "--pages", type=int, default=1000, help="pages (1000)")
    parser.add_argument("--flavor", choices=FLAVORS, default="pypage")
    args = parser.parse_args()
    try:
        make_corpus(args.folder, args.pages, flavor=args.flavor)
    except ValueError as error:
        sys.exit(f"corpus: {error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
