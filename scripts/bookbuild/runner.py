"""The snippet worker: one process per build that imports torch once.

The engine starts ``python -m scripts.bookbuild.runner ROOT``, waits for ``ready``,
then sends one JSON job per line ({"snippet": rel_path, "staging": dir}, or
{"notebook": rel_path, "staging": dir} for an exercise notebook, see notebooks.py) and
reads one JSON result per line. A snippet's own prints go to stderr so they cannot corrupt this
channel. Running snippets in a child process lets the engine kill one that hangs
without losing the MkDocs process, and keeps a crashing snippet from taking the build
server down with it.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import random
import sys
import traceback
from pathlib import Path


def _preload() -> None:
    # Every figure needs matplotlib. torch is imported by the first snippet that
    # uses it and then stays in sys.modules: once per worker, never once per snippet.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401


def _reset_state() -> None:
    """Each snippet starts from the same global state, whatever ran before it.

    Called after the snippet's imports and before main(), so a library imported by
    this very snippet is seeded too.
    """
    import matplotlib

    random.seed(0)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(0)
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        torch.manual_seed(0)
        torch.set_num_threads(int(os.environ.get("BOOK_TORCH_THREADS", "1")))
    matplotlib.rcdefaults()
    matplotlib.pyplot.close("all")


def _load(rel: str, root: Path):
    path = root / rel
    name = ".".join(Path(rel).with_suffix("").parts)  # snippets.<folder>.<stem>
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _locate(exc: BaseException, root: Path, snippet: str) -> str:
    """'file:line' of the innermost frame in this repository, and the snippet's line."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if Path(f.filename).resolve().is_relative_to(root)
              and "scripts/bookbuild" not in Path(f.filename).as_posix()]
    if not frames:
        return snippet
    inner = frames[-1]
    where = f"{Path(inner.filename).resolve().relative_to(root)}:{inner.lineno}"
    in_snippet = [f for f in frames if Path(f.filename).resolve() == root / snippet]
    if in_snippet and in_snippet[-1] is not inner:
        where += f" (called from {snippet}:{in_snippet[-1].lineno})"
    return where


def run_notebook_job(job: dict, root: Path) -> dict:
    from scripts.bookbuild import BookError

    # Imported by name so the notebook code is not part of every snippet's cache key
    # (deps.py reads import statements); notebooks add it to their own key.
    notebooks = importlib.import_module("scripts.bookbuild.notebooks")
    try:
        return {"ok": True, **notebooks.run_job(job, root)}
    except BookError as exc:
        return {"ok": False, "error": str(exc), "traceback": ""}
    except BaseException as exc:  # noqa: BLE001 — a bug in the notebook build code
        return {"ok": False, "error": f"{job['notebook']}: {type(exc).__name__}: {exc}",
                "traceback": "".join(traceback.format_exception(exc))}


def run_job(job: dict, root: Path) -> dict:
    from scripts.bookbuild import BookError
    from scripts.bookbuild.artefacts import Book

    if "notebook" in job:
        return run_notebook_job(job, root)
    rel = job["snippet"]
    staging = Path(job["staging"])
    try:
        module = _load(rel, root)
        _reset_state()
        main = getattr(module, "main", None)
        if not callable(main):
            raise BookError(f"{rel}: defines no main(book) function")
        book = Book(Path(rel).stem, staging, rel)
        main(book)
        return {"ok": True, **book.result()}
    except BookError as exc:
        return {"ok": False, "error": str(exc), "traceback": ""}
    except BaseException as exc:  # noqa: BLE001 — report anything a snippet raises
        where = _locate(exc, root, rel)
        return {
            "ok": False,
            "error": f"{where}: {type(exc).__name__}: {exc}",
            "traceback": "".join(traceback.format_exception(exc)),
        }


def main() -> None:
    root = Path(sys.argv[1]).resolve()
    sys.path.insert(0, str(root))
    channel = sys.stdout
    sys.stdout = sys.stderr
    _preload()
    channel.write("ready\n")
    channel.flush()
    for line in sys.stdin:
        result = run_job(json.loads(line), root)
        channel.write(json.dumps(result) + "\n")
        channel.flush()


if __name__ == "__main__":
    main()
