"""Check that every checkpoint shows its question and hides only its answer.

A checkpoint asks the reader to predict before reading on, so the question must be
on the page and the answer one click away:

    !!! question "Checkpoint: a model too big for its GPUs"
        The question, always visible. Predict before you open the answer.

        ??? success "Answer"
            The answer, collapsed until the reader opens it.

Any admonition or details block whose title starts with "Checkpoint" is checked: it
must be an open ``!!!`` block, hold question text, and end with exactly one collapsed
``??? success "Answer"`` block (``???+`` would show it). Every mistake is reported
with the page's file and line, all at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import BookError

BLOCK = re.compile(r'^(?P<indent>\s*)(?P<marker>!!!|\?\?\?\+?)\s+(?P<kind>[\w-]+)'
                   r'(?:\s+[\w-]+)*(?:\s+"(?P<title>[^"]*)")?\s*$')
FENCE = re.compile(r"^\s*(```+|~~~+)")
ANSWER_IN_TEXT = re.compile(r"\*\*\s*Answer\b|^\s*Answer\s*[.:]", re.IGNORECASE)
SYNTAX = ('!!! question "Checkpoint: …" with the question, then a nested '
          '??? success "Answer" block holding the answer')


@dataclass
class Block:
    line: int         # 0-based index into the page's lines
    indent: int
    marker: str       # "!!!", "???" or "???+"
    kind: str
    title: str
    end: int          # index one past the block's last body line


def check(markdown: str, src: str, line_offset: int = 0) -> int:
    """Raise BookError for every malformed checkpoint; return how many there are."""
    lines = markdown.split("\n")
    blocks = _blocks(lines)
    errors: list[str] = []
    count = 0
    for block in blocks:
        if not block.title.strip().lower().startswith("checkpoint"):
            continue
        count += 1
        where = f"{src}:{block.line + 1 + line_offset}"
        errors += [f"{where}: checkpoint '{block.title}': {p}"
                   for p in _problems(block, blocks, lines)]
    if errors:
        raise BookError("\n".join(errors) + f"\nA checkpoint is written as {SYNTAX}.")
    return count


def _problems(cp: Block, blocks: list[Block], lines: list[str]) -> list[str]:
    if cp.marker != "!!!":
        return [f"'{cp.marker}' collapses the question together with its answer; "
                "start the checkpoint with '!!!' so the question stays visible"]
    inside = [b for b in blocks if cp.line < b.line < cp.end]
    # Direct children sit one level in; deeper blocks belong to a child.
    children = [b for b in inside if b.indent == min(c.indent for c in inside)]
    answers = [b for b in children if b.title.strip().lower().startswith("answer")]
    problems = []
    if len(answers) != 1:
        return [f"it needs exactly one nested '??? success \"Answer\"' block, found "
                f"{len(answers)}"]
    answer = answers[0]
    if answer.marker != "???":
        problems.append(f"its answer block starts with '{answer.marker}', which shows "
                        "the answer; use '???' so it stays collapsed")
    question = [ln for ln in lines[cp.line + 1:answer.line] if ln.strip()]
    if not question:
        problems.append("the question is missing: write it before the Answer block")
    elif any(ANSWER_IN_TEXT.search(ln) for ln in question):
        problems.append("the visible question part contains an answer; move it into "
                        "the collapsed Answer block")
    after = [ln for ln in lines[answer.end:cp.end] if ln.strip()]
    if after:
        problems.append("text follows the Answer block inside the checkpoint; put "
                        "the whole answer inside it")
    if not any(ln.strip() for ln in lines[answer.line + 1:answer.end]):
        problems.append("the Answer block is empty")
    return problems


def _blocks(lines: list[str]) -> list[Block]:
    """Every admonition/details opening line outside code fences, with its extent."""
    found: list[Block] = []
    fence: str | None = None
    for i, line in enumerate(lines):
        if m := FENCE.match(line):
            marker = m.group(1)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence is not None:
            continue
        if m := BLOCK.match(line):
            indent = len(m.group("indent").expandtabs(4))
            found.append(Block(i, indent, m.group("marker"), m.group("kind"),
                               m.group("title") or "", _end(lines, i, indent)))
    return found


def _end(lines: list[str], start: int, indent: int) -> int:
    """One past the last line of the block opened at `start` (blank lines inside it
    belong to it; the first less-indented text line ends it)."""
    end = start + 1
    for j in range(start + 1, len(lines)):
        text = lines[j]
        if not text.strip():
            continue
        if len(text) - len(text.lstrip()) <= indent:
            break
        end = j + 1
    return end
