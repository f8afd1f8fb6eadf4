"""The key-rate region study of seed 001 (kind "analysis"): Fig. 3's regions at one channel.

Three schemes (notes 001 §2.3-§2.5), each a cloud of achievable pairs on a grid:

* ``an``: the AN split with the public channel (Corollary 3, eq. 9), ``[F_i]^+ + [B_i]^+`` on a
  ``grid^4`` grid over ``(lambda_1, lambda_2, beta_1, beta_2)``;
* ``nopub``: the same without the public channel, ``[F_i]^+`` (Remark 2): seed 000's
  corrected Proposition 2, the cross-seed check of notes 001 §2.5 and 000 §5.4 E1;
* ``ts``: time sharing (Corollary 2, eq. 8) on a ``ts_grid^3`` grid over ``(tau_1, beta_1,
  beta_2)``.

For each, a point of a sweep over ``r1`` reads the union boundary ``<scheme>_union`` and the
convex hull ``<scheme>_hull`` at ``r1`` (Theorem 1 is the closure of the convex hull; Fig. 3
does not say which it plots, notes §6 item 11, so both are reported), and the summaries:
the largest ``R_1`` (``<scheme>_r1_max``), the max sum (``<scheme>_max_sum``), the
symmetric rate without and with the hull (``<scheme>_sym_union``, ``<scheme>_sym_hull``),
all on the grid (resolution about 1e-3 at the defaults; seed 000's study refines its own).
The four pure strategies at full power (Corollary 1, eq. 7) are the marked points of Fig. 3.
The grids are computed once per process and setting.
"""

from __future__ import annotations

import functools

import numpy as np

from linksim.optimize.region import (evaluate_grid, hull_boundary, hull_vertices,
                                     pareto_points, support, symmetric_on_hull,
                                     union_boundary)
from linksim.systems.key_agreement.rates import key_rate_terms, pure_rates, time_sharing_rates
from linksim.systems.key_agreement.spec import REGION_SCHEMA

__all__ = ["REGION_QUANTITIES", "SCHEMES", "KeyRegionStudy", "key_regions"]

#: The region schemes and their names in tables.
SCHEMES = {"an": "AN + public channel (Cor. 3)", "nopub": "AN without public channel",
           "ts": "time sharing (Cor. 2)"}

_PROFILES = ("fw_fw", "fw_bw", "bw_fw", "bw_bw")

#: Quantities of :class:`KeyRegionStudy`: name -> (label, scale).
REGION_QUANTITIES = {}
for _s, _n in SCHEMES.items():
    REGION_QUANTITIES.update({
        f"{_s}_union": (f"{_n}: R2 max at R1, union (bit/use)", "linear"),
        f"{_s}_hull": (f"{_n}: R2 max at R1, convex hull (bit/use)", "linear"),
        f"{_s}_r1_max": (f"{_n}: largest R1 (bit/use)", "linear"),
        f"{_s}_max_sum": (f"{_n}: max sum rate (bit/use)", "linear"),
        f"{_s}_sym_union": (f"{_n}: symmetric rate, union (bit/use)", "linear"),
        f"{_s}_sym_hull": (f"{_n}: symmetric rate, convex hull (bit/use)", "linear"),
    })
for _p in _PROFILES:
    _label = _p.upper().replace("_", ", ")
    REGION_QUANTITIES.update({f"{_p}_r1": (f"({_label}): R1 (bit/use)", "linear"),
                              f"{_p}_r2": (f"({_label}): R2 (bit/use)", "linear")})


@functools.lru_cache(maxsize=4)
def key_regions(p1: float, p2: float, alpha1: float, alpha2: float, grid: int, ts_grid: int,
                quant_var: float) -> dict:
    """The three regions of one setting (cached per process).

    Returns
    -------
    dict scheme -> {"pareto": float [m, 2], "hull": float [v, 2], "r1_max", "max_sum",
    "sym_union", "sym_hull": float}
    """
    axis = np.linspace(0.0, 1.0, grid)

    def an(lam1, lam2, beta1, beta2):
        t = key_rate_terms(p1, p2, alpha1, alpha2, lam1, lam2, beta1, beta2, quant_var)
        f1, f2 = np.maximum(t["forward1"], 0.0), np.maximum(t["forward2"], 0.0)
        return (f1 + np.maximum(t["backward1"], 0.0), f2 + np.maximum(t["backward2"], 0.0),
                f1, f2)
    a1, a2, n1, n2 = evaluate_grid(an, [axis] * 4, chunk_sets=1 << 17)
    ts_axis = np.linspace(0.0, 1.0, ts_grid)
    t1, t2 = evaluate_grid(lambda tau, b1, b2: time_sharing_rates(tau, p1, p2, alpha1, alpha2,
                                                                  b1, b2, quant_var),
                           [ts_axis] * 3)
    out = {}
    for name, (r1, r2) in (("an", (a1, a2)), ("nopub", (n1, n2)), ("ts", (t1, t2))):
        hull = hull_vertices(r1, r2)
        out[name] = {"pareto": np.column_stack([r1, r2])[pareto_points(r1, r2)],
                     "hull": hull, "r1_max": float(r1.max()),
                     "max_sum": 2 * support(r1, r2, 0.5)[0],
                     "sym_union": float(np.minimum(r1, r2).max()),
                     "sym_hull": symmetric_on_hull(hull)}
    return out


class KeyRegionStudy:
    """The analysis system "key_region" at one point (see the module docstring)."""

    def __init__(self, **params):
        params = REGION_SCHEMA.complete(params, "key_region")
        self.params = {**params, **REGION_SCHEMA.validate(params)}

    def evaluate(self) -> dict:
        q = self.params
        p2 = q["p1"] if q["p2"] is None else q["p2"]
        regions = key_regions(q["p1"], p2, q["alpha1"], q["alpha2"], q["grid"], q["ts_grid"],
                              q["quant_var"])
        out = {}
        for name, reg in regions.items():
            pareto, hull = reg["pareto"], reg["hull"]
            out[f"{name}_union"] = float(union_boundary(pareto[:, 0], pareto[:, 1], q["r1"]))
            out[f"{name}_hull"] = float(hull_boundary(hull, q["r1"]))
            for k in ("r1_max", "max_sum", "sym_union", "sym_hull"):
                out[f"{name}_{k}"] = reg[k]
        for prof in _PROFILES:
            s1, s2 = prof.split("_")
            r1, r2 = pure_rates(s1, s2, q["p1"], p2, q["alpha1"], q["alpha2"],
                                quant_var=q["quant_var"])
            out[f"{prof}_r1"], out[f"{prof}_r2"] = float(r1), float(r2)
        return out
