"""KaTeX is dropped from pages without maths, kept where a formula needs it."""

import pytest

from scripts.bookbuild import pageassets

HEAD = ('<link rel="stylesheet" href="../assets/katex/katex.min.css">\n'
        '<p>{body}</p>\n'
        '        <script src="../assets/katex/katex.min.js"></script>\n'
        '        <script src="../assets/katex/auto-render.min.js"></script>\n'
        '        <script src="../assets/javascripts/katex-init.js"></script>\n'
        '        <script src="../assets/javascripts/book.js"></script>\n')
NOTEBOOK = ('<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput" '
            'data-mime-type="text/markdown">{cell}</div>')


def test_page_without_maths_loses_every_katex_tag_and_keeps_the_rest():
    out = pageassets.drop_unused_katex(HEAD.format(body="Plain prose, $5 a month."))
    assert "katex" not in out
    assert 'src="../assets/javascripts/book.js"' in out
    assert "Plain prose, $5 a month." in out


@pytest.mark.parametrize("body", [
    '<span class="arithmatex">\\(QK^\\top\\)</span>',
    NOTEBOOK.format(cell="the cost is $n^2$ per head"),
    NOTEBOOK.format(cell="\\(d \\times d\\)"),
])
def test_page_with_maths_is_unchanged(body):
    page = HEAD.format(body=body)
    assert pageassets.drop_unused_katex(page) == page


def test_dollar_signs_in_notebook_code_output_do_not_count():
    code = '<pre>cost = "$5" + "$6"</pre>'
    assert not pageassets.has_maths(HEAD.format(body=code))


@pytest.mark.build
def test_built_book_loads_katex_only_where_there_is_maths(built_site):
    for html in built_site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert ("katex.min.js" in text) == pageassets.has_maths(text), html
    lesson = built_site / "5.3-scaling-architecture/long-context/index.html"
    assert "katex.min.js" in lesson.read_text(encoding="utf-8")
    assert "katex" not in (built_site / "concepts/index.html").read_text(
        encoding="utf-8")
