"""Session fixtures shared by the site and browser tests: one real build of the book."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.bookbuild.workspace import copy_book


def mkdocs_build(root: Path, site: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the book at `root` into `site`, output captured."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
        cwd=root, env=env, capture_output=True, text=True, timeout=900,
    )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real book, built once per test session with --strict, from a copy: the
    tests never rewrite figures/ in the working tree."""
    site = tmp_path_factory.mktemp("site")
    copy = copy_book(tmp_path_factory.mktemp("book") / "book")
    result = mkdocs_build(copy, site)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr}"
    return site
