// Render the maths that pymdownx.arithmatex (generic mode) left in the page.
// Material calls document$ on every page load; errors show in red rather than
// breaking the page, and the browser tests fail on any .katex-error.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "$", right: "$", display: false },
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: false,
  });
});
