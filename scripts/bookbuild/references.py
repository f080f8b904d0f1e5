"""Expand the book's references in a page's Markdown.

    {{fact:NAME}}          the fact's display text, e.g. "42.9 GB"
    {{fact:NAME:bare}}     the number without its unit
    {{claim:NAME}}         the words of a claim the snippet checked, e.g. "about
                           half the FLOPs of" (see ``Book.claim``)
    {{figure:NAME}}        on its own line: light + dark images, caption, and a
                           collapsible block with the code regions that drew it
    {{figure:NAME | caption}}  the same with the page's own caption
    {{table:NAME}}         on its own line: the generated Markdown table + caption

References inside fenced code blocks and inline code are left alone, so pages can show
the syntax. Every unknown name or malformed reference is reported with the page's
file and line, all at once.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from . import BookError
from .engine import Index

REFERENCE = re.compile(r"\{\{\s*([a-z]+)\s*:\s*([^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}")
FENCE = re.compile(r"^\s*(```+|~~~+)")
SECTION_START = re.compile(r"--8<--\s*\[start:([\w-]+)\]")
SECTION_END = re.compile(r"--8<--\s*\[end:([\w-]+)\]")


@dataclass
class PageRefs:
    """What one page referenced, for the unused-figure check."""

    figures: set[str] = field(default_factory=set)
    tables: set[str] = field(default_factory=set)


def expand(markdown: str, *, src: str, page_uri: str, index: Index,
           line_offset: int = 0) -> tuple[str, PageRefs]:
    """Return the page with references replaced. `src` is for messages ("docs/…")."""
    refs = PageRefs()
    errors: list[str] = []
    out: list[str] = []
    fence: str | None = None
    for number, line in enumerate(markdown.split("\n"), start=1 + line_offset):
        m = FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            out.append(line)
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        where = f"{src}:{number}"
        try:
            out.append(_expand_line(line, where, page_uri, index, refs))
        except BookError as exc:
            errors.append(str(exc))
            out.append(line)
    if errors:
        raise BookError("\n".join(errors))
    return "\n".join(out), refs


def _expand_line(line: str, where: str, page_uri: str, index: Index,
                 refs: PageRefs) -> str:
    if "{{" not in line:
        return line
    # Split off inline code spans so `{{fact:x}}` in backticks stays literal.
    parts = re.split(r"(`+[^`]*`+)", line)
    block = REFERENCE.fullmatch(line.strip())
    if block and block.group(1) == "lessons":
        return line  # the nav's lesson lists: expanded by nav.expand, after this pass
    if block and block.group(1) in ("figure", "table"):
        indent = line[: len(line) - len(line.lstrip())]
        kind, name, caption = block.groups()
        text = _block(kind, name, caption, where, page_uri, index, refs)
        return "\n".join(indent + ln if ln else ln for ln in text.split("\n"))
    for i in range(0, len(parts), 2):
        parts[i] = REFERENCE.sub(lambda m: _inline(m, where, index), parts[i])
        if "{{" in parts[i]:
            raise BookError(f"{where}: malformed reference near "
                            f"{parts[i][parts[i].index('{{'):][:40]!r}; the forms are "
                            "{{fact:name}}, {{claim:name}}, {{figure:name}} and "
                            "{{table:name}}")
    return "".join(parts)


def _inline(m: re.Match, where: str, index: Index) -> str:
    kind, name, option = m.groups()
    if kind in ("figure", "table"):
        raise BookError(f"{where}: {{{{{kind}:{name}}}}} must stand on a line of "
                        "its own")
    if kind == "claim":
        claim = index.claims.get(name)
        if claim is None or option is not None:
            raise BookError(f"{where}: unknown claim '{name}'." + _suggest(
                name, index.claims) + " Claims are published by book.claim() in a "
                "snippet under snippets/.")
        return claim["text"]
    if kind != "fact":
        raise BookError(f"{where}: unknown reference kind '{kind}' (use fact, claim, "
                        "figure or table)")
    fact_name, _, variant = name.partition(":")
    fact = index.facts.get(fact_name)
    if fact is None:
        raise BookError(f"{where}: unknown fact '{fact_name}'." + _suggest(
            fact_name, index.facts) + " Facts are published by book.fact() in a "
            "snippet under snippets/.")
    if option is not None or variant not in ("", "bare"):
        raise BookError(f"{where}: fact '{fact_name}': the only variant is ':bare'")
    return fact.bare if variant == "bare" else fact.text


def _block(kind, name, caption, where, page_uri, index, refs) -> str:
    art = index.artefacts.get(name)
    if art is None or art.kind != kind:
        known = {n: a for n, a in index.artefacts.items() if a.kind == kind}
        raise BookError(f"{where}: unknown {kind} '{name}'." + _suggest(name, known)
                        + f" A {kind} named X is made by snippets/<folder>/X.py.")
    caption = caption or art.meta["caption"]
    caption = REFERENCE.sub(lambda m: _inline(m, where, index), caption)
    base = posixpath.dirname(page_uri)
    rel = {f.rsplit(".", 2)[-2] if kind == "figure" else "md":
           posixpath.relpath(f, base or ".") for f in art.files}
    if kind == "table":
        refs.tables.add(name)
        table = (art.snippet.out_dir / f"{name}.md").read_text(encoding="utf-8")
        return (f'<figure class="book-table" id="table-{name}" markdown="1">\n'
                f'<figcaption markdown="span">{caption}</figcaption>\n\n'
                f"{table.strip()}\n\n</figure>\n\n"
                + _code_block(art, "table", base))
    refs.figures.add(name)
    alt = _escape_alt(art.meta["alt"])
    return (
        f'<figure class="book-figure" id="figure-{name}" markdown="1">\n'
        f"![{alt}]({rel['light']}#only-light){{ loading=lazy }}\n"
        f"![{alt}]({rel['dark']}#only-dark){{ loading=lazy }}\n"
        f'<figcaption markdown="span">{caption}</figcaption>\n'
        f"</figure>\n\n" + _code_block(art, "figure", base)
    )


def _code_block(art, kind: str, page_dir: str) -> str:
    """A collapsed block that includes the snippet's marked regions, in file order,
    and links the whole file (the hook publishes snippet sources with the site)."""
    rel = art.snippet.rel
    link = posixpath.relpath(rel, page_dir or ".")
    sections = snippet_sections(art.snippet.path.read_text(encoding="utf-8"), rel)
    if not sections:
        raise BookError(f"{rel}: no region is marked for readers; wrap the code that "
                        f"computes and draws the {kind} in '# --8<-- [start:NAME]' / "
                        "'# --8<-- [end:NAME]' lines")
    includes = "\n".join(f'    --8<-- "{rel}:{s}"' for s in sections)
    return (f'??? example "The code behind this {kind}: `{rel}`"\n'
            f'    ```python\n{includes}\n    ```\n\n'
            f"    The whole file: [{rel}]({link}).\n")


def snippet_sections(source: str, rel: str) -> list[str]:
    """Names of the marked regions, checked: each start has one end, after it."""
    open_at: dict[str, int] = {}
    order: list[str] = []
    for number, line in enumerate(source.splitlines(), start=1):
        if m := SECTION_START.search(line):
            name = m.group(1)
            if name in open_at or name in order:
                raise BookError(f"{rel}:{number}: region '{name}' starts twice")
            open_at[name] = number
            order.append(name)
        elif m := SECTION_END.search(line):
            name = m.group(1)
            if name not in open_at:
                raise BookError(f"{rel}:{number}: region '{name}' ends but never "
                                "started")
            del open_at[name]
    for name, number in open_at.items():
        raise BookError(f"{rel}:{number}: region '{name}' has no "
                        f"'# --8<-- [end:{name}]' line; without it the include would "
                        "silently run to the end of the file")
    return order


def _escape_alt(alt: str) -> str:
    return " ".join(alt.split()).replace("[", "\\[").replace("]", "\\]")


def _suggest(name: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
    return f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
