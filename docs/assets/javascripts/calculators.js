/* The book's calculators: a KV-cache sizer (lesson 5.4.2) and a speculative-decoding
 * explorer (lesson 5.3.3), computed in the browser.
 *
 * A page opts in with an empty element placed before the calculator's table:
 *   <div class="book-calculator" data-book-widget="kv-cache-calculator"
 *        data-table="NAME" hidden></div>
 *   {{table:NAME}}
 * The snippet snippets/<folder>/NAME.py wrote NAME.widget.json beside its output
 * (book.data("widget", ...)); the script finds it from the link to the snippet's
 * source under the table, so the build checks the link. Without JavaScript the element
 * stays hidden and the static table is the whole story; on paper too (book.css).
 * Pages without such an element are left alone.
 *
 * Every formula is a function in kernels/ (kernels/serving_memory.py,
 * kernels/costs.py param_count, kernels/speculative.py), re-implemented here line for
 * line; tests/browser/test_calculators.py compares every output with them. Counts
 * of bytes and FLOPs are BigInt, so they are exact integers like Python's.
 */
(function () {
  "use strict";

  var MAX_INT = 1000000000n;  // inputs above 10^9 are refused as typos

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function dataUrl(root) {
    var name = root.dataset.table;
    var link = document.querySelector('a[href$="/' + name + '.py"]');
    if (!name || !link) throw new Error("no source link for table " + name);
    return link.getAttribute("href").replace(/(^|\/)snippets\//, "$1figures/")
      .replace(/\.py$/, ".widget.json");
  }

  function group(n) {  // 12345678n -> "12,345,678"
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  // --- fields: a label, an input, and a message slot that the input points to ----
  function Form(root, uid) {
    this.root = root;
    this.uid = uid;
    this.fields = {};
  }

  Form.prototype.fieldset = function (legend) {
    var fs = el("fieldset", { class: "calc-fieldset" });
    fs.appendChild(el("legend", {}, legend));
    this.root.appendChild(fs);
    return fs;
  };

  Form.prototype.add = function (parent, name, label, kind, extra) {
    extra = extra || {};
    var id = this.uid + "-" + name;
    var wrap = el("div", { class: "calc-field calc-" + kind });
    var input;
    if (kind === "select") {
      input = el("select", { id: id });
      extra.options.forEach(function (o) {
        input.appendChild(el("option", { value: o[0] }, o[1]));
      });
    } else if (kind === "checkbox") {
      input = el("input", { type: "checkbox", id: id });
    } else {
      input = el("input", { type: "text", id: id, autocomplete: "off",
                            spellcheck: "false",
                            inputmode: kind === "decimal" ? "decimal" : "numeric" });
    }
    input.dataset.field = name;
    var lab = el("label", { for: id }, label);
    var error = el("span", { class: "calc-error", id: id + "-error" });
    if (kind === "checkbox") { wrap.appendChild(input); wrap.appendChild(lab); }
    else { wrap.appendChild(lab); wrap.appendChild(input); }
    var described = [error.id];
    if (extra.help) {
      var help = el("span", { class: "calc-help", id: id + "-help" }, extra.help);
      wrap.appendChild(help);
      described.unshift(help.id);
    }
    input.setAttribute("aria-describedby", described.join(" "));
    wrap.appendChild(error);
    parent.appendChild(wrap);
    this.fields[name] = { input: input, error: error };
    return input;
  };

  Form.prototype.value = function (name) {
    var input = this.fields[name].input;
    return input.type === "checkbox" ? input.checked : input.value;
  };

  Form.prototype.set = function (name, value) {
    var input = this.fields[name].input;
    if (input.type === "checkbox") input.checked = !!value;
    else input.value = value === null || value === undefined ? "" : String(value);
  };

  Form.prototype.clearErrors = function () {
    var f = this.fields;
    Object.keys(f).forEach(function (k) {
      f[k].error.textContent = "";
      f[k].input.removeAttribute("aria-invalid");
    });
    this.errors = [];
  };

  Form.prototype.fail = function (name, message) {
    var f = this.fields[name];
    if (f.error.textContent) return;  // the first problem with a field is enough
    f.error.textContent = message;
    f.input.setAttribute("aria-invalid", "true");
    this.errors.push(name);
  };

  // A whole number in [min, MAX_INT], as BigInt; null (and a message) otherwise.
  // Thousands separators and spaces are allowed ("131,072").
  Form.prototype.integer = function (name, min, what, allowEmpty) {
    var raw = this.value(name).trim();
    var text = raw.replace(/[,_\s]/g, "");
    if (text === "") {
      if (allowEmpty) return null;
      this.fail(name, "Enter " + what + ".");
      return undefined;
    }
    if (!/^[+-]?\d+$/.test(text)) {
      this.fail(name, "“" + raw + "” is not a whole number.");
      return undefined;
    }
    var v = BigInt(text);
    if (v < BigInt(min)) {
      this.fail(name, v < 0n ? "Cannot be negative: enter " + what + " of at least " +
        min + "." : "Cannot be zero: enter " + what + " of at least 1" +
        (allowEmpty ? ", or leave it empty." : "."));
      return undefined;
    }
    if (v > MAX_INT) {
      this.fail(name, "At most " + group(MAX_INT) + ".");
      return undefined;
    }
    return v;
  };

  // A decimal number in [min, max]; undefined (and a message) otherwise.
  Form.prototype.decimal = function (name, min, max, what) {
    var raw = this.value(name).trim();
    if (raw === "") { this.fail(name, "Enter " + what + "."); return undefined; }
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw)) {
      this.fail(name, "“" + raw + "” is not a number.");
      return undefined;
    }
    var v = Number(raw);
    if (!isFinite(v) || v < min || v > max) {
      this.fail(name, "Must be between " + min + " and " + max + ".");
      return undefined;
    }
    return v;
  };

  // --- the result region: one row per output, its exact value in data-value ------
  function Results(root, title) {
    this.region = el("div", { class: "calc-results", "aria-live": "polite" });
    this.region.appendChild(el("p", { class: "calc-results-title" }, title));
    this.message = el("p", { class: "calc-message" });
    this.table = el("table", { class: "calc-table" });
    this.body = el("tbody");
    this.table.appendChild(this.body);
    this.region.appendChild(this.message);
    this.region.appendChild(this.table);
    root.appendChild(this.region);
  }

  Results.prototype.clear = function (message) {
    this.body.textContent = "";
    this.message.textContent = message || "";
    this.table.hidden = !!message;
  };

  Results.prototype.row = function (name, label, value, text) {
    var tr = el("tr", { "data-output": name, "data-value": String(value) });
    tr.appendChild(el("th", { scope: "row" }, label));
    tr.appendChild(el("td", {}, text));
    this.body.appendChild(tr);
    return tr;
  };

  function bytesText(b) {  // BigInt bytes -> "17.18 GB (16.00 GiB)"
    var n = Number(b);
    if (n < 1e6) return group(b) + " bytes (" + (n / 1024).toFixed(1) + " KiB)";
    return (n / 1e9).toFixed(2) + " GB (" + (n / 1073741824).toFixed(2) + " GiB)";
  }

  function percent(x) { return (100 * x).toFixed(1) + " %"; }

  // === KV-cache calculator (kernels/serving_memory.py) ==============================

  var ARCH = [  // [field, label, help, min, what the number is]
    ["n_layers", "Layers", "", 1, "a number of layers"],
    ["d_model", "Model width d_model", "", 1, "a model width"],
    ["n_heads", "Query heads", "", 1, "a number of query heads"],
    ["n_kv_heads", "K/V heads", "equal to the query heads: MHA; 1: MQA; between: GQA",
     1, "a number of K/V heads"],
    ["head_dim", "Head width", "", 1, "a head width"],
    ["d_ff", "FFN hidden width", "per expert", 1, "an FFN width"],
    ["vocab_size", "Vocabulary", "", 1, "a vocabulary size"],
    ["n_experts", "Experts per layer", "1 for a dense model", 1, "a number of experts"],
    ["experts_per_token", "Experts per token", "", 1, "a number of experts per token"],
    ["pos_rows", "Learned position rows", "0 for RoPE (no table)", 0,
     "a number of rows"],
  ];

  function presetValues(p) {
    return {
      n_layers: p.n_layers, d_model: p.d_model, n_heads: p.n_heads,
      n_kv_heads: p.n_kv_heads, head_dim: p.head_dim, d_ff: p.d_ff,
      vocab_size: p.vocab_size, n_experts: p.n_experts,
      experts_per_token: p.experts_per_token,
      pos_rows: p.positional === "learned" ? p.max_seq_len : 0,
      window: p.sliding_window, ffn: p.ffn, tied: p.tied_embeddings, bias: p.bias,
    };
  }

  // kernels.costs.param_count (total, active) and
  // kernels.serving_memory.matmul_param_count, for a config c of BigInts.
  function paramCounts(c) {
    var d = c.d_model, L = c.n_layers, bias = c.bias ? 1n : 0n;
    var embedding = c.vocab_size * d + c.pos_rows * d;
    if (!c.tied) embedding += d * c.vocab_size;
    var qOut = c.n_heads * c.head_dim, kvOut = c.n_kv_heads * c.head_dim;
    var attention = d * qOut + 2n * d * kvOut + qOut * d + bias * (qOut + 2n * kvOut + d);
    var nMat = c.ffn === "swiglu" ? 3n : 2n;
    var expert = nMat * d * c.d_ff + bias * ((nMat - 1n) * c.d_ff + d);
    var router = c.n_experts > 1n ? d * c.n_experts : 0n;
    var ffn = c.n_experts * expert + router;
    var activeFfn = c.experts_per_token * expert + router;
    var norm = (2n * L + 1n) * (c.bias ? 2n * d : d);
    var total = embedding + L * attention + L * ffn + norm;
    var active = total - L * (ffn - activeFfn);
    var lookup = (c.tied ? 0n : c.vocab_size * d) + c.pos_rows * d;
    return { total: total, active: active, matmul: active - lookup };
  }

  function kvCalculator(root, data) {
    var uid = "kvcalc";
    var form = new Form(el("div", { class: "calc-form" }), uid);
    root.appendChild(form.root);
    var presets = {};
    data.presets.forEach(function (p) { presets[p.name] = p; });
    var gpus = {};
    data.gpus.forEach(function (g) { gpus[g.name] = g; });

    var model = form.fieldset("Model");
    var presetSelect = form.add(model, "preset", "Preset", "select", {
      options: data.presets.map(function (p) { return [p.name, p.name]; })
        .concat([["custom", "custom (your own numbers)"]]),
      help: "pick one, or edit any number below for a custom model" });
    ARCH.forEach(function (a) {
      form.add(model, a[0], a[1], "integer", { help: a[2] });
    });
    form.add(model, "window", "Sliding window (tokens)", "integer",
             { help: "leave empty for full attention" });
    form.add(model, "ffn", "FFN", "select", {
      options: [["swiglu", "SwiGLU (3 matrices)"], ["gelu", "GELU (2 matrices)"]] });
    form.add(model, "tied", "LM head tied to the embeddings", "checkbox");
    form.add(model, "bias", "Biases and LayerNorm (GPT-2 style)", "checkbox");

    var load = form.fieldset("Workload");
    form.add(load, "context", "Context length (tokens)", "integer",
             { help: "tokens each sequence attends to" });
    form.add(load, "batch", "Batch (sequences)", "integer");
    form.add(load, "precision", "KV-cache precision", "select", {
      options: [["fp32", "fp32 (4 bytes)"], ["bf16", "bf16 (2 bytes)"],
                ["fp8", "fp8 (1 byte)"],
                ["int8", "int8 (1 byte + a 2-byte scale per token and head)"],
                ["int4", "int4 (½ byte + a 2-byte scale per token and head)"]] });
    form.add(load, "page", "Page size (tokens)", "integer", { help: "PagedAttention block" });

    var hw = form.fieldset("Hardware");
    form.add(hw, "gpu", "GPU", "select", {
      options: data.gpus.map(function (g) {
        return [g.name, g.name + " (" + (g.memory_bytes / 1e9).toFixed(1) + " GB)"];
      }) });
    form.add(hw, "gpus", "Number of GPUs", "integer",
             { help: "weights and cache split evenly" });
    form.add(hw, "weights", "Weight precision", "select", {
      options: Object.keys(data.weight_bytes).map(function (k) {
        return [k, k + " (" + data.weight_bytes[k] + " byte" +
                (data.weight_bytes[k] > 1 ? "s" : "") + " per parameter)"];
      }) });

    var results = new Results(root, "Results");

    function fill(name) {
      var v = presetValues(presets[name]);
      Object.keys(v).forEach(function (k) { form.set(k, v[k]); });
    }

    function matchPreset() {  // the preset whose numbers are all in the form, if any
      var names = Object.keys(presets);
      for (var i = 0; i < names.length; i++) {
        var v = presetValues(presets[names[i]]);
        var same = Object.keys(v).every(function (k) {
          var shown = form.value(k);
          if (typeof shown === "boolean") return shown === v[k];
          return shown.replace(/[,_\s]/g, "") === (v[k] === null ? "" : String(v[k]));
        });
        if (same) return names[i];
      }
      return "custom";
    }

    function read() {
      form.clearErrors();
      var c = {};
      ARCH.forEach(function (a) { c[a[0]] = form.integer(a[0], a[3], a[4]); });
      c.window = form.integer("window", 1, "a window", true);
      c.ffn = form.value("ffn");
      c.tied = form.value("tied");
      c.bias = form.value("bias");
      var w = {
        context: form.integer("context", 1, "a context length"),
        batch: form.integer("batch", 1, "a batch size"),
        page: form.integer("page", 1, "a page size"),
        gpus: form.integer("gpus", 1, "a number of GPUs"),
        precision: form.value("precision"),
        gpu: gpus[form.value("gpu")],
        weightBytes: BigInt(data.weight_bytes[form.value("weights")]),
      };
      // Rules that tie two fields together (ModelConfig and cached_tokens check them).
      if (c.n_heads && c.n_kv_heads && c.n_heads % c.n_kv_heads !== 0n) {
        form.fail("n_kv_heads", "The K/V heads must divide the query heads (" +
          c.n_heads + " ÷ " + c.n_kv_heads + " is not whole): each K/V head " +
          "serves an equal group of query heads.");
      }
      if (c.n_experts && c.experts_per_token && c.experts_per_token > c.n_experts) {
        form.fail("experts_per_token", "At most the number of experts (" +
          c.n_experts + ").");
      }
      if (c.window && w.context && c.window > w.context) {
        form.fail("window", "The window (" + group(c.window) + ") is longer than " +
          "the context (" + group(w.context) + "). A window only matters when it " +
          "is shorter: lower it, raise the context, or leave it empty.");
      }
      var prec = data.kv_precisions[w.precision];
      if (c.head_dim && (c.head_dim * BigInt(prec.bits)) % 8n !== 0n) {
        form.fail("head_dim", "At " + w.precision + " a row of " + c.head_dim +
          " numbers is not a whole number of bytes: use an even head width.");
      }
      return form.errors.length ? null : { c: c, w: w, prec: prec };
    }

    function compute(c, w, prec) {
      // kv_bytes_per_token, cached_tokens, kv_cache_size
      var row = c.head_dim * BigInt(prec.bits) / 8n + BigInt(prec.scale_bytes);
      var perToken = 2n * c.n_layers * c.n_kv_heads * row;
      var cached = c.window === null ? w.context : c.window;
      var cache = perToken * cached * w.batch;
      // decode_flops_per_token
      var params = paramCounts(c);
      var flopsWeights = 2n * params.matmul;
      var flopsAttention = 4n * c.n_layers * c.n_heads * c.head_dim * cached;
      // weights, what is left, sequences_that_fit
      var weights = params.total * w.weightBytes;
      var capacity = BigInt(w.gpu.memory_bytes) * w.gpus;
      var free = capacity - weights;
      var fit = function (reserved, n) {
        return (free > 0n ? free : 0n) * n / reserved;
      };
      // cache_lengths, paged_slots, compare_fragmentation
      var n = BigInt(data.n_requests), used = 0n, pagedSlots = 0n;
      for (var i = 1n; i <= n; i++) {
        var len = (i * w.context + n - 1n) / n;  // ceil(i·T/n)
        if (len > cached) len = cached;
        used += len;
        pagedSlots += (len + w.page - 1n) / w.page * w.page;
      }
      var contiguousSlots = n * cached;
      return {
        kv_bytes_per_token: perToken, cached_tokens: cached, kv_cache_bytes: cache,
        flops_weights: flopsWeights, flops_attention: flopsAttention,
        flops_total: flopsWeights + flopsAttention,
        params_total: params.total, weight_bytes: weights,
        capacity_bytes: capacity, free_bytes: free,
        batch_fits: cache <= free ? 1 : 0,
        fit_contiguous: fit(perToken * cached, 1n),
        waste_contiguous: 1 - Number(used) / Number(contiguousSlots),
        waste_paged: 1 - Number(used) / Number(pagedSlots),
        fit_paged: fit(perToken * pagedSlots, n),
      };
    }

    function show(r, w) {
      results.clear();
      var gpuText = group(w.gpus) + " × " + w.gpu.name;
      results.row("kv_bytes_per_token", "KV cache per token (all layers, K and V)",
                  r.kv_bytes_per_token, bytesText(r.kv_bytes_per_token));
      results.row("cached_tokens", "Tokens cached per sequence", r.cached_tokens,
                  group(r.cached_tokens) + (r.cached_tokens < w.context
                    ? " (the window; older entries are overwritten)" : ""));
      results.row("kv_cache_bytes", "KV cache for the batch at full context",
                  r.kv_cache_bytes, bytesText(r.kv_cache_bytes));
      var share = Number(r.flops_attention) / Number(r.flops_total);
      results.row("flops_total", "FLOPs per generated token",
                  r.flops_total, (Number(r.flops_total) / 1e9).toFixed(2) +
                  " GFLOP, of which attention " + percent(share));
      results.row("flops_weights", "… in the weight matmuls (2 per parameter used)",
                  r.flops_weights, (Number(r.flops_weights) / 1e9).toFixed(2) + " GFLOP");
      results.row("flops_attention", "… in attention (QKᵀ and weights·V)",
                  r.flops_attention, (Number(r.flops_attention) / 1e9).toFixed(3) +
                  " GFLOP");
      results.row("params_total", "Parameters", r.params_total,
                  (Number(r.params_total) / 1e9).toFixed(2) + " billion");
      results.row("weight_bytes", "Weights take", r.weight_bytes,
                  bytesText(r.weight_bytes));
      results.row("capacity_bytes", "Memory on " + gpuText, r.capacity_bytes,
                  bytesText(r.capacity_bytes));
      results.row("free_bytes", "Left for the KV cache", r.free_bytes,
                  r.free_bytes > 0n ? bytesText(r.free_bytes)
                    : "nothing: the weights need " + bytesText(-r.free_bytes) +
                      " more than the GPUs hold");
      results.row("batch_fits", "Does the batch's cache fit?", r.batch_fits,
                  r.batch_fits ? "yes" : "no");
      results.row("fit_contiguous", "Sequences that fit, each reserving the full " +
                  "context", r.fit_contiguous, group(r.fit_contiguous));
      results.row("waste_contiguous", "Reserved but unused, contiguous",
                  r.waste_contiguous, percent(r.waste_contiguous));
      results.row("waste_paged", "Reserved but unused, paged", r.waste_paged,
                  percent(r.waste_paged));
      results.row("fit_paged", "Sequences that fit with paging (average request)",
                  r.fit_paged, group(r.fit_paged));
    }

    function update() {
      var input = read();
      if (!input) {
        results.clear("No results: fix the " + (form.errors.length > 1
          ? form.errors.length + " fields" : "field") + " marked above.");
        return;
      }
      show(compute(input.c, input.w, input.prec), input.w);
    }

    presetSelect.addEventListener("change", function () {
      if (presetSelect.value !== "custom") fill(presetSelect.value);
      update();
    });
    form.root.addEventListener("input", function (e) {
      if (e.target !== presetSelect) presetSelect.value = matchPreset();
      update();
    });
    form.root.addEventListener("change", function (e) {
      if (e.target.type === "checkbox" || e.target.tagName === "SELECT") {
        if (e.target !== presetSelect) presetSelect.value = matchPreset();
        update();
      }
    });
    var d = data.defaults;
    presetSelect.value = d.preset;
    fill(d.preset);
    ["context", "batch", "precision", "page", "gpu", "gpus", "weights"].forEach(
      function (k) { form.set(k, d[k]); });
    update();
  }

  // === Speculative-decoding calculator (kernels/speculative.py) =====================

  function expectedTokens(alpha, k) {  // expected_tokens_per_step
    if (alpha === 1) return k + 1;
    return (1 - Math.pow(alpha, k + 1)) / (1 - alpha);
  }

  function speedup(alpha, k, c) {  // walltime_speedup
    return expectedTokens(alpha, k) / (c * k + 1);
  }

  function bestK(alpha, c, kMax) {  // best_draft_length: first k with the largest
    var best = 1, top = speedup(alpha, 1, c);
    for (var k = 2; k <= kMax; k++) {
      var s = speedup(alpha, k, c);
      if (s > top) { top = s; best = k; }
    }
    return best;
  }

  function specCalculator(root, data) {
    var uid = "speccalc";
    var form = new Form(el("div", { class: "calc-form" }), uid);
    root.appendChild(form.root);
    var fs = form.fieldset("Draft and target");
    form.add(fs, "alpha", "Acceptance rate α", "decimal",
             { help: "0 to 1: how often the target keeps a draft token" });
    form.add(fs, "k", "Draft tokens per step k", "integer",
             { help: "1 to " + data.k_max });
    form.add(fs, "c", "Draft cost c", "decimal",
             { help: "one draft pass, in target passes (0 to 1)" });
    var results = new Results(root, "Results");
    var chart = el("table", { class: "calc-bars" });
    var caption = el("caption", {}, "Speed-up for each k at this α and c (the " +
                     "current k is marked ◆, the best ★)");
    chart.appendChild(caption);
    var chartBody = el("tbody");
    chart.appendChild(chartBody);
    results.region.appendChild(chart);

    function update() {
      form.clearErrors();
      var alpha = form.decimal("alpha", 0, 1, "an acceptance rate");
      var kBig = form.integer("k", 1, "a number of draft tokens");
      if (kBig !== undefined && kBig > BigInt(data.k_max)) {
        form.fail("k", "At most " + data.k_max + " here: beyond that the draft's " +
                  "cost always wins.");
      }
      var c = form.decimal("c", 0, 1, "a draft cost");
      chartBody.textContent = "";
      if (form.errors.length) {
        chart.hidden = true;
        results.clear("No results: fix the " + (form.errors.length > 1
          ? form.errors.length + " fields" : "field") + " marked above.");
        return;
      }
      var k = Number(kBig);
      var tokens = expectedTokens(alpha, k);
      var s = speedup(alpha, k, c);
      var best = bestK(alpha, c, data.k_max);
      var bestS = speedup(alpha, best, c);
      results.clear();
      results.row("tokens", "Tokens per target pass (expected)", tokens,
                  tokens.toFixed(3));
      results.row("step_cost", "Cost of a step, in target passes (c·k + 1)",
                  c * k + 1, (c * k + 1).toFixed(3));
      results.row("speedup", "Speed-up over plain decoding", s,
                  s.toFixed(3) + "×" + (s < 1 ? " (slower: the drafts cost more " +
                  "than they save)" : ""));
      results.row("best_k", "Best k for this α and c", best,
                  best + " (" + bestS.toFixed(3) + "×)");
      chart.hidden = false;
      var top = 0;
      var all = [];
      for (var j = 1; j <= data.k_max; j++) {
        all.push(speedup(alpha, j, c));
        top = Math.max(top, all[j - 1]);
      }
      all.forEach(function (v, i) {
        var kk = i + 1;
        var tr = el("tr", { "data-k": kk, "data-value": String(v),
                            class: (kk === k ? "calc-current" : "") +
                                   (kk === best ? " calc-best" : "") });
        tr.appendChild(el("th", { scope: "row" }, "k = " + kk +
          (kk === k ? " ◆" : "") + (kk === best ? " ★" : "")));
        var td = el("td");
        var bar = el("span", { class: "calc-bar",
                               style: "width:" + (75 * v / top).toFixed(1) + "%" });
        td.appendChild(bar);
        td.appendChild(el("span", { class: "calc-bar-label" }, v.toFixed(2) + "×"));
        tr.appendChild(td);
        chartBody.appendChild(tr);
      });
    }

    form.root.addEventListener("input", update);
    form.set("alpha", data.defaults.alpha);
    form.set("k", data.defaults.k);
    form.set("c", data.defaults.cost_ratio);
    update();
  }

  var BUILDERS = { "kv-cache-calculator": kvCalculator,
                   "speculative-calculator": specCalculator };

  function start() {
    Object.keys(BUILDERS).forEach(function (kind) {
      document.querySelectorAll('[data-book-widget="' + kind + '"]').forEach(
        function (root) {
          if (root.dataset.ready) return;
          root.dataset.ready = "1";
          var url;
          try { url = dataUrl(root); } catch (err) { return fail(root, err); }
          fetch(url)
            .then(function (r) {
              if (!r.ok) throw new Error("HTTP " + r.status);
              return r.json();
            })
            .then(function (data) {
              BUILDERS[kind](root, data);
              root.hidden = false;
            })
            .catch(function (err) { fail(root, err); });
        });
    });
  }

  function fail(root, err) {
    // The static table below still shows; say why the live calculator does not.
    root.hidden = false;
    root.textContent = "The calculator could not load its data (" + err.message +
      "); the table below shows the presets.";
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
