"""Check ``<quiz>`` blocks before mkdocs-quiz renders them.

mkdocs-quiz reports some mistakes with a line number in the *rendered HTML*; this
check runs on the page source instead and also enforces the book's own rule that
every wrong answer explains why it is wrong (a ``> feedback`` line under it).
"""

from __future__ import annotations

import re

from . import BookError

ANSWER = re.compile(r"^\s*[-*]\s*\[([xX ]?)\]\s*(.*)$")
FEEDBACK = re.compile(r"^\s*>\s?(.*)$")
BLANK = re.compile(r"\[\[([^\]]+)\]\]")
FENCE = re.compile(r"^\s*(```+|~~~+)")


def check(markdown: str, src: str, line_offset: int = 0) -> int:
    """Raise BookError for every malformed quiz; return the number of quizzes."""
    errors: list[str] = []
    lines = markdown.split("\n")
    start: int | None = None
    fence = None
    count = 0
    for i, line in enumerate(lines):
        if m := FENCE.match(line):
            fence = None if fence else m.group(1)
            continue
        if fence:
            continue
        number = i + 1 + line_offset
        if "<quiz>" in line:
            if start is not None:
                opened = start + 1 + line_offset
                errors.append(f"{src}:{number}: <quiz> opened inside the quiz that "
                              f"starts at line {opened}; close it first")
            start = i
        if "</quiz>" in line:
            if start is None:
                errors.append(f"{src}:{number}: </quiz> without an opening <quiz>")
                continue
            body = lines[start:i + 1]
            body[0] = body[0].split("<quiz>", 1)[1]
            body[-1] = body[-1].split("</quiz>", 1)[0]
            errors += _check_one(body, f"{src}:{start + 1 + line_offset}")
            start = None
            count += 1
    if start is not None:
        errors.append(f"{src}:{start + 1 + line_offset}: <quiz> is never closed; add "
                      "</quiz> after its answers")
    if errors:
        raise BookError("\n".join(errors))
    return count


def _check_one(body: list[str], where: str) -> list[str]:
    text = "\n".join(body)
    if BLANK.search(text):
        return []  # fill-in-the-blank: the blanks are the answers
    answers = [(n, m) for n, line in enumerate(body) if (m := ANSWER.match(line))]
    question = "\n".join(body[: answers[0][0]] if answers else body).strip()
    problems = []
    if not question:
        problems.append("it has no question text before the answers")
    if len(answers) < 2:
        problems.append("it needs at least two '- [ ]' / '- [x]' answers")
    if answers and not any(m.group(1) in "xX" and m.group(1) for _, m in answers):
        problems.append("no answer is marked correct with '- [x]'")
    for n, m in answers:
        correct = m.group(1) in ("x", "X")
        following = body[n + 1] if n + 1 < len(body) else ""
        has_feedback = FEEDBACK.match(following)
        if following.strip() and not has_feedback and not ANSWER.match(following):
            problems.append(f"the answer {m.group(2)[:50]!r} continues on the next "
                            "line; keep each answer on one line")
        elif not correct and not has_feedback:
            problems.append(f"the wrong answer {m.group(2)[:50]!r} has no '> why it is "
                            "wrong' line under it")
        if not m.group(2).strip():
            problems.append("an answer is empty")
    return [f"{where}: malformed quiz: {p}" for p in problems]
