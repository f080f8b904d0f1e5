# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Exercises: Serving long contexts
#
# 1. **An example (guided).** Replace it with the lesson's four exercises.

# %%
import torch

from kernels.exercise import TODO

_ = torch.manual_seed(0)

# %% [markdown]
# ## Exercise 1: an example (guided)
#
# The prompt: what to build, and a **Predict first:** question.

# %% tags=["work"]
def double(x: torch.Tensor) -> torch.Tensor:
    """x (N,) -> 2·x (N,)."""
    return TODO("x times two")


# %% tags=["solution"]
def double(x: torch.Tensor) -> torch.Tensor:
    """x (N,) -> 2·x (N,)."""
    return 2 * x


# %% tags=["check"]
assert torch.equal(double(torch.arange(3)), torch.tensor([0, 2, 4])), \
    "double should multiply every entry by two: look at the first entry that differs"
print("double works")

# %%
print(double(torch.arange(4)))  # given code: its output shows on the page

# %% [markdown] tags=["solution"]
# What the result means, for the reader who opens the solution.
