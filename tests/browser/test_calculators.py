"""The calculators in a real browser: every output equals the kernels' Python on many
inputs, bad input gets a message and no numbers, and they stay usable.

- KV-cache calculator (lesson 5.4.2) vs kernels/serving_memory.py, kernels/costs.py
  param_count and kernels/kv_cache.compare_fragmentation: every preset × every cache
  precision, plus seeded random custom models. Byte, FLOP and count outputs must be
  the same integers; the two waste fractions agree to 1e-12 (absolute).
- Speculative-decoding calculator (lesson 5.3.3) vs kernels/speculative.py: seeded
  random (α, k, c) and the edge cases; floats agree to 1e-12 (relative), the best k
  exactly.
"""

import dataclasses
import json
import random
from pathlib import Path

import pytest

from kernels import serving_memory as sm
from kernels.costs import param_count
from kernels.hardware import all_gpus
from kernels.kv_cache import compare_fragmentation
from kernels.presets import PRESETS, ModelConfig
from kernels.speculative import (best_draft_length, expected_tokens_per_step,
                                 walltime_speedup)

pytestmark = [pytest.mark.browser, pytest.mark.build]

KV_PAGE = "5.4-past-the-quadratic-wall/serving-long-contexts/"
SPEC_PAGE = "5.3-scaling-architecture/training-and-serving/"
KV = '[data-book-widget="kv-cache-calculator"]'
SPEC = '[data-book-widget="speculative-calculator"]'
KV_DATA = "figures/serving_long_contexts/kv_calculator.widget.json"
SPEC_DATA = "figures/training_and_serving/speculative_calculator.widget.json"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARCH = ("n_layers", "d_model", "n_heads", "n_kv_heads", "head_dim", "d_ff",
        "vocab_size", "n_experts", "experts_per_token")
GPUS = {g.name: g for g in all_gpus()}
FLOAT_OUTPUTS = ("waste_contiguous", "waste_paged")


@pytest.fixture(scope="module")
def kv_data(built_site):
    return json.loads((built_site / KV_DATA).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def spec_data(built_site):
    return json.loads((built_site / SPEC_DATA).read_text(encoding="utf-8"))


def outputs(page, widget):
    return page.locator(f"{widget} tr[data-output]").evaluate_all(
        "rs => Object.fromEntries(rs.map(r => [r.dataset.output, r.dataset.value]))")


def field(page, widget, name):
    return page.locator(f'{widget} [data-field="{name}"]')


def assert_no_bad_numbers(page, widget):
    """The results (not the messages, which quote what the reader typed)."""
    text = page.locator(f"{widget} .calc-results").inner_text()
    for bad in ("NaN", "Infinity", "undefined", "null"):
        assert bad not in text, f"{bad!r} shown: {text[:500]}"


# --- the KV-cache calculator --------------------------------------------------------

def kv_cases(kv_data):
    """Every preset × every precision, then random custom models (seeded)."""
    rng = random.Random(13)
    cases = []
    for name, cfg in PRESETS.items():
        for precision in sm.KV_PRECISIONS:
            window = cfg.sliding_window
            context = rng.choice([window or 1, 2048, 4096, 32768, 131072, 1000003])
            context = max(context, window or 1)
            cases.append({
                "preset": name, "cfg": cfg, "precision": precision, "context": context,
                "batch": rng.choice([1, 3, 8, 64, 1000]),
                "page": rng.choice([1, 7, 16, 128, context]),
                "gpu": rng.choice(list(GPUS)), "gpus": rng.choice([1, 2, 8]),
                "weights": rng.choice(list(kv_data["weight_bytes"]))})
    for i in range(30):
        kv = rng.choice([1, 2, 4, 8])
        heads = kv * rng.choice([1, 2, 3, 8])
        head_dim = rng.choice([32, 64, 80, 128, 256])
        experts = rng.choice([1, 1, 4, 8])
        learned = rng.random() < 0.3
        context = rng.randint(1, 300000)
        window = rng.choice([None, None, rng.randint(1, context)])
        cfg = ModelConfig(
            name="custom", n_layers=rng.randint(1, 120), d_model=heads * head_dim,
            n_heads=heads, n_kv_heads=kv, head_dim=head_dim,
            d_ff=rng.randint(1, 50000), vocab_size=rng.randint(1, 260000),
            max_seq_len=rng.randint(1, 9000) if learned else context,
            ffn=rng.choice(["gelu", "swiglu"]),
            positional="learned" if learned else "rope",
            tied_embeddings=rng.random() < 0.5, bias=rng.random() < 0.3,
            n_experts=experts, experts_per_token=rng.randint(1, experts),
            sliding_window=window, rope_base=None if learned else 10000.0)
        cases.append({
            "preset": None, "cfg": cfg, "precision": rng.choice(list(sm.KV_PRECISIONS)),
            "context": context, "batch": rng.randint(1, 500),
            "page": rng.randint(1, 600), "gpu": rng.choice(list(GPUS)),
            "gpus": rng.randint(1, 16),
            "weights": rng.choice(list(kv_data["weight_bytes"]))})
    return cases


def kv_expected(case, kv_data):
    """Every output of the calculator, from the kernels."""
    cfg, t, p = case["cfg"], case["context"], case["page"]
    w = cfg.sliding_window
    args = (cfg.n_layers, cfg.n_kv_heads, cfg.head_dim)
    per_token = sm.kv_bytes_per_token(*args, case["precision"])
    cached = sm.cached_tokens(t, w)
    flops = sm.decode_flops_per_token(cfg, t)
    total = param_count(cfg)["total"]
    weights = total * kv_data["weight_bytes"][case["weights"]]
    capacity = GPUS[case["gpu"]].memory_bytes * case["gpus"]
    free = capacity - weights
    cache = sm.kv_cache_size(*args, t, batch=case["batch"],
                             precision=case["precision"], window=w)
    n = kv_data["n_requests"]
    lens = sm.cache_lengths(t, n, w)
    waste = compare_fragmentation(lens, cached, p)
    return {
        "kv_bytes_per_token": per_token, "cached_tokens": cached,
        "kv_cache_bytes": cache, "flops_weights": flops["weights"],
        "flops_attention": flops["attention"], "flops_total": flops["total"],
        "params_total": total, "weight_bytes": weights, "capacity_bytes": capacity,
        "free_bytes": free, "batch_fits": int(cache <= free),
        "fit_contiguous": sm.sequences_that_fit(free, per_token * cached),
        "waste_contiguous": waste["contiguous"], "waste_paged": waste["paged"],
        "fit_paged": sm.sequences_that_fit(free, per_token * sm.paged_slots(lens, p),
                                           n),
    }


def set_kv(page, case):
    cfg = case["cfg"]
    if case["preset"]:
        page.locator(KV + ' [data-field="preset"]').select_option(case["preset"])
    else:
        values = {k: getattr(cfg, k) for k in ARCH}
        values["pos_rows"] = cfg.max_seq_len if cfg.positional == "learned" else 0
        for name, value in values.items():
            field(page, KV, name).fill(str(value))
        field(page, KV, "ffn").select_option(cfg.ffn)
        field(page, KV, "tied").set_checked(cfg.tied_embeddings)
        field(page, KV, "bias").set_checked(cfg.bias)
    # the context before the window, so a window is never longer than the context
    field(page, KV, "context").fill(f"{case['context']:,}")  # separators are allowed
    field(page, KV, "window").fill("" if cfg.sliding_window is None
                                   else str(cfg.sliding_window))
    for name in ("batch", "page", "gpus"):
        field(page, KV, name).fill(str(case[name]))
    for name in ("precision", "gpu", "weights"):
        field(page, KV, name).select_option(case[name])


def test_kv_calculator_matches_the_kernels_on_many_inputs(site_url, visit, kv_data):
    v = visit(site_url + KV_PAGE)
    page = v.page
    cases = kv_cases(kv_data)
    assert len(cases) >= 70
    for i, case in enumerate(cases):
        set_kv(page, case)
        shown = outputs(page, KV)
        expected = kv_expected(case, kv_data)
        assert set(shown) == set(expected), f"case {i}: outputs {sorted(shown)}"
        for name, want in expected.items():
            if name in FLOAT_OUTPUTS:
                assert abs(float(shown[name]) - want) <= 1e-12, (i, name, shown[name])
            else:
                assert int(shown[name]) == want, (i, case["preset"], name,
                                                  shown[name], want)
        preset = page.locator(KV + ' [data-field="preset"]').input_value()
        assert preset == (case["preset"] or "custom"), (i, preset)
        assert_no_bad_numbers(page, KV)
    assert v.errors == [] and v.foreign_requests() == []
    print(f"KV calculator: {len(cases)} cases × {len(expected)} outputs compared")


KV_INVALID = [  # (field changes, field with the message, words in the message)
    ({"n_kv_heads": "0"}, "n_kv_heads", "Cannot be zero"),
    ({"n_heads": "0"}, "n_heads", "Cannot be zero"),
    ({"n_kv_heads": "5"}, "n_kv_heads", "must divide the query heads"),
    ({"n_kv_heads": "64"}, "n_kv_heads", "must divide the query heads"),
    ({"window": "8192"}, "window", "longer than the context"),
    ({"window": "0"}, "window", "leave it empty"),
    ({"context": "-5"}, "context", "Cannot be negative"),
    ({"context": ""}, "context", "Enter a context length"),
    ({"batch": "abc"}, "batch", "is not a whole number"),
    ({"batch": "2.5"}, "batch", "is not a whole number"),
    ({"page": "1e3"}, "page", "is not a whole number"),
    ({"page": "0"}, "page", "Cannot be zero"),
    ({"gpus": "NaN"}, "gpus", "is not a whole number"),
    ({"n_layers": "99999999999"}, "n_layers", "At most"),
    ({"precision": "int4", "head_dim": "127"}, "head_dim", "whole number of bytes"),
    ({"n_experts": "2", "experts_per_token": "3"}, "experts_per_token",
     "At most the number of experts"),
    ({"pos_rows": "-1"}, "pos_rows", "Cannot be negative"),
]


@pytest.mark.parametrize("changes,where,words", KV_INVALID,
                         ids=[c[1] + ":" + c[2] for c in KV_INVALID])
def test_kv_calculator_refuses_invalid_input(site_url, visit, changes, where, words):
    page = visit(site_url + KV_PAGE).page
    good = field(page, KV, where).input_value()
    for name, value in changes.items():
        loc = field(page, KV, name)
        if loc.evaluate("e => e.tagName") == "SELECT":
            loc.select_option(value)
        else:
            loc.fill(value)
    error = page.locator(f"#kvcalc-{where}-error").inner_text()
    assert words in error, error
    assert field(page, KV, where).get_attribute("aria-invalid") == "true"
    assert page.locator(f"{KV} tr[data-output]").count() == 0
    assert "No results" in page.locator(f"{KV} .calc-message").inner_text()
    assert_no_bad_numbers(page, KV)
    # Fixing the field brings the results back.
    field(page, KV, where).fill(good if where != "window" else "")
    if where == "experts_per_token":
        field(page, KV, "experts_per_token").fill("1")
    if where == "head_dim":
        field(page, KV, "head_dim").fill("128")
    assert page.locator(f"#kvcalc-{where}-error").inner_text() == ""
    assert page.locator(f"{KV} tr[data-output]").count() == 15


# --- the speculative-decoding calculator -------------------------------------------

def spec_cases(k_max):
    rng = random.Random(533)
    cases = [(0.0, 1, 0.1), (0.0, 4, 0.0), (1.0, 1, 0.0), (1.0, k_max, 0.0),
             (1.0, 5, 1.0), (0.5, k_max, 1.0), (0.999, 7, 0.01)]
    cases += [(round(rng.random(), 4), rng.randint(1, k_max), round(rng.random(), 3))
              for _ in range(60)]
    return cases


def test_speculative_calculator_matches_the_kernels(site_url, visit, spec_data):
    v = visit(site_url + SPEC_PAGE)
    page = v.page
    k_max = spec_data["k_max"]
    cases = spec_cases(k_max)
    for alpha, k, c in cases:
        field(page, SPEC, "alpha").fill(repr(alpha))
        field(page, SPEC, "k").fill(str(k))
        field(page, SPEC, "c").fill(repr(c))
        shown = outputs(page, SPEC)
        tokens = expected_tokens_per_step(alpha, k)
        assert float(shown["tokens"]) == pytest.approx(tokens, rel=1e-12)
        assert float(shown["step_cost"]) == pytest.approx(c * k + 1, rel=1e-12)
        assert float(shown["speedup"]) == pytest.approx(
            walltime_speedup(alpha, k, c), rel=1e-12)
        assert int(shown["best_k"]) == best_draft_length(alpha, c, k_max)
        bars = page.locator(f"{SPEC} tr[data-k]").evaluate_all(
            "rs => rs.map(r => [+r.dataset.k, +r.dataset.value])")
        assert [kk for kk, _ in bars] == list(range(1, k_max + 1))
        for kk, value in bars:
            assert value == pytest.approx(walltime_speedup(alpha, kk, c), rel=1e-12)
        assert_no_bad_numbers(page, SPEC)
    assert v.errors == [] and v.foreign_requests() == []
    print(f"speculative calculator: {len(cases)} cases, {4 + k_max} outputs each")


SPEC_INVALID = [
    ("alpha", "1.5", "between 0 and 1"), ("alpha", "-0.1", "between 0 and 1"),
    ("alpha", "abc", "is not a number"), ("alpha", "", "Enter an acceptance rate"),
    ("alpha", "NaN", "is not a number"), ("alpha", "Infinity", "is not a number"),
    ("k", "0", "Cannot be zero"), ("k", "17", "At most 16"),
    ("k", "2.5", "is not a whole number"), ("k", "-3", "Cannot be negative"),
    ("c", "-0.1", "between 0 and 1"), ("c", "1e400", "between 0 and 1"),
    ("c", "", "Enter a draft cost"),
]


@pytest.mark.parametrize("name,value,words", SPEC_INVALID,
                         ids=[f"{n}={v!r}" for n, v, _ in SPEC_INVALID])
def test_speculative_calculator_refuses_invalid_input(site_url, visit, name, value,
                                                      words):
    page = visit(site_url + SPEC_PAGE).page
    field(page, SPEC, name).fill(value)
    assert words in page.locator(f"#speccalc-{name}-error").inner_text()
    assert page.locator(f"{SPEC} tr[data-output]").count() == 0
    assert page.locator(f"{SPEC} tr[data-k]").count() == 0
    assert_no_bad_numbers(page, SPEC)


# --- usable by keyboard, on a phone, in the dark, on paper, by a screen reader ------

def test_calculators_by_keyboard(site_url, visit):
    page = visit(site_url + SPEC_PAGE).page
    field(page, SPEC, "alpha").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.field") == "k"
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    assert outputs(page, SPEC)["step_cost"] == repr(0.1 * 1 + 1)
    page = visit(site_url + KV_PAGE).page
    preset = field(page, KV, "preset")
    preset.focus()
    page.keyboard.press("ArrowDown")  # the next preset, chosen from the keyboard
    assert preset.input_value() != "llama2-7b"
    assert field(page, KV, "n_layers").input_value() != ""
    assert page.locator(f"{KV} tr[data-output]").count() == 15


@pytest.mark.parametrize("path,widget", [(KV_PAGE, KV), (SPEC_PAGE, SPEC)])
def test_calculators_fit_a_phone_and_print_as_their_table(browser, site_url, path,
                                                          widget):
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  color_scheme="dark")
    page = context.new_page()
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    root = page.locator(widget)
    assert root.is_visible()
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    overflow = root.evaluate("e => e.scrollWidth - e.clientWidth")
    assert overflow <= 0, f"the calculator is {overflow}px wider than a phone"
    page.emulate_media(media="print")
    assert not root.is_visible()
    table = page.locator(f"#table-{root.get_attribute('data-table')}")
    assert table.is_visible(), "on paper the static table stands in for it"
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_in_the_calculators_even_with_errors(browser, site_url,
                                                               scheme):
    script = AXE.read_text(encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  color_scheme=scheme)
    found = []
    for path, widget, bad in [(KV_PAGE, KV, {"n_kv_heads": "5", "batch": "x"}),
                              (SPEC_PAGE, SPEC, {"alpha": "2"})]:
        page = context.new_page()
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
        page.add_script_tag(content=script)
        for state in ("valid", "invalid"):
            if state == "invalid":
                for name, value in bad.items():
                    field(page, widget, name).fill(value)
            result = page.evaluate(
                f"axe.run(document.querySelector('{widget}'), "
                "{resultTypes: ['violations']})")
            found += [f"{path} {state} [{v['id']}] {v['help']}: "
                      f"{' '.join(n['target'][0] for n in v['nodes'][:3])}"
                      for v in result["violations"]]
        page.close()
    context.close()
    assert not found, "\n".join(found)


def test_pages_without_a_calculator_are_left_alone(site_url, visit):
    v = visit(site_url)
    assert v.page.locator(".calc-form").count() == 0
    assert v.errors == []
