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


def test_editing_a_comment_in_a_kernel_still_reruns(mini_repo):
    # The key is the file's bytes: safe over clever. Documented in the README.
    refresh(mini_repo)
    path = mini_repo / "kernels" / "gamma.py"
    path.write_text("# why five\n" + path.read_text())
    assert refresh(mini_repo).ran == ["snippets/demo/uses_gamma.py"]


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
    path = mini_repo / "snippets/demo/uses_alpha.py"
    before = deps.cache_key(path, mini_repo)
    monkeypatch.setattr(deps, "library_versions", lambda: "torch=0.0.0")
    assert deps.cache_key(path, mini_repo) != before


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
