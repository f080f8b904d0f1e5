"""The content-hash cache re-runs exactly the snippets whose inputs changed."""

import json

from scripts.bookbuild import deps, engine

from .conftest import write

ALL = {"snippets/demo/uses_alpha.py", "snippets/demo/uses_beta.py",
       "snippets/demo/uses_gamma.py"}


def refresh(root, **kw):
    return engine.refresh(root, log=lambda *_: None, **kw)


def test_first_build_runs_everything_and_second_runs_nothing(mini_repo):
    assert set(refresh(mini_repo).ran) == ALL
    again = refresh(mini_repo)
    assert again.ran == []
    assert set(again.cached) == ALL


def test_editing_prose_reruns_no_snippet(mini_repo):
    refresh(mini_repo)
    page = mini_repo / "docs" / "index.md"
    page.write_text(page.read_text() + "\nA new paragraph of prose.\n")
    assert refresh(mini_repo).ran == []


def test_editing_a_kernel_reruns_exactly_its_importers(mini_repo):
    refresh(mini_repo)
    # beta imports alpha, so editing alpha must re-run both; gamma is untouched.
    write(mini_repo / "kernels" / "alpha.py", "def slope():\n    return 3.0\n")
    report = refresh(mini_repo)
    assert set(report.ran) == {"snippets/demo/uses_alpha.py",
                               "snippets/demo/uses_beta.py"}
    manifest = json.loads((mini_repo / "figures/demo/uses_beta.json").read_text())
    assert manifest["facts"]["uses_beta_slope"]["value"] == 4.0


def test_comments_and_docstrings_in_imported_code_rerun_nothing(mini_repo):
    # Imported modules and build code are keyed by their syntax tree without
    # docstrings: only a change to what the code does re-runs its importers.
    refresh(mini_repo)
    path = mini_repo / "kernels" / "gamma.py"
    path.write_text('"""Five, for the demo."""\n# why five\n' + path.read_text())
    init = mini_repo / "scripts" / "bookbuild" / "__init__.py"
    init.write_text(init.read_text().replace('"""Build glue', '"""The build glue'))
    assert refresh(mini_repo).ran == []
    path.write_text(path.read_text().replace("5.0", "6.0"))
    assert refresh(mini_repo).ran == ["snippets/demo/uses_gamma.py"]


def test_a_snippets_own_comment_reruns_only_that_snippet(mini_repo):
    refresh(mini_repo)
    path = mini_repo / "snippets/demo/uses_gamma.py"
    path.write_text("# a note\n" + path.read_text())
    assert refresh(mini_repo).ran == ["snippets/demo/uses_gamma.py"]


def test_the_reason_names_the_dependency_that_changed(mini_repo):
    refresh(mini_repo)
    write(mini_repo / "kernels" / "alpha.py", "def slope():\n    return 3.0\n")
    report = refresh(mini_repo)
    assert report.reasons["snippets/demo/uses_beta.py"] == "kernels/alpha.py changed"
    style = mini_repo / "snippets" / "style.py"
    style.write_text(style.read_text().replace('"#0072B2"', '"#0072B3"'))
    assert engine.audit(mini_repo) == {
        rel: "build:snippets/style.py changed" for rel in ALL}


def test_corrupted_manifest_is_detected_and_rebuilt(mini_repo):
    refresh(mini_repo)
    (mini_repo / "figures/demo/uses_gamma.json").write_text("{not json")
    report = refresh(mini_repo)
    assert report.ran == ["snippets/demo/uses_gamma.py"]
    assert report.reasons["snippets/demo/uses_gamma.py"] == "manifest is corrupted"
    json.loads((mini_repo / "figures/demo/uses_gamma.json").read_text())


def test_hand_edited_figure_is_detected_and_regenerated(mini_repo):
    refresh(mini_repo)
    svg = mini_repo / "figures/demo/uses_alpha.dark.svg"
    good = svg.read_bytes()
    svg.write_bytes(good.replace(b"</svg>", b"<!-- edited --></svg>"))
    report = refresh(mini_repo)
    assert report.ran == ["snippets/demo/uses_alpha.py"]
    assert "changed by hand" in report.reasons["snippets/demo/uses_alpha.py"]
    assert svg.read_bytes() == good


def test_deleted_output_is_regenerated(mini_repo):
    refresh(mini_repo)
    (mini_repo / "figures/demo/uses_beta.light.svg").unlink()
    assert refresh(mini_repo).ran == ["snippets/demo/uses_beta.py"]
    assert (mini_repo / "figures/demo/uses_beta.light.svg").is_file()


def test_declared_data_file_is_part_of_the_key(mini_repo):
    data = write(mini_repo / "data" / "points.txt", "1 2 3\n")
    snippet = mini_repo / "snippets/demo/uses_gamma.py"
    snippet.write_text('DATA_FILES = ("data/points.txt",)\n' + snippet.read_text())
    refresh(mini_repo)
    data.write_text("4 5 6\n")
    assert refresh(mini_repo).ran == ["snippets/demo/uses_gamma.py"]


def test_library_versions_are_part_of_the_key(mini_repo, monkeypatch):
    refresh(mini_repo)
    real = deps.metadata.version
    monkeypatch.setattr(deps.metadata, "version", lambda d: "0.0.0"
                        if d == "cycler" else real(d))
    # cycler is not imported by any snippet: matplotlib, which renders every
    # figure, requires it, and that is enough to enter every key.
    why = engine.audit(mini_repo)
    assert set(why) == ALL
    assert why["snippets/demo/uses_alpha.py"] == f"cycler {real('cycler')} -> 0.0.0"


def test_every_imported_distribution_is_in_the_key(mini_repo):
    snippet = mini_repo / "snippets/demo/uses_gamma.py"
    snippet.write_text("import yaml  # noqa: F401\n" + snippet.read_text())
    found = deps.dependencies(snippet, mini_repo)
    assert found["lib:pyyaml"] == deps.metadata.version("pyyaml")
    assert "lib:matplotlib" in found and "python" in found
    assert "lib:pytest" not in found  # nothing it imports needs pytest


def test_build_code_is_part_of_every_key(mini_repo):
    refresh(mini_repo)
    style = mini_repo / "snippets" / "style.py"
    style.write_text(style.read_text().replace('"#0072B2"', '"#0072B3"'))
    assert set(refresh(mini_repo).ran) == ALL


def test_force_reruns_everything(mini_repo):
    refresh(mini_repo)
    assert set(refresh(mini_repo, force=True).ran) == ALL


def test_transitive_imports_are_found(mini_repo):
    found = deps.local_imports(mini_repo / "snippets/demo/uses_beta.py", mini_repo)
    names = {p.relative_to(mini_repo).as_posix() for p in found}
    assert {"kernels/__init__.py", "kernels/alpha.py", "kernels/beta.py"} <= names
    assert "kernels/gamma.py" not in names
