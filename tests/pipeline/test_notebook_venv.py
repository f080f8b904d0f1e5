"""A downloaded solutions notebook runs in a fresh Python with one install line.

What a reader does: put the notebook and the kernels wheel in an empty folder and run
the cells. The notebook's first cell installs the wheel (with the notebooks' pinned
requirements) into an otherwise empty virtual environment; then every cell must run.
The cells are run as one script by the venv's own python, as a kernel would run them
(no Jupyter is installed there: the notebook needs none)."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripts.bookbuild import notebooks, wheel
from scripts.bookbuild.workspace import REPO

pytestmark = pytest.mark.venv

LESSON = "training_and_serving"  # the quickest of the module's notebooks to run


def test_solutions_notebook_runs_in_a_fresh_venv_from_the_wheel(tmp_path):
    build = tmp_path / "build"  # build the wheel from a copy: figures/ stays untouched
    shutil.copytree(REPO / "kernels", build / "kernels",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", build / "pyproject.toml")
    whl = wheel.refresh(build, log=lambda *_: None)

    reader = tmp_path / "reader"
    reader.mkdir()
    shutil.copy(whl, reader / whl.name)
    nb = json.loads((REPO / "figures" / LESSON / "exercises_solutions.ipynb")
                    .read_text(encoding="utf-8"))
    script = "\n\n".join(c["source"] for c in nb["cells"] if c["cell_type"] == "code")
    (reader / "run_notebook.py").write_text(script, encoding="utf-8")

    start = time.perf_counter()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(venv / "bin" / "python"), "run_notebook.py"], cwd=reader, text=True,
        capture_output=True, timeout=900, env={**env, "MPLBACKEND": "Agg"})
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for line in ("zero1_per_gpu agrees", "measure behaves as it should",
                 "make_requests builds a sensible queue", "advise passes every case"):
        assert line in result.stdout
    installed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze"],
                               capture_output=True, text=True).stdout
    assert "attention-textbook @ file://" in installed or \
        "attention_textbook" in installed.replace("-", "_")
    print(f"fresh venv, install and run: {seconds:.0f} s")
    assert notebooks.wheel_name(REPO) == whl.name
