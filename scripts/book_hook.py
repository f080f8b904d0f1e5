"""MkDocs hook: the book's build step, registered in mkdocs.yml under ``hooks:``.

On every ``mkdocs build`` / ``mkdocs serve`` rebuild it
1. re-runs the snippets whose inputs changed (scripts/bookbuild/engine.py),
2. adds figures/ and the snippet sources to the site so ``--strict`` checks every
   link to them; for each exercise notebook, swaps its page source for the executed
   page notebook (mkdocs-jupyter only renders it) and publishes the reader's and the
   solutions notebook beside the page and the kernels wheel under downloads/,
3. checks quizzes and checkpoints, and expands {{lessons:…}} (from the nav),
   {{fact:…}}, {{claim:…}}, {{figure:…}}, {{table:…}} in every page, with
   citations, numbering and page checks around it (bookbuild/apparatus.py),
4. drops KaTeX from pages without maths (scripts/bookbuild/pageassets.py),
5. warns (an error under --strict) about orphans: files in figures/ that no snippet
   makes, and figures that no page shows,
6. fails if the built HTML still shows raw book syntax (scripts/bookbuild/sitecheck).
Set BOOK_SKIP_SNIPPETS=1 to skip step 1 (the benchmark's "floor").
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.exceptions import PluginError  # noqa: E402
from mkdocs.plugins import event_priority  # noqa: E402
from mkdocs.structure.files import File  # noqa: E402

from scripts.bookbuild import (BookError, checkpoints, engine, nav,  # noqa: E402
                               nbpage, notebooks, pageassets, quizzes, references,
                               sitecheck, wheel)
from scripts.bookbuild import apparatus, pagechecks  # noqa: E402

log = logging.getLogger("mkdocs.hooks.book")
_state: dict = {}


def on_config(config):
    _state.update(index=None, used=set(), pages=0, wheel=None)
    try:
        _state["app"] = apparatus.Apparatus(ROOT, config["docs_dir"], config["nav"])
    except BookError as exc:
        raise PluginError(f"\n{exc}") from None
    return config


def on_pre_build(config):
    try:
        if os.environ.get("BOOK_SKIP_SNIPPETS") != "1":
            report = engine.refresh(ROOT, force=os.environ.get("BOOK_REBUILD") == "all",
                                    log=log.info)
            log.info("snippets: %d ran, %d cached (%.1f s)", len(report.ran),
                     len(report.cached), report.seconds)
        _state["wheel"] = wheel.refresh(ROOT, log=log.info)
        _state["index"] = engine.load_index(ROOT)
    except BookError as exc:
        raise PluginError(f"\n{exc}") from None


@event_priority(50)  # before mkdocs-jupyter, which must see the swapped notebook pages
def on_files(files, config):
    index = _state["index"]
    site = config["site_dir"]
    for art in index.artefacts.values():
        for rel in art.files:
            if not rel.endswith(".md"):  # tables are inlined into pages, not linked
                files.append(File(rel, str(ROOT), site, config["use_directory_urls"]))
    for snippet_file in sorted((ROOT / "snippets").rglob("*.py")):
        rel = snippet_file.relative_to(ROOT).as_posix()
        files.append(File(rel, str(ROOT), site, config["use_directory_urls"]))
    _add_notebooks(files, config)
    pages = [apparatus.read_page(f.abs_src_path, f.src_uri)
             for f in files.documentation_pages() if f.src_uri.endswith(".md")]
    try:
        _state["app"].scan(pages)
    except BookError as exc:
        raise PluginError(f"\n{exc}") from None
    return files


def _add_notebooks(files, config) -> None:
    """Each exercises.py page is rendered from its executed page notebook; the
    downloads sit beside the page (…/exercises.ipynb, …/exercises-solutions.ipynb)."""
    site, urls = config["site_dir"], config["use_directory_urls"]
    for rel, manifest in sorted(_state["index"].notebooks.items()):
        nb = notebooks.Notebook(ROOT, rel)
        out = f"figures/{nb.folder}"
        source = files.get_file_from_path(f"{nb.docs_dir}/{notebooks.NAME}")
        if source is None:
            continue  # not under docs_dir (a test's partial copy)
        files.remove(source)
        files.append(File.generated(config, source.src_uri,
                                    abs_src_path=str(ROOT / out / "exercises_page.ipynb")))
        for name, target in (("exercises.ipynb", "exercises.ipynb"),
                             ("exercises_solutions.ipynb", "exercises-solutions.ipynb")):
            files.append(File.generated(config, f"{nb.docs_dir}/{target}",
                                        abs_src_path=str(ROOT / out / name)))
        for name in manifest["outputs"]:
            if name.endswith(".svg"):
                files.append(File(f"{out}/{name}", str(ROOT), site, urls))
    whl = _state["wheel"] or ROOT / wheel.FOLDER / notebooks.wheel_name(ROOT)
    files.append(File.generated(config, f"{notebooks.WHEEL_DIR}/{whl.name}",
                                abs_src_path=str(whl)))


def on_nav(nav, config, files):
    """mkdocs-jupyter wraps each notebook page's File in its own class, which loses
    a generated file's source path (MkDocs computes it from src_dir, which a
    generated file lacks); give the wrapper the path of the page notebook back."""
    for file in files:
        inner = file.__dict__.get("file")
        if inner is not None and inner.__dict__.get("abs_src_path"):
            file.abs_src_path = inner.abs_src_path
    return nav


@event_priority(100)  # before mkdocs-quiz, so quiz text can use facts
def on_page_markdown(markdown, page, config, files):
    src = f"{Path(config['docs_dir']).name}/{page.file.src_uri}"
    app, uri = _state["app"], page.file.src_uri
    if _is_notebook(page):  # rendered by mkdocs-jupyter, not Markdown
        page.meta.setdefault("description", app.notebook_description(uri))
        return markdown
    offset = _front_matter_lines(page, markdown)
    try:
        pagechecks.description(page.meta, src)
        markdown = app.before(markdown, uri, page.meta, offset)
        quizzes.check(markdown, src, offset)
        checkpoints.check(markdown, src, offset)
        expanded, refs = references.expand(
            markdown, src=src, page_uri=page.file.src_uri, index=_state["index"],
            line_offset=offset)
        # Last: it adds lines, and the passes before it report line numbers.
        expanded = nav.expand(expanded, src=src, page_uri=page.file.src_uri,
                              nav=config["nav"], docs=Path(config["docs_dir"]),
                              line_offset=offset)
        expanded = app.after(expanded, uri, offset)
    except BookError as exc:
        raise PluginError(f"\n{exc}") from None
    _state["used"] |= refs.figures | refs.tables
    _state["pages"] += 1
    return expanded


def on_page_content(html, page, config, files):
    if not _is_notebook(page):
        return html
    try:
        return nbpage.polish(html, page.url, page.file.src_uri)
    except BookError as exc:
        raise PluginError(f"\n{exc}") from None


def _is_notebook(page) -> bool:
    return page.file.src_uri.endswith("/" + notebooks.NAME)


def on_post_page(output, page, config):
    return pageassets.drop_unused_katex(output)


def on_post_template(output, template_name, config):
    """Static pages (404.html) come from templates, not pages."""
    return pageassets.drop_unused_katex(output) if template_name.endswith(".html") \
        else output


def on_post_build(config):
    try:
        sitecheck.require_clean(Path(config["site_dir"]))
    except BookError as exc:
        raise PluginError(f"\n{exc}") from None
    index = _state["index"]
    for orphan in index.orphans:
        log.warning("%s: no snippet produces this file any more; delete it "
                    "(git rm %s)", orphan, orphan)
    if _state["pages"] < _count_markdown_pages(config):
        return  # a partial (dirty) rebuild cannot tell what is unused
    try:
        _state["app"].check_unused()
        pagechecks.artefact_words(index, _state["used"])
        pagechecks.snippet_words(ROOT)
    except BookError as exc:
        raise PluginError(f"\n{exc}") from None
    for name, art in sorted(index.artefacts.items()):
        if art.kind in ("figure", "table") and name not in _state["used"]:
            log.warning("%s: the %s '%s' is not shown on any page; add "
                        "{{%s:%s}} to a lesson or delete the snippet", art.snippet.rel,
                        art.kind, name, art.kind, name)


def _count_markdown_pages(config) -> int:
    return sum(1 for _ in Path(config["docs_dir"]).rglob("*.md"))


def _front_matter_lines(page, markdown: str) -> int:
    """Lines MkDocs stripped from the top (YAML front matter), for line numbers."""
    try:
        raw = Path(page.file.abs_src_path).read_text(encoding="utf-8")
    except (TypeError, OSError):
        return 0
    return max(0, raw.count("\n") - markdown.count("\n"))

