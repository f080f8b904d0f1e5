"""Reader aids in a real browser: full-screen figures, quiz contrast and permalinks,
underlined links, scroll hints on phones, and print from either palette."""

import re

import pytest

from scripts.bookbuild import nav
from scripts.bookbuild.workspace import REPO

pytestmark = [pytest.mark.browser, pytest.mark.build]

LESSON = "5.3-scaling-architecture/long-context/"
# As many figures as the page's source shows: adding one needs no edit here.
FIGURES = len(re.findall(r"^\s*\{\{\s*figure\s*:", (
    REPO / "docs" / LESSON / "index.md").read_text(encoding="utf-8"), re.M))
SCHEMES = {"light": "default", "dark": "slate"}

# WCAG relative luminance and contrast of two computed CSS colours; the background
# is the first opaque one up the tree (the page's own colour at the top).
CONTRAST_JS = """
([el, prop, against]) => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const opaque = node => {
    for (; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length < 4 || c[3] > 0.99) return c;
    }
    return rgb(getComputedStyle(document.body).backgroundColor);
  };
  const lum = c => {
    const f = v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const fg = rgb(getComputedStyle(el)[prop]);
  const bg = against === "parent" ? opaque(el.parentElement) : opaque(el);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
"""


@pytest.fixture(params=list(SCHEMES))
def scheme(request):
    return request.param


@pytest.fixture
def lesson(browser, site_url, scheme):
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  color_scheme=scheme)
    page = context.new_page()
    page.goto(site_url + LESSON)
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("body", "data-md-color-scheme") == SCHEMES[scheme]
    yield page
    context.close()


def contrast(locator, prop="color", against="self") -> float:
    return locator.evaluate(f"el => ({CONTRAST_JS})([el, {prop!r}, {against!r}])")


def test_every_figure_opens_full_screen_and_escape_closes_it(lesson, scheme):
    figures = lesson.locator("figure.book-figure")
    assert figures.count() == FIGURES
    for i in range(figures.count()):
        figure = figures.nth(i)
        figure.scroll_into_view_if_needed()
        image = figure.locator(f'img[src$="#only-{scheme}"]')
        image.click()
        dialog = lesson.locator("dialog.book-viewer[open]")
        shown = dialog.locator(f'img[src$="#only-{scheme}"]')
        assert shown.is_visible()
        assert dialog.locator("img:visible").count() == 1   # the palette's variant
        lesson.wait_for_function("() => [...document.querySelectorAll("
                                 "'dialog[open] img')].some(i => i.naturalWidth > 0)")
        box = shown.bounding_box()
        assert box["width"] > 0.9 * 1280 or box["height"] > 0.6 * 900  # fills it
        lesson.keyboard.press("Escape")
        assert lesson.locator("dialog.book-viewer[open]").count() == 0


def test_full_screen_works_from_the_keyboard_and_returns_focus(lesson):
    button = lesson.locator("figure.book-figure .book-figure__enlarge").first
    assert button.get_attribute("aria-label") == "Show this figure full screen"
    button.focus()
    lesson.keyboard.press("Enter")
    assert lesson.locator("dialog.book-viewer[open]").is_visible()
    focused = "document.activeElement.classList"
    assert lesson.evaluate(f"{focused}.contains('book-viewer__close')")
    lesson.keyboard.press("Enter")              # the close button
    assert lesson.locator("dialog.book-viewer[open]").count() == 0
    assert lesson.evaluate(f"{focused}.contains('book-figure__enlarge')")


def test_on_a_phone_the_full_screen_figure_keeps_its_drawn_size(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site_url + LESSON)
    figure = page.locator("figure.book-figure").nth(1)
    figure.scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelectorAll('figure.book-figure')[1]"
                           ".querySelector('img').naturalWidth > 0")
    on_page = figure.locator("img:visible").bounding_box()["width"]
    figure.locator(".book-figure__enlarge").click()
    shown = page.locator("dialog[open] img:visible")
    natural = shown.evaluate("i => i.naturalWidth")
    assert on_page < 390 < natural
    assert shown.bounding_box()["width"] >= natural - 1   # scrolls instead of shrinking
    context.close()


def test_quiz_feedback_and_borders_meet_wcag_aa(lesson):
    quiz = lesson.locator("#quiz-0")
    quiz.scroll_into_view_if_needed()
    assert contrast(quiz, "borderTopColor", "parent") >= 3
    quiz.locator("input:not([data-correct])").first.check()
    quiz.locator("button[type=submit]").click()
    wrong = quiz.locator(".quiz-feedback-item.incorrect")
    assert contrast(wrong) >= 4.5
    assert contrast(wrong, "borderTopColor", "parent") >= 3
    assert contrast(quiz.locator(".wrong label")) >= 4.5
    right_quiz = lesson.locator("#quiz-1")
    right_quiz.locator("input[data-correct]").check()
    right_quiz.locator("button[type=submit]").click()
    right = right_quiz.locator(".quiz-feedback-item.correct")
    assert contrast(right) >= 4.5
    assert contrast(right, "borderTopColor", "parent") >= 3
    assert contrast(right_quiz.locator(".correct label")) >= 4.5


def test_quiz_permalink_is_named_and_does_not_cover_the_question(lesson):
    for i in range(lesson.locator(".quiz").count()):
        quiz = lesson.locator(f"#quiz-{i}")
        link = quiz.locator(".quiz-header-link")
        assert link.get_attribute("aria-label") == f"Link to question {i + 1}"
        quiz.hover()                                  # the link shows on hover
        a, q = link.bounding_box(), quiz.locator(".quiz-question").bounding_box()
        assert a["x"] >= q["x"] + q["width"] or a["y"] >= q["y"] + q["height"]


def test_links_in_prose_are_underlined(lesson):
    links = lesson.locator("article p a:not(.headerlink), article li a")
    assert links.count() >= 5
    for i in range(links.count()):
        style = links.nth(i).evaluate("a => getComputedStyle(a).textDecorationLine")
        assert "underline" in style


def test_wide_tables_say_they_scroll_on_a_phone(browser, site_url):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(site_url + LESSON)
    wide = page.locator(".md-typeset__scrollwrap.book-scrolls")
    assert wide.count() >= 1
    first = wide.first
    assert first.get_attribute("tabindex") == "0"      # arrow keys scroll it
    hint = first.evaluate("w => getComputedStyle(w, '::before').content")
    assert "scroll sideways" in hint
    context.close()


@pytest.mark.parametrize("palette", ["default", "slate"])
def test_print_shows_each_figure_once_folds_code_and_keys_quizzes(browser, site_url,
                                                                  palette):
    """Material prints light styles whatever the palette, so print keeps only the
    light variant of each figure."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(site_url + LESSON)
    page.wait_for_load_state("networkidle")
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{palette}')")
    page.emulate_media(media="print")
    shown = page.eval_on_selector_all(
        "figure.book-figure", "fs => fs.map(f => [...f.querySelectorAll('img')]"
        ".filter(i => getComputedStyle(i).display !== 'none').map(i => i.src))")
    assert len(shown) == FIGURES
    assert all(len(srcs) == 1 and srcs[0].endswith("#only-light") for srcs in shown)
    code = page.locator("details.example pre")
    assert code.count() >= 7 and all(not code.nth(i).is_visible()
                                     for i in range(code.count()))
    quiz = page.locator("#quiz-0")
    assert not quiz.locator("button[type=submit]").is_visible()
    assert not quiz.locator("input").first.is_visible()
    key = quiz.locator("input[data-correct] + label").evaluate(
        "l => getComputedStyle(l, '::after').content")
    assert "answer" in key
    assert quiz.locator("input[data-correct] ~ .answer-feedback").is_visible()
    assert not quiz.locator("input:not([data-correct]) ~ .answer-feedback").first\
        .is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 50_000
    context.close()


def test_katex_is_loaded_only_on_pages_with_maths(visit, site_url):
    with_maths = visit(site_url + LESSON)
    assert any("katex.min.js" in u for u in with_maths.requests)
    without = visit(site_url + "concepts/")
    assert not any("katex" in u for u in without.requests)
    assert without.errors == []


# Per figure on the page: the smallest text size as displayed, in CSS px, from the
# SVG's own font sizes scaled by how wide the image is drawn. Mathtext sub- and
# superscripts (70 % of the size they hang from) are exempt.
FIGURE_TEXT_JS = """
async () => {
  const out = [];
  for (const img of document.querySelectorAll('figure.book-figure img')) {
    if (!img.offsetParent) continue;
    const svg = await (await fetch(img.src)).text();
    const width = Number(svg.match(/viewBox="0 0 ([\\d.]+)/)[1]);
    const sizes = [...svg.matchAll(/font-size: ([\\d.]+)px/g)].map(m => Number(m[1]));
    const base = sizes.filter(s => !sizes.some(t => Math.abs(s - 0.7 * t) < 0.05));
    const scale = img.getBoundingClientRect().width / width;
    out.push([img.src.split('/').pop(), Math.min(...base) * scale]);
  }
  return out;
}
"""
# Every lesson in the nav: a new lesson's figures are measured with no edit here.
LESSONS = [lesson.page.removesuffix("index.md")
           for module in nav.modules(nav.load_nav(REPO), REPO / "docs")
           for lesson in module.lessons]


@pytest.mark.parametrize("path", LESSONS)
def test_figure_text_is_at_least_caption_size_at_1280_px(visit, site_url, path):
    v = visit(site_url + path)
    caption = float(v.page.locator("figure.book-figure figcaption").first.evaluate(
        "c => parseFloat(getComputedStyle(c).fontSize)"))
    v.load_every_image()
    measured = v.page.evaluate(FIGURE_TEXT_JS)
    assert measured
    small = [(name, round(px, 1)) for name, px in measured if px < caption - 0.05]
    assert not small, f"figure text below the {caption} px caption size: {small}"
