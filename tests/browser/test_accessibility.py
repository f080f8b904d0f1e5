"""axe-core over every page of the built book, in both palettes.

One axe pass per page and palette. Violations that come from Material for MkDocs'
own templates are listed in MATERIAL (rule, element) with the upstream reference;
everything else—our CSS, book.js, the hook's HTML, page content—must be clean.
"""

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.build]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

# Material 9.8.1 template issues we cannot fix from content or CSS.
MATERIAL = {
    # The search overlay is role="dialog" without a name (header.html/search.html);
    # upstream history: squidfunk/mkdocs-material#406, #6434.
    ("aria-dialog-name", ".md-search"),
    # With navigation.sections, the level-1 section <nav> and the page's nested
    # table of contents share a name; upstream history: squidfunk/mkdocs-material#1516.
    ("landmark-unique", 'nav[data-md-level="1"]'),
}


def pages(site: Path) -> list[str]:
    """Every HTML page a reader can reach (not the 404 page, not search)."""
    found = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if rel.startswith(("search", "assets")):
            continue
        found.append("" if rel == "." else rel + "/")
    return found


def ours(violation: dict) -> list[str]:
    """The nodes of a violation that are not on the Material list."""
    return [" ".join(node["target"]) for node in violation["nodes"]
            if (violation["id"], _material_name(node["target"][0])) not in MATERIAL]


def _material_name(target: str) -> str:
    """axe names a level-1 section <nav> by its label once the nav has two sections
    (the book's lessons and "How this book is checked"): the same element."""
    return re.sub(r'^nav\[aria-labelledby="__nav_\d+_label"\]$',
                  'nav[data-md-level="1"]', target)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_of_ours_on_any_page(browser, built_site, site_url,
                                                    scheme):
    script = AXE.read_text(encoding="utf-8")
    assert script.startswith("/*! axe v4.14.1"), "see tests/browser/vendor/README.md"
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  color_scheme=scheme)
    found: list[str] = []
    material = 0
    visited = pages(built_site)
    assert len(visited) >= 12, visited
    try:
        for path in visited:
            page = context.new_page()
            page.goto(site_url + path)
            page.wait_for_load_state("networkidle")
            want = "slate" if scheme == "dark" else "default"
            assert page.get_attribute("body", "data-md-color-scheme") == want
            page.add_script_tag(content=script)
            # axe's default rule set: WCAG 2.x A/AA and its best practices.
            result = page.evaluate(
                "axe.run(document, {resultTypes: ['violations']})")
            for violation in result["violations"]:
                nodes = ours(violation)
                material += len(violation["nodes"]) - len(nodes)
                found += [f"/{path} [{violation['id']}, {violation['impact']}] "
                          f"{violation['help']}: {n}" for n in nodes[:5]]
            page.close()
    finally:
        context.close()
    assert not found, f"{len(found)} axe violation(s) in the {scheme} palette:\n" + \
        "\n".join(found)
    print(f"{scheme}: {len(visited)} pages, 0 violations of ours, {material} "
          "node(s) from Material's templates")

