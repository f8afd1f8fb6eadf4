"""Secrecy rates of the Gaussian interference channel with confidential messages, artificial
noise and power control (seed 000, Proposition 2 corrected, and Remark 6's K-user region),
written on the log-det engine :class:`linksim.theory.gaussian.GaussianModel`.

Model (notes 000 §1.7, §2.3): ``Y_j = sum_k g_jk X_k + Z_j`` with ``Z_j ~ N(0, 1)`` (real) or
``CN(0, 1)`` (complex), ``X_k = V_k + A_k``, ``V_k ~ N(0, (1 - lambda_k) beta_k P_k)`` the
codeword (message and dummy bits), ``A_k ~ N(0, lambda_k beta_k P_k)`` artificial noise that
nobody decodes. For two users ``g = [[1, rho_1], [rho_2, 1]]``.

* rate of message k:  ``R_k = [I(V_k; Y_k) - max_{j != k} I(V_k; Y_j | V_{-k})]^+``  (Theorem 1,
  eq. 12; Remark 6), the leakage term conditioned on every other codeword (the genie-aided,
  conservative eavesdropper of the rate formula);
* binning (dummy-bit) rate: ``R'_k = max_{j != k} I(V_k; Y_j | V_{-k})`` (eqs. 21-22), plus a
  margin; reliability needs ``R_k + R'_k < I(V_k; Y_k)`` (eqs. 19-20).

Every argument broadcasts (arrays over a parameter grid); outputs have the broadcast shape.
"""

from __future__ import annotations

import numpy as np

from linksim.theory.gaussian import GaussianModel

__all__ = ["ic_model", "two_user_gains", "rate_terms", "secrecy_rates", "binning_design"]


def two_user_gains(rho1, rho2) -> list:
    """The gain matrix ``g[j][k]`` (receiver j, transmitter k) of the two-user IC,
    ``Y_1 = X_1 + rho_1 X_2 + Z_1``, ``Y_2 = rho_2 X_1 + X_2 + Z_2`` (Definition 6)."""
    return [[1.0, rho1], [rho2, 1.0]]


def ic_model(gains, powers, lam, beta, complex_valued: bool = False) -> GaussianModel:
    """The K-user Gaussian IC with AN and power control as a :class:`GaussianModel`.

    Parameters
    ----------
    gains : K x K nested sequence of floats or arrays, ``gains[j][k]`` from Tx k to Rx j
    powers, lam, beta : K floats or arrays each: P_k, lambda_k in [0, 1], beta_k in [0, 1]
    complex_valued : bool
        ``log`` per complex use instead of ``(1/2) log`` per real one (notes 000 §6 item 12).

    Signals: ``v{k}`` (codeword), ``x{k}`` (transmitted), ``y{j}`` (received), k, j from 1.
    """
    k_users = len(gains)
    latents, signals = {}, {}
    for k in range(1, k_users + 1):
        p = np.asarray(beta[k - 1], float) * np.asarray(powers[k - 1], float)
        latents[f"v{k}"] = (1 - np.asarray(lam[k - 1], float)) * p
        latents[f"a{k}"] = np.asarray(lam[k - 1], float) * p
        latents[f"z{k}"] = 1.0
        signals[f"v{k}"] = {f"v{k}": 1.0}
        signals[f"x{k}"] = {f"v{k}": 1.0, f"a{k}": 1.0}
    for j in range(1, k_users + 1):
        row = {f"z{j}": 1.0}
        for k in range(1, k_users + 1):
            g = gains[j - 1][k - 1]
            row[f"v{k}"] = g
            row[f"a{k}"] = g
        signals[f"y{j}"] = row
    return GaussianModel(latents, signals, complex_valued)


def rate_terms(model: GaussianModel, k_users: int) -> dict:
    """The mutual informations of the rate formula, bits per channel use.

    Output
    ------
    dict with, for k = 1..K (arrays of the batch shape):
        ``legit{k}`` = I(V_k; Y_k), ``leak{k}`` = max_{j != k} I(V_k; Y_j | V_{-k}),
        ``leak{k}_{j}`` = each I(V_k; Y_j | V_{-k})
    """
    out = {}
    for k in range(1, k_users + 1):
        others = [f"v{m}" for m in range(1, k_users + 1) if m != k]
        out[f"legit{k}"] = model.mutual_information(f"v{k}", f"y{k}")
        leaks = []
        for j in range(1, k_users + 1):
            if j != k:
                out[f"leak{k}_{j}"] = model.mutual_information(f"v{k}", f"y{j}", others)
                leaks.append(out[f"leak{k}_{j}"])
        out[f"leak{k}"] = np.maximum.reduce(leaks) if len(leaks) > 1 else leaks[0]
    return out


def secrecy_rates(p, rho1, rho2, lam1, lam2, beta1, beta2, p2=None,
                  complex_valued: bool = False):
    """``(R_1, R_2)`` of the corrected Proposition 2 (notes 000 §2.3), clipped at 0.

    ``p`` is both transmitters' power unless ``p2`` is given (seed 001's ``P_1, P_2``). All
    arguments broadcast. Output: two float64 arrays of the broadcast shape.
    """
    model = ic_model(two_user_gains(rho1, rho2), [p, p if p2 is None else p2],
                     [lam1, lam2], [beta1, beta2], complex_valued)
    t = rate_terms(model, 2)
    return (np.maximum(t["legit1"] - t["leak1"], 0.0), np.maximum(t["legit2"] - t["leak2"], 0.0))


def binning_design(p, rho1, rho2, lam1, lam2, beta1, beta2, margin: float = 0.0, p2=None,
                   complex_valued: bool = False) -> dict:
    """The binning-rate designer (notes 000 §2.3, §5.1 item 3): per user k, the dummy-bit rate
    ``R'_k = I(V_k; Y_j | V_j) + margin`` (eqs. 21-22), the reliability budget
    ``I(V_k; Y_k)`` (eqs. 19-20) and the secret rate left, ``R_k = [I(V_k; Y_k) - R'_k]^+``.

    Output
    ------
    dict of float64 arrays: ``dummy_rate{k}``, ``legit{k}``, ``leak{k}``, ``secret_rate{k}``
    for k = 1, 2 (bits per channel use).
    """
    model = ic_model(two_user_gains(rho1, rho2), [p, p if p2 is None else p2],
                     [lam1, lam2], [beta1, beta2], complex_valued)
    t = rate_terms(model, 2)
    out = {}
    for k in (1, 2):
        dummy = t[f"leak{k}"] + margin
        out.update({f"dummy_rate{k}": dummy, f"legit{k}": t[f"legit{k}"],
                    f"leak{k}": t[f"leak{k}"],
                    f"secret_rate{k}": np.maximum(t[f"legit{k}"] - dummy, 0.0)})
    return out
