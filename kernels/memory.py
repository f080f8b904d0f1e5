"""Measure, rather than predict, how many bytes torch allocates while a function runs.

torch's profiler with ``profile_memory=True`` records every CPU allocation and free
made by torch as a signed byte count with a timestamp. Sorting those records by time
and taking the running sum gives the bytes held at each moment; its maximum is the
peak. Only memory that torch allocates is seen (tensors and their temporaries), not
Python objects, and the count starts from zero when fn is called, so tensors that
existed before the call are not included but tensors fn returns are.
"""

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from torch.profiler import ProfilerActivity, profile


@contextmanager
def _silence_native_stderr() -> Iterator[None]:
    """Hide what C++ writes to file descriptor 2 inside the block.

    torch's profiler (libkineto) prints "USDT: … profiler_start/stop" lines straight
    to fd 2 when it starts and stops, whatever KINETO_LOG_LEVEL says; they are noise
    in every build log. Only the start and stop are wrapped, never the measured call,
    so a real error from `fn` is still seen."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def measure_peak_bytes(fn: Callable, *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """Run fn(*args, **kwargs) and return (its result, peak bytes torch held).

    The peak is the maximum over time of (bytes allocated − bytes freed) since the
    call began, from the profiler's allocation records. It is deterministic for a
    deterministic fn: two calls report the same number.
    """
    prof = profile(activities=[ProfilerActivity.CPU], profile_memory=True)
    with _silence_native_stderr():
        prof.__enter__()
    try:
        result = fn(*args, **kwargs)
    finally:
        with _silence_native_stderr():
            prof.__exit__(None, None, None)
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
