"""What a snippet's output depends on, hashed into its cache key.

A snippet's dependencies are a map from a name to a digest; the key is a hash of that
map, and the manifest keeps the map too, so a stale artefact says *which* dependency
changed. The map covers exactly what can change the bytes a snippet writes:

- ``snippets/…/x.py``: the snippet's own bytes (its comments are cheap to re-run);
- ``kernels/…``, ``snippets/style.py``, …: every *local* module it imports,
  transitively, found by reading import statements, hashed by their syntax tree with
  docstrings removed, so a comment or docstring edit re-runs nothing;
- ``build:scripts/bookbuild/…``: the build code that turns a snippet's calls into
  files, hashed the same way (its docstrings and comments are not part of any key);
- ``data:…``: the data files it declares in ``DATA_FILES = ("path", ...)``;
- ``python`` and ``lib:<distribution>``: the interpreter's version and the version of
  every installed distribution the snippet (or anything local it imports) imports,
  with everything those distributions require, transitively.
Lesson prose is deliberately not part of it: editing a page re-runs no snippet.
"""

from __future__ import annotations

import ast
import hashlib
import re
import sys
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from . import BookError

BUILD_CODE = ("scripts/bookbuild/artefacts.py", "scripts/bookbuild/runner.py")
# The runner imports matplotlib before any snippet, and renders every figure with it.
ALWAYS_IMPORTED = ("matplotlib",)


def local_imports(path: Path, root: Path) -> set[Path]:
    """Every file under `root` that `path` imports, directly or transitively."""
    seen: set[Path] = set()
    todo = [path]
    while todo:
        current = todo.pop()
        local, _ = _imports(current, root, _mtime_ns(current))
        for dep in local:
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    seen.discard(path)
    return seen


def _mtime_ns(path: Path) -> int:
    return path.stat().st_mtime_ns


def _parse(path: Path, root: Path) -> ast.Module:
    try:
        return ast.parse(path.read_bytes(), filename=str(path))
    except SyntaxError as exc:
        raise BookError(f"{path.relative_to(root)}:{exc.lineno}: syntax error: "
                        f"{exc.msg}") from None


@lru_cache(maxsize=None)
def _imports(path: Path, root: Path, _mtime: int) -> tuple[frozenset[Path],
                                                           frozenset[str]]:
    """(local files, top-level names of non-local modules) that `path` imports.
    _mtime is part of the cache key so an edited file is parsed again (serve mode)."""
    tree = _parse(path, root)
    package = _package_of(path, root)
    local: set[Path] = set()
    foreign: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                files = _module_files(alias.name, root)
                local |= files
                if not files:
                    foreign.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = _absolute_module(node, package)
            if base is None:
                continue
            files = _module_files(base, root)
            if not files and node.level == 0:
                foreign.add(base.split(".")[0])
            local |= files
            for alias in node.names:  # `from kernels import rope` imports a module
                local |= _module_files(f"{base}.{alias.name}", root)
    return frozenset(local), frozenset(foreign)


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
    tree = _parse(path, root)
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


# -- digests -----------------------------------------------------------------------
def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def code_digest(path: Path, root: Path) -> str:
    """SHA-256 of a Python file's syntax tree without docstrings: what it *does*.
    Comments, docstrings, blank lines and line breaks inside brackets do not count."""
    return _code_digest(path, root, _mtime_ns(path))


@lru_cache(maxsize=None)
def _code_digest(path: Path, root: Path, _mtime: int) -> str:
    tree = _parse(path, root)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef,
                              ast.AsyncFunctionDef)) and body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree, include_attributes=False).encode()
                          ).hexdigest()


# -- libraries ---------------------------------------------------------------------
@lru_cache(maxsize=1)
def _distributions_of_modules() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=None)
def _requirement_closure(dist: str) -> frozenset[str]:
    """`dist` and every installed distribution it requires, transitively (extras and
    requirements for other platforms left out)."""
    seen: set[str] = set()
    todo = [_canonical(dist)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        try:
            requires = metadata.distribution(name).requires or []
        except metadata.PackageNotFoundError:
            continue
        seen.add(name)
        for req in requires:
            spec, _, marker = req.partition(";")
            if "extra" in marker:
                continue
            if marker.strip() and not _marker_holds(marker):
                continue
            todo.append(_canonical(re.split(r"[\s<>=!~\[(;]", spec.strip(), 1)[0]))
    return frozenset(seen)


def _marker_holds(marker: str) -> bool:
    try:
        from packaging.markers import Marker
    except ImportError:  # without packaging, include it: more re-runs, never fewer
        return True
    return Marker(marker.strip()).evaluate({"extra": ""})


def library_digests(modules: set[str]) -> dict[str, str]:
    """{"lib:<dist>": version} for the distributions that provide `modules` (top-level
    import names), with their requirements; stdlib modules map to no distribution."""
    owners = _distributions_of_modules()
    dists: set[str] = set()
    for module in modules:
        for dist in owners.get(module, []):
            dists |= _requirement_closure(dist)
    return {f"lib:{d}": metadata.version(d) for d in sorted(dists)}


# -- the key -----------------------------------------------------------------------
def dependencies(path: Path, root: Path, *, with_build_code: bool = True
                 ) -> dict[str, str]:
    """{dependency name: digest} for everything that can change `path`'s output."""
    rel = path.relative_to(root).as_posix()
    deps = {rel: file_digest(path),
            "python": f"{sys.version_info.major}.{sys.version_info.minor}"}
    code = local_imports(path, root)
    build: set[Path] = set()
    if with_build_code:
        for build_rel in BUILD_CODE:
            build_file = root / build_rel
            build |= {build_file} | local_imports(build_file, root)
    modules = set(ALWAYS_IMPORTED) if with_build_code else set()
    for file in {path} | code | build:
        modules |= _imports(file, root, _mtime_ns(file))[1]
    for file in code - build - {path}:
        deps[file.relative_to(root).as_posix()] = code_digest(file, root)
    for file in build - {path}:
        deps[f"build:{file.relative_to(root).as_posix()}"] = code_digest(file, root)
    for file in declared_data_files(path, root):
        deps[f"data:{file.relative_to(root).as_posix()}"] = file_digest(file)
    deps.update(library_digests(modules))
    return dict(sorted(deps.items()))


def key_of(deps: dict[str, str]) -> str:
    h = hashlib.sha256()
    for name, digest in sorted(deps.items()):
        h.update(f"{name}\0{digest}\0".encode())
    return h.hexdigest()


def explain_change(old: dict[str, str] | None, new: dict[str, str]) -> str:
    """Which dependencies differ between a manifest's map and today's, in words."""
    if not old:
        return "its manifest records no dependencies (built by an older version)"
    parts: list[str] = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if name == "python" or name.startswith("lib:"):
            label = name.removeprefix("lib:")
            parts.append(f"{label} {before or '(not used)'} -> {after or '(not used)'}")
        elif before is None:
            parts.append(f"{name} is a new dependency")
        elif after is None:
            parts.append(f"{name} is no longer a dependency")
        else:
            parts.append(f"{name} changed")
    return "; ".join(parts) if parts else "its key changed"
