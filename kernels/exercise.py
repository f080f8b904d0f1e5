"""The gap in an exercise's work cell: ``TODO("what goes here")`` raises ``NotDone``.

Exercise notebooks give the reader a skeleton with marked gaps. Each gap is a call
to ``TODO`` with a hint, so running an unfilled cell stops with a message that says
what is missing instead of a confusing error further down::

    probs = TODO("softmax of gate(x) over the experts: shape (N, E)")
"""

from __future__ import annotations


class NotDone(NotImplementedError):
    """Raised by an unfilled gap in an exercise."""


def TODO(hint: str) -> None:  # noqa: N802 — reads like the marker it replaces
    """Stand in for code the reader writes; raise NotDone with the hint."""
    raise NotDone(f"not done yet: {hint}. Replace the TODO(...) call with your code "
                  "and run the cell again.")
