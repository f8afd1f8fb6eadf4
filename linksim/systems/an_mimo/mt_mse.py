"""MT-MSE baseline of seed 002: minimum total MSE of the legitimate links subject to a floor on
Eve's MSE and the per-transmitter power budget, without artificial noise (notes 002 §3.1,
after Kong et al., IEEE TIFS 11(3) 2016). **[R]**: the notes reconstruct this scheme from the
abstract of that paper; the paper under study gives no algorithmic detail.

Every transmitter k sends ``x_k = V_k s_k`` (eq. 1 with ``Q_k = V_k`` and d_a = 0). With the
receive filters U_k (receiver k) and U_Ek (the worst-case Eve of eq. 4, which sees only
transmitter k plus its noise) the error matrices are

    E_k  = (sqrt(w_M) U_k^H H_kk V_k - I)(.)^H + sum_{j != k} w_I U_k^H H_kj V_j V_j^H H_kj^H U_k
           + s_R^2 U_k^H U_k
    E_Ek = (sqrt(w_E) U_Ek^H H_Ek V_k - I)(.)^H + s_E^2 U_Ek^H U_Ek

and the problem is ``min sum_k tr E_k  s.t.  tr E_Ek >= eta_k = eta d_s,  tr(V_k V_k^H) <=
P_tot``. Alternation (notes §3.1, steps 1-4), all users at once:

1. U_k = MMSE filter of receiver k, U_Ek = Eve's MMSE filter for s_k (both for the current V);
2. with the filters fixed, the Lagrangian is separable over k and its stationarity gives

       V_k = (sum_j w_jk H_jk^H U_j U_j^H H_jk - nu_k w_E H_Ek^H U_Ek U_Ek^H H_Ek + mu_k I)^-1
             (sqrt(w_M) H_kk^H U_k - nu_k sqrt(w_E) H_Ek^H U_Ek)

   (w_kk = w_M, w_jk = w_I), with nu_k, mu_k >= 0 from complementary slackness: an outer
   bisection on nu_k for ``tr E_Ek = eta_k`` (nu_k = 0 when the floor already holds), an inner
   search on mu_k for ``tr V_k V_k^H = P_tot`` (mu_k = 0 when the budget is not reached;
   a bisection bracket, with Newton steps on the secular equation where they stay inside it),
   mu_k always above ``-lambda_min`` of the matrix so that it stays positive definite (the
   "polynomial equation" the paper cites as its eq. 75);
3. repeat until the total MSE (at the MMSE filters) changes by less than ``tol``.

Eve's floor is enforced in step 2 with her filter of the previous iterate
(``eve_constraint="fixed_filter"``, the notes). That is not a restriction of the true floor:
Eve's MMSE filter gives her a lower MSE than any fixed filter, so a step that meets the floor
against the old filter (e.g. by moving V_k into the null space of ``U_Ek^H H_Ek``, which an
N_E > N_T Eve does not have) can leave her MMSE MSE far below it, and the alternation need not
converge to a feasible point. Her actual MSE, with her MMSE filter for the final precoders, is
reported per user; a draw whose floor is not met at the end is flagged (``feasible`` False),
never hidden. ``eve_constraint="mmse_bound"`` (not in the notes) imposes instead the tangent of
her MMSE MSE ``tr (I + V^H G V)^-1``, convex in ``V^H G V``, which is a global lower bound:
every iterate then meets the floor and the total MSE cannot increase (see
:func:`mt_mse_step`). With eta = 0 the floor is void in both and the iteration is the plain
min-sum-MSE alternation (WMMSE with unit weights), whose total MSE cannot increase.

Designs take the transmitter's channel estimates (notes §1.5, A1); evaluate the returned
precoders on the true channels with :func:`linksim.systems.an_mimo.analysis.rates`.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from linksim.checks import check_choice, check_int, check_real
from linksim.systems.an_mimo.analysis import check_channels, hc
from linksim.systems.an_mimo.wmmse import error_matrix, mmse_receiver

__all__ = ["EVE_CONSTRAINTS", "MtMseResult", "MtMseStep", "mt_mse", "mt_mse_step",
           "initial_precoders"]

#: How a step imposes Eve's floor: with her filter of the previous iterate (notes §3.1), or
#: on the tangent of her MMSE MSE (a convex restriction; see :func:`mt_mse_step`).
EVE_CONSTRAINTS = ("fixed_filter", "mmse_bound")

# The nu search grows from 1 (x4 per try) up to this cap before it declares the floor out of
# reach in a step: nu weighs Eve's MSE against the total MSE (both dimensionless, nu of order
# 1e-3-1e2 in practice); far beyond 1e12 the nu C term swamps A to rounding.
_NU_CAP = 2.0 ** 40
_NU_STEPS = 48          # bisection steps on nu: the bracket [hi / 4, hi] to 1e-14 relative
_MU_STEPS = 100         # safeguarded Newton steps on mu, at most (about 5-10 are used)


class MtMseStep(NamedTuple):
    """One precoder update of :func:`mt_mse_step` (fields described there)."""

    v: np.ndarray
    mu: np.ndarray
    nu: np.ndarray
    step_feasible: np.ndarray


class MtMseResult(NamedTuple):
    """The MT-MSE design of :func:`mt_mse` (fields described there)."""

    q: np.ndarray
    lam: np.ndarray
    feasible: np.ndarray
    eve_mse: np.ndarray
    n_iter: np.ndarray
    mse_history: np.ndarray
    mu: np.ndarray
    nu: np.ndarray


def _check_link(omega_m, omega_i, omega_e, noise_r, noise_e):
    return tuple(check_real(name, v, 0.0, strict_lo=True) for name, v in
                 (("omega_m", omega_m), ("omega_i", omega_i), ("omega_e", omega_e),
                  ("noise_r", noise_r), ("noise_e", noise_e)))


def _check_v(v, batch, k, n_t, d_s, name="v"):
    v = np.asarray(v)
    if v.dtype.kind not in "iufc" or v.shape != (batch, k, n_t, d_s):
        raise ValueError(f"{name}: got shape {v.shape} (dtype {v.dtype}); allowed: complex "
                         f"[{batch}, {k}, {n_t}, {d_s}]")
    v = v.astype(np.complex128)
    if not np.isfinite(v).all():
        raise ValueError(f"{name}: got non-finite entries; allowed: finite values")
    return v


def initial_precoders(h, d_s: int, p_total: float) -> np.ndarray:
    """The starting point of :func:`mt_mse`: the ``d_s`` strongest right singular vectors of
    each direct channel ``H_kk`` with ``P_tot / d_s`` per stream (eigen precoding, interference
    and Eve ignored), a deterministic function of the channel.

    Parameters
    ----------
    d_s : int
        Streams per user, 1 <= d_s <= min(n_r, n_t).
    p_total : float
        Power budget per transmitter, > 0.

    Input
    -----
    h : complex128 [batch, K, K, n_r, n_t]
        Estimated channels, ``h[:, i, j]`` from transmitter j to receiver i.

    Output
    ------
    v : complex128 [batch, K, n_t, d_s]
        ``tr(V_k V_k^H) = p_total`` for every user.
    """
    h = np.asarray(h, np.complex128)
    if h.ndim != 5 or h.shape[1] != h.shape[2]:
        raise ValueError(f"h: got shape {h.shape}; allowed: [batch, K, K, n_r, n_t]")
    d_s = check_int("d_s", d_s, 1, min(h.shape[3], h.shape[4]))
    p_total = check_real("p_total", p_total, 0.0, strict_lo=True)
    k = np.arange(h.shape[1])
    _, _, vh = np.linalg.svd(h[:, k, k])
    return hc(vh)[..., :d_s] * math.sqrt(p_total / d_s)


def _filters(h, h_eve, v, omega_m, omega_i, omega_e, noise_r, noise_e):
    """MMSE filters and error matrices of every receiver and of each user's Eve, for V."""
    k = h.shape[1]
    kk = np.arange(k)
    direct = math.sqrt(omega_m) * h[:, kk, kk] @ v                       # [B, K, r, d]
    cov = h @ (v @ hc(v))[:, None] @ hc(h)                               # [B, i, j, r, r]
    off = ~np.eye(k, dtype=bool)
    n_r = omega_i * np.einsum("bijrs,ij->birs", cov, off) + noise_r * np.eye(h.shape[3])
    u = mmse_receiver(direct, n_r)
    e_r = error_matrix(u, direct, n_r)
    at_eve = math.sqrt(omega_e) * h_eve @ v                              # [B, K, e, d]
    white = np.broadcast_to(noise_e * np.eye(h_eve.shape[2]), at_eve.shape[:2]
                            + (h_eve.shape[2],) * 2)
    u_e = mmse_receiver(at_eve, white)
    e_e = error_matrix(u_e, at_eve, white)
    return u, u_e, np.trace(e_r, axis1=-2, axis2=-1).real, np.trace(e_e, axis1=-2,
                                                                     axis2=-1).real


def _vec(v):
    """Column-stacking vec of the last two axes: [..., n, d] -> [..., d n] (notes §2.5)."""
    return np.swapaxes(v, -1, -2).reshape(v.shape[:-2] + (-1,))


def _unvec(x, n_t):
    return np.swapaxes(x.reshape(x.shape[:-1] + (-1, n_t)), -1, -2)


def _kron(a, b):
    """Batched Kronecker product ``a kron b`` over the last two axes."""
    out = np.einsum("...ab,...ij->...aibj", a, b)
    return out.reshape(out.shape[:-4] + (a.shape[-2] * b.shape[-2], a.shape[-1] * b.shape[-1]))


def _power_multiplier(lam, s, p_total):
    """The mu >= 0 of complementary slackness for tr(V V^H) = sum_i s_i / (lam_i + mu)^2,
    elementwise over [...] (lam ascending eigenvalues [..., n], s = their energies [..., n]).

    The power decreases in mu above the pole -lam_1: the root is kept in a bracket that
    bisection would shrink, and the step taken is Newton's on 1 / sqrt(power) (nearly linear
    in mu, More and Sorensen 1983) whenever it stays inside the bracket, bisection otherwise.
    Each element stops on its own, so no element depends on the others.
    """
    lo = np.maximum(0.0, -lam[..., 0])
    # at mu = lo + sqrt(sum s / P) every denominator is >= sum s / P, so the power is <= P
    hi = lo + np.sqrt(s.sum(-1) / p_total) + 1e-300
    # mu = 0 only with a positive definite matrix and the budget not exceeded
    with np.errstate(divide="ignore", invalid="ignore"):
        p0 = (s / lam ** 2).sum(-1)
    free = (lam[..., 0] > 0) & (p0 <= p_total)
    # nothing to send (zero right-hand side, e.g. a stream switched off): V = 0 whatever mu,
    # and the smallest mu keeping the matrix positive semidefinite is kept
    silent = s.sum(-1) == 0
    mu = np.where(silent, lo, hi)
    done = free | silent
    for _ in range(_MU_STEPS):
        d = lam + mu[..., None]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            p = (s / d ** 2).sum(-1)
            over = p > p_total
            lo = np.where(done | ~over, lo, mu)
            hi = np.where(done | over, hi, mu)
            norm = np.sqrt(p)
            newton = mu - (1.0 / norm - 1.0 / math.sqrt(p_total)) * norm ** 3 \
                / (s / d ** 3).sum(-1)
        # a Newton correction at rounding level means the root is reached (the bracket test
        # below would then reject it, the point itself being a bracket end)
        settled = np.abs(newton - mu) <= 8 * np.finfo(float).eps * np.abs(mu)
        inside = np.isfinite(newton) & (newton > lo) & (newton < hi)
        nxt = np.where(inside, newton, 0.5 * (lo + hi))
        done |= settled
        mu = np.where(done, mu, nxt)
        if done.all():
            break
    return np.where(free, 0.0, mu)


def _solve(a, b, c_mat, c_vec, e0, nu, p_total):
    """x = (A - nu C + mu I)^-1 (b - nu c) with mu(nu) from the power budget, and the
    constraint value e(x) = x^H C x - 2 Re c^H x + e0, elementwise over the leading axes
    (vec form: a, c_mat [..., n, n], b, c_vec [..., n])."""
    lam, vec = np.linalg.eigh(a - nu[..., None, None] * c_mat)
    w = np.einsum("...ji,...j->...i", vec.conj(), b - nu[..., None] * c_vec)
    mu = _power_multiplier(lam, np.abs(w) ** 2, p_total)
    # components with nothing to send stay 0 even on a singular eigenvalue
    coef = np.divide(w, lam + mu[..., None], out=np.zeros_like(w), where=w != 0)
    x = np.einsum("...ij,...j->...i", vec, coef)
    e = (np.einsum("...i,...ij,...j->...", x.conj(), c_mat, x).real
         - 2 * np.einsum("...i,...i->...", c_vec.conj(), x).real + e0)
    return x, mu, e


def _eve_mse(h_eve, v, omega_e, noise_e):
    """Eve's MSE matrix with her MMSE filter, ``(I + V^H G V)^-1``, G = w_E/s_E^2 H_E^H H_E."""
    g = (omega_e / noise_e) * hc(h_eve) @ h_eve
    x0 = hc(v) @ g @ v
    return np.linalg.inv(np.eye(v.shape[-1]) + x0), g, x0


def _step(h, h_eve, v, p_total, floor, eve_constraint, omega_m, omega_i, omega_e, noise_r,
          noise_e):
    batch, k, _, _, n_t = h.shape
    d_s = v.shape[-1]
    kk = np.arange(k)
    u, u_e, _, _ = _filters(h, h_eve, v, omega_m, omega_i, omega_e, noise_r, noise_e)
    # A_k = sum_j w_jk H_jk^H U_j U_j^H H_jk: every receiver j's filter seen from transmitter k
    g = hc(h) @ (u @ hc(u))[:, :, None] @ h                              # [B, j, k, t, t]
    gains = np.where(np.eye(k, dtype=bool), omega_m, omega_i)
    a = np.einsum("bjkst,jk->bkst", g, gains)
    b = math.sqrt(omega_m) * hc(h[:, kk, kk]) @ u
    eye_d = np.broadcast_to(np.eye(d_s), (batch, k, d_s, d_s))
    a_big = _kron(eye_d, a)
    if eve_constraint == "fixed_filter":
        # tr E_E(V) = tr(V^H C V) - 2 Re tr(c^H V) + d_s + s_E^2 tr(U_E^H U_E), U_E fixed
        he_u = hc(h_eve) @ u_e                                           # [B, K, t, d]
        c_big = _kron(eye_d, omega_e * he_u @ hc(he_u))
        c_vec = _vec(math.sqrt(omega_e) * he_u)
        e0 = d_s + noise_e * (np.abs(u_e) ** 2).sum((-2, -1))
        level = np.full((batch, k), floor)
    else:
        # tr (I + X)^-1 is convex in X = V^H G V: its tangent at the current X0 is a global
        # lower bound, so "tangent >= floor", i.e. tr(W V^H G V) <= tau with W = (I + X0)^-2,
        # is a convex restriction of the floor that the current precoder satisfies
        e_mat, gram, x0 = _eve_mse(h_eve, v, omega_e, noise_e)
        w = e_mat @ e_mat
        c_big = -_kron(np.swapaxes(w, -1, -2), gram)
        c_vec = np.zeros((batch, k, n_t * d_s), np.complex128)
        tau = (np.trace(e_mat, axis1=-2, axis2=-1).real
               + np.trace(w @ x0, axis1=-2, axis2=-1).real - floor)
        e0 = tau
        level = np.zeros((batch, k))
        if floor == 0:                  # the floor is void: no restriction
            c_big = np.zeros_like(c_big)
            e0 = np.ones((batch, k))
    b_big = _vec(b)
    shape = (batch, k)
    nu = np.zeros(shape)
    x, mu, e = _solve(a_big, b_big, c_big, c_vec, e0, nu, p_total)
    need = e < level
    if np.any(need):
        # e(x(nu)) is non-decreasing in nu (it is the derivative of the concave dual function
        # up to sign), so the floor is met from some nu on: bracket it by growing, then bisect
        lo = np.zeros(shape)
        hi = np.where(need, 1.0, 0.0)
        short = need.copy()
        while np.any(short):
            _, _, e_hi = _solve(a_big, b_big, c_big, c_vec, e0, hi, p_total)
            short = need & (e_hi < level) & (hi < _NU_CAP)
            lo = np.where(short, hi, lo)
            hi = np.where(short, 4.0 * hi, hi)
        for _ in range(_NU_STEPS):
            mid = np.where(need, 0.5 * (lo + hi), 0.0)
            _, _, e_mid = _solve(a_big, b_big, c_big, c_vec, e0, mid, p_total)
            below = e_mid < level
            lo = np.where(need & below, mid, lo)
            hi = np.where(need & ~below, mid, hi)
        nu = hi                     # the side where the floor holds (or the cap)
        x, mu, e = _solve(a_big, b_big, c_big, c_vec, e0, nu, p_total)
    v_new = _unvec(x, n_t)
    # the bisection leaves the power within its resolution of the budget: rescale those last
    # digits so that complementary slackness holds exactly (power = P where mu > 0, never
    # above P), a relative change of about 1e-12
    power = (np.abs(v_new) ** 2).sum((-2, -1))
    fix = (power > p_total) | ((mu > 0) & (power > 0))
    scale = np.where(fix, np.sqrt(p_total / np.where(power > 0, power, 1.0)), 1.0)
    return MtMseStep(v_new * scale[..., None, None], mu, nu,
                     e >= level - 1e-9 * np.maximum(1.0, np.abs(level)))


def mt_mse_step(h, h_eve, v, p_total: float, eta: float, omega_m: float, omega_i: float,
                omega_e: float, noise_r: float, noise_e: float,
                eve_constraint: str = "fixed_filter") -> MtMseStep:
    """One MT-MSE precoder update (notes 002 §3.1 [R], steps 1-3): the filters for ``v``, then
    every user's stationary precoder with its multipliers from complementary slackness.

    With ``eve_constraint="fixed_filter"`` (the notes) the update is the §3.1 formula
    ``V_k = (A_k - nu_k C_k + mu_k I)^-1 (B_k - nu_k c_k)`` with
    ``A_k = sum_j w_jk H_jk^H U_j U_j^H H_jk``, ``B_k = sqrt(w_M) H_kk^H U_k``,
    ``C_k = w_E H_Ek^H U_Ek U_Ek^H H_Ek``, ``c_k = sqrt(w_E) H_Ek^H U_Ek``: Eve's floor is
    imposed on her MSE with her filter U_Ek of ``v`` held fixed. With ``"mmse_bound"`` it is
    imposed on the tangent of her MMSE MSE ``tr (I + X)^-1``, ``X = V^H G V``,
    ``G = w_E / s_E^2 H_Ek^H H_Ek``, at ``v``: ``tr(W V^H G V) <= tau`` with
    ``W = (I + X_0)^-2``, ``tau = tr (I + X_0)^-1 + tr(W X_0) - eta_k``, and the stationarity
    reads ``A_k V + nu_k G V W + mu_k V = B_k`` (solved in vec form).

    Parameters
    ----------
    p_total : float
        Power budget per transmitter, > 0.
    eta : float
        Eve's MSE floor per stream, >= 0: ``tr E_Ek >= eta * d_s`` (1 or more cannot be met by
        a nonzero precoder, as Eve's MMSE MSE is below d_s).
    omega_m, omega_i, omega_e : float
        Path-loss gains of the direct, cross and Eve links, > 0.
    noise_r, noise_e : float
        Noise variances of the receivers and of Eve, > 0.
    eve_constraint : str
        ``"fixed_filter"`` (notes §3.1) or ``"mmse_bound"`` (see above).

    Input
    -----
    h : complex128 [batch, K, K, n_r, n_t]
        Estimated channels, ``h[:, i, j]`` from transmitter j to receiver i.
    h_eve : complex128 [batch, K, n_e, n_t]
        Estimated Eve channels, ``h_eve[:, k]`` from transmitter k.
    v : complex128 [batch, K, n_t, d_s]
        Current precoders (they set the filters U_k and U_Ek, or X_0).

    Output
    ------
    v : complex128 [batch, K, n_t, d_s]
        Updated precoders.
    mu : float64 [batch, K]
        Power multipliers, >= 0 (0 where the budget is not reached).
    nu : float64 [batch, K]
        Eve-floor multipliers, >= 0 (0 where the floor holds without them).
    step_feasible : bool [batch, K]
        Whether the step's version of the floor is met (False: nu reached its cap).
    """
    h, h_eve = check_channels(h, h_eve)
    batch, k, _, n_r, n_t = h.shape
    v = np.asarray(v)
    if v.ndim != 4:
        raise ValueError(f"v: got shape {v.shape}; allowed: [batch, K, n_t, d_s]")
    check_int("d_s", v.shape[-1], 1, min(n_r, n_t))
    v = _check_v(v, batch, k, n_t, v.shape[-1])
    p_total = check_real("p_total", p_total, 0.0, strict_lo=True)
    eta = check_real("eta", eta, 0.0)
    link = _check_link(omega_m, omega_i, omega_e, noise_r, noise_e)
    eve_constraint = check_choice("eve_constraint", eve_constraint, EVE_CONSTRAINTS)
    return _step(h, h_eve, v, p_total, eta * v.shape[-1], eve_constraint, *link)


def _feasible_start(h_eve, v, floor, omega_e, noise_e):
    """``v`` scaled down per user until Eve's MMSE MSE reaches the floor (it grows as the
    power shrinks, up to d_s at zero power): the starting point of the "mmse_bound" variant."""
    e_mat, _, _ = _eve_mse(h_eve, v, omega_e, noise_e)
    ok = np.trace(e_mat, axis1=-2, axis2=-1).real >= floor
    lo = np.zeros(v.shape[:2])              # scale meeting the floor
    hi = np.ones(v.shape[:2])               # scale missing it
    for _ in range(_NU_STEPS):
        mid = 0.5 * (lo + hi)
        e_mat, _, _ = _eve_mse(h_eve, v * mid[..., None, None], omega_e, noise_e)
        meets = np.trace(e_mat, axis1=-2, axis2=-1).real >= floor
        lo = np.where(meets, mid, lo)
        hi = np.where(meets, hi, mid)
    return v * np.where(ok, 1.0, lo)[..., None, None]


def mt_mse(h, h_eve, d_s: int, p_total: float, eta: float, omega_m: float, omega_i: float,
           omega_e: float, noise_r: float, noise_e: float, n_iter: int = 50,
           tol: float = 1e-4, feasibility_tol: float = 1e-3,
           eve_constraint: str = "fixed_filter", v0=None) -> MtMseResult:
    """The MT-MSE precoders (notes 002 §3.1 [R]): minimum total MSE subject to Eve's MSE
    ``tr E_Ek >= eta * d_s`` and ``tr(V_k V_k^H) <= P_tot``, no artificial noise.

    Each draw stops on its own when its total MSE changes by less than ``tol``; draws never
    interact, so a draw's result does not depend on the rest of the batch. With
    ``eve_constraint="mmse_bound"`` the starting precoders are first scaled down, user by
    user, until Eve's MMSE MSE meets the floor; every later iterate then meets it too and the
    total MSE cannot increase (a minorize-maximize restriction).

    Parameters
    ----------
    d_s : int
        Data streams per user, 1 <= d_s <= min(n_r, n_t).
    p_total : float
        Power budget per transmitter, > 0 (same unit as the noise variances).
    eta : float
        Eve's MSE floor per stream, >= 0 (eta_k = eta * d_s). 0 switches the floor off (plain
        min-sum-MSE); 1 or more cannot be met by a nonzero precoder.
    omega_m, omega_i, omega_e : float
        Path-loss gains of the direct, cross and Eve links, > 0.
    noise_r, noise_e : float
        Noise variances sigma_R^2 and sigma_E^2, > 0.
    n_iter : int
        Maximum number of alternations, >= 1 (notes §3.1: 50).
    tol : float
        Stop when the total MSE (sum over users, in [0, K d_s]) changes by less, >= 0.
    feasibility_tol : float
        A user meets the floor when Eve's MMSE MSE is >= ``eta * d_s - feasibility_tol``, >= 0.
    eve_constraint : str
        ``"fixed_filter"`` (notes §3.1: Eve's filter of the previous iterate) or
        ``"mmse_bound"`` (tangent of her MMSE MSE), see :func:`mt_mse_step`.
    v0 : None or complex128 [batch, K, n_t, d_s]
        Starting precoders within the budget; None: :func:`initial_precoders`.

    Input
    -----
    h : complex128 [batch, K, K, n_r, n_t]
        Estimated channels, ``h[:, i, j]`` from transmitter j to receiver i.
    h_eve : complex128 [batch, K, n_e, n_t]
        Estimated Eve channels, ``h_eve[:, k]`` from transmitter k.

    Output
    ------
    q : complex128 [batch, K, n_t, d_s]
        Data precoders V_k.
    lam : complex128 [batch, K, n_t, 0]
        No artificial noise (d_a = 0), in the layout of
        :func:`linksim.systems.an_mimo.analysis.rates`.
    feasible : bool [batch]
        Every user of the draw meets Eve's floor at the final precoders.
    eve_mse : float64 [batch, K]
        Eve's MSE ``tr E_Ek`` with her MMSE filter for the final precoders.
    n_iter : int64 [batch]
        Alternations used (the draw's last update).
    mse_history : float64 [batch, n_iter + 1]
        Total MSE at the MMSE filters: entry 0 for the start, entry t after alternation t, NaN
        after the draw stopped.
    mu, nu : float64 [batch, K]
        Multipliers of the last update (power, Eve floor).
    """
    h, h_eve = check_channels(h, h_eve)
    batch, k, _, n_r, n_t = h.shape
    d_s = check_int("d_s", d_s, 1, min(n_r, n_t))
    p_total = check_real("p_total", p_total, 0.0, strict_lo=True)
    eta = check_real("eta", eta, 0.0)
    link = _check_link(omega_m, omega_i, omega_e, noise_r, noise_e)
    n_iter = check_int("n_iter", n_iter, 1)
    tol = check_real("tol", tol, 0.0)
    feasibility_tol = check_real("feasibility_tol", feasibility_tol, 0.0)
    eve_constraint = check_choice("eve_constraint", eve_constraint, EVE_CONSTRAINTS)
    v = (initial_precoders(h, d_s, p_total) if v0 is None
         else _check_v(v0, batch, k, n_t, d_s, "v0"))
    power = (np.abs(v) ** 2).sum((-2, -1))
    if np.any(power > p_total * (1 + 1e-9)):
        raise ValueError(f"v0: got a transmit power of {power.max():.6g}; allowed: "
                         f"tr(V V^H) <= p_total = {p_total}")
    floor = eta * d_s
    omega_e, noise_e = link[2], link[4]
    if eve_constraint == "mmse_bound" and floor > 0:
        v = _feasible_start(h_eve, v, floor, omega_e, noise_e)
    history = np.full((batch, n_iter + 1), np.nan)
    history[:, 0] = _filters(h, h_eve, v, *link)[2].sum(-1)
    used = np.zeros(batch, np.int64)
    mu = np.zeros((batch, k))
    nu = np.zeros((batch, k))
    active = np.ones(batch, bool)
    for t in range(1, n_iter + 1):
        idx = np.flatnonzero(active)
        # only the draws still running are updated: a stopped draw keeps its result whatever
        # the others do
        step = _step(h[idx], h_eve[idx], v[idx], p_total, floor, eve_constraint, *link)
        v[idx], mu[idx], nu[idx] = step.v, step.mu, step.nu
        mse = _filters(h[idx], h_eve[idx], step.v, *link)[2].sum(-1)
        history[idx, t] = mse
        used[idx] = t
        active[idx] = np.abs(mse - history[idx, t - 1]) >= tol
        if not active.any():
            break
    eve_mse = np.trace(_eve_mse(h_eve, v, omega_e, noise_e)[0], axis1=-2, axis2=-1).real
    feasible = np.all(eve_mse >= floor - feasibility_tol, axis=-1)
    lam = np.zeros((batch, k, n_t, 0), np.complex128)
    return MtMseResult(v, lam, feasible, eve_mse, used, history, mu, nu)
