"""The analytical studies of seed 002 (kind "analysis"): average secrecy rates of the designs
over channel draws (Figs. 4-6) and the convergence of Algorithm 1 (Fig. 3).

Every point draws ``n_draws`` channel realizations from ``(seed, index)`` (the same draws at
every sweep point and for every scheme: paired comparisons), designs each scheme on the
estimates and scores it on the true channels (:mod:`.designs`). Means over draws come with a
two-sided 95 % Student-t interval (draws are independent; the t interval relies on the
approximate normality of a mean of ``n_draws`` values, stated in the report), and scheme
differences with the paired interval.
"""

from __future__ import annotations

import functools
import json
import math

import numpy as np

from linksim.canonical import canonical_json
from linksim.sim.stats import mean_ci
from linksim.systems.an_mimo.designs import (SCHEMES, Setting, design, draw_channels, score,
                                             secrecy_ceiling)

__all__ = ["SECRECY_QUANTITIES", "CONVERGENCE_QUANTITIES", "SecrecyStudy",
           "ConvergenceStudy", "check_setting"]

_BASELINES = tuple(s for s in SCHEMES if s != "proposed")

#: Quantities of :class:`SecrecyStudy`: name -> (label, scale).
SECRECY_QUANTITIES = {
    **{s: (f"{s}: mean sum secrecy rate (bit/s/Hz)", "linear") for s in SCHEMES},
    **{f"{s}_ci": (f"{s}: 95 % half-width", "linear") for s in SCHEMES},
    **{f"proposed_minus_{s}": (f"proposed - {s} (paired, bit/s/Hz)", "linear")
       for s in _BASELINES},
    **{f"proposed_minus_{s}_ci": (f"proposed - {s}: 95 % half-width", "linear")
       for s in _BASELINES},
    "proposed_per_user": ("proposed: mean per-user secrecy rate", "linear"),
    "proposed_unclipped": ("proposed: mean sum of unclipped C_S", "linear"),
    "proposed_nominal": ("proposed: mean sum secrecy rate on the estimates", "linear"),
    "proposed_legitimate": ("proposed: mean sum legitimate rate", "linear"),
    "proposed_eve": ("proposed: mean sum Eve rate", "linear"),
    "ceiling": ("single-user infinite-SNR secrecy capacity, summed (upper bound)", "linear"),
    "proposed_iterations": ("proposed: mean outer iterations", "linear"),
    "proposed_converged": ("proposed: share of draws converged", "linear"),
    "solves": ("(Q, Lambda) programs solved", "linear"),
    "solves_optimal": ("programs with status optimal", "linear"),
    "solves_inaccurate": ("programs with status optimal_inaccurate", "linear"),
    "solves_failed": ("programs failed (previous precoders kept)", "linear"),
    "bound_violations": ("LMI slacks below the exact worst case", "linear"),
    "bound_shortfall": ("largest relative shortfall of a slack below its worst case",
                        "linear"),
    "power_excess": ("largest relative excess of the power budget", "linear"),
    "mt_mse_infeasible": ("MT-MSE draws with the Eve-MSE constraint unmet", "linear"),
}

#: Quantities of :class:`ConvergenceStudy`.
CONVERGENCE_QUANTITIES = {
    "secrecy": ("mean sum secrecy rate (bit/s/Hz)", "linear"),
    "secrecy_ci": ("95 % half-width", "linear"),
    "secrecy_nominal": ("mean sum of unclipped C_S on the estimates", "linear"),
    "surrogate": ("mean sum of g_i (nats)", "linear"),
    "monotone": ("share of draws whose estimated sum never fell so far", "linear"),
    "converged": ("share of draws converged by this iteration", "linear"),
}


def check_setting(params) -> dict:
    """The setting's parameters checked against the schema and against each other (the
    returned dict holds the normalized values)."""
    from linksim.systems.an_mimo.spec import STUDY_SCHEMA
    params = {**params, **STUDY_SCHEMA.validate(params)}
    if params["d_s"] + params["d_a"] > params["n_t"] or params["d_s"] > params["n_r"]:
        raise ValueError(f"d_s: got {params['d_s']} (d_a = {params['d_a']}); allowed: "
                         f"d_s + d_a <= n_t = {params['n_t']} and d_s <= n_r = "
                         f"{params['n_r']}")
    if params["n_e"] < params["n_t"]:
        raise ValueError(f"n_e: got {params['n_e']}; allowed: n_e >= n_t = {params['n_t']} "
                         f"(the seed's Eve has more antennas than the users)")
    return params


def _draw_results(params, schemes):
    s = Setting.from_params(params)
    out = []
    for index in range(params["n_draws"]):
        d = draw_channels(params["seed"], index, s, params["zeta"])
        row = {"ceiling": secrecy_ceiling(d, s)}
        for scheme in schemes:
            q, lam, info = design(scheme, d, s, zeta=params["zeta"], params=params)
            r = score(d, s, q, lam)
            row[scheme] = (r, info)
            if scheme == "proposed":
                row["nominal"] = score(d, s, q, lam, true=False)
        out.append(row)
    return out


class SecrecyStudy:
    """Average sum secrecy rates of the schemes at one point (Figs. 4-6).

    Parameters
    ----------
    **params
        The schema :data:`linksim.systems.an_mimo.spec.STUDY_SCHEMA`.
    """

    def __init__(self, **params):
        params = check_setting(params)
        unknown = [s for s in params["schemes"] if s not in SCHEMES] \
            if isinstance(params["schemes"], (list, tuple)) else [params["schemes"]]
        if unknown or not params["schemes"]:
            raise ValueError(f"schemes: got {params['schemes']!r}; allowed: a non-empty list "
                             f"of {', '.join(SCHEMES)}")
        self.params = params

    def evaluate(self) -> dict:
        """The quantities of :data:`SECRECY_QUANTITIES` (None for schemes not run)."""
        p = self.params
        schemes = [s for s in SCHEMES if s in p["schemes"]]
        rows = _draw_results(p, schemes)
        out = {name: None for name in SECRECY_QUANTITIES}
        sums = {}
        for scheme in schemes:
            sums[scheme] = np.array([np.clip(row[scheme][0].secrecy, 0, None).sum()
                                     for row in rows])
            out[scheme], out[f"{scheme}_ci"] = mean_ci(sums[scheme])
        if "proposed" in schemes:
            for base in _BASELINES:
                if base in schemes:
                    out[f"proposed_minus_{base}"], out[f"proposed_minus_{base}_ci"] = \
                        mean_ci(sums["proposed"] - sums[base])
            designs = [row["proposed"][1]["design"] for row in rows]
            rates = [row["proposed"][0] for row in rows]
            out["proposed_per_user"] = out["proposed"] / p["k"]
            out["proposed_unclipped"] = float(np.mean([r.secrecy.sum() for r in rates]))
            out["proposed_nominal"] = float(np.mean(
                [np.clip(row["nominal"].secrecy, 0, None).sum() for row in rows]))
            out["proposed_legitimate"] = float(np.mean([r.legitimate.sum() for r in rates]))
            out["proposed_eve"] = float(np.mean([r.eve.sum() for r in rates]))
            out["proposed_iterations"] = float(np.mean([d.iterations for d in designs]))
            out["proposed_converged"] = float(np.mean([d.converged for d in designs]))
            statuses = sum((d.statuses for d in designs), start=type(designs[0].statuses)())
            out["solves"] = int(sum(statuses.values()))
            out["solves_optimal"] = int(statuses.get("optimal", 0))
            out["solves_inaccurate"] = int(statuses.get("optimal_inaccurate", 0))
            out["solves_failed"] = out["solves"] - out["solves_optimal"] \
                - out["solves_inaccurate"]
            out["bound_violations"] = int(sum(d.bound_violations for d in designs))
            out["bound_shortfall"] = float(max(d.bound_shortfall for d in designs))
            out["power_excess"] = float(max(d.power_excess for d in designs))
        if "mt_mse" in schemes:
            out["mt_mse_infeasible"] = int(sum(row["mt_mse"][1]["infeasible"] for row in rows))
        out["ceiling"] = float(np.mean([row["ceiling"] for row in rows]))
        return out


@functools.lru_cache(maxsize=16)
def _trajectories(params_json: str):
    """Every draw's design log for a convergence point (all iterations at once; cached so the
    points of one curve share it within a process)."""
    params = json.loads(params_json)
    s = Setting.from_params(params)
    logs = []
    for index in range(params["n_draws"]):
        d = draw_channels(params["seed"], index, s, params["zeta"])
        _, _, info = design("proposed", d, s, zeta=params["zeta"], params=params)
        logs.append(info["design"])
    return logs


class ConvergenceStudy:
    """The proposed design after ``iteration`` outer iterations of Algorithm 1 (Fig. 3), mean
    over the draws; a draw that converged earlier keeps its last value.

    Parameters
    ----------
    **params
        :data:`linksim.systems.an_mimo.spec.STUDY_SCHEMA` plus ``iteration`` (0 = the start).
    """

    def __init__(self, **params):
        from linksim.systems.an_mimo.spec import CONVERGENCE_SCHEMA
        params = {**params, **CONVERGENCE_SCHEMA.validate(params)}
        iteration = params.pop("iteration")
        params = check_setting(params)
        if iteration > params["n_iter"]:
            raise ValueError(f"iteration: got {iteration!r}; allowed: an integer in 0..n_iter "
                             f"= {params['n_iter']}")
        self.params, self.iteration = params, iteration

    def evaluate(self) -> dict:
        """The quantities of :data:`CONVERGENCE_QUANTITIES`."""
        logs = _trajectories(canonical_json(dict(self.params)))
        it = self.iteration
        true, est, sur, mono, conv = [], [], [], [], []
        for d in logs:
            row = min(it, d.iterations)
            true.append(np.clip(d.secrecy_true[row], 0, None).sum())
            est.append(d.secrecy_est[row].sum())
            sums = d.secrecy_est[: row + 1].sum(axis=1)
            mono.append(bool(np.all(np.diff(sums) >= -1e-6)))
            sur.append(d.surrogate[row - 1].sum() if row > 0 else math.nan)
            conv.append(d.converged and d.iterations <= it)
        mean, half = mean_ci(true)
        return {"secrecy": mean, "secrecy_ci": half, "secrecy_nominal": float(np.mean(est)),
                "surrogate": None if it == 0 else float(np.mean(sur)),
                "monotone": float(np.mean(mono)), "converged": float(np.mean(conv))}
