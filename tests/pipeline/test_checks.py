"""The post-build site check, the comparative-sentence lint and nav directives."""

from pathlib import Path

import pytest

from scripts.bookbuild import BookError, claimslint, nav, sitecheck
from scripts.bookbuild.workspace import REPO


def page(site: Path, rel: str, html: str) -> None:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body>{html}</body></html>")


@pytest.mark.parametrize("html, what", [
    ("<p>Cost: {{fact:kv_bytes}}.</p>", "an unexpanded reference"),
    ("<p>{{ claim:half }}</p>", "an unexpanded reference"),
    ("<p>&lt;quiz&gt;</p><p>Which?</p>", "a raw <quiz> block"),
    ("<ul>\n<li>[x] The right answer</li>\n</ul>", "a quiz answer marker"),
    ("<p>\n# %% [markdown]\n</p>", "a jupytext cell marker"),
])
def test_raw_book_syntax_in_html_fails(tmp_path, html, what):
    page(tmp_path, "lesson/index.html", html)
    with pytest.raises(BookError, match="raw syntax") as err:
        sitecheck.require_clean(tmp_path)
    assert f"lesson/index.html: {what}" in str(err.value)


def test_syntax_shown_in_code_and_executed_notebooks_pass(tmp_path):
    page(tmp_path, "guide/index.html", "<p>Write <code>{{fact:name}}</code>.</p>"
         "<pre><code>&lt;quiz&gt;\n- [x] right\n</code></pre>")
    page(tmp_path, "l/exercises/index.html",
         '<div class="jp-OutputArea-output"><pre>42</pre></div>')
    assert sitecheck.check_site(tmp_path) == []


def test_a_notebook_page_without_outputs_fails(tmp_path):
    page(tmp_path, "l/exercises/index.html", '<div class="jp-Cell">x = 1</div>')
    assert sitecheck.check_site(tmp_path) == [
        "l/exercises/index.html: an exercise notebook page with no cell output "
        "(was it executed?)"]


def test_lint_lists_unbacked_comparisons_only(tmp_path):
    doc = tmp_path / "p.md"
    doc.write_text(
        "# Title\n\nBoth kernels do the same work. The tiled one does\n"
        "{{claim:tiled_half}} the naive one. Memory falls {{fact:ratio}}.\n\n"
        "```python\nsame = 1  # code is not prose\n```\n\n"
        "<quiz>\nIs it twice as fast?\n- [x] yes\n</quiz>\n\nIt is exactly right.\n")
    assert claimslint.lint([doc]) == [
        f"{doc}:3: Both kernels do the same work.",
        f"{doc}:15: It is exactly right."]


def test_unknown_module_in_a_lessons_directive_names_the_line():
    with pytest.raises(BookError, match=r"docs/x.md:3: no module 'nope' in the nav of mkdocs.yml; "
                       r"use one of: book, (\S+, )*5\.3-scaling-architecture"):
        nav.expand("a\n\n{{lessons:nope}}\n", src="docs/x.md", page_uri="x.md",
                   nav=nav.load_nav(REPO), docs=REPO / "docs")


def test_module_table_needs_each_lessons_outcome(tmp_path):
    docs = tmp_path / "docs"
    (docs / "1.1-m/l").mkdir(parents=True)
    (docs / "1.1-m/l/index.md").write_text("---\ntitle: L\n---\n# L\n")
    tree = [{"Module 1.1 M": ["1.1-m/index.md", {"L": ["1.1-m/l/index.md"]}]}]
    with pytest.raises(BookError, match="needs an `outcome:` line in the front "
                       "matter of docs/1.1-m/l/index.md"):
        nav.expand("{{lessons:1.1-m}}", src="docs/1.1-m/index.md",
                   page_uri="1.1-m/index.md", nav=tree, docs=docs)
