"""Scaffold a new lesson: page, exercise notebook, review record and a first snippet.

    python scripts/new_lesson.py 5.3-scaling-architecture mixture-of-experts \\
        "Mixture of experts" --snippets moe

creates
    docs/<module>/<slug>/index.md        lesson page: checkpoint, figure, quiz, summary
    docs/<module>/<slug>/exercises.py    exercise notebook (format: scripts/bookbuild/notebooks.py)
    docs/<module>/<slug>/review.md       review record, no review yet
    snippets/<folder>/<folder>_example.py  a figure the page shows; replace it
and prints the lines to add under `nav:` in mkdocs.yml. It refuses to overwrite.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PAGE = '''---
title: {title}
---

# {title}

**You will need:** (prerequisites, each linked to where it is taught).

## The problem

Start with the problem a reader can feel, before any solution.

{{{{figure:{example}}}}}

The example figure's slope is {{{{fact:{example}_slope}}}}. Every number on this page
comes from a fact like this one.

??? question "Checkpoint: predict before you open"
    Ask for a prediction the reader can commit to.

    **Answer.** Reveal it, with the reasoning.

## Quiz

<quiz>
A question?
- [x] The right answer
> Why it is right.
- [ ] A tempting wrong answer
> Why it is wrong.
</quiz>

## Summary

- The mental models, echoed.

**Next:** the next lesson.
'''

NOTEBOOK = '''# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises: {title}
#
# 1. **An example (guided).** Replace it with the lesson's four exercises.

# %%
import torch

from kernels.exercise import TODO

_ = torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1: an example (guided)
#
# The prompt: what to build, and a **Predict first:** question.

# %% tags=["work"]
def double(x: torch.Tensor) -> torch.Tensor:
    """x (N,) -> 2·x (N,)."""
    return TODO("x times two")


# %% tags=["solution"]
def double(x: torch.Tensor) -> torch.Tensor:
    """x (N,) -> 2·x (N,)."""
    return 2 * x


# %% tags=["check"]
assert torch.equal(double(torch.arange(3)), torch.tensor([0, 2, 4])), \\
    "double should multiply every entry by two: look at the first entry that differs"
print("double works")

# %% [markdown] tags=["solution"]
# What the result means, for the reader who opens the solution.
'''

REVIEW = '''# Review record: {title}

Reviews of this lesson against its plan, newest last: severity (critical /
improvement / polish), location, reader impact, fix, verdict. No review yet.
'''

SNIPPET = '''"""Example figure for {title}: replace it with the lesson's first artefact.

Shown on: docs/{module}/{slug}/index.md.
"""

import matplotlib.pyplot as plt

SLOPE = 2.0


# --8<-- [start:draw]
def draw(theme):
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([0, 1], [0, SLOPE], color=theme.accent)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return fig
# --8<-- [end:draw]


def main(book):
    book.fact("{example}_slope", SLOPE, fmt=".1f")
    book.figure(draw, alt="A straight line rising from left to right.",
                caption="An example figure drawn by {path}.")
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("module",
                        help="folder under docs/, e.g. 5.3-scaling-architecture")
    parser.add_argument("slug", help="lesson folder, e.g. mixture-of-experts")
    parser.add_argument("title")
    parser.add_argument("--snippets", help="folder under snippets/ (default: slug "
                        "with '_' for '-')")
    args = parser.parse_args()
    folder = args.snippets or args.slug.replace("-", "_")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", folder):
        sys.exit(f"snippet folder {folder!r} must be a Python identifier")
    example = f"{folder}_example"
    lesson = ROOT / "docs" / args.module / args.slug
    snippet = ROOT / "snippets" / folder / f"{example}.py"
    targets = {lesson / "index.md": PAGE, lesson / "exercises.py": NOTEBOOK,
               lesson / "review.md": REVIEW, snippet: SNIPPET}
    existing = [p for p in targets if p.exists()]
    if existing:
        sys.exit("refusing to overwrite: " + ", ".join(str(p) for p in existing))
    fields = dict(title=args.title, module=args.module, slug=args.slug,
                  example=example, path=snippet.relative_to(ROOT).as_posix())
    for path, template in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**fields), encoding="utf-8")
        print(f"created {path.relative_to(ROOT)}")
    base = f"{args.module}/{args.slug}"
    print("\nAdd to nav: in mkdocs.yml, under the module:\n"
          f"      - {args.title}:\n"
          f"          - {base}/index.md\n"
          f"          - Exercises: {base}/exercises.py\n"
          f"          - Review record: {base}/review.md")


if __name__ == "__main__":
    main()
