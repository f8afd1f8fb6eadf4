"""The key-agreement quantizer (linksim.security.quantizer): equiprobable cells by Monte Carlo,
the Gray labels, the cell probabilities and LLRs against independent computations (adaptive
quadrature of the Gaussian density, mpmath at 100 digits in the far tails), and the conditional
entropies against quadrature, their limits and the notes 001 §3.3 targets."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from scipy import integrate, special, stats

from linksim.security.quantizer import LLR_MAX, GaussianQuantizer, gray_labels

BITS = (1, 2, 3, 4)


# --------------------------------------------------------------------------------------------
# cells and labels
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bits", BITS)
@pytest.mark.parametrize("variance", [0.3, 105.0])
def test_cells_are_equiprobable(bits, variance):
    # Each count is Binomial(N, 2^-b); 5 standard deviations: a false failure has probability
    # about 6e-7 per cell (the seed is fixed anyway). At N = 4e5, 5 sd is under 4 % of a cell's
    # mass for b = 4, so cells of the wrong size (uniform spacing: up to 2x) would fail.
    n = 400_000
    q = GaussianQuantizer(bits, variance)
    y = np.random.default_rng(10 + bits).normal(0.0, math.sqrt(variance), n)
    counts = np.bincount(q.cells(y), minlength=q.n_cells)
    assert counts.size == q.n_cells == 2**bits
    p = 1.0 / q.n_cells
    assert np.all(np.abs(counts - n * p) <= 5 * math.sqrt(n * p * (1 - p))), counts


@pytest.mark.parametrize("bits", BITS)
def test_thresholds_are_the_gaussian_quantiles(bits):
    q = GaussianQuantizer(bits, 4.0)
    want = stats.norm.ppf(np.arange(1, 2**bits) / 2**bits, scale=2.0)
    np.testing.assert_allclose(q.thresholds, want, rtol=1e-14, atol=1e-15)
    assert q.edges[0] == -np.inf and q.edges[-1] == np.inf


@pytest.mark.parametrize("bits", BITS)
def test_gray_labels_differ_in_one_bit_between_neighbours(bits):
    labels = gray_labels(bits)
    assert labels.shape == (2**bits, bits) and labels.dtype == np.uint8
    assert len({tuple(row) for row in labels}) == 2**bits          # a bijection
    flips = np.sum(labels[1:] != labels[:-1], axis=1)
    np.testing.assert_array_equal(flips, 1)
    # MSB first: row j read as a binary number is the reflected Gray code j ^ (j >> 1)
    value = labels.astype(int) @ (1 << np.arange(bits - 1, -1, -1))
    np.testing.assert_array_equal(value, [j ^ (j >> 1) for j in range(2**bits)])


def test_quantize_layout_boundaries_and_round_trip():
    q = GaussianQuantizer(3, 1.0)
    y = np.array([[-np.inf, q.thresholds[0], q.thresholds[4] - 1e-12, 0.0, 7.0, np.inf]])
    cells = q.cells(y)
    np.testing.assert_array_equal(cells, [[0, 1, 4, 4, 7, 7]])    # a threshold opens its cell
    bits = q.quantize(y)
    assert bits.shape == (1, 18) and bits.dtype == np.uint8
    for i, c in enumerate(cells[0]):                              # symbol-major, MSB first
        np.testing.assert_array_equal(bits[0, 3 * i:3 * i + 3], q.labels[c])
    np.testing.assert_array_equal(q.cells_of(bits), cells)
    every = np.arange(8)[None, :].repeat(2, axis=0)
    np.testing.assert_array_equal(q.cells_of(q.bits_of(every)), every)


def test_one_bit_quantizer_is_the_sign():
    q = GaussianQuantizer(1, 3.0)
    y = np.random.default_rng(3).normal(size=(4, 50))
    np.testing.assert_array_equal(q.quantize(y), (y >= 0).astype(np.uint8))


# --------------------------------------------------------------------------------------------
# soft information
# --------------------------------------------------------------------------------------------

def _brute_llrs(q, mean, var):
    """LLRs from cell probabilities integrated by adaptive quadrature of the normal density."""
    sd = math.sqrt(var)
    out = []
    for m in mean:
        p = np.array([integrate.quad(stats.norm.pdf, a, b, args=(m, sd), epsabs=1e-15,
                                     epsrel=1e-13, limit=200)[0]
                      for a, b in zip(q.edges[:-1], q.edges[1:])])
        for k in range(q.bits):
            out.append(math.log(p[q.labels[:, k] == 0].sum() / p[q.labels[:, k] == 1].sum()))
    return np.array(out)


@pytest.mark.parametrize("bits", BITS)
@pytest.mark.parametrize("var", [0.05, 1.0, 5.0])
def test_llrs_match_brute_force_quadrature(bits, var):
    # Means within sqrt(40 var) of 0: every |LLR| < 50 (no clip), so both sides of each bit
    # keep a probability the quadrature resolves; 1e-10 absolute on the LLR (measured: 4e-15).
    q = GaussianQuantizer(bits, 2.0)
    mean = np.linspace(-1.0, 1.0, 7) * min(2.5, math.sqrt(40 * var))
    got = q.llrs(mean, var)
    assert got.shape == (7 * bits,) and got.dtype == np.float64
    want = _brute_llrs(q, mean, var)
    assert np.max(np.abs(want)) < LLR_MAX                     # the clip plays no part here
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


def _mp_log_cells(q, mean, var):
    """log P(cell) at 100 digits, the tail of each cell taken on the side away from the mean."""
    with mpmath.workdps(100):
        sd = mpmath.sqrt(mpmath.mpf(var))
        mu = mpmath.mpf(mean)
        out = []
        for a, b in zip(q.edges[:-1], q.edges[1:]):
            za = None if a == -np.inf else (mpmath.mpf(a) - mu) / sd
            zb = None if b == np.inf else (mpmath.mpf(b) - mu) / sd
            lower = mpmath.mpf(0) if za is None else mpmath.ncdf(za)
            upper_a = mpmath.mpf(1) if za is None else mpmath.ncdf(-za)
            cdf_b = mpmath.mpf(1) if zb is None else mpmath.ncdf(zb)
            upper_b = mpmath.mpf(0) if zb is None else mpmath.ncdf(-zb)
            mass = upper_a - upper_b if lower + cdf_b > 1 else cdf_b - lower
            out.append(float(mpmath.log(mass)))
        return np.array(out)


@pytest.mark.parametrize("bits", BITS)
def test_cell_log_probabilities_match_mpmath_from_tails_to_narrow_cells(bits):
    # Far tails (log P down to -1e9), near-degenerate side information (var 1e-4) and cells
    # narrow against the conditional spread (var 1e12: widths ~1e-6 sd, the Taylor branch):
    # relative error of log P below 1e-12 (measured: 6e-14 at worst).
    q = GaussianQuantizer(bits, 2.0)
    for mean in (0.0, 0.3, -1.7, 5.0, -12.0, 40.0, -300.0):
        for var in (1e-4, 1e-2, 0.5, 2.0, 50.0, 1e6, 1e12):
            got = q.cell_log_probabilities(np.array([mean]), var)[0]
            want = _mp_log_cells(q, mean, var)
            err = np.abs(got - want) / np.maximum(1.0, np.abs(want))
            assert err.max() < 1e-12, (mean, var, got, want)


@pytest.mark.parametrize("bits", BITS)
def test_far_tails_give_finite_clipped_llrs_and_no_nan(bits):
    q = GaussianQuantizer(bits, 1.0)
    mean = np.array([0.0, 3.0, -40.0, 1e3, -1e6, 1e200, -1e300, 1e-300])
    for var in (1e-300, 1e-30, 1e-2, 1.0, 1e30, 1e300):
        log_p = q.cell_log_probabilities(mean, var)
        assert not np.isnan(log_p).any() and np.all(log_p <= 0)
        np.testing.assert_allclose(special.logsumexp(log_p, axis=-1), 0.0, atol=1e-12)
        llr = q.llrs(mean, var)
        assert np.isfinite(llr).all() and np.max(np.abs(llr)) <= LLR_MAX
        if var <= 1e-2:   # precise side information: the hard decisions are the mean's label
            off = slice(1, 7)                   # (0 and 1e-300 sit on the median: LLR 0 there)
            hard = (llr < 0).astype(np.uint8).reshape(mean.size, bits)[off]
            np.testing.assert_array_equal(hard, q.labels[q.cells(mean[off])])
    far = q.llrs(np.array([1e3]), 1.0, llr_max=700.0)
    assert np.all(np.abs(far) == 700.0)                       # true |LLR| ~ 5e5: clipped


def test_llrs_broadcast_a_variance_per_sample():
    q = GaussianQuantizer(2, 1.0)
    mean = np.array([[0.2, -1.0, 3.0], [0.0, 0.5, -0.5]])
    var = np.array([0.1, 1.0, 4.0])
    got = q.llrs(mean, var)
    assert got.shape == (2, 6)
    for r in range(2):
        for i in range(3):
            np.testing.assert_allclose(got[r, 2 * i:2 * i + 2],
                                       q.llrs(mean[r, i:i + 1], float(var[i])), rtol=1e-14)


def test_llrs_are_calibrated_posteriors():
    # Y = X + N: the LLR of each bit given X is its true log posterior ratio, so
    # E[bit | LLR] = 1 / (1 + e^LLR). Per bit position (the samples, hence the bits, are
    # independent) and LLR bin, the fraction of ones has expectation mean(1 / (1 + e^LLR)) over
    # the bin and variance at most want (1 - want) / n; tolerance 5 of those deviations.
    rng = np.random.default_rng(5)
    q = GaussianQuantizer(2, 105.0)
    x = rng.normal(0.0, 10.0, 400_000)
    bits = q.quantize(x + rng.normal(0.0, math.sqrt(5.0), x.size)).reshape(-1, 2)
    llr = q.llrs(x, 5.0).reshape(-1, 2)
    edges = np.array([-6, -3, -1.5, -0.5, 0.5, 1.5, 3, 6])
    for k in range(2):
        for lo, hi in zip(edges[:-1], edges[1:]):
            sel = (llr[:, k] >= lo) & (llr[:, k] < hi)
            n = sel.sum()
            assert n > 1000
            want = np.mean(1 / (1 + np.exp(llr[sel, k])))
            got = np.mean(bits[sel, k])
            assert abs(got - want) <= 5 * math.sqrt(want * (1 - want) / n), (k, lo, got, want)
    # a mis-scaled LLR (the side's variance taken 4x too small) is not calibrated
    wrong = q.llrs(x, 1.25).reshape(-1, 2)[:, 0]
    sel = (wrong >= 1.5) & (wrong < 3)
    want = np.mean(1 / (1 + np.exp(wrong[sel])))
    assert abs(np.mean(bits[sel, 0]) - want) > 5 * math.sqrt(want * (1 - want) / sel.sum())


# --------------------------------------------------------------------------------------------
# entropies
# --------------------------------------------------------------------------------------------

def _quad_conditional_entropy(q, gain, noise_var, side_var):
    """H(Q | S) by adaptive quadrature with plain ndtr differences (independent of the module's
    log-space cells and Gauss-Legendre grid). The breakpoints t +- (0, 1, 3, 9) sd(N) keep
    quad's first nodes from stepping over a boundary layer narrower than they are apart."""
    tau = abs(gain) * math.sqrt(side_var)
    sd = math.sqrt(noise_var)

    def h(m):
        p = np.diff(special.ndtr((q.edges - m) / sd))
        return special.entr(p).sum() / math.log(2)

    f = lambda m: stats.norm.pdf(m, scale=tau) * h(m)
    layer = np.array([-9, -3, -1, 0, 1, 3, 9]) * sd
    points = np.unique(np.clip((q.thresholds[:, None] + layer).ravel(), -12 * tau, 12 * tau))
    value, err = integrate.quad(f, -12 * tau, 12 * tau, points=points, limit=4000,
                                epsabs=1e-13, epsrel=1e-12)
    return value


@pytest.mark.parametrize("bits", BITS)
@pytest.mark.parametrize("ratio", [1e-4, 1e-3, 0.1, 1.0, 30.0])
def test_conditional_entropy_matches_adaptive_quadrature(bits, ratio):
    # ratio = sd(N) / sd(gain S): from near-perfect to weak side information. Agreement to
    # 1e-11 bits (measured: 1e-15 at worst; a rule with half the nodes and pieces is 5e-6 off).
    side_var, gain = 4.0, 1.5
    noise_var = (ratio * gain * 2.0) ** 2
    q = GaussianQuantizer(bits, gain**2 * side_var + noise_var)
    got = q.conditional_entropy(gain, noise_var, side_var)
    assert abs(got - _quad_conditional_entropy(q, gain, noise_var, side_var)) < 1e-11


def test_notes_001_targets_for_the_sign_quantizer():
    # Notes 001 §3.3, (BW, BW) at P = 100, alpha = 0.2: Y1 | X1 ~ N(X1, 5); (Y1, Y2) jointly
    # Gaussian, var 105 each, covariance 40. The notes print 4 decimals (rounding +-5e-5);
    # tolerance 1e-4.
    q = GaussianQuantizer(1, 105.0)
    h_x1 = q.conditional_entropy(1.0, 5.0, 100.0)
    h_y2 = q.conditional_entropy(40 / 105, 105 - 40**2 / 105, 105.0)
    assert abs(h_x1 - 0.2265) < 1e-4
    assert abs((h_y2 - h_x1) - 0.7036) < 1e-4
    i_x1 = q.mutual_information(1.0, 5.0, 100.0)
    i_y2 = q.mutual_information(40 / 105, 105 - 40**2 / 105, 105.0)
    assert abs((i_x1 - i_y2) - 0.7036) < 1e-4
    # the ideal rate B = 2.0831 of §3.3 bounds every quantized key rate from above
    for bits in BITS:
        qb = GaussianQuantizer(bits, 105.0)
        key = (qb.conditional_entropy(40 / 105, 105 - 40**2 / 105, 105.0)
               - qb.conditional_entropy(1.0, 5.0, 100.0))
        assert 0.7 < key < 2.0831


@pytest.mark.parametrize("bits", BITS)
def test_conditional_entropy_limits(bits):
    q = GaussianQuantizer(bits, 1.0)
    # no side information: H(Q | S) = H(Q) = b exactly at gain 0, and b - O(gain^2) near it
    assert abs(q.conditional_entropy(0.0, 1.0, 1.0) - bits) < 1e-12
    assert abs(q.conditional_entropy(1.0, 1.0, 0.0) - bits) < 1e-12
    # (data processing: I(Q; S) <= I(Y; S) = -log2(1 - rho^2) / 2, rho^2 = 1e-6)
    near = q.conditional_entropy(1e-3, 1.0 - 1e-6, 1.0)
    assert 0 < bits - near <= -0.5 * math.log2(1 - 1e-6)
    assert q.entropy() == bits and abs(q.entropy(1.0 + 1e-15) - bits) < 1e-12
    if bits > 1:                                             # mismatched cells lose entropy
        assert q.entropy(100.0) < bits - 0.1                 # (the sign is equiprobable anyway)
    # perfect side information: H = 0 at noise 0, and H = sigma C sum_j phi(t_j) (1 + O(sigma^2))
    # as sigma -> 0, with C = int h2(Phi(u)) du (each threshold's boundary layer; the O(sigma)
    # term vanishes as h2(Phi(u)) is even). Tolerance 2 sigma^2 (measured: 0.54 sigma^2).
    assert q.conditional_entropy(1.0, 0.0, 1.0) == 0.0
    c_layer = integrate.quad(lambda u: special.entr(special.ndtr(u)) + special.entr(
        special.ndtr(-u)), -40, 40, limit=200, epsabs=1e-14, epsrel=1e-13)[0] / math.log(2)
    for sigma in (1e-3, 1e-4):
        want = sigma * c_layer * stats.norm.pdf(q.thresholds).sum()
        got = q.conditional_entropy(1.0, sigma**2, 1.0)
        assert abs(got / want - 1) < 2 * sigma**2 + 1e-10
    # and it decreases with the noise in between
    hs = [q.conditional_entropy(1.0, s2, 1.0 - s2) for s2 in (1e-4, 1e-2, 0.1, 0.5, 0.99)]
    assert np.all(np.diff(hs) > 0) and hs[-1] < bits


def test_conditional_entropy_broadcasts():
    q = GaussianQuantizer(2, 105.0)
    got = q.conditional_entropy([1.0, 40 / 105], [5.0, 105 - 40**2 / 105], 100.0)
    assert got.shape == (2,)
    assert got[0] == q.conditional_entropy(1.0, 5.0, 100.0)
    assert got[1] == q.conditional_entropy(40 / 105, 105 - 40**2 / 105, 100.0)


# --------------------------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bits, exc", [(0, ValueError), (5, ValueError), (-1, ValueError),
                                       (2.0, TypeError), (True, TypeError), ("2", TypeError)])
def test_bits_outside_1_to_4_are_refused(bits, exc):
    with pytest.raises(exc, match=r"^bits: got .*; allowed: an integer in \[1, 4\]$"):
        GaussianQuantizer(bits, 1.0)
    with pytest.raises(exc, match=r"^bits: got "):
        gray_labels(bits)


@pytest.mark.parametrize("call, match", [
    (lambda q: GaussianQuantizer(2, 0.0), r"^variance: got 0.0; allowed: a number > 0"),
    (lambda q: GaussianQuantizer(2, float("nan")), r"^variance: got nan; allowed: a finite"),
    (lambda q: q.quantize([0.1, float("nan")]), r"^y: got .*; allowed: real samples"),
    (lambda q: q.quantize(0.3), r"^y: got a 0-d array; allowed: shape \[\.\.\., n\]"),
    (lambda q: q.llrs([0.0], 0.0), r"^var: got .*; allowed: finite variances > 0"),
    (lambda q: q.llrs([0.0, np.inf], 1.0), r"^mean: got .*; allowed: finite real numbers"),
    (lambda q: q.llrs([0.0, 1.0], [1.0, 2.0, 3.0]), r"^var: got shape \(3,\); allowed: a"),
    (lambda q: q.llrs([0.0], 1.0, llr_max=0.0), r"^llr_max: got 0.0; allowed: a number > 0"),
    (lambda q: q.llrs([0.0], 1.0, llr_max=1e4), r"^llr_max: got 10000.0; allowed: a number"),
    (lambda q: q.cells_of(np.zeros(3, np.uint8)), r"^bits: got shape \(3,\)"),
    (lambda q: q.cells_of(np.full(4, 2, np.uint8)), r"^bits: got values other than 0 and 1"),
    (lambda q: q.bits_of(np.array([0, 4])), r"^cells: got values in \[0, 4\]; allowed: \[0, 4\)"),
    (lambda q: q.conditional_entropy(1.0, -1.0, 1.0), r"^noise_var: got .*; allowed: finite"),
    (lambda q: q.conditional_entropy([1.0, 2.0], 1.0, [1.0, 2.0, 3.0]),
     r"^gain, noise_var, side_var: got shapes"),
    (lambda q: q.mutual_information(0.0, 0.0, 1.0), r"^noise_var: got 0.0 with gain"),
    (lambda q: q.entropy(-1.0), r"^variance: got -1.0; allowed"),
])
def test_errors_are_one_line(call, match):
    q = GaussianQuantizer(2, 1.0)
    with pytest.raises((ValueError, TypeError), match=match) as info:
        call(q)
    assert "\n" not in str(info.value)
