import pytest
import torch
from hypothesis import settings

# Property tests stay fast on 2 cores: few examples, no per-example deadline
# (torch's first call in a process can take longer than hypothesis' default 200 ms).
settings.register_profile("book", max_examples=40, deadline=None)
settings.load_profile("book")


@pytest.fixture(autouse=True)
def fixed_seed():
    """Every kernel test starts from the same RNG state, so failures reproduce."""
    torch.manual_seed(0)
    yield
