"""Copy the book's sources somewhere else, for tests and the build benchmark."""

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BOOK_PARTS = ("docs", "figures", "snippets", "kernels", "scripts", "overrides",
              "mkdocs.yml", "pyproject.toml")


def copy_book(dest: Path) -> Path:
    """Copy what `mkdocs build` reads into `dest` (executed notebooks are committed
    under figures/, like every other artefact)."""
    for part in BOOK_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dest / part)
    return dest
