"""What a snippet's output depends on, hashed into its cache key.

The key covers exactly what can change the bytes a snippet writes:
- its own source and every *local* module it imports, transitively (``kernels/``,
  ``snippets/`` helpers), found by reading import statements, not by running code;
- the data files it declares in a module-level ``DATA_FILES = ("path", ...)``;
- the build code that turns its calls into files (``artefacts.py``, ``runner.py``,
  and what they import, e.g. the palette);
- the versions of Python and the numeric libraries.
Lesson prose is deliberately not part of it: editing a page re-runs no snippet.
"""

from __future__ import annotations

import ast
import hashlib
import sys
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

from . import BookError

LIBRARIES = ("torch", "numpy", "matplotlib")
BUILD_CODE = ("scripts/bookbuild/artefacts.py", "scripts/bookbuild/runner.py")


def local_imports(path: Path, root: Path) -> set[Path]:
    """Every file under `root` that `path` imports, directly or transitively."""
    seen: set[Path] = set()
    todo = [path]
    while todo:
        current = todo.pop()
        for dep in _direct_local_imports(current, root, _mtime_ns(current)):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    seen.discard(path)
    return seen


def _mtime_ns(path: Path) -> int:
    return path.stat().st_mtime_ns


@lru_cache(maxsize=None)
def _direct_local_imports(path: Path, root: Path, _mtime: int) -> frozenset[Path]:
    # _mtime is part of the cache key so an edited file is parsed again (serve mode).
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except SyntaxError as exc:
        raise BookError(f"{path.relative_to(root)}:{exc.lineno}: syntax error: "
                        f"{exc.msg}") from None
    package = _package_of(path, root)
    found: set[Path] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found |= _module_files(alias.name, root)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute_module(node, package)
            if base is None:
                continue
            found |= _module_files(base, root)
            for alias in node.names:  # `from kernels import rope` imports a module
                found |= _module_files(f"{base}.{alias.name}", root)
    return frozenset(found)


def _package_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1])


def _absolute_module(node: ast.ImportFrom, package: str) -> str | None:
    if node.level == 0:
        return node.module
    parts = package.split(".") if package else []
    if node.level - 1 > len(parts):
        return None
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _module_files(dotted: str, root: Path) -> set[Path]:
    """Files for `a.b.c` under root: each package __init__ on the way, then the
    module itself."""
    parts = dotted.split(".")
    files: set[Path] = set()
    for i in range(1, len(parts) + 1):
        stem = root.joinpath(*parts[:i])
        if (stem / "__init__.py").is_file():
            files.add(stem / "__init__.py")
        elif stem.with_suffix(".py").is_file():
            files.add(stem.with_suffix(".py"))
        elif not stem.is_dir():
            break  # not local (torch, numpy, ...) or not a module
    return files


def declared_data_files(path: Path, root: Path) -> list[Path]:
    """The files named in the module-level ``DATA_FILES`` tuple. Entries may be glob
    patterns ("docs/**/concepts.yml"); each entry must match at least one file."""
    tree = ast.parse(path.read_bytes())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "DATA_FILES" for t in node.targets
        ):
            where = f"{path.relative_to(root)}:{node.lineno}"
            try:
                names = ast.literal_eval(node.value)
            except ValueError:
                raise BookError(f"{where}: DATA_FILES must be a literal tuple of "
                                "paths") from None
            files: list[Path] = []
            for name in names:
                matches = sorted(root.glob(name)) if any(c in name for c in "*?[") \
                    else [root / name]
                matches = [m for m in matches if m.is_file()]
                if not matches:
                    raise BookError(f"{where}: data file {name} does not exist")
                files += matches
            return files
    return []


@lru_cache(maxsize=None)
def library_versions() -> str:
    py = f"python={sys.version_info.major}.{sys.version_info.minor}"
    return ";".join([py] + [f"{lib}={version(lib)}" for lib in LIBRARIES])


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dependency_files(path: Path, root: Path, *,
                     with_build_code: bool = True) -> list[Path]:
    """Sorted list of every file whose bytes can change `path`'s output."""
    files = {path} | local_imports(path, root) | set(declared_data_files(path, root))
    if with_build_code:
        for rel in BUILD_CODE:
            build_file = root / rel
            files |= {build_file} | local_imports(build_file, root)
    return sorted(files)


def cache_key(path: Path, root: Path, *, with_build_code: bool = True) -> str:
    """sha256 over the dependency files' paths and contents plus library versions."""
    h = hashlib.sha256(library_versions().encode())
    for dep in dependency_files(path, root, with_build_code=with_build_code):
        h.update(b"\0" + dep.relative_to(root).as_posix().encode() + b"\0")
        h.update(file_digest(dep).encode())
    return h.hexdigest()
