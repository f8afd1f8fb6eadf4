"""The forward (FW) key's blocks (notes 001 §1.5 and §5.2, "FW key"): base station i sends a
uniformly random codeword, user i decodes it from its channel output, and the codeword is the
key material that privacy amplification compresses. This is wiretap coding with the binning
done by the universal hash (the random part of the codeword plays the dummy bits' role).

Channel (eq. 6, real, unit noise) with pairs of real uses carried as one complex QAM symbol
(square QAM is two Gray PAMs, one per real use), ``n_sym`` real uses per block, both base
stations sending codewords (both pairs run FW) at power ``P_k`` per real use::

    Y_1 = X_1 + alpha_1 X_2 + N_1,      Y_2 = alpha_2 X_1 + X_2 + N_2,
    X_k = sqrt(2 P_k) s_k,  s_k unit-energy QAM,  N_k ~ CN(0, 2).

The key material of pair ``i`` is the codeword ``c`` of an ``[N, k]`` code, ``N = (n_sym / 2)
m`` bits for ``m`` bits per QAM symbol, ``c = encode(u)`` with ``u`` uniform. User i demaps
``Y_i`` treating the other pair's codeword as Gaussian noise of its power (per-symbol
mismatched decoding; the other pair's symbols are drawn i.i.d. uniform, their law as seen
symbol by symbol) and decodes by BP. The eavesdropper is user j, who knows her own codeword
``X_j`` (a genie, as in the conditioning of the rate ``I(X_i; Y_j, X_j)``, notes §5.2): she
sees ``Z = Y_j - X_j = alpha_j X_i + N_j``.

Rates per real use (QAM with equiprobable points, :func:`linksim.theory.fbl.capacity` halved):
``I_B = I(s; s + CN(0, 1 / sinr))`` at ``sinr = P_i / (1 + alpha_i^2 P_j)``, and ``I_E`` at
``snr = alpha_j^2 P_i``. Her equivocation of the block: ``H(C | Z^n) = k - I(C; Z^n) >= k -
n I_E``, since the channel is memoryless and every symbol of a linear code's random codeword is
uniform on the constellation (``I(C; Z^n) <= sum_t I(X_t; Z_t)``). Her min-entropy, rigorously
(the codebook relaxed to every symbol sequence): ``P_guess(C | Z^n) = 2^-k E max_c p(z | c) /
p(z)`` integrates to ``<= 2^-k prod_t int max_a p(z_t | a) dz_t``, so ``H_min(C | Z^n) >= k -
(n / 2) log2 G``, ``G = int max_a p(z | a) dz = M P_c`` (``P_c`` the uncoded ML detector's
probability of a correct symbol), exact per axis from the decision intervals.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ndtr

__all__ = ["ForwardBlocks"]


def _guessing_bits(levels, amplitude: float) -> float:
    """``log2 int max_a phi(z - amplitude * a) dz`` for one real axis of unit-variance noise
    (PAM ``levels``): the sum over the ML decision intervals of each level's mass in its own."""
    v = np.sort(np.asarray(levels, np.float64)) * amplitude
    edges = np.concatenate([[-np.inf], (v[1:] + v[:-1]) / 2, [np.inf]])
    return float(math.log2(np.sum(ndtr(edges[1:] - v) - ndtr(edges[:-1] - v))))


class ForwardBlocks:
    """(FW) blocks of pair ``pair`` at powers ``p = {1: P_1, 2: P_2}``, gains ``a = {1:
    alpha_1, 2: alpha_2}``, QAM ``modulation``, ``n_sym`` real uses (even; module docstring).

    Attributes (per real use unless a block is said): ``n_bits`` ``N``, ``bits_per_use``
    ``m / 2``, ``bob_mi`` ``I_B``, ``eve_mi`` ``I_E``, ``eve_guessing_rate`` ``log2 G / 2``;
    per QAM symbol: ``n_symbols`` ``n_sym / 2``, ``symbol_bits`` ``m``, ``symbol_mi`` ``2 I_B``;
    ``public_code`` False (nothing but the confirmation hash is published), ``constellation``.
    """

    public_code = False

    def __init__(self, p: dict, a: dict, pair: int, modulation: str, n_sym: int):
        from linksim.mapping import Constellation
        from linksim.theory.fbl import capacity
        i, j = pair, 3 - pair
        self.p, self.a, self.i, self.j = p, a, i, j
        self.constellation = const = Constellation(modulation)
        m = const.bits_per_symbol
        self.n_sym, self.n_symbols = n_sym, n_sym // 2
        self.n_bits = self.n_symbols * m
        self.bits_per_use, self.symbol_bits = m / 2, m
        self.bob_noise = (1 + a[i] ** 2 * p[j]) / p[i]     # per complex symbol, s-normalized
        self.eve_amplitude = a[j] * math.sqrt(2 * p[i])
        self.bob_mi = float(capacity(1 / self.bob_noise, modulation)) / 2
        self.symbol_mi = 2 * self.bob_mi
        self.eve_mi = float(capacity(a[j] ** 2 * p[i], modulation)) / 2
        levels = np.unique(np.round(const.points.real, 12))
        # per real axis (one real use): the in-phase level times the amplitude, unit noise
        self.eve_guessing_rate = _guessing_bits(levels, self.eve_amplitude)

    def eve_entropy(self, code) -> float:
        """``k - n I_E``: her Shannon equivocation of the codeword (bits, module docstring)."""
        return code.k - self.n_sym * self.eve_mi

    def eve_min_entropy(self, code) -> float:
        """``k - n log2(G) / 2``: a rigorous lower bound on her average min-entropy (bits)."""
        return code.k - self.n_sym * self.eve_guessing_rate

    def draw(self, rng, n_frames: int, code) -> dict:
        """One batch: ``bits`` uint8 [F, N] (the codeword c), ``t`` zeros (no public code
        offset), ``soft`` float64 [F, N] (user i's LLRs), ``eve`` (her ``Z`` [F, n_sym / 2]
        complex).

        Draw order: ``u`` uint8 [F, k], the other pair's bits uint8 [F, N], ``N_1``, ``N_2``
        (standard normals [F, n_sym / 2, 2] each: real and imaginary parts)."""
        p, a, i, j = self.p, self.a, self.i, self.j
        const, n_c = self.constellation, self.n_symbols
        u = rng.integers(0, 2, (n_frames, code.k), dtype=np.uint8)
        bits = np.asarray(code.encode(u), np.uint8)
        other = rng.integers(0, 2, (n_frames, self.n_bits), dtype=np.uint8)
        noise = {k: rng.standard_normal((n_frames, n_c, 2)).view(np.complex128)[..., 0]
                 for k in (1, 2)}
        x = {i: math.sqrt(2 * p[i]) * const.map(bits), j: math.sqrt(2 * p[j]) * const.map(other)}
        y = {1: x[1] + a[1] * x[2] + noise[1], 2: x[2] + a[2] * x[1] + noise[2]}
        llr = const.demap(y[i] / math.sqrt(2 * p[i]), self.bob_noise)
        return {"bits": bits, "t": np.zeros_like(bits), "soft": llr, "eve": y[j] - x[j]}

    def eve_soft(self, eve, code) -> np.ndarray:
        """Her per-bit LLRs of c [F, N] from ``Z`` [F, n_sym / 2] (all 0 when ``alpha_j =
        0``); ``code`` is unused (the same soft information for any code)."""
        if self.eve_amplitude == 0:
            return np.zeros(eve.shape[:-1] + (self.n_bits,))
        return self.constellation.demap(eve / self.eve_amplitude, 2 / self.eve_amplitude ** 2)

    def eve_label_log_probs(self, eve) -> np.ndarray:
        """Her per-symbol log posteriors of the labels [F, n_sym / 2, M], indexed by the
        label's integer ``L`` (bit ``i`` of ``L`` is the block's bit ``t m + i``), from
        ``p(z | s_a) ~ exp(-|z - A s_a|^2 / 2)`` (``A`` the amplitude ``alpha_j sqrt(2
        P_i)``), normalized per symbol."""
        const = self.constellation
        m = const.bits_per_symbol
        loglik = -np.abs(eve[..., None] - self.eve_amplitude * const.points) ** 2 / 2
        loglik -= np.logaddexp.reduce(loglik, axis=-1, keepdims=True)
        label_int = (const.labels.astype(np.int64) << np.arange(m)).sum(axis=1)
        out = np.empty_like(loglik)
        out[..., label_int] = loglik
        return out
