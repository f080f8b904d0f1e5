"""Bad input fails with a message a contributor can act on, and loses nothing."""

import pytest

from scripts.bookbuild import BookError, engine, quizzes, references
from scripts.bookbuild.artefacts import Book

from .conftest import write


def refresh(root, **kw):
    return engine.refresh(root, log=lambda *_: None, **kw)


def snapshot(root):
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "figures").rglob("*")) if p.is_file()}


def test_raising_snippet_names_file_and_line_and_keeps_old_artefacts(mini_repo):
    refresh(mini_repo)
    before = snapshot(mini_repo)
    snippet = mini_repo / "snippets/demo/uses_alpha.py"
    lines = snippet.read_text().splitlines()
    at = lines.index("def main(book):") + 2  # 1-based number of the inserted line
    lines.insert(at - 1, "    raise RuntimeError('the data went missing')")
    snippet.write_text("\n".join(lines) + "\n")
    with pytest.raises(BookError) as err:
        refresh(mini_repo)
    message = str(err.value)
    assert f"snippets/demo/uses_alpha.py:{at}: RuntimeError: the data went missing" \
        in message
    assert "previous artefacts are untouched" in message
    assert snapshot(mini_repo) == before


def test_error_inside_a_kernel_points_at_the_kernel_and_the_caller(mini_repo):
    write(mini_repo / "kernels" / "gamma.py",
          "def slope():\n    return 1 / 0\n")
    with pytest.raises(BookError) as err:
        refresh(mini_repo)
    assert "kernels/gamma.py:2" in str(err.value)
    assert "called from snippets/demo/uses_gamma.py:" in str(err.value)
    assert "ZeroDivisionError" in str(err.value)


def test_hanging_snippet_is_killed_with_a_clear_message(mini_repo):
    refresh(mini_repo)
    before = snapshot(mini_repo)
    snippet = mini_repo / "snippets/demo/uses_gamma.py"
    snippet.write_text(snippet.read_text().replace(
        "def main(book):\n", "def main(book):\n    import time\n    time.sleep(600)\n"))
    with pytest.raises(BookError) as err:
        refresh(mini_repo, timeout_s=2)
    assert "snippets/demo/uses_gamma.py: did not finish within 2 s and was killed" \
        in str(err.value)
    assert "BOOK_SNIPPET_TIMEOUT_S" in str(err.value)
    assert snapshot(mini_repo) == before


def test_snippet_without_main_or_output(mini_repo):
    write(mini_repo / "snippets/demo/empty.py", "X = 1\n")
    with pytest.raises(BookError, match=r"snippets/demo/empty.py: defines no main"):
        refresh(mini_repo)
    write(mini_repo / "snippets/demo/empty.py", "def main(book):\n    pass\n")
    with pytest.raises(BookError, match="produced nothing"):
        refresh(mini_repo)


def test_duplicate_artefact_names_across_folders(mini_repo):
    write(mini_repo / "snippets/other/uses_alpha.py", "def main(book):\n    pass\n")
    with pytest.raises(BookError, match="already used by snippets/demo/uses_alpha.py"):
        refresh(mini_repo)


def test_fact_that_disagrees_with_the_literature_fails(tmp_path):
    book = Book("demo", tmp_path, "snippets/x/demo.py")
    with pytest.raises(BookError) as err:
        book.fact("kv_bytes", 42.0, expected=40.0, source="paper, Table 2")
    assert "claimed : 40.0 (paper, Table 2)" in str(err.value)
    assert "computed: 42.0" in str(err.value)
    book.fact("kv_ok", 40.00001, expected=40.0, rel_tol=1e-3)  # within tolerance


def test_disputed_claim_that_the_code_now_matches_fails(tmp_path):
    book = Book("demo", tmp_path, "snippets/x/demo.py")
    book.fact("wrong_claim_ok", 4.9e14, disputes=3.8e14, rel_tol=0.05)
    with pytest.raises(BookError, match="marks 380000000000000.0 as a wrong"):
        book.fact("now_agrees", 3.8e14, disputes=3.8e14, rel_tol=0.05)


def test_one_snippet_one_artefact(tmp_path):
    book = Book("demo", tmp_path, "snippets/x/demo.py")
    book.table("| a |\n|---|\n| 1 |", caption="A table.")
    with pytest.raises(BookError, match="one snippet makes one artefact"):
        book.table("| b |\n|---|\n| 2 |", caption="Another.")


def test_malformed_table_is_rejected(tmp_path):
    book = Book("demo", tmp_path, "snippets/x/demo.py")
    with pytest.raises(BookError, match="separator"):
        book.table("just text", caption="A table.")


def test_unknown_references_name_page_line_and_suggest(mini_repo):
    refresh(mini_repo)
    index = engine.load_index(mini_repo)
    page = "# Title\n\nText {{fact:uses_alpha_slop}} here.\n\n{{figure:uses_gama}}\n"
    with pytest.raises(BookError) as err:
        references.expand(page, src="docs/lesson.md", page_uri="lesson.md",
                          index=index)
    message = str(err.value)
    assert "docs/lesson.md:3: unknown fact 'uses_alpha_slop'" in message
    assert "Did you mean 'uses_alpha_slope'" in message
    assert "docs/lesson.md:5: unknown figure 'uses_gama'" in message


def test_malformed_references(mini_repo):
    refresh(mini_repo)
    index = engine.load_index(mini_repo)
    for text, expected in (
        ("See {{fig:uses_alpha}}.", "unknown reference kind 'fig'"),
        ("Inline {{figure:uses_alpha}} here.", "must stand on a line of its own"),
        ("Broken {{fact:uses_alpha_slope} here.", "malformed reference"),
        ("{{fact:uses_alpha_slope:rounded}}", "the only variant is ':bare'"),
    ):
        with pytest.raises(BookError, match=expected):
            references.expand(text, src="docs/p.md", page_uri="p.md", index=index)


def test_references_in_code_are_left_alone(mini_repo):
    refresh(mini_repo)
    index = engine.load_index(mini_repo)
    page = ("```\n{{fact:nope}}\n```\n\n"
            "Inline `{{fact:nope}}` and {{fact:uses_alpha_slope}}.")
    out, _ = references.expand(page, src="docs/p.md", page_uri="p.md", index=index)
    assert "```\n{{fact:nope}}\n```" in out
    assert "`{{fact:nope}}` and 2.0." in out


def test_figure_reference_expands_to_both_variants_and_code(mini_repo):
    refresh(mini_repo)
    index = engine.load_index(mini_repo)
    out, refs = references.expand("{{figure:uses_beta}}", src="docs/a/p.md",
                                  page_uri="a/p.md", index=index)
    assert "(../figures/demo/uses_beta.light.svg#only-light)" in out
    assert "(../figures/demo/uses_beta.dark.svg#only-dark)" in out
    assert '--8<-- "snippets/demo/uses_beta.py:draw"' in out
    assert refs.figures == {"uses_beta"}


def test_unclosed_section_marker_is_an_error():
    source = ("# --8<-- [start:draw]\nx = 1\n"
              "# --8<-- [start:other]\n# --8<-- [end:other]\n")
    with pytest.raises(BookError, match=r"s.py:1: region 'draw' has no"):
        references.snippet_sections(source, "s.py")
    with pytest.raises(BookError, match="ends but never started"):
        references.snippet_sections("# --8<-- [end:x]\n", "s.py")


@pytest.mark.parametrize("quiz, problem", [
    ("<quiz>\nQ?\n- [ ] a\n> no\n- [ ] b\n> no\n</quiz>",
     "no answer is marked correct"),
    ("<quiz>\nQ?\n- [x] a\n</quiz>", "at least two"),
    ("<quiz>\n- [x] a\n- [ ] b\n> no\n</quiz>", "no question text"),
    ("<quiz>\nQ?\n- [x] a\n- [ ] b\n</quiz>", "wrong answer 'b' has no"),
    ("<quiz>\nQ?\n- [x] a\n- [ ] b\n> no\n", "never closed"),
    ("<quiz>\nQ?\n- [x] a long\n  answer\n- [ ] b\n> no\n</quiz>",
     "continues on the next line"),
])
def test_malformed_quiz_names_the_line(quiz, problem):
    page = "# Page\n\nIntro.\n\n" + quiz
    with pytest.raises(BookError) as err:
        quizzes.check(page, "docs/lesson.md")
    assert "docs/lesson.md:5:" in str(err.value)
    assert problem in str(err.value)


def test_well_formed_quiz_passes():
    page = "<quiz>\nQ?\n- [x] a\n> yes\n- [ ] b\n> because\n</quiz>\n"
    assert quizzes.check(page, "docs/p.md") == 1


CLAIM_SNIPPET = '''
def main(book):
    naive, tiled = 4.295e9, {tiled}
    book.fact("claim_demo_ratio", tiled / naive, fmt=".2f")
    book.claim("tiled_about_half", "about half the FLOPs of",
               holds=0.45 < tiled / naive < 0.55, because=f"{{tiled / naive:.3f}}")
'''


def test_a_claim_renders_its_checked_words(mini_repo):
    write(mini_repo / "snippets/demo/claim_demo.py",
          CLAIM_SNIPPET.format(tiled=2.181e9))
    refresh(mini_repo)
    index = engine.load_index(mini_repo)
    out, _ = references.expand("The tiled kernel does {{claim:tiled_about_half}} the "
                               "naive one.", src="docs/p.md", page_uri="p.md",
                               index=index)
    assert out == "The tiled kernel does about half the FLOPs of the naive one."
    with pytest.raises(BookError, match=r"docs/p.md:2: unknown claim 'tiled_about'\. "
                       r"Did you mean 'tiled_about_half'"):
        references.expand("\n{{claim:tiled_about}}", src="docs/p.md",
                          page_uri="p.md", index=index)


def test_a_claim_that_contradicts_its_measurement_fails_at_its_line(mini_repo):
    path = write(mini_repo / "snippets/demo/claim_demo.py",
                 CLAIM_SNIPPET.format(tiled=2.181e9))
    refresh(mini_repo)
    before = snapshot(mini_repo)
    path.write_text(path.read_text().replace("2181000000.0", "4.295e9"))
    with pytest.raises(BookError) as err:
        refresh(mini_repo)
    line = 1 + path.read_text().splitlines().index(
        '    book.claim("tiled_about_half", "about half the FLOPs of",')
    assert (f"snippets/demo/claim_demo.py:{line}: claim 'tiled_about_half' does not "
            "hold: the page says 'about half the FLOPs of'") in str(err.value)
    assert "(1.000)" in str(err.value)
    assert snapshot(mini_repo) == before  # the last good manifest survives


def test_rounding_noise_is_refused_and_a_bound_published(tmp_path):
    book = Book("demo", tmp_path, "snippets/x/demo.py")
    with pytest.raises(BookError, match=r"demo.py:\d+: fact 'gap' is 8.9e-16, which "
                       "looks like rounding noise"):
        book.fact("gap", 8.9e-16, fmt=".0e")
    assert book.bound("gap", 8.9e-16, dtype="float64") == 1e-13  # 64·eps = 1.4e-14
    assert book.facts["gap"].text == "10⁻¹³"
    with pytest.raises(BookError, match=r"\|0.0003\| is not below 1e-05"):
        book.bound("gap32", 3e-4, dtype="float32")  # 64·eps(float32) = 7.6e-6


def test_data_is_deterministic_json_beside_the_figure(tmp_path):
    book = Book("demo", tmp_path, "snippets/x/demo.py")
    assert book.data("widget", {"b": [1.5, 2], "a": "é"}) == "demo.widget.json"
    assert (tmp_path / "demo.widget.json").read_text() == '{"a":"é","b":[1.5,2]}\n'
    assert book.result()["files"] == ["demo.widget.json"]
    with pytest.raises(BookError, match="written twice"):
        book.data("widget", {})
    with pytest.raises(BookError, match=r"demo.py:\d+: data 'bad' is not plain JSON"):
        book.data("bad", {"x": float("nan")})
    with pytest.raises(BookError, match="snake_case"):
        book.data("Bad-Name", {})
