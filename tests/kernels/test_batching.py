import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels.batching import Request, simulate_continuous, simulate_static


def at_zero(output_lens, prompt_len=3):
    return [Request(0, prompt_len, n) for n in output_lens]


def test_hand_checked_static():
    # batch 2, lengths [1, 4, 1, 4], all at step 0:
    # steps 0-3: r0 (busy 1 step) + r1 (busy 4); steps 4-7: r2 (1) + r3 (4)
    result = simulate_static(at_zero([1, 4, 1, 4]), batch_size=2)
    assert result.makespan == 8
    assert result.utilisation == 10 / 16
    assert result.latencies == [4, 4, 8, 8]  # answers leave when the batch ends
    assert result.occupancy[0] == [0, 1] and result.occupancy[4] == [2, 3]
    assert result.busy[1] == [False, True]
    assert result.throughput == 10 / 8
    # step 0 holds 2 prompts of 3 + 1 token each; step 1: r0 still cached (3+1)
    assert result.kv_tokens[:2] == [8, 9]


def test_hand_checked_continuous():
    # step 0: r0 r1 | 1: r2 r1 | 2: r3 r1 | 3: r3 r1 | 4: r3 - | 5: r3 -
    result = simulate_continuous(at_zero([1, 4, 1, 4]), max_batch=2)
    assert result.occupancy == [
        [0, 1], [2, 1], [3, 1], [3, 1], [3, None], [3, None],
    ]
    assert result.makespan == 6
    assert result.utilisation == 10 / 12
    assert result.latencies == [1, 4, 2, 6]
    assert result.kv_tokens[:2] == [(3 + 1) + (3 + 1), (3 + 1) + (3 + 2)]


def test_late_arrivals_leave_idle_steps():
    requests = [Request(2, 0, 1), Request(0, 0, 1)]
    for simulate in (simulate_static, simulate_continuous):
        result = simulate(requests, 1)
        assert result.occupancy == [[1], [None], [0]]
        assert result.latencies == [1, 1]
        assert result.utilisation == 2 / 3


@given(n=st.integers(1, 20), slots=st.integers(1, 6), length=st.integers(1, 9))
def test_equal_lengths_same_utilisation(n, slots, length):
    requests = at_zero([length] * n)
    static = simulate_static(requests, slots)
    continuous = simulate_continuous(requests, slots)
    assert static.utilisation == continuous.utilisation
    assert static.latencies == continuous.latencies


request_lists = st.lists(
    st.builds(Request, st.integers(0, 15), st.integers(0, 50), st.integers(1, 12)),
    min_size=1, max_size=25,
)


@given(requests=request_lists, slots=st.integers(1, 6))
def test_continuous_never_worse_than_static(requests, slots):
    static = simulate_static(requests, slots)
    continuous = simulate_continuous(requests, slots)
    assert continuous.utilisation >= static.utilisation
    assert continuous.makespan <= static.makespan
    # every request finishes no later (FIFO: each starts no later than in static)
    pairs = zip(continuous.latencies, static.latencies, strict=True)
    assert all(c <= s for c, s in pairs)
    total = sum(r.output_len for r in requests)
    for result in (static, continuous):
        assert sum(map(sum, result.busy)) == total
        assert all(len(row) == slots for row in result.occupancy)


def test_varied_lengths_continuous_strictly_better():
    requests = at_zero([1, 8] * 4)
    assert (simulate_continuous(requests, 2).utilisation
            > simulate_static(requests, 2).utilisation)


def test_deterministic():
    requests = [Request(i % 3, i, 1 + (7 * i) % 5) for i in range(12)]
    assert simulate_continuous(requests, 3) == simulate_continuous(requests, 3)


@pytest.mark.parametrize("simulate", [simulate_static, simulate_continuous])
def test_error_paths(simulate):
    with pytest.raises(ValueError, match="batch size"):
        simulate(at_zero([1]), 0)
    with pytest.raises(ValueError, match="at least one request"):
        simulate([], 2)
    with pytest.raises(ValueError, match="request 0"):
        simulate([Request(0, 1, 0)], 2)
