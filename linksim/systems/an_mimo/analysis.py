"""Log-det rates of the K-user wiretap MIMO interference channel with artificial noise, for
given precoders (notes 002 §1.3-§1.4, eqs. 5-12, and the interference price of eq. 24 with
the sign of erratum A4), batched over channel draws.

Pair i sends ``x_i = Q_i s_i + Lambda_i z_i`` (eq. 1) with unit-covariance Gaussian ``s_i``
(d_s streams) and ``z_i`` (d_a AN streams). Receiver i sees every transmitter (eq. 3); the
worst-case Eve of user i sees only transmitter i (eq. 4):

    Z_Ri = w_M H_ii Q_i Q_i^H H_ii^H                                               (7)
    N_Ri = w_M H_ii L_i L_i^H H_ii^H + s_R^2 I + sum_{j != i} w_I H_ij (Q_j Q_j^H + L_j L_j^H) H_ij^H
                                                                                 (8), (11)
    Z_Ei = w_E H_Ei Q_i Q_i^H H_Ei^H,   N_Ei = w_E H_Ei L_i L_i^H H_Ei^H + s_E^2 I  (9), (10)
    C_Ri = log det(N_Ri + Z_Ri) - log det N_Ri,  C_Ei likewise,  C_Si = C_Ri - C_Ei   (5), (6), (12)

Each rate is a Gaussian mutual information, :func:`linksim.theory.gaussian.additive_noise_mi`
(the log-det engine reduced to a signal and a noise covariance; tests check the rates against a
full :class:`~linksim.theory.gaussian.GaussianModel` of the streams, the AN and the noise).
Rates are returned in bits (log2; the paper's notation is nats, its figures bits: erratum A7),
unclipped: ``C_S`` may be negative (report ``[C_S]^+`` where a secrecy rate is meant, A8).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from linksim.theory.gaussian import additive_noise_mi

__all__ = ["Rates", "covariances", "rates", "interference_price", "check_channels", "hc"]


class Rates(NamedTuple):
    """Per-user rates in bits per channel use, each float64 [batch, K]."""

    legitimate: np.ndarray
    eve: np.ndarray
    secrecy: np.ndarray


def hc(a: np.ndarray) -> np.ndarray:
    """The conjugate transpose of the last two axes."""
    return np.conj(np.swapaxes(a, -1, -2))


def check_channels(h, h_eve):
    """The channel arrays of a batch of draws, checked and as complex128.

    Input
    -----
    h : complex [batch, K, K, n_r, n_t]
    h_eve : complex [batch, K, n_e, n_t]

    Output
    ------
    h, h_eve : complex128, the same shapes
    """
    h = np.asarray(h)
    h_eve = np.asarray(h_eve)
    for name, a in (("h", h), ("h_eve", h_eve)):
        if a.dtype.kind not in "iufc":
            raise TypeError(f"{name}: got dtype {a.dtype}; allowed: a complex array")
    if h.ndim != 5 or h.shape[1] != h.shape[2] or h_eve.ndim != 4 \
            or h_eve.shape[:2] != h.shape[:2] or h_eve.shape[3] != h.shape[4]:
        raise ValueError(f"h, h_eve: got shapes {h.shape}, {h_eve.shape}; allowed: "
                         f"[batch, K, K, n_r, n_t] and [batch, K, n_e, n_t]")
    h, h_eve = h.astype(np.complex128), h_eve.astype(np.complex128)
    if not (np.isfinite(h).all() and np.isfinite(h_eve).all()):
        raise ValueError("h, h_eve: got non-finite entries; allowed: finite values")
    return h, h_eve


def _outer(a: np.ndarray) -> np.ndarray:
    return a @ np.conj(np.swapaxes(a, -1, -2))


def covariances(h, h_eve, q, lam, omega_m: float, omega_i: float, omega_e: float,
                noise_r: float, noise_e: float):
    """The signal and interference-plus-noise covariances of every receiver and every Eve.

    Parameters
    ----------
    omega_m, omega_i, omega_e : float
        Path-loss gains of the direct, cross and Eve links (> 0; :func:`linksim.channel.mimo.
        path_loss`).
    noise_r, noise_e : float
        Noise variances sigma_R^2 and sigma_E^2 (> 0).

    Input
    -----
    h : complex128 [batch, K, K, n_r, n_t]
        ``h[:, i, j]`` is H_ij, from transmitter j to receiver i (``h[:, i, i]`` the direct
        link).
    h_eve : complex128 [batch, K, n_e, n_t]
        ``h_eve[:, i]`` is H_Ei, from transmitter i to Eve.
    q : complex128 [batch, K, n_t, d_s]
        Data precoders Q_i.
    lam : complex128 [batch, K, n_t, d_a]
        AN precoders Lambda_i (d_a may be 0).

    Output
    ------
    z_r, n_r : complex128 [batch, K, n_r, n_r]
        Z_Ri and N_Ri, eqs. (7), (8), (11).
    z_e, n_e : complex128 [batch, K, n_e, n_e]
        Z_Ei and N_Ei, eqs. (9), (10).
    """
    h, h_eve, q, lam = (np.asarray(a, dtype=np.complex128) for a in (h, h_eve, q, lam))
    batch, k = h.shape[:2]
    if h.shape[2] != k or h_eve.shape[:2] != (batch, k) or q.shape[:2] != (batch, k) \
            or lam.shape[:2] != (batch, k):
        raise ValueError(f"h, h_eve, q, lam: got shapes {h.shape}, {h_eve.shape}, {q.shape}, "
                         f"{lam.shape}; allowed: [batch, K, K, n_r, n_t], [batch, K, n_e, n_t], "
                         f"[batch, K, n_t, d_s], [batch, K, n_t, d_a]")
    for name, v in (("omega_m", omega_m), ("omega_i", omega_i), ("omega_e", omega_e),
                    ("noise_r", noise_r), ("noise_e", noise_e)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name}: got {v!r}; allowed: a finite number > 0")
    sig = _outer(q)                                            # Q_j Q_j^H   [B, K, t, t]
    an = _outer(lam)                                           # L_j L_j^H
    direct = h[:, np.arange(k), np.arange(k)]                  # H_ii        [B, K, r, t]
    hh = np.conj(np.swapaxes(direct, -1, -2))
    z_r = omega_m * direct @ sig @ hh
    # every transmitter's total covariance through every cross link, then drop j = i
    through = h @ (sig + an)[:, None] @ np.conj(np.swapaxes(h, -1, -2))   # [B, i, j, r, r]
    off = ~np.eye(k, dtype=bool)
    interference = omega_i * np.einsum("bijrs,ij->birs", through, off)
    n_rx = h.shape[3]
    n_r = omega_m * direct @ an @ hh + noise_r * np.eye(n_rx) + interference
    he_h = np.conj(np.swapaxes(h_eve, -1, -2))
    z_e = omega_e * h_eve @ sig @ he_h
    n_e = omega_e * h_eve @ an @ he_h + noise_e * np.eye(h_eve.shape[2])
    return z_r, n_r, z_e, n_e


def rates(h, h_eve, q, lam, omega_m: float, omega_i: float, omega_e: float, noise_r: float,
          noise_e: float) -> Rates:
    """Legitimate, Eve and secrecy rates of every user, eqs. (5), (6), (12), in bits.

    Parameters and inputs as :func:`covariances`.

    Returns
    -------
    Rates
        ``legitimate``, ``eve``, ``secrecy``: float64 [batch, K] each (secrecy unclipped).
    """
    z_r, n_r, z_e, n_e = covariances(h, h_eve, q, lam, omega_m, omega_i, omega_e, noise_r,
                                     noise_e)
    c_r = additive_noise_mi(z_r, n_r)          # I(s_i; y_i), s_i's image Z through noise N
    c_e = additive_noise_mi(z_e, n_e)
    return Rates(c_r, c_e, c_r - c_e)


def interference_price(z_r, n_r) -> np.ndarray:
    """The interference price of each receiver, ``Pi~ = N^-1 - (Z + N)^-1`` (eq. 24 with the
    sign of erratum A4: positive semidefinite), the derivative of ``-C_R`` (nats) with respect
    to the interference covariance Upsilon.

    Input
    -----
    z_r, n_r : complex128 [..., n_r, n_r]
        Z_Ri and N_Ri (:func:`covariances`).

    Output
    ------
    price : complex128 [..., n_r, n_r]
        Hermitian, positive semidefinite, rank <= d_s.
    """
    z_r, n_r = np.asarray(z_r, np.complex128), np.asarray(n_r, np.complex128)
    eye = np.broadcast_to(np.eye(n_r.shape[-1]), n_r.shape)
    return np.linalg.solve(n_r, eye) - np.linalg.solve(n_r + z_r, eye)
