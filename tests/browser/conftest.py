"""Serve the built book on localhost and drive Debian's chromium with Playwright."""

import functools
import http.server
import os
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = os.environ.get("BOOK_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags chromium phones home at start-up; on a
# closed network that is a burst of refused connections and noise in the console.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(built_site: Path):
    handler = functools.partial(QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"browser tests need Debian's chromium at {CHROMIUM}: run "
                    "`apt-get install chromium` (the Makefile's `test` target and "
                    ".ci/run do this), or point BOOK_CHROMIUM at a chromium binary")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Visit:
    """A page plus everything it requested and every console error it printed."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text)
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests
                if urlparse(u).scheme not in ("data", "blob", "about")
                and urlparse(u).hostname not in ("127.0.0.1", "localhost")]

    def load_every_image(self) -> None:
        """Scroll through the page like a reader, so lazy images load, then wait
        until every displayed image has decoded."""
        height = self.page.evaluate("document.body.scrollHeight")
        for y in range(0, height + 900, 600):
            self.page.evaluate(f"window.scrollTo(0, {y})")
            self.page.wait_for_timeout(50)
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_function(
            "[...document.images].filter(i => i.offsetParent)"
            ".every(i => i.complete && i.naturalWidth > 0)")


@pytest.fixture
def visit(browser):
    """visit(url) opens url in a fresh light-mode page and returns its Visit."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  color_scheme="light")

    def open_page(url: str) -> Visit:
        page = context.new_page()
        seen = Visit(page)  # listen before navigating, so nothing is missed
        page.goto(url)
        page.wait_for_load_state("networkidle")
        return seen

    yield open_page
    context.close()
