"""Reference implementations of every mechanism the book teaches.

Pure functions over tensors, one idea per file, layout (B, H, T, D) as in
torch.nn.functional.scaled_dot_product_attention. Import the submodule you need, e.g.
``from kernels.rope import apply_rope``; this package imports nothing on its own so a
snippet pays only for what it uses.
"""
