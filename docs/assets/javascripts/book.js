// The book's small reader aids, no library:
// - every figure opens full-screen (click or tap it, or its button; Escape closes),
// - each quiz's "#" permalink gets a name, so it is not an unnamed tab stop,
// - wide tables and code that scroll sideways say so and can be reached by keyboard.
(function () {
  "use strict";

  let viewer = null;

  function makeViewer() {
    // A native modal <dialog>: it traps focus, closes on Escape, and is announced
    // as a dialog. It sits in <body>, so the palette's #only-light / #only-dark
    // rules pick the matching image variant.
    const dialog = document.createElement("dialog");
    dialog.className = "book-viewer";
    dialog.setAttribute("aria-label", "Figure, full screen");
    dialog.innerHTML =
      '<button type="button" class="book-viewer__close" ' +
      'aria-label="Close the full-screen figure">\u00d7</button>' +
      '<div class="book-viewer__body md-typeset"></div>';
    dialog.querySelector(".book-viewer__close")
      .addEventListener("click", () => dialog.close());
    // A click on the backdrop (the dialog itself, outside its content) closes it.
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog.close();
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  function openFigure(figure, opener) {
    viewer = viewer || makeViewer();
    const body = viewer.querySelector(".book-viewer__body");
    body.replaceChildren();
    const images = [...figure.querySelectorAll("img")];
    // At least the figure's own width, so its text is at the size it was drawn
    // for: on a phone the view scrolls sideways (and pinch-zooms) instead of
    // shrinking the text again.
    const natural = Math.max(...images.map((img) => img.naturalWidth || 0));
    images.forEach((img) => {
      const copy = img.cloneNode(false);
      copy.removeAttribute("loading");
      const widen = (px) => { if (px > 0) copy.style.minWidth = `${px}px`; };
      widen(natural);
      // A lazy image the reader has not scrolled to yet has no size until loaded.
      if (!natural) copy.addEventListener("load", () => widen(copy.naturalWidth));
      body.appendChild(copy);
    });
    const caption = figure.querySelector("figcaption");
    if (caption) {
      const text = document.createElement("p");
      text.className = "book-viewer__caption";
      text.innerHTML = caption.innerHTML;
      text.querySelectorAll(".book-figure__enlarge").forEach((b) => b.remove());
      body.appendChild(text);
    }
    viewer.addEventListener("close", () => opener.focus(), { once: true });
    viewer.showModal();
    viewer.querySelector(".book-viewer__close").focus();
  }

  function enhanceFigures(root) {
    root.querySelectorAll("figure.book-figure").forEach((figure) => {
      if (figure.querySelector(".book-figure__enlarge")) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "book-figure__enlarge";
      button.setAttribute("aria-label", "Show this figure full screen");
      button.title = "Full screen";
      button.innerHTML =
        '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path ' +
        'd="M5 5h5v2H7v3H5V5m9 0h5v5h-2V7h-3V5m3 9h2v5h-5v-2h3v-3M7 14v3h3v2H5v-5h2z"' +
        "/></svg>";
      button.addEventListener("click", () => openFigure(figure, button));
      figure.querySelectorAll("img").forEach((img) =>
        img.addEventListener("click", () => openFigure(figure, button)));
      // In the caption row, so it never covers the figure itself.
      const caption = figure.querySelector("figcaption");
      if (caption) caption.prepend(button); else figure.append(button);
    });
  }

  function nameQuizLinks(root) {
    root.querySelectorAll(".quiz").forEach((quiz, i) => {
      const link = quiz.querySelector(".quiz-header-link");
      if (link) link.setAttribute("aria-label", `Link to question ${i + 1}`);
    });
  }

  function markScrollers(root) {
    // Tables (Material wraps them) and notebook code that is wider than the page.
    const selector = ".md-typeset__scrollwrap, .jp-Notebook .highlight-ipynb";
    root.querySelectorAll(selector).forEach((box) => {
      const update = () => {
        const scrolls = box.scrollWidth > box.clientWidth + 1;
        box.classList.toggle("book-scrolls", scrolls);
        box.classList.toggle("book-scrolled-end",
          box.scrollLeft + box.clientWidth >= box.scrollWidth - 1);
        // Keyboard users scroll it with the arrow keys once it has focus (as
        // Material does for its own code blocks).
        if (scrolls && !box.hasAttribute("tabindex")) box.tabIndex = 0;
      };
      update();
      box.addEventListener("scroll", update, { passive: true });
      window.addEventListener("resize", update);
    });
  }

  function enhance() {
    enhanceFigures(document);
    nameQuizLinks(document);
    markScrollers(document);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(enhance);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
})();
