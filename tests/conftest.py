"""Session fixtures shared by the site and browser tests: one real build of the book."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BOOK_PARTS = ("docs", "figures", "snippets", "kernels", "scripts", "mkdocs.yml")


def mkdocs_build(root: Path, site: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the book at `root` into `site`, output captured."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=root, env=env, capture_output=True, text=True, timeout=900,
    )


def copy_book(dest: Path) -> Path:
    """A copy of the book's sources (and the notebook cache, to skip re-execution)."""
    for part in BOOK_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, dest / part)
    cache = REPO / ".cache" / "mkdocs-jupyter"
    if cache.is_dir():
        shutil.copytree(cache, dest / ".cache" / "mkdocs-jupyter")
    return dest


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real book, built once per test session with --strict."""
    site = tmp_path_factory.mktemp("site")
    result = mkdocs_build(REPO, site)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    return site
