"""The nav in mkdocs.yml is the one list of modules and lessons.

Everything else that lists lessons reads it from here: the home page's table of
contents (``{{lessons:book}}``), each module's lesson table
(``{{lessons:<module folder>}}``), lesson numbers ("5.3.2"), the browser tests and
``new_lesson.py``. The shapes it recognises:

    nav:
      - Module 5.3 Scaling Architecture:            # a module: a section whose first
          - 5.3-scaling-architecture/index.md       # entry is <N.N-slug>/index.md
          - Mixture of experts:                     # a lesson: a section whose first
              - 5.3-scaling-architecture/mixture-of-experts/index.md   # entry is
              - Exercises: 5.3-scaling-architecture/mixture-of-experts/exercises.py
          - Module test: 5.3-scaling-architecture/module-test.md       # an extra page

A lesson's number is its module's number and its position among the module's lessons,
unless its page's front matter says otherwise (``number: "4.3.3"``, for a lesson whose
siblings are not in this book); its one-line outcome ("what you will be able to do") is the ``outcome:`` key in the
lesson page's front matter.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import BookError

MODULE_FOLDER = re.compile(r"^(\d+(?:\.\d+)*)-[a-z0-9-]+$")
DIRECTIVE = re.compile(r"^\s*\{\{\s*lessons\s*:\s*([\w.-]+)\s*\}\}\s*$")


@dataclass
class Lesson:
    number: str      # "5.3.2"
    title: str       # from the nav
    page: str        # docs-relative: 5.3-scaling-architecture/long-context/index.md
    pages: list[str] = field(default_factory=list)  # every page of the lesson

    @property
    def slug(self) -> str:
        return self.page.split("/")[-2]

    @property
    def snippet_folder(self) -> str:
        """Where the lesson's figures are made: snippets/<this>/."""
        return self.slug.replace("-", "_")


@dataclass
class Module:
    number: str      # "5.3"
    title: str
    page: str        # 5.3-scaling-architecture/index.md
    lessons: list[Lesson] = field(default_factory=list)
    extras: list[tuple[str, str]] = field(default_factory=list)  # (title, page)

    @property
    def folder(self) -> str:
        return self.page.split("/")[0]


def load_nav(root: Path) -> list:
    """The `nav:` list of root/mkdocs.yml (MkDocs' own YAML tags are ignored)."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/",
                                 lambda loader, suffix, node: None)
    config = yaml.load((root / "mkdocs.yml").read_text(encoding="utf-8"), Loader)
    return config.get("nav") or []


def modules(nav: list, docs: Path | None = None) -> list[Module]:
    """The modules in nav order, each with its lessons in nav order. With `docs`, a
    lesson page's ``number:`` front matter overrides its position."""
    found: list[Module] = []
    for title, children in _sections(nav):
        first = _first_page(children)
        folder = first.split("/")[0] if first and first.count("/") == 1 else ""
        match = MODULE_FOLDER.match(folder)
        if not (match and first.endswith("/index.md")):
            continue
        module = Module(match.group(1), title, first)
        for child in children[1:]:
            section = _sections([child])
            if section:
                lesson_title, lesson_children = section[0]
                page = _first_page(lesson_children)
                if page and page.startswith(folder + "/") and page.count("/") == 2 \
                        and page.endswith("/index.md"):
                    number = f"{module.number}.{len(module.lessons) + 1}"
                    if docs is not None and (docs / page).is_file():
                        number = str(front_matter(docs / page).get("number", number))
                    module.lessons.append(Lesson(number, lesson_title, page,
                                                 _all_pages(lesson_children)))
                    continue
            for extra_title, page in _titled_pages([child]):
                module.extras.append((extra_title, page))
        found.append(module)
    return found


def every_page(nav: list) -> list[str]:
    """Every docs-relative page the nav lists, in order."""
    return _all_pages(nav)


def lesson_of(page: str, nav: list) -> Lesson | None:
    for module in modules(nav):
        for lesson in module.lessons:
            if page in lesson.pages or posixpath.dirname(page) == \
                    posixpath.dirname(lesson.page):
                return lesson
    return None


# -- {{lessons:…}} ------------------------------------------------------------------
def expand(markdown: str, *, src: str, page_uri: str, nav: list, docs: Path,
           line_offset: int = 0) -> str:
    """Replace each ``{{lessons:book}}`` / ``{{lessons:<module folder>}}`` line."""
    if "{{" not in markdown or "lessons" not in markdown:
        return markdown
    out = []
    for number, line in enumerate(markdown.split("\n"), start=1 + line_offset):
        m = DIRECTIVE.match(line)
        if not m:
            out.append(line)
            continue
        where = f"{src}:{number}"
        found = modules(nav, docs)
        if m.group(1) == "book":
            out.append(_book_list(found, page_uri, docs))
            continue
        module = next((mod for mod in found if mod.folder == m.group(1)), None)
        if module is None:
            known = ", ".join(["book"] + [mod.folder for mod in found])
            raise BookError(f"{where}: no module '{m.group(1)}' in the nav of "
                            f"mkdocs.yml; use one of: {known}")
        out.append(_module_table(module, page_uri, docs, where))
    return "\n".join(out)


def _book_list(found: list[Module], page_uri: str, docs: Path) -> str:
    lines = []
    for module in found:
        about = front_matter(docs / module.page).get("description", "")
        lines.append(f"- **[Module {module.number} — {_plain(module.title)}]"
                     f"({_rel(module.page, page_uri)})**"
                     + (f": {' '.join(about.split())}" if about else ""))
        for lesson in module.lessons:
            lines.append(f"    - {lesson.number} [{lesson.title}]"
                         f"({_rel(lesson.page, page_uri)})")
        for title, page in module.extras:
            lines.append(f"    - [{title}]({_rel(page, page_uri)})")
    return "\n".join(lines)


def _module_table(module: Module, page_uri: str, docs: Path, where: str) -> str:
    lines = ["| Lesson | What you will be able to do |", "|---|---|"]
    for lesson in module.lessons:
        outcome = front_matter(docs / lesson.page).get("outcome")
        if not outcome:
            raise BookError(f"{where}: the lesson table needs an `outcome:` line in the "
                            f"front matter of docs/{lesson.page} (what a reader will "
                            "be able to do after it)")
        if "{{" in outcome:
            raise BookError(f"{where}: the `outcome:` of docs/{lesson.page} is shown "
                            "in a table built after facts and citations are expanded; "
                            "keep it plain text")
        lines.append(f"| {lesson.number} [{lesson.title}]"
                     f"({_rel(lesson.page, page_uri)}) | {' '.join(outcome.split())} |")
    return "\n".join(lines)


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return {}
    end = text.find("\n---", 4)
    return yaml.safe_load(text[4:end]) or {} if end > 0 else {}


# -- helpers ----------------------------------------------------------------------
def _plain(title: str) -> str:
    """'Module 5.3 Scaling Architecture' -> 'Scaling Architecture'."""
    return re.sub(r"^Module\s+[\d.]+\s*[—:-]?\s*", "", title)


def _rel(target: str, page_uri: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(page_uri) or ".")


def _sections(items: list) -> list[tuple[str, list]]:
    return [(k, v) for item in items if isinstance(item, dict)
            for k, v in item.items() if isinstance(v, list)]


def _titled_pages(items: list) -> list[tuple[str, str]]:
    found = []
    for item in items:
        if isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, str):
                    found.append((title, value))
        elif isinstance(item, str):
            found.append((item, item))
    return found


def _first_page(items: list) -> str | None:
    pages = _all_pages(items[:1])
    return pages[0] if pages else None


def _all_pages(items: list) -> list[str]:
    pages: list[str] = []
    for item in items:
        if isinstance(item, str):
            pages.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                if isinstance(value, str):
                    pages.append(value)
                elif isinstance(value, list):
                    pages += _all_pages(value)
    return [p for p in pages if not re.match(r"^[a-z]+://", p)]
