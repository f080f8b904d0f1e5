"""The real book builds --strict, every reference resolves, artefacts reproduce."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.bookbuild import engine, nav, references
from scripts.bookbuild.workspace import REPO, copy_book

from ..conftest import mkdocs_build

LESSON = "5.3-scaling-architecture/long-context/index.html"


@pytest.mark.build
def test_book_builds_strict_with_every_reference_resolved(built_site: Path):
    html = (built_site / LESSON).read_text(encoding="utf-8")
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        leftover = re.findall(r"\{\{\s*(?:fact|figure|table)\s*:[^}]*\}\}", text)
        # The contributor guide may show the syntax inside <code>; pages may not.
        leftover = [r for r in leftover if f"<code>{r}" not in text]
        assert not leftover, f"{page.relative_to(built_site)}: unexpanded {leftover}"
    for name in ("three_barrier_map", "rope_rotation", "attention_patterns"):
        for variant in ("light", "dark"):
            src = f"../../figures/long_context/{name}.{variant}.svg#only-{variant}"
            assert f'src="{src}"' in html
            assert (built_site / "figures/long_context" / f"{name}.{variant}.svg"
                    ).is_file()
    assert 'id="table-attention_flops_table"' in html
    assert 'id="table-kv_cache_table"' in html


@pytest.mark.build
def test_code_behind_each_figure_is_included_from_sections(built_site: Path):
    html = (built_site / LESSON).read_text(encoding="utf-8")
    # The RoPE snippet's compute region contains this definition; it must be shown.
    assert "rotated_dot" in html
    assert "--8&lt;--" not in html and "--8<--" not in html  # markers are stripped


def test_every_snippet_region_is_closed():
    for snip in engine.discover(REPO):
        sections = references.snippet_sections(snip.path.read_text(), snip.rel)
        assert sections, f"{snip.rel}: no region marked for readers"


@pytest.mark.build
def test_broken_link_and_anchor_fail_the_strict_build(tmp_path: Path):
    copy = copy_book(tmp_path / "book")
    page = copy / "docs" / "index.md"
    page.write_text(page.read_text() + "\n[gone](missing-page.md) and "
                    "[no anchor](5.3-scaling-architecture/index.md#no-such-heading)\n")
    result = mkdocs_build(copy, tmp_path / "site")
    assert result.returncode != 0
    assert "index.md" in result.stderr and "missing-page.md" in result.stderr
    assert "no-such-heading" in result.stderr


@pytest.mark.build
def test_unknown_fact_fails_the_build_with_page_and_line(tmp_path: Path):
    copy = copy_book(tmp_path / "book")
    page = copy / "docs" / "index.md"
    lines = page.read_text().splitlines()
    page.write_text("\n".join(lines + ["", "Cost: {{fact:no_such_fact}}."]) + "\n")
    result = mkdocs_build(copy, tmp_path / "site")
    assert result.returncode != 0
    assert f"docs/index.md:{len(lines) + 2}: unknown fact 'no_such_fact'" \
        in result.stderr


@pytest.mark.build
def test_orphan_figure_fails_the_strict_build(tmp_path: Path):
    copy = copy_book(tmp_path / "book")
    (copy / "figures" / "long_context" / "old_plot.light.svg").write_text("<svg/>")
    result = mkdocs_build(copy, tmp_path / "site")
    assert result.returncode != 0
    assert "figures/long_context/old_plot.light.svg: no snippet produces" \
        in result.stderr


@pytest.mark.build
def test_figure_that_no_page_shows_fails_the_strict_build(tmp_path: Path):
    copy = copy_book(tmp_path / "book")
    snippet = copy / "snippets" / "long_context" / "unused_plot.py"
    snippet.write_text(
        "import matplotlib.pyplot as plt\n\n\n"
        "# --8<-- [start:draw]\n"
        "def draw(theme):\n    fig, ax = plt.subplots()\n    return fig\n"
        "# --8<-- [end:draw]\n\n\n"
        "def main(book):\n    book.figure(draw, alt='Nothing.', caption='Nothing.')\n")
    result = mkdocs_build(copy, tmp_path / "site")
    assert result.returncode != 0
    assert "the figure 'unused_plot' is not shown on any page" in result.stderr


@pytest.mark.build
def test_malformed_quiz_fails_the_build_with_page_and_line(tmp_path: Path):
    copy = copy_book(tmp_path / "book")
    page = copy / "docs" / "index.md"
    lines = page.read_text().splitlines()
    quiz = ["", "<quiz>", "Which?", "- [x] this", "- [ ] that", "</quiz>"]
    page.write_text("\n".join(lines + quiz) + "\n")
    result = mkdocs_build(copy, tmp_path / "site")
    assert result.returncode != 0
    assert (f"docs/index.md:{len(lines) + 2}: malformed quiz: the wrong answer "
            "'that' has no") in result.stderr


@pytest.mark.build
def test_one_command_adds_a_lesson_everywhere(tmp_path: Path):
    """new_lesson.py, and nothing else: nav, home page, module table, concept index
    and the browser tests' page list all pick the lesson up."""
    copy = copy_book(tmp_path / "book")
    made = subprocess.run(
        [sys.executable, "scripts/new_lesson.py", "5.3-scaling-architecture",
         "demo-lesson", "Demo lesson", "--outcome", "try the scaffold"],
        cwd=copy, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    assert "added lesson 5.3.4 'Demo lesson' to the nav" in made.stdout
    result = mkdocs_build(copy, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    page = (site / "5.3-scaling-architecture/demo-lesson/index.html").read_text()
    assert "The example figure's slope is 2.0." in page
    home = (site / "index.html").read_text()
    assert '5.3.4 <a href="5.3-scaling-architecture/demo-lesson/">Demo lesson</a>' \
        in home
    module = (site / "5.3-scaling-architecture/index.html").read_text()
    assert ('<td>5.3.4 <a href="demo-lesson/">Demo lesson</a></td>\n'
            "<td>try the scaffold</td>") in module
    concepts = (site / "concepts/index.html").read_text()
    assert "5.3.4 Demo lesson" in concepts
    pages = nav.every_page(nav.load_nav(copy))
    assert "5.3-scaling-architecture/demo-lesson/index.md" in pages
    # the new lesson sits after 5.3.3, before the module test
    assert pages.index("5.3-scaling-architecture/demo-lesson/index.md") < \
        pages.index("5.3-scaling-architecture/module-test.md")
    again = subprocess.run(
        [sys.executable, "scripts/new_lesson.py", "5.3-scaling-architecture",
         "demo-lesson", "Demo lesson"], cwd=copy, capture_output=True, text=True)
    assert again.returncode != 0 and "refusing to overwrite" in again.stderr
