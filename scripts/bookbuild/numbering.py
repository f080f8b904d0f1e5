"""Number figures, tables and display equations within their lesson, and resolve
references to them by name.

Numbers read "Figure 5.3.2-4": the lesson's number, a hyphen, and the position on
the page. The lesson's number comes from the nav (``lesson_numbers``): a module is a
top-level nav section whose first entry is ``<N.N-slug>/index.md`` (the number is the
folder's prefix); its lessons are its subsections whose first entry is
``<module>/<slug>/index.md``, numbered 1, 2, … in nav order. Reordering the nav
renumbers everything. Pages outside a lesson number their items 1, 2, ….

What gets a number, in page order:

    {{figure:NAME}}                     every figure (caption gets "Figure 5.3.2-1.")
    {{table:NAME}}                      every generated table
    {{label:table:NAME | Caption}}      on the line above a hand-written Markdown
                                        table: gives it a caption and a number
    \\[ … \\]                            every display equation, tagged "(5.3.2-1)";
    {{label:equation:NAME}}             on the line above one, makes it referable

and from prose, anywhere on the page:

    {{ref:figure:NAME}}                 "Figure 5.3.2-4", linked to the figure
    {{ref:table:NAME}} / {{ref:equation:NAME}}
    {{ref:figure:NAME@../long-context/index.md}}   an item on another page, named
                                        by the page's relative path as in a link

On a lesson page a Markdown table without a label line fails the build, and so does
a reference to an unknown name, or to an item that is on another page than the one
the reference says (page:line, with what to write instead).
"""

from __future__ import annotations

import difflib
import posixpath
from pathlib import Path
import re
from dataclasses import dataclass, field

from . import BookError
from .prose import FENCE, prose_lines, replace_outside_code

BLOCK = re.compile(r"^\s*\{\{\s*(figure|table)\s*:\s*([\w-]+)\s*(?:\|[^{}]*)?\}\}\s*$")
LABEL = re.compile(r"^(\s*)\{\{\s*label\s*:\s*([a-z]+)\s*:\s*([\w-]+)\s*"
                   r"(?:\|\s*(.*?)\s*)?\}\}\s*$")
REF = re.compile(r"\{\{\s*ref\s*:\s*([a-z]+)\s*:\s*([\w-]+)\s*(?:@\s*([^{}|\s]+)\s*)?"
                 r"\}\}")
TABLE_ROW = re.compile(r"^\s*\|")
TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
EQ_START = re.compile(r"^(\s*)\\\[")
PLACEHOLDER = re.compile(
    r"^(\s*)<!--book-label (table|equation) ([\w-]+) (\d+)-->(.*)$")
KINDS = ("figure", "table", "equation")
TITLES = {"figure": "Figure", "table": "Table", "equation": "Equation"}


def lesson_numbers(nav: list, docs: Path | None = None) -> dict[str, str]:
    """Lesson folder ("5.3-scaling-architecture/long-context") -> "5.3.2", from the
    nav (see ``nav.modules``: position, or the page's ``number:`` front matter)."""
    from .nav import modules

    return {posixpath.dirname(lesson.page): lesson.number
            for module in modules(nav or [], docs) for lesson in module.lessons}


@dataclass
class Item:
    kind: str
    name: str | None
    number: str          # "5.3.2-4" or "4"
    line: int

    @property
    def title(self) -> str:
        return f"{TITLES[self.kind]} {self.number}"


@dataclass
class PageItems:
    uri: str
    items: list[Item] = field(default_factory=list)

    def named(self, kind: str, name: str) -> Item | None:
        return next((i for i in self.items if i.kind == kind and i.name == name), None)


def scan(markdown: str, *, src: str, uri: str, prefix: str | None,
         line_offset: int = 0) -> PageItems:
    """Number a page's figures, tables and equations from its source Markdown.
    `prefix` is the lesson number, or None outside a lesson (which also allows
    Markdown tables without a label)."""
    page = PageItems(uri)
    counts = dict.fromkeys(KINDS, 0)
    errors: list[str] = []
    lines = list(prose_lines(markdown, line_offset))
    pending: tuple[str, str, int] | None = None  # a label waiting for its item
    previous_row = False

    def add(kind: str, name: str | None, number: int) -> None:
        counts[kind] += 1
        label = f"{prefix}-{counts[kind]}" if prefix else str(counts[kind])
        if name and page.named(kind, name):
            errors.append(f"{src}:{number}: {kind} '{name}' appears twice on this "
                          "page; each name can be numbered once per page")
        page.items.append(Item(kind, name, label, number))

    for i, (number, line) in enumerate(lines):
        is_row = bool(TABLE_ROW.match(line))
        if pending and line.strip() and not (
                (pending[0] == "equation" and EQ_START.match(line))
                or (pending[0] == "table" and is_row)):
            errors.append(f"{src}:{pending[2]}: "
                          f"{{{{label:{pending[0]}:{pending[1]}}}}} must stand right "
                          f"above the {pending[0]} it labels")
            pending = None
        if m := BLOCK.match(line):
            add(m.group(1), m.group(2), number)
        elif m := LABEL.match(line):
            kind, name = m.group(2), m.group(3)
            if kind not in ("table", "equation"):
                errors.append(f"{src}:{number}: {{{{label:{kind}:…}}}}: only tables "
                              "and equations take a label line (a figure is "
                              "numbered by its {{figure:NAME}} line)")
            elif kind == "table" and not m.group(4):
                errors.append(f"{src}:{number}: a table label needs a caption: "
                              f"{{{{label:table:{name} | What the table shows}}}}")
            else:
                pending = (kind, name, number)
        elif EQ_START.match(line):
            name = pending[1] if pending and pending[0] == "equation" else None
            add("equation", name, number)
            pending = None
        elif is_row and not previous_row:
            rule = lines[i + 1][1] if i + 1 < len(lines) else ""
            if TABLE_RULE.match(rule):
                if pending and pending[0] == "table":
                    add("table", pending[1], number)
                elif prefix:
                    errors.append(f"{src}:{number}: this Markdown table has no "
                                  "number; put {{label:table:NAME | Caption}} on "
                                  "the line above it")
                pending = None
        previous_row = is_row
    if pending:
        errors.append(f"{src}:{pending[2]}: {{{{label:{pending[0]}:{pending[1]}}}}} "
                      f"is not followed by a {pending[0]}")
    if errors:
        raise BookError("\n".join(errors))
    return page


def expand(markdown: str, *, src: str, page: PageItems, pages: dict[str, PageItems],
           line_offset: int = 0) -> str:
    """Resolve {{ref:…}} and turn label lines into placeholders for `finish`.
    The line count is unchanged, so later passes report the right lines."""
    out = markdown.split("\n")
    errors: list[str] = []
    for number, line in prose_lines(markdown, line_offset):
        if "{{" not in line:
            continue
        where = f"{src}:{number}"
        if m := LABEL.match(line):
            indent, kind, name, caption = m.groups()
            out[number - 1 - line_offset] = (f"{indent}<!--book-label {kind} {name} "
                                             f"{number}-->{caption or ''}")
            continue
        try:
            out[number - 1 - line_offset] = replace_outside_code(
                line, REF, lambda r: _ref(r, where, page, pages))
        except BookError as exc:
            errors.append(str(exc))
    if errors:
        raise BookError("\n".join(errors))
    return "\n".join(out)


def _ref(m: re.Match, where: str, page: PageItems, pages: dict[str, PageItems]) -> str:
    kind, name, target = m.groups()
    if kind not in KINDS:
        raise BookError(f"{where}: {{{{ref:{kind}:…}}}}: the kinds are "
                        f"{', '.join(KINDS)}")
    here = posixpath.dirname(page.uri)
    if target:
        uri = posixpath.normpath(posixpath.join(here, target))
        other = pages.get(uri)
        if other is None:
            raise BookError(f"{where}: {{{{ref:{kind}:{name}@{target}}}}}: no page "
                            f"'{uri}' in the book")
    else:
        uri, other = page.uri, page
    item = other.named(kind, name)
    if item is None:
        homes = [p.uri for p in pages.values() if p.named(kind, name)]
        if homes:
            at = posixpath.relpath(homes[0], here or ".")
            raise BookError(f"{where}: {kind} '{name}' is on {homes[0]}, not on "
                            f"{uri}; write {{{{ref:{kind}:{name}@{at}}}}}")
        known = {i.name for p in pages.values() for i in p.items
                 if i.kind == kind and i.name}
        close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise BookError(f"{where}: unknown {kind} '{name}'.{hint} Figures and tables "
                        "are named by their {{figure:NAME}} / {{table:NAME}} line, "
                        "equations and hand-written tables by {{label:KIND:NAME}}.")
    link = "" if uri == page.uri else posixpath.relpath(uri, here or ".")
    return f"[{item.title}]({link}#{kind}-{name})"


def finish(markdown: str, *, src: str, page: PageItems) -> str:
    """After the fact/figure/table pass: put numbers into captions, wrap labelled
    tables and equations in anchored blocks, tag every display equation."""
    lines = markdown.split("\n")
    out: list[str] = []
    numbered = [i for i in page.items if i.kind == "equation"]
    equations = iter(numbered + [None])
    awaiting_caption: Item | None = None
    close_table_at_end = None  # indent of an open labelled-table wrapper
    fence = None
    i = 0
    while i < len(lines):
        line = lines[i]
        f = FENCE.match(line)
        if fence is not None or f:
            if fence is None:
                fence = f.group(1)
            elif f and f.group(1)[0] == fence[0] and len(f.group(1)) >= len(fence):
                fence = None
            out.append(line)
            i += 1
            continue
        if close_table_at_end is not None and not TABLE_ROW.match(line):
            out += ["", f"{close_table_at_end}</figure>"]
            close_table_at_end = None
        if m := re.search(r'<figure class="book-(figure|table)" id="(?:figure|table)-'
                          r'([\w-]+)" markdown="1">', line):
            awaiting_caption = page.named(m.group(1), m.group(2))
        if awaiting_caption and '<figcaption markdown="span">' in line:
            number = f"**{awaiting_caption.title}.** "
            line = line.replace('<figcaption markdown="span">',
                                f'<figcaption markdown="span">{number}', 1)
            awaiting_caption = None
        if p := PLACEHOLDER.match(line):
            indent, kind, name, _, caption = p.groups()
            item = page.named(kind, name)
            if kind == "table":
                out += [f'{indent}<figure class="book-table" id="table-{name}" '
                        'markdown="1">',
                        f'{indent}<figcaption markdown="span">**{item.title}.** '
                        f"{caption}</figcaption>", ""]
                i += 1
                while i < len(lines) and not lines[i].strip():
                    i += 1
                close_table_at_end = indent
                continue
            out.append(f'{indent}<div class="book-equation" id="equation-{name}" '
                       'markdown="1">')
            i += 1
            end = _tag_equation(lines, i, next(equations), src)
            out += lines[i:end + 1] + [f"{indent}</div>"]
            i = end + 1
            continue
        if EQ_START.match(line):
            end = _tag_equation(lines, i, next(equations), src)
            out += lines[i:end + 1]
            i = end + 1
            continue
        out.append(line)
        i += 1
    if close_table_at_end is not None:
        out += ["", f"{close_table_at_end}</figure>"]
    return "\n".join(out)


def _tag_equation(lines: list[str], start: int, item: Item | None, src: str) -> int:
    """Insert \\tag{number} before the closing \\]; return the closing line's index."""
    if item is None:
        raise BookError(f"{src}:{start + 1}: a display equation appeared after "
                        "expansion that the numbering scan did not see (did a "
                        "fact or table insert '\\['?)")
    for j in range(start, len(lines)):
        col = lines[j].find("\\]")
        if col != -1:
            lines[j] = lines[j][:col] + f" \\tag{{{item.number}}}" + lines[j][col:]
            return j
    raise BookError(f"{src}:{item.line}: display equation never closed with \\]")
