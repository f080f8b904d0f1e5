"""The attention-matrix widget of lesson 4.2.1 in a real browser: every cell it shows
equals kernels.attention on the same word vectors, by mouse and by keyboard."""

import json

import pytest
import torch

from kernels.running_example import raw_attention
from kernels.word_vectors import lookup

pytestmark = [pytest.mark.browser, pytest.mark.build]

LESSON = "4.2-attention-and-the-transformer/the-problem-attention-solves/"
DATA = "figures/the_problem_attention_solves/attention_widget.widget.json"


@pytest.fixture(scope="module")
def widget_data(built_site):
    return json.loads((built_site / DATA).read_text(encoding="utf-8"))


def cells(page):
    """The shown matrix as {(i, j): value} from the cells' full-precision values."""
    found = page.locator(".attn-widget td.attn-cell").evaluate_all(
        "cs => cs.map(c => [+c.dataset.i, +c.dataset.j, +c.dataset.value])")
    return {(i, j): v for i, j, v in found}


def show(page, view):
    page.locator(f'.attn-widget input[value="{view}"]').check()


def test_every_preset_matches_the_kernel_cell_by_cell(site_url, visit, widget_data):
    v = visit(site_url + LESSON)
    page = v.page
    box = page.locator(".attn-widget input[type=text]")
    assert widget_data["presets"], "the widget needs presets"
    for preset in widget_data["presets"]:
        box.fill("")
        box.type(preset)  # typed like a reader, key by key
        expected = raw_attention(lookup(preset, widget_data["vocab"]))
        for view in ("weights", "scores"):
            show(page, view)
            shown = cells(page)
            n = expected[view].shape[0]
            assert len(shown) == n * n, f"{preset!r}: {len(shown)} cells, not {n * n}"
            got = torch.tensor([[shown[i, j] for j in range(n)] for i in range(n)],
                               dtype=torch.float64)
            torch.testing.assert_close(got, expected[view], rtol=1e-12, atol=1e-12)
    assert v.errors == [] and v.foreign_requests() == []


def test_unknown_word_gets_a_message_not_a_matrix(site_url, visit):
    v = visit(site_url + LESSON)
    page = v.page
    page.locator(".attn-widget input[type=text]").fill("the cat ate quinoa")
    message = page.locator(".attn-widget .attn-message").inner_text()
    assert "No embedding for" in message and "“ate”" in message and "quinoa" in message
    assert page.locator(".attn-widget td.attn-cell").count() == 0


def test_keyboard_moves_focus_and_outlines_the_mirror_cell(site_url, visit):
    v = visit(site_url + LESSON)
    page = v.page
    page.locator(".attn-widget .attn-presets button").nth(1).click()  # 5 tokens
    page.locator(".attn-widget td.attn-cell").first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    focused = page.evaluate("[+document.activeElement.dataset.i,"
                            " +document.activeElement.dataset.j]")
    assert focused == [0, 2]
    mirror = page.locator(".attn-widget td.attn-mirror")
    assert mirror.count() == 1
    assert (mirror.get_attribute("data-i"), mirror.get_attribute("data-j")) == ("2",
                                                                                "0")
    readout = page.locator(".attn-widget .attn-readout").inner_text()
    assert "“the” → “chased”" in readout and "Mirror cell" in readout
    # Only one cell is in the Tab order (roving tabindex): Tab leaves the grid.
    assert page.locator('.attn-widget td[tabindex="0"]').count() == 1


def test_widget_works_in_the_dark_palette_and_prints_as_its_figure(site_url, visit):
    v = visit(site_url + LESSON)
    page = v.page
    page.locator("form[data-md-component=palette] label:visible").first.click()
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    strong = page.locator(".attn-widget td.attn-strong").first
    colour = strong.evaluate("c => getComputedStyle(c).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")
    page.emulate_media(media="print")
    assert not page.locator(".attn-widget").is_visible()
    shown = page.locator("#figure-attention_widget img").evaluate_all(
        "imgs => imgs.filter(i => i.offsetParent !== null).length")
    assert shown >= 1, "on paper the static figure stands in for the widget"
