import pytest
import torch
from hypothesis import settings

# Property tests stay fast on 2 cores: few examples, no per-example deadline
# (torch's first call in a process can take longer than hypothesis' default 200 ms).
settings.register_profile("book", max_examples=40, deadline=None)
settings.load_profile("book")


@pytest.fixture(autouse=True, scope="session")
def one_thread():
    """Kernel tests run thousands of tiny ops; on a busy 2-core machine intra-op
    threads waiting on each other make them 10-200x slower, and results don't
    change. The snippet worker runs with one thread for the same reason."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def fixed_seed():
    """Every kernel test starts from the same RNG state, so failures reproduce."""
    torch.manual_seed(0)
    yield
