"""The seed-002 analysis systems: the common evaluation rule, the guard rail of notes 002 §5.6
(no scheme's secrecy exceeds the single-user infinite-SNR secrecy capacity), paired
differences, and the convergence study agreeing with the secrecy study on the same draws."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from linksim.systems import build_system, get_system
from linksim.systems.an_mimo.designs import (SCHEMES, Setting, design, draw_channels, score,
                                             secrecy_ceiling)
from linksim.systems.an_mimo.studies import mean_ci

pytest.importorskip("cvxpy")

TINY = dict(k=2, n_t=3, n_r=2, n_e=4, d_s=1, d_a=1, p_total_db=10.0, noise_db=-70.0,
            n_draws=2, n_iter=2, zeta=0.1)


def test_every_scheme_stays_below_the_secrecy_ceiling():
    """Interference only hurts the legitimate receivers and a Gaussian input with AN is one
    input of the MIMOME wiretap channel, whose secrecy capacity grows with power to
    sum [log2 lambda]^+: a hard upper bound, per draw (1e-9 for round-off)."""
    params = get_system("an_mimo_secrecy").complete(TINY)
    s = Setting.from_params(params)
    for index in range(3):
        d = draw_channels(0, index, s, 0.1)
        ceiling = secrecy_ceiling(d, s)
        for scheme in SCHEMES:
            q, lam, _ = design(scheme, d, s, zeta=0.1, params=params)
            total = np.clip(score(d, s, q, lam).secrecy, 0, None).sum()
            assert total <= ceiling + 1e-9, (scheme, total, ceiling)
            power = np.sum(np.abs(q) ** 2, axis=(1, 2)) + np.sum(np.abs(lam) ** 2, axis=(1, 2))
            assert np.all(power <= s.p_total * (1 + 1e-6)), scheme


def test_draws_are_shared_across_points_and_estimates_are_consistent():
    s = Setting.from_params(get_system("an_mimo_secrecy").complete(TINY))
    a, b = draw_channels(3, 1, s, 0.0), draw_channels(3, 1, s, 0.3)
    assert np.allclose(a.h_true, a.h_hat)                     # zeta = 0: perfect CSI
    # the same unit draws at every zeta: the estimate is a scaled copy
    assert np.allclose(b.h_hat, np.sqrt(1 - 0.09) * a.h_hat)
    assert not np.allclose(b.h_true, b.h_hat)


def test_secrecy_study_quantities_and_paired_differences():
    out = build_system("an_mimo_secrecy", TINY).evaluate()
    assert out["proposed_minus_mt_mse"] == pytest.approx(out["proposed"] - out["mt_mse"])
    assert out["proposed"] <= out["ceiling"] + 1e-9
    assert out["solves"] == out["solves_optimal"] + out["solves_inaccurate"] \
        + out["solves_failed"] > 0
    assert out["bound_violations"] == 0 and out["power_excess"] < 1e-5
    assert out["proposed_per_user"] == pytest.approx(out["proposed"] / 2)


def test_convergence_study_matches_the_secrecy_study():
    last = build_system("an_mimo_convergence", {**TINY, "tol": 0.0, "iteration": 2}).evaluate()
    full = build_system("an_mimo_secrecy", {**TINY, "tol": 0.0,
                                            "schemes": ["proposed"]}).evaluate()
    assert last["secrecy"] == pytest.approx(full["proposed"], rel=1e-12)
    start = build_system("an_mimo_convergence", {**TINY, "iteration": 0}).evaluate()
    assert start["surrogate"] is None and 0 <= start["monotone"] <= 1


def test_mean_ci_is_the_student_t_interval():
    v = np.array([1.0, 2.0, 4.0, 7.0])
    mean, half = mean_ci(v)
    lo, hi = stats.t.interval(0.95, 3, loc=v.mean(), scale=stats.sem(v))
    assert mean == pytest.approx(v.mean()) and half == pytest.approx((hi - lo) / 2)
    assert np.isnan(mean_ci([1.0])[1])


def test_bad_study_parameters_are_named():
    with pytest.raises(ValueError, match="^n_e"):
        build_system("an_mimo_secrecy", {**TINY, "n_e": 2})
    with pytest.raises(ValueError, match="^schemes"):
        build_system("an_mimo_secrecy", {**TINY, "schemes": ["best"]})
    with pytest.raises(ValueError, match="^iteration"):
        build_system("an_mimo_convergence", {**TINY, "iteration": 5})
    with pytest.raises(ValueError, match="^d_s"):
        build_system("an_mimo_secrecy", {**TINY, "d_s": 3})
