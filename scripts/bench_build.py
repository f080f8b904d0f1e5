"""Time the book's build in the situations a contributor meets (not a test).

Works on a throw-away copy of the book so the real figures/ and caches are untouched:

  cold          no manifests: every snippet and exercise notebook runs
  no change     everything cached
  prose edit    one sentence added to a lesson page
  kernel edit   a line of code added to kernels/sparse.py (its importers re-run;
                a comment alone would re-run nothing: code is keyed by syntax tree)
  floor         BOOK_SKIP_SNIPPETS=1: MkDocs' own cost with the snippet stage skipped

Targets on the 2-core build machine: no change ≤ 1.5 × floor; a prose edit runs 0
snippets. Usage: python scripts/bench_build.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from scripts.bookbuild.workspace import copy_book  # noqa: E402

KERNEL = "kernels/sparse.py"
PAGE = "docs/5.3-scaling-architecture/long-context/index.md"


def build(root: Path, **env) -> tuple[float, int, int]:
    """Seconds for one `mkdocs build --strict`, snippets run, notebooks executed
    (the engine runs both in one worker pool and logs 'running <file>' for each)."""
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(root / "site")],
        cwd=root, capture_output=True, text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
    )
    seconds = time.perf_counter() - start
    if result.returncode:
        sys.exit(f"build failed:\n{result.stderr}")
    notebooks = len(re.findall(r"running docs/\S+/exercises\.py", result.stderr))
    snippets = len(re.findall(r"running snippets/", result.stderr))
    return seconds, snippets, notebooks


def measure(root: Path, repeat: int, **env) -> tuple[float, int, int]:
    runs = [build(root, **env) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), runs[-1][1], runs[-1][2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3,
                        help="median over this many runs for the cached cases")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_book(Path(tmp) / "book")
        for manifest in (root / "figures").rglob("*.json"):
            manifest.unlink()  # cold: no snippet, notebook or wheel is cached
        rows = [("cold (empty caches)", *build(root))]
        rows.append(("no change", *measure(root, args.repeat)))
        page = root / PAGE
        page.write_text(page.read_text() + "\nOne more sentence of prose.\n")
        rows.append(("prose edit", *build(root)))
        kernel = root / KERNEL
        kernel.write_text(kernel.read_text() + "\n_BENCH_EDIT = 1\n")
        rows.append(("kernel edit", *build(root)))
        rows.append(("floor (snippet stage skipped)",
                     *measure(root, args.repeat, BOOK_SKIP_SNIPPETS="1")))
    floor = rows[-1][1]
    print(f"{'build':<32}{'seconds':>9}{'× floor':>9}{'snippets run':>14}"
          f"{'notebooks run':>15}")
    for name, seconds, ran, notebooks in rows:
        print(f"{name:<32}{seconds:>9.2f}{seconds / floor:>9.2f}{ran:>14}"
              f"{notebooks:>15}")
    print(f"\ncores: {os.cpu_count()}, python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
