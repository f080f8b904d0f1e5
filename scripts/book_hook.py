"""MkDocs hook: the book's build step, registered in mkdocs.yml under ``hooks:``.

On every ``mkdocs build`` / ``mkdocs serve`` rebuild it
1. re-runs the snippets whose inputs changed (scripts/bookbuild/engine.py),
2. adds figures/ and the snippet sources to the site so ``--strict`` checks every
   link to them, and a downloadable .ipynb beside each exercise notebook,
3. checks quizzes and expands {{lessons:…}} (from the nav), {{fact:…}},
   {{claim:…}}, {{figure:…}}, {{table:…}} in every page, with citations, numbering
   and page checks around it (bookbuild/apparatus.py),
4. warns (an error under --strict) about orphans: files in figures/ that no snippet
   makes, and figures that no page shows,
5. fails if the built HTML still shows raw book syntax (scripts/bookbuild/sitecheck).
Set BOOK_SKIP_SNIPPETS=1 to skip step 1 (the benchmark's "floor").
"""

from __future__ import annotations

import hashlib
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

from scripts.bookbuild import (BookError, engine, nav, quizzes,  # noqa: E402
                               references, sitecheck)
from scripts.bookbuild import apparatus, pagechecks  # noqa: E402
from scripts.bookbuild.deps import cache_key  # noqa: E402

log = logging.getLogger("mkdocs.hooks.book")
NOTEBOOK_NAME = "exercises.py"  # jupytext percent notebooks; see mkdocs.yml
_state: dict = {}


def on_config(config):
    _state.update(index=None, used=set(), pages=0)
    try:
        _state["app"] = apparatus.Apparatus(ROOT, config["docs_dir"], config["nav"])
    except BookError as exc:
        raise PluginError(f"\n{exc}") from None
    # Notebook kernels import `kernels` like snippets do.
    path = os.environ.get("PYTHONPATH", "")
    if str(ROOT) not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), path) if p)
    _make_notebook_cache_see_imports()
    return config


def on_pre_build(config):
    try:
        if os.environ.get("BOOK_SKIP_SNIPPETS") != "1":
            report = engine.refresh(ROOT, force=os.environ.get("BOOK_REBUILD") == "all",
                                    log=log.info)
            log.info("snippets: %d ran, %d cached (%.1f s)", len(report.ran),
                     len(report.cached), report.seconds)
        _state["index"] = engine.load_index(ROOT)
    except BookError as exc:
        raise PluginError(f"\n{exc}") from None


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
    for nb in sorted(Path(config["docs_dir"]).rglob(NOTEBOOK_NAME)):
        files.append(File.generated(
            config, nb.relative_to(config["docs_dir"]).with_suffix(".ipynb").as_posix(),
            content=_to_ipynb(nb)))
    pages = [apparatus.read_page(f.abs_src_path, f.src_uri)
             for f in files.documentation_pages() if f.src_uri.endswith(".md")]
    try:
        _state["app"].scan(pages)
    except BookError as exc:
        raise PluginError(f"\n{exc}") from None
    return files


@event_priority(100)  # before mkdocs-quiz, so quiz text can use facts
def on_page_markdown(markdown, page, config, files):
    src = f"{Path(config['docs_dir']).name}/{page.file.src_uri}"
    offset = _front_matter_lines(page, markdown)
    app, uri = _state["app"], page.file.src_uri
    try:
        if uri.endswith(NOTEBOOK_NAME):
            page.meta.setdefault("description", app.notebook_description(uri))
        pagechecks.description(page.meta, src)
        markdown = app.before(markdown, uri, page.meta, offset)
        quizzes.check(markdown, src, offset)
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


def _to_ipynb(path: Path) -> bytes:
    import jupytext

    return jupytext.writes(jupytext.read(path), fmt="ipynb").encode("utf-8")


def _make_notebook_cache_see_imports() -> None:
    """mkdocs-jupyter keys its execution cache on the notebook's bytes only; add the
    local modules the notebook imports, so editing a kernel re-executes it."""
    import mkdocs_jupyter.plugin as nbplugin

    original = getattr(nbplugin._compute_cache_key, "__wrapped__",
                       nbplugin._compute_cache_key)

    def key_with_imports(nb_path, config, exec_nb):
        deps = cache_key(Path(nb_path), ROOT, with_build_code=False)
        return hashlib.sha256((original(nb_path, config, exec_nb) + deps).encode()
                              ).hexdigest()

    key_with_imports.__wrapped__ = original
    nbplugin._compute_cache_key = key_with_imports
