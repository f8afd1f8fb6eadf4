"""The parallel broadcast channel with common and confidential messages (seed 004): CSI margins,
channel owners and per-channel encoding (C-E), batched over channel realizations (notes 004
§1.3, §2.6 eq. 22, §2.8 eqs. 32-36).

Gains are ``am = alpha^-`` (the gain used for an intended receiver) and ``ap = alpha^+`` (the
gain used for an eavesdropper), float64 ``[batch, K, L]``; powers ``p`` are ``[batch, K + 1, L]``
with row 0 the common message M0 and row k the confidential message Mk. Rates are in bits
(log2), noise CN(0, 1) on every channel.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["csi_margins", "owners", "ce_rates", "ce_allocation"]

LN2 = math.log(2)


def csi_margins(h_hat, gain: float, error_var: float, eps: float):
    """The margins of eq. (7): ``P[alpha > alpha^+ | h_hat] = eps = P[alpha < alpha^- | h_hat]``.

    With the prior ``h ~ CN(0, gain)`` and ``h_hat = h + eta``, ``eta ~ CN(0, error_var)``, the
    posterior is ``CN(mu, v)``, ``mu = gain h_hat / (gain + error_var)``, ``v = gain error_var /
    (gain + error_var)``, so ``2 alpha / v`` is noncentral chi-square with 2 degrees of freedom and
    noncentrality ``2 |mu|^2 / v`` (notes §1.3). ``error_var = 0`` gives ``alpha^- = alpha^+ =
    |h_hat|^2``.

    Parameters
    ----------
    gain : float
        Prior variance Gamma of the channel (> 0).
    error_var : float
        Estimation error variance sigma^2 (>= 0).
    eps : float
        Outage level, 0 < eps < 1.

    Input
    -----
    h_hat : complex128 [...]

    Output
    ------
    alpha_minus, alpha_plus : float64 [...]
    """
    from scipy import stats
    h = np.asarray(h_hat, dtype=np.complex128)
    if not (gain > 0 and error_var >= 0 and 0 < eps < 1):
        raise ValueError(f"gain, error_var, eps: got {gain!r}, {error_var!r}, {eps!r}; allowed: "
                         f"gain > 0, error_var >= 0, 0 < eps < 1")
    if error_var == 0:
        a = np.abs(h) ** 2
        return a, a.copy()
    mu = gain * h / (gain + error_var)
    v = gain * error_var / (gain + error_var)
    nc = 2 * np.abs(mu) ** 2 / v
    lo = 0.5 * v * stats.ncx2.ppf(eps, 2, nc)
    hi = 0.5 * v * stats.ncx2.ppf(1 - eps, 2, nc)
    return lo, hi


def owners(am, ap) -> np.ndarray:
    """The owner of each channel, eq. (22): the user k whose ``alpha^-`` is at least every other
    user's ``alpha^+``; -1 for the channels of L_0 (no owner).

    Input
    -----
    am, ap : float64 [batch, K, L]

    Output
    ------
    owner : int64 [batch, L]
    """
    am, ap = np.asarray(am, float), np.asarray(ap, float)
    k = am.shape[1]
    owner = np.full((am.shape[0], am.shape[2]), -1, np.int64)
    for user in range(k):
        others = np.delete(ap, user, axis=1).max(axis=1) if k > 1 else np.zeros_like(am[:, 0])
        owner[am[:, user] >= others] = user
    return owner


def _beta_gamma(am, ap, owner):
    """beta_{k,l} = max_{j != owner} alpha^+_{j,l} and gamma_l = min_k alpha^-_{k,l}."""
    k = am.shape[1]
    safe = np.where(owner >= 0, owner, 0)
    mask = np.arange(k)[None, :, None] != safe[:, None, :]
    beta = np.where(mask, ap, -np.inf).max(axis=1)
    gamma = am.min(axis=1)
    own = np.take_along_axis(am, safe[:, None, :], axis=1)[:, 0]
    return beta, gamma, own


def ce_rates(p, am, ap) -> np.ndarray:
    """The C-E rates of eqs. (32) and (33) for powers ``p``.

    Input
    -----
    p : float64 [batch, K + 1, L]
    am, ap : float64 [batch, K, L]

    Output
    ------
    rates : float64 [batch, K + 1]
        R_0^(C) and R_k^(C), bits.
    """
    p, am, ap = (np.asarray(a, float) for a in (p, am, ap))
    k = am.shape[1]
    owner = owners(am, ap)
    beta, gamma, _ = _beta_gamma(am, ap, owner)
    s = p[:, 1:].sum(axis=1)
    r0 = np.sum(np.log2(1 + gamma * (p[:, 0] + s)) - np.log2(1 + gamma * s), axis=1)
    out = [r0]
    for user in range(k):
        others = np.delete(ap, user, axis=1).max(axis=1) if k > 1 else np.zeros_like(beta)
        term = np.log2(1 + am[:, user] * p[:, user + 1]) - np.log2(1 + others * p[:, user + 1])
        out.append(np.sum(np.where(owner == user, term, 0.0), axis=1))
    return np.stack(out, axis=1)


def _theorem2(lam, w, alpha, beta, gamma, owner):
    """Eqs. (35)-(36) at multiplier ``lam`` [batch]: (p0, pk) [batch, L] (pk for the owner)."""
    lam = lam[:, None]
    w0 = w[0]
    wk = np.where(owner >= 0, w[1:][np.where(owner >= 0, owner, 0)], 0.0)
    z = w0 / (lam * LN2) - 1 / gamma
    p0 = np.maximum(z, 0.0)
    pk = np.zeros_like(p0)
    owned = owner >= 0
    with np.errstate(divide="ignore", invalid="ignore"):
        d = 1 / beta - 1 / alpha
        r = wk / w0
        big_lambda = 0.5 * np.sqrt(d * (d + 4 * wk / (lam * LN2))) - 0.5 * (1 / beta + 1 / alpha)
        delta = d ** 2 * (r ** 2 + 2 * r * (2 / gamma - 1 / alpha - 1 / beta) / d + 1)
        theta = 0.5 * (r * d - (1 / beta + 1 / alpha) + np.sqrt(delta))
        active = owned & (alpha - beta > gamma * w0 / np.where(wk > 0, wk, np.inf))
    p0 = np.where(active, np.maximum(z - theta, 0.0), p0)
    pk = np.where(active, np.maximum(np.minimum(big_lambda, theta), 0.0), pk)
    return p0, pk


def ce_allocation(am, ap, weights, p_total: float, iterations: int = 200):
    """The C-E power allocation of Theorem 2 (eqs. 35-36), with the multiplier lambda found by
    one bisection per realization so that the total power is spent (eq. 1 with equality).

    Parameters
    ----------
    weights : float [K + 1]
        w_0 (common) and w_1..w_K, all > 0.
    p_total : float
        The power budget P (> 0).
    iterations : int
        Bisection steps on log lambda (200 reach the float64 resolution).

    Input
    -----
    am, ap : float64 [batch, K, L]

    Output
    ------
    p : float64 [batch, K + 1, L]
        Row 0 the common power; row k is nonzero only on the channels user k owns.
    """
    am, ap = np.asarray(am, float), np.asarray(ap, float)
    w = np.asarray(weights, float)
    k = am.shape[1]
    if w.shape != (k + 1,) or not np.all(w > 0):
        raise ValueError(f"weights: got {weights!r}; allowed: K + 1 = {k + 1} numbers > 0")
    if not (p_total > 0 and math.isfinite(p_total)):
        raise ValueError(f"p_total: got {p_total!r}; allowed: a finite number > 0")
    owner = owners(am, ap)
    beta, gamma, alpha = _beta_gamma(am, ap, owner)
    beta = np.where(owner >= 0, beta, 1.0)
    batch = am.shape[0]
    # the total power falls with lambda: bracket it in log lambda
    lo = np.full(batch, math.log(1e-300))
    hi = np.full(batch, math.log(1e300))
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        p0, pk = _theorem2(np.exp(mid), w, alpha, beta, gamma, owner)
        over = (p0 + pk).sum(axis=1) > p_total
        lo = np.where(over, mid, lo)
        hi = np.where(over, hi, mid)
    p0, pk = _theorem2(np.exp(hi), w, alpha, beta, gamma, owner)
    # the bisection leaves the power a hair under P; spend the rest on M0's water level, which
    # keeps the allocation's form (a common shift of the water level z)
    short = p_total - (p0 + pk).sum(axis=1)
    on = p0 > 0
    n_on = on.sum(axis=1)
    p0 = p0 + np.where(on, (short / np.maximum(n_on, 1))[:, None], 0.0)
    p = np.zeros((batch, k + 1, am.shape[2]))
    p[:, 0] = p0
    for user in range(k):
        p[:, user + 1] = np.where(owner == user, pk, 0.0)
    return p
