"""Create everything a new lesson needs, with one command.

    python scripts/new_lesson.py 5.3-scaling-architecture mixture-of-experts \\
        "Mixture of experts" --outcome "explain how a model stores many parameters..."

creates
    docs/<module>/<slug>/index.md        lesson page: checkpoint, figure, quiz, summary
    docs/<module>/<slug>/exercises.py    exercise notebook (format: scripts/bookbuild/notebooks.py)
    docs/<module>/<slug>/review.md       review record, no review yet
    docs/<module>/<slug>/concepts.yml    its entries in the concept index
    snippets/<slug_>/<slug_>_example.py  a figure the page shows; replace it
and adds the lesson to the nav in mkdocs.yml, after the module's last lesson, and its
review to the editorial section "How this book is checked". The nav
is the one list of lessons: the home page, the module's lesson table, lesson numbers
and the browser tests all read it, so nothing else needs an edit. It refuses to
overwrite anything.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.bookbuild import nav  # noqa: E402

SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

PAGE = '''---
title: {title}
description: >-
  {outcome_sentence}
outcome: >-
  {outcome}
---

# {title}

**You will need:** (prerequisites, each linked to where it is taught).

## The problem

Start with the problem a reader can feel, before any solution.

{{{{figure:{example}}}}}

The example figure's slope is {{{{fact:{example}_slope}}}}. Every number on this page
comes from a fact like this one.

!!! question "Checkpoint: predict before you open the answer"
    Ask for a prediction the reader can commit to.

    ??? success "Answer"
        Reveal it, with the reasoning.

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

# %%
print(double(torch.arange(4)))  # given code: its output shows on the page

# %% [markdown] tags=["solution"]
# What the result means, for the reader who opens the solution.
'''

REVIEW = '''---
title: "Review: {title}"
description: "How lesson {number}, {title}, was reviewed: what each review found and what was fixed."
editorial: true
---

# Review: {title}

Reviews of this lesson against its plan, newest last: severity (critical /
improvement / polish), location, reader impact, fix, verdict. No review yet.
'''

CONCEPTS = '''lesson: "{number} {title}"
page: {module}/{slug}/index.md
concepts:
  # One entry per concept the lesson teaches; depth is MENTIONED, INTRODUCED or
  # DEVELOPED; anchor is the id of the heading that teaches it (optional).
  - name: {title}
    depth: INTRODUCED
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


def add_to_nav(config_text: str, module: str, title: str, slug: str) -> str:
    """Insert the lesson's nav section after the module's last lesson (or after the
    module's index page when it has none)."""
    lines = config_text.split("\n")
    index_line = next((i for i, line in enumerate(lines)
                       if line.strip() == f"- {module}/index.md"), None)
    if index_line is None:
        raise SystemExit(f"mkdocs.yml: no nav entry '- {module}/index.md'; add the "
                         "module to the nav first")
    indent = len(lines[index_line]) - len(lines[index_line].lstrip())
    insert_at = index_line + 1
    i = insert_at
    while i < len(lines):
        line = lines[i]
        depth = len(line) - len(line.lstrip())
        if line.strip() and depth < indent:
            break  # the module's section ended
        if depth == indent and line.strip().endswith(":"):
            j = i + 1  # a lesson section: skip its children
            while j < len(lines) and (not lines[j].strip() or
                                      len(lines[j]) - len(lines[j].lstrip()) > indent):
                j += 1
            insert_at = i = j
            continue
        i += 1
    pad = " " * indent
    block = [f"{pad}- {title}:",
             f"{pad}    - {module}/{slug}/index.md",
             f"{pad}    - Exercises: {module}/{slug}/exercises.py"]
    lines = lines[:insert_at] + block + lines[insert_at:]
    return _add_review(lines, f'{pad}- "Review: {title}": {module}/{slug}/review.md')


def _add_review(lines: list[str], entry: str) -> str:
    """Append the review to the end of the "How this book is checked" section."""
    head = next((i for i, line in enumerate(lines)
                 if line.strip() == "- How this book is checked:"), None)
    if head is None:
        raise SystemExit("mkdocs.yml: no '- How this book is checked:' section in "
                         "the nav for the review record")
    depth = len(lines[head]) - len(lines[head].lstrip())
    end = head + 1
    while end < len(lines) and (not lines[end].strip() or
                                len(lines[end]) - len(lines[end].lstrip()) > depth):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    child = lines[head + 1]
    pad = " " * (len(child) - len(child.lstrip()))
    return "\n".join(lines[:end] + [pad + entry.lstrip()] + lines[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("module",
                        help="folder under docs/, e.g. 5.3-scaling-architecture")
    parser.add_argument("slug", help="lesson folder, e.g. mixture-of-experts; the "
                        "snippet folder is the same with '_' for '-'")
    parser.add_argument("title")
    parser.add_argument("--outcome", default="(what a reader will be able to do)",
                        help="one line for the module's lesson table")
    args = parser.parse_args()
    if not SLUG.match(args.slug):
        sys.exit(f"lesson slug {args.slug!r}: use lowercase words joined by '-'")
    folder = args.slug.replace("-", "_")
    taken = [p for p in (ROOT / "docs").glob(f"*/{args.slug}") if p.is_dir()]
    if taken or (ROOT / "snippets" / folder).exists():
        sys.exit(f"refusing to overwrite: the slug {args.slug!r} is taken "
                 f"({', '.join(str(p.relative_to(ROOT)) for p in taken) or 'snippets'})"
                 "; lesson slugs are book-wide")
    modules = {m.folder: m for m in nav.modules(nav.load_nav(ROOT), ROOT / "docs")}
    if args.module not in modules:
        sys.exit(f"no module {args.module!r} in the nav of mkdocs.yml; known: "
                 f"{', '.join(modules) or 'none'}")
    number = f"{modules[args.module].number}.{len(modules[args.module].lessons) + 1}"
    example = f"{folder}_example"
    lesson = ROOT / "docs" / args.module / args.slug
    snippet = ROOT / "snippets" / folder / f"{example}.py"
    targets = {lesson / "index.md": PAGE, lesson / "exercises.py": NOTEBOOK,
               lesson / "review.md": REVIEW, lesson / "concepts.yml": CONCEPTS,
               snippet: SNIPPET}
    outcome = " ".join(args.outcome.split())
    fields = dict(title=args.title, module=args.module, slug=args.slug,
                  example=example, path=snippet.relative_to(ROOT).as_posix(),
                  number=number, outcome=outcome,
                  outcome_sentence=f"In this lesson you learn to {outcome}.")
    config = ROOT / "mkdocs.yml"
    new_config = add_to_nav(config.read_text(encoding="utf-8"), args.module,
                            args.title, args.slug)
    for path, template in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**fields), encoding="utf-8")
        print(f"created {path.relative_to(ROOT)}")
    config.write_text(new_config, encoding="utf-8")
    print(f"added lesson {number} '{args.title}' to the nav in mkdocs.yml")


if __name__ == "__main__":
    main()
