"""Tests for linksim.channel (SNR bookkeeping, AWGN, flat fading) and linksim.mimo.equalization
(estimation error, equalization).

Statistical checks use fixed seeds (deterministic) and tolerances of >= 4.5 standard errors of
the estimator, stated next to each check, so a correct implementation passes for essentially
every seed, while a wrong variance (e.g. a factor 2) fails by a wide margin.
"""

import numpy as np
import pytest

from linksim.channel import (FADING_MODELS, awgn, block_lengths, ebno_to_no, fading_gains,
                             flat_fading, snr_db_to_no)
from linksim.mimo import equalize, estimate_channel
from linksim.random import batch_rng


def _rng(batch_index=0):
    return batch_rng(2024, 0, batch_index)


# ---------------------------------------------------------------------------------------------
# SNR bookkeeping
# ---------------------------------------------------------------------------------------------

def test_ebno_to_no_and_snr_db_to_no():
    assert ebno_to_no(0.0, 1) == pytest.approx(1.0)
    assert ebno_to_no(0.0, 2) == pytest.approx(0.5)
    assert ebno_to_no(10.0, 4, 0.5) == pytest.approx(1 / (10 * 4 * 0.5))
    assert isinstance(ebno_to_no(3.0, 2), float)
    arr = ebno_to_no(np.array([0.0, 10.0]), 2, 1 / 3)
    assert isinstance(arr, np.ndarray) and arr.shape == (2,)
    np.testing.assert_allclose(arr, 1 / (np.array([1.0, 10.0]) * 2 / 3))
    assert snr_db_to_no(10.0) == pytest.approx(0.1)
    assert snr_db_to_no(-3.0) == pytest.approx(10 ** 0.3)
    np.testing.assert_allclose(snr_db_to_no([0, 20]), [1.0, 0.01])
    # Es/N0 = Eb/N0 * m * R
    assert snr_db_to_no(10 * np.log10(4 * 0.5) + 6.0) == pytest.approx(ebno_to_no(6.0, 4, 0.5))


def test_snr_bookkeeping_bad_inputs():
    with pytest.raises(ValueError, match="coderate"):
        ebno_to_no(0.0, 2, 1.5)
    with pytest.raises(ValueError, match="coderate"):
        ebno_to_no(0.0, 2, 0.0)
    with pytest.raises(ValueError, match="bits_per_symbol"):
        ebno_to_no(0.0, 0)
    with pytest.raises(TypeError, match="bits_per_symbol"):
        ebno_to_no(0.0, 2.0)
    with pytest.raises(ValueError, match="ebno_db"):
        ebno_to_no(np.nan, 2)
    with pytest.raises(TypeError, match="snr_db"):
        snr_db_to_no("10")


# ---------------------------------------------------------------------------------------------
# AWGN
# ---------------------------------------------------------------------------------------------

def test_awgn_noise_statistics():
    n = 400_000
    no = 0.37
    x = np.zeros((4, n // 4), np.complex128)
    w = awgn(x, no, _rng())
    assert w.shape == x.shape and w.dtype == np.complex128
    # E|w|^2 = no: the estimator's relative std is 1/sqrt(n) = 0.16 %; tolerance 1 % (> 6 sigma)
    assert np.mean(np.abs(w) ** 2) == pytest.approx(no, rel=0.01)
    # circular: Re and Im each no/2, uncorrelated; zero mean (std of each estimate ~ 1.5e-3 * no)
    assert np.var(w.real) == pytest.approx(no / 2, rel=0.01)
    assert np.var(w.imag) == pytest.approx(no / 2, rel=0.01)
    assert abs(np.mean(w.real * w.imag)) < 0.01 * no
    assert abs(np.mean(w)) < 0.01 * np.sqrt(no)
    # adds to the signal
    x1 = np.ones((2, 3), np.complex128)
    np.testing.assert_allclose(awgn(x1, 1e-30, _rng()), x1, atol=1e-12)


def test_awgn_per_element_noise():
    no = np.array([0.01, 1.0, 4.0])
    w = awgn(np.zeros((200_000, 3), np.complex128), no, _rng())
    # per-column power within 2 % (std 0.22 %)
    np.testing.assert_allclose(np.mean(np.abs(w) ** 2, axis=0), no, rtol=0.02)


def test_awgn_is_the_signal_plus_complex_normal_noise_bit_for_bit():
    """awgn adds in one pass what x + complex_normal(...) gives (same draws, same float64
    arithmetic), for a scalar and a per-element variance, below and above the chunk size."""
    from linksim.channel.awgn import _CHUNK, complex_normal
    rng = _rng(3)
    for shape in ((3, 50), (2, _CHUNK // 2 + 77)):
        x = rng.normal(size=shape) + 1j * rng.normal(size=shape)
        for no in (0.3, rng.uniform(0.1, 2.0, shape[-1]), np.full((shape[0], 1), 0.7)):
            want = complex_normal(_rng(9), shape, no) + x
            np.testing.assert_array_equal(awgn(x, no, _rng(9)), want)


def test_awgn_reproducible():
    x = np.ones((3, 50), np.complex128)
    np.testing.assert_array_equal(awgn(x, 0.5, _rng(7)), awgn(x, 0.5, _rng(7)))
    assert not np.array_equal(awgn(x, 0.5, _rng(7)), awgn(x, 0.5, _rng(8)))


def test_awgn_bad_inputs():
    x = np.zeros((2, 3), np.complex128)
    for bad in (0.0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="no"):
            awgn(x, bad, _rng())
    with pytest.raises(ValueError, match="no: shape"):
        awgn(x, np.ones(2), _rng())
    with pytest.raises(TypeError, match="rng"):
        awgn(x, 1.0, np.random.RandomState(0))
    with pytest.raises(TypeError, match="rng"):
        awgn(x, 1.0, 0)
    with pytest.raises(TypeError, match="x"):
        awgn(np.array(["a"]), 1.0, _rng())
    with pytest.raises(ValueError, match="x"):
        awgn(np.array([np.nan]), 1.0, _rng())


# ---------------------------------------------------------------------------------------------
# Fading gains
# ---------------------------------------------------------------------------------------------

def _corr(a, b):
    """Normalised cross-correlation E[a b*] / sqrt(E|a|^2 E|b|^2) of zero-mean samples."""
    return np.mean(a * np.conj(b)) / np.sqrt(np.mean(np.abs(a) ** 2) * np.mean(np.abs(b) ** 2))


@pytest.mark.parametrize("fading,n_blocks", [("quasi_static", 1), ("block", 4), ("fast", 1)])
def test_gains_unit_power_and_rayleigh(fading, n_blocks):
    h = fading_gains(_rng(), 20_000, 12, fading, n_blocks=n_blocks)
    assert h.shape == (20_000, 12) and h.dtype == np.complex128
    # independent samples: 20000 (quasi-static), 80000 (block), 240000 (fast); std of the mean
    # power <= 1/sqrt(20000) = 0.7 %; tolerance 4 % (> 5.6 sigma)
    assert np.mean(np.abs(h) ** 2) == pytest.approx(1.0, rel=0.04)
    # Rayleigh: zero mean, |h|^2 exponential -> P(|h|^2 > 1) = e^-1
    assert abs(np.mean(h)) < 0.03
    assert np.mean(np.abs(h[:, 0]) ** 2 > 1) == pytest.approx(np.exp(-1), abs=0.015)


def test_quasi_static_constant_within_frame_independent_across():
    h = fading_gains(_rng(), 50_000, 7, "quasi_static")
    np.testing.assert_array_equal(h, np.repeat(h[:, :1], 7, axis=1))
    # frames independent: correlation between consecutive frames ~ N(0, 1/n) -> < 5/sqrt(n)
    assert abs(_corr(h[1:, 0], h[:-1, 0])) < 5 / np.sqrt(50_000)


@pytest.mark.parametrize("n_symbols,n_blocks", [(12, 4), (10, 3), (7, 7), (5, 1), (9, 2)])
def test_block_fading_structure(n_symbols, n_blocks):
    batch = 40_000
    h = fading_gains(_rng(), batch, n_symbols, "block", n_blocks=n_blocks)
    lengths = block_lengths(n_symbols, n_blocks)
    np.testing.assert_array_equal(lengths, [len(a) for a in np.array_split(np.arange(n_symbols), n_blocks)])
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    for s, L in zip(starts, lengths):
        # constant within the block
        np.testing.assert_array_equal(h[:, s:s + L], np.repeat(h[:, s:s + 1], L, axis=1))
    # independent across blocks: |corr| < 5/sqrt(batch) = 0.025
    for a in range(n_blocks):
        for b in range(a + 1, n_blocks):
            assert abs(_corr(h[:, starts[a]], h[:, starts[b]])) < 5 / np.sqrt(batch)
            assert abs(np.corrcoef(np.abs(h[:, starts[a]]) ** 2, np.abs(h[:, starts[b]]) ** 2)[0, 1]) \
                < 5 / np.sqrt(batch)


def test_fast_fading_independent_per_symbol():
    h = fading_gains(_rng(), 20_000, 16, "fast")
    # lag-1 correlation over 300000 pairs: |corr| < 5/sqrt(3e5) ~ 0.009
    assert abs(_corr(h[:, 1:].ravel(), h[:, :-1].ravel())) < 5 / np.sqrt(h[:, 1:].size)
    z = np.abs(h) ** 2
    assert abs(np.corrcoef(z[:, 1:].ravel(), z[:, :-1].ravel())[0, 1]) < 5 / np.sqrt(h[:, 1:].size)


def test_block_draws_match_quasi_static_and_fast():
    """Draw-order contract: block with 1 / n_symbols blocks draws what quasi_static / fast draw."""
    np.testing.assert_array_equal(fading_gains(_rng(3), 5, 8, "block", 1), fading_gains(_rng(3), 5, 8))
    np.testing.assert_array_equal(fading_gains(_rng(3), 5, 8, "block", 8), fading_gains(_rng(3), 5, 8, "fast"))


@pytest.mark.parametrize("k_factor", [1.0, 3.0, 10.0])
def test_rician_power_and_k_factor_from_moments(k_factor):
    h = fading_gains(_rng(), 100, 2000, "fast", k_factor=k_factor)
    z = np.abs(h) ** 2
    # E|h|^2 = 1; std of the mean of 200000 samples <= 0.2 %; tolerance 1 %
    assert np.mean(z) == pytest.approx(1.0, rel=0.01)
    # Moment estimator: gamma = Var(z)/E[z]^2 = 1 - a^4 with a^2 = K/(K+1) the LOS power,
    # so K = sqrt(1-gamma) / (1 - sqrt(1-gamma)). Its relative std at 2e5 samples is
    # 1.1 % (K=1), 0.5 % (K=3), 0.3 % (K=10) (measured over 40 seeds); tolerance 5 % relative.
    gamma = np.var(z) / np.mean(z) ** 2
    a2 = np.sqrt(1 - gamma)
    assert a2 / (1 - a2) == pytest.approx(k_factor, rel=0.05)
    # LOS phase 0: E[h] = sqrt(K/(K+1)) (real)
    assert np.mean(h) == pytest.approx(np.sqrt(k_factor / (k_factor + 1)), abs=0.01)


def test_rayleigh_is_k_zero():
    np.testing.assert_array_equal(fading_gains(_rng(5), 3, 4, "fast", k_factor=0.0),
                                  fading_gains(_rng(5), 3, 4, "fast"))


def test_fading_reproducible():
    for fading, nb in (("quasi_static", 1), ("block", 3), ("fast", 1)):
        a = fading_gains(_rng(11), 4, 9, fading, nb, k_factor=2.0)
        b = fading_gains(_rng(11), 4, 9, fading, nb, k_factor=2.0)
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, fading_gains(_rng(12), 4, 9, fading, nb, k_factor=2.0))


def test_fading_bad_inputs():
    rng = _rng()
    with pytest.raises(ValueError, match=r"fading.*'slow'.*quasi_static"):
        fading_gains(rng, 2, 4, "slow")
    with pytest.raises(ValueError, match=r"n_blocks.*5.*n_symbols=4"):
        fading_gains(rng, 2, 4, "block", n_blocks=5)
    with pytest.raises(ValueError, match="n_blocks"):
        fading_gains(rng, 2, 4, "block", n_blocks=0)
    with pytest.raises(ValueError, match=r"n_blocks.*fading='fast'"):
        fading_gains(rng, 2, 4, "fast", n_blocks=2)
    with pytest.raises(ValueError, match="k_factor"):
        fading_gains(rng, 2, 4, k_factor=-0.1)
    with pytest.raises(ValueError, match="k_factor"):
        fading_gains(rng, 2, 4, k_factor=np.inf)
    with pytest.raises(ValueError, match="batch"):
        fading_gains(rng, 0, 4)
    with pytest.raises(TypeError, match="n_symbols"):
        fading_gains(rng, 2, 4.0)
    with pytest.raises(TypeError, match="rng"):
        fading_gains(None, 2, 4)
    assert FADING_MODELS == ("quasi_static", "block", "fast")


# ---------------------------------------------------------------------------------------------
# Flat fading, estimation, equalization
# ---------------------------------------------------------------------------------------------

def test_flat_fading_and_perfect_csi_equalization():
    rng = _rng()
    x = np.exp(1j * rng.uniform(0, 2 * np.pi, (50_000, 8)))  # unit-energy symbols
    h = fading_gains(rng, 50_000, 8, "fast")
    no = 0.2
    y = flat_fading(x, h, no, _rng(1))
    # the noise is exactly what awgn would add to h*x with the same generator
    np.testing.assert_array_equal(y, awgn(h * x, no, _rng(1)))
    h_hat = estimate_channel(h, rng)            # error_var = 0 -> exact
    np.testing.assert_array_equal(h_hat, h)
    x_hat, no_eff = equalize(y, h_hat, no)
    assert x_hat.shape == no_eff.shape == y.shape and no_eff.dtype == np.float64
    np.testing.assert_allclose(no_eff, no / np.abs(h) ** 2)
    # whitened residual (x_hat - x)/sqrt(no_eff) ~ CN(0, 1): power 1 within 2 % (std 0.16 %)
    r = (x_hat - x) / np.sqrt(no_eff)
    assert np.mean(np.abs(r) ** 2) == pytest.approx(1.0, rel=0.02)


def test_flat_fading_broadcast_gain():
    x = np.ones((3, 5), np.complex128)
    h = np.array([[1.0], [2.0j], [-1.0]])
    y = flat_fading(x, h, 1e-30, _rng())
    np.testing.assert_allclose(y, np.broadcast_to(h, (3, 5)), atol=1e-12)
    x_hat, no_eff = equalize(y, h, 0.5)
    np.testing.assert_allclose(x_hat, x, atol=1e-12)
    np.testing.assert_allclose(no_eff, np.broadcast_to(0.5 / np.abs(h) ** 2, (3, 5)))


def test_estimation_error_variance_and_effective_noise():
    h = fading_gains(_rng(), 100_000, 4, "block", n_blocks=2)
    ev = 0.05
    h_hat = estimate_channel(h, _rng(1), error_var=ev)
    e = h_hat - h
    # error power ev within 2 % (std 0.22 %), uncorrelated with h
    assert np.mean(np.abs(e) ** 2) == pytest.approx(ev, rel=0.02)
    assert abs(_corr(e.ravel(), h.ravel())) < 5 / np.sqrt(h.size)
    # one independent error per element of h, even inside a fading block; same seed, same draw
    assert abs(_corr(e[:, 0], e[:, 1])) < 5 / np.sqrt(h.shape[0])
    np.testing.assert_array_equal(estimate_channel(h, _rng(1), error_var=ev), h_hat)
    # one error per coherence block: estimate the [batch, 1] gain and let equalize broadcast it
    hq = fading_gains(_rng(2), 6, 5)
    hq_hat = estimate_channel(hq[:, :1], _rng(3), error_var=ev)
    assert hq_hat.shape == (6, 1)
    x_hat, no_eff = equalize(hq, hq_hat, 0.1, error_var=ev)
    assert x_hat.shape == no_eff.shape == (6, 5)
    np.testing.assert_allclose(no_eff, np.broadcast_to((0.1 + ev) / np.abs(hq_hat) ** 2, (6, 5)))
    y = np.ones_like(h)
    _, no_eff = equalize(y, h_hat, 0.1, error_var=ev)
    np.testing.assert_allclose(no_eff, (0.1 + ev) / np.abs(h_hat) ** 2)


def test_mismatched_csi_effective_noise_model():
    """With h = h_hat + e~, e~ ~ CN(0, ev) independent of h_hat (the model equalize() assumes),
    the whitened residual of x_hat = y / h_hat has unit power on average."""
    rng = _rng()
    n = 200_000
    ev, no = 0.1, 0.05
    h_hat = fading_gains(rng, n, 1, "fast")
    h = h_hat + np.sqrt(ev / 2) * (rng.standard_normal((n, 1)) + 1j * rng.standard_normal((n, 1)))
    x = np.exp(1j * rng.uniform(0, 2 * np.pi, (n, 1)))
    y = flat_fading(x, h, no, rng)
    x_hat, no_eff = equalize(y, h_hat, no, error_var=ev)
    r = (x_hat - x) / np.sqrt(no_eff)
    assert np.mean(np.abs(r) ** 2) == pytest.approx(1.0, rel=0.02)


def test_channel_bad_inputs():
    rng = _rng()
    x = np.zeros((2, 3), np.complex128)
    h = np.ones((2, 3), np.complex128)
    with pytest.raises(ValueError, match="h: shape"):
        flat_fading(x, np.ones((3, 3)), 1.0, rng)
    with pytest.raises(ValueError, match="no"):
        flat_fading(x, h, -1.0, rng)
    with pytest.raises(TypeError, match="rng"):
        flat_fading(x, h, 1.0, "seed")
    with pytest.raises(ValueError, match="error_var"):
        estimate_channel(h, rng, error_var=-0.1)
    with pytest.raises(TypeError, match="rng"):
        estimate_channel(h, 42)
    with pytest.raises(ValueError, match="h_hat: contains 0"):
        equalize(x, np.zeros((2, 3)), 1.0)
    with pytest.raises(ValueError, match="h_hat: shape"):
        equalize(x, np.ones(2), 1.0)
    with pytest.raises(ValueError, match="no"):
        equalize(x, h, 0.0)
    with pytest.raises(ValueError, match="error_var"):
        equalize(x, h, 1.0, error_var=np.nan)
    with pytest.raises(ValueError, match="error_var: shape"):
        equalize(x, h, 1.0, error_var=np.ones(4))


def test_large_noise_draws_are_chunked_by_shape_not_threads(monkeypatch):
    """Above _CHUNK real draws, chunk i comes from rng.spawn(n_chunks)[i] (the documented
    contract), and the result does not depend on how many threads draw the chunks."""
    import sys
    from concurrent.futures import ThreadPoolExecutor

    awgn_module = sys.modules["linksim.channel.awgn"]   # the package re-exports the function awgn
    size = 2 * awgn_module._CHUNK + 12345
    expected_rng = np.random.default_rng(99)
    children = expected_rng.spawn(3)
    expected = np.concatenate([c.standard_normal(n, dtype=np.float32) for c, n in
                               zip(children, (awgn_module._CHUNK, awgn_module._CHUNK, 12345))])
    got_pool = awgn_module._standard_normal_f32(np.random.default_rng(99), size)
    monkeypatch.setattr(awgn_module, "_POOL", ThreadPoolExecutor(max_workers=1))
    got_serial = awgn_module._standard_normal_f32(np.random.default_rng(99), size)
    assert np.array_equal(got_pool, expected)
    assert np.array_equal(got_serial, expected)
