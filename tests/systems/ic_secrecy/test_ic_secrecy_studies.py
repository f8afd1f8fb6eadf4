"""Seed 000's analysis systems (linksim.systems.ic_secrecy.studies): the region study's
refined summaries against notes 000 §2.6 / §3.1 and the binning-rate designer."""

import math

import pytest

from linksim.systems.ic_secrecy.spec import _region_limits
from linksim.systems.ic_secrecy.studies import BinningDesign, RegionStudy, saturation


@pytest.fixture(scope="module")
def coarse():
    """P = 100, rho = 0.2 on an 11^4 grid: the grid alone is 0.1 coarse, so every summary
    that matches the notes' 51^4 values below got there by its refinement."""
    return {r1: RegionStudy(p=100.0, rho1=0.2, rho2=0.2, grid=11, r1=r1).evaluate()
            for r1 in (0.0, 1.0, 2.0, 2.8)}


def test_refined_summaries_reach_the_notes_values_from_a_coarse_grid(coarse):
    out = coarse[0.0]
    # corners 2.8672 (notes §2.6 item 3), max sum 2.918 (§3.1), symmetric rates 1.4591 on the
    # hull and 1.3785 without (the notes' grid values carry ~1e-3; 4 decimals printed)
    assert abs(out["r1_max"] - 2.8672) < 1e-4 and abs(out["r2_max"] - 2.8672) < 1e-4
    assert abs(out["max_sum"] - 2.9183) < 2e-4
    assert abs(out["max_sum_r1"] + out["max_sum_r2"] - out["max_sum"]) < 1e-12
    assert out["max_sum_lam1"] < 1e-3 and out["max_sum_beta1"] > 0.999
    assert abs(out["sym_hull"] - 1.4591) < 2e-4
    assert out["sym_hull"] <= out["sym_hull_upper"] < out["sym_hull"] + 1e-6
    assert abs(out["max_min"] - 1.3785) < 1e-4
    assert abs(out["naive_r1"] - 1.0352) < 1e-4


def test_saturation_constant_at_the_stated_power(coarse):
    """Notes §2.6 item 4: without time sharing the max-min rate at P >= p* is
    log2((1 + rho^2) / (2 rho)), reached without AN at the common power p*."""
    out = coarse[0.0]
    value, p_star = saturation(0.2)
    assert out["saturation"] == value and abs(value - math.log2(1.04 / 0.4)) < 1e-15
    assert abs(p_star - 23.0769) < 1e-4 and out["p_star"] == p_star
    assert abs(out["sym_noan_rate"] - value) < 1e-12
    assert abs(out["sym_noan_power"] / p_star - 1) < 1e-6
    # the four-parameter search does not beat it (AN does not help the max-min, notes §2.6)
    assert out["max_min"] <= value + 1e-9 and out["max_min"] > value - 1e-5


def test_below_p_star_the_max_min_is_the_full_power_value():
    """P = 10 < p* = 23.08 at rho = 0.2: the no-AN optimum is full power (notes §3.2: 1.2701)."""
    out = RegionStudy(p=10.0, rho1=0.2, rho2=0.2, grid=11).evaluate()
    assert abs(out["sym_noan_power"] - 10.0) < 1e-6
    assert abs(out["sym_noan_rate"] - 1.2701) < 1e-4 and abs(out["max_min"] - 1.2701) < 2e-4


def test_boundaries_union_below_hull_and_the_extension_flag(coarse):
    for r1, out in coarse.items():
        assert out["r2_union"] <= out["r2_hull"] + 1e-12
    assert coarse[2.8]["r2_union"] < coarse[2.0]["r2_union"] < coarse[1.0]["r2_union"]
    assert coarse[0.0]["paper_valid"] == 1
    out = RegionStudy(p=100.0, rho1=0.1, rho2=1.5, grid=5).evaluate()
    assert out["paper_valid"] == 0 and out["saturation"] is None
    # notes §6 item 11: with the other transmitter jamming, R_1 > 0 even at rho_2 = 1.5
    assert out["r1_max"] > 1.9


def test_region_errors_are_one_line():
    with pytest.raises(ValueError, match="rho1: got -0.1; allowed"):
        RegionStudy(rho1=-0.1)
    with pytest.raises(ValueError, match="unknown parameter"):
        RegionStudy(rho=0.2)
    limit = _region_limits({"grid": 101})
    assert limit.name == "grid" and "grid^4" in limit.allowed
    assert _region_limits({"grid": 51}) is None


def test_binning_designer():
    out = BinningDesign(p=10.0, rho1=0.2, rho2=0.2, margin=0.05, n=64).evaluate()
    i_e = 0.5 * math.log2(1.4)
    assert abs(out["dummy_rate1"] - (i_e + 0.05)) < 1e-12
    assert out["dummy_bits1"] == math.ceil(64 * (i_e + 0.05))
    # secret + dummy bits stay strictly below n I(V_1; Y_1) (eqs. 19-20)
    assert out["secret_bits1"] + out["dummy_bits1"] < 64 * out["legit1"]
    assert out["secret_bits1"] + out["dummy_bits1"] >= 64 * out["legit1"] - 1
    assert BinningDesign(p=10.0).evaluate()["dummy_bits1"] is None
    with pytest.raises(ValueError, match="lam1: got 2.0; allowed"):
        BinningDesign(lam1=2.0)
