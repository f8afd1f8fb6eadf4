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
    "kwargs,name,exc",
    [
        (dict(n=0), "n", ValueError), (dict(n=-5), "n", ValueError),
        (dict(n=10.5), "n", ValueError), (dict(n="a"), "n", TypeError),
        (dict(eps=0.0), "eps", ValueError), (dict(eps=1.0), "eps", ValueError),
        (dict(eps=float("nan")), "eps", ValueError),
        (dict(snr=0.0), "snr", ValueError), (dict(snr=-1.0), "snr", ValueError),
        (dict(snr=float("inf")), "snr", ValueError),
        (dict(channel="rayleigh"), "channel", ValueError),
    ],
)
def test_errors_name_parameter(fn, kwargs, name, exc):
    """Wrong values are ValueError, wrong types TypeError (linksim.checks), each naming the
    parameter."""
    args = dict(n=100, eps=1e-3, snr=1.0, channel="awgn_real")
    args.update(kwargs)
    with pytest.raises(exc, match=rf"^{name}:"):
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
    # any n >= 1 and eps in (0, 1) for biawgn too (n = 1, 2 are checked exactly below)
    v = [metaconverse(n, 0.3, 1.0, "biawgn") for n in (1, 2, 3, 5, 9)]
    assert all(np.isfinite(v)) and all(a < b for a, b in zip(v, v[1:]))


def test_awgn_short_block_branches_agree():
    # n = 15 uses scipy ncx2.logcdf, n = 16 the Laplace inversion: compare both at n = 16
    m = B._AwgnModel(16, 1.0)
    _, gamma, w = B._mc_awgn(16, 1e-3, 1.0, return_parts=True)
    direct = float(stats.ncx2.logcdf(w / 2.0, 16, 32.0))
    assert abs(m.log_beta(gamma) - direct) < 1e-8 * abs(direct)


# ================================================================== BI-AWGN meta-converse
# Per letter (x = +sqrt(s)): L = 2 s + 2 sqrt(s) u ~ N(2s, 4s), i = log 2 - X, X = log(1 + e^-L).
# With T = sum X_k: bits = n - log2 int_0^{1-eps} exp(F_T^{-1}(v)) dv (module docstring), so
# log2(1/(1-eps)) <= bits <= n + log2(1/(1-eps)) for every n, eps, snr.
TOL_BI = 3e-7  # the documented accuracy: 3e-7 * max(1, bits)


def _loss(u, s):
    return np.logaddexp(0.0, -(2 * s + 2 * math.sqrt(s) * np.asarray(u, float)))


def _u_of_loss(x, s):
    x = np.asarray(x, float)
    big = np.maximum(x, 30.0)
    lx = np.where(x < 30, np.log(np.expm1(np.minimum(x, 30))), big + np.log1p(-np.exp(-big)))
    return (-lx - 2 * s) / (2 * math.sqrt(s))


def _phi(u):
    return math.exp(-0.5 * u * u) / math.sqrt(2 * math.pi)


def exact_biawgn_n1(eps, s):
    """n = 1 in closed form: int_0^{1-eps} e^{Q_X(v)} dv
    = int_{u >= Phi^-1(eps)} (1 + e^-L) phi(u) du = (1 - eps) + Q(Phi^-1(eps) + 2 sqrt(s))."""
    a = special.ndtri(eps)
    return 1 - math.log2((1 - eps) + special.ndtr(-(a + 2 * math.sqrt(s))))


def exact_biawgn_n2(eps, s):
    """n = 2 by 1-D adaptive quadrature over the first letter (scipy.integrate.quad) with the
    second letter in closed form: P[X2 > y] = Phi(u(y)),
    E[e^X2; X2 <= y] = Q(u(y)) + Q(u(y) + 2 sqrt s)."""
    from scipy import integrate, optimize
    l1 = lambda u: float(_loss(u, s))
    ui = lambda x: float(_u_of_loss(x, s))

    def tail(t):  # P[X1 + X2 > t]
        f = lambda u: _phi(u) * special.ndtr(ui(t - l1(u))) if l1(u) < t else 0.0
        return special.ndtr(ui(t)) + integrate.quad(f, ui(t), 40, limit=500, epsabs=0,
                                                     epsrel=1e-11)[0]

    def lower(t):  # P[X1 + X2 <= t]
        f = lambda u: _phi(u) * special.ndtr(-ui(t - l1(u))) if l1(u) < t else 0.0
        return integrate.quad(f, ui(t), 40, limit=500, epsabs=0, epsrel=1e-11)[0]

    g = (lambda t: tail(t) / eps - 1) if eps < 0.5 else (lambda t: 1 - lower(t) / (1 - eps))
    # g > 0 at tau = 1e-300 (T > 1e-300 almost surely), g < 0 at 300 nats
    tau = math.exp(optimize.brentq(lambda lt: g(math.exp(lt)), math.log(1e-300), math.log(300.0),
                                   xtol=1e-13, rtol=1e-13))
    rs = math.sqrt(s)

    def w(u):
        x1 = l1(u)
        if x1 >= tau:
            return 0.0
        uy = ui(tau - x1)
        return _phi(u) * math.exp(x1) * (special.ndtr(-uy) + special.ndtr(-(uy + 2 * rs)))

    return 2 - math.log2(integrate.quad(w, ui(tau), 40, limit=500, epsabs=0, epsrel=1e-12)[0])


def floor_lattice_bits(n, eps, s, delta, W):
    """bits of T_floor = sum_k delta floor(X_k / delta), computed exactly on the lattice.

    Bin masses P[k delta <= X < (k+1) delta] from the Gaussian cdf (no splitting, no
    quadrature), the n-fold law by truncated linear convolution (exact below W since X >= 0),
    the randomised Neyman-Pearson test of the lattice variable.  T_floor <= T <= T_floor + n delta
    pathwise and the bound is decreasing in T (shift by c lowers it by c log2 e), hence
    bits(T_floor) - n delta log2(e) <= bits(T) <= bits(T_floor)."""
    from scipy.signal import fftconvolve
    K = int(math.ceil(W / delta))
    u = np.concatenate(([np.inf], _u_of_loss(delta * np.arange(1, K + 1), s)))  # decreasing
    # P[u_{k+1} < U <= u_k], in the complementary form where u > 0 (no cancellation)
    p = np.where(u[1:] > 0, special.ndtr(-u[1:]) - special.ndtr(-u[:-1]),
                 special.ndtr(u[:-1]) - special.ndtr(u[1:]))
    out, base, m = None, p, n
    while m:
        if m & 1:
            out = base if out is None else fftconvolve(out, base)[:K]
        m >>= 1
        if m:
            base = fftconvolve(base, base)[:K]
    out = np.clip(out, 0.0, None)
    cdf = np.cumsum(out)
    k = int(np.nonzero(cdf >= 1 - eps)[0][0])
    x = delta * np.arange(K)
    acc = np.dot(out[:k], np.exp(x[:k])) + ((1 - eps) - (cdf[k - 1] if k else 0.0)) * math.exp(x[k])
    return n - math.log2(acc)


def _bi_range_ok(v, n, eps, slack=1e-9):
    lo, hi = -math.log2(1 - eps), n - math.log2(1 - eps)
    return np.isfinite(v) and lo - slack * max(1, hi) <= v <= hi + slack * max(1, hi)


def test_biawgn_errors_name_parameter():
    for kwargs, name in [(dict(n=0), "n"), (dict(n=2.5), "n"), (dict(eps=0.0), "eps"),
                         (dict(eps=1.5), "eps"), (dict(snr=-1.0), "snr"),
                         (dict(snr=float("nan")), "snr")]:
        args = dict(n=128, eps=1e-3, snr=1.0, channel="biawgn")
        args.update(kwargs)
        with pytest.raises(ValueError, match=rf"\b{name}\b") as exc:
            metaconverse(**args)
        assert "\n" not in str(exc.value)


def test_issue9_calls_return_bounds():
    """The two calls of issue 9 (Laplace inversion failure / saddle-point ValueError)."""
    for n, eps, s in [(128, 1e-3, 10**0.8), (256, 0.5, 7.166)]:
        mc = metaconverse(n, eps, s, "biawgn")
        assert _bi_range_ok(mc, n, eps) and 0.0 <= mc <= n
        # PPV: log2 M* = nC - sqrt(nV) Q^-1(eps) + 1/2 log2 n + O(1); the O(1) term is below
        # 4 bits wherever checked (test_biawgn_vs_normal_approximation)
        assert abs(mc - na_biawgn(n, eps, s)) < 4.0
        assert mc <= n * cv_biawgn(s)[0] + 0.5 * math.log2(n) + 4.0
    v = metaconverse(np.array([128, 256]), np.array([1e-3, 0.5]), np.array([10**0.8, 7.166]),
                     "biawgn")
    assert v.shape == (2,) and v[0] == metaconverse(128, 1e-3, 10**0.8, "biawgn")


@pytest.mark.parametrize("sdb", [-10, -5, 0, 5, 8, 10, 12.5, 15, 20])
def test_biawgn_n1_closed_form(sdb):
    s = 10 ** (sdb / 10)
    for eps in (1e-12, 1e-6, 1e-3, 0.1, 0.5, 0.9, 0.999):
        ref = exact_biawgn_n1(eps, s)
        assert abs(metaconverse(1, eps, s, "biawgn") - ref) <= TOL_BI * max(1.0, ref)


@pytest.mark.parametrize("sdb,eps", [(0, 0.9), (8, 1e-6), (12.5, 1e-12)])
def test_biawgn_n2_quadrature(sdb, eps):
    s = 10 ** (sdb / 10)
    ref = exact_biawgn_n2(eps, s)
    assert abs(metaconverse(2, eps, s, "biawgn") - ref) <= TOL_BI * max(1.0, ref)


@pytest.mark.slow
@pytest.mark.parametrize("sdb", [-10, -5, 0, 2.5, 5, 8, 10, 12.5, 15, 17.5, 20])
def test_biawgn_n2_quadrature_grid(sdb):
    s = 10 ** (sdb / 10)
    for eps in (1e-12, 1e-9, 1e-6, 1e-3, 0.1, 0.5, 0.9, 0.999):
        ref = exact_biawgn_n2(eps, s)
        assert abs(metaconverse(2, eps, s, "biawgn") - ref) <= TOL_BI * max(1.0, ref)


@pytest.mark.parametrize("sdb,eps,delta", [
    (8, 1e-3, 2e-5), (5, 0.3, 5e-5), pytest.param(10, 0.05, 1e-5, marks=pytest.mark.slow),
    pytest.param(12.5, 1e-4, 1e-5, marks=pytest.mark.slow)])
def test_biawgn_n16_inside_rigorous_lattice_bracket(sdb, eps, delta):
    """High SNR, independent of the method under test: a floor-rounded lattice brackets the
    exact bound to within n delta log2(e) (1e-3 bits or less here)."""
    n, s = 16, 10 ** (sdb / 10)
    bits, parts = B._mc_biawgn(n, eps, s, return_parts=True)
    hi = floor_lattice_bits(n, eps, s, delta, 1.3 * parts["tau"] + 0.5)
    lo = hi - n * delta * LOG2E
    assert lo - 1e-9 <= bits <= hi + 1e-9


def test_biawgn_monte_carlo_high_snr():
    """Plain Monte Carlo at 8 dB, n = 16: P[T > tau] = eps and beta 2^n = E[e^T 1{T <= tau}]
    (bounded integrand, so no importance sampling is needed)."""
    n, eps, s = 16, 0.05, 10**0.8
    bits, parts = B._mc_biawgn(n, eps, s, return_parts=True)
    tau = parts["tau"]
    rng = np.random.default_rng(5)
    N, over, w1, w2 = 400_000, 0, 0.0, 0.0
    for _ in range(8):
        L = 2 * s + 2 * math.sqrt(s) * rng.standard_normal((N // 8, n))
        T = np.logaddexp(0.0, -L).sum(axis=1)
        over += int((T > tau).sum())
        w = np.where(T <= tau, np.exp(np.minimum(T, tau)), 0.0)
        w1, w2 = w1 + w.sum(), w2 + (w * w).sum()
    assert abs(over / N - eps) < 4 * math.sqrt(eps * (1 - eps) / N)
    mean = w1 / N
    se_bits = math.sqrt(w2 / N - mean**2) / math.sqrt(N) / mean * LOG2E
    assert abs((n - math.log2(mean)) - bits) < 4 * se_bits


def _previous_implementation(tmp_path, root):
    """linksim/theory/bounds.py before issue 9 (Bromwich integrals at the saddlepoint)."""
    import importlib.util
    import subprocess
    try:
        src = subprocess.run(["git", "show", "56fe7b7:linksim/theory/bounds.py"], cwd=root,
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git history with the previous bounds.py (56fe7b7) not available")
    path = tmp_path / "bounds_before_issue9.py"
    path.write_text(src)
    spec = importlib.util.spec_from_file_location("bounds_before_issue9", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("n,eps,sdb", [(128, 1e-3, 0.0), (1024, 1e-6, -7.5)])
def test_biawgn_agrees_with_previous_implementation(tmp_path, n, eps, sdb, repo_root):
    """Where the old Bromwich evaluation converged (low SNR), the values agree to 1e-6."""
    previous = _previous_implementation(tmp_path, repo_root)
    old = previous.metaconverse(n, eps, 10 ** (sdb / 10), "biawgn")
    new = metaconverse(n, eps, 10 ** (sdb / 10), "biawgn")
    assert abs(new - old) <= 1e-6 * old


@pytest.mark.slow
@pytest.mark.parametrize("n,eps,sdb", [(16, 1e-3, -10.0), (16, 1e-3, 0.0), (128, 0.1, -5.0),
                                       (8192, 0.1, -5.0), (8192, 0.5, -5.0), (1024, 1e-6, -10.0),
                                       (8192, 1e-3, -10.0), (1024, 1e-6, 5.0)])
def test_biawgn_agrees_with_previous_implementation_more(tmp_path, n, eps, sdb, repo_root):
    previous = _previous_implementation(tmp_path, repo_root)
    old = previous.metaconverse(n, eps, 10 ** (sdb / 10), "biawgn")
    new = metaconverse(n, eps, 10 ** (sdb / 10), "biawgn")
    assert abs(new - old) <= 1e-6 * old


def test_biawgn_vs_normal_approximation():
    """Moderate SNR: the difference to the normal approximation is the O(1) third-order
    constant of PPV10 (below 4 bits here) and it converges in n like 1/sqrt(n)."""
    for sdb in (0.0, 5.0):
        s = 10 ** (sdb / 10)
        for eps in (1e-3, 0.1):
            d = [metaconverse(n, eps, s, "biawgn") - na_biawgn(n, eps, s)
                 for n in (128, 1024, 8192)]
            assert max(abs(x) for x in d) < 4.0
            # n x8: the O(1/sqrt n) remainder shrinks by sqrt(8) ~ 2.8
            assert abs(d[2] - d[1]) <= 0.5 * abs(d[1] - d[0]) + 0.01


def _check_sweep(ns, epss, sdbs):
    vals = {}
    for n in ns:
        for eps in epss:
            for sdb in sdbs:
                v = metaconverse(n, eps, 10 ** (sdb / 10), "biawgn")
                assert _bi_range_ok(v, n, eps), (n, eps, sdb, v)
                vals[n, eps, sdb] = v
    tol = lambda v: 1e-6 * max(1.0, v)  # well above the 3e-7 accuracy, far below any trend
    for n in ns:
        for eps in epss:
            seq = [vals[n, eps, sdb] for sdb in sdbs]
            assert all(b >= a - tol(a) for a, b in zip(seq, seq[1:])), (n, eps, seq)
        for sdb in sdbs:
            seq = [vals[n, eps, sdb] for eps in epss]
            assert all(b >= a - tol(a) for a, b in zip(seq, seq[1:])), (n, sdb, seq)


def test_biawgn_sweep_subset():
    _check_sweep((16, 1024), (1e-6, 0.5), np.arange(-10.0, 20.1, 5.0))


@pytest.mark.slow
def test_biawgn_sweep_full_grid():
    _check_sweep((16, 128, 1024, 8192), (1e-6, 1e-3, 0.1, 0.5), np.arange(-10.0, 20.1, 2.5))


def test_biawgn_noise_free_limit():
    """At 20 dB every letter's loss is ~e^-200: the bound is n - log2(1 - eps) to double
    precision (beta = 2^-n (1 - eps)); just below, it is within tau log2(e) of that value."""
    for n, eps in [(16, 0.5), (8192, 1e-6)]:
        bits, parts = B._mc_biawgn(n, eps, 100.0, return_parts=True)
        assert parts["method"] == "trivial" and parts["W"] * LOG2E < 1e-12 * n
        assert bits == n - math.log2(1 - eps)
    n, eps = 1024, 1e-6
    bits, parts = B._mc_biawgn(n, eps, 10**1.5, return_parts=True)
    top = n - math.log2(1 - eps)
    assert top - parts["tau"] * LOG2E - 1e-9 <= bits <= top + 1e-9


def test_biawgn_below_minus_60_db_is_a_clear_error():
    """Below -60 dB the BI-AWGN bound is its zero-capacity limit to numerical precision; the
    call says so in one line instead of failing inside the lattice method. At -60 dB itself it
    still sits just above that limit, -log2(1 - eps)."""
    from linksim.theory.bounds import BIAWGN_MIN_SNR
    with pytest.raises(ValueError, match=r"snr: got .*allowed: >= 1e-06"):
        metaconverse(1024, 0.1, BIAWGN_MIN_SNR / 10, "biawgn")
    at_limit = metaconverse(1024, 0.1, BIAWGN_MIN_SNR, "biawgn")
    floor = -math.log2(0.9)
    # It approaches the floor as snr -> 0 (0.009 bits above it at -60 dB, n = 1024): a
    # dispersion-sized excess, far below one bit.
    assert floor <= at_limit <= floor + 0.05
