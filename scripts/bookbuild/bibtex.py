"""Read the book's BibTeX file (docs/references.bib) and format its entries.

A small, strict parser for the subset of BibTeX the book uses, so the build needs no
extra package and every mistake is reported with the file and line:

    @article{key,            % also @inproceedings, @misc, @techreport, @book
      author = {Last, First and Last, First and others},
      title  = {Title, {Protected} Capitals Kept},
      year   = {2023},
      ...
    }

Values are written in braces or double quotes, or as bare digits. Text is UTF-8:
write "é", not "{\\'e}"; the only LaTeX accepted is brace protection, ``\\&`` and
``--`` (an en dash). ``@comment``, ``@string`` and ``@preamble`` are rejected rather
than half-supported. Every entry needs author, title and year, the fields its type
needs (journal, booktitle, institution, publisher or howpublished), and a way to find
it: an arXiv id (``eprint``), a ``doi`` or a ``url``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import BookError

TYPES = {
    "article": ("journal",),
    "inproceedings": ("booktitle",),
    "misc": ("howpublished",),
    "techreport": ("institution",),
    "book": ("publisher",),
}
ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}")
KEY = re.compile(r"[A-Za-z][\w:.-]*")
FIELD_NAME = re.compile(r"[A-Za-z]+")


@dataclass
class Entry:
    key: str
    type: str
    fields: dict[str, str]
    line: int
    label: str = ""          # "Vaswani et al., 2017"; set by `label_entries`
    suffix: str = ""         # "a", "b" when two entries share authors and year
    authors: list[tuple[str, str]] = field(default_factory=list)  # (last, first)

    @property
    def year(self) -> str:
        return self.fields["year"] + self.suffix

    @property
    def short_authors(self) -> str:
        lasts = [last for last, _ in self.authors]
        if self.fields["author"].rstrip().endswith("and others") or len(lasts) > 2:
            return f"{lasts[0]} et al."
        return " and ".join(lasts)


def parse(text: str, path: str) -> dict[str, Entry]:
    """Entries by key. `path` names the file in error messages."""
    entries: dict[str, Entry] = {}
    pos = 0
    while (at := text.find("@", pos)) != -1:
        line = text.count("\n", 0, at) + 1
        if text[pos:at].strip() and not _only_comments(text[pos:at]):
            raise BookError(f"{path}:{line}: text outside an entry before '@'; "
                            "start comment lines with '%'")
        m = re.compile(r"@([A-Za-z]+)\s*\{\s*").match(text, at)
        if not m:
            raise BookError(f"{path}:{line}: expected '@type{{key,' here")
        kind = m.group(1).lower()
        if kind not in TYPES:
            raise BookError(f"{path}:{line}: entry type '@{kind}' is not supported; "
                            f"use one of {', '.join('@' + t for t in TYPES)}")
        entry, pos = _entry(text, m.end(), kind, line, path)
        if entry.key in entries:
            raise BookError(f"{path}:{line}: key '{entry.key}' is defined twice "
                            f"(first at line {entries[entry.key].line})")
        entries[entry.key] = entry
    if text[pos:].strip() and not _only_comments(text[pos:]):
        raise BookError(f"{path}:{text.count(chr(10), 0, pos) + 1}: text after the "
                        "last entry; start comment lines with '%'")
    label_entries(entries)
    return entries


def _only_comments(chunk: str) -> bool:
    return all(not ln.strip() or ln.strip().startswith("%") for ln in chunk.split("\n"))


def _entry(text: str, pos: int, kind: str, line: int, path: str):
    key = KEY.match(text, pos)
    if not key:
        raise BookError(f"{path}:{line}: an entry key (letters, digits, ':', '.', "
                        "'-') must follow '{'")
    pos = _skip(text, key.end())
    fields: dict[str, str] = {}
    while True:
        if text.startswith("}", pos):
            pos += 1
            break
        if not text.startswith(",", pos):
            raise BookError(f"{path}:{_line(text, pos)}: expected ',' or '}}' in "
                            f"entry '{key.group()}'")
        pos = _skip(text, pos + 1)
        if text.startswith("}", pos):  # trailing comma
            pos += 1
            break
        name = FIELD_NAME.match(text, pos)
        if not name:
            raise BookError(f"{path}:{_line(text, pos)}: expected a field name in "
                            f"entry '{key.group()}'")
        pos = _skip(text, name.end())
        if not text.startswith("=", pos):
            raise BookError(f"{path}:{_line(text, pos)}: expected '=' after field "
                            f"'{name.group()}'")
        value, pos = _value(text, _skip(text, pos + 1), path)
        fname = name.group().lower()
        if fname in fields:
            raise BookError(f"{path}:{_line(text, pos)}: field '{fname}' appears "
                            f"twice in entry '{key.group()}'")
        fields[fname] = " ".join(value.split())
        pos = _skip(text, pos)
    entry = Entry(key.group(), kind, fields, line)
    _validate(entry, path)
    return entry, pos


def _value(text: str, pos: int, path: str) -> tuple[str, int]:
    if text.startswith("{", pos):
        depth, start = 0, pos
        for i in range(pos, len(text)):
            if text[i] == "{" and text[i - 1] != "\\":
                depth += 1
            elif text[i] == "}" and text[i - 1] != "\\":
                depth -= 1
                if depth == 0:
                    return text[start + 1:i], i + 1
        raise BookError(f"{path}:{_line(text, pos)}: unbalanced braces in a value")
    if text.startswith('"', pos):
        end = text.find('"', pos + 1)
        if end == -1:
            raise BookError(f"{path}:{_line(text, pos)}: unterminated '\"' value")
        return text[pos + 1:end], end + 1
    digits = re.compile(r"\d+").match(text, pos)
    if digits:
        return digits.group(), digits.end()
    raise BookError(f"{path}:{_line(text, pos)}: a value is written {{in braces}}, "
                    "\"in quotes\" or as digits (@string macros are not supported)")


def _validate(entry: Entry, path: str) -> None:
    where = f"{path}:{entry.line}: entry '{entry.key}'"
    f = entry.fields
    for name in ("author", "title", "year") + TYPES[entry.type]:
        if not f.get(name):
            raise BookError(f"{where} has no '{name}' (an @{entry.type} needs "
                            f"author, title, year, {', '.join(TYPES[entry.type])})")
    if not re.fullmatch(r"\d{4}", f["year"]):
        raise BookError(f"{where}: year '{f['year']}' is not four digits")
    if not (f.get("eprint") or f.get("doi") or f.get("url")):
        raise BookError(f"{where} gives no way to find it: add eprint (an arXiv "
                        "id), doi or url")
    if f.get("eprint") and not ARXIV_ID.fullmatch(f["eprint"]):
        raise BookError(f"{where}: eprint '{f['eprint']}' is not an arXiv id like "
                        "2104.09864")
    for name, value in f.items():
        bad = re.search(r"\\(?!&)[A-Za-z'`\"^~=.]", value)
        if bad:
            raise BookError(f"{where}: field '{name}' uses the LaTeX command "
                            f"'{value[bad.start():bad.start() + 6]}…'; write the "
                            "character itself in UTF-8")
    entry.authors = [_name(a.strip(), where) for a in
                     re.split(r"\s+and\s+", f["author"]) if a.strip() != "others"]


def _name(author: str, where: str) -> tuple[str, str]:
    if author.startswith("{") and author.endswith("}"):
        return author[1:-1].replace("{", "").replace("}", ""), ""  # {Hugging Face}
    author = author.replace("{", "").replace("}", "")
    if "," in author:
        last, first = (part.strip() for part in author.split(",", 1))
        return last, first
    if " " not in author:
        return author, ""  # a corporate or single name, e.g. "DeepSeek-AI"
    raise BookError(f"{where}: write the author '{author}' as 'Last, First' so the "
                    "surname is unambiguous")


def label_entries(entries: dict[str, Entry]) -> None:
    """Author–year labels, with a/b suffixes where two entries would look alike."""
    groups: dict[tuple[str, str], list[Entry]] = {}
    for e in entries.values():
        groups.setdefault((e.short_authors, e.fields["year"]), []).append(e)
    for (_, _), group in groups.items():
        group.sort(key=lambda e: text(e.fields["title"]).lower())
        for i, e in enumerate(group):
            e.suffix = "abcdefghijklmnopqrstuvwxyz"[i] if len(group) > 1 else ""
            e.label = f"{e.short_authors}, {e.year}"


def text(value: str) -> str:
    """A field as plain text: brace protection removed, \\& and -- rendered."""
    return value.replace("{", "").replace("}", "").replace("\\&", "&") \
        .replace("---", "—").replace("--", "–")


def _skip(text_: str, pos: int) -> int:
    while pos < len(text_) and text_[pos].isspace():
        pos += 1
    return pos


def _line(text_: str, pos: int) -> int:
    return text_.count("\n", 0, pos) + 1
