"""exercise.py: an unfilled gap stops with a message that names what is missing."""

import pytest

from kernels.exercise import TODO, NotDone


def test_todo_raises_not_done_with_the_hint():
    with pytest.raises(NotDone, match="softmax of the scores"):
        TODO("softmax of the scores")
    assert issubclass(NotDone, NotImplementedError)  # what the notebook check expects
