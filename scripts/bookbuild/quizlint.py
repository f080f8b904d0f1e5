"""Find answer-position and answer-length bias in a page's quizzes.

A reader who notices that the right answer is usually the second option, or usually
the longest, can pass a quiz without knowing the material. mkdocs-quiz shuffles the
options in the browser (``shuffle_answers``), but print, screen readers that read
the source order, and readers without JavaScript still see the source order, so the
source order must be fair too. For every page this reports where the correct answer
sits among its options and whether it is the longest, and flags a page where

- one position holds the correct answer in more than half of its questions, or
- the correct answer is the longest option in more than half of its questions.

Only single-answer multiple-choice quizzes count (multi-select and fill-in-the-blank
ones have no single position). A page needs ``MIN_QUESTIONS`` of them to be judged.

    .venv/bin/python -m scripts.bookbuild.quizlint [PATH ...]   # default: docs/

prints one line per page and exits 1 if any page is biased.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .quizzes import ANSWER, BLANK, FENCE

MIN_QUESTIONS = 3
MAX_SHARE = 0.5
FACT = re.compile(r"\{\{\s*fact\s*:[^}]*\}\}")
MARKUP = re.compile(r"[*_`\\]|\\[()\[\]]")


@dataclass
class Question:
    line: int              # 1-based line of the <quiz> tag
    options: list[str]     # answer texts, in source order
    correct: int           # 0-based position of the correct answer

    @property
    def correct_is_longest(self) -> bool:
        lengths = [visible_length(o) for o in self.options]
        mine = lengths.pop(self.correct)
        return all(mine > other for other in lengths)


@dataclass
class PageReport:
    src: str
    questions: list[Question] = field(default_factory=list)

    @property
    def positions(self) -> Counter:
        return Counter(q.correct + 1 for q in self.questions)

    @property
    def longest(self) -> int:
        return sum(q.correct_is_longest for q in self.questions)

    def problems(self) -> list[str]:
        n = len(self.questions)
        if n < MIN_QUESTIONS:
            return []
        found = []
        position, count = self.positions.most_common(1)[0]
        if count > MAX_SHARE * n:
            lines = ", ".join(str(q.line) for q in self.questions
                              if q.correct + 1 == position)
            found.append(f"the correct answer is option {position} in {count} of {n} "
                         f"questions (lines {lines}); move some of them")
        if self.longest > MAX_SHARE * n:
            lines = ", ".join(str(q.line) for q in self.questions
                              if q.correct_is_longest)
            found.append(f"the correct answer is the longest option in "
                         f"{self.longest} of {n} questions (lines {lines}); shorten "
                         "it or give the wrong answers the same care")
        return found

    def summary(self) -> str:
        n = len(self.questions)
        spread = " ".join(f"{p}:{c}" for p, c in sorted(self.positions.items()))
        verdict = "; ".join(self.problems()) or (
            "ok" if n >= MIN_QUESTIONS
            else f"too few questions to judge (<{MIN_QUESTIONS})")
        return (f"{self.src}: {n} questions; correct at position {spread or '-'}; "
                f"correct is longest in {self.longest}; {verdict}")


def visible_length(answer: str) -> int:
    """Characters the reader sees, roughly: a fact renders as about five."""
    return len(MARKUP.sub("", FACT.sub("00000", answer)).strip())


def audit(markdown: str, src: str) -> PageReport:
    report = PageReport(src)
    for line, body in _quiz_bodies(markdown):
        if BLANK.search("\n".join(body)):
            continue
        answers = [m for text in body if (m := ANSWER.match(text))]
        marks = [m.group(1) in ("x", "X") for m in answers]
        if sum(marks) != 1:
            continue
        report.questions.append(Question(line, [m.group(2) for m in answers],
                                         marks.index(True)))
    return report


def _quiz_bodies(markdown: str):
    lines = markdown.split("\n")
    start = None
    fence = None
    for i, line in enumerate(lines):
        if m := FENCE.match(line):
            fence = None if fence else m.group(1)
            continue
        if fence:
            continue
        if "<quiz>" in line:
            start = i
        if "</quiz>" in line and start is not None:
            body = lines[start:i + 1]
            body[0] = body[0].split("<quiz>", 1)[1]
            body[-1] = body[-1].split("</quiz>", 1)[0]
            yield start + 1, body
            start = None


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [Path("docs")]
    pages = sorted(p for path in paths
                   for p in ([path] if path.is_file() else path.rglob("*.md")))
    biased = 0
    for page in pages:
        report = audit(page.read_text(encoding="utf-8"), page.as_posix())
        if report.questions:
            print(report.summary())
            biased += bool(report.problems())
    if biased:
        print(f"{biased} page(s) with biased quizzes", file=sys.stderr)
    return 1 if biased else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
