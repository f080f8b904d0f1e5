"""Copy the book's sources somewhere else, for tests and the build benchmark."""

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BOOK_PARTS = ("docs", "figures", "snippets", "kernels", "scripts", "overrides",
              "mkdocs.yml", "pyproject.toml")


def copy_book(dest: Path, *, notebook_cache: bool = True) -> Path:
    """Copy what `mkdocs build` reads into `dest`; optionally mkdocs-jupyter's render
    cache too (executed notebooks are committed under figures/, like every other
    artefact, so a copy never executes a notebook that is up to date)."""
    for part in BOOK_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, dest / part)
    cache = REPO / ".cache" / "mkdocs-jupyter"
    if notebook_cache and cache.is_dir():
        shutil.copytree(cache, dest / ".cache" / "mkdocs-jupyter")
    return dest
