"""Analytical model of physical layer deception with NOM (003.md §4): SINRs, per-layer errors, metrics.

Two layers share n complex channel uses by power-domain superposition: the ciphertext m
(d_M bits, power P_M, decoded first) and the key k (d_K bits, power P_K, decoded after SIC).
With receiver gain z and noise power sigma^2 (003.md §4.1, confirmed by reproducing Table III):

    gamma_{i,M} = z_i P_M / (z_i P_K + sigma^2),   gamma_{i,K} = z_i P_K / sigma^2.

Each layer's error is the complex-AWGN normal approximation without the (1/2) log2 n term (paper
eq. 12; :func:`linksim.theory.fbl.error_probability` with ``log_term=False``), with the
conventions of 003.md §4.2 for the 0/0 cases: d = 0 -> eps = 0 (nothing to decode); gamma = 0
and d > 0 -> eps = 1. The metrics are paper eqs. (9)-(11):

    eps_i  = 1 - (1 - eps_{i,M})(1 - eps_{i,K})                         (9)
    eps_LF = 1 - (1 - eps_Bob) eps_Eve                                  (8), (10)
    R_d    = [1 - (1 - eps_{Bob,M}) eps_{Bob,K}] (1 - eps_{Eve,M}) eps_{Eve,K}   (11)

Powers in mW, gains linear, noise in mW (sigma^2 = 1 mW in the paper).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linksim.theory.fbl import error_probability

__all__ = ["PLDMetrics", "sinrs", "layer_error", "pld_metrics", "baseline_lfp"]


def sinrs(p_m, p_k, z, noise=1.0):
    """``(gamma_M, gamma_K)`` of a receiver with gain ``z`` (003.md §4.1); arrays broadcast."""
    p_m, p_k, z = (np.asarray(a, dtype=np.float64) for a in (p_m, p_k, z))
    return z * p_m / (z * p_k + noise), z * p_k / noise


def layer_error(gamma, d, n=64):
    """Normal-approximation error of a d-bit layer over n complex uses at SINR gamma (eq. 12).

    float64, broadcast over ``gamma`` and ``d``; d = 0 -> 0, gamma = 0 with d > 0 -> 1.
    """
    gamma = np.asarray(gamma, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64)
    g, dd = np.broadcast_arrays(gamma, d)
    out = np.where(dd == 0, 0.0, 1.0)
    live = (dd > 0) & (g > 0)
    if np.any(live):
        out = out.copy()
        out[live] = error_probability(n, dd[live], g[live], "awgn_complex", log_term=False)
    return out if out.ndim else float(out)


@dataclass(frozen=True)
class PLDMetrics:
    """Per-layer errors ``eps`` (keys bob_m, bob_k, eve_m, eve_k), SINRs ``gamma`` (same keys),
    ``eps_bob``, ``eps_eve`` (eq. 9), ``eps_lf`` (eq. 10) and ``r_d`` (eq. 11)."""

    eps: dict
    gamma: dict
    eps_bob: float
    eps_eve: float
    eps_lf: float
    r_d: float


def pld_metrics(p_m, p_k, d_m, d_k, z_bob, z_eve, noise=1.0, n=64) -> PLDMetrics:
    """R_d, eps_LF and the per-layer errors at one operating point (module docstring)."""
    for name, value in (("p_m", p_m), ("p_k", p_k), ("noise", noise), ("z_bob", z_bob),
                        ("z_eve", z_eve)):
        if not np.isfinite(value) or value < 0 or (name == "noise" and value == 0):
            raise ValueError(f"{name}: got {value!r}; allowed: a finite number >= 0"
                             + (" (> 0 for noise)" if name == "noise" else ""))
    for name, value in (("d_m", d_m), ("d_k", d_k), ("n", n)):
        if isinstance(value, bool) or int(value) != value or value < 0 or (name == "n" and value < 1):
            raise ValueError(f"{name}: got {value!r}; allowed: a non-negative integer"
                             + (" >= 1" if name == "n" else ""))
    gamma, eps = {}, {}
    for who, z in (("bob", z_bob), ("eve", z_eve)):
        g_m, g_k = sinrs(p_m, p_k, z, noise)
        gamma[f"{who}_m"], gamma[f"{who}_k"] = float(g_m), float(g_k)
        eps[f"{who}_m"] = float(layer_error(g_m, d_m, n))
        eps[f"{who}_k"] = float(layer_error(g_k, d_k, n))
    eps_bob = 1 - (1 - eps["bob_m"]) * (1 - eps["bob_k"])
    eps_eve = 1 - (1 - eps["eve_m"]) * (1 - eps["eve_k"])
    eps_lf = 1 - (1 - eps_bob) * eps_eve
    r_d = (1 - (1 - eps["bob_m"]) * eps["bob_k"]) * (1 - eps["eve_m"]) * eps["eve_k"]
    return PLDMetrics(eps=eps, gamma=gamma, eps_bob=eps_bob, eps_eve=eps_eve, eps_lf=eps_lf,
                      r_d=r_d)


def baseline_lfp(p_m, d_m, z_bob, z_eve, noise=1.0, n=64):
    """eps_LF of the no-key baselines (P_K = 0, d_K = 0): 1 - (1 - eps_{Bob,M}) eps_{Eve,M}
    (003.md §4.3); broadcast over ``p_m``, ``d_m`` and ``n`` where given as arrays."""
    p_m = np.asarray(p_m, dtype=np.float64)
    e_b = layer_error(z_bob * p_m / noise, d_m, n)
    e_e = layer_error(z_eve * p_m / noise, d_m, n)
    return 1 - (1 - np.asarray(e_b)) * np.asarray(e_e)
