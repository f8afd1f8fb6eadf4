"""The analytical rate study of seed 004 (kind "analysis"): average common and confidential
rates per channel of the J-E outer bound (OB), M-GR-E, GR-E, C-E and the two UNI readings over
Rayleigh realizations, with CSI margins from noisy estimates (notes 004 §2-§4, Figs. 3-9).

Every point draws ``n_draws`` realizations from ``seed`` alone: standard-normal shapes scaled by
sqrt(Gamma_k) and sqrt(sigma^2), so the same shapes serve every sweep point (common random
numbers: a Gamma, Gamma_1, eps or sigma^2 sweep is paired, and draw i of ``n_draws = N`` is
draw i of any larger ``n_draws``). The transmitter sees ``h_hat = h + eta``; the margins
``alpha^-, alpha^+`` (eq. 7) come from :func:`.analysis.csi_margins` with the prior Gamma_k;
every scheme allocates on ``(alpha^-, alpha^+)`` and is scored with its own rate formulas on
them (the paper's nominal rates):

* OB (J-E, eqs. 10, 12, 14 by SCA, started from M-GR-E and from UNI-half, the better kept,
  notes §2.12) and M-GR-E (eqs. 30-31, rates 10 and 12): :func:`.allocation.joint_rates`;
* GR-E (eqs. 22-29): its group rates, R_0^(G) of eq. 25 and R_k^(G);
* C-E (Theorem 2): eqs. 32-33, :func:`.analysis.ce_rates`;
* UNI-half and UNI-all (notes §2.9): the joint rates (10), (12).

Rates are per channel (the sums over the L channels divided by L, bits/s/Hz, notes §6 item 10).
Means over draws come with the two-sided 95 % Student-t half-width (draws are independent; the
interval relies on the approximate normality of a mean of ``n_draws`` values), differences of
two schemes with the paired interval. C-E and UNI run batched over the draws; the SCA schemes
solve per draw (cvxpy + Clarabel, ~1 s per draw at K = 3, L = 16).
"""

from __future__ import annotations

import math

import numpy as np

from linksim.sim.stats import mean_ci
from linksim.systems.ofdm_bc.analysis import ce_allocation, ce_rates, csi_margins, owners
from linksim.systems.ofdm_bc.spec import SCA_SCHEMES, SCHEMES

__all__ = ["RATES_QUANTITIES", "RatesStudy", "Draws", "draw_realizations",
           "joint_rates_batch", "uniform_batch", "ORDER_TOL_OB", "ORDER_TOL_MGRE"]

#: Labels of the schemes in tables and legends.
_NAMES = {"ob": "OB (J-E)", "mgre": "M-GR-E", "gre": "GR-E", "ce": "C-E",
          "uni_half": "UNI-half", "uni_all": "UNI-all"}

#: The paired differences reported (each only when both schemes run).
DIFFERENCES = (("ob", "mgre"), ("mgre", "gre"), ("gre", "ce"), ("ce", "uni_half"))

#: A draw counts as an ordering violation when OB's weighted sum is below M-GR-E's by more
#: than this (bits per channel use summed over L; SCA stops at 1e-7 and started from M-GR-E
#: can only climb, so any count is a solver failure)...
ORDER_TOL_OB = 1e-6
#: ... and when M-GR-E's is below GR-E's by more than this (a theorem: M-GR-E keeps GR-E's
#: secrecy rates and re-optimizes R_0 over a set that holds GR-E's common powers, notes §2.7).
ORDER_TOL_MGRE = 1e-9

#: Quantities of :class:`RatesStudy`: name -> (label, scale).
RATES_QUANTITIES = {}
for _s in SCHEMES:
    _n = _NAMES[_s]
    RATES_QUANTITIES.update({
        _s: (f"{_n}: mean sum rate R0 + sum Rk (bit/s/Hz)", "linear"),
        f"{_s}_ci": (f"{_n}: 95 % half-width of the sum rate", "linear"),
        f"{_s}_r0": (f"{_n}: mean common rate E[R0] (bit/s/Hz)", "linear"),
        f"{_s}_secrecy": (f"{_n}: mean sum secrecy rate E[sum Rk] (bit/s/Hz)", "linear"),
        f"{_s}_r1": (f"{_n}: mean user-1 rate E[R1] (bit/s/Hz)", "linear"),
        f"{_s}_r_other": (f"{_n}: mean rate of users 2..K, E[Rk] averaged (bit/s/Hz)",
                          "linear"),
    })
for _a, _b in DIFFERENCES:
    RATES_QUANTITIES[f"{_a}_minus_{_b}"] = (f"{_NAMES[_a]} - {_NAMES[_b]}, sum rate (paired, "
                                            f"bit/s/Hz)", "linear")
    RATES_QUANTITIES[f"{_a}_minus_{_b}_ci"] = (f"{_NAMES[_a]} - {_NAMES[_b]}: 95 % half-width",
                                               "linear")
RATES_QUANTITIES.update({
    "ob_below_mgre": ("draws with OB's weighted sum < M-GR-E's - 1e-6", "linear"),
    "mgre_below_gre": ("draws with M-GR-E's weighted sum < GR-E's - 1e-9", "linear"),
    "mgre_secrecy_gap": ("largest |M-GR-E - GR-E| secrecy rate of a user (bit/s/Hz)", "linear"),
    "ob_start_spread": ("OB: mean |value from M-GR-E start - from UNI start| (bit/s/Hz)",
                        "linear"),
    "ob_from_uni": ("OB: share of draws where the UNI-half start won by > 1e-6", "linear"),
    "ob_multilayer": ("OB: share of channels with confidential power that carry > 1 layer",
                      "linear"),
    "ob_steps": ("OB: SCA programs solved", "linear"),
    "ob_not_optimal": ("OB: SCA programs with a status other than optimal", "linear"),
    "ob_failed": ("OB: SCA programs failed (neither optimal nor optimal_inaccurate)", "linear"),
    "gre_steps": ("GR-E/M-GR-E: programs solved (group SCA steps and the common program)",
                  "linear"),
    "gre_not_optimal": ("GR-E/M-GR-E: programs with a status other than optimal", "linear"),
    "gre_failed": ("GR-E/M-GR-E: programs failed", "linear"),
    "l0_share": ("share of channels without an owner (L_0, eq. 22)", "linear"),
    "margin_low": ("share of (user, channel) pairs with true alpha < alpha^-", "log"),
    "margin_high": ("share of (user, channel) pairs with true alpha > alpha^+", "log"),
    "margin_any": ("share of draws with at least one margin violated", "log"),
    "margin_any_exact": ("1 - (1 - 2 eps)^(K L): P[a violation] for independent pairs "
                         "(1 for eps >= 1/2)",
                         "log"),
    "margin_any_paper": ("1 - (1 - eps)^(K L): the paper's joint level", "log"),
    "margin_any_union": ("min(1, 2 K L eps): the union bound", "log"),
})


class Draws:
    """One point's realizations (``n`` draws, K users, L channels).

    Attributes
    ----------
    gains : float64 [K]
        Gamma_k (linear).
    h, h_hat : complex128 [n, K, L]
        The true channels and the transmitter's estimates ``h + eta``.
    am, ap : float64 [n, K, L]
        The margins alpha^-, alpha^+ of eq. (7).
    """

    def __init__(self, gains, h, h_hat, am, ap):
        self.gains, self.h, self.h_hat, self.am, self.ap = gains, h, h_hat, am, ap


def draw_realizations(params) -> Draws:
    """The realizations of a point: ``h ~ CN(0, Gamma_k)``, ``eta ~ CN(0, sigma^2)`` iid over
    draws, users and channels, from the standard-normal array ``z [n, K, L, 4]`` of
    ``numpy.random.default_rng(seed)`` (``h = sqrt(Gamma_k / 2) (z0 + j z1)``, ``eta =
    sqrt(sigma^2 / 2) (z2 + j z3)``; z is drawn even when sigma^2 = 0, so a sigma^2 sweep keeps
    the same h). Draw-major order: the first N draws do not depend on n_draws >= N.

    Parameters
    ----------
    params : mapping
        k, n_sc, gamma_db, gamma1_db, error_var, eps, n_draws, seed.

    Returns
    -------
    :class:`Draws`
    """
    k, n_sc, n = params["k"], params["n_sc"], params["n_draws"]
    gains = np.full(k, 10 ** (params["gamma_db"] / 10))
    if params["gamma1_db"] is not None:
        gains[0] = 10 ** (params["gamma1_db"] / 10)
    z = np.random.default_rng(params["seed"]).standard_normal((n, k, n_sc, 4))
    h = np.sqrt(gains / 2)[None, :, None] * (z[..., 0] + 1j * z[..., 1])
    eta = math.sqrt(params["error_var"] / 2) * (z[..., 2] + 1j * z[..., 3])
    h_hat = h + eta
    am, ap = np.empty((n, k, n_sc)), np.empty((n, k, n_sc))
    for user in range(k):             # the prior Gamma_k differs per user; batched over draws
        am[:, user], ap[:, user] = csi_margins(h_hat[:, user], float(gains[user]),
                                               params["error_var"], params["eps"])
    return Draws(gains, h, h_hat, am, ap)


def joint_rates_batch(p, am, ap) -> np.ndarray:
    """:func:`.allocation.joint_rates` batched: R_0 (eq. 12) and R_k (eq. 10), bits.

    Input
    -----
    p : float64 [n, K + 1, L]
    am, ap : float64 [n, K, L]

    Output
    ------
    rates : float64 [n, K + 1]
    """
    p, am, ap = (np.asarray(a, float) for a in (p, am, ap))
    k = am.shape[1]
    s = p[:, 1:].sum(axis=1)[:, None]                                      # [n, 1, L]
    r0 = np.sum(np.log2(1 + am * (p[:, :1] + s)) - np.log2(1 + am * s), axis=2).min(axis=1)
    pk = p[:, 1:, None, :]                                                 # [n, user, 1, L]
    a_user, b_eve = am[:, :, None, :], ap[:, None, :, :]                   # [n, K, K, L]
    term = np.log2(1 + a_user * pk) - np.log2(1 + b_eve * pk)
    per_eve = np.sum(np.where(a_user >= b_eve, term, 0.0), axis=3)         # R_{k/j} (9)
    per_eve = np.where(np.eye(k, dtype=bool)[None], np.inf, per_eve)      # j != k
    return np.concatenate([r0[:, None], per_eve.min(axis=2)], axis=1)


def uniform_batch(am, ap, p_total: float, reading: str) -> np.ndarray:
    """:func:`.allocation.uniform_allocation` batched (notes §2.9).

    Input
    -----
    am, ap : float64 [n, K, L]

    Output
    ------
    p : float64 [n, K + 1, L]
    """
    n, k, n_sc = am.shape
    if reading == "all":
        return np.full((n, k + 1, n_sc), p_total / (n_sc * (k + 1)))
    owner = owners(am, ap)                                                 # [n, L]
    per = p_total / n_sc
    p = np.zeros((n, k + 1, n_sc))
    p[:, 0] = np.where(owner >= 0, per / 2, per)
    p[:, 1:] = np.where(owner[:, None, :] == np.arange(k)[None, :, None], per / 2, 0.0)
    return p


def _check(params) -> dict:
    from linksim.systems.ofdm_bc.spec import STUDY_SCHEMA
    params = STUDY_SCHEMA.complete(params, "ofdm_bc_rates")    # defaults for a direct call
    params = {**params, **STUDY_SCHEMA.validate(params)}
    if not params["eps"] < 1:       # the schema's bound is inclusive
        raise ValueError(f"eps: got {params['eps']!r}; allowed: 0 < eps < 1")
    schemes = params["schemes"]
    if (not isinstance(schemes, (list, tuple)) or not schemes
            or any(not isinstance(s, str) or s not in SCHEMES for s in schemes)
            or len(set(schemes)) != len(schemes)):
        raise ValueError(f"schemes: got {schemes!r}; allowed: a non-empty list without repeats "
                         f"from {', '.join(SCHEMES)}")
    params["schemes"] = list(schemes)
    return params


class RatesStudy:
    """Average rates of the seed-004 schemes at one point (Figs. 3-9).

    Parameters
    ----------
    **params
        :data:`linksim.systems.ofdm_bc.spec.STUDY_SCHEMA`.
    """

    def __init__(self, **params):
        self.params = _check(params)

    @property
    def weights(self) -> np.ndarray:
        """float64 [K + 1]: w_0, then w for every confidential message."""
        p = self.params
        return np.array([p["w0"]] + [p["w"]] * p["k"])

    def per_draw(self) -> dict:
        """Every scheme's rates on every draw, and what the SCA solvers reported.

        Returns
        -------
        dict
            ``draws``: :class:`Draws`; ``rates``: scheme -> float64 [n, K + 1] (R_0, R_1..R_K
            in bits summed over the L channels, the scheme's own formulas); ``powers``: scheme
            -> float64 [n, K + 1, L]; ``ob_values``: float64 [n, 2], OB's weighted sum from the
            M-GR-E and the UNI-half starts (NaN where a start failed); ``statuses``: {"ob":
            [...], "gre": [...]}, the status of every program solved.
        """
        from linksim.systems.ofdm_bc.allocation import (gre_allocation, joint_rates,
                                                        mgre_allocation, sca_allocation)
        p = self.params
        schemes, w, total = p["schemes"], self.weights, p["p_total"]
        d = draw_realizations(p)
        n, k, n_sc = d.am.shape
        rates, powers = {}, {}
        # the batched closed forms
        if "ce" in schemes:
            powers["ce"] = ce_allocation(d.am, d.ap, w, total)
            rates["ce"] = ce_rates(powers["ce"], d.am, d.ap)
        for reading in ("half", "all"):
            if f"uni_{reading}" in schemes:
                powers[f"uni_{reading}"] = uniform_batch(d.am, d.ap, total, reading)
                rates[f"uni_{reading}"] = joint_rates_batch(powers[f"uni_{reading}"], d.am,
                                                            d.ap)
        # the SCA schemes, per draw: GR-E feeds M-GR-E, M-GR-E feeds OB's first start
        need = {s for s in SCA_SCHEMES if s in schemes}
        if "ob" in need:
            need |= {"mgre", "gre"}
        elif "mgre" in need:
            need.add("gre")
        statuses = {"ob": [], "gre": []}
        ob_values = np.full((n, 2), np.nan)
        for s in need:
            rates[s], powers[s] = np.zeros((n, k + 1)), np.zeros((n, k + 1, n_sc))
        for i in range(n if need else 0):
            a, b = d.am[i], d.ap[i]
            p_g, r_g = gre_allocation(a, b, w, total, statuses=statuses["gre"])
            powers["gre"][i], rates["gre"][i] = p_g, r_g
            if "mgre" in need:
                p_m, r_m = mgre_allocation(a, b, w, total, gre=(p_g, r_g),
                                           statuses=statuses["gre"])
                powers["mgre"][i], rates["mgre"][i] = p_m, r_m
            if "ob" in need:
                best, best_value = p_m, float(np.dot(r_m, w))   # a failed SCA keeps M-GR-E
                for start, init in enumerate((p_m, None)):      # None: the UNI-half start
                    try:
                        p_o, value, steps = sca_allocation(a, b, w, total, p_init=init)
                    except Exception as exc:     # a solver error: counted, the start dropped
                        statuses["ob"].append(f"error: {type(exc).__name__}")
                        continue
                    statuses["ob"].extend(steps)
                    ob_values[i, start] = value
                    if value > best_value:
                        best, best_value = p_o, value
                powers["ob"][i], rates["ob"][i] = best, joint_rates(best, a, b)
        return {"draws": d, "rates": rates, "powers": powers, "ob_values": ob_values,
                "statuses": statuses}

    def evaluate(self) -> dict:
        """The quantities of :data:`RATES_QUANTITIES` (None where they do not apply: schemes
        not run, margins under perfect CSI).

        Returns
        -------
        dict
            name -> float, int or None.
        """
        return self.summarize(self.per_draw())

    def summarize(self, res) -> dict:
        """:meth:`evaluate` from a result of :meth:`per_draw` (which it does not recompute).

        Parameters
        ----------
        res : dict
            What :meth:`per_draw` returned for this study.

        Returns
        -------
        dict
            name -> float, int or None, the keys of :data:`RATES_QUANTITIES`. Rates are per
            channel (bits/s/Hz); ``s_ci`` and ``a_minus_b_ci`` are 95 % Student-t half-widths
            over the draws; the ordering counts compare the weighted sums (the objective; the
            sum rate at w_0 = w = 1).
        """
        p = self.params
        d, rates, w = res["draws"], res["rates"], self.weights
        n, k, n_sc = d.am.shape
        out = {name: None for name in RATES_QUANTITIES}
        per = {s: r / n_sc for s, r in rates.items()}          # bits per channel use
        sums = {s: r.sum(axis=1) for s, r in per.items()}
        for s in p["schemes"]:
            r = per[s]
            out[s], out[f"{s}_ci"] = mean_ci(sums[s])
            out[f"{s}_r0"] = float(r[:, 0].mean())
            out[f"{s}_secrecy"] = float(r[:, 1:].sum(axis=1).mean())
            out[f"{s}_r1"] = float(r[:, 1].mean())
            out[f"{s}_r_other"] = float(r[:, 2:].mean())
        for a, b in DIFFERENCES:
            if a in p["schemes"] and b in p["schemes"]:
                out[f"{a}_minus_{b}"], out[f"{a}_minus_{b}_ci"] = mean_ci(sums[a] - sums[b])
        weighted = {s: r @ w for s, r in rates.items()}          # the objective, bits over L
        if "ob" in p["schemes"] and "mgre" in p["schemes"]:
            out["ob_below_mgre"] = int(np.sum(weighted["ob"] < weighted["mgre"] - ORDER_TOL_OB))
        if "mgre" in p["schemes"] and "gre" in p["schemes"]:
            out["mgre_below_gre"] = int(np.sum(weighted["mgre"]
                                               < weighted["gre"] - ORDER_TOL_MGRE))
            out["mgre_secrecy_gap"] = float(np.abs(per["mgre"][:, 1:]
                                                   - per["gre"][:, 1:]).max())
        if "ob" in p["schemes"]:
            values = res["ob_values"]
            both = np.all(np.isfinite(values), axis=1)
            if both.any():
                out["ob_start_spread"] = float(np.mean(np.abs(values[both, 0] - values[both, 1]))
                                               / n_sc)
                out["ob_from_uni"] = float(np.mean(values[both, 1] > values[both, 0] + 1e-6))
            layers = (res["powers"]["ob"][:, 1:] > 1e-6 * p["p_total"] / n_sc).sum(axis=1)
            active = int(np.sum(layers >= 1))
            out["ob_multilayer"] = float(np.sum(layers > 1) / active) if active else 0.0
        for group, names in (("ob", ("ob",)), ("gre", ("gre", "mgre", "ob"))):
            if any(s in p["schemes"] for s in names):
                st = res["statuses"][group]
                out[f"{group}_steps"] = len(st)
                out[f"{group}_not_optimal"] = sum(s != "optimal" for s in st)
                out[f"{group}_failed"] = sum(s not in ("optimal", "optimal_inaccurate")
                                             for s in st)
        out["l0_share"] = float(np.mean(owners(d.am, d.ap) < 0))
        if p["error_var"] > 0:
            # the true power gains against the margins; under the model each (user, channel)
            # pair violates its lower margin with probability eps exactly, and its upper one
            # with probability eps, the two events disjoint for eps < 1/2 (for eps >= 1/2,
            # alpha^- >= alpha^+ and every pair violates one of them)
            alpha = np.abs(d.h) ** 2
            low, high = alpha < d.am, alpha > d.ap
            out["margin_low"] = float(low.mean())
            out["margin_high"] = float(high.mean())
            out["margin_any"] = float(np.mean(np.any(low | high, axis=(1, 2))))
            eps, pairs = p["eps"], k * n_sc
            out["margin_any_exact"] = float(1 - max(1 - 2 * eps, 0.0) ** pairs)
            out["margin_any_paper"] = float(1 - (1 - eps) ** pairs)
            out["margin_any_union"] = float(min(1.0, 2 * pairs * eps))
        return out
