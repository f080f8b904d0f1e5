"""A small throw-away book repository for exercising the build engine.

It has the real build code (scripts/bookbuild, snippets/style.py, formatting.py) and
tiny fake kernels and snippets, so each test can edit files and watch exactly which
snippets re-run without touching the real book.
"""

import shutil
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


FIGURE_SNIPPET = '''
"""Draws a line whose slope comes from kernels.{module}."""
import matplotlib.pyplot as plt

from kernels.{module} import slope


# --8<-- [start:draw]
def draw(theme):
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, slope()], color=theme.accent)
    return fig
# --8<-- [end:draw]


def main(book):
    book.fact("{stem}_slope", slope(), fmt=".1f")
    book.figure(draw, alt="a line", caption="A line.")
'''


@pytest.fixture
def mini_repo(tmp_path: Path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(REPO / "scripts" / "bookbuild", root / "scripts" / "bookbuild",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (root / "scripts" / "__init__.py").write_text("")
    for helper in ("style.py", "formatting.py"):
        shutil.copy(REPO / "snippets" / helper, root / "snippets" / helper) \
            if (root / "snippets").is_dir() else (
                (root / "snippets").mkdir(parents=True),
                shutil.copy(REPO / "snippets" / helper, root / "snippets" / helper))
    write(root / "kernels" / "__init__.py", "")
    write(root / "kernels" / "alpha.py", "def slope():\n    return 2.0\n")
    write(root / "kernels" / "beta.py",
          "from .alpha import slope as _alpha\n\n\ndef slope():\n"
          "    return _alpha() + 1.0\n")
    write(root / "kernels" / "gamma.py", "def slope():\n    return 5.0\n")
    demo = root / "snippets" / "demo"
    write(demo / "uses_alpha.py", FIGURE_SNIPPET.format(module="alpha",
                                                         stem="uses_alpha"))
    write(demo / "uses_beta.py", FIGURE_SNIPPET.format(module="beta", stem="uses_beta"))
    write(demo / "uses_gamma.py", FIGURE_SNIPPET.format(module="gamma",
                                                         stem="uses_gamma"))
    write(root / "docs" / "index.md",
          "# Demo\n\nThe slope is {{fact:uses_alpha_slope}}.\n")
    return root
