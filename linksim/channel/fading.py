"""Flat fading: gain generation (quasi-static / block / fast, Rayleigh or Rician) and the fading
channel ``y = h x + w``. Channel estimates and equalization are in :mod:`linksim.mimo.equalization`.

Gain model (``E|h|^2 = 1``): ``h = sqrt(K/(K+1)) * 1 + sqrt(1/(K+1)) * g``, ``g ~ CN(0, 1)``,
where ``K = k_factor`` is the Rician K-factor (linear). The line-of-sight component has phase 0
(a fixed, known phase; with coherent detection its value does not change error rates).
``K = 0`` is Rayleigh fading (``h = g`` exactly).

Time structure (per frame of ``n_symbols`` symbols, frames independent):

* ``"quasi_static"``: one gain per frame, constant over all symbols;
* ``"block"``: ``n_blocks`` independent gains per frame, the symbols split into ``n_blocks``
  contiguous blocks of nearly equal length (as ``numpy.array_split``: the first
  ``n_symbols % n_blocks`` blocks are one symbol longer);
* ``"fast"``: i.i.d. gains per symbol.

Draw order: the ``g`` of a call are drawn as one CN(0, 1) array of shape ``[batch, G]``
(``G = 1``, ``n_blocks`` or ``n_symbols``; see ``awgn`` for the CN draw), so ``"block"`` with
``n_blocks = 1`` draws exactly what ``"quasi_static"`` draws and with ``n_blocks = n_symbols``
exactly what ``"fast"`` draws.
"""

from __future__ import annotations

import numpy as np

from linksim.checks import check_int, check_real, check_rng

from .awgn import _as_complex, _as_variance, _check_broadcast, complex_normal

__all__ = ["FADING_MODELS", "fading_gains", "block_lengths", "flat_fading"]

#: Allowed values of ``fading`` in :func:`fading_gains`.
FADING_MODELS = ("quasi_static", "block", "fast")


def block_lengths(n_symbols: int, n_blocks: int) -> np.ndarray:
    """Lengths of the contiguous fading blocks of a frame (the ``numpy.array_split`` rule).

    The first ``n_symbols % n_blocks`` blocks are one symbol longer.

    Parameters
    ----------
    n_symbols : int
        Symbols per frame, >= 1.
    n_blocks : int
        Blocks per frame, 1 <= n_blocks <= n_symbols.

    Returns
    -------
    lengths : int64 [n_blocks]
        Summing to ``n_symbols``.
    """
    n_symbols = check_int("n_symbols", n_symbols, 1)
    n_blocks = check_int("n_blocks", n_blocks, 1)
    if n_blocks > n_symbols:
        raise ValueError(f"n_blocks: got {n_blocks}; allowed: 1 <= n_blocks <= n_symbols={n_symbols}")
    q, r = divmod(n_symbols, n_blocks)
    return np.array([q + 1] * r + [q] * (n_blocks - r), dtype=np.int64)


def fading_gains(rng, batch, n_symbols, fading="quasi_static", n_blocks=1, k_factor=0.0):
    """Flat-fading gains ``h = sqrt(K/(K+1)) + sqrt(1/(K+1)) g``, ``g ~ CN(0, 1)``.

    Unit mean power, ``E|h|^2 = 1``, for ``batch`` frames of ``n_symbols`` symbols; the gain
    model and time structures are those of the module docstring.

    Parameters
    ----------
    rng : numpy.random.Generator
        Draws the ``g`` of the call as one CN(0, 1) array ``[batch, G]``, G = 1, n_blocks or
        n_symbols (module docstring, "Draw order").
    batch : int
        Frames, >= 1.
    n_symbols : int
        Symbols per frame, >= 1.
    fading : {"quasi_static", "block", "fast"}
        Time structure (module docstring); case-insensitive.
    n_blocks : int
        ``1 <= n_blocks <= n_symbols`` for ``"block"``; must be 1 otherwise.
    k_factor : float
        Rician K (linear), finite, >= 0; 0 = Rayleigh.

    Returns
    -------
    h : complex128 [batch, n_symbols]
        The gain of each symbol.
    """
    check_rng(rng)
    batch = check_int("batch", batch, 1)
    n_symbols = check_int("n_symbols", n_symbols, 1)
    if not isinstance(fading, str) or fading.lower() not in FADING_MODELS:
        raise ValueError(f"fading: got {fading!r}; allowed: one of {FADING_MODELS}")
    fading = fading.lower()
    n_blocks = check_int("n_blocks", n_blocks, 1)
    if fading != "block" and n_blocks != 1:
        raise ValueError(f"n_blocks: got {n_blocks} with fading={fading!r}; allowed: 1 "
                         "(n_blocks > 1 needs fading='block')")
    k = check_real("k_factor", k_factor)
    if k < 0:
        raise ValueError(f"k_factor: got {k_factor!r}; allowed: a finite number >= 0 (0 = Rayleigh)")

    if fading == "quasi_static":
        n_gains = 1
    elif fading == "block":
        lengths = block_lengths(n_symbols, n_blocks)
        n_gains = n_blocks
    else:
        n_gains = n_symbols
    g = complex_normal(rng, (batch, n_gains))
    if k > 0:
        g = np.sqrt(k / (k + 1.0)) + np.sqrt(1.0 / (k + 1.0)) * g
    if fading == "quasi_static":
        return np.repeat(g, n_symbols, axis=1)
    if fading == "block":
        return np.repeat(g, lengths, axis=1)
    return g


def flat_fading(x, h, no, rng):
    """Flat-fading channel ``y = h * x + w``, ``w ~ CN(0, no)`` i.i.d. (module docstring).

    Parameters
    ----------
    rng : numpy.random.Generator
        Consumes the noise as :func:`linksim.channel.awgn` does (``x.size * 2`` standard
        normals).

    Input
    -----
    x : complex128 [...]
        Transmitted symbols, e.g. ``[batch, n]``, finite (real input accepted).
    h : complex128 [...]
        Gains broadcastable to ``x.shape`` (e.g. from :func:`fading_gains`), finite.
    no : float64 [...]
        Noise variance, > 0: a scalar or an array broadcastable to ``x.shape``.

    Returns
    -------
    y : complex128 [...]
        The shape of ``x``.
    """
    xa = _as_complex("x", x)
    ha = _as_complex("h", h)
    _check_broadcast("h", ha.shape, xa.shape)
    nv = _as_variance("no", no, xa.shape, allow_zero=False)
    check_rng(rng)
    w = complex_normal(rng, xa.shape, nv)
    w += ha * xa
    return w
