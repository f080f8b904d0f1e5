"""Speculative decoding, step by step: which draft tokens the target accepts.

Shown on: docs/5.3-scaling-architecture/training-and-serving/index.md (speculative
decoding). A real, seeded toy pair built from a tiny corpus: the draft is
a bigram model (it sees only the last word), the target a trigram model (the last
two words, falling back to the bigram). kernels.speculative.speculative_step_sampling
runs the draft-and-verify rule (accept with probability min(1, p/q), resample from
the residual on rejection, a bonus token when all k are accepted), so the output is
distributed exactly as sampling from the target alone. k = 5 drafts per step.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyBboxPatch
import torch

from kernels.speculative import speculative_step_sampling, table_model

CORPUS = (
    "the capital of france is paris . paris is a large city on the seine . "
    "the capital of italy is rome . rome is an old city on the tiber . "
    "the capital of spain is madrid . madrid is a large city in the centre of "
    "spain . paris is known for the louvre . rome is known for the forum . "
    "the capital of france is a large city . the seine flows through paris ."
)
PROMPT = "the capital of france is"
K = 5            # draft tokens per step
STEPS = 6        # target passes shown
SEED = 0
SMOOTH = 0.05    # share of uniform probability mixed into the bigram draft
TRIGRAM_WEIGHT = 0.9  # target: 0.9 trigram + 0.1 bigram where the trigram is known


# --8<-- [start:models]
def build_models():
    words = CORPUS.split()
    vocab = sorted(set(words))
    ids = [vocab.index(w) for w in words]
    V = len(vocab)
    bi = torch.zeros(V, V, dtype=torch.float64)        # (V, V) counts: prev -> next
    tri = torch.zeros(V, V, V, dtype=torch.float64)    # (V, V, V): two prev -> next
    for a, b in zip(ids, ids[1:]):
        bi[a, b] += 1
    for a, b, c in zip(ids, ids[1:], ids[2:]):
        tri[a, b, c] += 1
    uniform = torch.full((V,), 1 / V, dtype=torch.float64)
    rows = bi.sum(1, keepdim=True)
    bigram = (1 - SMOOTH) * (bi / rows.clamp(min=1)) + SMOOTH * uniform  # (V, V)

    def target(prefix):                   # the "large" model: two words of context
        row = tri[prefix[-2], prefix[-1]]
        if row.sum() == 0:
            return bigram[prefix[-1]]
        return TRIGRAM_WEIGHT * row / row.sum() + (1 - TRIGRAM_WEIGHT) * bigram[
            prefix[-1]]

    return vocab, table_model(bigram), target   # draft: one word of context
# --8<-- [end:models]


# --8<-- [start:compute]
def compute():
    vocab, draft, target = build_models()
    gen = torch.Generator().manual_seed(SEED)
    seq = [vocab.index(w) for w in PROMPT.split()]
    steps = []
    for _ in range(STEPS):
        step = speculative_step_sampling(draft, target, seq, K, gen)
        steps.append(step)
        seq += step.tokens            # accepted drafts + one token from the target
    return vocab, steps
# --8<-- [end:compute]


# --8<-- [start:draw]
def draw(theme, vocab, steps):
    fig, ax = plt.subplots(figsize=(8, 5.4))
    cell, gap = 1.0, 0.08
    for row, step in enumerate(steps):
        y = -row
        for i, token in enumerate(step.proposed):
            if i < step.n_accepted:
                face, text = theme.good, "accepted"
            elif i == step.n_accepted:
                face, text = theme.warn, "rejected"
            else:
                face, text = theme.grid, "not checked"
            ax.add_patch(FancyBboxPatch((i * cell + gap, y - 0.36), cell - 2 * gap,
                                        0.72, boxstyle="round,pad=0,rounding_size=0.08",
                                        facecolor=face, edgecolor="none"))
            colour = theme.text_on(face) if text != "not checked" else theme.muted
            ax.text(i * cell + cell / 2, y, vocab[token], ha="center", va="center",
                    color=colour, fontsize=12, fontweight="bold")
        extra = step.tokens[-1]                     # the target's own token
        x = K * cell + 0.35
        ax.add_patch(FancyBboxPatch((x + gap, y - 0.36), cell - 2 * gap, 0.72,
                                    boxstyle="round,pad=0,rounding_size=0.08",
                                    facecolor=theme.accent, edgecolor="none"))
        ax.text(x + cell / 2, y, vocab[extra], ha="center", va="center",
                color=theme.text_on(theme.accent), fontsize=12, fontweight="bold")
        ax.text(x + cell + 0.25, y, f"{len(step.tokens)} token"
                f"{'s' if len(step.tokens) > 1 else ''}", va="center", color=theme.fg)
    heads = [(K * cell / 2, f"{K} draft tokens (bigram model)"),
             (K * cell + 0.35 + cell / 2, "target's\ntoken")]
    for x, label in heads:
        ax.text(x, 0.75, label, ha="center", va="bottom", color=theme.fg,
                fontsize=12, fontweight="bold")
    ax.text(K * cell + 0.35 + cell + 0.25, 0.75, "per target\npass", va="bottom",
            color=theme.fg, fontsize=12, fontweight="bold")
    for i, (label, face) in enumerate((("accepted", theme.good),
                                       ("rejected", theme.warn),
                                       ("not checked", theme.grid),
                                       ("from the target", theme.accent))):
        ax.add_patch(FancyBboxPatch((i * 2.0, -len(steps) + 0.05), 0.3, 0.3,
                                    boxstyle="round,pad=0,rounding_size=0.05",
                                    facecolor=face, edgecolor="none"))
        ax.text(i * 2.0 + 0.42, -len(steps) + 0.2, label, va="center",
                color=theme.fg, fontsize=12)
    ax.set_xlim(-0.05, K * cell + 2.9)
    ax.set_ylim(-len(steps) - 0.2, 1.5)
    ax.axis("off")
    fig.tight_layout()
    return fig
# --8<-- [end:draw]


def main(book):
    vocab, steps = compute()
    passes = len(steps)
    emitted = sum(len(s.tokens) for s in steps)
    accepted = sum(s.n_accepted for s in steps)
    first = steps[0]
    book.fact("scale_spec_k", K, fmt="d")
    book.fact("scale_spec_steps", passes, fmt="d")
    book.fact("scale_spec_first_accepted", first.n_accepted, fmt="d")
    book.fact("scale_spec_first_tokens", len(first.tokens), fmt="d", disputes=3,
              source="often quoted: 5 drafted, 3 accepted = 3 tokens per large pass")
    book.fact("scale_spec_first_text", len(first.tokens),
              text=" ".join(vocab[t] for t in first.tokens))
    book.fact("scale_claim_spec_drafted", 5, fmt="d")              # quoted claim
    book.fact("scale_claim_spec_accepted", 3, fmt="d")
    book.fact("scale_spec_emitted", emitted, fmt="d")
    book.fact("scale_spec_accepted", accepted, fmt="d")
    book.fact("scale_spec_drafted", K * passes, fmt="d")
    book.fact("scale_spec_tokens_per_pass", emitted / passes, fmt=".2f")
    book.fact("scale_spec_prompt", len(PROMPT.split()), text=f"“{PROMPT}”")
    text = " ".join(vocab[t] for s in steps for t in s.tokens)
    book.fact("scale_spec_output", emitted, text=f"“{text}”")
    book.figure(
        lambda theme: draw(theme, vocab, steps),
        alt=(f"{passes} rows, one per target pass, each with {K} draft words coloured "
             "accepted, rejected or not checked, then the word the target added "
             f"and the tokens gained. The first row accepts {first.n_accepted} "
             f"drafts and gains {len(first.tokens)} tokens; in total {emitted} tokens "
             f"come from {passes} target passes."),
        caption=(f"Draft and verify with a seeded toy pair from kernels.speculative: "
                 "a bigram draft and a trigram target built from a "
                 f"{CORPUS.count(' . ') + 1}-sentence corpus, prompt “{PROMPT}”, "
                 f"{K} drafts per step, rejection-sampling "
                 f"rule. {accepted} of {K * passes} drafts were accepted; the target's "
                 f"{passes} passes produced {emitted} tokens, "
                 f"{emitted / passes:.2f} per pass instead of 1."),
    )
