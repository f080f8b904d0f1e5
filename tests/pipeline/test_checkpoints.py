"""The checkpoint check: the question stays visible, only the answer is folded."""

import textwrap

import pytest

from scripts.bookbuild import BookError, checkpoints
from scripts.bookbuild.workspace import REPO

GOOD = '''
# Page

!!! question "Checkpoint: top-1 routing"
    How many experts run per token? Predict before you open the answer.

    ??? success "Answer"
        One per layer.

        - and a list inside the answer
'''


def check(text: str, offset: int = 0) -> int:
    return checkpoints.check(textwrap.dedent(text), "docs/p.md", offset)


def error(text: str, offset: int = 0) -> str:
    with pytest.raises(BookError) as exc:
        check(text, offset)
    return str(exc.value)


def test_question_visible_answer_folded_passes():
    assert check(GOOD) == 1


def test_old_style_checkpoint_that_folds_the_question_fails_with_page_line():
    msg = error('''
        Intro.

        ??? question "Checkpoint: top-1 routing"
            How many experts run per token?

            **Answer.** One per layer.
        ''', offset=3)
    assert "docs/p.md:7: checkpoint 'Checkpoint: top-1 routing'" in msg
    assert "'???' collapses the question" in msg
    assert '??? success "Answer"' in msg  # says what to write instead


@pytest.mark.parametrize("marker", ["!!!", "???+"])
def test_answer_that_is_not_collapsed_fails(marker):
    msg = error(GOOD.replace('??? success "Answer"', f'{marker} success "Answer"'))
    assert "docs/p.md:4:" in msg and "stays collapsed" in msg


def test_answer_written_in_the_visible_part_fails():
    msg = error('''
        !!! question "Checkpoint: x"
            Predict the cache size. **Answer.** 40 GiB.

            ??? success "Answer"
                40 GiB.
        ''')
    assert "visible question part contains an answer" in msg


def test_missing_question_missing_answer_and_trailing_text_fail():
    assert "question is missing" in error('''
        !!! question "Checkpoint: x"
            ??? success "Answer"
                Yes.
        ''')
    assert "found 0" in error('''
        !!! question "Checkpoint: x"
            Predict it.
        ''')
    assert "text follows the Answer block" in error('''
        !!! question "Checkpoint: x"
            Predict it.

            ??? success "Answer"
                Yes.

            And more answer, left visible.
        ''')
    assert "Answer block is empty" in error('''
        !!! question "Checkpoint: x"
            Predict it.

            ??? success "Answer"

        Next paragraph.
        ''')


def test_every_mistake_on_a_page_is_reported_at_once():
    msg = error('''
        ??? question "Checkpoint: one"
            Q?

        ??? question "Checkpoint: two"
            Q?
        ''')
    assert "docs/p.md:2:" in msg and "docs/p.md:5:" in msg


def test_blocks_inside_code_fences_and_other_admonitions_are_ignored():
    assert check('''
        ```markdown
        ??? question "Checkpoint: shown as syntax"
            Q?
        ```

        ??? example "The code behind this figure"
            code
        ''') == 0


def test_every_checkpoint_in_the_book_is_well_formed():
    total = sum(checkpoints.check(p.read_text(encoding="utf-8"), str(p))
                for p in (REPO / "docs").rglob("*.md"))
    assert total >= 6


@pytest.mark.build
def test_the_build_fails_on_a_checkpoint_that_folds_its_question(tmp_path):
    from scripts.bookbuild.workspace import copy_book

    from ..conftest import mkdocs_build

    copy = copy_book(tmp_path / "book")
    page = copy / "docs" / "index.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    old = ['', '??? question "Checkpoint: folded"', "    Predict.", "",
           "    **Answer.** Revealed with the question."]
    page.write_text("\n".join(lines + old) + "\n", encoding="utf-8")
    result = mkdocs_build(copy, tmp_path / "site")
    assert result.returncode != 0
    assert (f"docs/index.md:{len(lines) + 2}: checkpoint 'Checkpoint: folded': "
            "'???' collapses the question") in result.stderr
