"""Joint encoding (the J-E outer bound) for K = 2 users in almost closed form: Lemma 1 (eq. 18),
Theorem 1 (eqs. 20-21, with eq. 19 as corrected in notes 004 §2.5) and the Table I algorithm of
seed 004, batched over channel realizations (notes 004 §2.5, the per-channel rule of the
appendix, eqs. 42-45, and the errata of §6 items 1, 2, 13).

The problem is eq. (16) for K = 2,

    max_p  w_0 min(R_01, R_02) + w_1 R_1/2 + w_2 R_2/1     s.t.  sum_{k,l} p_{k,l} <= P,

with R_0k of eq. (11) and R_k/j of eq. (9). Lemma 1 reduces it to the three sub-problems P1
(common rate referenced to user 1), P2 (to user 2) and P3 (a mixture ``rho R_01 + (1 - rho)
R_02``). Each is separable over the channels for a fixed power multiplier lambda: on a channel of
``L_k/kbar`` that carries M0 and Mk, the common marginal u_0 and the secrecy marginal u_k cross
at most once, at X, so ``p_k = [min(root(u_k), X)]^+`` and ``p_0 = [root(u_0) - X]^+`` when
``u_k(0) > u_0(0)``, else ``p_k = 0`` and ``p_0 = [root(u_0)]^+``; channels of L_0 carry M0
only. P1 and P2 are Theorem 2 with ``gamma := alpha^-_1`` (resp. ``alpha^-_2``), so they reuse
:func:`linksim.systems.ofdm_bc.analysis._theorem2`; P3 uses the mixture forms Phi (19f-19g) and
Psi (19h, also on L_0). Lambda is found by one bisection on log lambda per realization (all at
once), rho by an outer dichotomy over the realizations that need P3 (all at once).

Gains ``am = alpha^-``, ``ap = alpha^+`` are float64 ``[batch, 2, L]``; powers ``[batch, 3, L]``
(row 0 M0, rows 1, 2 M1, M2). Rates in bits (log2), noise CN(0, 1).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from linksim.systems.ofdm_bc.analysis import _beta_gamma, _theorem2, owners

__all__ = ["k2_allocation", "MODE_TOL"]

LN2 = math.log(2)

#: Tolerance (bits) of the comparisons of eq. (18) (notes §6 item 13): P1 is accepted when
#: ``R_01 <= R_02 + MODE_TOL`` at its solution, P2 when ``R_01 >= R_02 - MODE_TOL``. Accepting
#: within MODE_TOL loses at most ``w_0 MODE_TOL`` of weighted sum (P1's value bounds eq. 16 from
#: above); the round-off of R_01 - R_02 (sums of L float64 logs, ~1e-14) is far below it, and it
#: keeps a tie (R_01 = R_02 at P1's solution) out of a rho dichotomy that would only converge to
#: rho = 1.
MODE_TOL = 1e-10

# log lambda is bisected on [ln 1e-300, ln 1e300], as in ce_allocation
_LOG_LAM_LO, _LOG_LAM_HI = math.log(1e-300), math.log(1e300)


def _largest_root(b, c):
    """The larger root of ``x^2 + b x + c = 0`` (real when ``c < 0``), without the cancellation
    of ``(-b + sqrt(b^2 - 4c)) / 2`` when ``b >> |c|``."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        sq = np.sqrt(np.maximum(b * b - 4 * c, 0.0))
        return np.where(b > 0, -2 * c / (b + sq), 0.5 * (sq - b))


def _k2_rates(p, am, ap):
    """R_01, R_02 (eq. 11), R_1 = R_1/2 and R_2 = R_2/1 (eq. 9): float64 [n, 4]."""
    s = p[:, 1] + p[:, 2]
    lg = np.log1p
    r0 = np.sum(lg(am * (p[:, 0] + s)[:, None]) - lg(am * s[:, None]), axis=2) / LN2
    out = [r0[:, 0], r0[:, 1]]
    for k in (0, 1):
        on = am[:, k] >= ap[:, 1 - k]                       # L_k/kbar, eq. (8)
        term = lg(am[:, k] * p[:, k + 1]) - lg(ap[:, 1 - k] * p[:, k + 1])
        out.append(np.sum(np.where(on, term, 0.0), axis=1) / LN2)
    return np.stack(out, axis=1)


def _objective(rates, w):
    """The objective of eq. (16) for K = 2 from ``_k2_rates``: float64 [n]."""
    return w[0] * np.minimum(rates[:, 0], rates[:, 1]) + rates[:, 2:] @ w[1:]


def _spend(alloc, n, p_total, iterations):
    """Bisection on log lambda (the total power falls with lambda) for ``alloc(lam) -> (p0, pk)``
    [n, L], then the shortfall spent on M0's water level, exactly as ce_allocation does."""
    lo = np.full(n, _LOG_LAM_LO)
    hi = np.full(n, _LOG_LAM_HI)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        p0, pk = alloc(np.exp(mid))
        over = (p0 + pk).sum(axis=1) > p_total
        lo = np.where(over, mid, lo)
        hi = np.where(over, hi, mid)
    p0, pk = alloc(np.exp(hi))
    # the bisection leaves the power a hair under P; a common shift of the water level keeps
    # the allocation's form
    short = p_total - (p0 + pk).sum(axis=1)
    on = p0 > 0
    n_on = on.sum(axis=1)
    p0 = p0 + np.where(on, (short / np.maximum(n_on, 1))[:, None], 0.0)
    return p0, pk


def _theorem1_p3(rho, w, am, ap, owner):
    """Eq. (21) with the corrected (19f)-(19h) at mixtures ``rho`` [n] (rho_1 = rho, rho_2 =
    1 - rho): a function ``lam`` [n] -> (p0, pk) [n, L], pk for the channel's owner. What does
    not depend on lambda (the crossing Phi, the branch) is computed once, outside the bisection."""
    w0 = w[0]
    r1 = rho[:, None]
    a1, a2 = 1 / am[:, 0], 1 / am[:, 1]
    # Psi (19h), symmetric in k, also the L_0 rule (21e), is the root of
    # w_0 mu [rho_1 / (1/am_1 + x) + rho_2 / (1/am_2 + x)] = 1, i.e. of
    # x^2 + (a1 + a2 - w_0 mu) x + a1 a2 - w_0 mu (rho_1 a2 + rho_2 a1); positive iff the
    # constant < 0
    psi_sum, psi_prod, psi_mix = a1 + a2, a1 * a2, r1 * a2 + (1 - r1) * a1
    owned = owner >= 0
    k = np.where(owned, owner, 0)[:, None, :]
    big_a = 1 / np.take_along_axis(am, k, axis=1)[:, 0]        # A = 1/alpha^-_k
    big_b = 1 / np.take_along_axis(am, 1 - k, axis=1)[:, 0]    # B = 1/alpha^-_kbar
    big_e = 1 / np.take_along_axis(ap, 1 - k, axis=1)[:, 0]    # E = 1/alpha^+_kbar
    rho_k = np.where(k[:, 0] == 0, r1, 1 - r1)
    wk = w[1 + k[:, 0]]
    r = wk / w0
    delta = big_e - big_a
    mix = rho_k * big_b + (1 - rho_k) * big_a
    # secrecy vs mixed common marginal: r delta (B + x) = (E + x)(x + mix), i.e.
    # x^2 + (E + mix - r delta) x + E mix - r delta B = 0; its constant < 0 is exactly the
    # (21a) threshold u_k(0) > u_0(0), and then the larger root Phi (19g) is the only positive one
    # (so T > 0 and branch 21c is unreachable, notes §2.5)
    const = big_e * mix - r * delta * big_b
    active = owned & (const < 0)
    phi = np.where(active, _largest_root(big_e + mix - r * delta, const), 0.0)
    half_sum = 0.5 * (big_e + big_a)
    four_wk_delta = 4 * wk * delta / w0

    def alloc(lam):
        m = w0 / (lam[:, None] * LN2)                       # w_0 mu, mu = 1 / (lambda ln 2)
        psi = np.maximum(_largest_root(psi_sum - m, psi_prod - m * psi_mix), 0.0)
        with np.errstate(invalid="ignore", over="ignore"):
            omega = 0.5 * np.sqrt(delta * delta + four_wk_delta * m) - half_sum    # (19a)
        p0 = np.where(active, np.maximum(psi - phi, 0.0), psi)
        pk = np.where(active, np.maximum(np.minimum(omega, phi), 0.0), 0.0)
        return p0, pk

    return alloc


def _assemble(p0, pk, owner):
    p = np.zeros((p0.shape[0], 3, p0.shape[1]))
    p[:, 0] = p0
    p[:, 1] = np.where(owner == 0, pk, 0.0)
    p[:, 2] = np.where(owner == 1, pk, 0.0)
    return p


def k2_allocation(am, ap, weights, p_total: float, iterations: int = 100, *,
                  rho_iterations: int = 60):
    """The K = 2 J-E allocation of Lemma 1 / Theorem 1 / Table I (eqs. 18-21, corrected 19):
    the maximizer of ``w_0 min(R_01, R_02) + w_1 R_1/2 + w_2 R_2/1`` (eqs. 9, 11, 16) under the
    total power ``P``, spent with equality (to round-off).

    P1 and P2 (eq. 20) are solved for every realization; P1 is kept where ``R_01 <= R_02 +
    MODE_TOL`` at its solution, else P2 where ``R_01 >= R_02 - MODE_TOL`` (eq. 18 with the
    tolerance of notes §6 item 13); the rest get P3 (eq. 21), rho found by dichotomy on
    ``R_01 - R_02`` (taken increasing in rho, notes §6 item 13), and of the two final bracket
    ends the one with the larger objective of eq. (16) is returned.

    Parameters
    ----------
    weights : float [3]
        w_0 (common), w_1, w_2, all > 0.
    p_total : float
        The power budget P (> 0).
    iterations : int
        Bisection steps on log lambda over [ln 1e-300, ln 1e300] (about 64 reach the float64
        resolution).
    rho_iterations : int
        Dichotomy steps on rho in (0, 1) for P3 (about 53 reach the float64 resolution).

    Input
    -----
    am, ap : float64 [batch, 2, L]
        alpha^- and alpha^+ (eq. 7), finite, ``0 < am <= ap`` (margins at an outage level
        eps <= 0.5; perfect CSI: ``am == ap``). The per-channel rule needs
        ``alpha^+_kbar >= alpha^-_kbar`` on L_k/kbar, and then L_1/2 and L_2/1 overlap only on
        ties.

    Output
    ------
    p : float64 [batch, 3, L]
        Row 0 the common power; row k (k = 1, 2) nonzero only on the channels user k owns
        (eq. 22); the channels of L_0 carry M0 only.
    mode : int64 [batch]
        1, 2 or 3: the sub-problem of eq. (18) that gave the answer.
    """
    am, ap = np.asarray(am, dtype=float), np.asarray(ap, dtype=float)
    if am.ndim != 3 or am.shape[1] != 2 or am.shape != ap.shape or 0 in am.shape:
        raise ValueError(f"am, ap: got shapes {am.shape}, {ap.shape}; allowed: equal shapes "
                         f"[batch, 2, L], batch, L >= 1")
    if not (np.all(np.isfinite(am)) and np.all(am > 0)):
        raise ValueError(f"am: got min {np.min(am)!r}; allowed: finite gains > 0")
    if not (np.all(np.isfinite(ap)) and np.all(ap >= am)):
        raise ValueError(f"ap: got min(ap - am) = {np.min(ap - am)!r}; allowed: finite, "
                         f"ap >= am (alpha^+ >= alpha^-, outage level eps <= 0.5)")
    w = np.asarray(weights, dtype=float)
    if w.shape != (3,) or not np.all(np.isfinite(w)) or not np.all(w > 0):
        raise ValueError(f"weights: got {weights!r}; allowed: 3 finite numbers > 0 "
                         f"(w_0, w_1, w_2)")
    if not (isinstance(p_total, numbers.Real) and p_total > 0 and math.isfinite(p_total)):
        raise ValueError(f"p_total: got {p_total!r}; allowed: a finite number > 0")
    for name, value in (("iterations", iterations), ("rho_iterations", rho_iterations)):
        if not (isinstance(value, numbers.Integral) and value >= 1):
            raise ValueError(f"{name}: got {value!r}; allowed: an integer >= 1")

    batch = am.shape[0]
    owner = owners(am, ap)
    beta, _, alpha = _beta_gamma(am, ap, owner)
    beta = np.where(owner >= 0, beta, 1.0)

    # P1 / P2 (eq. 20): Theorem 2 with the common rate referenced to user 1 / user 2
    cand, rates = [], []
    for ref in (0, 1):
        gamma = am[:, ref]
        p0, pk = _spend(lambda lam: _theorem2(lam, w, alpha, beta, gamma, owner),
                        batch, p_total, iterations)
        cand.append(_assemble(p0, pk, owner))
        rates.append(_k2_rates(cand[-1], am, ap))
    ok1 = rates[0][:, 0] <= rates[0][:, 1] + MODE_TOL
    ok2 = ~ok1 & (rates[1][:, 0] >= rates[1][:, 1] - MODE_TOL)
    p = np.where(ok1[:, None, None], cand[0], cand[1])
    mode = np.where(ok1, 1, 2).astype(np.int64)

    need = np.flatnonzero(~ok1 & ~ok2)
    if need.size:
        sub_am, sub_ap, sub_owner = am[need], ap[need], owner[need]
        n = need.size

        def solve(rho):
            p0, pk = _spend(_theorem1_p3(rho, w, sub_am, sub_ap, sub_owner), n, p_total,
                            iterations)
            return _assemble(p0, pk, sub_owner)

        # rho -> 1 is P1 (R_01 > R_02 there, else P1 was kept), rho -> 0 is P2 (R_01 < R_02)
        lo, hi = np.zeros(n), np.ones(n)
        for _ in range(rho_iterations):
            mid = 0.5 * (lo + hi)
            r = _k2_rates(solve(mid), sub_am, sub_ap)
            below = r[:, 0] < r[:, 1]
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        # both ends equalize R_01 and R_02 to the dichotomy's resolution; keep the better one
        p_lo, p_hi = solve(lo), solve(hi)
        better_hi = (_objective(_k2_rates(p_hi, sub_am, sub_ap), w)
                     >= _objective(_k2_rates(p_lo, sub_am, sub_ap), w))
        p[need] = np.where(better_hi[:, None, None], p_hi, p_lo)
        mode[need] = 3
    return p, mode
