"""Build the wheel of ``kernels/`` that the exercise notebooks install.

The wheel goes to ``figures/downloads/`` with a manifest, like a snippet's artefacts:
it is rebuilt only when ``pyproject.toml``, a file of ``kernels/`` or the setuptools
version changes, and a fresh clone builds nothing. The bytes are reproducible: the
build runs in a clean copy with SOURCE_DATE_EPOCH fixed, so every zip entry has the
same timestamp (checked by tests/pipeline/test_notebooks.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

from . import BookError
from .notebooks import wheel_name

FOLDER = "figures/downloads"
MANIFEST = "wheel.json"
EPOCH = "315532800"  # 1980-01-01, the earliest time a zip entry can carry


def sources(root: Path) -> list[Path]:
    kernels = sorted(p for p in (root / "kernels").rglob("*.py")
                     if "__pycache__" not in p.parts)
    return [root / "pyproject.toml", *kernels]


def key(root: Path) -> str:
    h = hashlib.sha256(f"setuptools={version('setuptools')}".encode())
    for path in sources(root):
        h.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def outputs(root: Path) -> set[str]:
    """The files under figures/ that this module makes (for the orphan check)."""
    return {f"{FOLDER}/{MANIFEST}", f"{FOLDER}/{wheel_name(root)}"}


def staleness(root: Path) -> str:
    """Why the committed wheel must be rebuilt, or '' when it is current."""
    wheel = root / FOLDER / wheel_name(root)
    try:
        recorded = json.loads((root / FOLDER / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "no readable wheel manifest"
    if recorded.get("key") != key(root):
        return "kernels/ or pyproject.toml changed (the wheel holds their bytes)"
    if not wheel.is_file() or \
            hashlib.sha256(wheel.read_bytes()).hexdigest() != recorded.get("sha256"):
        return f"{wheel.name} is missing or was changed by hand"
    return ""


def refresh(root: Path, log=print) -> Path:
    """Return the path of an up-to-date wheel, building it if needed."""
    out = root / FOLDER
    wheel = out / wheel_name(root)
    manifest = out / MANIFEST
    want = key(root)
    if not staleness(root):
        return wheel
    log(f"building {wheel.name} (kernels/ or pyproject.toml changed)")
    with tempfile.TemporaryDirectory(prefix="book-wheel-") as tmp:
        src, dist = Path(tmp) / "src", Path(tmp) / "dist"
        shutil.copytree(root / "kernels", src / "kernels",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        shutil.copy(root / "pyproject.toml", src / "pyproject.toml")
        result = subprocess.run(
            [sys.executable, "-c", "import sys; from setuptools import build_meta; "
             "print(build_meta.build_wheel(sys.argv[1]))", str(dist)],
            cwd=src, capture_output=True, text=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONHASHSEED": "0"})
        built = dist / wheel.name
        if result.returncode or not built.is_file():
            raise BookError(f"pyproject.toml: building the kernels wheel failed:\n"
                            f"{result.stdout}{result.stderr}")
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.whl"):
            old.unlink()
        shutil.copyfile(built, wheel)
    manifest.write_text(json.dumps(
        {"key": want, "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
         "wheel": wheel.name}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return wheel
