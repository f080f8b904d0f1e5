"""After the site is built: nothing of the book's own syntax may reach a reader.

A site generator that silently ignores our hook or plugins (Zensical today ignores
hooks, mkdocs-jupyter and mkdocs-quiz) would ship raw ``{{fact:…}}`` references,
``<quiz>`` blocks with their ``[x]`` answers showing, or notebooks that never ran.
This check reads the HTML only, so it works on the output of any generator:

    python -m scripts.bookbuild check-site site/
"""

from __future__ import annotations

import re
from pathlib import Path

from . import BookError

RAW = [
    (re.compile(r"\{\{\s*(?:fact|claim|figure|table|lessons|cite|citet|ref|label|"
                r"bibliography)\s*:[^}]*\}\}"),
     "an unexpanded reference"),
    (re.compile(r"<quiz>|&lt;quiz&gt;|&lt;/quiz&gt;"), "a raw <quiz> block"),
    (re.compile(r"^\s*(?:<li>|[-*])\s*\[[xX ]\]\s", re.M),
     "a quiz answer marker ([x] / [ ]) left as text"),
    (re.compile(r"^# %%", re.M), "a jupytext cell marker (notebook not rendered)"),
]
CODE = re.compile(r"<code[^>]*>.*?</code>|<pre[^>]*>.*?</pre>", re.S)
NOTEBOOK_PAGE = "exercises/index.html"
NOTEBOOK_OUTPUT = re.compile(r'class="[^"]*(?:jp-OutputArea-output|output_area)')


def check_site(site: Path) -> list[str]:
    """Problems as 'page: what', empty when the site is clean."""
    problems = []
    for page in sorted(site.rglob("*.html")):
        rel = page.relative_to(site).as_posix()
        html = page.read_text(encoding="utf-8", errors="replace")
        body = CODE.sub("", html)  # pages may *show* the syntax inside code
        for pattern, what in RAW:
            if m := pattern.search(body):
                problems.append(f"{rel}: {what}: {m.group(0).strip()[:60]!r}")
        if rel.endswith(NOTEBOOK_PAGE) and not NOTEBOOK_OUTPUT.search(html):
            problems.append(f"{rel}: an exercise notebook page with no cell output "
                            "(was it executed?)")
    return problems


def require_clean(site: Path) -> None:
    problems = check_site(site)
    if problems:
        raise BookError("the built site shows the book's raw syntax to readers:\n  "
                        + "\n  ".join(problems) + "\nThe generator skipped a hook "
                        "or plugin, or a page uses a reference it cannot expand.")
