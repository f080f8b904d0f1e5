"""Exercise pages of the built site: links resolve, pages stay light, solutions fold,
the downloads are the right notebooks. (Notebooks: tests/pipeline/test_notebooks.py.)"""

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from scripts.bookbuild import notebooks
from scripts.bookbuild.workspace import REPO

pytestmark = pytest.mark.build

PAGES = sorted(f"{nb.docs_dir}/exercises/index.html" for nb in notebooks.discover(REPO))
MAX_PAGE_BYTES = 300_000


def html_of(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def notebook_part(html: str) -> str:
    """The notebook's own HTML, without the theme's header, navigation and footer."""
    return html[html.index('class="jupyter-wrapper"'):
                html.index("</article>")]


@pytest.mark.parametrize("page", PAGES)
def test_every_link_and_image_on_an_exercise_page_resolves(built_site, page):
    html = html_of(built_site, page)
    base = "http://book.test/" + page
    body = notebook_part(html)
    checked = 0
    for target in re.findall(r'(?:href|src)="([^"#]+)(?:#[^"]*)?"', html):
        url = urlparse(urljoin(base, target))
        if url.netloc != "book.test":  # the theme links to Material's site
            assert target not in body or url.netloc == "colab.research.google.com", \
                f"{page}: the notebook links off-site: {target}"
            continue
        path = built_site / unquote(url.path).lstrip("/")
        if path.is_dir() or not path.suffix:
            path = path / "index.html"
        assert path.is_file(), f"{page}: link {target} leads nowhere"
        checked += 1
    assert checked > 20
    lesson = "/" + str(Path(page).parent.parent)
    resolved = {urlparse(urljoin(base, t)).path for t in re.findall(r'href="([^"]+)"',
                                                                   body)}
    for name in ("exercises.ipynb", "exercises-solutions.ipynb"):
        assert f"{lesson}/{name}" in resolved, f"{page}: no download link to {name}"
    assert re.search(r'href="(\.\./)+downloads/attention_textbook-[\d.]+-py3-none-any'
                     r'\.whl"', html)


@pytest.mark.parametrize("page", PAGES)
def test_exercise_page_is_light_and_folds_its_solutions(built_site, page):
    raw = (built_site / page).read_bytes()
    assert len(raw) <= MAX_PAGE_BYTES, f"{page}: {len(raw):,} bytes"
    html = raw.decode("utf-8")
    body = notebook_part(html)
    assert "<style" not in body, "the plugin's inline CSS must be dropped"
    assert "mathjax" not in html.lower() and "mermaid" not in html.lower()
    assert "@book/" not in html
    source = REPO / "docs" / Path(page).parent.parent / "exercises.py"
    cells = notebooks.parse(notebooks.Notebook(REPO, source.relative_to(REPO)
                                               .as_posix()))
    tasks = notebooks.split_tasks(cells)
    folds = html.count('<details class="nb-fold nb-solution success">')
    assert folds >= len(tasks), f"{page}: {folds} solution folds for {len(tasks)} " \
        "exercises"
    assert html.count("celltag_work") >= len(tasks)
    images = re.findall(r"<img [^>]*>", body)
    assert images and len(images) % 2 == 0
    for img in images:
        alt = re.search(r'alt="([^"]*)"', img).group(1)
        assert len(alt) > 30 and "No description" not in alt, img
        assert re.search(r'src="[^"]+\.(light|dark)\.svg#only-\1"', img), img


def test_downloads_are_the_reader_and_solutions_notebooks(built_site):
    for page in PAGES:
        lesson = built_site / Path(page).parent.parent
        reader = json.loads((lesson / "exercises.ipynb").read_text(encoding="utf-8"))
        solved = json.loads((lesson / "exercises-solutions.ipynb").read_text(
            encoding="utf-8"))
        tags = [set(c["metadata"].get("tags", ())) for c in reader["cells"]]
        assert any("work" in t for t in tags) and not any("solution" in t for t in tags)
        code = [c for c in solved["cells"] if c["cell_type"] == "code"]
        checks = [c for c in code if "check" in c["metadata"].get("tags", ())]
        assert checks and all(c["outputs"] for c in checks if "print(" in c["source"])
        assert not any("work" in c["metadata"].get("tags", ()) for c in code)
        assert "import kernels" in next(c["source"] for c in code)


def test_open_in_colab_points_at_a_committed_notebook(built_site):
    repo_url = notebooks.site_links(REPO)["repo_url"]
    for page in PAGES:
        links = re.findall(r'href="(https://colab\.research\.google\.com/[^"]+)"',
                           html_of(built_site, page))
        if not notebooks.colab_url(repo_url, "x"):
            assert not links, "no Colab button without a GitHub repo_url"
            continue
        assert len(links) == 1
        path = links[0].split("/blob/main/", 1)[1]
        assert (REPO / path).is_file() and path.endswith("/exercises.ipynb")
