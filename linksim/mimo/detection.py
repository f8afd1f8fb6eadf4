"""MIMO detection of ``y = H s + n``: zero-forcing, LMMSE with soft output, and ML.

``s`` holds ``n_s`` independent unit-energy streams; ``n ~ CN(0, C)`` is everything else the
receiver sees, with its true covariance ``C`` (thermal noise, other users' interference, the
artificial noise of every transmitter: notes 002 §1.3, §6). The linear detectors return
per-stream estimates scaled to be unbiased and the effective noise variance of each, which is
what :meth:`linksim.mapping.Constellation.demap` takes as ``no`` (interference plus noise
treated as Gaussian). ML returns bit LLRs directly. LLR = ln P(b=0|y) / P(b=1|y).

Shapes are batch-first: ``h`` complex128 [batch, n_rx, n_s] (the effective channel of the
streams, e.g. ``sqrt(omega) H Q``), ``y`` complex128 [batch, n_rx] or [batch, n_rx, n_sym]
(``n_sym`` vectors through the same channel), ``cov`` complex128 [batch, n_rx, n_rx] or a
scalar noise variance (``C = no I``).
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = ["zf_detect", "lmmse_detect", "lmmse_mse", "ml_llrs"]


def _inputs(h, y, cov):
    """(h [B, R, S], y [B, R, T], cov [B, R, R], squeeze: whether y had no T axis)."""
    h = np.asarray(h)
    y = np.asarray(y)
    if h.dtype.kind not in "biufc" or y.dtype.kind not in "biufc":
        raise TypeError("h, y: allowed: numeric (complex) arrays")
    h = h.astype(np.complex128)
    if h.ndim != 3:
        raise ValueError(f"h: got shape {h.shape}; allowed: [batch, n_rx, n_s]")
    batch, n_rx, n_s = h.shape
    squeeze = y.ndim == 2
    y = y.astype(np.complex128)[..., None] if squeeze else y.astype(np.complex128)
    if y.shape[:2] != (batch, n_rx):
        raise ValueError(f"y: got shape {y.shape}; allowed: [{batch}, {n_rx}] or "
                         f"[{batch}, {n_rx}, n_sym]")
    c = np.asarray(cov)
    if c.ndim == 0:
        if not (np.isfinite(c) and c.real > 0):
            raise ValueError(f"cov: got {cov!r}; allowed: a noise variance > 0 or a covariance")
        c = np.broadcast_to(np.eye(n_rx) * float(c.real), (batch, n_rx, n_rx))
    c = np.asarray(c, dtype=np.complex128)
    if c.shape != (batch, n_rx, n_rx):
        raise ValueError(f"cov: got shape {c.shape}; allowed: [{batch}, {n_rx}, {n_rx}] or a "
                         f"scalar")
    if not (np.isfinite(h).all() and np.isfinite(y).all() and np.isfinite(c).all()):
        raise ValueError("h, y, cov: allowed: finite values")
    return h, y, c, squeeze


def _out(s_hat, squeeze):
    return s_hat[..., 0] if squeeze else s_hat


def zf_detect(h, y, cov):
    """Zero-forcing: ``s_hat = (H^H H)^-1 H^H y``, noise ``G C G^H`` with ``G = pinv(H)``.

    Parameters
    ----------
    h : complex128 [batch, n_rx, n_s]
        Effective channel of the streams, full column rank (n_rx >= n_s).
    y : complex128 [batch, n_rx] or [batch, n_rx, n_sym]
        Received vectors.
    cov : complex128 [batch, n_rx, n_rx] or float
        Covariance of everything but the streams (a scalar: white noise of that variance).

    Returns
    -------
    s_hat : complex128 [batch, n_s] or [batch, n_s, n_sym]
        Unbiased stream estimates (``s_hat = s + G n``).
    no_eff : float64 [batch, n_s]
        Their noise variances, ``[G C G^H]_kk`` (the demapper's ``no``; broadcast it over
        ``n_sym`` as ``no_eff[..., None]``).
    """
    h, y, c, squeeze = _inputs(h, y, cov)
    if h.shape[1] < h.shape[2]:
        raise ValueError(f"h: got {h.shape[1]} receive antennas for {h.shape[2]} streams; "
                         f"allowed: n_rx >= n_s for zero-forcing")
    gram = np.conj(np.swapaxes(h, 1, 2)) @ h
    g = np.linalg.solve(gram, np.conj(np.swapaxes(h, 1, 2)))          # [B, S, R]
    s_hat = g @ y
    no_eff = np.einsum("bsr,brq,bsq->bs", g, c, g.conj()).real
    return _out(s_hat, squeeze), no_eff


def lmmse_mse(h, cov) -> np.ndarray:
    """The LMMSE error covariance ``M = (I + H^H C^-1 H)^-1`` (notes 002 §6 check 1).

    Parameters
    ----------
    h : complex128 [batch, n_rx, n_s]
    cov : complex128 [batch, n_rx, n_rx] or float

    Returns
    -------
    m : complex128 [batch, n_s, n_s]
        ``E[(W^H y - s)(W^H y - s)^H]`` of the (biased) LMMSE estimate; ``-log det M`` is the
        log-det rate ``log det(I + H^H C^-1 H)`` of the streams (nats).
    """
    h, _, c, _ = _inputs(h, np.zeros(np.asarray(h).shape[:2]), cov)
    hc = np.linalg.solve(c, h)                                          # C^-1 H
    info = np.eye(h.shape[2]) + np.conj(np.swapaxes(h, 1, 2)) @ hc
    return np.linalg.inv(info)


def lmmse_detect(h, y, cov):
    """LMMSE detection with soft output: ``W = (H H^H + C)^-1 H``, each stream rescaled to be
    unbiased, with its post-equalization SINR ``1 / M_kk - 1`` (notes 002 §6 check 2).

    The unbiased estimate of stream k is ``w_k^H y / (w_k^H h_k)``, with ``w_k^H h_k = 1 -
    M_kk``; its error (the other streams and ``n`` through ``w_k``) has variance ``1 /
    SINR_k = M_kk / (1 - M_kk)``, which is returned as the demapper's noise variance.

    Parameters
    ----------
    h : complex128 [batch, n_rx, n_s]
        Effective channel of the streams.
    y : complex128 [batch, n_rx] or [batch, n_rx, n_sym]
        Received vectors.
    cov : complex128 [batch, n_rx, n_rx] or float
        True covariance of the interference, artificial noise and thermal noise.

    Returns
    -------
    s_hat : complex128 [batch, n_s] or [batch, n_s, n_sym]
        Unbiased stream estimates.
    no_eff : float64 [batch, n_s]
        Effective noise variance of each estimate, ``1 / SINR_k``.
    sinr : float64 [batch, n_s]
        Post-equalization SINR of each stream, ``1 / M_kk - 1``.
    """
    h, y, c, squeeze = _inputs(h, y, cov)
    r_y = h @ np.conj(np.swapaxes(h, 1, 2)) + c
    w = np.linalg.solve(r_y, h)                                         # [B, R, S]
    gain = np.einsum("brs,brs->bs", w.conj(), h).real                   # w_k^H h_k = 1 - M_kk
    s_hat = (np.conj(np.swapaxes(w, 1, 2)) @ y) / gain[..., None]
    m_kk = 1.0 - gain
    sinr = gain / m_kk
    return _out(s_hat, squeeze), m_kk / gain, sinr


def ml_llrs(h, y, cov, constellation, method: str = "app") -> np.ndarray:
    """Joint ML detection of the streams by exhaustive search: bit LLRs from the Gaussian
    likelihoods ``exp(-(y - H x)^H C^-1 (y - H x))`` of every candidate vector ``x`` (notes 002
    §6; for small constellations and few streams: ``M^n_s`` candidates).

    Parameters
    ----------
    h : complex128 [batch, n_rx, n_s]
    y : complex128 [batch, n_rx] or [batch, n_rx, n_sym]
    cov : complex128 [batch, n_rx, n_rx] or float
    constellation : linksim.mapping.Constellation
        Of every stream.
    method : {"app", "maxlog"}
        Exact log-sum-exp over the candidates, or its max-log approximation.

    Returns
    -------
    llr : float64 [batch, n_s * m] or [batch, n_sym, n_s * m]
        Bit ``m*k + j`` is bit ``j`` of stream ``k`` (the bit order of
        :meth:`Constellation.map` applied to the streams in order); positive favours 0.
    """
    h, y, c, squeeze = _inputs(h, y, cov)
    if method not in ("app", "maxlog"):
        raise ValueError(f"method: got {method!r}; allowed: one of app, maxlog")
    n_s = h.shape[2]
    m = constellation.bits_per_symbol
    n_cand = constellation.num_points ** n_s
    if n_cand > 4096:
        raise ValueError(f"constellation: got {constellation.num_points}^{n_s} = {n_cand} "
                         f"candidate vectors; allowed: at most 4096 (use lmmse_detect)")
    labels = np.array(list(itertools.product(range(constellation.num_points), repeat=n_s)))
    bits_of_point = ((np.arange(constellation.num_points)[:, None] >> np.arange(m)[::-1])
                     & 1).astype(np.uint8)                              # [M, m], MSB first
    point_of_label = constellation.map(bits_of_point.reshape(-1)).reshape(-1)
    cand = point_of_label[labels]                                       # [N, S]
    cand_bits = bits_of_point[labels].reshape(n_cand, n_s * m)          # [N, S*m]
    # whiten: C = L L^H, so (y - Hx)^H C^-1 (y - Hx) = |L^-1 y - L^-1 H x|^2
    chol = np.linalg.cholesky(c)
    yw = np.linalg.solve(chol, y)                                       # [B, R, T]
    hw = np.linalg.solve(chol, h)                                       # [B, R, S]
    mean = np.einsum("brs,ns->bnr", hw, cand)                           # [B, N, R]
    dist = (np.abs(yw[:, None, :, :] - mean[..., None]) ** 2).sum(axis=2)   # [B, N, T]
    metric = -dist
    llr = np.empty((h.shape[0], y.shape[2], n_s * m))
    for bit in range(n_s * m):
        zero = cand_bits[:, bit] == 0
        a, b = metric[:, zero, :], metric[:, ~zero, :]
        if method == "maxlog":
            llr[..., bit] = a.max(axis=1) - b.max(axis=1)
        else:
            llr[..., bit] = _lse(a) - _lse(b)
    return llr[:, 0, :] if squeeze else llr


def _lse(a: np.ndarray) -> np.ndarray:
    """log-sum-exp over axis 1, stable."""
    top = a.max(axis=1)
    return top + np.log(np.exp(a - top[:, None, :]).sum(axis=1))
