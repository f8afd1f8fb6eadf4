"""Multipath Rayleigh channels as a tapped delay line (TDL): a power-delay profile, per-frame
random taps, the time-domain convolution with noise, and the per-subcarrier frequency response
an OFDM receiver sees (notes 004 §1.4 and §5 item 1).

The channel of one frame is ``h[l] ~ CN(0, p_l)``, independent over the taps l = 0 .. L-1 (one
sample apart) and constant over the frame (block fading); ``sum_l p_l = 1`` keeps the average
gain at 1, so each subcarrier's gain is CN(0, 1). The output is the linear convolution
``y[n] = sum_l h[l] x[n - l] + w[n]``, ``w ~ CN(0, no)``, with the samples before the frame taken
as zero (the frame is preceded by silence).
"""

from __future__ import annotations

import numpy as np

from linksim.channel.awgn import _as_complex, _as_variance, complex_normal
from linksim.checks import check_int, check_real, check_rng

__all__ = ["exponential_pdp", "tdl_taps", "multipath", "frequency_response"]


def exponential_pdp(n_taps: int, decay_db: float) -> np.ndarray:
    """An exponential power-delay profile ``p_l ∝ 10^(-decay_db * l / 10)``, normalized to sum 1.

    Parameters
    ----------
    n_taps : int
        Number of taps L >= 1 (delay spread L - 1 samples).
    decay_db : float
        Power decay per tap in dB, >= 0 (0: uniform).

    Returns
    -------
    p : float64 [n_taps]
        Tap powers, summing to 1.
    """
    n_taps = check_int("n_taps", n_taps, 1)
    decay_db = check_real("decay_db", decay_db, 0.0)
    p = 10.0 ** (-decay_db * np.arange(n_taps) / 10.0)
    return p / p.sum()


def tdl_taps(rng, batch: int, powers) -> np.ndarray:
    """Independent Rayleigh taps ``h[b, l] ~ CN(0, p_l)``, one channel per frame.

    Parameters
    ----------
    rng : numpy.random.Generator
    batch : int
        Frames (>= 0).

    Input
    -----
    powers : float [n_taps]
        The power-delay profile (e.g. :func:`exponential_pdp`, or an explicit tap list), >= 0.

    Output
    ------
    taps : complex128 [batch, n_taps]
    """
    rng = check_rng(rng)
    batch = check_int("batch", batch, 0)
    p = np.asarray(powers, dtype=np.float64)
    if p.ndim != 1 or p.size == 0 or not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"powers: got {np.asarray(powers)!r}; allowed: a non-empty 1-d array "
                         f"of finite powers >= 0")
    return complex_normal(rng, (batch, p.size), p)


def multipath(x, taps, no, rng) -> np.ndarray:
    """The tapped-delay-line channel: ``y[b, n] = sum_l taps[b, l] x[b, n - l] + w[b, n]``.

    A loop over the L taps (not over frames or samples): each adds one shifted, scaled copy of
    the whole batch.

    Parameters
    ----------
    no : float
        Noise variance, >= 0 (0: noiseless).
    rng : numpy.random.Generator
        Draws the noise (after nothing else).

    Input
    -----
    x : complex128 [batch, n_samples]
        Transmitted samples (e.g. OFDM symbols with their cyclic prefixes).
    taps : complex128 [batch, n_taps]
        Each frame's taps (:func:`tdl_taps`).

    Output
    ------
    y : complex128 [batch, n_samples]
    """
    xa = _as_complex("x", x)
    ta = _as_complex("taps", taps)
    if xa.ndim != 2 or ta.ndim != 2 or ta.shape[0] != xa.shape[0]:
        raise ValueError(f"x, taps: got shapes {xa.shape}, {ta.shape}; allowed: "
                         f"[batch, n_samples] and [batch, n_taps]")
    y = np.zeros_like(xa)
    n = xa.shape[1]
    for lag in range(min(ta.shape[1], n)):
        y[:, lag:] += ta[:, lag:lag + 1] * xa[:, :n - lag]
    nv = _as_variance("no", no, y.shape, allow_zero=True)
    if np.any(nv > 0):
        y += complex_normal(rng, y.shape, nv)
    return y


def frequency_response(taps, n_fft: int) -> np.ndarray:
    """The per-subcarrier gains ``H[b, k] = sum_l taps[b, l] exp(-2 pi j k l / n_fft)`` that a
    cyclic prefix of at least L - 1 samples turns the channel into (one complex gain per
    subcarrier, FFT order: k = 0 is DC).

    Parameters
    ----------
    n_fft : int
        FFT size, >= the number of taps.

    Input
    -----
    taps : complex128 [batch, n_taps]

    Output
    ------
    h : complex128 [batch, n_fft]
    """
    ta = _as_complex("taps", taps)
    n_fft = check_int("n_fft", n_fft, 1)
    if ta.ndim != 2 or ta.shape[1] > n_fft:
        raise ValueError(f"taps: got shape {ta.shape}; allowed: [batch, n_taps] with n_taps <= "
                         f"n_fft = {n_fft}")
    return np.fft.fft(ta, n=n_fft, axis=1)
