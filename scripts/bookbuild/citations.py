"""Citations from docs/references.bib: in-text references, per-page reference lists,
and the book's bibliography.

    {{cite:vaswani2017}}             (Vaswani et al., 2017), linked to the entry
    {{cite:ainslie2023,shazeer2019}} (Ainslie et al., 2023; Shazeer, 2019)
    {{cite:jiang2024 | Section 5}}   (Jiang et al., 2024, Section 5)
    {{citet:geva2021}}               Geva et al. (2021), for a sentence's subject
    {{bibliography:all}}             on its own line: every entry, with the pages
                                     that cite it (the bibliography page)

A page that cites anything ends with a generated "References" section listing the
works it cites, each with the anchor ``#ref-KEY`` the in-text links point to. An
unknown key fails the build with the page and line and the nearest known keys; an
entry that no page cites fails it too, so the .bib file holds only what the book
uses.
"""

from __future__ import annotations

import difflib
import html
import posixpath
import re

from . import BookError
from .bibtex import Entry, text
from .prose import prose_lines, replace_outside_code

CITE = re.compile(r"\{\{\s*(cite|citet)\s*:\s*([^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}")
BIBLIOGRAPHY = re.compile(r"^[ \t]*\{\{\s*bibliography\s*:\s*all\s*\}\}[ \t]*$")
MAX_AUTHORS = 5  # more than this: the first three, then "et al."


def keys_cited(markdown: str, src: str, entries: dict[str, Entry],
               line_offset: int = 0) -> list[str]:
    """Keys a page cites, in order of first citation; unknown keys raise."""
    keys: list[str] = []
    errors: list[str] = []
    for number, line in prose_lines(markdown, line_offset):
        for m in _cites_outside_code(line):
            for key in _split_keys(m.group(2)):
                if key not in entries:
                    errors.append(f"{src}:{number}: unknown citation key '{key}'."
                                  + _suggest(key, entries)
                                  + " Keys are defined in docs/references.bib.")
                elif key not in keys:
                    keys.append(key)
    if errors:
        raise BookError("\n".join(errors))
    return keys


def expand(markdown: str, *, src: str, entries: dict[str, Entry],
           line_offset: int = 0) -> str:
    """Replace {{cite:…}} / {{citet:…}} with linked author–year citations. Line
    count is unchanged, so later passes still report the right line numbers."""
    keys_cited(markdown, src, entries, line_offset)  # reports every unknown key
    out = markdown.split("\n")
    for number, line in prose_lines(markdown, line_offset):
        if "{{" in line:
            out[number - 1 - line_offset] = replace_outside_code(
                line, CITE, lambda m: _in_text(m, entries, f"{src}:{number}"))
    return "\n".join(out)


def _cites_outside_code(line: str):
    parts = re.split(r"(`+[^`]*`+)", line)
    for part in parts[::2]:
        yield from CITE.finditer(part)


def _split_keys(raw: str) -> list[str]:
    return [k.strip() for k in raw.split(",") if k.strip()]


def _in_text(m: re.Match, entries: dict[str, Entry], where: str) -> str:
    kind, raw, locator = m.groups()
    keys = _split_keys(raw)
    if not keys:
        raise BookError(f"{where}: {{{{{kind}:}}}} names no key")
    if locator and len(keys) > 1:
        raise BookError(f"{where}: a locator ('| {locator}') needs a single key")
    tail = f", {locator}" if locator else ""
    if kind == "cite":
        inner = "; ".join(f"[{entries[k].label}{tail}](#ref-{k})" for k in keys)
        return f"({inner})"
    parts = [f"[{entries[k].short_authors} ({entries[k].year}{tail})](#ref-{k})"
             for k in keys]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def references_section(keys: list[str], entries: dict[str, Entry]) -> str:
    """The "References" section appended to a page that cites `keys`."""
    ordered = sorted(keys, key=lambda k: _sort_key(entries[k]))
    items = "\n".join(f"- {format_entry(entries[k])}" for k in ordered)
    return (f"\n\n## References {{ #references }}\n\n"
            f'<div class="book-references" markdown="1">\n\n{items}\n\n</div>\n')


def bibliography(entries: dict[str, Entry], cited_on: dict[str, list[tuple[str, str]]],
                 page_uri: str) -> str:
    """Every entry, sorted, each followed by links to the pages that cite it.
    `cited_on` maps key -> [(page src_uri, page title)]."""
    base = posixpath.dirname(page_uri) or "."
    items = []
    for e in sorted(entries.values(), key=_sort_key):
        pages = ", ".join(f"[{title}]({posixpath.relpath(uri, base)}#ref-{e.key})"
                          for uri, title in cited_on.get(e.key, []))
        items.append(f"- {format_entry(e)} Cited in: {pages}.")
    return ('<div class="book-references" markdown="1">\n\n'
            + "\n".join(items) + "\n\n</div>")


def format_entry(e: Entry) -> str:
    """One entry as a Markdown line: authors (year). Title. Venue. Link."""
    f = e.fields
    venue = {
        "article": lambda: f"*{_md(f['journal'])}*" + (
            f" {f['volume']}" if f.get("volume") else "") + (
            f"({f['number']})" if f.get("number") else "") + (
            f", {text(f['pages'])}" if f.get("pages") else ""),
        "inproceedings": lambda: f"In *{_md(f['booktitle'])}*",
        "misc": lambda: _md(f["howpublished"]),
        "techreport": lambda: f"Technical report, {_md(f['institution'])}",
        "book": lambda: _md(f["publisher"]),
    }[e.type]()
    if f.get("eprint"):
        link = f"[arXiv:{f['eprint']}](https://arxiv.org/abs/{f['eprint']})"
    elif f.get("doi"):
        link = f"[doi:{f['doi']}](https://doi.org/{f['doi']})"
    else:
        link = f"[{_md(_short_url(f['url']))}]({f['url']})"
    title = _md(text(f["title"])).rstrip(".")
    return (f'<span class="book-ref" id="ref-{e.key}"></span>'
            f"{_md(_authors(e))} ({e.year}). {title}. {venue}. {link}.")


def _authors(e: Entry) -> str:
    names = [f"{last}, {_initials(first)}" if first else last
             for last, first in e.authors]
    etal = e.fields["author"].rstrip().endswith("and others")
    if etal or len(names) > MAX_AUTHORS:
        return ", ".join(names[:3]) + ", et al."
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _initials(first: str) -> str:
    words = first.replace(".", ". ").split()
    return " ".join("-".join(p[0] + "." for p in w.split("-") if p) for w in words)


def _sort_key(e: Entry):
    return (e.authors[0][0].lower(), e.year, text(e.fields["title"]).lower())


def _short_url(url: str) -> str:
    return re.sub(r"^https?://", "", url).rstrip("/")


def _md(value: str) -> str:
    """Plain text made safe inside Markdown: no emphasis, links or raw HTML."""
    value = html.escape(text(value), quote=False)
    return re.sub(r"([*_\[\]`])", r"\\\1", value)


def _suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
