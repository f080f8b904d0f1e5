"""Discover snippets, re-run the stale ones, install their artefacts atomically.

Layout: ``snippets/<folder>/<stem>.py`` makes ``figures/<folder>/<stem>.*`` plus a
manifest ``figures/<folder>/<stem>.json`` recording the cache key with the dependency
map it was computed from, the SHA-256 of every output, the figure/table metadata, the
facts and the claims. The manifest is committed with
the figures, so a fresh clone builds without running any snippet, and it is written
last, so a build that dies half-way leaves a manifest whose key no longer matches.

A snippet is re-run when its key changed (see ``deps``), when its manifest is missing
or unreadable, or when an output is missing or differs from the recorded hash.
"""

from __future__ import annotations

import json
import os
import queue
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import BookError, notebooks
from .artefacts import Fact
from .deps import dependencies, explain_change, file_digest, key_of

MANIFEST_VERSION = 2  # 2: the manifest records its dependency map
DEFAULT_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Snippet:
    root: Path
    rel: str  # "snippets/<folder>/<stem>.py"
    job_type = "snippet"  # the runner's job field (notebooks.Notebook: "notebook")

    @property
    def path(self) -> Path:
        return self.root / self.rel

    @property
    def folder(self) -> str:
        return Path(self.rel).parent.name

    @property
    def stem(self) -> str:
        return Path(self.rel).stem

    @property
    def out_dir(self) -> Path:
        return self.root / "figures" / self.folder

    @property
    def manifest_path(self) -> Path:
        return self.out_dir / f"{self.stem}.json"


@dataclass
class Report:
    ran: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # why each one ran
    seconds: float = 0.0


def discover(root: Path) -> list[Snippet]:
    """snippets/<folder>/<stem>.py, skipping names that start with '_' (helpers)."""
    found = []
    for path in sorted((root / "snippets").glob("*/*.py")):
        if path.name.startswith("_") or path.parent.name.startswith("_"):
            continue
        found.append(Snippet(root, path.relative_to(root).as_posix()))
    stems: dict[str, str] = {}
    for snip in found:
        if snip.stem in stems:
            raise BookError(f"{snip.rel}: the artefact name '{snip.stem}' is already "
                            f"used by {stems[snip.stem]}; names are book-wide, rename "
                            "one of the files")
        stems[snip.stem] = snip.rel
    return found


def read_manifest(snip: Snippet) -> tuple[dict | None, str]:
    """(manifest, '') if it is readable and its outputs intact, else (None, why)."""
    if not snip.manifest_path.is_file():
        return None, "no manifest yet"
    try:
        manifest = json.loads(snip.manifest_path.read_text(encoding="utf-8"))
        outputs = manifest["outputs"]
        if manifest.get("version") != MANIFEST_VERSION:
            return None, "manifest from another build version"
    except (ValueError, KeyError, TypeError):
        return None, "manifest is corrupted"
    for name, digest in outputs.items():
        out = snip.out_dir / name
        if not out.is_file():
            return None, f"output {name} is missing"
        if file_digest(out) != digest:
            return None, f"output {name} was changed by hand or corrupted"
    return manifest, ""


def staleness(snip: Snippet, deps: dict[str, str]) -> str:
    """Why `snip` must run, naming what changed, or '' if its committed artefacts
    are up to date."""
    manifest, why = read_manifest(snip)
    if manifest is None:
        return why
    if manifest.get("key") != key_of(deps):
        return explain_change(manifest.get("deps"), deps)
    return ""


def audit(root: Path) -> dict[str, str]:
    """{snippet or notebook: why it is stale} for every one whose committed
    artefacts do not match its sources; empty when a build would run nothing."""
    root = root.resolve()
    stale = {}
    for snip in discover(root):
        if why := staleness(snip, dependencies(snip.path, root)):
            stale[snip.rel] = why
    for nb in notebooks.discover(root):
        if why := staleness(nb, notebooks.dependencies(nb)):
            stale[nb.rel] = why
    from . import wheel  # the kernels wheel the notebooks install

    if why := wheel.staleness(root):
        stale[f"{wheel.FOLDER}/ (the kernels wheel)"] = why
    return stale


def refresh(root: Path, *, force: bool = False, workers: int | None = None,
            timeout_s: float | None = None, log=print) -> Report:
    """Bring every artefact up to date. Raises BookError listing every failure."""
    start = time.perf_counter()
    root = root.resolve()
    report = Report()
    todo: list[tuple[Snippet, dict[str, str]]] = []
    for snip in discover(root):
        deps = dependencies(snip.path, root)
        why = "forced" if force else staleness(snip, deps)
        if why:
            todo.append((snip, deps))
            report.reasons[snip.rel] = why
        else:
            report.cached.append(snip.rel)
    for nb in notebooks.discover(root):  # same cache and worker pool as snippets
        deps = notebooks.dependencies(nb)
        why = "forced" if force else staleness(nb, deps)
        if why:
            todo.insert(0, (nb, deps))  # the longest jobs first: less idle at the end
            report.reasons[nb.rel] = why
        else:
            report.cached.append(nb.rel)
    if todo:
        for snip, _ in todo:
            log(f"running {snip.rel} ({report.reasons[snip.rel]})")
        failures = _run_all(root, todo, workers, timeout_s, report)
        if failures:
            raise BookError(
                f"{len(failures)} snippet(s) failed; their previous artefacts are "
                "untouched.\n\n" + "\n\n".join(failures)
            )
    report.seconds = time.perf_counter() - start
    return report


def _run_all(root, todo, workers, timeout_s, report) -> list[str]:
    if timeout_s is None:
        timeout_s = float(os.environ.get("BOOK_SNIPPET_TIMEOUT_S", DEFAULT_TIMEOUT_S))
    if workers is None:
        workers = int(os.environ.get("BOOK_WORKERS", min(2, os.cpu_count() or 1)))
    workers = max(1, min(workers, len(todo)))
    jobs: queue.Queue = queue.Queue()
    for item in todo:
        jobs.put(item)
    failures: list[str] = []
    lock = threading.Lock()

    def drive() -> None:
        worker = None
        try:
            while True:
                try:
                    snip, deps = jobs.get_nowait()
                except queue.Empty:
                    return
                if worker is None:
                    worker = Worker(root)
                try:
                    result = worker.run(snip, timeout_s)
                    if result["ok"]:
                        install(snip, deps, result, worker.staging_for(snip))
                        with lock:
                            report.ran.append(snip.rel)
                        continue
                    message = result["error"]
                    if result.get("traceback"):
                        message += "\n" + _indent(result["traceback"])
                except BookError as exc:
                    message = str(exc)
                    worker.close()
                    worker = None  # a killed or dead worker is replaced
                with lock:
                    failures.append(message)
        finally:
            if worker is not None:
                worker.close()

    threads = [threading.Thread(target=drive) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(failures)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.rstrip().splitlines())


class Worker:
    """One runner process; see runner.py for the protocol."""

    def __init__(self, root: Path):
        self.root = root
        self.tmp = Path(tempfile.mkdtemp(prefix="book-staging-"))
        env = dict(os.environ, PYTHONPATH=str(root), PYTHONHASHSEED="0")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "scripts.bookbuild.runner", str(root)],
            cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, bufsize=1,
        )
        if self._read_line(120.0, "starting the snippet worker") != "ready":
            self.close()
            raise BookError("the snippet worker did not start; run "
                            "`python -m scripts.bookbuild.runner .` to see why")

    def staging_for(self, snip: Snippet) -> Path:
        return self.tmp / snip.rel.replace("/", "_")

    def run(self, snip: Snippet, timeout_s: float) -> dict:
        staging = self.staging_for(snip)
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        self.proc.stdin.write(json.dumps({snip.job_type: snip.rel,
                                          "staging": str(staging)}) + "\n")
        self.proc.stdin.flush()
        line = self._read_line(timeout_s, snip.rel)
        return json.loads(line)

    def _read_line(self, timeout_s: float, what: str) -> str:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout_s)
        if not ready:
            self.close()
            raise BookError(
                f"{what}: did not finish within {timeout_s:g} s and was killed. "
                "Make it faster (smaller sizes, fewer steps) or, if it really needs "
                "longer, raise BOOK_SNIPPET_TIMEOUT_S."
            )
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait()
            raise BookError(f"{what}: the snippet worker died (exit code {code}) "
                            "while running it; see the output above")
        return line.strip()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def install(snip: Snippet, deps: dict[str, str], result: dict,
            staging: Path) -> None:
    """Move a successful run's files into figures/, then write its manifest."""
    snip.out_dir.mkdir(parents=True, exist_ok=True)
    outputs = {}
    for name in result["files"]:
        src = staging / name
        outputs[name] = file_digest(src)
        tmp = snip.out_dir / f".{name}.tmp"
        shutil.copyfile(src, tmp)
        os.replace(tmp, snip.out_dir / name)  # atomic: readers see old or new
    old, _ = read_manifest(snip)
    manifest = {
        "version": MANIFEST_VERSION,
        "snippet": snip.rel,
        "key": key_of(deps),
        "deps": deps,
        "kind": result["kind"],
        "meta": result["meta"],
        "facts": result["facts"],
        "claims": result.get("claims", {}),
        "outputs": outputs,
    }
    _write_json_atomic(snip.manifest_path, manifest)
    for name in (old or {}).get("outputs", {}):
        if name not in outputs:  # superseded by this successful run
            (snip.out_dir / name).unlink(missing_ok=True)


def _write_json_atomic(path: Path, data: dict) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)
                   + "\n", encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Artefact:
    name: str
    kind: str          # "figure", "table" or "facts"
    snippet: Snippet
    meta: dict
    files: list[str]   # paths relative to root, e.g. figures/long_context/x.light.svg


@dataclass
class Index:
    """Everything pages may reference, read from the manifests."""

    artefacts: dict[str, Artefact]
    facts: dict[str, Fact]
    fact_origin: dict[str, str]
    orphans: list[str]
    claims: dict[str, dict] = field(default_factory=dict)  # name -> {text, because}
    claim_origin: dict[str, str] = field(default_factory=dict)
    notebooks: dict[str, dict] = field(default_factory=dict)  # rel -> manifest


def load_index(root: Path) -> Index:
    root = root.resolve()
    artefacts: dict[str, Artefact] = {}
    facts: dict[str, Fact] = {}
    origin: dict[str, str] = {}
    claims: dict[str, dict] = {}
    claim_origin: dict[str, str] = {}
    produced: set[str] = set()
    for snip in discover(root):
        manifest, why = read_manifest(snip)
        if manifest is None:
            raise BookError(f"{snip.rel}: artefacts not built ({why}); run the build")
        files = [f"figures/{snip.folder}/{n}" for n in manifest["outputs"]]
        produced |= set(files) | {f"figures/{snip.folder}/{snip.manifest_path.name}"}
        artefacts[snip.stem] = Artefact(snip.stem, manifest["kind"], snip,
                                        manifest["meta"], files)
        for name, data in manifest["facts"].items():
            if name in facts:
                raise BookError(f"{snip.rel}: fact '{name}' is also published by "
                                f"{origin[name]}; fact names are book-wide")
            fact = Fact(**data)
            fact.check(snip.rel)
            facts[name] = fact
            origin[name] = snip.rel
        for name, data in manifest.get("claims", {}).items():
            if name in claims:
                raise BookError(f"{snip.rel}: claim '{name}' is also published by "
                                f"{claim_origin[name]}; claim names are book-wide")
            claims[name] = data
            claim_origin[name] = snip.rel
    notebook_manifests = {}
    for nb in notebooks.discover(root):
        manifest, why = read_manifest(nb)
        if manifest is None:
            raise BookError(f"{nb.rel}: notebook not executed ({why}); run the build")
        notebook_manifests[nb.rel] = manifest
        produced |= {f"figures/{nb.folder}/{n}" for n in manifest["outputs"]}
        produced.add(f"figures/{nb.folder}/{nb.manifest_path.name}")
    if notebook_manifests:
        from . import wheel  # the kernels wheel the notebooks install

        produced |= wheel.outputs(root)
    orphans = sorted(
        p.relative_to(root).as_posix()
        for p in (root / "figures").rglob("*")
        if p.is_file() and p.relative_to(root).as_posix() not in produced
    ) if (root / "figures").is_dir() else []
    return Index(artefacts, facts, origin, orphans, claims, claim_origin,
                 notebook_manifests)
