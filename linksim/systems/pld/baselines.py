"""The two conventional-PLS baselines of the PLD paper (seed 003, Sec. V-D; 003.md §5.2, §7).

Both baselines send no key (d_K = 0, P_K = 0) and only minimize the leakage-failure
probability eps_LF = 1 - (1 - eps_{Bob,M}) eps_{Eve,M} (003.md §4.3, §5.2):

* ``baseline_power`` ("w.r.t. P_M"): the best P_M in [0, P_total] at d_M and n fixed.
* ``baseline_rate`` ("w.r.t. rate"), in two readings (003.md §5.2, §7):
  ``"blocklength"`` at full power, d_M fixed, the best integer blocklength n' in [1, n]; this
  reproduces the paper's Table III (n' = 13/15/17). ``"text"`` as the paper's text describes
  it: n fixed, full power, the best d_M' in [d_M, n]; it does *not* reproduce the table.

The PLD problem P0 itself and its solvers are in :mod:`linksim.systems.pld.p0`, which also uses
this module's parameter check ``_check``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

from linksim.systems.pld.analysis import baseline_lfp

__all__ = ["Baseline", "baseline_power", "baseline_rate"]


@dataclass(frozen=True)
class Baseline:
    """The minimal eps_LF of a baseline and where it is reached (``p_m``, ``n``, ``d_m``)."""

    eps_lf: float
    p_m: float
    n: int
    d_m: int


def _check(p_total, z_bob, z_eve, d_m, n, noise):
    for name, value in (("p_total", p_total), ("z_bob", z_bob), ("z_eve", z_eve),
                        ("noise", noise)):
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name}: got {value!r}; allowed: a finite number > 0")
    for name, value in (("d_m", d_m), ("n", n)):
        if isinstance(value, bool) or int(value) != value or value < 1:
            raise ValueError(f"{name}: got {value!r}; allowed: an integer >= 1")


def baseline_power(p_total, z_bob, z_eve, d_m=16, n=64, noise=1.0) -> Baseline:
    """Baseline 1: min over P_M in [0, P_total] of eps_LF (grid of 4001 points, then a bounded
    Brent refinement around the best grid point)."""
    _check(p_total, z_bob, z_eve, d_m, n, noise)
    grid = np.linspace(0.0, p_total, 4001)
    lfp = baseline_lfp(grid, d_m, z_bob, z_eve, noise, n)
    i = int(np.argmin(lfp))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    best_p, best = grid[i], float(lfp[i])
    if hi > lo:
        res = minimize_scalar(lambda p: float(baseline_lfp(p, d_m, z_bob, z_eve, noise, n)),
                              bounds=(lo, hi), method="bounded", options={"xatol": 1e-9})
        if res.fun < best:
            best_p, best = float(res.x), float(res.fun)
    return Baseline(eps_lf=best, p_m=float(best_p), n=int(n), d_m=int(d_m))


def baseline_rate(p_total, z_bob, z_eve, d_m=16, n=64, noise=1.0,
                  reading="blocklength") -> Baseline:
    """Baseline 2 at full power P_M = P_total (module docstring for the two readings)."""
    _check(p_total, z_bob, z_eve, d_m, n, noise)
    if reading == "blocklength":
        candidates = [(float(baseline_lfp(p_total, d_m, z_bob, z_eve, noise, m)), m, d_m)
                      for m in range(1, int(n) + 1)]
    elif reading == "text":
        candidates = [(float(baseline_lfp(p_total, d, z_bob, z_eve, noise, n)), n, d)
                      for d in range(int(d_m), int(n) + 1)]
    else:
        raise ValueError(f"reading: got {reading!r}; allowed: 'blocklength' or 'text'")
    eps_lf, n_best, d_best = min(candidates)
    return Baseline(eps_lf=eps_lf, p_m=float(p_total), n=int(n_best), d_m=int(d_best))
