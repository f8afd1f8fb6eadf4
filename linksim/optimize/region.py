"""Two-user rate regions from a cloud of achievable points (notes 000 §3.1, 001 §3, Fig. 3).

A region is the set of rate pairs dominated by some achievable pair ``(R_1(theta), R_2(theta))``
over parameters ``theta`` (a grid, or a callable for refinement). Without time sharing it is
the union of the rectangles ``[0, R_1] x [0, R_2]``; with time sharing (the auxiliary U of
seed 000, Theorem 1 of seed 001) it is the convex hull of that union.

* :func:`union_boundary`: ``R_2^max(r) = max {R_2(theta) : R_1(theta) >= r}`` at any abscissae;
* :func:`hull_vertices` / :func:`hull_boundary`: the upper concave envelope of the union (its
  vertices are achievable points; between them, time sharing);
* :func:`support`: ``h(w) = max_theta w R_1 + (1 - w) R_2``, the support function: the max sum
  is ``2 h(1/2)``, and the symmetric rate on the hull is ``min_w h(w)`` (the largest ``t`` with
  ``(t, t)`` in a convex, downward-closed region: LP duality);
* :func:`evaluate_grid`: a rate function on a parameter grid, in chunks;
* :func:`refine`: a bounded local search (Nelder-Mead) from a grid optimum, since grid optima
  carry the grid's resolution error (notes 000 §3.2: about 2e-3 on a 41^4 grid).

Inputs are flat float arrays ``r1``, ``r2`` [N] of the same length (N >= 1).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

__all__ = ["pareto_points", "union_boundary", "hull_vertices", "hull_boundary", "support",
           "symmetric_on_hull", "refine", "evaluate_grid"]


def pareto_points(r1, r2) -> np.ndarray:
    """Indices of the Pareto-optimal points (no other point is >= in both and > in one),
    ordered by increasing R_1 (so decreasing R_2).

    Output
    ------
    idx : int64 [m]
    """
    r1, r2 = np.asarray(r1, float).ravel(), np.asarray(r2, float).ravel()
    order = np.lexsort((-r2, -r1))                 # R_1 descending, ties: R_2 descending
    best = np.maximum.accumulate(r2[order])
    keep = np.empty(order.size, bool)
    keep[0] = True
    keep[1:] = r2[order[1:]] > best[:-1]           # strictly above everything to its right
    return order[keep][::-1]


def union_boundary(r1, r2, at) -> np.ndarray:
    """``R_2^max(r) = max {R_2 : R_1 >= r}`` at the abscissae ``at`` (0 past the largest R_1).

    Output
    ------
    float64, the shape of ``at``
    """
    r1, r2 = np.asarray(r1, float).ravel(), np.asarray(r2, float).ravel()
    idx = pareto_points(r1, r2)
    x, y = r1[idx], r2[idx]                         # increasing x, decreasing y
    at = np.asarray(at, float)
    pos = np.searchsorted(x, at, side="left")       # first Pareto point with R_1 >= r
    out = np.where(pos < x.size, y[np.minimum(pos, x.size - 1)], 0.0)
    return np.where(at < 0, y[0], out)


def hull_vertices(r1, r2) -> np.ndarray:
    """The vertices ``[m, 2]`` of the upper concave envelope of the union region, from
    ``(0, max R_2)`` to the point of largest R_1 (below which the region drops vertically to
    the axis), increasing in R_1 (Andrew's monotone chain on the Pareto points). Every vertex
    but the first is an achievable point of the cloud."""
    r1, r2 = np.asarray(r1, float).ravel(), np.asarray(r2, float).ravel()
    idx = pareto_points(r1, r2)
    pts = np.column_stack([r1[idx], r2[idx]])
    pts = np.vstack([[0.0, pts[0, 1]], pts, [pts[-1, 0], 0.0]])
    chain = []
    for p in pts:
        while len(chain) >= 2:
            (ax, ay), (bx, by) = chain[-2], chain[-1]
            # drop b if it is on or below the segment a -> p (keeps the chain concave)
            if (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) >= 0:
                chain.pop()
            else:
                break
        chain.append((float(p[0]), float(p[1])))
    out = np.array(chain)
    if len(out) > 2 and out[-1, 0] == out[-2, 0]:
        out = out[:-1]                 # the drop to the axis below the largest R_1 is vertical
    return out


def hull_boundary(vertices, at) -> np.ndarray:
    """The hull's ``R_2^max(r)`` at ``at`` (linear between vertices, 0 past the last)."""
    v = np.asarray(vertices, float)
    at = np.asarray(at, float)
    return np.where(at > v[-1, 0], 0.0, np.interp(at, v[:, 0], v[:, 1]))


def support(r1, r2, w: float) -> tuple[float, int]:
    """``h(w) = max_i w R_1[i] + (1 - w) R_2[i]`` and the index reaching it."""
    values = w * np.asarray(r1, float).ravel() + (1 - w) * np.asarray(r2, float).ravel()
    i = int(np.argmax(values))
    return float(values[i]), i


def symmetric_on_hull(vertices) -> float:
    """The largest ``t`` with ``(t, t)`` on or under the hull: where the diagonal crosses it."""
    v = np.asarray(vertices, float)
    d = v[:, 1] - v[:, 0]                           # decreasing along the chain
    k = int(np.searchsorted(-d, 0.0))               # first vertex with R_2 - R_1 <= 0
    if k == 0:
        return float(v[0, 0])
    if k >= len(v):                                 # crosses the vertical drop at the end
        return float(v[-1, 0])
    x0, x1 = v[k - 1, 0], v[k, 0]
    s = d[k - 1] / (d[k - 1] - d[k])
    return float(x0 + s * (x1 - x0))


def refine(objective, x0, bounds, xatol: float = 1e-9, fatol: float = 1e-12) -> tuple:
    """Maximize ``objective(theta) -> float`` locally from ``x0`` within box ``bounds``
    (Nelder-Mead with bounds; the objectives here, min(R_1, R_2) or a weighted sum of clipped
    rates, are not smooth everywhere). Never returns worse than ``x0``.

    Returns
    -------
    (value, theta) : float, float64 [d]
    """
    x0 = np.asarray(x0, float)
    f0 = float(objective(x0))
    res = optimize.minimize(lambda t: -float(objective(t)), x0, method="Nelder-Mead",
                            bounds=bounds,
                            options={"xatol": xatol, "fatol": fatol, "maxiter": 4000})
    if np.isfinite(res.fun) and -res.fun > f0:
        return float(-res.fun), np.clip(res.x, [b[0] for b in bounds], [b[1] for b in bounds])
    return f0, x0


def evaluate_grid(rates, axes, chunk_sets: int = 1 << 18) -> tuple:
    """``rates(*theta) -> tuple of arrays`` on the cartesian product of ``axes`` (a list of 1-D
    arrays), chunked along the first axis so that at most about ``chunk_sets`` parameter sets
    are in memory at once.

    Returns
    -------
    tuple of float64 [prod(len(axis))], in C order of the axes (``np.unravel_index`` of an
    index over ``[len(a) for a in axes]`` gives its parameters)
    """
    axes = [np.asarray(a, float) for a in axes]
    inner = int(np.prod([a.size for a in axes[1:]])) if len(axes) > 1 else 1
    step = max(1, chunk_sets // max(inner, 1))
    parts = []
    for start in range(0, axes[0].size, step):
        first = axes[0][start:start + step]
        mesh = np.meshgrid(first, *axes[1:], indexing="ij", sparse=True)
        got = rates(*mesh)
        shape = (first.size, *[a.size for a in axes[1:]])
        parts.append([np.broadcast_to(np.asarray(g, float), shape).ravel() for g in got])
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(len(parts[0])))
