"""The committed artefacts are what the code makes: a fresh clone runs nothing.

The first test is cheap (it hashes, it runs nothing) and names, for each stale
snippet, the dependency that changed. The second re-runs every snippet in fresh
worker processes with a different torch thread count and compares every byte and
every fact's text, so numbers that are really rounding noise cannot reach a page.
"""

import json
from pathlib import Path

import pytest

from scripts.bookbuild import engine
from scripts.bookbuild.workspace import REPO, copy_book

HINT = ("run `make book` (or `make figures`) and commit figures/: a kernel, snippet, "
        "build-code or library change alters artefacts or the keys in their manifests")


def test_every_committed_manifest_matches_its_sources():
    stale = engine.audit(REPO)
    listing = "\n".join(f"  {rel}: {why}" for rel, why in sorted(stale.items()))
    assert not stale, f"{len(stale)} artefact(s) are stale:\n{listing}\n{HINT}"


def test_the_audit_fails_when_a_kernel_changes_without_a_rebuild(tmp_path: Path):
    copy = copy_book(tmp_path / "book")
    kernel = copy / "kernels" / "rope.py"
    kernel.write_text(kernel.read_text() + "\n\nANSWER = 42\n")
    stale = engine.audit(copy)
    wheel = stale.pop("figures/downloads/ (the kernels wheel)")
    assert "kernels/" in wheel  # the wheel ships the kernels' bytes
    assert stale and all(why == "kernels/rope.py changed" for why in stale.values())
    assert "snippets/long_context/rope_rotation.py" in stale


@pytest.mark.build
def test_every_snippet_reproduces_its_artefacts_with_another_thread_count(
        tmp_path: Path, monkeypatch):
    copy = copy_book(tmp_path / "book")
    monkeypatch.setenv("BOOK_TORCH_THREADS", "2")  # the build's default is 1
    engine.refresh(copy, force=True, log=lambda *_: None)
    committed = _files(REPO / "figures")
    regenerated = _files(copy / "figures")
    assert sorted(regenerated) == sorted(committed), HINT
    facts_differ = []
    for rel in sorted(committed):
        if rel.endswith(".json") and Path(rel).name.count(".") == 1:  # manifests only
            old = json.loads(committed[rel]).get("facts", {})  # the wheel's has none
            new = json.loads(regenerated[rel]).get("facts", {})
            facts_differ += [f"{rel}: {name}: {old[name]['text']!r} -> "
                             f"{new.get(name, {}).get('text')!r}"
                             for name in old if old[name] != new.get(name)]
    assert not facts_differ, "facts change between runs:\n" + "\n".join(facts_differ)
    stale = [rel for rel in committed if committed[rel] != regenerated[rel]]
    assert not stale, f"committed artefacts differ from what the code makes: " \
        f"{stale}; {HINT}"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*") if p.is_file()}

