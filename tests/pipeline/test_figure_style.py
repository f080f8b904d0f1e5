"""The figure palette and the committed figures: readable labels, real text."""

import re
from pathlib import Path

import pytest

from scripts.bookbuild.workspace import REPO
from snippets.style import FONT_STACK, THEMES, contrast_ratio

SVGS = sorted((REPO / "figures").rglob("*.svg"))
TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_labels_on_every_series_colour_reach_wcag_aa(theme):
    for face in (*theme.series, theme.panel, theme.grid):
        text = theme.text_on(face)
        assert contrast_ratio(text, face) >= 4.5, (theme.name, face, text)


def test_figures_keep_their_text_as_text_in_the_book_font_stack():
    assert SVGS, "no committed figures"
    stack = ", ".join(f"'{f}'" for f in FONT_STACK) + ", sans-serif"
    for svg in SVGS:
        source = svg.read_text(encoding="utf-8")
        assert TEXT.search(source), f"{svg}: text was drawn as paths"
        families = set(re.findall(r"font-family: ([^;\"]+)", source))
        assert families == {stack}, f"{svg}: {families}"


def test_no_literal_underscores_where_subscripts_were_meant():
    """'W_Q' or 'd_model' in a figure means mathtext was forgotten: write $W_Q$."""
    for svg in SVGS:
        words = [w for t in TEXT.findall(svg.read_text(encoding="utf-8"))
                 for w in re.findall(r"\w+_\w+", re.sub(r"<[^>]+>", "", t))]
        assert not words, f"{svg}: {words}"
