"""Tests of linksim.theory.fbl: capacity/dispersion, normal approximation, quasi-static fading."""

import math

import numpy as np
import pytest
from scipy import integrate, special

from linksim.mapping import Constellation
from linksim.theory import fbl

LOG2E = 1.0 / math.log(2.0)
QAMS = ("qpsk", "16qam", "64qam")
SNRS = np.logspace(-3, 3, 25)


# ------------------------------------------------------------------ capacity and dispersion

def test_awgn_closed_forms():
    s = SNRS
    np.testing.assert_allclose(fbl.capacity(s, "awgn_real"), 0.5 * np.log2(1 + s), rtol=1e-12)
    np.testing.assert_allclose(fbl.capacity(s, "awgn_complex"), np.log2(1 + s), rtol=1e-12)
    np.testing.assert_allclose(fbl.dispersion(s, "awgn_real"),
                               s * (s + 2) / (2 * (1 + s) ** 2) * LOG2E ** 2, rtol=1e-12)
    np.testing.assert_allclose(fbl.dispersion(s, "awgn_complex"),
                               (1 - (1 + s) ** -2.0) * LOG2E ** 2, rtol=1e-12)


@pytest.mark.parametrize("ch,m", [("biawgn", 1), ("qpsk", 2), ("16qam", 4), ("64qam", 6)])
def test_finite_alphabet_limits(ch, m):
    assert abs(fbl.capacity(1e3, ch) - m) < 1e-4
    gauss = "awgn_real" if ch == "biawgn" else "awgn_complex"
    assert abs(fbl.capacity(1e-3, ch) / fbl.capacity(1e-3, gauss) - 1) < 1e-2
    assert abs(fbl.dispersion(1e-3, ch) / fbl.dispersion(1e-3, gauss) - 1) < 1e-2
    v = fbl.dispersion(SNRS, ch)
    c = fbl.capacity(SNRS, ch)
    assert np.all(v >= 0) and np.all(np.isfinite(v))
    assert np.all(np.diff(c) >= 0) and np.all(c <= m)   # saturates to log2 M in double
    assert fbl.capacity(0.0, ch) == 0.0 and fbl.dispersion(0.0, ch) == 0.0


def test_biawgn_0db_against_independent_integral():
    # BPSK +-1 in N(0, 1): i(+1; y) = log2 2 / (1 + exp(-2y)), y ~ N(1, 1) (symmetry).
    phi = lambda y: math.exp(-0.5 * (y - 1) ** 2) / math.sqrt(2 * math.pi)  # noqa: E731
    dens = lambda y: 1 - np.logaddexp(0, -2 * y) * LOG2E  # noqa: E731
    c, _ = integrate.quad(lambda y: phi(y) * dens(y), -40, 40, epsabs=1e-14, epsrel=1e-13)
    m2, _ = integrate.quad(lambda y: phi(y) * dens(y) ** 2, -40, 40, epsabs=1e-14, epsrel=1e-13)
    assert fbl.capacity(1.0, "biawgn") == pytest.approx(c, rel=1e-10)
    assert fbl.dispersion(1.0, "biawgn") == pytest.approx(m2 - c * c, rel=1e-9)
    assert c == pytest.approx(0.48594, abs=1e-5)     # the well-known BI-AWGN value at 0 dB


def test_qpsk_is_two_biawgn():
    # Per real dimension QPSK in CN(0, 1/s) has (Es/2)/(N0/2) = s: the biawgn snr convention
    # (E/sigma^2 per real use) gives C_QPSK(s) = 2 C_biawgn(s), not 2 C_biawgn(s/2).
    np.testing.assert_allclose(fbl.capacity(SNRS, "qpsk"), 2 * fbl.capacity(SNRS, "biawgn"),
                               rtol=1e-11)
    np.testing.assert_allclose(fbl.dispersion(SNRS, "qpsk"),
                               2 * fbl.dispersion(SNRS, "biawgn"), rtol=1e-9, atol=1e-300)
    assert abs(fbl.capacity(1.0, "qpsk") - 2 * fbl.capacity(0.5, "biawgn")) > 0.1


@pytest.mark.parametrize("ch", QAMS)
def test_per_axis_factorisation_against_2d(ch):
    pts = Constellation(ch).points
    # (2-D Gauss-Hermite is itself only accurate at moderate SNR; see fbl's module docstring)
    snr = np.array([0.1, 1.0, 3.0])
    c2, v2 = fbl._qam_moments_2d(pts, snr, 120)
    np.testing.assert_allclose(fbl.capacity(snr, ch), c2, rtol=1e-8)
    np.testing.assert_allclose(fbl.dispersion(snr, ch), v2, rtol=1e-7)


@pytest.mark.parametrize("ch", ("biawgn",) + QAMS)
def test_quadrature_converged_by_doubling(ch):
    lv = fbl._pam_levels(ch)
    c1, v1 = fbl._pam_moments(lv, SNRS, fbl.GL_ORDER)
    c2, v2 = fbl._pam_moments(lv, SNRS, 2 * fbl.GL_ORDER)
    np.testing.assert_allclose(c1, c2, rtol=1e-9)
    np.testing.assert_allclose(v1, v2, rtol=1e-6, atol=1e-200)


def test_broadcast_shapes():
    e = fbl.error_probability(np.array([[32], [64]]), [8, 16, 24], 1.0, "16qam")
    assert e.shape == (2, 3) and e.dtype == np.float64
    assert np.ndim(fbl.capacity(1.0, "qpsk")) == 0


# ------------------------------------------------------------------ normal approximation

# 003.md Sec. 4.2: n = 64 complex uses, paper form without the 1/2 log2 n term.
TABLE = [(1, 16, 7.844e-07), (1, 32, 6.835e-04), (1, 64, 0.5), (2, 16, 2.053e-15),
         (0.5, 16, 6.351e-03), (2 * 10 ** -0.5, 16, 6.720e-04), (0.3162, 16, 0.10595),
         (3, 64, 5.110e-09)]


def _paper_eps(g, d, n=64):
    v_nats = 1 - 1 / (1 + g) ** 2
    return special.ndtr(-math.sqrt(n / v_nats) * (math.log2(1 + g) - d / n) * math.log(2))


@pytest.mark.parametrize("g,d,printed", TABLE)
def test_003_table(g, d, printed):
    e = fbl.error_probability(64, d, g, "awgn_complex", log_term=False)
    # the paper's form Q(sqrt(n/V_nats)(C_bits - d/n) ln 2) equals ours to rounding
    assert e == pytest.approx(_paper_eps(g, d), rel=1e-6)
    # and the printed 4-significant-digit table values
    assert e == pytest.approx(printed, rel=5e-4)


def test_eps_half_at_capacity():
    n = np.array([64, 64, 200, 1000])
    snr = np.array([1.0, 0.3, 2.0, 5.0])
    for ch in ("awgn_complex", "awgn_real", "qpsk", "16qam"):
        k = n * fbl.capacity(snr, ch)
        np.testing.assert_allclose(fbl.error_probability(n, k, snr, ch, log_term=False), 0.5,
                                   atol=1e-12)
        np.testing.assert_allclose(
            fbl.error_probability(n, k + 0.5 * np.log2(n), snr, ch, log_term=True), 0.5,
            atol=1e-12)


def test_gamma50_values():
    d = np.array([8, 16, 24, 32, 64])
    g = fbl.required_snr(64, d, 0.5, "awgn_complex", log_term=False)
    np.testing.assert_allclose(g, 2.0 ** (d / 64) - 1, rtol=1e-9)
    np.testing.assert_allclose(10 * np.log10(g), [-10.43, -7.23, -5.27, -3.83, 0.0], atol=5e-3)


def test_zero_snr_and_zero_bits():
    for lt in (True, False):
        assert fbl.error_probability(64, 1, 0.0, "awgn_complex", log_term=lt) == 1.0
        assert fbl.error_probability(64, 0, 0.0, "awgn_complex", log_term=lt) == 0.0
        assert fbl.error_probability(64, 0, 1.0, "qpsk", log_term=lt) == 0.0
    assert fbl.max_bits(64, 1e-3, 0.0, "awgn_complex", log_term=False) == 0.0


@pytest.mark.parametrize("ch", fbl.CHANNELS)
@pytest.mark.parametrize("lt", [True, False])
def test_max_bits_inverts_error_probability(ch, lt):
    n = np.array([100, 500, 2000])
    eps = np.array([1e-1, 1e-3, 1e-5])
    snr = 1.0
    k = fbl.max_bits(n, eps, snr, ch, log_term=lt)
    assert np.all(k > 0)
    np.testing.assert_allclose(fbl.error_probability(n, k, snr, ch, log_term=lt), eps, rtol=1e-8)


@pytest.mark.parametrize("ch", fbl.CHANNELS)
def test_required_snr_inverts_error_probability(ch):
    n, eps = 128, np.array([1e-1, 1e-3, 1e-6])
    k = 0.4 * n
    s = fbl.required_snr(n, k, eps, ch)
    np.testing.assert_allclose(fbl.error_probability(n, k, s, ch), eps, rtol=1e-8)
    assert np.all(np.diff(s) > 0)
    assert fbl.required_snr(n, 0, 1e-3, ch) == 0.0


# ------------------------------------------------------------------ quasi-static fading

N_MC = 200_000


def _mc_check(z, n, k, snr, fading, kf):
    # eps(z snr) is bounded in [0, 1], so it has finite variance and, with 2e5 i.i.d. draws, the
    # CLT makes mean +- 2.576 * sd / sqrt(N) a 99 % interval (Berry-Esseen error
    # <= 0.5 E|X-mu|^3 / (sd^3 sqrt(N)), negligible here). The quadrature value must lie in it.
    vals = fbl.error_probability(n, k, z * snr, "awgn_complex")
    m, sd = vals.mean(), vals.std(ddof=1)
    half = 2.576 * sd / math.sqrt(z.size)
    exact = fbl.average_error_probability(n, k, snr, "awgn_complex", fading, kf)
    assert abs(exact - m) <= half, (exact, m, half)
    return exact


@pytest.mark.parametrize("snr", [3.0, 30.0])
def test_average_rayleigh_vs_mc(snr):
    rng = np.random.default_rng(20240601)
    z = rng.exponential(1.0, N_MC)
    _mc_check(z, 64, 96, snr, "rayleigh", 0.0)


@pytest.mark.parametrize("snr", [3.0, 10.0])
def test_average_rician_vs_mc(snr):
    rng = np.random.default_rng(7)
    K = 3.0
    h = (math.sqrt(K / (K + 1)) + math.sqrt(1 / (2 * (K + 1)))
         * (rng.standard_normal(N_MC) + 1j * rng.standard_normal(N_MC)))
    _mc_check(np.abs(h) ** 2, 64, 96, snr, "rician", K)


def test_average_limits():
    # K = 0 Rician is Rayleigh; large n approaches the outage probability.
    a = fbl.average_error_probability(64, 96, 10.0, "qpsk")
    b = fbl.average_error_probability(64, 96, 10.0, "qpsk", "rician", 0.0)
    assert a == pytest.approx(b, rel=1e-12)
    n = 10 ** 6
    for kf, fad in ((0.0, "rayleigh"), (3.0, "rician")):
        e = fbl.average_error_probability(n, 1.5 * n, 10.0, "awgn_complex", fad, kf,
                                          log_term=False)
        p = fbl.outage_probability(1.5, 10.0, "awgn_complex", fad, kf)
        assert e == pytest.approx(p, rel=2e-3)


def test_outage_closed_form_and_mc():
    R, snr = np.array([0.5, 1.0, 2.0]), 10.0
    p = fbl.outage_probability(R, snr)
    np.testing.assert_allclose(p, 1 - np.exp(-(2 ** R - 1) / snr), rtol=1e-13)
    rng = np.random.default_rng(11)
    z = rng.exponential(1.0, N_MC)
    for r, pr in zip(R, p):
        f = np.mean(np.log2(1 + z * snr) < r)
        assert abs(f - pr) <= 2.576 * math.sqrt(pr * (1 - pr) / N_MC)
    # outage capacity is the inverse
    c = fbl.outage_capacity(p, snr)
    np.testing.assert_allclose(c, R, rtol=1e-10)
    # constrained input: consistent inverse, and rate >= log2 M is always in outage
    pq = fbl.outage_probability(1.2, 10.0, "16qam", "rician", 3.0)
    assert fbl.outage_capacity(pq, 10.0, "16qam", "rician", 3.0) == pytest.approx(1.2, rel=1e-8)
    assert fbl.outage_probability(2.0, 1e3, "qpsk") == 1.0


# ------------------------------------------------------------------ bad arguments

@pytest.mark.parametrize("call,param", [
    (lambda: fbl.capacity(1.0, "8psk"), "channel"),
    (lambda: fbl.capacity(1.0, 3), "channel"),
    (lambda: fbl.capacity(-1.0, "qpsk"), "snr"),
    (lambda: fbl.dispersion(np.nan, "qpsk"), "snr"),
    (lambda: fbl.error_probability(0, 1, 1.0, "qpsk"), "n"),
    (lambda: fbl.error_probability(10.5, 1, 1.0, "qpsk"), "n"),
    (lambda: fbl.error_probability(10, -1, 1.0, "qpsk"), "k"),
    (lambda: fbl.error_probability(10, 21, 1.0, "qpsk"), "k"),
    (lambda: fbl.error_probability(10, 11, 1.0, "biawgn"), "k"),
    (lambda: fbl.error_probability(10, 5, 1.0, "qpsk", log_term=1), "log_term"),
    (lambda: fbl.max_bits(10, 0.0, 1.0, "qpsk"), "eps"),
    (lambda: fbl.max_bits(10, 1.0, 1.0, "qpsk"), "eps"),
    (lambda: fbl.required_snr(10, 5, 1.5, "qpsk"), "eps"),
    (lambda: fbl.average_error_probability(10, 5, 1.0, "biawgn"), "channel"),
    (lambda: fbl.average_error_probability(10, 5, 1.0, "qpsk", "nakagami"), "fading"),
    (lambda: fbl.average_error_probability(10, 5, 1.0, "qpsk", "rician", -1.0), "k_factor"),
    (lambda: fbl.average_error_probability(10, 5, -1.0, "qpsk"), "mean_snr"),
    (lambda: fbl.outage_probability(-0.5, 1.0), "rate"),
    (lambda: fbl.outage_capacity(0.0, 1.0), "eps"),
])
def test_bad_arguments_name_the_parameter(call, param):
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert str(info.value).startswith(param + ":")


@pytest.mark.parametrize("fad,kf", [("rayleigh", 0.0), ("rician", 3.0)])
def test_average_vs_dense_simpson_high_snr(fad, kf):
    # At high mean SNR the average is a thin step far below the MC's resolution: check the
    # quadrature against a dense Simpson rule in ln z (independent of quad's adaptivity).
    from scipy import stats
    snr = 1e4
    t = np.linspace(math.log(1e-14), math.log(60.0), 400_001)
    z = np.exp(t)
    pdf = (np.exp(-z) if fad == "rayleigh"
           else stats.ncx2.pdf(z, 2, 2 * kf, scale=1 / (2 * (kf + 1))))
    ref = integrate.simpson(fbl.error_probability(64, 96, z * snr, "awgn_complex") * pdf * z,
                            x=t) + (1e-14 if fad == "rayleigh" else 0.0)
    got = fbl.average_error_probability(64, 96, snr, "awgn_complex", fad, kf)
    assert got == pytest.approx(ref, rel=1e-6)


def test_parallel_normal_approximation_adds_capacities_and_dispersions():
    from linksim.theory.fbl import capacity, dispersion, parallel_error_probability
    snr = np.array([[0.5, 3.0, 20.0], [2.0, 2.0, 2.0]])
    n, k = 40, np.array([250.0, 300.0])
    got = parallel_error_probability(n, k, snr, "16qam")
    # the sums over channels, by the definition: C_tot = n sum C, V_tot = n sum V, N = n L
    c_tot = n * capacity(snr, "16qam").sum(axis=1)
    v_tot = n * dispersion(snr, "16qam").sum(axis=1)
    from scipy.stats import norm
    want = norm.sf((c_tot - k + 0.5 * np.log2(n * 3)) / np.sqrt(v_tot))
    assert np.allclose(got, want, rtol=1e-12)
    # equal SNRs: the same as one channel used n L times
    one = fbl.error_probability(n * 3, 300.0, 2.0, "16qam")
    assert got[1] == pytest.approx(float(one), rel=1e-12)
    with pytest.raises(ValueError, match="n: got an array"):
        parallel_error_probability([4, 5], 10, snr, "qpsk")
    with pytest.raises(ValueError, match="snr: got shape"):
        parallel_error_probability(4, 10, 3.0, "qpsk")
