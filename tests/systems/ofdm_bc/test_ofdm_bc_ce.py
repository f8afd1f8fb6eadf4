"""Per-channel encoding (C-E) of seed 004 (notes 004 §2.8): Theorem 2 with one bisection agrees
with a generic optimizer (SLSQP, many starts) to 1e-6, spends the power to 1e-9, and reproduces
the scalar limit (39); the CSI margins have their outage level."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from linksim.systems.ofdm_bc.analysis import ce_allocation, ce_rates, csi_margins, owners


def _gains(seed, batch, k, l):
    rng = np.random.default_rng(seed)
    a = rng.exponential(1.0, (batch, k, l)) * 10 ** rng.uniform(0, 1.5, (batch, k, 1))
    return a, a.copy()


def _slsqp_best(am, ap, w, p_total, starts, rng):
    """max sum_k w_k R_k^(C) over (p0, p_owner) >= 0 with total <= P, from Dirichlet starts."""
    l = am.shape[2]
    owner = owners(am, ap)[0]
    k = am.shape[1]

    def unpack(v):
        p = np.zeros((1, k + 1, l))
        p[0, 0] = v[:l]
        for ch in range(l):
            if owner[ch] >= 0:
                p[0, owner[ch] + 1, ch] = v[l + ch]
        return p

    def neg(v):
        return -float(ce_rates(unpack(np.maximum(v, 0)), am, ap)[0] @ w)

    best = -np.inf
    for _ in range(starts):
        v0 = rng.dirichlet(np.ones(2 * l)) * p_total
        res = minimize(neg, v0, method="SLSQP", bounds=[(0, p_total)] * (2 * l),
                       constraints=[{"type": "ineq", "fun": lambda v: p_total - v.sum()}],
                       options={"ftol": 1e-14, "maxiter": 1000})
        best = max(best, -res.fun)
    return best


@pytest.mark.parametrize("seed, k", [(0, 2), (1, 2), (2, 3), (3, 3)])
def test_theorem2_matches_a_generic_optimizer_and_spends_the_power(seed, k):
    """The objective is not concave (notes §2.4), so SLSQP gets 12 starts; Theorem 2's value
    must match the best of them to 1e-6 (and never be beaten by more than that)."""
    am, ap = _gains(seed, 1, k, 5)
    w = np.array([1.0, 0.7, 1.3, 0.9][:k + 1])
    p = ce_allocation(am, ap, w, 10.0)
    assert p.sum() == pytest.approx(10.0, abs=1e-9) and p.min() >= 0
    value = float(ce_rates(p, am, ap)[0] @ w)
    best = _slsqp_best(am, ap, w, 10.0, 12, np.random.default_rng(seed))
    assert value >= best - 1e-6
    assert value == pytest.approx(best, abs=1e-6)


def test_batched_allocation_equals_one_realization_at_a_time():
    am, ap = _gains(7, 6, 3, 8)
    w = np.array([1.0, 1.0, 2.0, 0.5])
    together = ce_allocation(am, ap, w, 5.0)
    alone = np.concatenate([ce_allocation(am[i:i + 1], ap[i:i + 1], w, 5.0) for i in range(6)])
    assert np.allclose(together, alone, rtol=0, atol=1e-12)
    assert np.allclose(together.sum(axis=(1, 2)), 5.0, atol=1e-9)


def test_scalar_limit_39():
    """One channel, Bob far stronger than Eve (alpha = 1e6), beta P > 1: the confidential
    layer gets P_s -> 1/beta and the common one the rest (eq. 39 read with beta as the SNR
    threshold, notes §2.10); within 1e-3 of 1/beta at alpha = 1e6."""
    for beta in (0.5, 2.0, 10.0):
        am = np.array([[[1e6], [beta]]])
        ap = am.copy()
        p = ce_allocation(am, ap, np.array([1.0, 1.0, 1.0]), 20.0)
        assert p[0, 1, 0] == pytest.approx(1 / beta, rel=1e-3)
        assert p[0, 0, 0] == pytest.approx(20.0 - 1 / beta, rel=1e-3)


def test_margins_have_their_outage_level():
    """alpha^- and alpha^+ are the eps and 1 - eps quantiles of |h|^2 given h_hat: over
    200000 draws of (h, eta), the fraction below alpha^- (above alpha^+) is eps within 5
    binomial standard deviations."""
    rng = np.random.default_rng(5)
    n, gain, var, eps = 200_000, 2.0, 0.3, 0.05
    h = np.sqrt(gain / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    h_hat = h + np.sqrt(var / 2) * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    lo, hi = csi_margins(h_hat, gain, var, eps)
    sd = np.sqrt(eps * (1 - eps) / n)
    assert abs(np.mean(np.abs(h) ** 2 < lo) - eps) < 5 * sd
    assert abs(np.mean(np.abs(h) ** 2 > hi) - eps) < 5 * sd
    exact = csi_margins(h_hat[:3], gain, 0.0, eps)
    assert np.allclose(exact[0], np.abs(h_hat[:3]) ** 2) and np.allclose(exact[0], exact[1])
