import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernels.pipeline_schedule import (
    _simulate,
    bubble_fraction_formula,
    gpipe_schedule,
    one_f_one_b_schedule,
)

SCHEDULES = [gpipe_schedule, one_f_one_b_schedule]


def assert_valid(schedule, t_forward, t_backward):
    """Dependencies hold, every op runs once, a stage never runs two ops at once."""
    p, m = schedule.n_stages, schedule.n_microbatches
    by_key = {(e.kind, e.stage, e.microbatch): e for e in schedule.events}
    assert len(by_key) == len(schedule.events) == 2 * p * m
    for (kind, s, i), e in by_key.items():
        assert e.end - e.start == (t_forward if kind == "F" else t_backward)
        if kind == "F" and s > 0:
            assert e.start >= by_key[("F", s - 1, i)].end
        if kind == "B":
            after = ("B", s + 1, i) if s < p - 1 else ("F", s, i)
            assert e.start >= by_key[after].end
    for s in range(p):
        stage = sorted((e for e in schedule.events if e.stage == s),
                       key=lambda e: e.start)
        for a, b in zip(stage, stage[1:], strict=False):
            assert b.start >= a.end


@pytest.mark.parametrize("make", SCHEDULES)
@given(p=st.integers(1, 8), m=st.integers(1, 12))
def test_bubble_matches_formula_equal_times(make, p, m):
    schedule = make(p, m, t_forward=1, t_backward=1)
    expected = (p - 1) / (m + p - 1)  # GPipe paper / Megatron-LM
    assert schedule.bubble_fraction == pytest.approx(expected)
    assert schedule.makespan == 2 * (m + p - 1)
    assert_valid(schedule, 1, 1)


@pytest.mark.parametrize("make", SCHEDULES)
@given(p=st.integers(1, 6), m=st.integers(1, 10))
def test_bubble_formula_also_holds_with_backward_twice_forward(make, p, m):
    schedule = make(p, m)  # t_forward=1, t_backward=2
    assert schedule.bubble_fraction == pytest.approx((p - 1) / (m + p - 1))
    assert schedule.makespan == 3 * (m + p - 1)
    assert_valid(schedule, 1, 2)


@given(p=st.integers(1, 8), m=st.integers(1, 12))
def test_peak_activations_gpipe_m_versus_1f1b_p(p, m):
    assert gpipe_schedule(p, m).peak_in_flight == [m] * p
    one_f = one_f_one_b_schedule(p, m).peak_in_flight
    assert one_f == [min(p - s, m) for s in range(p)]
    assert max(one_f) <= p


def test_hand_checked_two_stages_two_microbatches():
    # GPipe p=2, m=2, F=1, B=2:
    # stage 0: F0 [0,1) F1 [1,2)                 B0 [5,7) B1 [7,9)
    # stage 1:        F0 [1,2) F1 [2,3) B0 [3,5) B1 [5,7)
    s = gpipe_schedule(2, 2)
    timeline = [(e.stage, e.microbatch, e.kind, e.start, e.end) for e in s.events]
    assert timeline == [
        (0, 0, "F", 0, 1), (0, 1, "F", 1, 2), (0, 0, "B", 5, 7), (0, 1, "B", 7, 9),
        (1, 0, "F", 1, 2), (1, 1, "F", 2, 3), (1, 0, "B", 3, 5), (1, 1, "B", 5, 7),
    ]
    assert s.makespan == 9
    assert s.bubble_fraction == pytest.approx((2 * 9 - 12) / 18)  # = 1/3


def test_formula_helper():
    assert bubble_fraction_formula(4, 8) == 3 / 11
    assert bubble_fraction_formula(1, 5) == 0.0


@pytest.mark.parametrize("make", SCHEDULES + [bubble_fraction_formula])
def test_bad_sizes_raise(make):
    with pytest.raises(ValueError, match="n_stages"):
        make(0, 4)


@pytest.mark.parametrize("make", SCHEDULES)
def test_bad_times_raise(make):
    with pytest.raises(ValueError, match="t_forward"):
        make(2, 4, t_forward=0)


def test_deadlocking_order_is_detected():
    # stage 0 wants B of microbatch 0 before stage 1 can ever run it
    orders = [[("B", 0), ("F", 0)], [("F", 0), ("B", 0)]]
    with pytest.raises(ValueError, match="deadlock"):
        _simulate(orders, 1, 1)
