"""Exercise notebooks: the source format, both directions of the checks, the three
generated notebooks, the setup cell, the wheel."""

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scripts.bookbuild import BookError, notebooks, wheel
from scripts.bookbuild.workspace import REPO

from .conftest import write

GOOD = '''
# %% [markdown]
# # Exercises: squares

# %%
from kernels.exercise import TODO

# %% [markdown]
# ## Exercise 1: square a number

# %% tags=["work"]
def square(x):
    return TODO("x times itself")


# %% tags=["solution"]
def square(x):
    return x * x


# %% tags=["check"]
assert square(3) == 9, "three squared is nine: multiply x by itself"
print("square works")

# %% alt="A line through the squares of 0 to 4."
import matplotlib.pyplot as plt
plt.plot(range(5), [square(x) for x in range(5)])
plt.show()

# %% [markdown] tags=["solution"]
# Squaring is multiplying a number by itself.
'''


@pytest.fixture
def nb_repo(mini_repo: Path) -> Path:
    """mini_repo plus what a notebook needs: the TODO helper, pyproject, mkdocs.yml."""
    shutil.copy(REPO / "kernels" / "exercise.py", mini_repo / "kernels" / "exercise.py")
    shutil.copy(REPO / "pyproject.toml", mini_repo / "pyproject.toml")
    write(mini_repo / "mkdocs.yml", "site_name: t\nrepo_url: https://github.com/o/r\n")
    write(mini_repo / "docs/mod/squares/exercises.py", GOOD)
    return mini_repo


def run(repo: Path, tmp_path: Path, source: str | None = None) -> dict:
    nb_path = repo / "docs/mod/squares/exercises.py"
    if source is not None:
        write(nb_path, source)
    staging = tmp_path / "staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    result = notebooks.run_job({"notebook": "docs/mod/squares/exercises.py",
                                "staging": str(staging)}, repo)
    return {name: (staging / name).read_bytes() for name in result["files"]}


def cells(data: bytes) -> list[dict]:
    return json.loads(data)["cells"]


def tags(cell: dict) -> list[str]:
    return cell["metadata"].get("tags", [])


def test_one_source_makes_three_notebooks_byte_identical_on_rerun(nb_repo, tmp_path):
    first = run(nb_repo, tmp_path)
    assert sorted(first) == ["exercises.ipynb", "exercises_006_0.dark.svg",
                             "exercises_006_0.light.svg", "exercises_page.ipynb",
                             "exercises_solutions.ipynb"]
    assert run(nb_repo, tmp_path) == first  # deterministic ids, SVG and JSON

    reader = cells(first["exercises.ipynb"])
    assert not any("solution" in tags(c) for c in reader)
    assert any("TODO(" in c["source"] for c in reader if "work" in tags(c))
    assert all(c["outputs"] == [] for c in reader if c["cell_type"] == "code")
    assert [c["id"] for c in reader] == [f"cell-{n:03d}" for n in range(len(reader))]
    assert "import kernels" in reader[2]["source"]  # setup right after the title

    solved = cells(first["exercises_solutions.ipynb"])
    assert not any("work" in tags(c) for c in solved)
    check = next(c for c in solved if "check" in tags(c))
    assert check["outputs"][0]["text"] == "square works\n"
    assert any("image/svg+xml" in o.get("data", {}) for c in solved
               for o in c.get("outputs", []))

    page = cells(first["exercises_page.ipynb"])
    roles = [next((t for t in tags(c) if t in notebooks.TAGS), "") for c in page]
    assert roles.index("work") < roles.index("check") < roles.index("solution")
    html = [o["data"]["text/html"] for c in page for o in c.get("outputs", [])
            if "text/html" in o.get("data", {})][0]
    assert 'alt="A line through the squares of 0 to 4."' in html
    for variant in ("light", "dark"):
        assert (f'src="@book/figures/squares/exercises_006_0.{variant}.svg'
                f'#only-{variant}"') in html
    assert "colab.research.google.com/github/o/r/blob/main/figures/squares/" \
        "exercises.ipynb" in page[1]["source"]


def test_a_check_that_passes_on_the_skeleton_fails_the_build(nb_repo, tmp_path):
    source = GOOD.replace('assert square(3) == 9, "three squared is nine: multiply '
                          'x by itself"', "assert True")
    with pytest.raises(BookError, match=r"exercises\.py:\d+: with the skeleton as "
                       r"given, this exercise's check passes"):
        run(nb_repo, tmp_path, source)


def test_a_skeleton_that_fails_unhelpfully_fails_the_build(nb_repo, tmp_path):
    source = GOOD.replace('    return TODO("x times itself")',
                          '    return None  # TODO("x times itself")').replace(
        "assert square(3) == 9,", "assert abs(square(3) - 9) < 1e-9,")
    with pytest.raises(BookError, match=r"exercises\.py:\d+: the unfilled check cell "
                       r"stops with TypeError"):
        run(nb_repo, tmp_path, source)


def test_a_wrong_solution_fails_with_its_line(nb_repo, tmp_path):
    source = GOOD.replace("    return x * x", "    return x + x")
    line = GOOD.lstrip().splitlines().index(
        'assert square(3) == 9, "three squared is nine: multiply x by itself"') + 1
    with pytest.raises(BookError, match=rf"docs/mod/squares/exercises\.py:{line}: "
                       "AssertionError: three squared is nine"):
        run(nb_repo, tmp_path, source)


@pytest.mark.parametrize("old,new,message", [
    ('# %% tags=["check"]', "# %%", "needs solution cell\\(s\\) and then check"),
    ('    return TODO("x times itself")', "    return 0",
     "marks each gap with TODO"),
    ('# %% alt="A line through the squares of 0 to 4."', "# %%",
     "draws 1 figure\\(s\\) and describes 0"),
])
def test_malformed_notebooks_fail_with_file_and_line(nb_repo, tmp_path, old, new,
                                                     message):
    with pytest.raises(BookError, match=rf"exercises\.py:\d+: .*{message}"):
        run(nb_repo, tmp_path, GOOD.replace(old, new))


def test_colab_url_is_built_from_a_github_repo_url():
    path = "figures/long_context/exercises.ipynb"
    assert notebooks.colab_url("https://github.com/a-b/c.d", path) == \
        "https://colab.research.google.com/github/a-b/c.d/blob/main/" + path
    assert notebooks.colab_url("https://github.com/a/b.git/", path).startswith(
        "https://colab.research.google.com/github/a/b/blob/")
    assert notebooks.colab_url("https://gitlab.com/a/b", path) == ""
    assert notebooks.colab_url("", path) == ""


def test_setup_cell_finds_the_repository_from_a_lesson_folder(tmp_path):
    """Run from docs/<lesson>/ in an isolated Python: the cell walks up to kernels."""
    script = notebooks.setup_source(REPO) + "\nprint(kernels.__file__)\n"
    result = subprocess.run([sys.executable, "-I", "-c", script], text=True,
                            capture_output=True,
                            cwd=REPO / "docs/5.3-scaling-architecture/long-context")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(REPO / "kernels" / "__init__.py")


def test_kernels_wheel_is_reproducible_and_holds_the_package(tmp_path):
    copies = []
    for name in ("a", "b"):
        root = tmp_path / name
        shutil.copytree(REPO / "kernels", root / "kernels",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
        copies.append(wheel.refresh(root, log=lambda *_: None).read_bytes())
    assert copies[0] == copies[1]
    names = zipfile.ZipFile(tmp_path / "a" / wheel.FOLDER /
                            notebooks.wheel_name(REPO)).namelist()
    assert "kernels/exercise.py" in names and "kernels/moe.py" in names
    assert not any("__pycache__" in n or n.startswith("tests") for n in names)
    metadata = next(n for n in names if n.endswith("METADATA"))
    text = zipfile.ZipFile(tmp_path / "a" / wheel.FOLDER /
                           notebooks.wheel_name(REPO)).read(metadata).decode()
    assert "Requires-Dist: torch==2.13.0" in text
    assert 'Requires-Dist: matplotlib==3.11.2; extra == "notebooks"' in text


@pytest.mark.parametrize("config,remote", [
    ("site_url: https://b.example/book/\nrepo_url: https://github.com/o/r\n",
     '("attention-textbook[notebooks] @ "\n          '
     'f"https://b.example/book/downloads/{WHEEL}")'),
    ("repo_url: https://github.com/o/r\n",
     '"attention-textbook[notebooks] @ git+https://github.com/o/r"'),
    ("site_name: t\n", "None"),
])
def test_setup_cell_installs_from_the_site_or_the_repository(nb_repo, config, remote):
    write(nb_repo / "mkdocs.yml", config)
    source = notebooks.setup_source(nb_repo)
    assert f"REMOTE = {remote}" in source
    assert max(len(line) for line in source.splitlines()) <= 88  # fits the page
    compile(source, "setup", "exec")


def test_dark_variant_swaps_each_colour_by_role_exactly_once():
    """Markers follow their line's colour: swapping the line first must not make
    the markers' colour be swapped a second time (light extra → dark extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from scripts.bookbuild.nbexec import _reset_state, render_both
    from snippets.style import DARK, LIGHT

    _reset_state()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], "o-")               # C0: the accent, markers and line
    ax.bar([2], [1], color="C1")
    ax.errorbar([3], [1], yerr=[0.1], fmt="o", color="C2")
    svgs = render_both(fig)
    light, dark = svgs["light"].decode().lower(), svgs["dark"].decode().lower()
    for role in ("accent", "contrast", "good"):
        assert getattr(LIGHT, role).lower() in light
        assert getattr(DARK, role).lower() in dark
        assert getattr(LIGHT, role).lower() not in dark
    assert DARK.extra[2].lower() not in dark  # where a double swap of C0 would land
    assert "<text" in light  # text stays text, as in snippet figures
    plt.close("all")


def test_a_measure_cell_runs_but_keeps_no_machine_dependent_output(nb_repo, tmp_path):
    timed = GOOD.replace('# %% alt="A line through the squares of 0 to 4."',
                         '# %% tags=["measure"] alt="Your timings."').replace(
        "plt.show()", "plt.show()\nimport time\nprint(time.perf_counter())")
    first, second = run(nb_repo, tmp_path, timed), run(nb_repo, tmp_path, timed)
    assert first == second  # the clock's reading is not kept, so reruns match
    assert not any(name.endswith(".svg") for name in first)  # nor its plot
    page = cells(first["exercises_page.ipynb"])
    measured = next(c for c in page if "measure" in tags(c))
    assert [o["text"] for o in measured["outputs"]] == [notebooks.MEASURED_NOTE]
    with pytest.raises(BookError, match=r"exercises\.py:\d+: 'measure' marks a given "
                       "code cell"):
        run(nb_repo, tmp_path, timed.replace('# %% tags=["check"]',
                                             '# %% tags=["check", "measure"]'))
