"""Tidy the HTML mkdocs-jupyter makes for an exercise page.

mkdocs-jupyter's template pastes about 587 KB of JupyterLab CSS, a MathJax loader and
a Mermaid loader into every notebook page. The book styles notebook cells with one
shared stylesheet (docs/assets/stylesheets/notebook.css) and renders maths with its
own KaTeX, so those blocks are dropped here. Also:

- links and images written relative to the site root (``@book/…``, see
  notebooks.PAGE_ROOT) become relative to the page;
- each run of cells tagged ``solution`` is folded into one ``<details>`` block, so
  the reader opens a solution on purpose (the setup cell is folded the same way).
"""

from __future__ import annotations

import re

from . import BookError
from .notebooks import PAGE_ROOT

STYLE = re.compile(r"<style\b[^>]*>.*?</style>\s*", re.S)
COMMENT = re.compile(r"<!--.*?-->\s*", re.S)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.S)
DIV = re.compile(r"<div\b[^>]*>|</div>")
CELL_CLASS = re.compile(r'<div class="jp-Cell\b[^"]*"')


def polish(html: str, page_url: str, where: str) -> str:
    html = COMMENT.sub("", STYLE.sub("", html))
    html = SCRIPT.sub(lambda m: m.group(0) if "clipboard" in m.group(0) else "", html)
    prefix = "../" * page_url.count("/")
    html = re.sub(r'(href|src)="' + re.escape(PAGE_ROOT), rf'\1="{prefix}', html)
    if PAGE_ROOT in html:
        raise BookError(f"{where}: a link to {PAGE_ROOT}… was left unresolved")
    return fold_solutions(html)


def cells(html: str) -> list[tuple[int, int, str]]:
    """(start, end, opening tag) of each top-level notebook cell's <div>."""
    found, depth, start, tag, cell_depth = [], 0, None, "", -1
    for match in DIV.finditer(html):
        token = match.group(0)
        if token.startswith("</"):
            depth -= 1
            if start is not None and depth == cell_depth:
                found.append((start, match.end(), tag))
                start = None
        else:
            if start is None and CELL_CLASS.match(token):
                start, tag, cell_depth = match.start(), token, depth
            depth += 1
    return found


FOLDS = {  # cell tag -> (summary, Material's details colour)
    "solution": ("Solution", "success"),
    "setup": ("Setup: the first cell makes <code>import kernels</code> work", "note"),
}


def fold_solutions(html: str) -> str:
    """Wrap each run of cells tagged solution (or setup) in one <details>."""
    groups: list[tuple[str, int, int]] = []
    last_end, last_tag = None, None
    for start, end, opening in cells(html):
        tag = next((t for t in FOLDS if f"celltag_{t}" in opening), None)
        if tag is not None and tag == last_tag and not html[last_end:start].strip():
            groups[-1] = (tag, groups[-1][1], end)
        elif tag is not None:
            groups.append((tag, start, end))
        last_end, last_tag = end, tag
    for tag, start, end in reversed(groups):
        summary, colour = FOLDS[tag]
        html = (f'{html[:start]}<details class="nb-fold nb-{tag} {colour}">'
                f"<summary>{summary}</summary>{html[start:end]}</details>{html[end:]}")
    return html
