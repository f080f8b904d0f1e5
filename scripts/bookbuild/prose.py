"""Walk a page's Markdown the way the reference passes do: skip fenced code blocks
and inline code spans, so pages can show the syntax without it being expanded."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

FENCE = re.compile(r"^\s*(```+|~~~+)")
CODE_SPAN = re.compile(r"(`+[^`]*`+)")


def prose_lines(markdown: str, line_offset: int = 0) -> Iterator[tuple[int, str]]:
    """(line number in the source file, line) for every line outside a fence."""
    fence: str | None = None
    for number, line in enumerate(markdown.split("\n"), start=1 + line_offset):
        m = FENCE.match(line)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield number, line


def replace_outside_code(line: str, pattern: re.Pattern,
                         fn: Callable[[re.Match], str]) -> str:
    parts = CODE_SPAN.split(line)
    for i in range(0, len(parts), 2):
        parts[i] = pattern.sub(fn, parts[i])
    return "".join(parts)


def without_code_spans(line: str) -> str:
    return "".join(CODE_SPAN.split(line)[::2])
