"""Joint (J-E, the outer bound), group (GR-E), modified group (M-GR-E) encoding and the uniform
baselines (UNI) of seed 004 (notes 004 §2.1-§2.3, §2.6, §2.7, §2.9, and the cvxpy recipe of
§2.12), for one channel realization.

Rates (bits), with ``S_l = sum_k p_{k,l}``:

    R_0k = sum_l log2(1 + am_kl (p0_l + S_l)) - log2(1 + am_kl S_l)              (11), R_0 = min_k
    R_k/j = sum_{l in L_k/j} log2(1 + am_kl p_kl) - log2(1 + ap_jl p_kl)          (9),  R_k = min_j

with ``L_k/j = {l : am_kl >= ap_jl}`` (8). The weighted sum ``w_0 R_0 + sum_k w_k R_k`` is
maximized in the epigraph form with K^2 constraints (§2.3). The common-rate term is not
concave (§2.4): successive convex approximation replaces ``-log2(1 + am S)`` by its tangent at
the current iterate (a global under-estimator, so the true objective never falls), each step a
cvxpy program solved by Clarabel, until it changes by less than 1e-7 bit.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from linksim.systems.ofdm_bc.analysis import owners

__all__ = ["joint_rates", "weighted_sum", "sca_allocation", "gre_allocation",
           "mgre_allocation", "uniform_allocation", "UNI_READINGS"]

LN2 = math.log(2)

#: The readings of the unspecified UNI baseline (notes §2.9).
UNI_READINGS = ("half", "all")


def joint_rates(p, am, ap) -> np.ndarray:
    """R_0 (eq. 12) and R_k (eq. 10) of powers ``p`` with joint encoding.

    Input
    -----
    p : float64 [K + 1, L]
    am, ap : float64 [K, L]

    Output
    ------
    rates : float64 [K + 1]
    """
    p, am, ap = (np.asarray(a, float) for a in (p, am, ap))
    k = am.shape[0]
    s = p[1:].sum(axis=0)
    r0 = np.min(np.sum(np.log2(1 + am * (p[0] + s)) - np.log2(1 + am * s), axis=1))
    out = [r0]
    for user in range(k):
        per_eve = []
        for eve in range(k):
            if eve == user:
                continue
            on = am[user] >= ap[eve]
            term = np.log2(1 + am[user] * p[user + 1]) - np.log2(1 + ap[eve] * p[user + 1])
            per_eve.append(np.sum(np.where(on, term, 0.0)))
        out.append(min(per_eve) if per_eve else np.sum(np.log2(1 + am[user] * p[user + 1])))
    return np.array(out)


def weighted_sum(rates, weights) -> float:
    """``sum_k w_k R_k`` (eq. 14).

    Input
    -----
    rates : float64 [K + 1]
    weights : float64 [K + 1]

    Returns
    -------
    float
    """
    return float(np.dot(rates, weights))


def _secrecy(cp, a, b, x):
    """log2(1 + a x) - log2(1 + b x) for a >= b > 0, DCP-concave: log(q - (q - 1)/(1 + b x))."""
    q = a / b
    return cp.log(q - cp.multiply(q - 1, cp.inv_pos(1 + cp.multiply(b, x)))) / LN2


def sca_allocation(am, ap, weights, p_total: float, *, p_init=None, channels=None,
                   users=None, tol: float = 1e-7, max_iter: int = 50):
    """Maximize ``w_0 R_0 + sum_k w_k R_k`` (J-E, eqs. 10-12, 14) by successive convex
    approximation, over the channels ``channels`` and the confidential layers of ``users``.

    Parameters
    ----------
    weights : float [K + 1]
    p_total : float
        Budget of the channels optimized.
    p_init : float64 [K + 1, L] or None
        Starting powers (feasible); None: the UNI-half powers.
    channels : bool [L] or None
        Channels to optimize (the rest get no power); None: all.
    users : sequence of int or None
        Confidential layers allowed (1-based message indices); None: all.
    tol, max_iter : float, int
        Stop when the objective moves less than ``tol`` bits, or after ``max_iter`` steps.

    Input
    -----
    am, ap : float64 [K, L]

    Returns
    -------
    p : float64 [K + 1, L]
    value : float
        The weighted sum at ``p`` (restricted to ``channels``).
    statuses : list of str
        The solver status of every step.
    """
    import cvxpy as cp
    am, ap = np.asarray(am, float), np.asarray(ap, float)
    w = np.asarray(weights, float)
    k, n_ch = am.shape
    chan = np.ones(n_ch, bool) if channels is None else np.asarray(channels, bool)
    allowed = list(range(1, k + 1)) if users is None else list(users)
    sub_am, sub_ap = am[:, chan], ap[:, chan]
    n = int(chan.sum())
    if p_init is None:
        p_now = uniform_allocation(sub_am, sub_ap, p_total, "half")
    else:
        p_now = np.asarray(p_init, float)[:, chan]
    for row in range(1, k + 1):
        if row not in allowed:
            p_now[row] = 0.0
    p0 = cp.Variable(n, nonneg=True)
    pk = {u: cp.Variable(n, nonneg=True) for u in allowed}
    s_expr = sum(pk.values()) if pk else np.zeros(n)
    # the tangent of -log2(1 + a S) at S_ref: -(const_i + coef_i . S), with the parameters
    # set per step (kept affine in them, so the program is DPP and compiled once)
    coef = [cp.Parameter(n, nonneg=True) for _ in range(k)]
    const = [cp.Parameter() for _ in range(k)]
    z0 = cp.Variable()
    zk = {u: cp.Variable() for u in allowed}
    cons = [cp.sum(p0) + sum(cp.sum(v) for v in pk.values()) <= p_total]
    for i in range(k):
        a = sub_am[i]
        linear = coef[i] @ s_expr if pk else 0.0
        cons.append(z0 <= cp.sum(cp.log(1 + cp.multiply(a, p0 + s_expr))) / LN2 - const[i]
                    - linear)
    for u in allowed:
        for eve in range(k):
            if eve == u - 1:
                continue
            on = sub_am[u - 1] >= sub_ap[eve]
            if not on.any():
                cons.append(zk[u] <= 0)
                continue
            idx = np.flatnonzero(on)
            b = np.maximum(sub_ap[eve, idx], 1e-300)
            cons.append(zk[u] <= cp.sum(_secrecy(cp, sub_am[u - 1, idx], b, pk[u][idx])))
        if k == 1:
            cons.append(zk[u] <= cp.sum(cp.log(1 + cp.multiply(sub_am[0], pk[u]))) / LN2)
    objective = w[0] * z0 + sum(w[u] * zk[u] for u in allowed)
    problem = cp.Problem(cp.Maximize(objective), cons)
    value = weighted_sum(joint_rates(p_now, sub_am, sub_ap), w)
    statuses = []
    for _ in range(max_iter):
        s_ref = np.maximum(p_now[1:].sum(axis=0), 0.0)
        for i in range(k):
            a = sub_am[i]
            coef[i].value = a / ((1 + a * s_ref) * LN2)
            const[i].value = float(np.sum(np.log2(1 + a * s_ref)) - coef[i].value @ s_ref)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)     # the status is recorded instead
            try:
                problem.solve(solver="CLARABEL")
            except cp.error.SolverError:
                # Clarabel gives up on a rare badly scaled step (seen once in 1400 GR-E draws):
                # keep the current iterate, which is feasible and never worse (SCA is monotone)
                statuses.append("solver_error")
                break
        statuses.append(problem.status)
        if problem.status not in ("optimal", "optimal_inaccurate"):
            break
        new = np.zeros_like(p_now)
        new[0] = np.maximum(p0.value, 0)
        for u in allowed:
            new[u] = np.maximum(pk[u].value, 0)
        scale = min(1.0, p_total / max(new.sum(), 1e-300))
        new *= scale
        new_value = weighted_sum(joint_rates(new, sub_am, sub_ap), w)
        if new_value < value:          # keep the better iterate (solver round-off)
            break
        done = new_value - value < tol
        p_now, value = new, new_value
        if done:
            break
    full = np.zeros((k + 1, n_ch))
    full[:, chan] = p_now
    return full, value, statuses


def uniform_allocation(am, ap, p_total: float, reading: str = "half") -> np.ndarray:
    """UNI (notes §2.9): ``"half"``, P/L per channel split equally between M0 and the owner's
    confidential layer (all to M0 on channels without an owner); ``"all"``, P/(L(K+1)) for every
    message on every channel.

    Parameters
    ----------
    p_total : float
    reading : str
        One of :data:`UNI_READINGS`.

    Input
    -----
    am, ap : float64 [K, L]

    Returns
    -------
    p : float64 [K + 1, L]
    """
    am, ap = np.asarray(am, float), np.asarray(ap, float)
    k, n = am.shape
    if reading == "all":
        return np.full((k + 1, n), p_total / (n * (k + 1)))
    if reading != "half":
        raise ValueError(f"reading: got {reading!r}; allowed: one of {', '.join(UNI_READINGS)}")
    owner = owners(am[None], ap[None])[0]
    p = np.zeros((k + 1, n))
    per = p_total / n
    p[0] = np.where(owner >= 0, per / 2, per)
    for user in range(k):
        p[user + 1] = np.where(owner == user, per / 2, 0.0)
    return p


def gre_allocation(am, ap, weights, p_total: float, *, statuses: list | None = None):
    """GR-E (eqs. 22-29): each owner group L_k gets the budget |L_k| P / L for M0 and Mk, coded
    jointly within the group (SCA); L_0 gets |L_0| P / L for M0 alone (concave: one step).

    Parameters
    ----------
    weights : float [K + 1]
    p_total : float
    statuses : list or None
        When given, the solver status of every SCA step of every group is appended to it.

    Input
    -----
    am, ap : float64 [K, L]

    Returns
    -------
    p : float64 [K + 1, L]
    rates : float64 [K + 1]
        ``R_0^(G)`` (eq. 25: the sum over groups of each group's min over users) and R_k^(G).
    """
    am, ap = np.asarray(am, float), np.asarray(ap, float)
    k, n = am.shape
    owner = owners(am[None], ap[None])[0]
    p = np.zeros((k + 1, n))
    rates = np.zeros(k + 1)
    for group in range(-1, k):
        chan = owner == group
        if not chan.any():
            continue
        budget = chan.sum() * p_total / n
        users = [] if group < 0 else [group + 1]
        part, _, steps = sca_allocation(am, ap, weights, budget, channels=chan, users=users)
        if statuses is not None:
            statuses.extend(steps)
        p += part
        r = joint_rates(part[:, chan], am[:, chan], ap[:, chan])
        rates[0] += r[0]
        if group >= 0:
            rates[group + 1] = r[group + 1]
    return p, rates


def mgre_allocation(am, ap, weights, p_total: float, *, gre=None,
                    statuses: list | None = None):
    """M-GR-E (Table II, eqs. 30-31 with the erratum: maximize eq. 12): the confidential powers
    of GR-E kept, the common power re-allocated over all channels with the rest of the budget.
    Concave in p0 for fixed confidential powers: one cvxpy program.

    Parameters
    ----------
    weights : float [K + 1]
    p_total : float
    gre : (p, rates) or None
        The GR-E result of :func:`gre_allocation` on the same (am, ap, weights, p_total), when
        the caller has it already (a study that scores both); None: computed here.
    statuses : list or None
        When given, the solver statuses (GR-E's steps when computed here, then the common
        program's) are appended to it.

    Input
    -----
    am, ap : float64 [K, L]

    Returns
    -------
    p : float64 [K + 1, L]
    rates : float64 [K + 1]
        Joint-encoding rates (eqs. 10, 12).
    """
    import cvxpy as cp
    am, ap = np.asarray(am, float), np.asarray(ap, float)
    k, n = am.shape
    p_g, _ = gre_allocation(am, ap, weights, p_total, statuses=statuses) if gre is None \
        else gre
    s = p_g[1:].sum(axis=0)
    budget = max(p_total - s.sum(), 0.0)
    p0 = cp.Variable(n, nonneg=True)
    z = cp.Variable()
    cons = [cp.sum(p0) <= budget]
    for i in range(k):
        const = float(np.sum(np.log2(1 + am[i] * s)))
        cons.append(z <= cp.sum(cp.log(1 + cp.multiply(am[i], p0 + s))) / LN2 - const)
    problem = cp.Problem(cp.Maximize(z), cons)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)         # the status is recorded instead
        try:
            problem.solve(solver="CLARABEL")
            status = problem.status
        except cp.error.SolverError:
            status = "solver_error"
    if statuses is not None:
        statuses.append(status)
    # GR-E's common powers are feasible for (31) and eq. (12) >= eq. (25) on them, so they,
    # with the unspent budget added (every R_0k grows with p0), are the fallback; keeping the
    # better of the two makes M-GR-E >= GR-E exact instead of true to the solver's ~1e-7 bit
    fallback = p_g.copy()
    spare = budget - fallback[0].sum()
    if spare > 0:
        fallback[0] += spare / n
    best, best_rates = fallback, joint_rates(fallback, am, ap)
    if status != "solver_error" and p0.value is not None:
        p = p_g.copy()
        common = np.maximum(p0.value, 0)
        # every R_0k grows with p0: spend the solver's last ~1e-8 of the budget too
        if common.sum() > 0:
            common *= budget / common.sum()
        p[0] = common
        rates = joint_rates(p, am, ap)
        if rates[0] >= best_rates[0]:
            best, best_rates = p, rates
    return best, best_rates
