/* The attention-matrix widget: type a sentence, see softmax(X Xᵀ) as a heatmap.
 *
 * A page opts in with an empty element placed before the widget's figure:
 *   <div data-book-widget="attention-matrix" data-figure="NAME" hidden></div>
 *   {{figure:NAME}}
 * The snippet snippets/<folder>/NAME.py wrote NAME.widget.json beside NAME.light.svg
 * (book.data("widget", ...)); the script finds it from the figure's image, so the
 * link is checked by the build like any figure. Without JavaScript the element stays
 * hidden and the static figure is the whole story; on paper too (book.css).
 *
 * The formulas are kernels/running_example.py's raw_attention: scores = X Xᵀ, then a
 * row softmax; tests/browser/test_attention_widget.py compares every cell.
 */
(function () {
  "use strict";

  var MAX_TOKENS = 12;

  function tokenize(text) {
    // Same rule as kernels.word_vectors.tokenize: letters and apostrophes, lower case.
    return text.toLowerCase().replace(/[^\p{L}']+/gu, " ").trim().split(/\s+/)
      .filter(Boolean);
  }

  function dot(a, b) {
    var s = 0;
    for (var k = 0; k < a.length; k++) s += a[k] * b[k];
    return s;
  }

  function rawAttention(vectors) {
    var scores = vectors.map(function (a) {
      return vectors.map(function (b) { return dot(a, b); });
    });
    var weights = scores.map(function (row) {
      var top = Math.max.apply(null, row);  // subtract the max: no overflow
      var e = row.map(function (s) { return Math.exp(s - top); });
      var total = e.reduce(function (x, y) { return x + y; }, 0);
      return e.map(function (x) { return x / total; });
    });
    return { scores: scores, weights: weights };
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function dataUrl(root) {
    var img = document.querySelector("#figure-" + root.dataset.figure + " img");
    if (!img) throw new Error("attention widget: no figure " + root.dataset.figure);
    return img.getAttribute("src").replace(/\.(light|dark)\.svg(#.*)?$/, ".widget.json");
  }

  function build(root, data) {
    var uid = "attn-" + root.dataset.figure;
    var vocab = data.vocab;
    var state = { view: "weights", words: [], result: null, focus: [0, 0] };

    var form = el("div", { class: "attn-controls" });
    var label = el("label", { for: uid + "-text" }, "Sentence ");
    var input = el("input", { type: "text", id: uid + "-text", autocomplete: "off",
                              spellcheck: "false", value: data.presets[0] });
    label.appendChild(input);
    form.appendChild(label);

    var presets = el("div", { class: "attn-presets", role: "group",
                              "aria-label": "Preset sentences" });
    data.presets.forEach(function (p) {
      var b = el("button", { type: "button", class: "md-button" }, p);
      b.addEventListener("click", function () { input.value = p; update(); });
      presets.appendChild(b);
    });
    form.appendChild(presets);

    var views = el("div", { class: "attn-view", role: "radiogroup",
                            "aria-label": "Show weights or raw scores" });
    views.appendChild(el("span", { class: "attn-view-title" }, "Show: "));
    [["weights", "weights (row softmax)"], ["scores", "raw scores x·y"]].forEach(
      function (v) {
        var wrap = el("label", {});
        var r = el("input", { type: "radio", name: uid + "-view", value: v[0] });
        if (v[0] === state.view) r.checked = true;
        r.addEventListener("change", function () { state.view = v[0]; render(); });
        wrap.appendChild(r);
        wrap.appendChild(document.createTextNode(" " + v[1]));
        views.appendChild(wrap);
      });
    form.appendChild(views);

    var message = el("p", { class: "attn-message", role: "status" });
    var caption = el("p", { class: "attn-caption", id: uid + "-caption" });
    var table = el("table", { class: "attn-grid", "aria-describedby": uid + "-caption" });
    var readout = el("p", { class: "attn-readout", "aria-live": "polite" });
    root.appendChild(form);
    root.appendChild(message);
    root.appendChild(caption);
    root.appendChild(table);
    root.appendChild(readout);

    function update() {
      var words = tokenize(input.value);
      var unknown = words.filter(function (w) { return !(w in vocab); });
      state.result = null;
      if (!words.length) {
        message.textContent = "Type a sentence.";
      } else if (unknown.length) {
        message.textContent = "No embedding for " + unknown.map(function (w) {
          return "“" + w + "”"; }).join(", ") + ". The widget knows only the " +
          Object.keys(vocab).length + " words of its training sentences, such as: " +
          Object.keys(vocab).slice(0, 24).join(", ") + ".";
      } else if (words.length > MAX_TOKENS) {
        message.textContent = "Up to " + MAX_TOKENS + " words, please (you typed " +
          words.length + ").";
      } else {
        message.textContent = "";
        state.words = words;
        state.result = rawAttention(words.map(function (w) { return vocab[w]; }));
        state.focus = [0, 0];
      }
      render();
    }

    function render() {
      table.textContent = "";
      readout.textContent = "";
      caption.textContent = "";
      root.classList.toggle("attn-empty", !state.result);
      if (!state.result) return;
      var m = state.result[state.view];
      var words = state.words;
      var top = 0;
      m.forEach(function (row) { row.forEach(function (x) {
        top = Math.max(top, Math.abs(x)); }); });
      caption.textContent = (state.view === "weights"
        ? "Attention weights: row i is how token i mixes the tokens; rows sum to 1."
        : "Raw scores: row i, column j is the dot product of token i and token j.");
      var head = el("tr");
      head.appendChild(el("td"));
      words.forEach(function (w) { head.appendChild(el("th", { scope: "col" }, w)); });
      table.appendChild(head);
      words.forEach(function (w, i) {
        var tr = el("tr");
        tr.appendChild(el("th", { scope: "row" }, w));
        m[i].forEach(function (x, j) {
          var level = state.view === "weights" ? x : Math.abs(x) / (top || 1);
          var td = el("td", {
            tabindex: i === state.focus[0] && j === state.focus[1] ? "0" : "-1",
            "data-i": i, "data-j": j, "data-value": String(x),
            class: "attn-cell" + (x < 0 ? " attn-negative" : "") +
              (level > 0.55 ? " attn-strong" : ""),
            // At most half the colour, so the page's own text colour stays
            // readable on every cell in both palettes (WCAG AA, checked by axe).
            style: "--attn-level:" + Math.round(50 * Math.min(1, level)) + "%",
            "aria-label": words[i] + " to " + words[j] + ": " + x.toFixed(4),
          }, x.toFixed(2));
          tr.appendChild(td);
        });
        table.appendChild(tr);
      });
    }

    function cell(i, j) {
      return table.querySelector('td[data-i="' + i + '"][data-j="' + j + '"]');
    }

    function show(td) {
      table.querySelectorAll(".attn-current, .attn-mirror").forEach(function (c) {
        c.classList.remove("attn-current", "attn-mirror");
      });
      var i = +td.dataset.i, j = +td.dataset.j, w = state.words;
      var mirror = cell(j, i);
      td.classList.add("attn-current");
      if (mirror && mirror !== td) mirror.classList.add("attn-mirror");
      var name = state.view === "weights" ? "weight" : "score";
      readout.textContent = "“" + w[i] + "” → “" + w[j] + "”: " + name + " " +
        (+td.dataset.value).toFixed(4) + (mirror && mirror !== td
          ? ". Mirror cell “" + w[j] + "” → “" + w[i] + "” (outlined): " +
            (+mirror.dataset.value).toFixed(4) + "."
          : " (a diagonal cell is its own mirror).");
    }

    table.addEventListener("mouseover", function (e) {
      var td = e.target.closest("td.attn-cell");
      if (td) show(td);
    });
    table.addEventListener("focusin", function (e) {
      var td = e.target.closest("td.attn-cell");
      if (!td) return;
      state.focus = [+td.dataset.i, +td.dataset.j];
      table.querySelectorAll("td.attn-cell").forEach(function (c) {
        c.setAttribute("tabindex", c === td ? "0" : "-1");
      });
      show(td);
    });
    table.addEventListener("keydown", function (e) {
      var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1],
                    ArrowRight: [0, 1] };
      var d = moves[e.key];
      if (!d || !state.result) return;
      var n = state.words.length;
      var i = Math.min(n - 1, Math.max(0, state.focus[0] + d[0]));
      var j = Math.min(n - 1, Math.max(0, state.focus[1] + d[1]));
      e.preventDefault();
      cell(i, j).focus();
    });
    input.addEventListener("input", update);
    root.hidden = false;
    update();
  }

  function start() {
    document.querySelectorAll('[data-book-widget="attention-matrix"]').forEach(
      function (root) {
        if (root.dataset.ready) return;
        root.dataset.ready = "1";
        fetch(dataUrl(root))
          .then(function (r) {
            if (!r.ok) throw new Error("HTTP " + r.status);
            return r.json();
          })
          .then(function (data) { build(root, data); })
          .catch(function (err) {
            // The static figure below still shows; say why the live one does not.
            root.hidden = false;
            root.textContent = "The interactive matrix could not load its word " +
              "vectors (" + err.message + "); the figure below shows the presets.";
          });
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
