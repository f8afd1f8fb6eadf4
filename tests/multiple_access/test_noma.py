"""Tests of linksim.multiple_access.noma: NOM superposition and the SIC receiver's per-layer
demappers.

Reference model (notes 003 §3.4 [N-2], §9 A2/A3): x = sqrt(P_M) s_M + sqrt(P_K) s_K with
unit-power layers; the M layer is demapped either with the K layer as Gaussian interference
(y / sqrt(P_M), noise (P_K + no) / P_M) or exactly over the composite constellation
(marginalised over the uniform K symbol); after perfect SIC the K layer is demapped from
(y - sqrt(P_M) s_M) / sqrt(P_K) with noise no / P_K. LLR convention: ln P(b=0|y) / P(b=1|y).

The references below are written independently of linksim.mapping: the QPSK map is spelled out
by hand (38.211: bit 0 on the real axis, bit 1 on the imaginary axis, 0 -> +1/sqrt 2) and the
exact LLRs are a brute-force scipy log-sum-exp over the composite points.
"""

import itertools

import numpy as np
import pytest
from scipy.special import logsumexp

from linksim.mapping import Constellation
from linksim.multiple_access import noma

QPSK = Constellation("qpsk")
SQ2 = np.sqrt(2.0)


def qpsk_point(b0, b1):
    """38.211 QPSK, written out by hand: ((1 - 2 b0) + j (1 - 2 b1)) / sqrt 2."""
    return ((1 - 2 * b0) + 1j * (1 - 2 * b1)) / SQ2


QPSK_LABELS = list(itertools.product((0, 1), repeat=2))


def qpsk_map(bits):
    """bits uint8 [B, 2N] -> complex [B, N] with the hand-written map."""
    b = np.asarray(bits, dtype=np.int64).reshape(bits.shape[0], -1, 2)
    return ((1 - 2 * b[..., 0]) + 1j * (1 - 2 * b[..., 1])) / SQ2


def brute_force_joint_llrs(y, no, p_m, p_k, m_points, m_labels, k_points):
    """Exact APP LLRs of the M bits: LSE over all composite points sqrt(P_M) a + sqrt(P_K) b
    whose M label has bit j = 0, minus the same for bit j = 1 (uniform a and b)."""
    y = np.asarray(y, dtype=np.complex128)
    no = np.broadcast_to(np.asarray(no, dtype=np.float64), y.shape).reshape(-1)
    y = y.reshape(-1)
    nbits = m_labels.shape[1]
    out = np.empty((y.size, nbits))
    for i, (yi, ni) in enumerate(zip(y, no)):
        metrics = {0: [[] for _ in range(nbits)], 1: [[] for _ in range(nbits)]}
        for a, lab in zip(m_points, m_labels):
            for b in k_points:
                c = np.sqrt(p_m) * a + np.sqrt(p_k) * b
                d = -abs(yi - c) ** 2 / ni
                for j in range(nbits):
                    metrics[int(lab[j])][j].append(d)
        for j in range(nbits):
            out[i, j] = logsumexp(metrics[0][j]) - logsumexp(metrics[1][j])
    return out.reshape(-1)


def max_abs_metric(y, no, p_m, p_k, points, nbits):
    """Per LLR: the largest |y - c|^2 / no over the composite points of its symbol, the scale
    of the float64 cancellation error of an LLR (a difference of two LSEs this large)."""
    y = np.asarray(y)
    no = np.broadcast_to(np.asarray(no, dtype=np.float64), y.shape).reshape(-1, 1)
    c = (np.sqrt(p_m) * points[:, None] + np.sqrt(p_k) * points[None, :]).reshape(1, -1)
    per_symbol = np.max(np.abs(y.reshape(-1, 1) - c) ** 2 / no, axis=1)
    return np.repeat(per_symbol, nbits)


# ---------------------------------------------------------------------------------------------
# superpose
# ---------------------------------------------------------------------------------------------

def test_hand_written_qpsk_matches_the_package_map():
    """Sanity of the test's own reference: the hand-written QPSK equals linksim's."""
    for idx, (b0, b1) in enumerate(QPSK_LABELS):
        assert tuple(QPSK.labels[idx]) == (b0, b1)
        assert QPSK.points[idx] == pytest.approx(qpsk_point(b0, b1), abs=1e-15)


def test_superpose_is_the_sqrt_power_sum():
    rng = np.random.default_rng(11)
    s_m = QPSK.map(rng.integers(0, 2, (7, 128), dtype=np.uint8))
    s_k = QPSK.map(rng.integers(0, 2, (7, 128), dtype=np.uint8))
    for p_m, p_k in ((1.2424, 0.7576), (8.0, 2.0), (0.3, 0.0), (1e-3, 5.0)):
        x = noma.superpose(s_m, s_k, p_m, p_k)
        assert x.dtype == np.complex128 and x.shape == s_m.shape
        np.testing.assert_allclose(x, np.sqrt(p_m) * s_m + np.sqrt(p_k) * s_k, rtol=1e-15,
                                   atol=1e-15)
    # No key layer: s_k = None is the M layer alone.
    np.testing.assert_allclose(noma.superpose(s_m, None, 2.0, 0.0), np.sqrt(2.0) * s_m,
                               rtol=1e-15)


def test_superpose_power_is_p_m_plus_p_k():
    p_m, p_k = 1.5111, 0.4889
    # Exact: averaged over the 16 equiprobable (a, b) pairs, E|x|^2 = P_M + P_K (the cross
    # term 2 sqrt(P_M P_K) Re(a b*) averages to 0).
    pts = QPSK.points
    comp = np.sqrt(p_m) * pts[:, None] + np.sqrt(p_k) * pts[None, :]
    assert np.mean(np.abs(comp) ** 2) == pytest.approx(p_m + p_k, rel=1e-12)
    # Sampled: |x|^2 = P_M + P_K + 2 sqrt(P_M P_K) Re(s_M s_K*), Re(.) in {1, -1, 0, 0}
    # uniformly, so sd(|x|^2) = sqrt(2 P_M P_K). Tolerance 3.29 sd/sqrt(N): a 99.9 % CLT
    # interval (N = 2e5 symbols, the CLT is excellent); fixed seed -> deterministic.
    rng = np.random.default_rng(12)
    n = 200_000
    s_m = QPSK.map(rng.integers(0, 2, (1, 2 * n), dtype=np.uint8))
    s_k = QPSK.map(rng.integers(0, 2, (1, 2 * n), dtype=np.uint8))
    power = np.mean(np.abs(noma.superpose(s_m, s_k, p_m, p_k)) ** 2)
    assert abs(power - (p_m + p_k)) <= 3.29 * np.sqrt(2 * p_m * p_k / n)


# ---------------------------------------------------------------------------------------------
# primary_llrs
# ---------------------------------------------------------------------------------------------

def _random_received(rng, shape, p_m, p_k, no):
    s_m = QPSK.map(rng.integers(0, 2, (shape[0], 2 * shape[1]), dtype=np.uint8))
    s_k = QPSK.map(rng.integers(0, 2, (shape[0], 2 * shape[1]), dtype=np.uint8))
    w = np.sqrt(no / 2) * (rng.standard_normal(shape) + 1j * rng.standard_normal(shape))
    return np.sqrt(p_m) * s_m + np.sqrt(p_k) * s_k + w


@pytest.mark.parametrize("p_m,p_k,no", [(1.2424, 0.7576, 1 / 10 ** -0.3),   # Eve at -3 dB
                                        (1.7332, 0.2668, 1.0),
                                        (8.0, 2.0, 0.01),
                                        (1.0, 1.0, 0.5)])          # P_M = P_K: overlapping points
def test_joint_llrs_equal_brute_force(p_m, p_k, no):
    rng = np.random.default_rng(21)
    y = _random_received(rng, (3, 40), p_m, p_k, no)
    got = noma.primary_llrs(y, no, p_m, p_k, QPSK, mode="joint")
    assert got.shape == (3, 80) and got.dtype == np.float64
    ref = brute_force_joint_llrs(y, no, p_m, p_k, [qpsk_point(*b) for b in QPSK_LABELS],
                                 np.array(QPSK_LABELS), [qpsk_point(*b) for b in QPSK_LABELS])
    # float64 throughout: rel 1e-9 (the brief's tolerance); abs 1e-9 only for LLRs that are ~0.
    np.testing.assert_allclose(got.reshape(-1), ref, rtol=1e-9, atol=1e-9)


def test_joint_llrs_extreme_inputs_equal_brute_force():
    """Far-out y (huge metrics), y exactly on a composite point, tiny and large noise, and a
    per-symbol noise array: the log-sum-exp must stay exact (no overflow / underflow)."""
    p_m, p_k = 1.2424, 0.7576
    c = np.sqrt(p_m) * qpsk_point(0, 1) + np.sqrt(p_k) * qpsk_point(1, 1)
    y = np.array([[40.0 - 25.0j, -600.0 + 3.0j, 7.5 + 1e3j, c, 0.3 - 0.1j, -2.0 - 2.5j]])
    for no in (1e-4, 1e-2, 1.0, 50.0, np.array([[1e-4, 1e-3, 0.1, 1e-5, 3.0, 100.0]])):
        got = noma.primary_llrs(y, no, p_m, p_k, QPSK, mode="joint").reshape(-1)
        pts = [qpsk_point(*b) for b in QPSK_LABELS]
        ref = brute_force_joint_llrs(y, no, p_m, p_k, pts, np.array(QPSK_LABELS), pts)
        assert np.all(np.isfinite(got))
        # rel 1e-9; plus an absolute slack of 1e-13 x the largest metric, the float64
        # cancellation floor of a difference of two LSEs of that size (a few 1e-16 relative).
        atol = 1e-13 * max_abs_metric(y, no, p_m, p_k, QPSK.points, 2)
        err = np.abs(got - ref)
        assert np.all(err <= 1e-9 * np.abs(ref) + atol), (got, ref, err)
    # At extreme y the LLRs are huge and of the right sign (y = 40 - 25j: b0 = 0, b1 = 1).
    big = noma.primary_llrs(y[:, :1], 1e-4, p_m, p_k, QPSK, mode="joint")[0]
    assert big[0] > 1e5 and big[1] < -1e5


def test_joint_llrs_other_constellations_equal_brute_force():
    """Generic path: 16-QAM primary over a QPSK secondary (and BPSK over QPSK)."""
    rng = np.random.default_rng(22)
    for m_name, k_name in (("16qam", "qpsk"), ("bpsk", "qpsk"), ("qpsk", "bpsk")):
        cm, ck = Constellation(m_name), Constellation(k_name)
        y = 2.0 * (rng.standard_normal((2, 9)) + 1j * rng.standard_normal((2, 9)))
        got = noma.primary_llrs(y, 0.3, 1.6, 0.4, cm, mode="joint", secondary=ck)
        ref = brute_force_joint_llrs(y, 0.3, 1.6, 0.4, cm.points, cm.labels, ck.points)
        np.testing.assert_allclose(got.reshape(-1), ref, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("p_m,p_k", [(1.2424, 0.7576), (2.0, 0.0), (0.5, 3.0)])
def test_gaussian_llrs_are_interference_as_noise(p_m, p_k):
    """mode="gaussian" = QPSK demapping of y / sqrt(P_M) with noise (P_K + no) / P_M; for QPSK
    the exact LLRs are 2 sqrt(2) Re(y') / N (bit 0) and 2 sqrt(2) Im(y') / N (bit 1)."""
    rng = np.random.default_rng(23)
    no = np.array([[0.7], [1.9]])                       # broadcast per row
    y = _random_received(rng, (2, 30), p_m, p_k, 1.0)
    got = noma.primary_llrs(y, no, p_m, p_k, QPSK, mode="gaussian")
    yp, n_eff = y / np.sqrt(p_m), (p_k + no) / p_m
    ref = np.empty((2, 60))
    ref[:, 0::2] = 2 * SQ2 * yp.real / n_eff
    ref[:, 1::2] = 2 * SQ2 * yp.imag / n_eff
    np.testing.assert_allclose(got, ref, rtol=1e-12, atol=1e-12)
    # Default mode is "gaussian".
    np.testing.assert_array_equal(noma.primary_llrs(y, no, p_m, p_k, QPSK), got)


def test_modes_agree_without_key_layer():
    rng = np.random.default_rng(24)
    y = _random_received(rng, (4, 16), 1.3, 0.0, 0.4)
    g = noma.primary_llrs(y, 0.4, 1.3, 0.0, QPSK, mode="gaussian")
    j = noma.primary_llrs(y, 0.4, 1.3, 0.0, QPSK, mode="joint")
    np.testing.assert_allclose(j, g, rtol=1e-12, atol=1e-12)
    # ... and both equal the exact single-layer QPSK LLRs.
    ref = brute_force_joint_llrs(y, 0.4, 1.3, 0.0, [qpsk_point(*b) for b in QPSK_LABELS],
                                 np.array(QPSK_LABELS), [0.0])
    np.testing.assert_allclose(g.reshape(-1), ref, rtol=1e-9, atol=1e-9)


def test_joint_and_gaussian_differ_when_interference_is_not_gaussian():
    """With a strong discrete K layer the two models must actually differ (else "joint" would
    be a no-op): at P_K = P_M / 4 and low noise the composite constellation is far from
    Gaussian-blurred QPSK."""
    rng = np.random.default_rng(25)
    y = _random_received(rng, (1, 50), 1.6, 0.4, 0.01)
    g = noma.primary_llrs(y, 0.01, 1.6, 0.4, QPSK, mode="gaussian")
    j = noma.primary_llrs(y, 0.01, 1.6, 0.4, QPSK, mode="joint")
    assert np.max(np.abs(j - g)) > 1.0
    assert np.all(np.sign(j) == np.sign(g))     # the hard decisions agree at this low noise


# ---------------------------------------------------------------------------------------------
# SIC: cancel_primary + secondary_llrs
# ---------------------------------------------------------------------------------------------

def test_cancel_primary_is_exact_subtraction():
    rng = np.random.default_rng(31)
    y = rng.standard_normal((2, 8)) + 1j * rng.standard_normal((2, 8))
    s = QPSK.map(rng.integers(0, 2, (2, 16), dtype=np.uint8))
    np.testing.assert_allclose(noma.cancel_primary(y, s, 1.7), y - np.sqrt(1.7) * s,
                               rtol=1e-15, atol=1e-15)


def test_secondary_llrs_after_perfect_sic_recover_the_key_bits():
    rng = np.random.default_rng(32)
    p_m, p_k, no = 1.2424, 0.7576, 1e-3          # high SNR for the K layer: 28.8 dB
    bits_m = rng.integers(0, 2, (5, 128), dtype=np.uint8)
    bits_k = rng.integers(0, 2, (5, 128), dtype=np.uint8)
    s_m, s_k = qpsk_map(bits_m), qpsk_map(bits_k)
    x = noma.superpose(s_m, s_k, p_m, p_k)
    y = x + np.sqrt(no / 2) * (rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape))
    y2 = noma.cancel_primary(y, s_m, p_m)
    llr = noma.secondary_llrs(y2, no, p_k, QPSK)
    assert llr.shape == (5, 128)
    # Each bit's margin is sqrt(P_K/2) = 0.62 against a noise sd of 0.022: no bit error is
    # possible in practice (P ~ Q(28) per bit); the seed is fixed.
    np.testing.assert_array_equal((llr < 0).astype(np.uint8), bits_k)
    # Exact value: demapping (y - sqrt(P_M) s_M) / sqrt(P_K) with noise no / P_K.
    yk = y2 / np.sqrt(p_k)
    np.testing.assert_allclose(llr[:, 0::2], 2 * SQ2 * yk.real / (no / p_k), rtol=1e-12)
    np.testing.assert_allclose(llr[:, 1::2], 2 * SQ2 * yk.imag / (no / p_k), rtol=1e-12)


def test_primary_llrs_decide_the_m_bits_at_high_snr():
    """End to end: the primary LLRs (both modes) give the M bits when P_M >> P_K and the noise
    is small (the nearest composite point's M label is the transmitted one)."""
    rng = np.random.default_rng(33)
    bits_m = rng.integers(0, 2, (3, 64), dtype=np.uint8)
    bits_k = rng.integers(0, 2, (3, 64), dtype=np.uint8)
    x = noma.superpose(qpsk_map(bits_m), qpsk_map(bits_k), 8.0, 2.0)
    y = x + 0.05 * (rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape))
    for mode in noma.M_LLR_MODES:
        llr = noma.primary_llrs(y, 0.005, 8.0, 2.0, QPSK, mode=mode)
        np.testing.assert_array_equal((llr < 0).astype(np.uint8), bits_m)


# ---------------------------------------------------------------------------------------------
# Bad inputs
# ---------------------------------------------------------------------------------------------

def test_bad_inputs_raise_value_error_naming_the_parameter():
    s = QPSK.map(np.zeros((1, 8), np.uint8))
    y = s.copy()
    with pytest.raises(ValueError, match=r"^p_m"):
        noma.superpose(s, s, -1.0, 1.0)
    with pytest.raises(ValueError, match=r"^p_k"):
        noma.superpose(s, s, 1.0, -0.5)
    with pytest.raises(ValueError, match=r"^p_m"):
        noma.superpose(s, s, float("nan"), 1.0)
    with pytest.raises(ValueError, match=r"^s_k"):
        noma.superpose(s, s[:, :2], 1.0, 1.0)
    with pytest.raises(ValueError, match=r"^p_m"):
        noma.primary_llrs(y, 1.0, 0.0, 1.0, QPSK)
    with pytest.raises(ValueError, match=r"^p_m"):
        noma.primary_llrs(y, 1.0, -1.0, 1.0, QPSK, mode="joint")
    with pytest.raises(ValueError, match=r"^p_k"):
        noma.primary_llrs(y, 1.0, 1.0, -1.0, QPSK)
    with pytest.raises(ValueError, match=r"^mode"):
        noma.primary_llrs(y, 1.0, 1.0, 1.0, QPSK, mode="exact")
    with pytest.raises(ValueError, match=r"^p_m"):
        noma.cancel_primary(y, s, -2.0)
    with pytest.raises(ValueError, match=r"^p_k"):
        noma.secondary_llrs(y, 1.0, 0.0, QPSK)
    with pytest.raises(ValueError, match=r"^p_k"):
        noma.secondary_llrs(y, 1.0, -1.0, QPSK)
    with pytest.raises(ValueError, match=r"^y"):
        noma.primary_llrs(np.array([[np.nan + 0j, 1.0]]), 1.0, 1.0, 1.0, QPSK, mode="joint")
