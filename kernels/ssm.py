"""A minimal selective state-space scan (Mamba's S6 layer, without the convolution).

Axes: Bsz batch, T time, D channels, N state size per channel, L chunk length.

Each channel d carries a hidden state h of N numbers. In continuous time
h' = A h + B x, y = C h, with a diagonal A (one decay rate per state, negative so the
state forgets). "Selective" means the step size Δ and the matrices B and C depend on
the input at each time step, so the model chooses what to remember.

Discretisation: zero-order hold (x held constant over a step of length Δ), exact for
diagonal A:

    Ā = exp(Δ A)        B̄ = (exp(Δ A) − 1) / A · B

(Mamba's code simplifies B̄ to Δ·B, the first-order term of the same expression.)

Then h_t = Ā_t h_{t−1} + B̄_t x_t and y_t = C_t · h_t. The recurrent version walks
that loop; the chunked one computes each chunk of L steps in parallel from cumulative
sums of log Ā and passes only the state between chunks, as Mamba-2's SSD does.
The skip term D·x and the gating of a full Mamba block are left out.
"""

import torch

PARAM_SHAPES = "x, delta (Bsz, T, D); A (D, N); B, C (Bsz, T, N)"


def _check(x, delta, A, B, C) -> None:
    if x.dim() != 3 or A.dim() != 2:
        raise ValueError(f"expected {PARAM_SHAPES}; got x {tuple(x.shape)}, "
                         f"A {tuple(A.shape)}")
    bsz, t, d = x.shape
    n = A.shape[-1]
    ok = (
        delta.shape == x.shape
        and A.shape == (d, n)
        and B.shape == (bsz, t, n)
        and C.shape == (bsz, t, n)
    )
    if not ok:
        raise ValueError(f"expected {PARAM_SHAPES}; got x {tuple(x.shape)}, "
                         f"delta {tuple(delta.shape)}, A {tuple(A.shape)}, "
                         f"B {tuple(B.shape)}, C {tuple(C.shape)}")
    if not bool((A < 0).all()):
        raise ValueError("A must be strictly negative (a decaying, stable state)")


def discretize_zoh(
    delta: torch.Tensor, A: torch.Tensor, B: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Zero-order hold: (Ā, B̄), each (Bsz, T, D, N), from Δ (Bsz, T, D), A, B."""
    delta_a = delta.unsqueeze(-1) * A  # (Bsz, T, D, N)
    a_bar = torch.exp(delta_a)
    # expm1 keeps (exp(ΔA) − 1)/A accurate when ΔA is tiny.
    b_bar = torch.expm1(delta_a) / A * B.unsqueeze(2)  # (Bsz, T, D, N)
    return a_bar, b_bar


def selective_scan_recurrent(
    x: torch.Tensor,
    delta: torch.Tensor,
    A: torch.Tensor,
    B: torch.Tensor,
    C: torch.Tensor,
) -> torch.Tensor:
    """The naive twin: one time step at a time.

    x, delta (Bsz, T, D); A (D, N) negative; B, C (Bsz, T, N) -> y (Bsz, T, D).
    """
    _check(x, delta, A, B, C)
    a_bar, b_bar = discretize_zoh(delta, A, B)  # (Bsz, T, D, N)
    state = x.new_zeros(x.shape[0], x.shape[2], A.shape[1])  # (Bsz, D, N)
    outputs = []
    for t in range(x.shape[1]):
        state = a_bar[:, t] * state + b_bar[:, t] * x[:, t, :, None]
        outputs.append((state * C[:, t, None, :]).sum(-1))  # (Bsz, D)
    return torch.stack(outputs, dim=1)  # (Bsz, T, D)


def selective_scan_chunked(
    x: torch.Tensor,
    delta: torch.Tensor,
    A: torch.Tensor,
    B: torch.Tensor,
    C: torch.Tensor,
    chunk: int = 16,
) -> torch.Tensor:
    """Same result as selective_scan_recurrent, L = chunk steps at a time.

    Within a chunk, h_t = decay(0→t)·h_start + Σ_{s≤t} decay(s→t)·B̄_s x_s, where
    decay(s→t) = exp(Σ_{r=s+1..t} log Ā_r) comes from one cumulative sum. Only the
    state crosses chunk boundaries. Shapes as selective_scan_recurrent.
    """
    _check(x, delta, A, B, C)
    if chunk < 1:
        raise ValueError(f"chunk must be >= 1, got {chunk}")
    _, b_bar = discretize_zoh(delta, A, B)  # (Bsz, T, D, N)
    log_a = delta.unsqueeze(-1) * A  # log Ā, (Bsz, T, D, N)
    inputs = b_bar * x.unsqueeze(-1)  # B̄_s x_s, (Bsz, T, D, N)
    state = x.new_zeros(x.shape[0], x.shape[2], A.shape[1])  # (Bsz, D, N)
    outputs = []
    for start in range(0, x.shape[1], chunk):
        stop = min(start + chunk, x.shape[1])
        cum = log_a[:, start:stop].cumsum(dim=1)  # (Bsz, L, D, N)
        gap = cum.unsqueeze(2) - cum.unsqueeze(1)  # (Bsz, L_t, L_s, D, N)
        steps = torch.arange(stop - start)
        later = (steps.unsqueeze(1) >= steps.unsqueeze(0))[None, :, :, None, None]
        # Mask before exp: for s > t the gap is positive and could overflow.
        decay = torch.exp(gap.masked_fill(~later, float("-inf")))
        within = (decay * inputs[:, start:stop].unsqueeze(1)).sum(dim=2)
        states = torch.exp(cum) * state.unsqueeze(1) + within  # (Bsz, L, D, N)
        outputs.append((states * C[:, start:stop, None, :]).sum(-1))  # (Bsz, L, D)
        state = states[:, -1]
    return torch.cat(outputs, dim=1)  # (Bsz, T, D)
