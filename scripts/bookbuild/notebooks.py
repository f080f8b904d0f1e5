"""Exercise notebooks: one source, three notebooks, executed like snippets.

Source: ``docs/<module>/<lesson>/exercises.py``, a jupytext percent file. An exercise
is a Markdown prompt followed by tagged code cells::

    # %% tags=["work"]                 the skeleton the reader fills in; each gap is
    def my_router(x):                  a TODO("hint") call (kernels.exercise), which
        probs = TODO("softmax of …")   raises NotDone when run unfilled
        ...

    # %% tags=["solution"]             the answer: one or more code or Markdown cells
    def my_router(x): ...

    # %% tags=["measure"]              a given cell that times or measures the
                                       machine: it runs, but its output is not kept
                                       (it differs on every run); the notebooks show
                                       a note instead, and the reader sees their own
    # %% tags=["check"] alt="…"        asserts whose messages teach; alt= describes
    assert ..., "what to look at"      each figure the cell draws (a JSON list for
                                       several)

Every work cell needs at least one solution cell and then at least one check cell
before the next work cell. Untagged cells are given code, shown with their output.

The build (``run_job``, in the snippet worker) writes to
``figures/<lesson_slug_with_underscores>/``:

- ``exercises.ipynb``            the reader's notebook: work and check cells, no
                                 solutions, no outputs
- ``exercises_solutions.ipynb``  solutions in place of the work cells, executed
- ``exercises_page.ipynb``       what mkdocs-jupyter renders: work, check, then the
                                 solution with its outputs (collapsed by the hook)
- ``exercises_<cell>_<n>.{light,dark}.svg``  each figure, for the page

and proves both directions: run with the solutions, every cell succeeds; run as the
reader gets it, every exercise stops, in its work cell with NotDone or in its check
cell with NotDone or an AssertionError—so no check passes on an empty answer.
Generated notebooks are byte-identical across builds (cell ids from positions).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from . import BookError

NAME = "exercises.py"
TAGS = ("work", "solution", "check")
MEASURE = "measure"  # not a role: a given cell whose output depends on the machine
MEASURED_NOTE = ("[This cell measures the machine it runs on, so the book keeps\n"
                 " no output for it: run it to see your own numbers.]\n")  # ≤ 88 cols
WHEEL_DIR = "downloads"  # site folder of the kernels wheel (see wheel.py)
PAGE_ROOT = "@book/"     # in the page notebook: "relative to the site root"; the
#                          hook rewrites it for the page's depth
MARKER = re.compile(r"^# %%")


@dataclass(frozen=True)
class Notebook:
    root: Path
    rel: str  # "docs/<module>/<lesson>/exercises.py"
    job_type = "notebook"  # the runner's job field

    @property
    def path(self) -> Path:
        return self.root / self.rel

    @property
    def lesson(self) -> str:
        return Path(self.rel).parent.name

    @property
    def folder(self) -> str:
        return self.lesson.replace("-", "_")

    @property
    def stem(self) -> str:
        return "exercises"

    @property
    def out_dir(self) -> Path:
        return self.root / "figures" / self.folder

    @property
    def manifest_path(self) -> Path:
        return self.out_dir / "exercises.json"

    @property
    def docs_dir(self) -> str:
        """The lesson's folder relative to docs/, e.g. '5.3-…/long-context'."""
        return Path(self.rel).parent.relative_to("docs").as_posix()


@dataclass
class Cell:
    kind: str          # "code" or "markdown"
    source: str
    tags: tuple
    meta: dict
    line: int          # first line of the source in exercises.py

    @property
    def role(self) -> str:
        return next((t for t in TAGS if t in self.tags), "")


def discover(root: Path) -> list[Notebook]:
    return [Notebook(root, p.relative_to(root).as_posix())
            for p in sorted((root / "docs").rglob(NAME))]


def site_links(root: Path) -> dict:
    """site_url and repo_url from mkdocs.yml (either may be missing)."""
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    found = {}
    for key in ("site_url", "repo_url"):
        match = re.search(rf"^{key}:\s*['\"]?([^'\"\s#]+)", text, re.M)
        found[key] = match.group(1).rstrip("/") + "/" if match else ""
    return found


# The code that turns exercises.py into its notebooks: part of every notebook's key.
BUILD_CODE = ("scripts/bookbuild/notebooks.py", "scripts/bookbuild/nbexec.py")


def dependencies(nb: Notebook) -> dict[str, str]:
    """{dependency: digest} for a notebook, in the form deps.dependencies gives a
    snippet: its source, the local modules and libraries it imports, this build code
    (and what it imports: the palette, jupytext, nbformat), pyproject.toml (the wheel
    named in the setup cell) and the site links the setup cell and page use."""
    from . import deps

    found = deps.dependencies(nb.path, nb.root, with_build_code=False)
    for rel in BUILD_CODE:
        for name, digest in deps.dependencies(nb.root / rel, nb.root,
                                              with_build_code=False).items():
            if name.startswith(("lib:", "python")):
                found[name] = digest
            else:
                found[f"build:{name}"] = deps.code_digest(nb.root / name, nb.root)
    found["data:pyproject.toml"] = deps.file_digest(nb.root / "pyproject.toml")
    links = json.dumps(site_links(nb.root), sort_keys=True).encode()
    found["site_url and repo_url"] = hashlib.sha256(links).hexdigest()
    return dict(sorted(found.items()))


# -- the source format ------------------------------------------------------------

def parse(nb: Notebook) -> list[Cell]:
    """The cells of exercises.py, checked against the format (BookError if not)."""
    import jupytext

    text = nb.path.read_text(encoding="utf-8")
    try:
        notebook = jupytext.reads(text, fmt="py:percent")
    except Exception as exc:  # noqa: BLE001 — jupytext raises many kinds
        raise BookError(f"{nb.rel}: jupytext cannot read it: {exc}") from None
    lines = text.splitlines()
    markers = [i + 1 for i, line in enumerate(lines) if MARKER.match(line)]
    cells = []
    for n, cell in enumerate(notebook.cells):
        marker = markers[n] if n < len(markers) else 1
        source = cell.source
        first = marker + 1
        if source:
            head = source.splitlines()[0]
            want = head if cell.cell_type == "code" else f"# {head}".rstrip()
            first = next((i + 1 for i in range(marker, len(lines))
                          if lines[i].rstrip() == want.rstrip()), first)
        meta = {k: v for k, v in cell.metadata.items() if k != "tags"}
        cells.append(Cell(cell.cell_type, source, tuple(cell.metadata.get("tags", ())),
                          meta, first))
    _validate(nb, cells, markers)
    return cells


def _validate(nb: Notebook, cells: list[Cell], markers: list[int]) -> None:
    problems = []

    def at(cell: Cell) -> str:
        return f"{nb.rel}:{cell.line}"

    for cell in cells:
        roles = [t for t in cell.tags if t in TAGS]
        if len(roles) > 1:
            problems.append(f"{at(cell)}: a cell has one role, this one has {roles}")
        if MEASURE in cell.tags and (roles or cell.kind != "code"):
            problems.append(f"{at(cell)}: 'measure' marks a given code cell (no "
                            "work/solution/check role) whose output depends on the "
                            "machine")
        if cell.kind != "code" and cell.role in ("work", "check"):
            problems.append(f"{at(cell)}: '{cell.role}' cells are code cells")
        if cell.role == "work" and "TODO(" not in cell.source:
            problems.append(f"{at(cell)}: a work cell marks each gap with "
                            "TODO(\"hint\") so it fails helpfully when unfilled")
    tasks = split_tasks(cells)
    if not tasks:
        problems.append(f"{nb.rel}: no exercise found; tag a skeleton cell "
                        "`# %% tags=[\"work\"]`, its answer tags=[\"solution\"] and "
                        "its test tags=[\"check\"]")
    for task in tasks:
        work, rest = task[0], task[1:]
        roles = [c.role for c in rest if c.kind == "code"]
        if "solution" not in roles or "check" not in roles:
            problems.append(f"{at(work)}: this work cell needs solution cell(s) and "
                            "then check cell(s) before the next work cell")
        elif roles.index("check") < roles.index("solution") or \
                "solution" in roles[roles.index("check"):]:
            problems.append(f"{at(work)}: put the solution code right after the "
                            "work cell and the check cells after it (Markdown "
                            "solution cells may come later)")
    first_task = cells.index(tasks[0][0]) if tasks else len(cells)
    strays = [c for c in cells[:first_task] if c.role]
    problems += [f"{at(c)}: a '{c.role}' cell before any work cell" for c in strays]
    if problems:
        raise BookError("malformed exercise notebook:\n" + "\n".join(problems))


def split_tasks(cells: list[Cell]) -> list[list[Cell]]:
    """[[work, solution…, check…], …]: each work cell opens a task; tagged cells up
    to the next work cell belong to it."""
    tasks: list[list[Cell]] = []
    for cell in cells:
        if cell.role == "work":
            tasks.append([cell])
        elif tasks and cell.role in ("solution", "check"):
            tasks[-1].append(cell)
    return tasks


# -- the setup cell every notebook starts with ----------------------------------

def wheel_name(root: Path) -> str:
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    name = re.search(r'^name\s*=\s*"([^"]+)"', text, re.M).group(1)
    ver = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M).group(1)
    return f"{re.sub(r'[-.]+', '_', name)}-{ver}-py3-none-any.whl"


def setup_source(root: Path) -> str:
    """Code that makes `import kernels` work in the repository (walk up to it), next
    to a downloaded wheel, or anywhere else (install the published wheel)."""
    links = site_links(root)
    wheel = wheel_name(root)
    dist = re.search(r'^name\s*=\s*"([^"]+)"', (root / "pyproject.toml").read_text(
        encoding="utf-8"), re.M).group(1)
    if links["site_url"]:  # PEP 508 direct references: "name[extra] @ url"
        remote = (f'("{dist}[notebooks] @ "\n          '
                  f'f"{links["site_url"]}{WHEEL_DIR}/{{WHEEL}}")')
    elif links["repo_url"]:
        remote = f'"{dist}[notebooks] @ git+{links["repo_url"].rstrip("/")}"'
    else:
        remote = "None  # this book was built without site_url or repo_url"
    return f'''\
# Setup: make `import kernels` work here. In a clone of the book's repository it is
# found on disk; next to the downloaded wheel it installs that; elsewhere (Colab) it
# installs the wheel published with the book.
import importlib.util, pathlib, subprocess, sys

WHEEL = "{wheel}"
REMOTE = {remote}
if importlib.util.find_spec("kernels") is None:
    here = pathlib.Path.cwd().resolve()
    repo = next((p for p in (here, *here.parents)
                 if (p / "kernels" / "exercise.py").is_file()), None)
    if repo is not None:
        sys.path.insert(0, str(repo))
    else:
        local = here / WHEEL
        target = f"{{local}}[notebooks]" if local.is_file() else REMOTE
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", target],
                       check=True)
import kernels  # noqa: E402,F401'''


# -- the three notebooks ----------------------------------------------------------

def _notebook(cells: list[dict]) -> dict:
    for n, cell in enumerate(cells):
        cell["id"] = f"cell-{n:03d}"  # stable ids: the bytes do not change per build
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python",
                           "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _code(source: str, tags=(), outputs=None) -> dict:
    cell = {"cell_type": "code", "execution_count": None, "metadata": {},
            "outputs": outputs or [], "source": source}
    if tags:
        cell["metadata"]["tags"] = list(tags)
    return cell


def _markdown(source: str, tags=()) -> dict:
    cell = {"cell_type": "markdown", "metadata": {}, "source": source}
    if tags:
        cell["metadata"]["tags"] = list(tags)
    return cell


def _as_cell(cell: Cell, outputs=None) -> dict:
    if cell.kind == "markdown":
        return _markdown(cell.source, cell.tags)
    return _code(cell.source, cell.tags, outputs)


def dumps(notebook: dict) -> bytes:
    """nbformat-valid JSON, formatted like Jupyter writes it, byte-stable."""
    import nbformat

    nbformat.validate(nbformat.from_dict(notebook))
    return (json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False)
            + "\n").encode("utf-8")


def reader_notebook(cells: list[Cell], setup: str, note: str) -> dict:
    out = []
    for n, cell in enumerate(cells):
        if cell.role != "solution":
            out.append(_as_cell(cell))
        if n == 0:
            out += [_markdown(note), _code(setup)]
    return _notebook(out)


def solutions_notebook(cells: list[Cell], runs: dict, setup: str, setup_run,
                       note: str) -> dict:
    out = []
    for n, cell in enumerate(cells):
        if cell.role != "work":
            out.append(_as_cell(cell, _ipynb_outputs(runs.get(n))))
        if n == 0:
            out += [_markdown(note), _code(setup, outputs=_ipynb_outputs(setup_run))]
    return _notebook(out)


def page_order(cells: list[Cell]) -> list[int]:
    """Indices in page order: each task's solution cells move after its checks."""
    order, held = [], []
    for n, cell in enumerate(cells):
        if cell.role == "solution":
            held.append(n)
            continue
        if held and cell.role != "check":
            order += held
            held = []
        order.append(n)
    return order + held


def page_notebook(nb: Notebook, cells: list[Cell], runs: dict, figures: dict,
                  setup: str, launch: str) -> dict:
    out = []
    for n in page_order(cells):
        cell = cells[n]
        shown = None if cell.role in ("work", "check") else runs.get(n)
        outputs = _page_outputs(nb, shown, figures.get(n, []), cell)
        out.append(_as_cell(cell, outputs))
        if n == 0:
            out += [_markdown(launch), _code(setup, tags=("setup",))]
    return _notebook(out)


def _ipynb_outputs(run) -> list[dict]:
    if run is None:
        return []
    outs = []
    for o in run.outputs:
        if o.kind == "stream":
            outs.append({"name": "stdout", "output_type": "stream", "text": o.text})
        elif o.kind == "result":
            outs.append({"data": {"text/plain": o.text}, "execution_count": None,
                         "metadata": {}, "output_type": "execute_result"})
        else:
            outs.append({"data": {"image/svg+xml": o.svgs["light"].decode("utf-8"),
                                  "text/plain": "<Figure>"},
                         "metadata": {}, "output_type": "display_data"})
    return outs


def _page_outputs(nb: Notebook, run, names: list[str], cell: Cell) -> list[dict]:
    """Text as streams; figures as <img> pairs pointing at the SVG files, so the
    page stays small and each plot switches with the palette."""
    if run is None:
        return []
    outs, figure = [], 0
    alts = cell.meta.get("alt", [])
    alts = [alts] if isinstance(alts, str) else list(alts)
    for o in run.outputs:
        if o.kind != "figure":
            outs += _ipynb_outputs(type(run)([o]))
            continue
        stem = names[figure]
        width, height = svg_size(o.svgs["light"])
        html = "".join(
            f'<img class="nb-figure" src="{PAGE_ROOT}figures/{nb.folder}/{stem}.'
            f'{variant}.svg#only-{variant}" alt="{_attr(alts[figure])}" '
            f'width="{width}" height="{height}">'
            for variant in ("light", "dark"))
        outs.append({"data": {"text/html": html, "text/plain": "<Figure>"},
                     "metadata": {}, "output_type": "display_data"})
        figure += 1
    return outs


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def svg_size(svg: bytes) -> tuple[int, int]:
    """The SVG's width and height in CSS pixels (matplotlib writes points)."""
    head = svg[:2000].decode("utf-8", "replace")
    w = float(re.search(r'width="([\d.]+)pt"', head).group(1))
    h = float(re.search(r'height="([\d.]+)pt"', head).group(1))
    return round(w * 96 / 72), round(h * 96 / 72)


# -- notes and links shown at the top of each notebook ---------------------------

def colab_url(repo_url: str, path: str, branch: str = "main") -> str:
    """'Open in Colab' for a notebook committed at `path` in a GitHub repository,
    or '' when the repository is not on GitHub (Colab opens only GitHub files)."""
    match = re.match(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?$",
                     repo_url or "")
    if not match:
        return ""
    owner, repo = match.groups()
    return f"https://colab.research.google.com/github/{owner}/{repo}/blob/{branch}/{path}"


def launch_markdown(nb: Notebook, root: Path) -> str:
    """The page's download links (relative to the site root, see PAGE_ROOT)."""
    links = site_links(root)
    lesson = f"{PAGE_ROOT}{nb.docs_dir}/"
    links_html = [
        (f"{lesson}exercises.ipynb", "Download notebook", "download"),
        (f"{lesson}exercises-solutions.ipynb", "Download solutions", "download"),
        (f"{PAGE_ROOT}{WHEEL_DIR}/{wheel_name(root)}", "Download the kernels wheel",
         "download"),
    ]
    colab = colab_url(links["repo_url"], f"figures/{nb.folder}/exercises.ipynb")
    if colab:
        links_html.append((colab, "Open in Colab", ""))
    parts = [f'<a class="md-button" href="{href}"{" download" if dl else ""}>{text}</a>'
             for href, text, dl in links_html]
    return ('<p class="nb-launch">' + " ".join(parts) + "</p>\n\n"
            "Work in the downloaded notebook: fill in each cell marked *work* where it "
            "says `TODO(...)`, run the *check* cell below it, and open the solution "
            "only when the check passes or you are stuck. Put the notebook and the "
            "wheel in one folder, or run it from a clone of the book's repository; "
            "its first code cell makes `import kernels` work (it needs Python 3.11 "
            "or newer).")


READER_NOTE = ("Run the next cell first. Then, for each exercise, fill in the *work* "
               "cell where it says `TODO(...)` and run the *check* cell under it: it "
               "passes silently or prints what to look at. The solutions are in "
               "`exercises-solutions.ipynb`.")
SOLUTIONS_NOTE = ("**Solutions.** Every work cell is replaced by its solution and "
                  "the notebook has been run, so each check passes. Run the next "
                  "cell first if you run it yourself.")


# -- the job the snippet worker runs -------------------------------------------

def run_job(job: dict, root: Path) -> dict:
    """Execute one notebook (both ways), write its files to job['staging']."""
    from .nbexec import Session

    nb = Notebook(root, job["notebook"])
    staging = Path(job["staging"])
    cells = parse(nb)
    setup = setup_source(root)

    session = Session(nb.path, root)
    setup_run = session.run(setup, 1)
    if setup_run.error:
        raise BookError(f"{nb.rel}: the generated setup cell failed: "
                        f"{setup_run.error!r}\n{setup_run.traceback}")
    runs = {}
    for n, cell in enumerate(cells):
        if cell.kind != "code" or cell.role == "work":
            continue
        run = session.run(cell.source, cell.line)
        if run.error is not None:
            raise _cell_error(nb, cell, run, "with the solutions filled in")
        runs[n] = run
    _prove_skeletons_fail(nb, cells)
    from .nbexec import Output

    for n, run in runs.items():
        if MEASURE in cells[n].tags:  # timings differ on every run: keep none
            run.outputs = [Output("stream", MEASURED_NOTE)]

    files, figures = [], {}
    for n, run in runs.items():
        svgs = [o.svgs for o in run.outputs if o.kind == "figure"]
        alts = cells[n].meta.get("alt", [])
        alts = [alts] if isinstance(alts, str) else list(alts)
        if MEASURE in cells[n].tags:
            continue  # its figures are the reader's own; no alt text to check
        if len(alts) != len(svgs) or not all(isinstance(a, str) and a.strip()
                                             for a in alts):
            raise BookError(
                f"{nb.rel}:{cells[n].line - 1}: this cell draws {len(svgs)} "
                f"figure(s) and describes {len(alts)}; give each its alt text in "
                'the cell marker: # %% alt="What the plot shows" (a JSON list of '
                "strings for several)")
        for i, pair in enumerate(svgs):
            stem = f"exercises_{n:03d}_{i}"
            figures.setdefault(n, []).append(stem)
            for variant, data in pair.items():
                files.append(_write(staging, f"{stem}.{variant}.svg", data))
    files.append(_write(staging, "exercises.ipynb",
                        dumps(reader_notebook(cells, setup, READER_NOTE))))
    files.append(_write(staging, "exercises_solutions.ipynb", dumps(
        solutions_notebook(cells, runs, setup, setup_run, SOLUTIONS_NOTE))))
    files.append(_write(staging, "exercises_page.ipynb", dumps(page_notebook(
        nb, cells, runs, figures, setup, launch_markdown(nb, root)))))
    title = next((ln[2:].strip() for ln in cells[0].source.splitlines()
                  if ln.startswith("# ")), "Exercises") if cells else "Exercises"
    return {"kind": "notebook", "meta": {"title": title, "docs": nb.docs_dir},
            "facts": {}, "files": sorted(files)}


def _write(staging: Path, name: str, data: bytes) -> str:
    (staging / name).write_bytes(data)
    return name


def _cell_error(nb: Notebook, cell: Cell, run, how: str) -> BookError:
    return BookError(f"{run.where}: {type(run.error).__name__}: {run.error}\n"
                     f"(a {cell.role or 'given'} cell of {nb.rel} failed {how})\n"
                     + "\n".join("    " + ln for ln in run.traceback.splitlines()))


def _prove_skeletons_fail(nb: Notebook, cells: list[Cell]) -> None:
    """Run the reader's notebook: every task must stop in its work or check cells,
    with NotDone or an AssertionError; cells before the first task must run."""
    from .nbexec import Session

    session = Session(nb.path, nb.root)
    setup = session.run(setup_source(nb.root), 1)
    if setup.error:
        raise BookError(f"{nb.rel}: the setup cell failed in the reader's notebook")
    tasks = split_tasks(cells)
    task_of = {id(c): i for i, t in enumerate(tasks) for c in t}
    stopped: dict[int, tuple] = {}
    seen: set[int] = set()  # ids of task cells already run
    problems = []
    for cell in cells:
        if cell.kind != "code" or cell.role == "solution":
            continue
        run = session.run(cell.source, cell.line)
        task = task_of.get(id(cell))
        if task is None:  # given code may fail once an exercise is left unfinished
            if run.error is not None and not task_of.keys() & seen:
                raise _cell_error(nb, cell, run, "in the reader's notebook")
            continue
        seen.add(id(cell))
        if run.error is not None and task not in stopped:
            stopped[task] = (cell, run)
    for i, task in enumerate(tasks):
        work = task[0]
        if i not in stopped:
            problems.append(f"{nb.rel}:{work.line}: with the skeleton as given, this "
                            "exercise's check passes; make the check fail on an "
                            "unfilled answer (or the work cell raise NotDone)")
            continue
        cell, run = stopped[i]
        if not isinstance(run.error, (NotImplementedError, AssertionError)):
            problems.append(
                f"{run.where}: the unfilled {cell.role} cell stops with "
                f"{type(run.error).__name__}: {run.error}; make every gap a "
                "TODO(\"hint\") so the reader gets 'not done yet' instead")
    if problems:
        raise BookError("exercise checks that cannot fail:\n" + "\n".join(problems))

