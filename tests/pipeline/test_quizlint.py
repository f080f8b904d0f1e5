"""The quiz lint reports where the correct answer sits and whether it is longest."""

import subprocess
import sys

from scripts.bookbuild import quizlint
from scripts.bookbuild.workspace import REPO


def quiz(correct_at: int, texts=("alpha", "beta", "gamma")) -> str:
    lines = []
    for i, text in enumerate(texts):
        mark = "x" if i == correct_at else " "
        lines.append(f"- [{mark}] {text}")
        if mark == " ":
            lines.append("> why it is wrong")
    return "<quiz>\nQuestion?\n" + "\n".join(lines) + "\n</quiz>\n"


def test_same_position_in_most_questions_is_flagged_with_lines():
    page = "# P\n\n" + quiz(1) + "\n" + quiz(1) + "\n" + quiz(0) + "\n" + quiz(1)
    report = quizlint.audit(page, "docs/p.md")
    assert report.positions == {2: 3, 1: 1}
    [problem] = report.problems()
    assert "option 2 in 3 of 4 questions" in problem
    assert "lines 3, 12, 30" in problem  # each quiz is 9 lines here


def test_correct_answer_longest_in_most_questions_is_flagged():
    long = ("short", "the correct answer, carefully qualified", "brief")
    page = "\n".join(quiz(1, long) for _ in range(2)) + quiz(0) + quiz(2)
    report = quizlint.audit(page, "docs/p.md")
    assert report.longest == 2
    assert report.problems() == []  # 2 of 4 is not more than half
    report = quizlint.audit(page + quiz(1, long), "docs/p.md")
    assert any("longest option in 3 of 5" in p for p in report.problems())


def test_balanced_page_passes_and_facts_count_as_short_numbers():
    page = quiz(0) + quiz(1) + quiz(2) + quiz(0, ("{{fact:a_long_fact_name}}", "12 GB",
                                                   "40 GB"))
    report = quizlint.audit(page, "docs/p.md")
    assert report.problems() == []
    assert not report.questions[3].correct_is_longest


def test_multi_select_fill_in_and_too_few_questions_are_not_judged():
    multi = "<quiz>\nQ?\n- [x] a\n- [x] b\n- [ ] c\n> no\n</quiz>\n"
    blank = "<quiz>\nThe answer is [[42]].\n</quiz>\n"
    assert quizlint.audit(multi + blank, "p").questions == []
    assert quizlint.audit(quiz(1) + quiz(1), "p").problems() == []


def test_quiz_syntax_inside_a_code_fence_is_ignored():
    assert quizlint.audit("```\n" + quiz(1) + "```\n", "p").questions == []


def test_command_passes_on_the_book_and_fails_on_a_biased_page(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "scripts.bookbuild.quizlint", "docs"],
                        cwd=REPO, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "module-test.md: 21 questions" in ok.stdout
    biased = tmp_path / "biased.md"
    biased.write_text(quiz(1) * 4)
    bad = subprocess.run([sys.executable, "-m", "scripts.bookbuild.quizlint",
                          str(biased)], cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 1
    assert "option 2 in 4 of 4" in bad.stdout
