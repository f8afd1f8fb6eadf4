"""Tests of linksim.theory.secrecy: closed forms against Monte Carlo and numerical integration."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from linksim.sim.stats import clopper_pearson
from linksim.theory.secrecy import (
    average_secrecy_capacity,
    fbl_leakage,
    fbl_secrecy_rate,
    secrecy_capacity,
    secrecy_dispersions,
    secrecy_outage,
)

LOG2E = 1.0 / math.log(2.0)

# (rate, mean_snr_bob, mean_snr_eve): a weak, a typical and a high-SNR point
OUTAGE_POINTS = [(0.5, 1.0, 0.5), (1.0, 10.0, 1.0), (2.0, 100.0, 3.0)]


# ----------------------------------------------------------------------------- capacity

def test_secrecy_capacity_closed_form_and_broadcasting():
    assert secrecy_capacity(15.0, 3.0) == pytest.approx(math.log2(16) - math.log2(4))
    assert secrecy_capacity(1.0, 3.0) == 0.0          # Eve better: no secrecy
    assert secrecy_capacity(5.0, 5.0) == 0.0
    assert secrecy_capacity(7.0, 0.0) == pytest.approx(3.0)
    out = secrecy_capacity(np.array([[1.0], [15.0]]), np.array([0.0, 1.0, 3.0]))
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out, [[1.0, 0.0, 0.0], [4.0, 3.0, 2.0]])
    assert isinstance(secrecy_capacity(3, 1), float)


# ----------------------------------------------------------------------------- outage

@pytest.mark.parametrize("rate, mb, me", OUTAGE_POINTS)
def test_secrecy_outage_matches_monte_carlo(rate, mb, me):
    n_mc = 400_000
    rng = np.random.default_rng(20240601)
    gb = rng.exponential(mb, n_mc)
    ge = rng.exponential(me, n_mc)
    cs = np.maximum(0.0, np.log2(1 + gb) - np.log2(1 + ge))
    k = int(np.count_nonzero(cs < rate))
    lo, hi = clopper_pearson(k, n_mc, 0.99)
    p = secrecy_outage(rate, mb, me)
    assert lo <= p <= hi, (k / n_mc, p, lo, hi)


def test_secrecy_outage_limits_and_special_cases():
    mb, me = 10.0, 2.0
    # R -> 0+: probability that no positive secrecy rate exists, P[g_b <= g_e]
    assert secrecy_outage(0.0, mb, me) == pytest.approx(me / (mb + me))
    # no eavesdropper signal: Bob's own Rayleigh outage
    assert secrecy_outage(1.5, mb, 0.0) == pytest.approx(1 - math.exp(-(2 ** 1.5 - 1) / mb))
    # monotone increasing in rate, tends to 1
    r = np.linspace(0, 20, 50)
    p = secrecy_outage(r, mb, me)
    assert np.all(np.diff(p) >= 0) and p[-1] == pytest.approx(1.0)
    assert secrecy_outage(r[:, None], np.array([1.0, 10.0]), me).shape == (50, 2)


# ----------------------------------------------------------------------------- average capacity

def _survival_integral(mb, me):
    """E[C_s] = int_0^inf P[C_s > t] dt, with P[C_s > t] integrated numerically from the joint
    density (inner integral over g_e in closed form: P[g_b > 2^t (1+g_e) - 1])."""
    def surv(t):
        a = 2.0 ** t
        f = lambda ge: math.exp(-(a * (1 + ge) - 1) / mb) * math.exp(-ge / me) / me
        return integrate.quad(f, 0, np.inf)[0]
    t_max = math.log2(1 + 80 * mb)   # P[C_s > t_max] <= P[g_b > 80 mb] = e^-80
    return integrate.quad(surv, 0, t_max, limit=200, epsabs=1e-12)[0]


def _double_integral(mb, me):
    """E[C_s] = int int_{g_b > g_e} log2((1+g_b)/(1+g_e)) f_b(g_b) f_e(g_e) dg_b dg_e."""
    f = lambda gb, ge: (math.log2((1 + gb) / (1 + ge)) * math.exp(-gb / mb) / mb
                        * math.exp(-ge / me) / me)
    return integrate.dblquad(f, 0, np.inf, lambda ge: ge, lambda ge: np.inf,
                             epsabs=1e-10, epsrel=1e-8)[0]


@pytest.mark.parametrize("mb, me", [(1.0, 0.5), (10.0, 1.0), (100.0, 3.0), (2.0, 8.0)])
def test_average_secrecy_capacity_vs_numerical_integration(mb, me):
    closed = average_secrecy_capacity(mb, me)
    assert closed == pytest.approx(_double_integral(mb, me), rel=1e-6, abs=1e-9)
    assert closed == pytest.approx(_survival_integral(mb, me), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("mb, me", [(1.0, 0.5), (10.0, 1.0), (100.0, 3.0)])
def test_average_secrecy_capacity_vs_monte_carlo(mb, me):
    # C_s <= log2(1 + g_b) and g_b is exponential, so C_s has finite variance: the CLT holds for
    # the sample mean of 4e5 i.i.d. draws, and mean +- z SE (z for 99.9 %, sample SE) is an
    # asymptotically exact confidence interval for E[C_s].
    n_mc = 400_000
    rng = np.random.default_rng(7 + int(mb))
    cs = np.maximum(0.0, np.log2(1 + rng.exponential(mb, n_mc))
                    - np.log2(1 + rng.exponential(me, n_mc)))
    z = stats.norm.isf(0.0005)
    se = cs.std(ddof=1) / math.sqrt(n_mc)
    assert abs(cs.mean() - average_secrecy_capacity(mb, me)) <= z * se


def test_average_secrecy_capacity_limits():
    # no eavesdropper signal: ergodic capacity of Bob's Rayleigh channel, e^(1/g) E1(1/g) log2 e
    g = 10.0
    ergodic = integrate.quad(lambda x: math.log2(1 + x) * math.exp(-x / g) / g, 0, np.inf)[0]
    assert average_secrecy_capacity(g, 0.0) == pytest.approx(ergodic, rel=1e-9)
    # very weak and very strong Bob: no overflow, sensible values
    assert average_secrecy_capacity(1e-4, 1e-4) == pytest.approx(0.5e-4 * LOG2E, rel=1e-3)
    assert 0.0 < average_secrecy_capacity(1e-3, 1.0) < 1e-3
    assert np.isfinite(average_secrecy_capacity(1e8, 1.0))
    # it exceeds capacity at the mean SNRs' secrecy capacity when Eve is stronger on average
    assert average_secrecy_capacity(1.0, 4.0) > secrecy_capacity(1.0, 4.0) == 0.0
    out = average_secrecy_capacity(np.array([1.0, 10.0]), np.array([[0.5], [1.0]]))
    assert out.shape == (2, 2) and np.all(out > 0)


# ----------------------------------------------------------------------------- finite blocklength

def test_dispersions_complex_awgn():
    vb, ve = secrecy_dispersions(10.0, 1.0)
    assert vb == pytest.approx((1 - 1 / 11 ** 2) * LOG2E ** 2)
    assert ve == pytest.approx((1 - 1 / 2 ** 2) * LOG2E ** 2)
    assert secrecy_dispersions(0.0, 0.0) == (0.0, 0.0)


def test_fbl_rate_formula_and_convergence_to_capacity():
    snr_b, snr_e, eps, delta = 10.0, 1.0, 1e-3, 1e-2
    cs = secrecy_capacity(snr_b, snr_e)
    vb, ve = secrecy_dispersions(snr_b, snr_e)
    n = np.array([100, 400, 1600, 6400, 25600, 1e8])
    r = fbl_secrecy_rate(n, eps, delta, snr_b, snr_e)
    expect = cs - np.sqrt(vb / n) * stats.norm.isf(eps) - np.sqrt(ve / n) * stats.norm.isf(delta)
    np.testing.assert_allclose(r, expect, rtol=1e-12)
    assert np.all(np.diff(r) > 0) and np.all(r < cs)
    assert r[-1] == pytest.approx(cs, abs=1e-3)
    # the back-off is exactly linear in 1/sqrt(n)
    backoff = cs - r
    np.testing.assert_allclose(backoff * np.sqrt(n), backoff[0] * math.sqrt(100), rtol=1e-9)


def test_fbl_rate_monotone_in_eps_delta_and_clipped():
    r_strict = fbl_secrecy_rate(500, 1e-5, 1e-5, 10.0, 1.0)
    r_loose = fbl_secrecy_rate(500, 1e-2, 1e-2, 10.0, 1.0)
    assert 0 < r_strict < r_loose
    assert fbl_secrecy_rate(500, 1e-3, 1e-3, 1.0, 2.0) == 0.0   # Eve stronger
    assert fbl_secrecy_rate(2, 1e-9, 1e-9, 1.2, 1.0) == 0.0     # back-off exceeds C_s
    # no eavesdropper signal: Bob's normal approximation
    r = fbl_secrecy_rate(200, 1e-3, 0.3, 10.0, 0.0)
    vb, _ = secrecy_dispersions(10.0, 0.0)
    assert r == pytest.approx(math.log2(11) - math.sqrt(vb / 200) * stats.norm.isf(1e-3))


def test_fbl_leakage_inverts_rate():
    n = np.array([200, 1000, 5000])[:, None]
    delta = np.array([1e-6, 1e-3, 0.05, 0.5, 0.9])
    r = fbl_secrecy_rate(n, 1e-3, delta, 10.0, 1.0)
    assert np.all(r > 0)
    np.testing.assert_allclose(fbl_leakage(n, 1e-3, r, 10.0, 1.0),
                               np.broadcast_to(delta, r.shape), rtol=1e-8)
    # more rate leaks more
    d = fbl_leakage(1000, 1e-3, np.linspace(1.9, 2.4, 9), 10.0, 1.0)
    assert np.all(np.diff(d) > 0) and 0 < d[0] < d[-1] < 1
    # Eve without signal: leakage is 0 below Bob's FBL rate and 1 above it
    rb = fbl_secrecy_rate(200, 1e-3, 0.5, 10.0, 0.0)
    assert fbl_leakage(200, 1e-3, rb * 0.9, 10.0, 0.0) == 0.0
    assert fbl_leakage(200, 1e-3, rb * 1.1, 10.0, 0.0) == 1.0


# ----------------------------------------------------------------------------- errors

@pytest.mark.parametrize("call, name", [
    (lambda: secrecy_capacity(-1.0, 1.0), "snr_bob"),
    (lambda: secrecy_capacity(1.0, np.array([1.0, -0.1])), "snr_eve"),
    (lambda: secrecy_capacity(np.nan, 1.0), "snr_bob"),
    (lambda: secrecy_outage(-0.5, 1.0, 1.0), "rate"),
    (lambda: secrecy_outage(1.0, 0.0, 1.0), "mean_snr_bob"),
    (lambda: secrecy_outage(1.0, 1.0, -1.0), "mean_snr_eve"),
    (lambda: average_secrecy_capacity(0.0, 1.0), "mean_snr_bob"),
    (lambda: average_secrecy_capacity(1.0, -2.0), "mean_snr_eve"),
    (lambda: fbl_secrecy_rate(0, 1e-3, 1e-3, 10, 1), "n"),
    (lambda: fbl_secrecy_rate(-5, 1e-3, 1e-3, 10, 1), "n"),
    (lambda: fbl_secrecy_rate(100, 0.0, 1e-3, 10, 1), "eps"),
    (lambda: fbl_secrecy_rate(100, 1e-3, 1.0, 10, 1), "delta"),
    (lambda: fbl_secrecy_rate(100, 1e-3, 1e-3, -10, 1), "snr_bob"),
    (lambda: fbl_secrecy_rate(100, 1e-3, 1e-3, 10, -1), "snr_eve"),
    (lambda: fbl_leakage(100, 1.5, 1.0, 10, 1), "eps"),
    (lambda: fbl_leakage(100, 1e-3, -1.0, 10, 1), "rate"),
    (lambda: fbl_leakage(0.0, 1e-3, 1.0, 10, 1), "n"),
])
def test_bad_values_raise_value_error_naming_parameter(call, name):
    with pytest.raises(ValueError, match=rf"^{name}: got .*allowed"):
        call()


@pytest.mark.parametrize("call, name", [
    (lambda: secrecy_capacity("10", 1.0), "snr_bob"),
    (lambda: secrecy_outage(1.0, None, 1.0), "mean_snr_bob"),
    (lambda: fbl_secrecy_rate(100, 1e-3, [1e-3, "a"], 10, 1), "delta"),
    (lambda: average_secrecy_capacity(1.0, True), "mean_snr_eve"),
])
def test_bad_types_raise_type_error_naming_parameter(call, name):
    with pytest.raises(TypeError, match=rf"^{name}: got"):
        call()
