"""OFDM modulation: a unitary IFFT of each OFDM symbol with its last ``cp_len`` samples
prepended as the cyclic prefix, and the inverse (drop the prefix, unitary FFT). With the
prefix at least as long as the channel's delay spread, the linear convolution of the channel
acts on each OFDM symbol as a circular one, so each subcarrier sees one complex gain
(:func:`linksim.channel.multipath.frequency_response`). Batched over frames and symbols (one
FFT call per batch)."""

from __future__ import annotations

import numpy as np

from linksim.checks import check_int

__all__ = ["ofdm_modulate", "ofdm_demodulate"]


def ofdm_modulate(grid, cp_len: int) -> np.ndarray:
    """Time-domain samples of a batch of grids: ``IFFT`` (unitary, so the energy per sample
    equals the energy per carrier) and the cyclic prefix.

    Parameters
    ----------
    cp_len : int
        Cyclic-prefix length in samples, 0 <= cp_len <= n_fft.

    Input
    -----
    grid : complex128 [batch, n_symbols, n_fft]

    Output
    ------
    samples : complex128 [batch, n_symbols * (n_fft + cp_len)]
    """
    g = np.asarray(grid, dtype=np.complex128)
    if g.ndim != 3:
        raise ValueError(f"grid: got shape {g.shape}; allowed: [batch, n_symbols, n_fft]")
    n_fft = g.shape[2]
    cp_len = check_int("cp_len", cp_len, 0, n_fft)
    t = np.fft.ifft(g, axis=2, norm="ortho")
    with_cp = np.concatenate([t[:, :, n_fft - cp_len:], t], axis=2)
    return with_cp.reshape(g.shape[0], -1)


def ofdm_demodulate(samples, n_fft: int, cp_len: int) -> np.ndarray:
    """The received grid: drop each OFDM symbol's cyclic prefix, unitary ``FFT``.

    Parameters
    ----------
    n_fft : int
        FFT size (>= 1).
    cp_len : int
        Cyclic-prefix length, 0 <= cp_len <= n_fft.

    Input
    -----
    samples : complex128 [batch, n_symbols * (n_fft + cp_len)]

    Output
    ------
    grid : complex128 [batch, n_symbols, n_fft]
    """
    n_fft = check_int("n_fft", n_fft, 1)
    cp_len = check_int("cp_len", cp_len, 0, n_fft)
    y = np.asarray(samples, dtype=np.complex128)
    step = n_fft + cp_len
    if y.ndim != 2 or y.shape[1] % step:
        raise ValueError(f"samples: got shape {y.shape}; allowed: [batch, n_symbols * "
                         f"{step}] (n_fft + cp_len)")
    blocks = y.reshape(y.shape[0], -1, step)[:, :, cp_len:]
    return np.fft.fft(blocks, axis=2, norm="ortho")
