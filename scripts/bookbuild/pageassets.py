"""Trim a built page's assets to what it uses: KaTeX only where there is maths.

KaTeX (script, auto-render, the book's init script and its stylesheet) is listed in
``extra_javascript`` / ``extra_css`` for every page. A page without maths would
download about 300 KB for nothing, so after MkDocs renders a page the tags are
dropped unless the page has maths: an ``arithmatex`` span from a Markdown page, or
a ``$…$`` / ``\\(…\\)`` / ``\\[…\\]`` formula in a notebook's Markdown cell
(notebooks are rendered without arithmatex and leave the delimiters for KaTeX's
auto-render).
"""

from __future__ import annotations

import re

KATEX_TAG = re.compile(
    r'[ \t]*(?:<script src="[^"]*(?:katex/katex\.min\.js|katex/auto-render\.min\.js'
    r'|javascripts/katex-init\.js)"></script>'
    r'|<link rel="stylesheet" href="[^"]*katex/katex\.min\.css">)[ \t]*\n?')
NOTEBOOK_MARKDOWN = re.compile(
    r'<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^>]*>(.*?)</div>', re.S)
NOTEBOOK_MATHS = re.compile(r"\\\(|\\\[|\$\$|\$[^$\s][^$\n]*\$")


def has_maths(html: str) -> bool:
    if 'class="arithmatex"' in html:
        return True
    return any(NOTEBOOK_MATHS.search(cell) for cell in NOTEBOOK_MARKDOWN.findall(html))


def drop_unused_katex(html: str) -> str:
    """The page without KaTeX's tags when it has no maths; otherwise unchanged."""
    return html if has_maths(html) else KATEX_TAG.sub("", html)
