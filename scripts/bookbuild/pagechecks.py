"""Checks on what a student reads.

- ``editorial_words``: student-facing pages never mention the documents the book was
  made from (lesson plans, review records, course notes), which a reader never saw.
  Quoted numbers are attributed to a public source by citation, or to "a figure often
  quoted". Editorial pages (``review.md``, and pages whose front matter says
  ``editorial: true``) are exempt. Figure captions, alt text and fact text are
  checked too, since they are shown on the pages, and so are snippet sources, which
  the site publishes.
- ``description``: every page has a ``description:`` in its front matter (the search
  snippet and the Open Graph card use it).
"""

from __future__ import annotations

import re

from . import BookError
from .prose import without_code_spans

EDITORIAL_WORDS = re.compile(
    r"\b((?:lesson|module)[- ]plans?|the plan(?:'s)?|plan says|the records?|"
    r"(?:review|module|lesson) records?|course notes|our notes|some notes|these notes|"
    r"the notes)\b", re.IGNORECASE)
MAX_DESCRIPTION = 200  # characters; search engines cut longer ones


def is_editorial(src_uri: str, meta: dict) -> bool:
    return src_uri.endswith("review.md") or bool(meta.get("editorial"))


def editorial_words(markdown: str, src: str, line_offset: int = 0) -> None:
    """Fail on any mention of plans, records or notes, with page:line."""
    errors = []
    for number, line in enumerate(markdown.split("\n"), start=1 + line_offset):
        if m := EDITORIAL_WORDS.search(without_code_spans(line)):
            errors.append(f"{src}:{number}: '{m.group(0)}' refers to a document the "
                          "reader never saw; cite a public source ({{cite:KEY}}) or "
                          "say \"a figure often quoted\"")
    if errors:
        raise BookError("\n".join(errors))


def artefact_words(index, used: set[str]) -> None:
    """The same check over the captions, alt text and facts that pages show."""
    errors = []
    for name, art in sorted(index.artefacts.items()):
        if name not in used:
            continue
        for key in ("caption", "alt"):
            if m := EDITORIAL_WORDS.search(art.meta.get(key) or ""):
                errors.append(f"{art.snippet.rel}: the {key} of {art.kind} '{name}' "
                              f"says '{m.group(0)}'; student pages never mention "
                              "plans, records or notes")
    for name, fact in sorted(index.facts.items()):
        if m := EDITORIAL_WORDS.search(fact.text):
            errors.append(f"{index.fact_origin.get(name, 'snippets/')}: fact "
                          f"'{name}' reads '{fact.text}', which mentions "
                          f"'{m.group(0)}'")
    if errors:
        raise BookError("\n".join(errors))


def snippet_words(root) -> None:
    """Snippet sources are published with the site (the code behind each figure),
    so their comments and strings follow the same rule."""
    errors = []
    for path in sorted((root / "snippets").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
            if m := EDITORIAL_WORDS.search(line):
                errors.append(f"{rel}:{number}: '{m.group(0)}' refers to a document "
                              "the reader never saw; say \"often quoted\" instead")
    if errors:
        raise BookError("\n".join(errors))


def description(meta: dict, src: str) -> None:
    text = meta.get("description")
    if not isinstance(text, str) or not text.strip():
        raise BookError(f"{src}:1: the page has no description; add "
                        "'description: One sentence on what the reader learns here.' "
                        "to its front matter")
    if len(text) > MAX_DESCRIPTION:
        raise BookError(f"{src}:1: the description has {len(text)} characters; keep "
                        f"it under {MAX_DESCRIPTION}")
