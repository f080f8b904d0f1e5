"""What a reader does on the long-context lesson, in a real browser."""

import pytest

from scripts.bookbuild import nav
from scripts.bookbuild.workspace import REPO

pytestmark = [pytest.mark.browser, pytest.mark.build]

LESSON = "5.3-scaling-architecture/long-context/"
FIGURES = ("three_barrier_map", "tiled_memory", "rope_rotation",
           "attention_patterns", "window_reach", "linear_reorder",
           "gqa_heads")


def figure_images(page, variant):
    return [page.locator(f'img[src*="{name}.{variant}.svg#only-{variant}"]')
            for name in FIGURES]


def test_figures_show_and_the_dark_toggle_swaps_every_one(site_url, visit):
    v = visit(site_url + LESSON)
    v.load_every_image()
    for img in figure_images(v.page, "light"):
        assert img.is_visible()
        assert img.evaluate("i => i.naturalWidth") > 0
    for img in figure_images(v.page, "dark"):
        assert not img.is_visible()

    v.page.locator("form[data-md-component=palette] label:visible").first.click()
    assert v.page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    v.load_every_image()
    for img in figure_images(v.page, "dark"):
        assert img.is_visible()
        assert img.evaluate("i => i.naturalWidth") > 0
    for img in figure_images(v.page, "light"):
        assert not img.is_visible()
    assert v.errors == []


def test_maths_is_rendered_by_katex(site_url, visit):
    v = visit(site_url + LESSON)
    assert v.page.locator(".arithmatex .katex").count() >= 3
    assert v.page.locator(".katex-error").count() == 0


def test_code_behind_a_figure_opens(site_url, visit):
    v = visit(site_url + LESSON)
    summary = v.page.locator("summary", has_text="The code behind this figure").first
    block = summary.locator("xpath=..").locator("pre")
    assert not block.is_visible()
    summary.click()
    assert block.is_visible()
    assert "def " in block.inner_text()


def answer_by_keyboard(page, quiz_id: str, answer_id: str) -> None:
    """Tab into the quiz from its own link, move with arrows, submit with Enter.

    Answers are shuffled on every load, so the number of arrow presses is read
    from the order the options have now (the DOM order is the order on screen)."""
    order = page.eval_on_selector_all(f"#{quiz_id} fieldset input",
                                      "inputs => inputs.map(i => i.id)")
    assert sorted(order) == [f"{quiz_id}-{i}" for i in range(len(order))]
    page.locator(f"#{quiz_id} .quiz-header-link").focus()
    page.keyboard.press("Tab")                 # into the answers: the first option
    assert page.evaluate("document.activeElement.id") == order[0]
    page.keyboard.press("Space")               # select it
    for _ in range(order.index(answer_id)):
        page.keyboard.press("ArrowDown")       # radios: arrows move and select
    assert page.locator(f"#{answer_id}").is_checked()
    page.keyboard.press("Tab")                 # to Submit
    assert page.evaluate("document.activeElement.textContent").strip() == "Submit"
    page.keyboard.press("Enter")


def test_quiz_can_be_answered_with_the_keyboard_alone(site_url, visit):
    v = visit(site_url + LESSON)
    page = v.page
    # A wrong answer (source option 2 of quiz 0) shows its own explanation.
    answer_by_keyboard(page, "quiz-0", "quiz-0-1")
    feedback = page.locator("#quiz-0 .quiz-feedback")
    assert feedback.is_visible()
    assert "square of the length" in feedback.inner_text()
    assert page.locator("#quiz-0 .quiz-feedback-item.incorrect").count() == 1
    # The right answer (source option 3 of quiz 1) is confirmed as correct.
    answer_by_keyboard(page, "quiz-1", "quiz-1-2")
    right = page.locator("#quiz-1 .quiz-feedback-item.correct")
    assert right.is_visible()
    assert "2 (K and V)" in right.inner_text()
    # Third quiz: a wrong option wherever the shuffle put it.
    answer_by_keyboard(page, "quiz-2", "quiz-2-2")
    assert page.locator("#quiz-2 .quiz-feedback-item.incorrect").is_visible()
    assert v.errors == []


def test_answers_are_shuffled_in_the_browser_but_not_in_the_html(site_url, visit,
                                                                 built_site):
    """The built HTML keeps the source order (byte-identical builds); each load
    shuffles, so over a few loads some quiz shows an order other than the source."""
    html = (built_site / LESSON / "index.html").read_text(encoding="utf-8")
    assert 'data-shuffle-answers="true"' in html
    assert html.index('id="quiz-0-0"') < html.index('id="quiz-0-1"')
    orders = set()
    for _ in range(3):
        page = visit(site_url + LESSON).page
        orders.add(tuple(page.eval_on_selector_all(
            ".quiz fieldset input", "inputs => inputs.map(i => i.id)")))
    source = tuple(sorted(next(iter(orders)), key=lambda i: tuple(
        int(n) for n in i.split("-")[1:])))
    assert any(order != source for order in orders)


def test_checkpoint_shows_the_question_and_folds_the_answer(site_url, visit):
    v = visit(site_url + LESSON)
    checkpoint = v.page.locator(".admonition.question").first
    question = checkpoint.locator(":scope > p:not(.admonition-title)").first
    assert question.is_visible() and "predict" in question.inner_text()
    answer = checkpoint.locator("details.success")
    body = answer.locator(":scope > p").first
    assert answer.locator("summary").inner_text().strip() == "Answer"
    assert not body.is_visible()
    answer.locator("summary").click()
    assert body.is_visible()


def test_search_for_rope_lists_the_lesson(site_url, visit):
    v = visit(site_url)
    v.page.keyboard.press("/")   # Material's shortcut focuses the search box
    v.page.keyboard.type("RoPE")
    results = v.page.locator(".md-search-result__item a")
    results.first.wait_for(timeout=15_000)
    hrefs = [a.get_attribute("href") for a in results.all()]
    assert any("long-context" in h for h in hrefs), hrefs


def url_of(page: str) -> str:
    """docs-relative source -> the directory URL MkDocs gives it."""
    stem = page.rsplit(".", 1)[0]
    return "" if stem == "index" else (stem.removesuffix("index") if
                                      stem.endswith("/index") else stem + "/")


# Every page the nav lists: a lesson added to the nav is visited with no edit here.
EVERY_PAGE = [url_of(p) for p in nav.every_page(nav.load_nav(REPO))]


@pytest.mark.parametrize("path", EVERY_PAGE)
def test_pages_stay_on_localhost_with_a_clean_console(site_url, visit, path):
    """Every page: images decode, maths renders, nothing is fetched from elsewhere."""
    v = visit(site_url + path)
    v.load_every_image()
    assert v.foreign_requests() == []
    assert v.errors == []
    assert v.page.locator(".katex-error").count() == 0
