"""AN-IA baseline of seed 002: interference alignment by minimum leakage (Gomadam, Cadambe and
Jafar) with the artificial-noise streams aligned like interference, then a data/AN power split
(notes 002 §3.2, steps 1-6, after Zhao, Yu, Li and Leung, IEEE TWC 15(8) 2016). **[R]**: the
notes reconstruct this scheme; the paper under study gives no algorithmic detail.

Transmitter i sends ``x_i = Q_i s_i + Lambda_i z_i`` (eq. 1) with ``Q_i = sqrt(phi P / d_s)
V_i`` and ``Lambda_i = sqrt((1 - phi) P / d_a) W_i`` (step 5), where ``[V_i, W_i]`` has
orthonormal columns (so ``tr(Q Q^H + L L^H) = P_tot`` exactly, eq. 2). V, W and the receive
subspaces U_j minimize the leakage

    L = sum_j tr(U_j^H R_j U_j),
    R_j = sum_{i != j} H_ji (V_i V_i^H + W_i W_i^H) H_ji^H  +  H_jj W_j W_j^H H_jj^H,

the interference (data and AN of the other pairs, and the pair's own AN) left in each
receiver's d_s-dimensional subspace. Alternation (steps 2-4), each step the exact minimizer of
L given the others, so L never increases:

* receivers: U_j = the d_s least eigenvectors of R_j (step 2);
* data: V_i = the d_s least eigenvectors of ``X_i = sum_{j != i} H_ji^H U_j U_j^H H_ji``
  within the orthogonal complement of W_i (step 3);
* AN: W_i = the d_a least eigenvectors of ``X_i + H_ii^H U_i U_i^H H_ii`` within the
  complement of V_i (step 3: the j = i term hides the AN from the pair's own filter).

The notes take the least eigenvectors of each sum and then project W onto the complement of V;
restricting each eigenproblem to the complement of the other block is the same step done as a
minimization, which keeps W orthogonal to V and the leakage monotone. The notes' variant
"align the AN only at the non-paired receivers" (``align_an_at_own=False``) drops the
``H_jj W_j`` term from R_j and the j = i term from the AN step. As in §3.2 the leakage uses
the small-scale channels with unit-power streams; the path-loss gains do not enter the
alignment (they are equal at the paper's d_M = d_I, notes §4).

The split phi is fixed, or chosen per draw on a grid to maximize the estimated sum of
``[C_S]^+`` (step 5; rates of :func:`linksim.systems.an_mimo.analysis.rates` on the estimated
channels). Evaluation (step 6) is left to the caller: the log-det rates of ``analysis.rates``
are those of each receiver's MMSE filter with joint decoding, not of the IA subspaces ``u``.
Designs take the transmitter's channel estimates (notes §1.5, A1), never the true channels.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from linksim.checks import check_bool, check_choice, check_int, check_real, check_rng
from linksim.systems.an_mimo.analysis import check_channels, hc, rates

__all__ = ["PHI_GRID", "AnIaResult", "an_ia", "random_init"]

#: The power splits searched per draw when ``phi="grid"`` (notes §3.2 step 5).
PHI_GRID = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


class AnIaResult(NamedTuple):
    """The AN-IA design of :func:`an_ia` (fields described there)."""

    q: np.ndarray
    lam: np.ndarray
    u: np.ndarray
    phi: np.ndarray
    leakage: np.ndarray
    n_iter: np.ndarray


def _least(a, d):
    """The d eigenvectors of the Hermitian ``a`` [..., n, n] with the smallest eigenvalues."""
    return np.linalg.eigh(a)[1][..., :d]


def _least_within(a, basis, d):
    """The minimizer of tr(X^H a X) over X [n, d] with orthonormal columns orthogonal to
    ``basis`` [..., n, m] (orthonormal): the least eigenvectors of ``a`` on its complement."""
    n = a.shape[-1]
    if basis.shape[-1] == 0:
        return _least(a, d)
    # I - B B^H has eigenvalues 0 (m times) and 1: the last n - m eigenvectors span the
    # complement
    comp = np.linalg.eigh(np.eye(n) - basis @ hc(basis))[1][..., basis.shape[-1]:]
    return comp @ _least(hc(comp) @ a @ comp, d)


def random_init(rng, batch: int, k: int, n_t: int, d_s: int, d_a: int) -> np.ndarray:
    """Random orthonormal starting precoders ``[V_i, W_i]`` (notes §3.2 step 1): the Q factor
    of an i.i.d. CN(0, 1) matrix per user and draw.

    Parameters
    ----------
    rng : numpy.random.Generator
        Consumes ``2 * batch * k * n_t * (d_s + d_a)`` standard normals.
    batch, k, n_t : int
        Draws, users and transmit antennas, each >= 1.
    d_s, d_a : int
        Data and AN streams, d_s >= 1, d_a >= 0, d_s + d_a <= n_t.

    Returns
    -------
    init : complex128 [batch, k, n_t, d_s + d_a]
        Orthonormal columns: the first d_s are V_i, the last d_a are W_i.
    """
    check_rng(rng)
    batch, k, n_t = (check_int(name, v, 1) for name, v in
                     (("batch", batch), ("k", k), ("n_t", n_t)))
    d_s = check_int("d_s", d_s, 1, n_t)
    d_a = check_int("d_a", d_a, 0, n_t - d_s)
    g = rng.standard_normal((batch, k, n_t, d_s + d_a, 2))
    return np.linalg.qr((g[..., 0] + 1j * g[..., 1]) / math.sqrt(2))[0]


def _receivers(h, v, w, d_s, own):
    """The receive subspaces of step 2 and the leakage they leave, per draw."""
    k = h.shape[1]
    cov = v @ hc(v) + w @ hc(w)                                           # [B, i, t, t]
    through = h @ cov[:, None] @ hc(h)                                    # [B, j, i, r, r]
    off = ~np.eye(k, dtype=bool)
    r = np.einsum("bjirs,ji->bjrs", through, off)
    if own:
        kk = np.arange(k)
        hw = h[:, kk, kk] @ w
        r = r + hw @ hc(hw)
    u = _least(r, d_s)
    leak = np.trace(hc(u) @ r @ u, axis1=-2, axis2=-1).real.sum(-1)
    return u, leak


def _transmitters(h, u, v, w, d_s, d_a, own):
    """The data then AN steps of step 3, each on the complement of the other block."""
    k = h.shape[1]
    through = hc(h) @ (u @ hc(u))[:, :, None] @ h                         # [B, j, i, t, t]
    off = ~np.eye(k, dtype=bool)
    x = np.einsum("bjist,ji->bist", through, off)
    v = _least_within(x, w, d_s)
    if d_a:
        y = x + through[:, np.arange(k), np.arange(k)] if own else x
        w = _least_within(y, v, d_a)
    return v, w


def an_ia(h, h_eve, d_s: int, d_a: int, p_total: float, omega_m: float, omega_i: float,
          omega_e: float, noise_r: float, noise_e: float, phi=0.5, rng=None, init=None,
          n_iter: int = 500, tol: float = 1e-9, align_an_at_own: bool = True) -> AnIaResult:
    """The AN-IA precoders (notes 002 §3.2 [R]): min-leakage alignment of the data and AN
    streams, then ``Q_i = sqrt(phi P / d_s) V_i``, ``Lambda_i = sqrt((1 - phi) P / d_a) W_i``.

    Each draw stops on its own, when an iteration lowers its leakage by less than ``tol``
    times the leakage; draws never interact, so with ``init`` a draw's result does not depend
    on the rest of the batch (with ``rng`` the starting point of a draw depends on its
    position in the batch, as the generator is consumed in batch order).

    Parameters
    ----------
    d_s : int
        Data streams per user, 1 <= d_s <= min(n_r, n_t).
    d_a : int
        AN streams per user, 0 <= d_a <= n_t - d_s (0: no AN, all power to data, phi = 1).
    p_total : float
        Power budget per transmitter, > 0; met with equality.
    omega_m, omega_i, omega_e : float
        Path-loss gains of the direct, cross and Eve links, > 0 (used by the phi search only).
    noise_r, noise_e : float
        Noise variances sigma_R^2 and sigma_E^2, > 0 (used by the phi search only).
    phi : float or str
        Data share of the power, 0 < phi < 1 (notes: 0.5), or ``"grid"``: per draw, the value
        of :data:`PHI_GRID` with the largest estimated sum of ``[C_S]^+`` (ties: the larger
        unclipped sum, then the smaller phi).
    rng : numpy.random.Generator or None
        Draws the random orthonormal start (:func:`random_init`) when ``init`` is None.
    init : None or complex128 [batch, K, n_t, d_s + d_a]
        Starting ``[V_i, W_i]`` (orthonormalized here by a QR factorization).
    n_iter : int
        Maximum number of iterations (steps 3 then 2), >= 1 (notes: 200-1000).
    tol : float
        Relative leakage decrease below which a draw stops, >= 0 (0: stop only when the
        leakage no longer decreases at all, e.g. at rounding level).
    align_an_at_own : bool
        True (notes §3.2): the AN is also aligned at the pair's own receiver. False: only at
        the non-paired receivers (the notes' variant).

    Input
    -----
    h : complex128 [batch, K, K, n_r, n_t]
        Estimated channels, ``h[:, i, j]`` from transmitter j to receiver i.
    h_eve : complex128 [batch, K, n_e, n_t]
        Estimated Eve channels (the phi search), ``h_eve[:, i]`` from transmitter i.

    Output
    ------
    q : complex128 [batch, K, n_t, d_s]
        Data precoders Q_i.
    lam : complex128 [batch, K, n_t, d_a]
        AN precoders Lambda_i, orthogonal to Q_i.
    u : complex128 [batch, K, n_r, d_s]
        The IA receive subspaces (orthonormal), for a receiver that projects on them.
    phi : float64 [batch]
        The data share used per draw.
    leakage : float64 [batch, n_iter + 1]
        Leakage L with the receivers of step 2: entry 0 at the start, entry t after
        iteration t, NaN after the draw stopped. Non-increasing.
    n_iter : int64 [batch]
        Iterations used per draw.
    """
    h, h_eve = check_channels(h, h_eve)
    batch, k, _, n_r, n_t = h.shape
    d_s = check_int("d_s", d_s, 1, min(n_r, n_t))
    d_a = check_int("d_a", d_a, 0, n_t - d_s)
    p_total = check_real("p_total", p_total, 0.0, strict_lo=True)
    link = dict(zip(("omega_m", "omega_i", "omega_e", "noise_r", "noise_e"),
                    (check_real(name, val, 0.0, strict_lo=True) for name, val in
                     (("omega_m", omega_m), ("omega_i", omega_i), ("omega_e", omega_e),
                      ("noise_r", noise_r), ("noise_e", noise_e)))))
    if isinstance(phi, str):
        phi = check_choice("phi", phi, ("grid",))
    else:
        phi = check_real("phi", phi, 0.0, 1.0)
        if not 0.0 < phi < 1.0:
            raise ValueError(f"phi: got {phi!r}; allowed: a number in (0, 1) or 'grid'")
    n_iter = check_int("n_iter", n_iter, 1)
    tol = check_real("tol", tol, 0.0)
    own = check_bool("align_an_at_own", align_an_at_own)
    if init is None:
        if rng is None:
            raise ValueError("rng, init: got None for both; allowed: a numpy.random.Generator "
                             "or starting precoders")
        start = random_init(rng, batch, k, n_t, d_s, d_a)
    else:
        start = np.asarray(init)
        if start.dtype.kind not in "iufc" or start.shape != (batch, k, n_t, d_s + d_a) \
                or not np.isfinite(start).all():
            raise ValueError(f"init: got shape {start.shape} (dtype {start.dtype}); allowed: "
                             f"finite complex [{batch}, {k}, {n_t}, {d_s + d_a}]")
        start, upper = np.linalg.qr(start.astype(np.complex128))
        diag = np.abs(np.diagonal(upper, axis1=-2, axis2=-1))
        if np.any(diag <= 1e-12 * np.maximum(diag.max(-1, keepdims=True), 1e-300)):
            raise ValueError("init: got rank-deficient starting precoders; allowed: "
                             "d_s + d_a linearly independent columns per user")
    v, w = start[..., :d_s], start[..., d_s:]
    u, leak = _receivers(h, v, w, d_s, own)
    history = np.full((batch, n_iter + 1), np.nan)
    history[:, 0] = leak
    used = np.zeros(batch, np.int64)
    active = np.ones(batch, bool)
    for t in range(1, n_iter + 1):
        idx = np.flatnonzero(active)
        # a stopped draw keeps its result whatever the others do
        v_new, w_new = _transmitters(h[idx], u[idx], v[idx], w[idx], d_s, d_a, own)
        u_new, leak = _receivers(h[idx], v_new, w_new, d_s, own)
        v[idx], w[idx], u[idx] = v_new, w_new, u_new
        history[idx, t] = leak
        used[idx] = t
        prev = history[idx, t - 1]
        active[idx] = prev - leak > tol * prev
        if not active.any():
            break
    if d_a == 0:
        chosen = np.ones(batch)
    elif phi == "grid":
        chosen = _grid_phi(h, h_eve, v, w, p_total, link)
    else:
        chosen = np.full(batch, phi)
    q, lam = _scale(v, w, chosen, p_total)
    return AnIaResult(q, lam, u, chosen, history, used)


def _scale(v, w, phi, p_total):
    """Step 5: data share phi of the budget over the d_s streams, the rest over the AN."""
    d_s, d_a = v.shape[-1], w.shape[-1]
    q = v * np.sqrt(phi * p_total / d_s)[:, None, None, None]
    if d_a == 0:
        return q, w.copy()
    return q, w * np.sqrt((1.0 - phi) * p_total / d_a)[:, None, None, None]


def _grid_phi(h, h_eve, v, w, p_total, link):
    """The phi of :data:`PHI_GRID` maximizing the estimated sum of [C_S]^+, per draw."""
    batch = h.shape[0]
    grid = np.asarray(PHI_GRID)
    n = grid.size
    # the grid is stacked on the batch axis: one batched rate evaluation, still per draw
    phis = np.repeat(grid, batch)
    q, lam = _scale(np.tile(v, (n, 1, 1, 1)), np.tile(w, (n, 1, 1, 1)), phis, p_total)
    c_s = rates(np.tile(h, (n, 1, 1, 1, 1)), np.tile(h_eve, (n, 1, 1, 1)), q, lam,
                **link).secrecy.reshape(n, batch, -1)
    clipped = np.clip(c_s, 0.0, None).sum(-1)
    best = clipped.max(0)
    # ties (typically every phi at 0) go to the larger unclipped sum; argmax then takes the
    # smaller phi
    key = np.where(clipped == best, c_s.sum(-1), -np.inf)
    return grid[np.argmax(key, axis=0)]
