"""Secret-key rates over the Gaussian interference channel with a public channel (seed 001,
Theorem 1 and Corollaries 1-3), written on the log-det engine
:class:`linksim.theory.gaussian.GaussianModel`.

Model (notes 001 §1.4, eq. 6): ``Y_1 = X_1 + alpha_1 X_2 + N_1``, ``Y_2 = alpha_2 X_1 + X_2 +
N_2``, ``N_i ~ N(0, 1)``; ``X_i = V_if + A_i`` with ``V_if ~ N(0, (1 - lambda_i) beta_i P_i)``
the forward (wiretap-coded) key's codeword and ``A_i ~ N(0, lambda_i beta_i P_i)`` the random
part that nobody decodes and that feeds the backward key (Corollary 3). The backward auxiliary
is ``V_ib = Y_i + Q_i``, ``Q_i ~ N(0, D)``: ``D = 0`` is the paper's ``V_ib = Y_i``; ``D > 0`` the
Gaussian test channel of a finite public rate (notes §2.8, an extension).

Pair 1's key rate (Theorem 1; pair 2 by symmetry):

* forward  ``F_1 = I(V_1f; Y_1) - I(V_1f; Y_2 | V_2f)``,
* backward ``B_1 = I(V_1b; X_1 | V_1f) - I(V_1b; Y_2, V_2f | V_1f)`` (eq. 19),
* ``R_1 = [F_1]^+ + [B_1]^+`` with the public channel, ``[F_1]^+`` without it (Remark 2: then
  the region is seed 000's Proposition 2),
* public rate needed by the backward key ``I(V_1b; Y_1 | X_1, V_1f)`` (eq. 18), inf at D = 0.

The eavesdropper of K_1 (user 2) knows its own forward codeword V_2f, not its BS's A_2 (notes
§6 item 19). The pure strategies are the extremes: FW is ``lambda = 0``, BW is ``lambda = 1``
(Corollary 1, eq. 7). Every argument broadcasts over a parameter grid.
"""

from __future__ import annotations

import numpy as np

from linksim.theory.gaussian import GaussianModel

__all__ = ["STRATEGIES", "key_model", "key_rate_terms", "key_rates", "pure_rates",
           "time_sharing_rates"]

#: The pure strategies and their AN split lambda (notes 001 §2.5, extremes of eq. 9).
STRATEGIES = {"fw": 0.0, "bw": 1.0}


def key_model(p1, p2, alpha1, alpha2, lam1, lam2, beta1=1.0, beta2=1.0, quant_var=0.0,
              complex_valued: bool = False) -> GaussianModel:
    """The seed-001 channel as a :class:`GaussianModel`: signals ``v1f, v2f, x1, x2, y1, y2,
    u1, u2`` (``u_i = V_ib``)."""
    lat, sig = {}, {}
    for i, (p, lam, beta) in enumerate(((p1, lam1, beta1), (p2, lam2, beta2)), start=1):
        power = np.asarray(beta, float) * np.asarray(p, float)
        lat[f"v{i}"] = (1 - np.asarray(lam, float)) * power
        lat[f"a{i}"] = np.asarray(lam, float) * power
        lat[f"n{i}"] = 1.0
        lat[f"q{i}"] = quant_var
        sig[f"v{i}f"] = {f"v{i}": 1.0}
        sig[f"x{i}"] = {f"v{i}": 1.0, f"a{i}": 1.0}
    sig["y1"] = {"v1": 1.0, "a1": 1.0, "v2": alpha1, "a2": alpha1, "n1": 1.0}
    sig["y2"] = {"v1": alpha2, "a1": alpha2, "v2": 1.0, "a2": 1.0, "n2": 1.0}
    sig["u1"] = {**sig["y1"], "q1": 1.0}
    sig["u2"] = {**sig["y2"], "q2": 1.0}
    return GaussianModel(lat, sig, complex_valued)


def key_rate_terms(p1, p2, alpha1, alpha2, lam1, lam2, beta1=1.0, beta2=1.0, quant_var=0.0,
                   complex_valued: bool = False, public_rates: bool = False) -> dict:
    """The unclipped brackets of Theorem 1 for both pairs, bits per channel use.

    Output
    ------
    dict of float64 arrays (the broadcast shape): ``forward1``, ``backward1``, ``forward2``,
    ``backward2``; with ``public_rates`` also ``public1``, ``public2`` (eq. 18).
    """
    m = key_model(p1, p2, alpha1, alpha2, lam1, lam2, beta1, beta2, quant_var, complex_valued)
    out = {}
    for i, j in ((1, 2), (2, 1)):
        out[f"forward{i}"] = (m.mutual_information(f"v{i}f", f"y{i}")
                              - m.mutual_information(f"v{i}f", f"y{j}", f"v{j}f"))
        out[f"backward{i}"] = (m.mutual_information(f"u{i}", f"x{i}", f"v{i}f")
                               - m.mutual_information(f"u{i}", [f"y{j}", f"v{j}f"], f"v{i}f"))
        if public_rates:
            out[f"public{i}"] = m.mutual_information(f"u{i}", f"y{i}", [f"x{i}", f"v{i}f"])
    return out


def key_rates(p1, p2, alpha1, alpha2, lam1, lam2, beta1=1.0, beta2=1.0, public: bool = True,
              quant_var=0.0, complex_valued: bool = False):
    """``(R_1, R_2)`` of the AN split (Corollary 3, eq. 9): ``[F]^+ + [B]^+`` with the public
    channel, ``[F]^+`` without it. Two float64 arrays of the broadcast shape."""
    t = key_rate_terms(p1, p2, alpha1, alpha2, lam1, lam2, beta1, beta2, quant_var,
                       complex_valued)
    rates = []
    for i in (1, 2):
        r = np.maximum(t[f"forward{i}"], 0.0)
        if public:
            r = r + np.maximum(t[f"backward{i}"], 0.0)
        rates.append(r)
    return tuple(rates)


def pure_rates(strategy1: str, strategy2: str, p1, p2, alpha1, alpha2, beta1=1.0, beta2=1.0,
               clip: bool = True, quant_var=0.0):
    """``(R_1, R_2)`` of a pure strategy pair, "fw" or "bw" each (Corollary 1, eq. 7, with
    power control ``beta_i P_i``). ``clip=False`` gives the unclipped payoffs of the game
    (notes §6 item 5): forward minus leakage for FW, backward minus leakage for BW."""
    for name, s in (("strategy1", strategy1), ("strategy2", strategy2)):
        if s not in STRATEGIES:
            raise ValueError(f"{name}: got {s!r}; allowed: one of {', '.join(STRATEGIES)}")
    lam1, lam2 = STRATEGIES[strategy1], STRATEGIES[strategy2]
    t = key_rate_terms(p1, p2, alpha1, alpha2, lam1, lam2, beta1, beta2, quant_var)
    out = []
    for i, s in ((1, strategy1), (2, strategy2)):
        r = t[f"forward{i}"] if s == "fw" else t[f"backward{i}"]
        out.append(np.maximum(r, 0.0) if clip else np.asarray(r))
    return tuple(out)


def time_sharing_rates(tau1, p1, p2, alpha1, alpha2, beta1=1.0, beta2=1.0, quant_var=0.0):
    """``(R_1, R_2)`` of time sharing (Corollary 2, eq. 8): a fraction ``tau1`` of the uses in
    (FW, BW), the rest in (BW, FW), both at the powers ``beta_i P_i``. Broadcasts."""
    fb = pure_rates("fw", "bw", p1, p2, alpha1, alpha2, beta1, beta2, quant_var=quant_var)
    bf = pure_rates("bw", "fw", p1, p2, alpha1, alpha2, beta1, beta2, quant_var=quant_var)
    tau1 = np.asarray(tau1, float)
    return tau1 * fb[0] + (1 - tau1) * bf[0], tau1 * fb[1] + (1 - tau1) * bf[1]
