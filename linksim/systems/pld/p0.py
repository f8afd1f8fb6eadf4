"""Problem P0 of the PLD paper and its solvers (seed 003, Sec. III-D to IV; 003.md §4.4-4.10).

* Constraints c5-c9 of P0 (003.md §4.5): :func:`normalize_thresholds` (per-link thresholds
  c5-c8) and :func:`feasibility_mask` (brute-force mask of c5-c9).
* :func:`feasible_interval`: the closed-form feasible P_M interval on the full-power line
  (003.md §4.4 [N-6]).
* :func:`exhaustive`: the global optimum of P0 by exhaustive search over integer d_K and a P_M
  grid on the budget line (Theorem 1; 003.md §4.10 "practical recommendation", §10).
* :func:`mm_surrogate` and :func:`mm_bcd`: the MM majorizer of Lemma 1, as printed (eqs. 13-15)
  and corrected (003.md §4.8 [N-7]), inside the MM-BCD of Algorithm 1 (P1, P2, P3; §4.7-4.10),
  with integer recovery eq. (16).
* :func:`theorem1_check`: the numerical check of Theorem 1 (full power; 003.md §4.6, Fig. 2).
* :func:`min_feasible_lfp`: the smallest eps_LF^th for which P0 is feasible (Fig. 8, §6 E8).

The error probabilities are eqs. (8)-(12) of :mod:`linksim.systems.pld.analysis`; the no-key
baselines of Sec. V-D are in :mod:`linksim.systems.pld.baselines`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import norm

from linksim.systems.pld.analysis import PLDMetrics, layer_error, pld_metrics
from linksim.systems.pld.baselines import _check

__all__ = ["PLDOptimum", "Theorem1Check", "normalize_thresholds", "feasibility_mask",
           "feasible_interval", "exhaustive", "min_feasible_lfp", "mm_surrogate", "mm_bcd",
           "theorem1_check"]

_TH_KEYS = ("bob_m", "eve_m", "bob_k", "eve_k")


@dataclass(frozen=True)
class PLDOptimum:
    """Result of a P0 solver (:func:`exhaustive`, :func:`mm_bcd`).

    ``feasible`` is False when no feasible point was found; then every other numeric field is
    None. Otherwise ``d_k`` (integer), ``p_m``, ``p_k`` = P_total - P_M (Theorem 1), ``r_d``
    (eq. 11), ``eps_lf`` (eq. 10), ``metrics`` (:class:`PLDMetrics` at that point).
    ``iterations``: MM (outer) iterations of Algorithm 1 (0 for the exhaustive search);
    ``bcd_iterations``: BCD (inner) iterations summed over all MM iterations; ``d_k_relaxed``:
    the continuous d_K before the rounding of eq. (16) (None for the exhaustive search);
    ``path``: the anchors (d_K, P_M) visited by MM-BCD, start first (Fig. 4 overlay).
    """

    feasible: bool
    d_k: int | None = None
    p_m: float | None = None
    p_k: float | None = None
    r_d: float | None = None
    eps_lf: float | None = None
    metrics: PLDMetrics | None = None
    iterations: int = 0
    bcd_iterations: int = 0
    d_k_relaxed: float | None = None
    path: tuple = ()


@dataclass(frozen=True)
class Theorem1Check:
    """Result of :func:`theorem1_check`: the square-grid optimum (``p_m``, ``p_k``, ``r_d``),
    ``gap`` = P_total - P_M - P_K there, the grid ``step`` and ``on_line`` (gap <= step);
    ``line`` is the refined optimum on the budget line (a :class:`PLDOptimum`)."""

    on_line: bool
    p_m: float | None
    p_k: float | None
    r_d: float | None
    gap: float | None
    step: float
    line: PLDOptimum


def normalize_thresholds(thresholds) -> dict:
    """Per-link thresholds of constraints c5-c8 (003.md §4.5) as a dict with keys
    ``bob_m`` (c5), ``eve_m`` (c6), ``bob_k`` (c7), ``eve_k`` (c8).

    Input: a scalar (all four equal, Table II uses 0.5), a 4-sequence in the order c5..c8, or a
    dict with those keys. Each value must lie in (0, 1). Raises ValueError("thresholds: ...").
    """
    if isinstance(thresholds, dict):
        if set(thresholds) != set(_TH_KEYS):
            raise ValueError(f"thresholds: got keys {sorted(thresholds)!r}; allowed: {_TH_KEYS}")
        out = {k: thresholds[k] for k in _TH_KEYS}
    elif np.ndim(thresholds) == 0:
        out = dict.fromkeys(_TH_KEYS, thresholds)
    else:
        vals = list(thresholds)
        if len(vals) != 4:
            raise ValueError(f"thresholds: got {thresholds!r}; allowed: a scalar, 4 values "
                             f"(c5..c8) or a dict with keys {_TH_KEYS}")
        out = dict(zip(_TH_KEYS, vals))
    for k, v in out.items():
        if isinstance(v, bool) or not np.isscalar(v) or not np.isfinite(v) or not 0 < v < 1:
            raise ValueError(f"thresholds: {k} = {v!r}; allowed: a number in (0, 1)")
        out[k] = float(v)
    return out


def _check_p0(p_total, z_bob, z_eve, d_m, n, noise, thresholds, eps_lf_max):
    _check(p_total, z_bob, z_eve, d_m, n, noise)
    if d_m > n:
        raise ValueError(f"d_m: got {d_m!r}; allowed: an integer in [1, n={n}]")
    if isinstance(eps_lf_max, bool) or not np.isscalar(eps_lf_max) \
            or not np.isfinite(eps_lf_max) or not 0 < eps_lf_max <= 1:
        raise ValueError(f"eps_lf_max: got {eps_lf_max!r}; allowed: a number in (0, 1]")
    return normalize_thresholds(thresholds)


def _check_dk(d_k, n, integer=True):
    if isinstance(d_k, bool) or not np.isscalar(d_k) or not np.isfinite(d_k) \
            or not 0 <= d_k <= n or (integer and int(d_k) != d_k):
        kind = "an integer" if integer else "a number"
        raise ValueError(f"d_k: got {d_k!r}; allowed: {kind} in [0, n={n}]")


def _errors(p_m, p_k, d_m, d_k, z_bob, z_eve, noise, n):
    """Vectorised eps_{i,j}, eps_LF (eq. 10) and R_d (eq. 11); arrays broadcast."""
    p_m, p_k, d_k = (np.asarray(a, dtype=np.float64) for a in (p_m, p_k, d_k))
    e = {}
    for who, z in (("bob", z_bob), ("eve", z_eve)):
        e[f"{who}_m"] = np.asarray(layer_error(z * p_m / (z * p_k + noise), d_m, n))
        e[f"{who}_k"] = np.asarray(layer_error(z * p_k / noise, d_k, n))
    r_b = 1 - (1 - e["bob_m"]) * e["bob_k"]
    e["lf"] = 1 - (1 - e["bob_m"]) * (1 - e["bob_k"]) * (
        1 - (1 - e["eve_m"]) * (1 - e["eve_k"]))
    e["r_b"] = r_b
    e["r_d"] = r_b * (1 - e["eve_m"]) * e["eve_k"]
    return e


def _mask(e, th, eps_lf_max):
    return ((e["bob_m"] <= th["bob_m"]) & (e["eve_m"] <= th["eve_m"])
            & (e["bob_k"] <= th["bob_k"]) & (e["eve_k"] >= th["eve_k"]) & (e["lf"] <= eps_lf_max))


def feasibility_mask(p_m, p_k, d_k, z_bob, z_eve, d_m=16, n=64, noise=1.0, thresholds=0.5,
                     eps_lf_max=0.5):
    """Brute-force feasibility of P0 (003.md §4.5 c5-c9, §10 mask) at broadcast arrays
    ``p_m``, ``p_k`` (mW) and ``d_k`` (bits, may be non-integer):
    (eBM <= th) & (eEM <= th) & (eBK <= th) & (eEK >= th) & (eps_LF <= eps_lf_max).
    Does not test c1-c4 (the caller's grid does). Returns a bool array."""
    th = normalize_thresholds(thresholds)
    return _mask(_errors(p_m, p_k, d_m, d_k, z_bob, z_eve, noise, n), th, eps_lf_max)


def _gamma_at(th, d, n):
    """SINR at which a d-bit layer has error exactly ``th`` (eq. 12 inverted in gamma).

    For th = 0.5 this is the closed form 2^(d/n) - 1 (Q^{-1}(0.5) = 0, 003.md §4.2)."""
    if d <= 0:
        return 0.0
    if th == 0.5:
        return float(2.0 ** (d / n) - 1.0)
    from scipy.optimize import brentq
    f = lambda lg: float(layer_error(np.exp(lg), d, n)) - th  # decreasing in gamma
    lo, hi = np.log(1e-12), np.log(1e6)
    if f(lo) < 0:
        return float(np.exp(lo))
    if f(hi) > 0:
        return float(np.exp(hi))
    return float(np.exp(brentq(f, lo, hi, xtol=1e-14, rtol=1e-14)))


def _pm_interval(d_k, p_total, z_bob, z_eve, d_m, n, noise, th):
    """[lo, hi] of P_M on the line P_K = P_total - P_M where c5-c8 hold (None if empty).
    c5/c6: gamma_{i,M} >= g_i  <=>  P_M >= g_i (z_i P + s2) / (z_i (1 + g_i));
    c7:    gamma_{Bob,K} >= g  <=>  P_M <= P - g s2 / z_Bob;
    c8:    gamma_{Eve,K} <= g  <=>  P_M >= P - g s2 / z_Eve."""
    if d_k <= 0:  # eps_{i,K} = 0 by convention: c8 (eps_EK >= th > 0) cannot hold
        return None
    lo, hi = 0.0, float(p_total)
    for key, z in (("bob_m", z_bob), ("eve_m", z_eve)):
        g = _gamma_at(th[key], d_m, n)
        lo = max(lo, g * (z * p_total + noise) / (z * (1.0 + g)))
    hi = min(hi, p_total - _gamma_at(th["bob_k"], d_k, n) * noise / z_bob)
    lo = max(lo, p_total - _gamma_at(th["eve_k"], d_k, n) * noise / z_eve)
    return (lo, hi) if lo <= hi else None


def feasible_interval(d_k, p_total, z_bob, z_eve, d_m=16, n=64, noise=1.0, thresholds=0.5):
    """Closed-form feasible P_M interval of c1-c8 on the full-power line (003.md §4.4 [N-6]).

    Inputs: key size ``d_k`` (a number in [0, n], relaxed values allowed), budget ``p_total``
    (mW), gains, ``d_m``, ``n``, ``noise`` (sigma^2, mW), ``thresholds`` (c5-c8, see
    :func:`normalize_thresholds`).
    Output: ``(p_m_lo, p_m_hi)`` in mW, or None if empty. With P_K = P_total - P_M and all
    thresholds 0.5 (eps <= 0.5 <=> omega >= 0 <=> d <= n log2(1 + gamma)):

        d_M <= n log2(1 + gamma_{Bob,M}),  d_M <= n log2(1 + gamma_{Eve,M}),
        n log2(1 + z_Eve P_K / s2) <= d_K <= n log2(1 + z_Bob P_K / s2).

    For other thresholds the same monotone bounds are used with the SINR at which eps = th found
    numerically (an extension, not in the paper). The eps_LF constraint c9 is NOT included
    (it is not an interval in general); d_K = 0 gives None (eps_{Eve,K} = 0 violates c8).
    """
    th = _check_p0(p_total, z_bob, z_eve, d_m, n, noise, thresholds, 1.0)
    _check_dk(d_k, n, integer=False)
    return _pm_interval(float(d_k), float(p_total), z_bob, z_eve, d_m, n, noise, th)


def _point(d_k, p_m, p_total, z_bob, z_eve, d_m, n, noise, th, eps_lf_max):
    """(feasible, metrics) at an integer d_K and P_M on the budget line."""
    p_k = max(float(p_total) - float(p_m), 0.0)
    m = pld_metrics(float(p_m), p_k, d_m, int(d_k), z_bob, z_eve, noise, n)
    e = dict(m.eps, lf=m.eps_lf)
    return bool(_mask(e, th, eps_lf_max)), m


def _optimum(d_k, p_m, p_total, metrics, **extra):
    return PLDOptimum(feasible=True, d_k=int(d_k), p_m=float(p_m),
                      p_k=max(float(p_total) - float(p_m), 0.0), r_d=float(metrics.r_d),
                      eps_lf=float(metrics.eps_lf), metrics=metrics, **extra)


def _line_search(d_k, p_total, z_bob, z_eve, d_m, n, noise, th, eps_lf_max, grid):
    """Best feasible (R_d, P_M) of one integer d_K on the line: grid argmax + bounded Brent
    refinement on the two neighbouring grid cells. Returns None if no grid point is feasible."""
    p = np.linspace(0.0, p_total, grid)
    e = _errors(p, p_total - p, d_m, d_k, z_bob, z_eve, noise, n)
    ok = _mask(e, th, eps_lf_max)
    if not np.any(ok):
        return None
    r = np.where(ok, e["r_d"], -1.0)
    i = int(np.argmax(r))
    best_p, best_r = float(p[i]), float(r[i])
    lo, hi = p[max(i - 1, 0)], p[min(i + 1, grid - 1)]

    def neg(x):
        ee = _errors(x, p_total - x, d_m, d_k, z_bob, z_eve, noise, n)
        return -float(ee["r_d"]) if bool(_mask(ee, th, eps_lf_max)) else 1.0

    res = minimize_scalar(neg, bounds=(lo, hi), method="bounded",
                          options={"xatol": 1e-10 * max(p_total, 1.0)})
    if res.fun < -best_r:
        best_p, best_r = float(res.x), -float(res.fun)
    return best_r, best_p


def exhaustive(p_total, z_bob, z_eve, d_m=16, n=64, noise=1.0, thresholds=0.5, eps_lf_max=0.5,
               grid=20001, d_k=None) -> PLDOptimum:
    """Global optimum of P0 (003.md §4.5) by exhaustive search (§4.10 recommendation, §10).

    Inputs: ``p_total`` (P_Sigma, mW), ``z_bob``, ``z_eve`` (linear gains), ``d_m``, ``n``,
    ``noise`` (sigma^2, mW), ``thresholds`` (c5-c8), ``eps_lf_max`` (eps_LF^th, c9), ``grid``
    (number of P_M grid points, >= 3), ``d_k`` (None: optimize it; an integer: only the best
    P_M at that key size, e.g. the paper's Table III points d_K = 40/23/11).
    Method: by Theorem 1 (§4.6) P_K = P_total - P_M. For every integer d_K in {0..n} the feasible
    (mask c5-c9) P_M grid argmax of R_d (eq. 11) is refined by a bounded scalar search over its
    neighbouring grid cells; the best (d_K, P_M) over all d_K is returned.
    Output: :class:`PLDOptimum` (``feasible=False`` if no grid point is feasible).
    """
    th = _check_p0(p_total, z_bob, z_eve, d_m, n, noise, thresholds, eps_lf_max)
    if isinstance(grid, bool) or int(grid) != grid or grid < 3:
        raise ValueError(f"grid: got {grid!r}; allowed: an integer >= 3")
    if d_k is not None:
        _check_dk(d_k, n)
    best = None
    for dk in (range(int(n) + 1) if d_k is None else (int(d_k),)):
        res = _line_search(dk, float(p_total), z_bob, z_eve, d_m, n, noise, th, eps_lf_max,
                           int(grid))
        if res is not None and (best is None or res[0] > best[0]):
            best = (res[0], res[1], dk)
    if best is None:
        return PLDOptimum(feasible=False)
    _, p_m, d_k = best
    _, m = _point(d_k, p_m, p_total, z_bob, z_eve, d_m, n, noise, th, eps_lf_max)
    return _optimum(d_k, p_m, p_total, m)


def mm_surrogate(d_k, p_m, anchor, p_total, z_bob, z_eve, d_m=16, n=64, noise=1.0,
                 literal=False):
    """MM majorizer of 1/R_d on the budget line (Lemma 1, 003.md §4.8, corrected [N-7]).

    Inputs: the point (``d_k`` real, ``p_m``), the local point ``anchor = (d_k_hat, p_m_hat)``,
    and the system parameters. Arrays broadcast over ``d_k``/``p_m``.
    Corrected (default): lambda_1 = (1 - eps_EM^) / R_b^, lambda_2 = eps_EK^ / R_b^ and

        R^_d = (1/R_b + lambda_1/(1 - eps_EM) + lambda_2/eps_EK)^3 / (27 lambda_1 lambda_2),

    an AM-GM upper bound of 1/R_d that is tight at the anchor. ``literal=True``: the paper's
    printed eq. (13)-(15) (constant 9, lambda_1 = R_b^/(1 - eps_EM^), lambda_2 = R_b^/eps_EK^),
    a valid but not tight bound. Output: the surrogate value(s) (inf where a factor is 0).
    """
    p_m = np.asarray(p_m, dtype=np.float64)
    a = _errors(anchor[1], p_total - anchor[1], d_m, anchor[0], z_bob, z_eve, noise, n)
    if literal:
        l1, l2, c = a["r_b"] / (1 - a["eve_m"]), a["r_b"] / a["eve_k"], 9.0
    else:
        l1, l2, c = (1 - a["eve_m"]) / a["r_b"], a["eve_k"] / a["r_b"], 27.0
    e = _errors(p_m, p_total - p_m, d_m, d_k, z_bob, z_eve, noise, n)
    with np.errstate(divide="ignore"):
        s = (1 / e["r_b"] + l1 / (1 - e["eve_m"]) + l2 / e["eve_k"]) ** 3 / (c * l1 * l2)
    return float(s) if np.ndim(s) == 0 else s


def _dk_interval(p_m, p_total, z_bob, z_eve, n, noise, th):
    """[lo, hi] of the relaxed d_K at fixed P_M where c7, c8 hold: with q = Q^{-1}(th),
    eps <= th <=> omega >= q <=> d <= n C(gamma) - q sqrt(n V(gamma)) / ln 2 (linear in d)."""
    p_k = p_total - p_m

    def d_at(gamma, t):
        c, v = np.log2(1 + gamma), 1 - 1 / (1 + gamma) ** 2
        return n * c - norm.isf(t) * np.sqrt(n * v) / np.log(2)

    hi = min(float(n), d_at(z_bob * p_k / noise, th["bob_k"]))
    lo = max(0.0, d_at(z_eve * p_k / noise, th["eve_k"]))
    return (lo, hi) if lo <= hi else None


def mm_bcd(p_total, z_bob, z_eve, d_m=16, n=64, noise=1.0, thresholds=0.5, eps_lf_max=0.5,
           start=None, max_iter=100, max_bcd_iter=100, tol=1e-7, tol_bcd=1.49e-8,
           literal=False, xatol=1e-10) -> PLDOptimum:
    """Algorithm 1 (MM inside BCD) for P1 (003.md §4.7-4.10), with the fixes of §4.8/§4.10.

    Inputs: system parameters as :func:`exhaustive`; ``start = (d_k0, p_m0)`` a feasible point
    of P0 (None: the integer d_K with the widest feasible interval, P_M at its middle);
    ``max_iter`` = Q (MM), ``max_bcd_iter`` = T (BCD), ``tol`` = mu_MM, ``tol_bcd`` = mu_BCD
    (Table II values by default); ``literal``: use the paper's printed surrogate (eq. 13-15)
    instead of the corrected one; ``xatol``: tolerance (mW / bits) of the 1-D solvers.
    What is implemented exactly:
      * d_K is relaxed to a real number in [0, n] during the iterations.
      * Outer loop q (MM): anchor the surrogate :func:`mm_surrogate` at (d^_K, P^_M).
      * Inner loop t (BCD): P3 (P_M step, d_K fixed) then P2 (d_K step, P_M fixed), each a
        bounded Brent minimisation of the surrogate over the interval where c5-c8 hold
        (closed form, :func:`feasible_interval` / omega linear in d_K); c9 (eps_LF) is enforced
        by rejecting (value +inf) points that violate it. A step is kept only if it does not
        increase the surrogate. Stop when |R^(t) - R^(t-1)| <= mu_BCD (absolute, fix of §4.10)
        or t = T.
      * The new anchor is (d_K^(t), P_M^(t)) (fix: P^_M, not P^_K); stop when
        |1/R_d(anchor_q) - 1/R_d(anchor_{q-1})| <= mu_MM (absolute; the surrogate is tight at
        the anchor) or q = Q.
      * Integer recovery eq. (16): d_K* = argmax over {floor, ceil} of the relaxed d_K of
        R_d(m, P_M*) among the candidates feasible for P0 at P_M*.
    Output: :class:`PLDOptimum` with ``iterations`` (MM), ``bcd_iterations``, ``d_k_relaxed``,
    ``path``; ``feasible=False`` if neither rounded candidate is feasible.
    Raises ValueError if ``start`` is not feasible for P0.
    """
    th = _check_p0(p_total, z_bob, z_eve, d_m, n, noise, thresholds, eps_lf_max)
    p_total = float(p_total)
    for name, v in (("max_iter", max_iter), ("max_bcd_iter", max_bcd_iter)):
        if isinstance(v, bool) or int(v) != v or v < 1:
            raise ValueError(f"{name}: got {v!r}; allowed: an integer >= 1")
    for name, v in (("tol", tol), ("tol_bcd", tol_bcd), ("xatol", xatol)):
        if not np.isscalar(v) or not np.isfinite(v) or v <= 0:
            raise ValueError(f"{name}: got {v!r}; allowed: a finite number > 0")
    args = (d_m, n, noise)

    def feas(d, p):
        return bool(_mask(_errors(p, p_total - p, d_m, d, z_bob, z_eve, noise, n), th,
                          eps_lf_max))

    if start is None:
        best = None
        for d in range(1, int(n) + 1):
            iv = _pm_interval(d, p_total, z_bob, z_eve, d_m, n, noise, th)
            if iv is not None and feas(d, 0.5 * (iv[0] + iv[1])) \
                    and (best is None or iv[1] - iv[0] > best[0]):
                best = (iv[1] - iv[0], d, 0.5 * (iv[0] + iv[1]))
        if best is None:
            return PLDOptimum(feasible=False)
        d_k, p_m = float(best[1]), best[2]
    else:
        try:
            d_k, p_m = (float(v) for v in start)
        except (TypeError, ValueError):
            raise ValueError(f"start: got {start!r}; allowed: a pair (d_k0, p_m0)") from None
        if not (0 <= d_k <= n and 0 <= p_m <= p_total) or not feas(d_k, p_m):
            raise ValueError(f"start: got {start!r}; allowed: a point feasible for P0 "
                             "(c1-c9 on the full-power line)")

    def inv_rd(d, p):
        return 1.0 / float(_errors(p, p_total - p, d_m, d, z_bob, z_eve, noise, n)["r_d"])

    path = [(d_k, p_m)]
    total_bcd, q = 0, 0
    prev_anchor_val = inv_rd(d_k, p_m)
    for q in range(1, int(max_iter) + 1):
        anchor = (d_k, p_m)

        def sur(d, p):
            if not feas(d, p):
                return np.inf
            return mm_surrogate(d, p, anchor, p_total, z_bob, z_eve, *args, literal=literal)

        val = sur(d_k, p_m)
        for _t in range(int(max_bcd_iter)):
            total_bcd += 1
            old = val
            iv = _pm_interval(d_k, p_total, z_bob, z_eve, d_m, n, noise, th)  # P3
            if iv is not None and iv[1] > iv[0]:
                r = minimize_scalar(lambda x: sur(d_k, x), bounds=iv, method="bounded",
                                    options={"xatol": xatol})
                if r.fun <= val:
                    p_m, val = float(r.x), float(r.fun)
            iv = _dk_interval(p_m, p_total, z_bob, z_eve, n, noise, th)       # P2
            if iv is not None and iv[1] > iv[0]:
                r = minimize_scalar(lambda x: sur(x, p_m), bounds=iv, method="bounded",
                                    options={"xatol": xatol})
                if r.fun <= val:
                    d_k, val = float(r.x), float(r.fun)
            if abs(val - old) <= tol_bcd:
                break
        path.append((d_k, p_m))
        anchor_val = inv_rd(d_k, p_m)
        if abs(anchor_val - prev_anchor_val) <= tol:
            break
        prev_anchor_val = anchor_val

    cands = []
    for m in sorted({int(np.floor(d_k)), int(np.ceil(d_k))}):
        ok, met = _point(m, p_m, p_total, z_bob, z_eve, d_m, n, noise, th, eps_lf_max)
        if ok:
            cands.append((met.r_d, m, met))
    extra = dict(iterations=q, bcd_iterations=total_bcd, d_k_relaxed=d_k, path=tuple(path))
    if not cands:
        return PLDOptimum(feasible=False, **extra)
    _, m, met = max(cands, key=lambda c: c[0])
    return _optimum(m, p_m, p_total, met, **extra)


def theorem1_check(d_k, p_total, z_bob, z_eve, d_m=16, n=64, noise=1.0, thresholds=0.5,
                   eps_lf_max=0.5, grid=401, line_grid=20001) -> Theorem1Check:
    """Numerical check of Theorem 1 (003.md §4.6, Fig. 2 / §11 item 5) at a fixed integer d_K.

    Inputs: ``d_k``, system parameters as :func:`exhaustive`, ``grid`` points per axis of the
    square [0, P_total]^2 of (P_M, P_K), ``line_grid`` points for the line optimum.
    Method: maximise R_d (eq. 11) over the square grid subject to c3 (P_M + P_K <= P_total) and
    the mask c5-c9; the optimum satisfies Theorem 1 if P_total - P_M - P_K <= grid step.
    Output: :class:`Theorem1Check` (``on_line=False`` and None values if nothing is feasible),
    including the refined optimum on the line P_K = P_total - P_M.
    """
    th = _check_p0(p_total, z_bob, z_eve, d_m, n, noise, thresholds, eps_lf_max)
    _check_dk(d_k, n)
    if isinstance(grid, bool) or int(grid) != grid or grid < 3:
        raise ValueError(f"grid: got {grid!r}; allowed: an integer >= 3")
    if isinstance(line_grid, bool) or int(line_grid) != line_grid or line_grid < 3:
        raise ValueError(f"line_grid: got {line_grid!r}; allowed: an integer >= 3")
    p_total = float(p_total)
    axis = np.linspace(0.0, p_total, int(grid))
    step = float(axis[1] - axis[0])
    pm, pk = np.meshgrid(axis, axis, indexing="ij")
    e = _errors(pm, pk, d_m, int(d_k), z_bob, z_eve, noise, n)
    ok = _mask(e, th, eps_lf_max) & (pm + pk <= p_total * (1 + 1e-12))
    res = _line_search(int(d_k), p_total, z_bob, z_eve, d_m, n, noise, th, eps_lf_max,
                       int(line_grid))
    if res is None:
        line = PLDOptimum(feasible=False)
    else:
        _, met = _point(d_k, res[1], p_total, z_bob, z_eve, d_m, n, noise, th, eps_lf_max)
        line = _optimum(d_k, res[1], p_total, met)
    if not np.any(ok):
        return Theorem1Check(False, None, None, None, None, step, line)
    i = np.unravel_index(int(np.argmax(np.where(ok, e["r_d"], -1.0))), ok.shape)
    gap = p_total - pm[i] - pk[i]
    return Theorem1Check(bool(gap <= step * (1 + 1e-9)), float(pm[i]), float(pk[i]),
                         float(e["r_d"][i]), float(gap), step, line)


def min_feasible_lfp(p_total, z_bob, z_eve, d_m=16, n=64, noise=1.0, thresholds=0.5,
                     grid=20001) -> PLDOptimum:
    """The smallest eps_LF^th for which P0 is feasible at full power (Fig. 8, 003.md §6 E8).

    Inputs as :func:`exhaustive`. Method: for every integer d_K in {0..n}, the P_M grid
    (P_K = P_total - P_M, Theorem 1) minimum of eps_LF (eq. 10) over the points that satisfy
    c5-c8, refined by a bounded scalar search on the neighbouring grid cells.
    Output: :class:`PLDOptimum` at that minimiser (``eps_lf`` is the answer; ``r_d`` is R_d
    there), or ``feasible=False`` when c5-c8 hold nowhere on the line.
    """
    th = _check_p0(p_total, z_bob, z_eve, d_m, n, noise, thresholds, 1.0)
    if isinstance(grid, bool) or int(grid) != grid or grid < 3:
        raise ValueError(f"grid: got {grid!r}; allowed: an integer >= 3")
    p_total = float(p_total)
    p = np.linspace(0.0, p_total, int(grid))
    best = None
    for d_k in range(int(n) + 1):
        e = _errors(p, p_total - p, d_m, d_k, z_bob, z_eve, noise, n)
        ok = _mask(e, th, 1.0)
        if not np.any(ok):
            continue
        lf = np.where(ok, e["lf"], np.inf)
        i = int(np.argmin(lf))
        lo, hi = p[max(i - 1, 0)], p[min(i + 1, p.size - 1)]
        best_p, best_lf = float(p[i]), float(lf[i])

        def lfp(x, d_k=d_k):
            ee = _errors(x, p_total - x, d_m, d_k, z_bob, z_eve, noise, n)
            return float(ee["lf"]) if bool(_mask(ee, th, 1.0)) else np.inf

        res = minimize_scalar(lfp, bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-10 * max(p_total, 1.0)})
        if res.fun < best_lf:
            best_p, best_lf = float(res.x), float(res.fun)
        if best is None or best_lf < best[0]:
            best = (best_lf, best_p, d_k)
    if best is None:
        return PLDOptimum(feasible=False)
    _, p_m, d_k = best
    _, m = _point(d_k, p_m, p_total, z_bob, z_eve, d_m, n, noise, th, 1.0)
    return _optimum(d_k, p_m, p_total, m)
