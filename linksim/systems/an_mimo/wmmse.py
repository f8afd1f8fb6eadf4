"""The WMMSE / log-det variational identities that turn the secrecy rate into the surrogate the
robust design maximizes (notes 002 §2.3, in the corrected [C] forms verified there), batched.

For a "channel" ``A`` [n, d] (streams through their link) and a covariance ``C`` [n, n] of
everything else, a receiver ``U`` [n, d] has the error matrix

    E(U) = (U^H A - I)(U^H A - I)^H + U^H C U,                                  (31), (32) [C]

minimized by the MMSE receiver ``U* = (A A^H + C)^-1 A`` with ``E(U*) = (I + A^H C^-1 A)^-1``,
and for any ``S`` positive definite

    log det S - tr(S E) + d <= -log det E,  with equality at S = E^-1,          (29), (35)

so ``log det(I + A^H C^-1 A) = max_{U, S} [log det S - tr(S E(U)) + d]``. The three terms of
the secrecy rate use it (nats): the legitimate rate with ``A = sqrt(w_M) H_ii Q_i``,
``C = N_Ri``; Eve's noise term ``log det N_Ei = N_E ln s_E^2 + log det(I + A^H A / s_E^2)`` with
``A = sqrt(w_E) H_Ei L_i`` (the [C] form: d_a, not N_E, and the N_E ln s_E^2 constant the
paper drops); and ``-log det(Z_Ei + N_Ei) = max_S log det S - tr(S (Z + N)) + N_E``, eq. (27).
"""

from __future__ import annotations

import numpy as np

__all__ = ["mmse_receiver", "error_matrix", "variational_value", "surrogate_terms"]


def _h(a):
    return np.conj(np.swapaxes(a, -1, -2))


def mmse_receiver(a, cov) -> np.ndarray:
    """``U* = (A A^H + C)^-1 A``, the receiver that minimizes :func:`error_matrix`.

    Input
    -----
    a : complex128 [..., n, d]
    cov : complex128 [..., n, n]

    Output
    ------
    u : complex128 [..., n, d]
    """
    a, cov = np.asarray(a, np.complex128), np.asarray(cov, np.complex128)
    return np.linalg.solve(a @ _h(a) + cov, a)


def error_matrix(u, a, cov) -> np.ndarray:
    """``E(U) = (U^H A - I)(U^H A - I)^H + U^H C U`` (eqs. 31-32 [C]).

    Input
    -----
    u : complex128 [..., n, d]
    a : complex128 [..., n, d]
    cov : complex128 [..., n, n]

    Output
    ------
    e : complex128 [..., d, d]
    """
    u, a, cov = (np.asarray(x, np.complex128) for x in (u, a, cov))
    g = _h(u) @ a - np.eye(a.shape[-1])
    return g @ _h(g) + _h(u) @ cov @ u


def variational_value(s, e) -> np.ndarray:
    """``log det S - tr(S E) + d`` (nats): a lower bound on ``-log det E``, tight at
    ``S = E^-1`` (eq. 29).

    Input
    -----
    s : complex128 [..., d, d]
        Hermitian positive definite weight.
    e : complex128 [..., d, d]

    Output
    ------
    value : float64 [...]
    """
    s, e = np.asarray(s, np.complex128), np.asarray(e, np.complex128)
    sign, logdet = np.linalg.slogdet(s)
    if np.any(sign.real <= 0):
        raise ValueError("s: got a matrix that is not positive definite; allowed: S > 0")
    return logdet - np.trace(s @ e, axis1=-2, axis2=-1).real + s.shape[-1]


def surrogate_terms(eff_r, n_r, eff_e, eff_an, noise_e: float):
    """The three variational terms of one user's secrecy rate at their maximizers (nats):
    ``(C_R, -log det(Z_E + N_E), log det N_E)``, whose sum is ``C_S = C_R - C_E``.

    Parameters
    ----------
    noise_e : float
        Eve's noise variance sigma_E^2 (> 0).

    Input
    -----
    eff_r : complex128 [..., n_r, d_s]
        ``sqrt(w_M) H_ii Q_i``.
    n_r : complex128 [..., n_r, n_r]
        N_Ri (eq. 8).
    eff_e : complex128 [..., n_e, d_s]
        ``sqrt(w_E) H_Ei Q_i``.
    eff_an : complex128 [..., n_e, d_a]
        ``sqrt(w_E) H_Ei L_i``.

    Output
    ------
    c_r : float64 [...]
        Max over (U_R, S_R) of the legitimate term, = C_R (eq. 29 with 33 [C]).
    minus_e : float64 [...]
        Max over S_E- of ``log det S - tr(S (Z_E + N_E)) + n_e`` = -log det(Z_E + N_E) (27).
    plus_e : float64 [...]
        ``n_e ln s_E^2`` + max over (U_E, S_E+) of the AN term, = log det N_E (30 [C]).
    """
    eff_r, n_r, eff_e, eff_an = (np.asarray(x, np.complex128)
                                 for x in (eff_r, n_r, eff_e, eff_an))
    u_r = mmse_receiver(eff_r, n_r)
    e_r = error_matrix(u_r, eff_r, n_r)
    c_r = variational_value(np.linalg.inv(e_r), e_r)
    n_e_dim = eff_e.shape[-2]
    total = eff_e @ _h(eff_e) + eff_an @ _h(eff_an) + noise_e * np.eye(n_e_dim)
    minus_e = variational_value(np.linalg.inv(total), total)
    white = noise_e * np.broadcast_to(np.eye(n_e_dim), total.shape)
    u_e = mmse_receiver(eff_an, white)
    e_e = error_matrix(u_e, eff_an, white)
    plus_e = n_e_dim * np.log(noise_e) + variational_value(np.linalg.inv(e_e), e_e)
    return c_r, minus_e, plus_e
