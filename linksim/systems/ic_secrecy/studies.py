"""The analytical studies of seed 000 (kind "analysis"): the strong-secrecy rate region of the
Gaussian IC with artificial noise and power control (corrected Proposition 2), and the
binning-rate designer.

**Region** (:class:`RegionStudy`, notes 000 §3.1-§3.2). The rates of :func:`.rates.secrecy_rates`
on a ``grid^4`` grid over ``(lambda_1, lambda_2, beta_1, beta_2) in [0, 1]^4`` give a cloud of
achievable pairs. The region without time sharing is the union of their rectangles; with the
time-sharing variable U (Proposition 2: "U chooses lambda_i and beta_i") it is the convex hull.
A point of a sweep over ``r1`` reads both boundaries ``R_2^max(r1)`` there; the grid is computed
once per process and setting, and every point also reports the region's summaries:

* ``r1_max``, ``r2_max``: the corners, refined by a local search from the grid optimum;
* ``max_sum`` and its parameters (time sharing cannot raise a linear objective, so it is the
  same with and without the hull), refined;
* ``max_min``: the max-min rate without time sharing and its parameters, refined;
* ``sym_hull``: the symmetric rate on the hull, the diagonal's crossing of the hull of the grid
  points and of the refined support points (achievable: a lower bound up to nothing but the
  search), and ``sym_hull_upper``: ``h(w*) >= min_w h(w)``, the support function at the
  crossing facet's normal with a refined maximizer (an upper bound by LP duality, up to the
  local search's optimality). The two bracket the exact value;
* the regression constants of notes §2.6: the naive point (lambda = 0, beta = 1), the wiretap
  corner ``C(P) - C(rho_2^2 P)``, and for a symmetric channel the saturation constant
  ``log2((1 + rho^2) / (2 rho))`` at ``p* = (1 - rho^2) / (rho^2 (1 + rho^2))`` beside the
  engine's own maximum over the common power without AN (``sym_noan_rate`` at
  ``sym_noan_power``).

**Designer** (:class:`BinningDesign`, notes §2.3, §5.1 item 3): per user, the dummy-bit rate
``R'_k = I(V_k; Y_j | V_j) + margin``, the reliability budget ``I(V_k; Y_k)`` and the secret rate
left; with a blocklength, the bit counts of a wiretap code.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy import optimize

from linksim.optimize.region import (evaluate_grid, hull_boundary, hull_vertices,
                                     pareto_points, refine, support, symmetric_on_hull,
                                     union_boundary)
from linksim.systems.ic_secrecy.rates import binning_design, secrecy_rates
from linksim.systems.ic_secrecy.spec import DESIGN_SCHEMA, REGION_SCHEMA

__all__ = ["REGION_QUANTITIES", "DESIGN_QUANTITIES", "RegionStudy", "BinningDesign",
           "region_summary", "saturation"]

_PARAMS = ("lam1", "lam2", "beta1", "beta2")

#: Quantities of :class:`RegionStudy`: name -> (label, scale).
REGION_QUANTITIES = {
    "r2_union": ("R2 max at R1, no time sharing (bit/use)", "linear"),
    "r2_hull": ("R2 max at R1, convex hull (bit/use)", "linear"),
    "r1_max": ("largest R1 (bit/use)", "linear"),
    "r2_max": ("largest R2 (bit/use)", "linear"),
    "max_sum": ("max sum rate (bit/use)", "linear"),
    "max_sum_r1": ("R1 at the max sum (bit/use)", "linear"),
    "max_sum_r2": ("R2 at the max sum (bit/use)", "linear"),
    **{f"max_sum_{p}": (f"{p} at the max sum", "linear") for p in _PARAMS},
    "max_min": ("max-min rate, no time sharing (bit/use)", "linear"),
    **{f"max_min_{p}": (f"{p} at the max-min", "linear") for p in _PARAMS},
    "sym_union_grid": ("max-min rate on the grid, no time sharing (bit/use)", "linear"),
    "sym_hull": ("symmetric rate on the hull, achievable (bit/use)", "linear"),
    "sym_hull_upper": ("symmetric rate on the hull, dual upper bound (bit/use)", "linear"),
    "naive_r1": ("R1 at lambda = 0, beta = 1 (bit/use)", "linear"),
    "naive_r2": ("R2 at lambda = 0, beta = 1 (bit/use)", "linear"),
    "wiretap_corner": ("C(P) - C(rho2^2 P), Tx 2 silent (bit/use)", "linear"),
    "saturation": ("log2((1 + rho^2) / (2 rho)), symmetric channel (bit/use)", "linear"),
    "p_star": ("p* = (1 - rho^2) / (rho^2 (1 + rho^2))", "linear"),
    "sym_noan_rate": ("max over common power of the no-AN symmetric rate (bit/use)", "linear"),
    "sym_noan_power": ("common power beta P reaching it", "linear"),
    "paper_valid": ("1: rho_1, rho_2 < 1 (the paper's weak interference)", "linear"),
}

#: Quantities of :class:`BinningDesign`.
DESIGN_QUANTITIES = {
    **{f"{q}{k}": (f"{label} {k} (bit/use)", "linear") for k in (1, 2) for q, label in (
        ("dummy_rate", "dummy-bit rate R' of user"), ("legit", "I(V; Y) of user"),
        ("leak", "I(V_i; Y_j | V_j) of user"), ("secret_rate", "secret rate left for user"))},
    **{f"{q}{k}": (f"{label} {k}", "linear") for k in (1, 2) for q, label in (
        ("dummy_bits", "dummy bits per codeword of user"),
        ("secret_bits", "secret bits per codeword of user"))},
}


def saturation(rho: float) -> tuple[float, float]:
    """The symmetric no-AN rate's maximum over the common power and where it is reached
    (notes 000 §2.6 item 4): ``(log2((1 + rho^2) / (2 rho)), (1 - rho^2) / (rho^2 (1 +
    rho^2)))``, for 0 < rho < 1."""
    return (math.log2((1 + rho * rho) / (2 * rho)),
            (1 - rho * rho) / (rho * rho * (1 + rho * rho)))


class _Setting:
    """One channel: the rates at a parameter vector, for the searches."""

    def __init__(self, p, p2, rho1, rho2, complex_valued):
        self.args = dict(p=p, rho1=rho1, rho2=rho2, p2=p2, complex_valued=complex_valued)

    def rates(self, lam1, lam2, beta1, beta2):
        return secrecy_rates(lam1=lam1, lam2=lam2, beta1=beta1, beta2=beta2, **self.args)

    def at(self, theta):
        r1, r2 = self.rates(*np.clip(theta, 0.0, 1.0))
        return float(r1), float(r2)


_BOX = [(0.0, 1.0)] * 4


@functools.lru_cache(maxsize=8)
def region_summary(p: float, p2, rho1: float, rho2: float, grid: int,
                   complex_valued: bool) -> dict:
    """The region of one setting on a ``grid^4`` grid, with its refined summaries (cached per
    process: every point of an ``r1`` sweep reads the same one).

    Returns
    -------
    dict: ``pareto`` float [m, 2] (the union's Pareto points), ``hull`` float [v, 2], and the
    scalar quantities of :data:`REGION_QUANTITIES` that do not depend on ``r1``
    """
    s = _Setting(p, p2, rho1, rho2, complex_valued)
    axis = np.linspace(0.0, 1.0, grid)
    r1, r2 = evaluate_grid(s.rates, [axis] * 4)

    def params_of(i):
        return axis[np.array(np.unravel_index(i, (grid,) * 4))]

    out = {}
    # corners
    for k, r in ((1, r1), (2, r2)):
        i = int(np.argmax(r))
        out[f"r{k}_max"], _ = refine(lambda t, k=k: s.at(t)[k - 1], params_of(i), _BOX)
    # max sum (the same on the hull: a linear objective)
    _, i = support(r1, r2, 0.5)
    value, theta = refine(lambda t: sum(s.at(t)), params_of(i), _BOX)
    a, b = s.at(theta)
    out.update(max_sum=value, max_sum_r1=a, max_sum_r2=b,
               **{f"max_sum_{n}": float(v) for n, v in zip(_PARAMS, theta)})
    # max-min without time sharing
    mins = np.minimum(r1, r2)
    i = int(np.argmax(mins))
    out["sym_union_grid"] = float(mins[i])
    value, theta = refine(lambda t: min(s.at(t)), params_of(i), _BOX)
    out.update(max_min=value, **{f"max_min_{n}": float(v) for n, v in zip(_PARAMS, theta)})
    # symmetric rate on the hull, bracketed: achievable below, dual bound above
    hull = hull_vertices(r1, r2)
    w_star, k = _crossing_facet(hull)

    def weighted(t):
        a, b = s.at(t)
        return w_star * a + (1 - w_star) * b
    _, i = support(r1, r2, w_star)
    upper, theta = refine(weighted, params_of(i), _BOX)
    extra = [s.at(theta)]
    for v in hull[max(k - 1, 1):min(k + 1, len(hull) - 1)]:   # the crossing facet's ends
        j = int(np.argmin((r1 - v[0]) ** 2 + (r2 - v[1]) ** 2))
        extra.append(s.at(refine(weighted, params_of(j), _BOX)[1]))
    e1, e2 = np.array(extra).T
    both = hull_vertices(np.concatenate([hull[:, 0], e1]), np.concatenate([hull[:, 1], e2]))
    out["sym_hull"] = symmetric_on_hull(both)
    out["sym_hull_upper"] = max(upper, out["sym_hull"])
    # regression constants (notes §2.6)
    n1, n2 = s.at(np.array([0.0, 0.0, 1.0, 1.0]))
    out.update(naive_r1=n1, naive_r2=n2)
    c = 1.0 if complex_valued else 0.5
    out["wiretap_corner"] = c * math.log2(1 + p) - c * math.log2(1 + rho2 * rho2 * p)
    symmetric = rho1 == rho2 and (p2 is None or p2 == p) and 0 < rho1 < 1
    out["saturation"], out["p_star"] = saturation(rho1) if symmetric and not complex_valued \
        else (None, None)
    out["sym_noan_rate"], out["sym_noan_power"] = _best_common_power(s, p) if symmetric \
        else (None, None)
    out["paper_valid"] = int(rho1 < 1 and rho2 < 1)
    out["pareto"], out["hull"] = np.column_stack([r1, r2])[pareto_points(r1, r2)], hull
    return out


def _crossing_facet(hull) -> tuple[float, int]:
    """``(w, k)``: the hull facet ``hull[k-1] -> hull[k]`` that crosses the diagonal, and the
    weight w of its outer normal, proportional to ``(w, 1 - w)``."""
    d = hull[:, 1] - hull[:, 0]
    k = int(np.clip(np.searchsorted(-d, 0.0), 1, len(hull) - 1))
    dx, dy = hull[k] - hull[k - 1]
    if dx <= 0:
        return 1.0, k
    slope = -dy / dx                              # >= 0 on a concave decreasing chain
    return float(slope / (1 + slope)), k


def _best_common_power(s: _Setting, p: float) -> tuple[float, float]:
    """max over the common power q = beta P in (0, P] of R(q) without AN (the engine), and the
    maximizing q (bounded scalar search on log q: R is unimodal, notes §2.6 item 4)."""
    def neg(log_q):
        beta = math.exp(log_q) / p
        return -min(s.at(np.array([0.0, 0.0, beta, beta])))
    res = optimize.minimize_scalar(neg, bounds=(math.log(p) - 30.0, math.log(p)),
                                   method="bounded", options={"xatol": 1e-10})
    return float(-res.fun), float(math.exp(res.x))


def _complete(schema, params, name) -> dict:
    """The parameters with defaults (for a direct call), each checked against the schema."""
    params = schema.complete(params, name)
    return {**params, **schema.validate(params)}


class RegionStudy:
    """The analysis system "ic_secrecy_region" at one point (see the module docstring)."""

    def __init__(self, **params):
        self.params = _complete(REGION_SCHEMA, params, "ic_secrecy_region")

    def evaluate(self) -> dict:
        q = self.params
        summary = region_summary(q["p"], q["p2"], q["rho1"], q["rho2"], q["grid"],
                                 q["complex_valued"])
        pareto, hull = summary["pareto"], summary["hull"]
        out = {k: v for k, v in summary.items() if k in REGION_QUANTITIES}
        out["r2_union"] = float(union_boundary(pareto[:, 0], pareto[:, 1], q["r1"]))
        out["r2_hull"] = float(hull_boundary(hull, q["r1"]))
        return out


class BinningDesign:
    """The analysis system "ic_secrecy_design" at one point (see the module docstring)."""

    def __init__(self, **params):
        self.params = _complete(DESIGN_SCHEMA, params, "ic_secrecy_design")

    def evaluate(self) -> dict:
        q = self.params
        got = binning_design(q["p"], q["rho1"], q["rho2"], q["lam1"], q["lam2"], q["beta1"],
                             q["beta2"], margin=q["margin"], p2=q["p2"],
                             complex_valued=q["complex_valued"])
        out = {k: float(v) for k, v in got.items()}
        n = q["n"]
        for k in (1, 2):
            if n is None:
                out[f"dummy_bits{k}"] = out[f"secret_bits{k}"] = None
                continue
            dummy = max(math.ceil(n * out[f"dummy_rate{k}"] - 1e-12), 0)
            # secret + dummy < n I(V; Y) strictly (eqs. 19-20)
            total = math.ceil(n * out[f"legit{k}"] - 1e-12) - 1
            out[f"dummy_bits{k}"] = dummy
            out[f"secret_bits{k}"] = max(total - dummy, 0)
        return out
