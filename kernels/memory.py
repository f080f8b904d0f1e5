"""Measure, rather than predict, how many bytes torch allocates while a function runs.

torch's profiler with ``profile_memory=True`` records every CPU allocation and free
made by torch as a signed byte count with a timestamp. Sorting those records by time
and taking the running sum gives the bytes held at each moment; its maximum is the
peak. Only memory that torch allocates is seen (tensors and their temporaries), not
Python objects, and the count starts from zero when fn is called, so tensors that
existed before the call are not included but tensors fn returns are.
"""

from collections.abc import Callable
from typing import Any

from torch.profiler import ProfilerActivity, profile


def measure_peak_bytes(fn: Callable, *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """Run fn(*args, **kwargs) and return (its result, peak bytes torch held).

    The peak is the maximum over time of (bytes allocated − bytes freed) since the
    call began, from the profiler's allocation records. It is deterministic for a
    deterministic fn: two calls report the same number.
    """
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        result = fn(*args, **kwargs)
    records = [
        (event.start_ns(), event.nbytes())
        for event in prof.profiler.kineto_results.events()
        if event.name() == "[memory]"
    ]
    records.sort(key=lambda record: record[0])  # stable: ties keep recorded order
    held = peak = 0
    for _, nbytes in records:
        held += nbytes
        peak = max(peak, held)
    return result, peak
