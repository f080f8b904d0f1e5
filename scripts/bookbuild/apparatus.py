"""The reader's apparatus for a whole build: citations, numbering, the link to each
lesson's review, and the checks on student-facing pages.

The MkDocs hook calls, in order:

    app = Apparatus(root, docs_dir, nav)    # on_config: reads docs/references.bib
    app.scan(pages)                         # on_files: every Markdown page's source
    app.before(markdown, page)              # on_page_markdown, before facts/figures
    app.after(markdown, page)               # on_page_markdown, after them
    app.check_unused()                      # on_post_build (full builds only)

`before` keeps the page's line count, so the fact/figure pass that follows still
reports the right lines.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from . import BookError, bibtex, citations, numbering, pagechecks

BIB = "docs/references.bib"
BIB_PLACEHOLDER = "<!--book-bibliography-->"


@dataclass
class PageSource:
    uri: str            # relative to docs/, e.g. "5.3-scaling-architecture/x/index.md"
    markdown: str       # without front matter
    offset: int         # lines of front matter removed
    meta: dict
    title: str


class Apparatus:
    def __init__(self, root: Path, docs_dir: str, nav: list | None):
        self.root = Path(root)
        self.docs_name = Path(docs_dir).name
        bib = self.root / BIB
        if not bib.is_file():
            raise BookError(f"{BIB}: missing; citations need the book's BibTeX file")
        self.entries = bibtex.parse(bib.read_text(encoding="utf-8"), BIB)
        self.lessons = numbering.lesson_numbers(nav or [], Path(docs_dir))
        self.items: dict[str, numbering.PageItems] = {}
        self.cited_on: dict[str, list[tuple[str, str]]] = {}
        self.titles: dict[str, str] = {}

    # -- whole book --------------------------------------------------------------
    def scan(self, pages: list[PageSource]) -> None:
        """Number every page's items and record who cites what, before any page is
        rendered, so references across pages and the bibliography resolve."""
        errors = []
        for page in sorted(pages, key=lambda p: p.uri):
            src = self.src(page.uri)
            self.titles[page.uri] = page.title
            try:
                self.items[page.uri] = numbering.scan(
                    page.markdown, src=src, uri=page.uri,
                    prefix=self.lesson_number(page.uri), line_offset=page.offset)
                for key in citations.keys_cited(page.markdown, src, self.entries,
                                                page.offset):
                    self.cited_on.setdefault(key, []).append((page.uri, page.title))
            except BookError as exc:
                errors.append(str(exc))
        if errors:
            raise BookError("\n".join(errors))

    def check_unused(self) -> None:
        unused = [e for k, e in self.entries.items() if k not in self.cited_on]
        if unused:
            raise BookError("\n".join(
                f"{BIB}:{e.line}: entry '{e.key}' is cited by no page; cite it with "
                f"{{{{cite:{e.key}}}}} or delete it" for e in unused))

    # -- one page ----------------------------------------------------------------
    def before(self, markdown: str, uri: str, meta: dict, offset: int) -> str:
        src = self.src(uri)
        if not pagechecks.is_editorial(uri, meta):
            pagechecks.editorial_words(markdown, src, offset)
        markdown = citations.expand(markdown, src=src, entries=self.entries,
                                    line_offset=offset)
        markdown = re.sub(citations.BIBLIOGRAPHY.pattern, BIB_PLACEHOLDER, markdown,
                          flags=re.MULTILINE)
        page = self.items.get(uri) or numbering.PageItems(uri)
        return numbering.expand(markdown, src=src, page=page, pages=self.items,
                                line_offset=offset)

    def after(self, markdown: str, uri: str, offset: int) -> str:
        src = self.src(uri)
        page = self.items.get(uri) or numbering.PageItems(uri)
        markdown = numbering.finish(markdown, src=src, page=page)
        if BIB_PLACEHOLDER in markdown:
            markdown = markdown.replace(BIB_PLACEHOLDER, citations.bibliography(
                self.entries, self.cited_on, uri))
        keys = [k for k, pages in self.cited_on.items()
                if any(u == uri for u, _ in pages)]
        if keys:
            markdown = markdown.rstrip("\n") + citations.references_section(
                keys, self.entries)
        review = self.review_of(uri)
        if review:
            markdown = markdown.rstrip("\n") + (
                '\n\n<p class="book-checked" markdown="span">'
                f"[How this lesson was checked]({review}): what its review found, "
                "and what was fixed.</p>\n")
        return markdown

    def notebook_description(self, uri: str) -> str:
        lesson = posixpath.dirname(uri)
        title = self.titles.get(f"{lesson}/index.md", "this lesson")
        number = self.lessons.get(lesson)
        name = f"lesson {number}, {title}" if number else title
        return f"Exercises for {name}: runnable checks you can also download."

    # -- helpers -----------------------------------------------------------------
    def src(self, uri: str) -> str:
        return f"{self.docs_name}/{uri}"

    def lesson_number(self, uri: str) -> str | None:
        """The lesson's number for its page (index.md); other pages in the folder,
        such as the review, number their items 1, 2, …."""
        if posixpath.basename(uri) != "index.md":
            return None
        return self.lessons.get(posixpath.dirname(uri))

    def review_of(self, uri: str) -> str | None:
        """'review.md' for a lesson's index page whose folder has one."""
        folder = posixpath.dirname(uri)
        if folder in self.lessons and posixpath.basename(uri) == "index.md" \
                and f"{folder}/review.md" in self.titles:
            return "review.md"
        return None


def read_page(abs_path: str, uri: str) -> PageSource:
    """A Markdown page's source split from its front matter, as MkDocs reads it."""
    from mkdocs.utils.meta import get_data

    raw = Path(abs_path).read_text(encoding="utf-8-sig")
    body, meta = get_data(raw)
    offset = max(0, raw.count("\n") - body.count("\n"))
    title = meta.get("title") or next(
        (ln[2:].strip() for ln in body.splitlines() if ln.startswith("# ")), uri)
    return PageSource(uri, body, offset, meta, str(title))
