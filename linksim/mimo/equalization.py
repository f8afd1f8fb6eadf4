"""Imperfect channel estimates and one-tap zero-forcing equalization (the single-antenna case).

Inputs are batch-first complex128 arrays; the only random draw (the estimation error) comes from
the ``numpy.random.Generator`` passed in. Noise is ``CN(0, N0)`` and symbols have unit average
energy, as in :mod:`linksim.channel`.
"""

from __future__ import annotations

import numpy as np

from linksim.channel.awgn import _as_complex, _as_variance, _check_broadcast, complex_normal
from linksim.checks import check_rng

__all__ = ["estimate_channel", "equalize"]


def estimate_channel(h, rng, error_var=0.0):
    """Imperfect channel estimate ``h_hat = h + e``, ``e ~ CN(0, error_var)`` independent of ``h``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Consumes ``h.size * 2`` standard normals (the CN draw of :mod:`linksim.channel.awgn`)
        unless ``error_var`` is 0 everywhere, in which case nothing is drawn.

    Input
    -----
    h : complex128 [...]
        True gains, finite (real input accepted).
    error_var : float64 [...]
        Estimation error variance, >= 0: a scalar or an array broadcastable to ``h.shape``.

    Returns
    -------
    h_hat : complex128 [...]
        The shape of ``h``; equal to ``h`` exactly when ``error_var == 0``.

    Notes
    -----
    Every element of ``h`` gets its own independent error. To model one estimate per coherence
    block (e.g. pilot-based estimation under quasi-static fading), pass the gains at that
    granularity (``h[:, :1]`` for quasi-static) and let :func:`equalize` broadcast ``h_hat``.
    """
    ha = _as_complex("h", h)
    check_rng(rng)
    ev = _as_variance("error_var", error_var, ha.shape, allow_zero=True)
    if not np.any(ev > 0):
        return ha.copy()
    e = complex_normal(rng, ha.shape, ev)
    e += ha
    return e


def equalize(y, h_hat, no, error_var=0.0):
    """One-tap ZF equalization, ``x_hat = y / h_hat``, ``no_eff = (no + error_var) / |h_hat|^2``.

    Model. ``y = h x + w``, ``w ~ CN(0, no)``, ``E|x|^2 = 1``, and the receiver knows
    ``h_hat``. Write ``h = h_hat + e~`` with ``e~`` the estimation error (to first order the
    negative of the ``e`` in :func:`estimate_channel`), so

        ``y = h_hat x + (e~ x + w)``.

    Assumption: the error term ``e~ x`` is treated as extra Gaussian noise, independent of
    ``h_hat``, ``x`` and ``w``, of variance ``error_var * E|x|^2 = error_var`` (unit-energy
    symbols). Then ``x_hat = y / h_hat = x + (e~ x + w) / h_hat`` and

        ``no_eff = (no + error_var) / |h_hat|^2``        (perfect CSI: ``no / |h_hat|^2``).

    This is the usual mismatched (Gaussian-approximation) receiver: it ignores the MMSE bias
    ``E[h | h_hat] != h_hat``, the non-Gaussianity of ``e~ x`` and its correlation across
    symbols that share a gain; it is exact when ``error_var = 0``.

    Input
    -----
    y : complex128 [...]
        Received symbols, finite (real input accepted).
    h_hat : complex128 [...]
        Channel estimate broadcastable to ``y.shape``, no zero entries.
    no : float64 [...]
        Noise variance, > 0: a scalar or an array broadcastable to ``y.shape``.
    error_var : float64 [...]
        Estimation error variance, >= 0: a scalar or an array broadcastable to ``y.shape``.

    Returns
    -------
    x_hat : complex128 [...]
        Equalized symbols, the shape of ``y``.
    no_eff : float64 [...]
        Effective noise variance per symbol for the demapper, the shape of ``y``.
    """
    ya = _as_complex("y", y)
    ha = _as_complex("h_hat", h_hat)
    _check_broadcast("h_hat", ha.shape, ya.shape)
    if np.any(ha == 0):
        raise ValueError("h_hat: contains 0; allowed: non-zero gains (zero-forcing divides by h_hat)")
    nv = _as_variance("no", no, ya.shape, allow_zero=False)
    ev = _as_variance("error_var", error_var, ya.shape, allow_zero=True)
    x_hat = ya / ha
    power = ha.real**2 + ha.imag**2
    no_eff = np.broadcast_to((nv + ev) / power, ya.shape).astype(np.float64, copy=True)
    return x_hat, no_eff
