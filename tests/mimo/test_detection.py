"""MIMO detection (linksim.mimo.detection): ZF, LMMSE with soft output against the MSE matrix
and per-stream SINR of notes 002 §6 (checks 1 and 2), and exhaustive ML. Statistical checks
use fixed seeds and state their tolerance."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.channel.awgn import complex_normal
from linksim.mapping import Constellation
from linksim.mimo.detection import lmmse_detect, lmmse_mse, ml_llrs, zf_detect


def _setup(seed=0, n_rx=4, n_s=2, n_sym=40_000, colored=True):
    """One channel [1, n_rx, n_s], Gaussian streams, and noise with a non-white covariance
    (an artificial-noise direction plus thermal noise)."""
    rng = np.random.default_rng(seed)
    h = complex_normal(rng, (1, n_rx, n_s))
    if colored:
        a = complex_normal(rng, (1, n_rx, 1))
        cov = 0.8 * a @ np.conj(np.swapaxes(a, 1, 2)) + 0.2 * np.eye(n_rx)
    else:
        cov = 0.3 * np.eye(n_rx)[None]
    s = complex_normal(rng, (1, n_s, n_sym))
    white = complex_normal(rng, (1, n_rx, n_sym))
    n = np.linalg.cholesky(cov) @ white
    return h, s, h @ s + n, cov


def test_zf_inverts_the_channel_and_reports_its_noise():
    h, s, y, cov = _setup(1)
    s_hat, no_eff = zf_detect(h, h @ s, cov)                 # noiseless: exact
    assert np.allclose(s_hat, s)
    s_hat, no_eff = zf_detect(h, y, cov)
    emp = np.mean(np.abs(s_hat - s) ** 2, axis=-1)
    # |e|^2 of a CN error is exponential: the sample mean's relative std is 1/sqrt(N)
    assert np.allclose(emp / no_eff, 1.0, atol=5 / np.sqrt(s.shape[-1]))


def test_lmmse_error_matrix_and_logdet_rate():
    """notes 002 §6 check 1: the sample error covariance of W^H y equals M = (I + H^H C^-1
    H)^-1 (relative Frobenius error < 5/sqrt(N): each entry's sample mean has relative standard
    deviation about 1/sqrt(N) for Gaussian streams), and -log det M is the log-det rate."""
    h, s, y, cov = _setup(2)
    m = lmmse_mse(h, cov)
    s_hat, no_eff, sinr = lmmse_detect(h, y, cov)
    gain = 1 - np.real(np.diagonal(m, axis1=1, axis2=2))
    biased = s_hat * gain[..., None]                          # W^H y
    e = biased - s
    emp = e[0] @ e[0].conj().T / s.shape[-1]
    n = s.shape[-1]
    assert np.linalg.norm(emp - m[0]) / np.linalg.norm(m[0]) < 5 / np.sqrt(n)
    rate = np.log(np.linalg.det(np.eye(2) + h[0].conj().T @ np.linalg.solve(cov[0], h[0]))).real
    assert -np.log(np.linalg.det(m[0])).real == pytest.approx(rate, rel=1e-12)


def test_lmmse_soft_output_is_unbiased_with_the_stated_noise():
    """notes 002 §6 check 2 with QPSK streams: the rescaled estimate is unbiased and its error
    variance is 1 / SINR_k = M_kk / (1 - M_kk) (tolerance 5/sqrt(N) relative; the error is a
    sum of Gaussian noise and of other streams' QPSK symbols, close to Gaussian)."""
    rng = np.random.default_rng(5)
    qpsk = Constellation("qpsk")
    h, _, _, cov = _setup(3)
    n = 40_000
    bits = rng.integers(0, 2, (1, 2, n * 2), dtype=np.uint8)
    s = qpsk.map(bits)                                        # [1, 2, n]
    y = h @ s + np.linalg.cholesky(cov) @ complex_normal(rng, (1, 4, n))
    s_hat, no_eff, sinr = lmmse_detect(h, y, cov)
    m_kk = np.real(np.diagonal(lmmse_mse(h, cov), axis1=1, axis2=2))
    assert np.allclose(sinr, 1 / m_kk - 1)
    assert np.allclose(np.mean(s_hat * s.conj(), axis=-1), 1.0, atol=5 / np.sqrt(n))
    emp = np.mean(np.abs(s_hat - s) ** 2, axis=-1)
    assert np.allclose(emp / no_eff, 1.0, atol=5 / np.sqrt(n))
    # and the demapper takes it as its noise variance: hard decisions match the sent bits
    llr = qpsk.demap(s_hat, no_eff[..., None])
    ber = np.mean((llr < 0) != bits)
    assert ber < 0.2


def test_ml_for_one_stream_is_the_demapper_on_the_matched_filter():
    """One stream, white noise: the joint-ML LLRs equal the scalar demapper's on y / h with
    noise no / |h|^2 (exact app), for 16-QAM."""
    rng = np.random.default_rng(7)
    c = Constellation("16qam")
    h = complex_normal(rng, (3, 1, 1))
    bits = rng.integers(0, 2, (3, 1, 50 * 4), dtype=np.uint8)
    s = c.map(bits)                                           # [3, 1, 50]
    no = 0.3
    y = h @ s + complex_normal(rng, (3, 1, 50), no)
    got = ml_llrs(h, y, no, c)                                # [3, 50, 4]
    want = c.demap(y[:, 0, :] / h[:, 0, :], no / np.abs(h[:, 0, :]) ** 2)
    assert np.allclose(got.reshape(3, -1), want, atol=1e-9)


def test_ml_beats_lmmse_on_two_streams():
    """Two QPSK streams over a 2 x 2 channel at an SNR where both err: joint ML makes fewer bit
    errors than LMMSE on the same 4000 vectors (ML minimizes the vector error probability;
    with these counts the difference is many standard deviations)."""
    rng = np.random.default_rng(9)
    q = Constellation("qpsk")
    h = complex_normal(rng, (1, 2, 2))
    n = 4000
    bits = rng.integers(0, 2, (1, 2, n * 2), dtype=np.uint8)
    s = q.map(bits)
    no = 0.25
    y = h @ s + complex_normal(rng, (1, 2, n), no)
    llr_ml = ml_llrs(h, y, no, q)                             # [1, n, 4]
    sent = np.swapaxes(bits.reshape(1, 2, n, 2), 1, 2).reshape(1, n, 4)
    err_ml = int(((llr_ml < 0) != sent).sum())
    s_hat, no_eff, _ = lmmse_detect(h, y, no)
    err_lmmse = int(((q.demap(s_hat, no_eff[..., None]) < 0) != bits).sum())
    assert 0 < err_ml < err_lmmse


def test_bad_inputs_are_named():
    h = np.zeros((1, 2, 3), complex)
    with pytest.raises(ValueError, match="n_rx >= n_s"):
        zf_detect(h, np.zeros((1, 2)), 1.0)
    with pytest.raises(ValueError, match="^y"):
        lmmse_detect(np.ones((1, 2, 1)), np.zeros((1, 3)), 1.0)
    with pytest.raises(ValueError, match="^cov"):
        lmmse_detect(np.ones((1, 2, 1)), np.zeros((1, 2)), -1.0)
    with pytest.raises(ValueError, match="^constellation"):
        ml_llrs(np.ones((1, 4, 4)), np.zeros((1, 4)), 1.0, Constellation("64qam"))


def test_uncoded_ber_orders_ml_lmmse_zf_on_the_same_draws():
    """Two 16-QAM streams over 200 Rayleigh 2 x 2 channels with a coloured (AN-like) noise,
    100 vectors each: hard decisions from joint ML, unbiased LMMSE and ZF on the same received
    vectors. ML minimizes the vector error probability and LMMSE has the higher SINR, so their
    bit errors order ML < LMMSE < ZF; each difference must exceed 4 standard deviations of a
    difference of two binomial counts at these totals (the counts are clustered by channel,
    so this is a sanity margin, not an interval)."""
    rng = np.random.default_rng(21)
    q = Constellation("16qam")
    n_ch, n = 200, 100
    h = complex_normal(rng, (n_ch, 2, 2))
    a = complex_normal(rng, (n_ch, 2, 1))
    cov = 0.05 * a @ np.conj(np.swapaxes(a, 1, 2)) + 0.05 * np.eye(2)
    bits = rng.integers(0, 2, (n_ch, 2, n * 4), dtype=np.uint8)
    s = q.map(bits)
    y = h @ s + np.linalg.cholesky(cov) @ complex_normal(rng, (n_ch, 2, n))
    sent = np.swapaxes(bits.reshape(n_ch, 2, n, 4), 1, 2).reshape(n_ch, n, 8)
    err_ml = int(((ml_llrs(h, y, cov, q) < 0) != sent).sum())
    s_l, no_l, _ = lmmse_detect(h, y, cov)
    err_lmmse = int(((q.demap(s_l, no_l[..., None]) < 0) != bits).sum())
    s_z, no_z = zf_detect(h, y, cov)
    err_zf = int(((q.demap(s_z, no_z[..., None]) < 0) != bits).sum())
    total = bits.size
    for better, worse in ((err_ml, err_lmmse), (err_lmmse, err_zf)):
        sd = np.sqrt((better + worse) * (1 - (better + worse) / (2 * total)))
        assert worse - better > 4 * sd, (err_ml, err_lmmse, err_zf)
