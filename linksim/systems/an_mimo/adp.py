"""The robust distributed AN-aided precoding design of seed 002: Algorithm 1 (asynchronous
distributed pricing, ADP, over the WMMSE surrogate with robust LMIs), in the consolidated form of
notes 002 §2.12 [C].

Each pair i in turn (Gauss-Seidel over i = 1..K, the paper's "asynchronous" updates, A18):

1. MMSE receiver and weight: ``U_R = (Z_R + N_R)^-1 G_ii Q_i``, ``S_R = (I + Q^H G^H N_R^-1 G Q)``,
   ``F_R = S_R^(1/2)`` (§2.3 [C], closed form);
2. the interference price ``Pi~_i = N_R^-1 - (Z_R + N_R)^-1`` (eq. 24, sign of erratum A4),
   broadcast to the others;
3. ``(Q_i, Lambda_i)``: the convex program that maximizes the surrogate g_i (eq. 38) for the
   fixed receivers and weights: ``min alpha + beta + gamma + sum_j theta_j`` subject to one
   robust LMI per term (the table of §2.12, :func:`linksim.systems.an_mimo.robust.robust_term`)
   and ``tr(Q Q^H + Lambda Lambda^H) <= P_tot``, solved by cvxpy with Clarabel; the status of
   every solve is checked, a failed solve keeps the previous precoders (notes §2.12);
4. Eve's terms: ``U_E = N_E^-1 G_E Lambda``, ``S_E+ = I + Lambda^H G_E^H G_E Lambda``,
   ``S_E- = (Z_E + N_E)^-1`` and their square roots (closed forms).

Steps 1, 2 and 4 are the exact block maximizers of g_i for zeta = 0; for zeta > 0 the paper
solves them as robust programs too, and the closed forms are the cheaper heuristic the notes
recommend (so the robust objective need not be monotone: it is logged). Everything is computed
from the transmitter-side estimates, in noise-normalized units (``G = sqrt(w P / s^2) H``, unit
noise, ``||[Q, Lambda]||_F^2 <= 1``; the error radius scales by the same factor); rates are
invariant to that scaling. The loop runs over channel draws and users because every step is a
small semidefinite program; it is a design tool, not a per-frame path.
"""

from __future__ import annotations

import math
import time
import warnings
from collections import Counter
from typing import NamedTuple

import numpy as np
import scipy.linalg

from linksim.systems.an_mimo.analysis import hc, rates
from linksim.systems.an_mimo.robust import FORMS, robust_term, worst_case
from linksim.systems.an_mimo.wmmse import mmse_receiver

__all__ = ["Design", "Scaling", "scaling", "secrecy_init", "adp_design", "SOLVED",
           "BOUND_TOLERANCE", "SOLVER_OPTIONS"]

#: cvxpy statuses taken as a solution (the rest keep the previous precoders).
SOLVED = ("optimal", "optimal_inaccurate")


class Scaling(NamedTuple):
    """Amplitude factors ``sqrt(w P / s^2)`` of the direct, cross and Eve links."""

    direct: float
    cross: float
    eve: float


def scaling(omega_m: float, omega_i: float, omega_e: float, noise_r: float, noise_e: float,
            p_total: float) -> Scaling:
    """The factors that take channels to noise-normalized units (notes §2.12).

    Parameters
    ----------
    omega_m, omega_i, omega_e : float
        Path-loss gains (> 0).
    noise_r, noise_e : float
        Noise variances (> 0).
    p_total : float
        Power budget per transmitter (> 0).

    Returns
    -------
    Scaling
    """
    for name, v in (("omega_m", omega_m), ("omega_i", omega_i), ("omega_e", omega_e),
                    ("noise_r", noise_r), ("noise_e", noise_e), ("p_total", p_total)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name}: got {v!r}; allowed: a finite number > 0")
    return Scaling(math.sqrt(omega_m * p_total / noise_r), math.sqrt(omega_i * p_total / noise_r),
                   math.sqrt(omega_e * p_total / noise_e))


def _normalized(h, h_eve, scale: Scaling):
    k = h.shape[0]
    g = h * np.where(np.eye(k, dtype=bool), scale.direct, scale.cross)[:, :, None, None]
    return g, h_eve * scale.eve


def _sqrtm(s):
    w, v = np.linalg.eigh(s)
    return (v * np.sqrt(np.clip(w, 0, None))[..., None, :]) @ hc(v)


def secrecy_init(g_direct, g_eve, d_s: int, d_a: int):
    """The secrecy-aware start (notes §2.12 "Initialization matters"): generalized
    eigenvectors of ``(I + G_ii^H G_ii, I + G_E^H G_E)``, the top d_s for Q and the bottom d_a
    for Lambda, half the (normalized, unit) power each.

    Input
    -----
    g_direct : complex128 [K, n_r, n_t]
        Normalized direct channels.
    g_eve : complex128 [K, n_e, n_t]
        Normalized Eve channels.

    Output
    ------
    x : complex128 [K, n_t, d_s + d_a]
        ``[Q_i, Lambda_i]`` with ``||Q||_F^2 = ||Lambda||_F^2 = 1/2`` (Q only, at full power,
        when d_a = 0).
    """
    k, _, n_t = g_direct.shape
    eye = np.eye(n_t)
    out = np.empty((k, n_t, d_s + d_a), np.complex128)
    for i in range(k):
        a = eye + hc(g_direct[i]) @ g_direct[i]
        b = eye + hc(g_eve[i]) @ g_eve[i]
        _, v = scipy.linalg.eigh(a, b)              # ascending generalized eigenvalues
        v = v / np.linalg.norm(v, axis=0)
        q = v[:, ::-1][:, :d_s]
        lam = v[:, :d_a]
        share = 0.5 if d_a else 1.0
        out[i, :, :d_s] = q * math.sqrt(share / d_s)
        if d_a:
            out[i, :, d_s:] = lam * math.sqrt(0.5 / d_a)
    return out


#: Largest relative shortfall of a slack below its exact worst case taken as solver
#: round-off: with feasibility and gap tolerances of 1e-6 on the normalized program, slacks
#: were measured to hold to 2e-5 relative; a modelling error shows up as O(1).
BOUND_TOLERANCE = 1e-4

#: Clarabel's settings for every (Q, Lambda) program.
SOLVER_OPTIONS = dict(tol_gap_abs=1e-6, tol_gap_rel=1e-6, tol_feas=1e-6)

#: Data and AN power fractions searched for the start (the same for every user).
INIT_FRACTIONS = np.logspace(-8, 0, 33)


def _scaled_init(g, g_eve, x, d_s, d_a):
    """The start's powers: the pair (data, AN) of fractions of the budget from
    :data:`INIT_FRACTIONS` (sum <= 1) that maximizes the estimated sum secrecy rate, all users
    alike. At high SNR the half-and-half start of the notes puts Eve tens of bits above the
    legitimate receivers, and the surrogate then needs tens of iterations to bring the data
    power down (notes §2.12, A13); one batched evaluation of the rates avoids that crawl."""
    fq = INIT_FRACTIONS
    fa = INIT_FRACTIONS if d_a else np.zeros(1)
    pairs = np.array([(a, b) for a in fq for b in fa if a + b <= 1 + 1e-12])
    share_q = 0.5 if d_a else 1.0
    q = x[:, :, :d_s] / math.sqrt(share_q)
    lam = x[:, :, d_s:] / math.sqrt(0.5) if d_a else x[:, :, d_s:]
    qs = q[None] * np.sqrt(pairs[:, 0])[:, None, None, None]
    ls = lam[None] * np.sqrt(pairs[:, 1])[:, None, None, None]
    n = len(pairs)
    sums = rates(np.broadcast_to(g, (n, *g.shape)), np.broadcast_to(g_eve, (n, *g_eve.shape)),
                 qs, ls, 1.0, 1.0, 1.0, 1.0, 1.0).secrecy.sum(axis=1)
    best = int(np.argmax(sums))
    return np.concatenate([qs[best], ls[best]], axis=2)


class _Program:
    """User i's (Q, Lambda) program for one set of shapes, compiled once (DPP parameters)."""

    def __init__(self, n_t, n_r, n_e, d_s, d_a, k, form):
        import cvxpy as cp
        self.cp = cp
        b = d_s + d_a
        self.x = cp.Variable((n_t, b), complex=True, name="x")
        terms, cons, self.params = [], [], {}
        specs = [("alpha", self.x, b, d_s, n_r)]
        if d_a:
            specs.append(("beta", self.x[:, d_s:], d_a, d_a, n_e))
        specs.append(("gamma", self.x, b, n_e, n_e))
        specs += [(f"theta{j}", self.x, b, n_r, n_r) for j in range(k - 1)]
        self.slacks = {}
        for name, x, b_cols, a_rows, n_rr in specs:
            t, c, p = robust_term(cp, x, b_cols, a_rows, n_rr, form, name)
            terms.append(t)
            cons += c
            self.params[name] = p
            self.slacks[name] = t
        cons.append(cp.sum_squares(self.x) <= 1.0)
        self.problem = cp.Problem(cp.Minimize(sum(terms)), cons)
        self.form = form

    def solve(self, data: dict, eps: dict):
        """data: name -> (A, H, C, c0); eps: name -> radius. Returns (x, status, slacks)."""
        for name, (a, h, c, c0) in data.items():
            p = self.params[name]
            p["ah"].value = a @ h
            p["c"].value = c
            p["c0"].value = float(c0)
            p["eps"].value = float(eps[name])
            if self.form == "matrix":
                aah = a @ hc(a)
                p["aah"].value = 0.5 * (aah + hc(aah))
            else:
                p["a"].value = a
        try:
            with warnings.catch_warnings():
                # an inaccurate solution is counted in the status, not printed
                warnings.simplefilter("ignore", UserWarning)
                self.problem.solve(solver="CLARABEL", **SOLVER_OPTIONS)
            status = self.problem.status
        except self.cp.error.SolverError:
            status = "solver_error"
        if status not in SOLVED or self.x.value is None:
            return None, status, {}
        return (np.array(self.x.value), status,
                {name: float(np.real(t.value)) for name, t in self.slacks.items()})


_PROGRAMS: dict = {}


def _program(*key):
    if key not in _PROGRAMS:
        _PROGRAMS[key] = _Program(*key)
    return _PROGRAMS[key]


class Design(NamedTuple):
    """One draw's design and its log.

    Attributes
    ----------
    q, lam : complex128 [K, n_t, d_s], [K, n_t, d_a]
        Precoders in physical units (``tr(Q Q^H + Lambda Lambda^H) <= P_tot``).
    secrecy_est, secrecy_true : float64 [iterations + 1, K]
        Per-user secrecy rates (bits, unclipped) after each outer iteration (row 0: the start)
        on the estimated and on the true channels.
    surrogate : float64 [iterations, K]
        g_i (nats, the nominal eq. 38 with the fixed constant of Eve's noise term added back)
        after user i's update in each iteration.
    statuses : Counter
        cvxpy status of every solve.
    iterations : int
        Outer iterations run.
    converged : bool
        The change of the estimated sum secrecy rate fell below ``tol``.
    power_excess : float
        Largest relative excess of a solve's ``||X||^2`` over the budget (before rescaling).
    bound_violations : int
        Terms where the exact worst case (:func:`worst_case`) exceeded the LMI slack of the
        solve by more than :data:`BOUND_TOLERANCE`.
    bound_shortfall : float
        The largest ``(worst case - slack) / max(|worst case|, 1)`` over all terms and solves
        (negative: every slack above its worst case).
    solve_seconds : float
        Time spent in the solver.
    """

    q: np.ndarray
    lam: np.ndarray
    secrecy_est: np.ndarray
    secrecy_true: np.ndarray
    surrogate: np.ndarray
    statuses: Counter
    iterations: int
    converged: bool
    power_excess: float
    bound_violations: int
    bound_shortfall: float
    solve_seconds: float


def _unit_rates(g, g_eve, x, d_s):
    return rates(g[None], g_eve[None], x[None, :, :, :d_s], x[None, :, :, d_s:],
                 1.0, 1.0, 1.0, 1.0, 1.0).secrecy[0]


def adp_design(h_hat, h_eve_hat, *, omega_m: float, omega_i: float, omega_e: float,
               noise_r: float, noise_e: float, p_total: float, d_s: int, d_a: int, eps: float,
               n_iter: int = 30, tol: float = 1e-3, form: str = "matrix", price: bool = True,
               h_true=None, h_eve_true=None, check_bounds: bool = True) -> Design:
    """Algorithm 1 on one channel draw.

    Parameters
    ----------
    omega_m, omega_i, omega_e, noise_r, noise_e, p_total : float
        Path-loss gains, noise variances and the power budget (as :func:`scaling`).
    d_s, d_a : int
        Data and AN streams per user (d_s >= 1, d_a >= 0, d_s + d_a <= n_t).
    eps : float
        Radius of the Frobenius (vector form) or spectral (matrix form) error ball on every
        estimated channel, in the units of ``h_hat`` (>= 0; 0 is the non-robust design).
    n_iter : int
        Largest number of outer iterations L_max (>= 1).
    tol : float
        Stop when the estimated sum secrecy rate changes by less than this (bits).
    form : str
        LMI form, one of :data:`linksim.systems.an_mimo.robust.FORMS`.
    price : bool
        Use the interference prices (False: the selfish ablation, Pi~ = 0).
    check_bounds : bool
        Check every returned slack against the exact worst case (costs an eigendecomposition
        per term and solve).

    Input
    -----
    h_hat : complex [K, K, n_r, n_t]
        Estimated channels, ``h_hat[i, j]`` from TX j to RX i.
    h_eve_hat : complex [K, n_e, n_t]
        Estimated Eve channels.
    h_true, h_eve_true : complex, same shapes, optional
        True channels, for the log of the true secrecy rates (NaN without them).

    Output
    ------
    Design
    """
    h_hat = np.asarray(h_hat, np.complex128)
    h_eve_hat = np.asarray(h_eve_hat, np.complex128)
    if h_hat.ndim != 4 or h_hat.shape[0] != h_hat.shape[1] or h_eve_hat.ndim != 3 \
            or h_eve_hat.shape[0] != h_hat.shape[0] or h_eve_hat.shape[2] != h_hat.shape[3]:
        raise ValueError(f"h_hat, h_eve_hat: got shapes {h_hat.shape}, {h_eve_hat.shape}; "
                         f"allowed: [K, K, n_r, n_t] and [K, n_e, n_t]")
    k, _, n_r, n_t = h_hat.shape
    n_e = h_eve_hat.shape[1]
    if not (isinstance(d_s, int) and isinstance(d_a, int) and d_s >= 1 and d_a >= 0
            and d_s + d_a <= n_t and d_s <= n_r):
        raise ValueError(f"d_s, d_a: got {d_s!r}, {d_a!r}; allowed: integers with d_s >= 1, "
                         f"d_a >= 0, d_s + d_a <= n_t = {n_t}, d_s <= n_r = {n_r}")
    if not (math.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps: got {eps!r}; allowed: a finite number >= 0")
    if form not in FORMS:
        raise ValueError(f"form: got {form!r}; allowed: one of {', '.join(FORMS)}")
    if not (isinstance(n_iter, int) and n_iter >= 1):
        raise ValueError(f"n_iter: got {n_iter!r}; allowed: an integer >= 1")
    scale = scaling(omega_m, omega_i, omega_e, noise_r, noise_e, p_total)
    g, g_eve = _normalized(h_hat, h_eve_hat, scale)
    truth = h_true is not None and h_eve_true is not None
    if truth:
        g_true, g_eve_true = _normalized(np.asarray(h_true, np.complex128),
                                         np.asarray(h_eve_true, np.complex128), scale)
    diag = np.arange(k)
    x = _scaled_init(g, g_eve, secrecy_init(g[diag, diag], g_eve, d_s, d_a), d_s, d_a)
    eye_r, eye_e = np.eye(n_r), np.eye(n_e)
    radius = {"alpha": eps * scale.direct, "beta": eps * scale.eve, "gamma": eps * scale.eve,
              **{f"theta{j}": eps * scale.cross for j in range(k - 1)}}
    program = _program(n_t, n_r, n_e, d_s, d_a, k, form)

    def eve_weights(i):
        ge, q, lam = g_eve[i], x[i, :, :d_s], x[i, :, d_s:]
        an = ge @ lam
        n_eve = an @ hc(an) + eye_e
        total = n_eve + (ge @ q) @ hc(ge @ q)
        s_minus = np.linalg.inv(total)
        if d_a:
            u_e = mmse_receiver(an, eye_e)
            s_plus = np.eye(d_a) + hc(an) @ an
        else:
            u_e, s_plus = np.zeros((n_e, 0)), np.zeros((0, 0))
        return u_e, s_plus, s_minus

    eve = [eve_weights(i) for i in range(k)]
    prices = np.zeros((k, n_r, n_r), np.complex128)
    est = [_unit_rates(g, g_eve, x, d_s)]
    tru = [_unit_rates(g_true, g_eve_true, x, d_s) if truth else np.full(k, np.nan)]
    surrogate, statuses = [], Counter()
    power_excess, violations, solve_seconds, worst_shortfall = 0.0, 0, 0.0, -math.inf
    converged, it = False, 0
    for it in range(1, n_iter + 1):
        g_row = np.empty(k)
        for i in range(k):
            cov = np.einsum("...ij,...kj->...ik", x, np.conj(x))      # X X^H per user
            others = [j for j in range(k) if j != i]
            upsilon = sum(g[i, j] @ cov[j] @ hc(g[i, j]) for j in others)
            gq, gl = g[i, i] @ x[i, :, :d_s], g[i, i] @ x[i, :, d_s:]
            n_rx = gl @ hc(gl) + eye_r + upsilon
            z_rx = gq @ hc(gq)
            u_r = mmse_receiver(gq, n_rx)
            s_r = np.eye(d_s) + hc(gq) @ np.linalg.solve(n_rx, gq)
            f_r = _sqrtm(s_r)
            if price:
                pr = np.linalg.inv(n_rx) - np.linalg.inv(z_rx + n_rx)
                w, v = np.linalg.eigh(0.5 * (pr + hc(pr)))
                prices[i] = (v * np.clip(w, 0, None)[None, :]) @ hc(v)
            u_e, s_plus, s_minus = eve[i]
            f_plus, f_minus = _sqrtm(s_plus) if d_a else s_plus, _sqrtm(s_minus)
            a_r = f_r @ hc(u_r)
            data = {"alpha": (a_r, g[i, i], np.hstack([-f_r, np.zeros((d_s, d_a))]),
                              np.trace(a_r @ (upsilon + eye_r) @ hc(a_r)).real),
                    "gamma": (f_minus, g_eve[i], np.zeros((n_e, d_s + d_a)),
                              np.trace(s_minus).real)}
            if d_a:
                a_p = f_plus @ hc(u_e)
                data["beta"] = (a_p, g_eve[i], -f_plus, np.trace(a_p @ hc(a_p)).real)
            for slot, j in enumerate(others):
                data[f"theta{slot}"] = (_sqrtm(prices[j]), g[j, i], np.zeros((n_r, d_s + d_a)),
                                        0.0)
            t0 = time.perf_counter()
            new, status, slacks = program.solve(data, radius)
            solve_seconds += time.perf_counter() - t0
            statuses[status] += 1
            if new is not None:
                power = float(np.sum(np.abs(new) ** 2))
                power_excess = max(power_excess, power - 1.0)
                if power > 1.0:
                    new = new / math.sqrt(power)
                if check_bounds:
                    for name, (a, hh, c, c0) in data.items():
                        xx = new[:, d_s:] if name == "beta" else new
                        # the Frobenius ball lies inside the spectral one: both forms must
                        # bound its exact worst case
                        wc, _ = worst_case(a, hh, xx, c, c0, radius[name])
                        shortfall = (wc - slacks[name]) / max(abs(wc), 1.0)
                        worst_shortfall = max(worst_shortfall, shortfall)
                        if shortfall > BOUND_TOLERANCE:
                            violations += 1
                x[i] = new
            eve[i] = eve_weights(i)
            # the nominal surrogate (38) at the updated blocks: -log det of each error matrix
            g_row[i] = _surrogate(g, g_eve, x, i, d_s, d_a, prices if price else None)
        surrogate.append(g_row)
        est.append(_unit_rates(g, g_eve, x, d_s))
        tru.append(_unit_rates(g_true, g_eve_true, x, d_s) if truth else np.full(k, np.nan))
        if abs(est[-1].sum() - est[-2].sum()) < tol:
            converged = True
            break
    q = x[:, :, :d_s] * math.sqrt(p_total)
    lam = x[:, :, d_s:] * math.sqrt(p_total)
    return Design(q, lam, np.array(est), np.array(tru), np.array(surrogate), statuses, it,
                  converged, power_excess, violations, worst_shortfall, solve_seconds)


def _surrogate(g, g_eve, x, i, d_s, d_a, prices) -> float:
    """g_i at its block maximizers (zeta = 0): C_S,i (nats) minus the price term."""
    k = g.shape[0]
    c_s = _unit_rates(g, g_eve, x, d_s)[i] * math.log(2)
    if prices is None:
        return float(c_s)
    cost = 0.0
    for j in range(k):
        if j != i:
            y = g[j, i] @ x[i]
            cost += np.trace(prices[j] @ y @ hc(y)).real
    return float(c_s - cost)
