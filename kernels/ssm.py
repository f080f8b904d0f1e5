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


# --- Linear time-invariant (S4-style) SSM: one model, two ways to run it -------------
#
# Fix Ā, B̄, C (no dependence on the input) and one input channel. Unrolling
# h_t = Ā h_{t−1} + B̄ x_t, y_t = C·h_t from h_{−1} = 0 gives
# y_t = Σ_{k=0..t} (C Ā^k B̄) x_{t−k}: a causal convolution with the kernel
# K_k = C Ā^k B̄, which can be built once and applied to the whole sequence (training),
# while the recurrence needs only h to produce the next output (inference).


def _check_lti(x: torch.Tensor, a_bar: torch.Tensor, b_bar: torch.Tensor,
               c: torch.Tensor) -> None:
    if (x.dim() != 2 or a_bar.dim() != 1 or b_bar.shape != a_bar.shape
            or c.shape != a_bar.shape):
        raise ValueError("expected x (Bsz, T) and a_bar, b_bar, c (N,); got x "
                         f"{tuple(x.shape)}, a_bar {tuple(a_bar.shape)}, b_bar "
                         f"{tuple(b_bar.shape)}, c {tuple(c.shape)}")


def lti_kernel(a_bar: torch.Tensor, b_bar: torch.Tensor, c: torch.Tensor,
               length: int) -> torch.Tensor:
    """The convolution kernel K_k = Σ_n c_n Ā_n^k B̄_n for k = 0..length−1.

    a_bar, b_bar, c (N,) (a diagonal Ā) -> K (length,).
    """
    powers = a_bar.unsqueeze(0) ** torch.arange(length, dtype=a_bar.dtype).unsqueeze(1)
    return (powers * (b_bar * c)).sum(-1)  # (length,)


def lti_ssm_recurrent(x: torch.Tensor, a_bar: torch.Tensor, b_bar: torch.Tensor,
                      c: torch.Tensor) -> torch.Tensor:
    """Inference form: carry the state h (N numbers) from step to step.

    x (Bsz, T); a_bar, b_bar, c (N,) -> y (Bsz, T).
    """
    _check_lti(x, a_bar, b_bar, c)
    state = x.new_zeros(x.shape[0], a_bar.shape[0])  # (Bsz, N)
    outputs = []
    for t in range(x.shape[1]):
        state = a_bar * state + b_bar * x[:, t, None]
        outputs.append(state @ c)  # (Bsz,)
    return torch.stack(outputs, dim=1)


def lti_ssm_convolution(x: torch.Tensor, a_bar: torch.Tensor, b_bar: torch.Tensor,
                        c: torch.Tensor) -> torch.Tensor:
    """Training form: build K once, convolve it with the whole input via the FFT.

    Zero-padding to 2T makes the FFT's circular convolution a causal one, as in S4.
    x (Bsz, T); a_bar, b_bar, c (N,) -> y (Bsz, T).
    """
    _check_lti(x, a_bar, b_bar, c)
    t = x.shape[1]
    kernel = lti_kernel(a_bar, b_bar, c, t)  # (T,)
    spectrum = torch.fft.rfft(x, n=2 * t) * torch.fft.rfft(kernel, n=2 * t)
    return torch.fft.irfft(spectrum, n=2 * t)[:, :t]


# --- A parallel scan: the selective SSM without a sequential loop over time ----------


def linear_recurrence_scan(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """h_t = a_t·h_{t−1} + b_t from h_{−1} = 0, along dim 1, in ⌈log₂ T⌉ rounds.

    Each step is the affine map h ↦ a·h + b; composing two steps gives another affine
    map, (a₁, b₁) then (a₂, b₂) = (a₂a₁, a₂b₁ + b₂), and composition is associative.
    So a Hillis–Steele scan can combine neighbours 1, 2, 4, … apart, all positions at
    once in every round: T·⌈log₂ T⌉ work, ⌈log₂ T⌉ sequential rounds instead of T.
    a, b (Bsz, T, ...) of equal shape -> h (Bsz, T, ...).
    """
    if a.shape != b.shape or a.dim() < 2:
        raise ValueError(f"expected a, b of equal shape (Bsz, T, ...); got "
                         f"{tuple(a.shape)}, {tuple(b.shape)}")
    step = 1
    while step < a.shape[1]:
        # Position t absorbs the composed map ending at t − step (computed last round).
        b = torch.cat([b[:, :step], a[:, step:] * b[:, :-step] + b[:, step:]], dim=1)
        a = torch.cat([a[:, :step], a[:, step:] * a[:, :-step]], dim=1)
        step *= 2
    return b


def scan_rounds(length: int) -> int:
    """Sequential rounds linear_recurrence_scan needs for `length` steps: ⌈log₂ T⌉."""
    if length < 1:
        raise ValueError(f"length must be >= 1, got {length}")
    return (length - 1).bit_length()


def selective_scan_parallel(
    x: torch.Tensor,
    delta: torch.Tensor,
    A: torch.Tensor,
    B: torch.Tensor,
    C: torch.Tensor,
) -> torch.Tensor:
    """Same result as selective_scan_recurrent, every time step at once per round.

    Shapes as selective_scan_recurrent: x, delta (Bsz, T, D); A (D, N);
    B, C (Bsz, T, N) -> y (Bsz, T, D).
    """
    _check(x, delta, A, B, C)
    a_bar, b_bar = discretize_zoh(delta, A, B)  # (Bsz, T, D, N)
    states = linear_recurrence_scan(a_bar, b_bar * x.unsqueeze(-1))  # (Bsz, T, D, N)
    return (states * C.unsqueeze(2)).sum(-1)


def inference_cache_bytes(cfg, seq_len: int, bytes_per_element: int = 2) -> int:
    """Bytes one sequence keeps between tokens, for a HybridConfig (kernels.presets).

    Mamba layers: d_inner × (d_state + d_conv) numbers each, independent of seq_len
    (the SSM state plus the convolution's last d_conv inputs, as mamba_ssm stores
    them). Attention layers: 2 (K and V) × kv heads × head_dim × seq_len each.
    bytes_per_element=2 matches mamba_ssm's Mamba.allocate_inference_cache, which
    allocates both states in the model's weight dtype (bf16/fp16 when the model is
    loaded in 16 bits); the step's arithmetic runs in fp32, the stored state does not.
    """
    if seq_len < 0 or bytes_per_element < 1:
        raise ValueError(f"need seq_len >= 0 and bytes_per_element >= 1, got "
                         f"{seq_len}, {bytes_per_element}")
    state = cfg.n_mamba_layers * cfg.d_inner * (cfg.d_state + cfg.d_conv)
    kv = 2 * cfg.n_attention_layers * cfg.n_kv_heads * cfg.head_dim * seq_len
    return (state + kv) * bytes_per_element
