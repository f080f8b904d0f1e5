"""Exercise pages in a real browser, light and dark: readable code, plots that switch
with the palette, solutions that open on purpose."""

import pytest

from scripts.bookbuild import notebooks
from scripts.bookbuild.workspace import REPO

pytestmark = [pytest.mark.browser, pytest.mark.build]

PAGES = sorted(f"{nb.docs_dir}/exercises/" for nb in notebooks.discover(REPO))

# Contrast of every syntax-coloured token against its code block, WCAG 2 formula,
# colours alpha-blended over the block's background as the browser paints them.
CONTRAST_JS = """() => {
  const rgba = s => s.match(/[\\d.]+/g).map(Number);
  const blend = (fg, bg) => { const a = fg.length > 3 ? fg[3] : 1;
    return [0, 1, 2].map(i => fg[i] * a + bg[i] * (1 - a)); };
  const lum = c => { const l = c.map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
  const worst = {};
  for (const pre of document.querySelectorAll('.jupyter-wrapper .highlight-ipynb pre')) {
    const page = rgba(getComputedStyle(document.body).backgroundColor);
    const bg = blend(rgba(getComputedStyle(pre).backgroundColor), page);
    for (const span of pre.querySelectorAll('span[class]')) {
      if (!span.textContent.trim()) continue;
      const fg = blend(rgba(getComputedStyle(span).color), bg);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      const key = span.className;
      if (!(key in worst) || ratio < worst[key]) worst[key] = ratio;
    }
  }
  return worst;
}"""


def switch_to_dark(page):
    page.locator("form[data-md-component=palette] label:visible").first.click()
    assert page.locator("body").get_attribute("data-md-color-scheme") == "slate"
    page.wait_for_timeout(400)  # Material fades colours over 250 ms


def open_every_fold(page):
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


@pytest.mark.parametrize("path", PAGES)
def test_code_is_readable_in_both_palettes(site_url, visit, path):
    v = visit(site_url + path)
    open_every_fold(v.page)  # solutions too: a reader opens them
    for palette in ("light", "dark"):
        worst = v.page.evaluate(CONTRAST_JS)
        assert len(worst) >= 8, f"{palette}: too few token classes coloured: {worst}"
        low = {k: round(r, 2) for k, r in worst.items() if r < 4.5}
        assert not low, f"{path} ({palette}): tokens below WCAG AA 4.5:1: {low}"
        if palette == "light":
            switch_to_dark(v.page)
    overflowing = v.page.evaluate(
        "() => [...document.querySelectorAll('.jupyter-wrapper pre')]"
        ".filter(p => p.offsetParent && p.scrollWidth > p.clientWidth + 1)"
        ".map(p => p.textContent.slice(0, 60))")
    assert not overflowing, f"{path}: code scrolls sideways at 1280 px: {overflowing}"
    assert v.errors == [] and v.foreign_requests() == []


@pytest.mark.parametrize("path", PAGES)
def test_plots_switch_with_the_palette(site_url, visit, path):
    v = visit(site_url + path)
    open_every_fold(v.page)
    v.load_every_image()
    light = v.page.locator('img.nb-figure[src$="#only-light"]')
    dark = v.page.locator('img.nb-figure[src$="#only-dark"]')
    assert light.count() == dark.count() > 0
    for i in range(light.count()):
        assert light.nth(i).is_visible() and not dark.nth(i).is_visible()
        box = light.nth(i).bounding_box()
        assert box["width"] >= 500, "a plot is shown at reading size, not a thumbnail"
    switch_to_dark(v.page)
    v.load_every_image()
    for i in range(dark.count()):
        assert dark.nth(i).is_visible() and not light.nth(i).is_visible()
        assert dark.nth(i).evaluate("i => i.naturalWidth") > 0


def test_a_solution_opens_only_when_asked(site_url, visit):
    v = visit(site_url + PAGES[0])
    fold = v.page.locator("details.nb-solution").first
    code = fold.locator(".highlight-ipynb pre").first
    assert not code.is_visible()
    fold.locator("summary").click()
    assert code.is_visible() and "def " in code.inner_text()
