"""Seed 000's rates on the log-det engine (linksim.systems.ic_secrecy.rates) against the
closed forms of the corrected Proposition 2, its special cases (notes 000 §2.6) and Remark
6's K-user region."""

import math

import numpy as np
import pytest
from scipy import optimize

from linksim.systems.ic_secrecy.rates import (binning_design, ic_model, rate_terms,
                                              secrecy_rates)


def C(x):
    return 0.5 * np.log2(1 + x)


def proposition_2(p, rho1, rho2, lam1, lam2, beta1, beta2):
    """The corrected Proposition 2 (notes 000 §2.3), R_1 and R_2 clipped at 0."""
    r1 = (C((1 - lam1) * beta1 * p / ((lam1 * beta1 + rho1 ** 2 * beta2) * p + 1))
          - C(rho2 ** 2 * (1 - lam1) * beta1 * p / ((lam2 * beta2 + rho2 ** 2 * lam1 * beta1)
                                                    * p + 1)))
    r2 = (C((1 - lam2) * beta2 * p / ((lam2 * beta2 + rho2 ** 2 * beta1) * p + 1))
          - C(rho1 ** 2 * (1 - lam2) * beta2 * p / ((lam1 * beta1 + rho1 ** 2 * lam2 * beta2)
                                                    * p + 1)))
    return np.maximum(r1, 0), np.maximum(r2, 0)


def test_secrecy_rates_are_the_corrected_proposition_2_on_random_sets():
    rng = np.random.default_rng(1)
    n = 400
    p = 10 ** rng.uniform(-1, 3, n)
    args = rng.uniform(0, 1, (6, n))
    args[2:, :40] = rng.choice([0.0, 1.0], (4, 40))    # the box's faces: lambda, beta at 0, 1
    got = secrecy_rates(p, *args)
    want = proposition_2(p, *args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=0, atol=1e-11)


def test_special_cases_of_notes_section_2_6():
    p = 100.0
    # no interference: the capacity box C(beta P)
    r1, r2 = secrecy_rates(p, 0.0, 0.0, 0.0, 0.0, 0.7, 0.3)
    assert abs(r1 - C(70)) < 1e-12 and abs(r2 - C(30)) < 1e-12
    # Tx 2 silent: the Gaussian wiretap secrecy capacity C(P) - C(rho2^2 P)
    r1, _ = secrecy_rates(p, 0.2, 0.2, 0.0, 0.0, 1.0, 0.0)
    assert abs(r1 - (C(p) - C(0.04 * p))) < 1e-12 and abs(r1 - 2.1681) < 1e-4
    # the naive point lambda = 0, beta = 1 (notes §3.1: 1.0352 each)
    r1, r2 = secrecy_rates(p, 0.2, 0.2, 0.0, 0.0, 1.0, 1.0)
    assert abs(r1 - 1.0352) < 1e-4 and r1 == r2
    # Tx 2 a pure jammer: the corner R_1max = 2.8672 at beta_2 = 0.0889 (notes §2.6 item 3)
    res = optimize.minimize_scalar(lambda b: -secrecy_rates(p, 0.2, 0.2, 0.0, 1.0, 1.0, b)[0],
                                   bounds=(0, 1), method="bounded", options={"xatol": 1e-10})
    assert abs(-res.fun - 2.8672) < 1e-4 and abs(res.x - 0.0889) < 1e-4


def test_symmetric_no_an_rate_saturates_at_p_star():
    """R(p) = (1/2) log2((1 + (1 + rho^2) p) / (1 + rho^2 p)^2) peaks at p* with the value
    log2((1 + rho^2) / (2 rho)) (notes §2.6 item 4): checked on the engine's rates."""
    for rho in (0.2, 0.5, 0.8):
        p_star = (1 - rho ** 2) / (rho ** 2 * (1 + rho ** 2))
        peak = math.log2((1 + rho ** 2) / (2 * rho))
        q = np.array([p_star * (1 - 1e-3), p_star, p_star * (1 + 1e-3)])
        r, _ = secrecy_rates(q, rho, rho, 0.0, 0.0, 1.0, 1.0)
        assert abs(r[1] - peak) < 1e-12
        assert r[0] < r[1] and r[2] < r[1]


def test_k_user_rates_against_their_closed_form():
    """Remark 6: R_k = I(V_k; Y_k) - max_j I(V_k; Y_j | V_-k); for Gaussian V, A both terms
    are SINR forms: I(V_k; Y_k) = C(g_kk^2 Pv_k / (1 + g_kk^2 Pa_k + sum_{m != k} g_km^2 P_m))
    and I(V_k; Y_j | V_-k) = C(g_jk^2 Pv_k / (1 + sum_m g_jm^2 Pa_m))."""
    rng = np.random.default_rng(2)
    k_users = 3
    g = rng.uniform(0.1, 1.2, (k_users, k_users))
    powers = rng.uniform(1, 50, k_users)
    lam, beta = rng.uniform(0, 1, k_users), rng.uniform(0.2, 1, k_users)
    pv, pa = (1 - lam) * beta * powers, lam * beta * powers
    t = rate_terms(ic_model(g.tolist(), powers, lam, beta), k_users)
    for k in range(k_users):
        legit = C(g[k, k] ** 2 * pv[k] / (1 + g[k, k] ** 2 * pa[k]
                                          + sum(g[k, m] ** 2 * (pv[m] + pa[m])
                                                for m in range(k_users) if m != k)))
        assert abs(t[f"legit{k + 1}"] - legit) < 1e-12
        leaks = []
        for j in range(k_users):
            if j != k:
                leak = C(g[j, k] ** 2 * pv[k] / (1 + sum(g[j, m] ** 2 * pa[m]
                                                         for m in range(k_users))))
                assert abs(t[f"leak{k + 1}_{j + 1}"] - leak) < 1e-12
                leaks.append(leak)
        assert t[f"leak{k + 1}"] == pytest.approx(max(leaks), abs=1e-15)


def test_complex_channel_doubles_every_rate():
    real = secrecy_rates(30.0, 0.3, 0.5, 0.2, 0.1, 0.9, 0.8)
    cplx = secrecy_rates(30.0, 0.3, 0.5, 0.2, 0.1, 0.9, 0.8, complex_valued=True)
    for a, b in zip(real, cplx):
        assert abs(b - 2 * a) < 1e-12 and a > 0


def test_binning_design_splits_the_budget():
    """R' = I(V_1; Y_2 | V_2) + margin (eqs. 21-22), R = I(V_1; Y_1) - R' (eqs. 19-20); at
    lambda = 0, beta = 1 and P = 10, rho = 0.2 (notes §5.4 E2): I_E = C(0.4) = 0.2427,
    I(V_1; Y_1) = C(10 / 1.4) = 1.512."""
    d = binning_design(10.0, 0.2, 0.2, 0.0, 0.0, 1.0, 1.0, margin=0.05)
    assert abs(d["leak1"] - C(0.4)) < 1e-12 and abs(d["leak1"] - 0.2427) < 1e-4
    assert abs(d["legit1"] - C(10 / 1.4)) < 1e-12 and abs(d["legit1"] - 1.512) < 1e-3
    assert abs(d["dummy_rate1"] - (d["leak1"] + 0.05)) < 1e-15
    assert abs(d["secret_rate1"] - (d["legit1"] - d["dummy_rate1"])) < 1e-15
    # with no margin the secret rate is Proposition 2's
    d0 = binning_design(10.0, 0.2, 0.2, 0.0, 0.0, 1.0, 1.0)
    assert abs(d0["secret_rate1"] - secrecy_rates(10.0, 0.2, 0.2, 0, 0, 1, 1)[0]) < 1e-15
