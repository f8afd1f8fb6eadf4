"""One channel draw of the seed-002 setting and every precoding scheme on it, with the common
evaluation rule of notes 002 §3: each design sees the estimated channels only, and every scheme
is scored by eq. (12) on the true channels, against the worst-case Eve of eq. (4), in bits,
``[C_S]^+`` per user and summed over the K users (A8, A9).

Schemes (:data:`SCHEMES`):

* ``"proposed"``: the robust ADP design (:func:`linksim.systems.an_mimo.adp.adp_design`);
* ``"mt_mse"``: minimum total MSE with an Eve-MSE constraint, no AN (§3.1 [R]);
* ``"an_ia"``: AN-aided interference alignment by min-leakage (§3.2 [R]);
* ``"nonrobust"``: the same ADP design with no error ball (eps = 0): the estimates taken as
  the truth, to show what the robust terms buy or cost;
* ``"null_space"``: the simple reference, eigen data precoder on the direct link and AN in
  the direct link's null space, ``data_fraction`` of the power on data (N_T > N_R only; with
  N_T = N_R there is no null space and the AN stays off).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from linksim.channel.mimo import path_loss, rayleigh_mimo
from linksim.checks import check_real
from linksim.systems.an_mimo.analysis import rates

__all__ = ["SCHEMES", "Setting", "Draw", "draw_channels", "design", "score",
           "secrecy_ceiling"]

SCHEMES = ("proposed", "mt_mse", "an_ia", "null_space", "nonrobust")


class Setting(NamedTuple):
    """The physical setting (notes 002 §4): sizes, path-loss gains, noise and power."""

    k: int
    n_t: int
    n_r: int
    n_e: int
    d_s: int
    d_a: int
    omega_m: float
    omega_i: float
    omega_e: float
    noise: float
    p_total: float

    @classmethod
    def from_params(cls, p) -> "Setting":
        """From a study's parameters (distances in m, powers in dB of one reference)."""
        return cls(p["k"], p["n_t"], p["n_r"], p["n_e"], p["d_s"], p["d_a"],
                   float(path_loss(p["d_m"])), float(path_loss(p["d_i"])),
                   float(path_loss(p["d_e"])), 10 ** (p["noise_db"] / 10),
                   10 ** (p["p_total_db"] / 10))

    def link(self) -> dict:
        """Keyword arguments of the rate functions."""
        return dict(omega_m=self.omega_m, omega_i=self.omega_i, omega_e=self.omega_e,
                    noise_r=self.noise, noise_e=self.noise)


class Draw(NamedTuple):
    """Estimated and true channels of one draw, ``h[i, j]`` from TX j to RX i."""

    h_hat: np.ndarray        # complex128 [K, K, n_r, n_t]
    h_true: np.ndarray
    h_eve_hat: np.ndarray    # complex128 [K, n_e, n_t]
    h_eve_true: np.ndarray
    key: tuple = ()          # (seed, index): seeds a design's own random start (AN-IA)


def draw_channels(seed: int, index: int, s: Setting, zeta: float) -> Draw:
    """Draw ``index`` of a study seeded ``seed``: the same channels for every scheme, power and
    ζ-independent small-scale fading (common random numbers, so schemes and sweep points are
    compared on the same draws). Estimates ``~CN(0, 1 - ζ^2)``, errors ``~CN(0, ζ^2)``
    (erratum A1), so every true channel is CN(0, 1).

    Parameters
    ----------
    seed, index : int
    s : Setting
    zeta : float
        CSI error standard deviation ζ in [0, 1].

    Returns
    -------
    Draw
    """
    zeta = check_real("zeta", zeta, 0.0, 1.0)
    rng = np.random.default_rng([seed, index])
    base = rayleigh_mimo(rng, s.k * s.k, s.n_r, s.n_t).reshape(s.k, s.k, s.n_r, s.n_t)
    base_e = rayleigh_mimo(rng, s.k, s.n_e, s.n_t)
    err = rayleigh_mimo(rng, s.k * s.k, s.n_r, s.n_t).reshape(base.shape)
    err_e = rayleigh_mimo(rng, s.k, s.n_e, s.n_t)
    # the split of channel.mimo.estimate_and_truth, with the same unit draws at every zeta
    a, b = math.sqrt(1 - zeta ** 2), zeta
    return Draw(a * base, a * base + b * err, a * base_e, a * base_e + b * err_e,
                (int(seed), int(index)))


def design(scheme: str, d: Draw, s: Setting, *, zeta: float, params) -> tuple:
    """The precoders of ``scheme`` on draw ``d`` (from its estimates) and what the design
    reports.

    Parameters
    ----------
    scheme : str
        One of :data:`SCHEMES`.
    s : Setting
    zeta : float
        ζ; the robust design's error radius is ``eps`` (or ζ when None, the paper's reading
        A2).
    params : mapping
        The study's parameters (``n_iter``, ``tol``, ``form``, ``eps``, ``mt_mse_eta``,
        ``an_ia_phi``, ``data_fraction``).

    Returns
    -------
    q : complex128 [K, n_t, d_s]
    lam : complex128 [K, n_t, d_a'] (d_a' = 0 for MT-MSE)
    info : dict
        Scheme-specific log (the proposed design's :class:`Design` under ``"design"``).
    """
    if scheme in ("proposed", "nonrobust"):
        from linksim.systems.an_mimo.adp import adp_design
        eps = zeta if params.get("eps") is None else params["eps"]
        if scheme == "nonrobust":
            eps = 0.0
        des = adp_design(d.h_hat, d.h_eve_hat, **s.link(), p_total=s.p_total, d_s=s.d_s,
                         d_a=s.d_a, eps=eps, n_iter=params["n_iter"], tol=params["tol"],
                         form=params["form"], h_true=d.h_true, h_eve_true=d.h_eve_true)
        return des.q, des.lam, {"design": des}
    if scheme == "mt_mse":
        from linksim.systems.an_mimo.mt_mse import mt_mse
        res = mt_mse(d.h_hat[None], d.h_eve_hat[None], s.d_s, p_total=s.p_total,
                     eta=params["mt_mse_eta"], eve_constraint=params["mt_mse_constraint"],
                     **s.link())
        return res.q[0], res.lam[0], {"infeasible": not bool(np.asarray(res.feasible)[0]),
                                      "iterations": int(np.asarray(res.n_iter)[0])}
    if scheme == "an_ia":
        from linksim.systems.an_mimo.an_ia import an_ia
        phi = "grid" if params["an_ia_phi"] is None else params["an_ia_phi"]
        res = an_ia(d.h_hat[None], d.h_eve_hat[None], s.d_s, s.d_a, p_total=s.p_total,
                    phi=phi, rng=np.random.default_rng([*d.key, 2]), **s.link())
        return res.q[0], res.lam[0], {"phi": float(np.asarray(res.phi)[0])}
    if scheme == "null_space":
        from linksim.mimo.precoding import eigen_precoder, null_space_an, power_split
        k = np.arange(s.k)
        direct = d.h_hat[k, k]
        q = eigen_precoder(direct, s.d_s)
        if s.n_t > s.n_r and s.d_a:
            lam = null_space_an(direct, min(s.d_a, s.n_t - s.n_r))
            q, lam = power_split(q, lam, s.p_total, params["data_fraction"])
        else:
            q = q * math.sqrt(s.p_total / s.d_s)
            lam = np.zeros((s.k, s.n_t, 0), np.complex128)
        return q, lam, {}
    raise ValueError(f"scheme: got {scheme!r}; allowed: one of {', '.join(SCHEMES)}")


def score(d: Draw, s: Setting, q, lam, true: bool = True):
    """Per-user rates of given precoders (eq. 12, bits, unclipped) on the true (or estimated)
    channels.

    Input
    -----
    q : complex128 [K, n_t, d_s]
    lam : complex128 [K, n_t, d_a]

    Returns
    -------
    Rates
        Each field float64 [K].
    """
    h, he = (d.h_true, d.h_eve_true) if true else (d.h_hat, d.h_eve_hat)
    r = rates(h[None], he[None], q[None], lam[None], **s.link())
    return type(r)(*(a[0] for a in r))


def secrecy_ceiling(d: Draw, s: Setting) -> float:
    """The guard rail of notes 002 §5.6: each user alone (no interference) at infinite SNR has
    secrecy capacity ``sum_k [log2 lambda_k]^+``, with ``lambda_k`` the generalized eigenvalues
    of ``(H^H H, (w_E / w_M) H_E^H H_E)``; summed over the K users on the true channels, an
    upper bound on the sum secrecy rate of any scheme (bits).
    """
    import scipy.linalg
    total = 0.0
    for i in range(s.k):
        a = d.h_true[i, i].conj().T @ d.h_true[i, i]
        b = (s.omega_e / s.omega_m) * d.h_eve_true[i].conj().T @ d.h_eve_true[i]
        lam = scipy.linalg.eigh(a, b, eigvals_only=True)
        total += float(np.sum(np.log2(np.clip(lam, 1.0, None))))
    return total
