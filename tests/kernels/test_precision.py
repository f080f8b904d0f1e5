import math

import pytest
import torch

from kernels import precision as P

F32, F16, BF16 = torch.float32, torch.float16, torch.bfloat16


def test_machine_epsilon_hand_derived():
    # eps = 2**-(stored mantissa bits): fp32 23, fp16 10, bf16 7
    assert P.machine_epsilon(F32) == 2.0**-23
    assert P.machine_epsilon(F16) == 2.0**-10
    assert P.machine_epsilon(BF16) == 2.0**-7


def test_smallest_normal_and_subnormal_hand_derived():
    # normal: 2**(1 - bias); subnormal: that times eps
    assert P.smallest_normal(F16) == 2.0**-14
    assert P.smallest_normal(BF16) == 2.0**-126 == P.smallest_normal(F32)
    assert P.smallest_subnormal(F16) == 2.0**-24
    assert P.smallest_subnormal(BF16) == 2.0**-133
    assert P.smallest_subnormal(F32) == 2.0**-149


def test_one_plus_1e_minus_4():
    # half an ulp of 1.0 is eps/2: bf16 0.0039, fp16 0.00049, fp32 6e-8
    assert P.stored_sum(1.0, 1e-4, BF16) == 1.0
    assert not P.update_survives(1.0, 1e-4, BF16)
    assert not P.update_survives(1.0, 1e-4, F16)
    assert P.update_survives(1.0, 1e-4, F32)


def test_update_just_above_half_ulp_survives():
    assert P.update_survives(1.0, 2.0**-7, BF16)  # one full ulp
    assert P.stored_sum(1.0, 2.0**-7, BF16) == 1.0 + 2.0**-7
    assert not P.update_survives(1.0, 2.0**-9, BF16)  # a quarter ulp


def test_underflow_fraction():
    grads = torch.tensor([1e-3, 1e-6, 1e-8, 1e-9, 0.0])
    # fp16 subnormal floor 2**-24 ≈ 6e-8: 1e-8 and 1e-9 flush to 0 (2 of 4 nonzero)
    assert P.underflow_fraction(grads, F16) == 0.5
    assert P.underflow_fraction(grads, BF16) == 0.0  # bf16 has fp32's range


def test_loss_scaling_rescues_fp16_gradients():
    # 1e-9 * 2**16 ≈ 6.6e-5 lands just above fp16's smallest normal (6.1e-5), so
    # every scaled gradient keeps full precision: error <= half an ulp = 2**-11
    grads = torch.logspace(-9, -4, 200, dtype=torch.float64)
    result = P.loss_scaling(grads, scale=2.0**16, dtype=F16)
    assert result.underflow_unscaled > 0.15  # below 2**-24 ≈ 6e-8 without scaling
    assert result.underflow_scaled == 0.0
    assert result.overflow_scaled == 0.0
    assert result.max_rel_error <= 2.0**-11


def test_loss_scaling_too_large_overflows():
    result = P.loss_scaling(torch.tensor([1.0, 1e-6]), scale=2.0**20, dtype=F16)
    assert result.overflow_scaled == 0.5  # 1.0 * 2**20 > fp16 max 65504


def test_dtype_facts_table_row():
    facts = P.dtype_facts(BF16)
    assert (facts.bits, facts.mantissa_bits, facts.exponent_bits) == (16, 7, 8)
    assert P.dtype_facts(F16).exponent_bits == 5
    assert P.dtype_facts(F16).max == 65504.0  # (2 - 2**-10) * 2**15
    assert P.dtype_facts(F32).name == "float32"
    assert math.isclose(facts.max, torch.finfo(BF16).max)


def test_error_paths():
    with pytest.raises(ValueError, match="dtype must be"):
        P.machine_epsilon(torch.float64)
    with pytest.raises(ValueError, match="no nonzero"):
        P.underflow_fraction(torch.zeros(3), F16)
    with pytest.raises(ValueError, match="scale"):
        P.loss_scaling(torch.ones(2), scale=0)


def test_loss_scaling_all_flushed_reports_nan_error():
    result = P.loss_scaling(torch.tensor([1e-30]), scale=1.0, dtype=F16)
    assert result.underflow_scaled == 1.0 and math.isnan(result.max_rel_error)
