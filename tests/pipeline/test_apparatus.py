"""The reader's apparatus: BibTeX parsing, citations, numbering and cross-references,
and the checks on student-facing pages. Unit tests of scripts/bookbuild modules, plus
what the real book's build shows."""

import re
import textwrap
from pathlib import Path

import pytest

from scripts.bookbuild import (BookError, bibtex, citations, numbering, pagechecks,
                               sitecheck)
from scripts.bookbuild.workspace import REPO, copy_book

from ..conftest import mkdocs_build

BIB = textwrap.dedent("""\
    % a comment
    @inproceedings{vaswani2017attention,
      author    = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
      title     = {Attention Is All You Need},
      booktitle = {NeurIPS},
      year      = {2017},
      eprint    = {1706.03762},
    }

    @misc{chen2023speculative,
      author = {Chen, Charlie and Borgeaud, Sebastian and others},
      title = {Accelerating Decoding},
      howpublished = {arXiv preprint},
      year = 2023,
      eprint = {2302.01318},
    }

    @misc{chen2023interpolation,
      author = {Chen, Shouyuan and Wong, Sherman and Chen, Liangjian},
      title = "Extending Context",
      howpublished = {arXiv preprint},
      year = {2023},
      eprint = {2306.15595},
    }

    @misc{hf2023tgi,
      author = {{Hugging Face}},
      title = {Text Generation Inference},
      howpublished = {Software},
      year = {2023},
      url = {https://example.org/tgi},
    }
    """)


@pytest.fixture
def entries():
    return bibtex.parse(BIB, "refs.bib")


# -- BibTeX --------------------------------------------------------------------------

def test_bibtex_labels_authors_and_disambiguates_same_author_year(entries):
    assert entries["vaswani2017attention"].label == "Vaswani et al., 2017"
    assert entries["hf2023tgi"].label == "Hugging Face, 2023"
    # Two "Chen et al., 2023": suffixes in title order
    assert entries["chen2023speculative"].label == "Chen et al., 2023a"
    assert entries["chen2023interpolation"].label == "Chen et al., 2023b"
    line = citations.format_entry(entries["vaswani2017attention"])
    assert line.startswith('<span class="book-ref" id="ref-vaswani2017attention">')
    assert "Vaswani, A., Shazeer, N. and Parmar, N. (2017). Attention Is All You " \
        "Need. In *NeurIPS*. [arXiv:1706.03762](https://arxiv.org/abs/1706.03762)." \
        in line


@pytest.mark.parametrize("bad, message", [
    ("@misc{a,\n  title = {T},\n  year = {2020},\n  howpublished = {x},\n"
     "  url = {u},\n}\n", "refs.bib:1: entry 'a' has no 'author'"),
    ("@misc{a,\n  author = {A, B},\n  title = {T},\n  howpublished = {x},\n"
     "  year = {2020},\n}\n", "gives no way to find it"),
    ("@misc{a,\n  author = {Ab, C},\n  title = {Caf{\\'e}},\n  howpublished = {x},\n"
     "  year = {2020},\n  url = {u},\n}\n", "uses the LaTeX command"),
    ("@misc{a,\n  author = {Ab, C},\n  title = {T},\n  howpublished = {x},\n"
     "  year = {2020},\n  eprint = {12345},\n}\n", "is not an arXiv id"),
    ("@misc{a,\n  author = {Ab Cd},\n  title = {T},\n  howpublished = {x},\n"
     "  year = {2020},\n  url = {u},\n}\n", "as 'Last, First'"),
    ("@string{x = {y}}\n", "refs.bib:1: entry type '@string' is not supported"),
    ("\n\n@misc{a,\n  author = {Ab, C},\n  title = {T\n", "refs.bib:5: unbalanced"),
])
def test_bibtex_errors_name_file_and_line(bad, message):
    with pytest.raises(BookError, match=re.escape(message)):
        bibtex.parse(bad, "refs.bib")


def test_bibtex_duplicate_key_names_both_lines():
    entry = ("@misc{a,\n  author = {Ab, C},\n  title = {T},\n  howpublished = {x},\n"
             "  year = {2020},\n  url = {u},\n}\n")
    with pytest.raises(BookError, match=r"refs.bib:8: key 'a' is defined twice "
                                        r"\(first at line 1\)"):
        bibtex.parse(entry + entry, "refs.bib")


def test_the_books_bibliography_parses_and_every_entry_is_findable():
    entries = bibtex.parse((REPO / "docs/references.bib").read_text(), "bib")
    assert len(entries) >= 40
    for e in entries.values():
        assert e.fields.get("eprint") or e.fields.get("doi") or e.fields.get("url")


# -- citations -----------------------------------------------------------------------

def test_citation_forms_link_to_the_reference_entry(entries):
    page = ("Intro.\n{{cite:vaswani2017attention}} and "
            "{{cite:vaswani2017attention,hf2023tgi}}\n"
            "{{citet:chen2023interpolation}} showed; "
            "see {{cite:hf2023tgi | Section 2}}.\n"
            "`{{cite:not_expanded}}` in code\n```\n{{cite:nor_here}}\n```")
    out = citations.expand(page, src="docs/p.md", entries=entries)
    assert out.count("\n") == page.count("\n")  # later passes keep their lines
    assert "([Vaswani et al., 2017](#ref-vaswani2017attention)) and" in out
    assert ("([Vaswani et al., 2017](#ref-vaswani2017attention); "
            "[Hugging Face, 2023](#ref-hf2023tgi))") in out
    assert "[Chen et al. (2023b)](#ref-chen2023interpolation) showed" in out
    assert "([Hugging Face, 2023, Section 2](#ref-hf2023tgi))" in out
    assert "`{{cite:not_expanded}}`" in out and "{{cite:nor_here}}" in out


def test_unknown_citation_key_fails_with_page_line_and_did_you_mean(entries):
    page = "---\n\nText {{cite:vaswani2016attention}}.\n"
    with pytest.raises(BookError) as err:
        citations.expand(page, src="docs/p.md", entries=entries, line_offset=3)
    assert "docs/p.md:6: unknown citation key 'vaswani2016attention'. Did you mean " \
        "'vaswani2017attention'?" in str(err.value)


def test_references_section_lists_cited_works_sorted(entries):
    section = citations.references_section(
        ["vaswani2017attention", "chen2023speculative"], entries)
    assert "## References { #references }" in section
    assert section.index("ref-chen2023speculative") < section.index(
        "ref-vaswani2017attention")


# -- numbering -----------------------------------------------------------------------

NAV = [
    {"Home": "index.md"},
    {"Module 5.3": [
        "5.3-x/index.md",
        {"First": ["5.3-x/first/index.md", {"Exercises": "5.3-x/first/exercises.py"}]},
        {"Second": ["5.3-x/second/index.md"]},
        {"Module test": "5.3-x/module-test.md"},
    ]},
    {"Elsewhere": ["other/index.md", {"Sub": ["other/sub/index.md"]}]},
]

LESSON = textwrap.dedent("""\
    # Lesson

    See {{ref:figure:alpha}}, {{ref:table:beta}}, {{ref:equation:gamma}}.

    {{figure:alpha}}

    {{table:beta}}

    {{label:table:hand | A table written by hand.}}
    | a | b |
    |---|---|
    | 1 | 2 |

    \\[ x = 1 \\]

    {{label:equation:gamma}}
    \\[
    y = 2
    \\]

    ```
    | not | a table |
    |-----|---------|
    \\[ not an equation \\]
    ```

    {{figure:delta}}
    """)


def scan(text=LESSON, uri="5.3-x/second/index.md", prefix="5.3.2"):
    return numbering.scan(text, src=f"docs/{uri}", uri=uri, prefix=prefix)


def test_lesson_numbers_come_from_nav_order():
    assert numbering.lesson_numbers(NAV) == {"5.3-x/first": "5.3.1",
                                             "5.3-x/second": "5.3.2"}


def test_items_are_numbered_in_page_order_per_kind():
    page = scan()
    titles = {(i.kind, i.name): i.title for i in page.items}
    assert titles[("figure", "alpha")] == "Figure 5.3.2-1"
    assert titles[("figure", "delta")] == "Figure 5.3.2-2"
    assert titles[("table", "beta")] == "Table 5.3.2-1"
    assert titles[("table", "hand")] == "Table 5.3.2-2"
    assert titles[("equation", None)] == "Equation 5.3.2-1"
    assert titles[("equation", "gamma")] == "Equation 5.3.2-2"
    outside = scan(uri="other/index.md", prefix=None)
    assert outside.named("figure", "alpha").title == "Figure 1"


def test_references_resolve_to_number_and_anchor():
    page = scan()
    out = numbering.expand(LESSON, src="docs/l.md", page=page,
                           pages={page.uri: page})
    assert ("See [Figure 5.3.2-1](#figure-alpha), [Table 5.3.2-1](#table-beta), "
            "[Equation 5.3.2-2](#equation-gamma).") in out
    assert out.count("\n") == LESSON.count("\n")


def test_reference_to_another_page_needs_its_path_and_links_there():
    here = scan("Text {{ref:figure:alpha}}.\n", uri="5.3-x/first/index.md",
                prefix="5.3.1")
    there = scan()
    pages = {here.uri: here, there.uri: there}
    with pytest.raises(BookError) as err:
        numbering.expand("\nText {{ref:figure:alpha}}.\n",
                         src="docs/5.3-x/first/index.md", page=here, pages=pages)
    assert ("docs/5.3-x/first/index.md:2: figure 'alpha' is on "
            "5.3-x/second/index.md, not on 5.3-x/first/index.md; write "
            "{{ref:figure:alpha@../second/index.md}}") in str(err.value)
    out = numbering.expand("{{ref:figure:alpha@../second/index.md}}",
                           src="docs/x.md", page=here, pages=pages)
    assert out == "[Figure 5.3.2-1](../second/index.md#figure-alpha)"
    with pytest.raises(BookError, match=r"docs/x.md:1: figure 'alpha' is on "):
        numbering.expand("{{ref:figure:alpha@../first/index.md}}",  # wrong page
                         src="docs/x.md", page=here, pages=pages)


def test_unknown_reference_fails_with_page_line_and_did_you_mean():
    page = scan()
    with pytest.raises(BookError) as err:
        numbering.expand("a\nb {{ref:figure:alhpa}}", src="docs/l.md", page=page,
                         pages={page.uri: page}, line_offset=10)
    assert "docs/l.md:12: unknown figure 'alhpa'. Did you mean 'alpha'?" \
        in str(err.value)
    with pytest.raises(BookError, match=r"docs/l.md:1: .*the kinds are"):
        numbering.expand("{{ref:fig:alpha}}", src="docs/l.md", page=page,
                         pages={page.uri: page})


@pytest.mark.parametrize("text, message", [
    ("| a |\n|---|\n| 1 |\n", "docs/5.3-x/second/index.md:1: this Markdown table "
     "has no number"),
    ("{{label:equation:e}}\nprose\n", ":1: {{label:equation:e}} must stand right "
     "above"),
    ("{{label:table:t}}\n| a |\n|---|\n", ":1: a table label needs a caption"),
    ("{{figure:a}}\n{{figure:a}}\n", ":2: figure 'a' appears twice"),
])
def test_numbering_mistakes_fail_with_page_and_line(text, message):
    with pytest.raises(BookError, match=re.escape(message)):
        scan(text)


def test_finish_numbers_captions_wraps_labels_and_tags_equations():
    page = scan()
    markdown = numbering.expand(LESSON, src="docs/l.md", page=page,
                                pages={page.uri: page})
    # What references.expand makes of {{figure:alpha}} / {{table:beta}}:
    markdown = markdown.replace(
        "{{figure:alpha}}", '<figure class="book-figure" id="figure-alpha" '
        'markdown="1">\n![a](a.svg)\n<figcaption markdown="span">Alpha.</figcaption>'
        "\n</figure>").replace(
        "{{table:beta}}", '<figure class="book-table" id="table-beta" markdown="1">'
        '\n<figcaption markdown="span">Beta.</figcaption>\n\n| x |\n|---|\n\n</figure>'
    ).replace("{{figure:delta}}", '<figure class="book-figure" id="figure-delta" '
              'markdown="1">\n<figcaption markdown="span">Delta.</figcaption>')
    out = numbering.finish(markdown, src="docs/l.md", page=page)
    assert '<figcaption markdown="span">**Figure 5.3.2-1.** Alpha.' in out
    assert '<figcaption markdown="span">**Table 5.3.2-1.** Beta.' in out
    assert '<figcaption markdown="span">**Figure 5.3.2-2.** Delta.' in out
    assert ('<figure class="book-table" id="table-hand" markdown="1">\n'
            '<figcaption markdown="span">**Table 5.3.2-2.** A table written by '
            'hand.</figcaption>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n</figure>') in out
    assert "\\[ x = 1  \\tag{5.3.2-1}\\]" in out
    assert ('<div class="book-equation" id="equation-gamma" markdown="1">\n\\[\n'
            "y = 2\n \\tag{5.3.2-2}\\]\n</div>") in out
    assert "\\[ not an equation \\]" in out  # inside a fence: untouched


# -- page checks ---------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "The lesson plan this page was written from says 12.",
    "The plan quotes 332 GB.", "Course notes often say 84 GB.",
    "As the record shows.", "Read this lesson's review record.",
    "Some notes say it is compute-bound.", "the module record's hook",
])
def test_editorial_words_fail_with_page_and_line(line):
    with pytest.raises(BookError, match=r"^docs/p.md:5: '"):
        pagechecks.editorial_words(f"a\n{line}\n", "docs/p.md", line_offset=3)


def test_editorial_words_allow_ordinary_english_and_code():
    pagechecks.editorial_words(
        "It records the bytes.\nPlan your GPUs.\nA figure often quoted.\n"
        "`the plan` in code\n", "docs/p.md")


def test_editorial_pages_are_exempt():
    assert pagechecks.is_editorial("5.3-x/first/review.md", {})
    assert pagechecks.is_editorial("checking/index.md", {"editorial": True})
    assert not pagechecks.is_editorial("5.3-x/first/index.md", {})


def test_description_is_required_and_short():
    pagechecks.description({"description": "What you learn."}, "docs/p.md")
    with pytest.raises(BookError, match=r"docs/p.md:1: the page has no description"):
        pagechecks.description({"title": "T"}, "docs/p.md")
    with pytest.raises(BookError, match=r"docs/p.md:1: the description has 201"):
        pagechecks.description({"description": "x" * 201}, "docs/p.md")


# -- the real book -------------------------------------------------------------------

LC = "5.3-scaling-architecture/long-context/index.html"


@pytest.mark.build
def test_lessons_cite_number_and_link_their_review(built_site: Path):
    for lesson in ("mixture-of-experts", "long-context", "training-and-serving"):
        html = (built_site / f"5.3-scaling-architecture/{lesson}/index.html"
                ).read_text(encoding="utf-8")
        refs = html[html.index('id="references"'):]
        cited = set(re.findall(r'href="#ref-([\w.-]+)"', html))
        listed = set(re.findall(r'id="ref-([\w.-]+)"', refs))
        assert cited and cited == listed, lesson
        assert '<a href="review/">How this lesson was checked</a>' in html
        numbers = re.findall(
            r"<figcaption[^>]*><strong>(Figure|Table) ([\d.]+)-(\d+)\.", html)
        for kind in ("Figure", "Table"):
            seq = [int(n) for k, _, n in numbers if k == kind]
            assert seq == list(range(1, len(seq) + 1)), (lesson, kind, seq)
        assert sitecheck.check_site(built_site) == []
    html = (built_site / LC).read_text(encoding="utf-8")
    assert '<a href="#figure-rope_rotation">Figure 5.3.2-3</a>' in html
    assert "\\tag{5.3.2-1}" in html and 'id="equation-rope_rotation_matrix"' in html
    assert "Vaswani" in (built_site / "bibliography/index.html").read_text()


@pytest.mark.build
def test_site_metadata_and_editorial_section(built_site: Path):
    html = (built_site / LC).read_text(encoding="utf-8")
    assert '<meta property="og:url" content="https://attention-book.github.io/' \
        '5.3-scaling-architecture/long-context/">' in html
    assert '<meta name="description" content="The three walls' in html
    assert re.search(r'<meta property="og:image', html) is None
    assert "/edit/main/docs/5.3-scaling-architecture/long-context/index.md" in html
    sitemap = (built_site / "sitemap.xml").read_text()
    assert "<loc>https://attention-book.github.io/bibliography/</loc>" in sitemap
    review = (built_site / "5.3-scaling-architecture/long-context/review/index.html"
              ).read_text(encoding="utf-8")
    assert "<h1" in review and "Review: Long context and efficient attention" in review
    nb = (built_site / "5.3-scaling-architecture/long-context/exercises/index.html"
          ).read_text(encoding="utf-8")
    assert '<meta name="description" content="Exercises for lesson 5.3.2' in nb


@pytest.mark.build
def test_unknown_citation_key_fails_the_book_build(tmp_path: Path):
    copy = copy_book(tmp_path / "book")
    page = copy / "docs" / "index.md"
    lines = page.read_text().splitlines()
    page.write_text("\n".join(lines + ["", "As shown {{cite:vaswani2016attention}}."])
                    + "\n")
    result = mkdocs_build(copy, tmp_path / "site")
    assert result.returncode != 0
    assert (f"docs/index.md:{len(lines) + 2}: unknown citation key "
            "'vaswani2016attention'. Did you mean 'vaswani2017attention'"
            ) in result.stderr
