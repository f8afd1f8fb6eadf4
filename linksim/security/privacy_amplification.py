"""Privacy amplification by Toeplitz hashing, a 2-universal family keyed from public randomness
(notes 001 §5.2 step 5), and the output length of the leftover hash lemma.

Both sides of a key agreement hold the same reconciled string ``x`` of ``n_in`` bits; a seed
``s`` of ``n_in + n_out - 1`` public random bits picks the ``n_out x n_in`` Toeplitz matrix

``T[i, j] = s[i - j + n_in - 1]``  (constant along each diagonal; ``scipy.linalg.toeplitz``
with first column ``s[n_in - 1:]`` and first row ``s[n_in - 1::-1]``),

and the key is ``k = T x`` over GF(2), i.e. ``k[i] = (sum_j s[i + n_in - 1 - j] x[j]) mod 2``:
the middle ("valid") ``n_out`` terms of the full convolution ``s * x``. For a uniform seed and
any two distinct inputs, ``P(T x = T x') = 2^-n_out`` exactly (the family is 2-universal:
Mansour, Nisan and Tiwari 1990; Krawczyk 1994).

The convolution is computed as a float64 FFT product of the 0/1 vectors (length
``next_fast_len(n_in + n_out - 1)``), rounded to the nearest integer and taken mod 2. Every term
is an integer count in ``[0, n_in]``, far below ``2^52`` where float64 stops holding integers
exactly, and the FFT's rounding error grows like ``1e-16 n_in log2 L`` (measured: at most 4e-12
for ``n_in <= 65536``, 1.5e-11 at ``3e5``), far below the 1/2 at which rounding could pick the
wrong integer. Each call checks that every value lies within 0.25 of an integer and raises
``RuntimeError`` otherwise, so the result is exact or an error.

The FFT was measured against a Numba kernel on packed 64-bit words (the parity of
``window AND x`` per output bit, ``n_in n_out / 64`` word operations per frame, parallel over
frames and outputs), per frame on 2 cores for ``n_in`` in 16 .. 16384 and ``n_out`` in
1 .. ``n_in``: the kernel was up to 2 times faster for ``n_in`` of 128 to 1024 with
``n_out << n_in`` (a few to tens of microseconds per frame), the FFT 2 to 5 times faster once
``n_in n_out`` passes about 1e7 (``n_in = n_out = 16384``: 0.9 ms against 4.3 ms per frame).
The FFT is kept: it wins where the cost matters and scales as ``L log L``.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.fft as sfft

from linksim.checks import check_count, check_real, check_real_array, check_rng

__all__ = ["toeplitz_hash", "toeplitz_seeds", "leftover_hash_length"]

# The largest distance of an FFT output from an integer that is accepted as exact.
_ROUNDING_GUARD = 0.25


def _bits(name: str, value) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name}: got dtype {arr.dtype}; allowed: 0/1 values (uint8 preferred)")
    if arr.ndim == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name}: got shape {arr.shape}; allowed: [..., length >= 1]")
    if np.any((arr != 0) & (arr != 1)):
        raise ValueError(f"{name}: got values other than 0 and 1; allowed: 0 or 1")
    return arr


def toeplitz_seeds(rng, n_in: int, n_out: int, shape=()) -> np.ndarray:
    """Uniform public seeds of the Toeplitz hash, ``n_in + n_out - 1`` bits each (notes 001 §5.2).

    Drawn as ``rng.integers(0, 2, (*shape, n_in + n_out - 1), dtype=uint8)``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The public randomness (one draw).
    n_in : int
        Input length in bits, >= 1.
    n_out : int
        Output (key) length in bits, >= 1.
    shape : tuple of int
        Leading shape, e.g. ``(batch,)`` for one seed per frame; ``()`` for one seed.

    Returns
    -------
    seeds : uint8 [*shape, n_in + n_out - 1]
        Independent fair bits.
    """
    gen = check_rng(rng)
    n_in = check_count("n_in", n_in)
    n_out = check_count("n_out", n_out)
    lead = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 0 for d in lead):
        raise ValueError(f"shape: got {shape!r}; allowed: a tuple of integers >= 0")
    return gen.integers(0, 2, (*lead, n_in + n_out - 1), dtype=np.uint8)


def toeplitz_hash(bits, seeds) -> np.ndarray:
    """The Toeplitz hash ``k = T_s x`` over GF(2), ``T[i, j] = s[i - j + n_in - 1]`` (notes 001 §5.2).

    Batched: the leading axes of ``bits`` and ``seeds`` broadcast, so one seed may serve every
    frame or each frame may have its own. Exact (module docstring); cost one real FFT of length
    ``L >= n_in + n_out - 1`` per input and per seed, and one inverse per output frame.

    Input
    -----
    bits : uint8 [..., n_in]
        The strings to hash, values 0 or 1 (bool, integer or float arrays of 0/1 accepted),
        ``n_in >= 1``.
    seeds : uint8 [..., n_in + n_out - 1]
        The public seeds, values 0 or 1, last axis ``>= n_in`` (it sets ``n_out >= 1``);
        leading axes broadcastable with those of ``bits``.

    Returns
    -------
    key : uint8 [..., n_out]
        ``key[..., i] = (sum_j seeds[..., i + n_in - 1 - j] bits[..., j]) mod 2``, leading
        axes the broadcast of both.

    Raises
    ------
    RuntimeError
        If an FFT output lies farther than 0.25 from an integer (not observed; it would take
        lengths far beyond memory).
    """
    x = _bits("bits", bits)
    s = _bits("seeds", seeds)
    n_in, n_seed = x.shape[-1], s.shape[-1]
    if n_seed < n_in:
        raise ValueError(f"seeds: got length {n_seed} with n_in = {n_in}; allowed: "
                         f"n_in + n_out - 1 >= n_in bits (n_out >= 1)")
    try:
        lead = np.broadcast_shapes(x.shape[:-1], s.shape[:-1])
    except ValueError:
        raise ValueError(f"seeds: got leading shape {s.shape[:-1]} with bits' "
                         f"{x.shape[:-1]}; allowed: leading shapes that broadcast") from None
    n_out = n_seed - n_in + 1
    if math.prod(lead) == 0:
        return np.zeros((*lead, n_out), dtype=np.uint8)
    # A circular convolution of length >= n_seed suffices: the linear one has n_in + n_seed - 1
    # terms, and those past the length wrap onto indices < n_in - 1, which the valid part
    # [n_in - 1, n_seed) never reads.
    size = sfft.next_fast_len(n_seed, real=True)
    spec = sfft.rfft(x.astype(np.float64), size, axis=-1)
    spec = spec * sfft.rfft(s.astype(np.float64), size, axis=-1)
    conv = sfft.irfft(spec, size, axis=-1, overwrite_x=True)[..., n_in - 1:n_seed]
    counts = np.rint(conv)
    if np.max(np.abs(conv - counts)) > _ROUNDING_GUARD:
        raise RuntimeError("toeplitz_hash: an FFT output is not within 0.25 of an integer; the "
                           "GF(2) product would not be exact")
    return (counts.astype(np.int64) & 1).astype(np.uint8)


def leftover_hash_length(entropy_bits, leaked_bits, epsilon: float):
    """Key length ``l = max(floor(H - leaked - 2 log2(1/epsilon)), 0)`` (leftover hash lemma).

    Leftover hash lemma (Impagliazzo, Levin and Luby 1989; Bennett, Brassard, Crepeau and
    Maurer 1995; with side information and smoothing, Renner 2005, Tomamichel et al. 2011): if
    ``X`` has smooth min-entropy ``H_min^e'(X | E) >= H`` given everything the eavesdropper
    holds, and ``K = f_S(X)`` with ``f_S`` drawn from a 2-universal family of ``l``-bit outputs
    by a uniform public seed ``S``, then ``(1/2) |P_KSE - U_l x P_SE|_1 <= 2 e' +
    (1/2) 2^(-(H - l) / 2)``. Public discussion of ``leaked`` bits (the syndrome, a
    confirmation hash) lowers the smooth min-entropy by at most ``leaked``; so
    ``l = H - leaked - 2 log2(1/epsilon)`` keeps the key within ``epsilon / 2 + 2 e'`` of
    uniform and independent of ``(S, E)``.

    ``entropy_bits`` must be a smooth min-entropy (lower bound). ``n H(Q | Y_2)``, a Shannon
    entropy, is the asymptotic i.i.d. approximation (asymptotic equipartition:
    ``H_min^e'(X^n | E^n) = n H(X | E) - O(sqrt(n))``), which overstates ``l`` at finite ``n``.

    Parameters
    ----------
    entropy_bits : float or array
        ``H``, the (smooth min-)entropy of the reconciled string given the eavesdropper, in
        bits, finite, >= 0.
    leaked_bits : float or array
        Bits disclosed over the public channel, finite, >= 0; broadcast with ``entropy_bits``.
    epsilon : float
        Security parameter, 0 < epsilon < 1.

    Returns
    -------
    length : int or int64 [...]
        ``max(floor(H - leaked - 2 log2(1/epsilon)), 0)``; an int for scalar arguments.
    """
    h = check_real_array("entropy_bits", entropy_bits, lo=0.0, hi=np.inf, hi_open=True,
                         allowed="finite numbers of bits >= 0")
    leak = check_real_array("leaked_bits", leaked_bits, lo=0.0, hi=np.inf, hi_open=True,
                            allowed="finite numbers of bits >= 0")
    eps = check_real("epsilon", epsilon, lo=0.0, hi=1.0, strict_lo=True)
    if eps == 1.0:
        raise ValueError("epsilon: got 1.0; allowed: a number > 0 and < 1")
    try:
        raw = h - leak - 2.0 * math.log2(1.0 / eps)
    except ValueError:
        raise ValueError(f"leaked_bits: got shape {leak.shape} with entropy_bits' {h.shape}; "
                         f"allowed: shapes that broadcast") from None
    length = np.maximum(np.floor(raw), 0.0).astype(np.int64)
    return int(length) if length.ndim == 0 else length
