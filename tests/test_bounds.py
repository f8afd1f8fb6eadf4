"""Tests of linksim.theory.bounds (PPV meta-converse and RCU achievability)."""

import math

import mpmath as mp
import numpy as np
import pytest
from scipy import special, stats

from linksim.theory import bounds as B
from linksim.theory.bounds import achievability, metaconverse

LOG2E = math.log2(math.e)


def na_awgn(n, eps, s):
    C = 0.5 * math.log2(1 + s)
    V = s * (s + 2) / (2 * (1 + s) ** 2) * LOG2E**2
    return n * C - math.sqrt(n * V) * stats.norm.isf(eps) + 0.5 * math.log2(n)


def cv_biawgn(s):
    x, w = np.polynomial.hermite_e.hermegauss(200)
    w = w / w.sum()
    L = 2 * s + 2 * math.sqrt(s) * x
    i = 1.0 - np.logaddexp(0.0, -L) / math.log(2)  # bits
    C = float(w @ i)
    return C, float(w @ (i - C) ** 2)


def na_biawgn(n, eps, s):
    C, V = cv_biawgn(s)
    return n * C - math.sqrt(n * V) * stats.norm.isf(eps) + 0.5 * math.log2(n)


# ------------------------------------------------------------------ independent references
def mp_ncx2_tail(x, k, lam, upper, dps=40):
    """Poisson-mixture series of the noncentral chi-square cdf / sf in mpmath."""
    with mp.workdps(dps):
        x, h = mp.mpf(x), mp.mpf(lam) / 2
        s, best, j = mp.mpf(0), mp.mpf(0), 0
        while True:
            a = mp.mpf(k) / 2 + j
            g = (mp.gammainc(a, x / 2, mp.inf, regularized=True) if upper
                 else mp.gammainc(a, 0, x / 2, regularized=True))
            t = mp.exp(-h + j * mp.log(h) - mp.loggamma(j + 1)) * g
            s += t
            best = max(best, t)
            if j > h and t < best * mp.mpf(10) ** -30:
                return s
            j += 1


def mp_awgn_metaconverse(n, eps, P):
    """Independent evaluation: beta = Q[V <= w*/(1+P)], V ~ ncx2(n, n(1+P)/P) under Q_Y."""
    bits, gamma, w = B._mc_awgn(n, eps, P, return_parts=True)
    eps_chk = mp_ncx2_tail(w, n, n / P, upper=True)
    beta = mp_ncx2_tail(w / (1 + P), n, n * (1 + P) / P, upper=False)
    return bits, float(eps_chk), float(-mp.log(beta, 2))


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("fn", [metaconverse, achievability])
@pytest.mark.parametrize(
    "kwargs,name",
    [
        (dict(n=0), "n"), (dict(n=-5), "n"), (dict(n=10.5), "n"), (dict(n="a"), "n"),
        (dict(eps=0.0), "eps"), (dict(eps=1.0), "eps"), (dict(eps=float("nan")), "eps"),
        (dict(snr=0.0), "snr"), (dict(snr=-1.0), "snr"), (dict(snr=float("inf")), "snr"),
        (dict(channel="rayleigh"), "channel"),
    ],
)
def test_errors_name_parameter(fn, kwargs, name):
    args = dict(n=100, eps=1e-3, snr=1.0, channel="awgn_real")
    args.update(kwargs)
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        fn(**args)


def test_achievability_biawgn_not_supported():
    with pytest.raises(ValueError, match="channel"):
        achievability(100, 1e-3, 1.0, "biawgn")


def test_vectorized_and_integer_float_n():
    v = metaconverse(np.array([100, 200]), 1e-3, 1.0, "awgn_real")
    assert v.shape == (2,) and v[1] > v[0]
    assert metaconverse(100.0, 1e-3, 1.0) == metaconverse(100, 1e-3, 1.0)


# ------------------------------------------------------------------ ordering vs NA
@pytest.mark.parametrize("n", [100, 500, 2048])
def test_ordering_awgn(n):
    eps, s = 1e-3, 1.0
    mc, ach, na = metaconverse(n, eps, s, "awgn_real"), achievability(n, eps, s), na_awgn(n, eps, s)
    assert ach <= mc
    assert abs(mc - na) < 6.0 and abs(ach - na) < 6.0


@pytest.mark.parametrize("n", [100, 2048])
def test_biawgn_close_to_na_and_below_awgn_capacity(n):
    eps, s = 1e-3, 1.0
    mc = metaconverse(n, eps, s, "biawgn")
    assert abs(mc - na_biawgn(n, eps, s)) < 6.0
    # BPSK output-mixture converse must not exceed n C_awgn (loose sanity)
    assert mc < n * 0.5 * math.log2(1 + s) + 0.5 * math.log2(n) + 5


def test_gap_shrinks_relative_to_n():
    eps, s = 1e-3, 1.0
    gaps = [(metaconverse(n, eps, s) - achievability(n, eps, s)) / n for n in (100, 400, 1600)]
    assert all(g >= 0 for g in gaps)
    assert gaps[0] > gaps[1] > gaps[2]


# ------------------------------------------------------------------ monotonicity
@pytest.mark.parametrize("channel", ["awgn_real", "biawgn"])
def test_metaconverse_monotone(channel):
    f = lambda n, e, s: metaconverse(n, e, s, channel)
    assert f(100, 1e-3, 1.0) < f(150, 1e-3, 1.0) < f(300, 1e-3, 1.0)
    assert f(200, 1e-6, 1.0) < f(200, 1e-3, 1.0) < f(200, 1e-1, 1.0)
    assert f(200, 1e-3, 0.5) < f(200, 1e-3, 1.0) < f(200, 1e-3, 4.0)


def test_achievability_monotone():
    f = achievability
    assert f(100, 1e-3, 1.0) < f(150, 1e-3, 1.0) < f(300, 1e-3, 1.0)
    assert f(200, 1e-6, 1.0) < f(200, 1e-3, 1.0) < f(200, 1e-1, 1.0)
    assert f(200, 1e-3, 0.5) < f(200, 1e-3, 1.0) < f(200, 1e-3, 4.0)


# ------------------------------------------------------------------ accuracy at eps = 1e-6
def test_awgn_metaconverse_vs_mpmath_n128():
    bits, eps_chk, bits_mp = mp_awgn_metaconverse(128, 1e-6, 1.0)
    assert abs(eps_chk / 1e-6 - 1) < 1e-9  # scipy ncx2.isf threshold is accurate
    assert abs(bits - bits_mp) < 1e-3 * abs(bits_mp) and abs(bits - bits_mp) < 1e-8


@pytest.mark.slow
@pytest.mark.parametrize("P", [0.3, 10.0])
def test_awgn_metaconverse_vs_mpmath_n2048(P):
    bits, eps_chk, bits_mp = mp_awgn_metaconverse(2048, 1e-6, P)
    assert abs(eps_chk / 1e-6 - 1) < 1e-8
    assert abs(bits - bits_mp) < 1e-3 * abs(bits_mp)


def test_awgn_n2048_deep_tail_no_underflow():
    # beta ~ 2^-6800 here: far below double range; log-domain evaluation must stay finite
    mc = metaconverse(2048, 1e-6, 1000.0)
    ach = achievability(2048, 1e-6, 1000.0)
    assert np.isfinite(mc) and np.isfinite(ach) and ach <= mc
    assert mc < 2048 * 0.5 * math.log2(1001.0)


@pytest.mark.parametrize("n", [128, 2048])
def test_biawgn_eps1e6_contour_and_grid_stable(n, monkeypatch):
    eps, s = 1e-6, 1.0
    bits, gamma = B._mc_biawgn(n, eps, s, return_parts=True)
    assert np.isfinite(bits) and bits < metaconverse(n, 1e-3, s, "biawgn")
    model = B._BiawgnModel(n, s)
    assert abs(model.log_lower_tail(gamma) - math.log(eps)) < 1e-8
    c = model.saddle(gamma)
    sd = 1 / math.sqrt(model.K2(c))
    alt = [-model.log_beta(gamma, c=c + d * sd) / math.log(2) for d in (-0.5, 0.5)]
    for a in alt:  # beta is independent of the contour: exactness of the inversion
        assert abs(a - bits) < 1e-6 * bits
    monkeypatch.setattr(B._BiawgnModel, "h", 0.004)
    fine = B._mc_biawgn(n, eps, s)
    assert abs(fine - bits) < 1e-5 * bits


@pytest.mark.parametrize("n", [128, 2048])
def test_achievability_eps1e6_stable(n):
    a = B._rcu_awgn(n, 1e-6, 1.0)
    b = B._rcu_awgn(n, 1e-6, 1.0, npts=24000)
    assert np.isfinite(a) and abs(a - b) < 1e-3 * b
    assert a <= metaconverse(n, 1e-6, 1.0)


def test_cap_area_vs_mpmath():
    n, th = 300, 0.9
    with mp.workdps(30):
        ref = mp.log(mp.betainc((n - 1) / mp.mpf(2), mp.mpf(1) / 2, 0, mp.sin(th) ** 2,
                                regularized=True) / 2)
    assert abs(B._log_cap(th, n) - float(ref)) < 1e-10 * abs(float(ref))


# ------------------------------------------------------------------ Monte-Carlo cross-checks
def test_rcu_monte_carlo():
    """eps_RCU at the returned M, estimated directly by simulation of the angle."""
    n, eps, P = 100, 1e-2, 1.0
    M = 2 ** achievability(n, eps, P)
    rng = np.random.default_rng(7)
    N = 400_000
    a = math.sqrt(n * P) + rng.standard_normal(N)
    r2 = rng.chisquare(n - 1, N)
    sin2 = r2 / (a * a + r2)
    I = special.betainc((n - 1) / 2, 0.5, sin2)
    cap = np.where(a >= 0, 0.5 * I, 1 - 0.5 * I)
    g = np.minimum(1.0, (M - 1) * cap)
    est, se = g.mean(), g.std() / math.sqrt(N)
    assert abs(est - eps) < 4 * se + 1e-4 * eps


def test_biawgn_metaconverse_monte_carlo():
    """P[S<gamma] = eps by plain MC; beta by exponentially tilted importance sampling."""
    n, eps, s = 100, 1e-2, 1.0
    bits, gamma = B._mc_biawgn(n, eps, s, return_parts=True)
    rng = np.random.default_rng(11)
    N = 100_000
    S = np.zeros(N)
    for _ in range(n):
        L = 2 * s + 2 * math.sqrt(s) * rng.standard_normal(N)
        S += math.log(2) - np.logaddexp(0, -L)
    p = (S < gamma).mean()
    assert abs(p - eps) < 4 * math.sqrt(eps * (1 - eps) / N)
    # tilted sampling: u ~ N(0,1) tilted by exp(c i(u)) via rejection-free grid sampling
    model = B._BiawgnModel(n, s)
    c = model.saddle(gamma)
    i, logw = model._grid(c)
    w = np.exp(logw + c * i - (logw + c * i).max())
    w /= w.sum()
    St = i[rng.choice(len(i), size=(40_000, n), p=w)].sum(axis=1)
    val = np.exp(model.K_real(c) - (1 + c) * St) * (St >= gamma)
    rel_se = val.std() / val.mean() / math.sqrt(len(val))
    mc_bits = -math.log2(val.mean())
    assert abs(mc_bits - bits) < 4 * rel_se * LOG2E + 1e-3


def test_awgn_metaconverse_monte_carlo_threshold():
    """Threshold: P[S < gamma] = eps checked by simulating the AWGN information density."""
    n, eps, P = 100, 1e-2, 1.0
    bits, gamma, w = B._mc_awgn(n, eps, P, return_parts=True)
    rng = np.random.default_rng(3)
    N = 200_000
    z = rng.standard_normal((N, n))
    x = math.sqrt(P)
    y = x + z
    S = 0.5 * n * math.log1p(P) + (y * y).sum(1) / (2 * (1 + P)) - (z * z).sum(1) / 2
    p = (S < gamma).mean()
    assert abs(p - eps) < 4 * math.sqrt(eps * (1 - eps) / N)


def test_small_n_and_large_eps():
    for n in (1, 2, 5):
        a, m = achievability(n, 0.3, 2.0), metaconverse(n, 0.3, 2.0)
        assert np.isfinite(a) and np.isfinite(m) and a <= m
    assert metaconverse(50, 0.9, 1.0) > metaconverse(50, 0.5, 1.0)
    assert metaconverse(40, 0.9, 1.0, "biawgn") > metaconverse(40, 0.5, 1.0, "biawgn")
    assert np.isfinite(metaconverse(10, 1e-3, 1.0, "biawgn"))
    with pytest.raises(ValueError, match="n=5"):
        metaconverse(5, 0.3, 1.0, "biawgn")


def test_awgn_short_block_branches_agree():
    # n = 15 uses scipy ncx2.logcdf, n = 16 the Laplace inversion: compare both at n = 16
    m = B._AwgnModel(16, 1.0)
    _, gamma, w = B._mc_awgn(16, 1e-3, 1.0, return_parts=True)
    direct = float(stats.ncx2.logcdf(w / 2.0, 16, 32.0))
    assert abs(m.log_beta(gamma) - direct) < 1e-8 * abs(direct)
