"""Names line up: a page's figures and tables are made in the snippet folder named
after that page's lesson, so `{{figure:x}}` on a page leads to its file by rule."""

import re

from scripts.bookbuild import engine, nav
from scripts.bookbuild.workspace import REPO

BLOCK = re.compile(r"^\s*\{\{\s*(figure|table)\s*:\s*([\w-]+)", re.M)


def expected_folder(page: str, modules: list[nav.Module]) -> str:
    """lesson pages -> the lesson slug; module-level pages -> the module's name;
    book-level pages -> 'book' (all with '_' for '-')."""
    for module in modules:
        for lesson in module.lessons:
            if page.startswith(lesson.page.rsplit("/", 1)[0] + "/"):
                return lesson.snippet_folder
        if page.startswith(module.folder + "/"):
            return module.folder.split("-", 1)[1].replace("-", "_")
    return "book"


def test_every_figure_and_table_comes_from_its_pages_snippet_folder():
    modules = nav.modules(nav.load_nav(REPO))
    made_in = {s.stem: s.folder for s in engine.discover(REPO)}
    wrong = []
    for path in sorted((REPO / "docs").rglob("*.md")):
        page = path.relative_to(REPO / "docs").as_posix()
        want = expected_folder(page, modules)
        for kind, name in BLOCK.findall(path.read_text(encoding="utf-8")):
            if made_in.get(name) != want:
                wrong.append(f"docs/{page}: {kind} '{name}' is made in snippets/"
                             f"{made_in.get(name)}/, expected snippets/{want}/")
    assert not wrong, "\n".join(wrong)


def test_every_snippet_folder_belongs_to_a_lesson_a_module_or_the_book():
    modules = nav.modules(nav.load_nav(REPO))
    allowed = {"book"} | {m.folder.split("-", 1)[1].replace("-", "_")
                          for m in modules}
    allowed |= {lesson.snippet_folder for m in modules for lesson in m.lessons}
    folders = {s.folder for s in engine.discover(REPO)}
    assert folders <= allowed, f"snippet folders with no page: {folders - allowed}"
