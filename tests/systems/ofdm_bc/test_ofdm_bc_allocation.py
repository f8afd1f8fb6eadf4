"""Joint, group and modified-group encoding and the UNI readings of seed 004 (notes 004 §2.1,
§2.6, §2.7, §2.9): M-GR-E keeps GR-E's secrecy rates and never lowers its common rate, spends the
whole power (1e-9); the SCA outer bound started from M-GR-E never falls below it; perfect CSI
leaves no channel without an owner; the UNI readings spend P."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.systems.ofdm_bc.allocation import (gre_allocation, joint_rates, mgre_allocation,
                                                sca_allocation, uniform_allocation,
                                                weighted_sum)
from linksim.systems.ofdm_bc.analysis import owners

pytest.importorskip("cvxpy")


def _gains(seed, k=3, l=8):
    rng = np.random.default_rng(seed)
    am = rng.exponential(1.0, (k, l)) * 10
    return am, am.copy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mgre_improves_gre_and_the_outer_bound_improves_mgre(seed):
    am, ap = _gains(seed)
    w = np.array([1.0, 0.8, 1.2, 1.0])
    p_g, r_g = gre_allocation(am, ap, w, 10.0)
    p_m, r_m = mgre_allocation(am, ap, w, 10.0)
    assert np.allclose(r_m[1:], r_g[1:], atol=1e-6)            # secrecy rates identical
    assert r_m[0] >= r_g[0] - 1e-6                                # common rate never lower
    assert p_m.sum() == pytest.approx(10.0, abs=1e-9) and p_m.min() >= 0
    assert p_g.sum() <= 10.0 * (1 + 1e-6)
    p_j, value, statuses = sca_allocation(am, ap, w, 10.0, p_init=p_m)
    assert value >= weighted_sum(r_m, w) - 1e-9
    assert value == pytest.approx(weighted_sum(joint_rates(p_j, am, ap), w))
    assert set(statuses) <= {"optimal", "optimal_inaccurate"}
    assert p_j.sum() <= 10.0 * (1 + 1e-6)


def test_perfect_csi_leaves_no_channel_without_an_owner():
    am, ap = _gains(4)
    assert np.all(owners(am[None], ap[None]) >= 0)


def test_uniform_readings_spend_the_power():
    am, ap = _gains(5)
    ap = ap * 1.5                                                 # margins: some channels unowned
    for reading in ("half", "all"):
        p = uniform_allocation(am, ap, 10.0, reading)
        assert p.sum() == pytest.approx(10.0, abs=1e-12)
    half = uniform_allocation(am, ap, 10.0, "half")
    unowned = owners(am[None], ap[None])[0] < 0
    assert unowned.any() and np.all(half[1:, unowned] == 0)
    with pytest.raises(ValueError, match="^reading"):
        uniform_allocation(am, ap, 10.0, "best")
