"""The OFDM resource grid: which of the ``n_fft`` subcarriers of each OFDM symbol carry data
(guard bands at both edges, an optional null DC carrier), and the mapping of a frame's data
symbols onto them (frequency first, then OFDM symbol)."""

from __future__ import annotations

import numpy as np

from linksim.checks import check_bool, check_int

__all__ = ["ResourceGrid"]


class ResourceGrid:
    """Subcarriers x OFDM symbols, with guard and DC carriers.

    Subcarrier index k is in FFT order (k = 0 is DC, k = n_fft/2 the Nyquist edge); the used
    band is the ``n_fft - guard_left - guard_right`` carriers centred on DC, less DC itself
    when ``dc_null``.

    Parameters
    ----------
    n_fft : int
        FFT size (>= 2).
    n_symbols : int
        OFDM symbols per frame (>= 1).
    guard_left, guard_right : int
        Null carriers at the lower and upper band edge (>= 0).
    dc_null : bool
        Leave the DC carrier empty.

    Attributes
    ----------
    data_carriers : int64 [n_data]
        FFT indices of the data subcarriers, in increasing frequency.
    n_data : int
        Data subcarriers per OFDM symbol.
    """

    def __init__(self, n_fft: int, n_symbols: int, guard_left: int = 0, guard_right: int = 0,
                 dc_null: bool = False):
        self.n_fft = check_int("n_fft", n_fft, 2)
        self.n_symbols = check_int("n_symbols", n_symbols, 1)
        self.guard_left = check_int("guard_left", guard_left, 0)
        self.guard_right = check_int("guard_right", guard_right, 0)
        self.dc_null = check_bool("dc_null", dc_null)
        freq = np.arange(self.n_fft) - self.n_fft // 2          # -n/2 .. n/2 - 1
        used = (freq >= freq[0] + self.guard_left) & (freq <= freq[-1] - self.guard_right)
        if self.dc_null:
            used &= freq != 0
        if not used.any():
            raise ValueError(f"guard_left: got {guard_left} (guard_right {guard_right}, n_fft "
                             f"{n_fft}); allowed: guards that leave at least one data carrier")
        self.data_carriers = np.mod(freq[used], self.n_fft).astype(np.int64)
        self.n_data = int(used.sum())

    @property
    def n_resource(self) -> int:
        """Data symbols per frame, ``n_data * n_symbols``."""
        return self.n_data * self.n_symbols

    def map(self, symbols) -> np.ndarray:
        """Place a frame's data symbols on the grid (zeros on guard and DC carriers).

        Input
        -----
        symbols : complex128 [batch, n_data * n_symbols]
            Frequency first: symbol ``s * n_data + j`` goes to data carrier j of OFDM symbol s.

        Output
        ------
        grid : complex128 [batch, n_symbols, n_fft]
        """
        x = np.asarray(symbols)
        if x.ndim != 2 or x.shape[1] != self.n_resource:
            raise ValueError(f"symbols: got shape {x.shape}; allowed: [batch, "
                             f"{self.n_resource}] (n_data * n_symbols)")
        grid = np.zeros((x.shape[0], self.n_symbols, self.n_fft), np.complex128)
        grid[:, :, self.data_carriers] = x.reshape(x.shape[0], self.n_symbols, self.n_data)
        return grid

    def unmap(self, grid) -> np.ndarray:
        """The data symbols of a grid, in the order of :meth:`map`.

        Input
        -----
        grid : complex128 [batch, n_symbols, n_fft]
            Or any dtype (e.g. float64 noise variances per carrier).

        Output
        ------
        symbols : complex128 [batch, n_data * n_symbols]
            The dtype of ``grid``.
        """
        g = np.asarray(grid)
        if g.ndim != 3 or g.shape[1:] != (self.n_symbols, self.n_fft):
            raise ValueError(f"grid: got shape {g.shape}; allowed: [batch, {self.n_symbols}, "
                             f"{self.n_fft}]")
        return g[:, :, self.data_carriers].reshape(g.shape[0], self.n_resource)
