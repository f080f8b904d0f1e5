"""Two builds of one commit are byte-identical, and a build leaves figures/ alone."""

from pathlib import Path

import pytest

from scripts.bookbuild.workspace import copy_book

from ..conftest import mkdocs_build

# MkDocs stamps the build date into the sitemap; nothing else may differ.
DATED = {"sitemap.xml", "sitemap.xml.gz"}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.build
def test_a_second_build_is_byte_identical_and_figures_stay_untouched(
        built_site: Path, tmp_path: Path):
    copy = copy_book(tmp_path / "book", notebook_cache=False)
    figures_before = tree(copy / "figures")
    result = mkdocs_build(copy, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert tree(copy / "figures") == figures_before, "the build rewrote figures/"
    assert "snippets: 0 ran" in result.stderr
    first = {k: v for k, v in tree(built_site).items() if k not in DATED}
    second = {k: v for k, v in tree(tmp_path / "site").items() if k not in DATED}
    assert sorted(first) == sorted(second)
    differ = [name for name in first if first[name] != second[name]]
    assert not differ, f"{len(differ)} file(s) differ between two builds: {differ[:10]}"
