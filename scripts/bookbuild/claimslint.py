"""List sentences that compare without a fact or claim behind them.

Comparative words ("same", "exactly", "half", "under", "×", …) make a promise that a
number or a measurement must keep. A sentence that uses one and carries no
``{{fact:…}}`` or ``{{claim:…}}`` reference is shown here so a reviewer can decide:
back it with a claim, or leave it (some comparisons are definitions, not
measurements). It reports; it never fails the build.

    python -m scripts.bookbuild lint-claims [docs/…/index.md ...]
"""

from __future__ import annotations

import re
from pathlib import Path

WORDS = re.compile(
    r"\b(same|exactly|identical|under|at most|at least|twice|half|double[sd]?|"
    r"fewer|more than|less than|faster|slower|cheaper|smaller|larger|times as)\b"
    r"|×", re.I)
BACKED = re.compile(r"\{\{\s*(?:fact|claim)\s*:")
FENCE = re.compile(r"^\s*(```+|~~~+)")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*_(\[])")


def sentences(markdown: str):
    """(first line number, sentence) for the prose of a page: fenced code, quiz
    blocks, HTML lines, tables and reference-only lines are skipped."""
    fence = None
    quiz = False
    para: list[tuple[int, str]] = []

    def flush():
        if not para:
            return
        start = para[0][0]
        text = " ".join(line.strip() for _, line in para)
        para.clear()
        for sentence in SENTENCE_END.split(text):
            yield start, sentence

    for number, line in enumerate(markdown.split("\n"), start=1):
        if m := FENCE.match(line):
            fence = None if fence else m.group(1)
            yield from flush()
            continue
        if "<quiz>" in line:
            quiz = True
        if fence or quiz or line.lstrip().startswith(("|", "<", "{{", "!!!", "???",
                                                      "#", "---")):
            yield from flush()
            quiz = quiz and "</quiz>" not in line
            continue
        if not line.strip():
            yield from flush()
            continue
        para.append((number, line))
    yield from flush()


def unbacked(path: Path) -> list[str]:
    found = []
    for number, sentence in sentences(path.read_text(encoding="utf-8")):
        prose = re.sub(r"`[^`]*`", "", sentence)  # inline code is not a claim
        if WORDS.search(prose) and not BACKED.search(prose):
            found.append(f"{path}:{number}: {' '.join(sentence.split())}")
    return found


def lint(paths: list[Path]) -> list[str]:
    return [line for path in paths for line in unbacked(path)]
