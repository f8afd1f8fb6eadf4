"""Stored linksim results as the arrays Sionna's ``PlotBER`` takes.

    from sionna.phy.utils import PlotBER          # Sionna 1.x: sionna.utils.PlotBER
    from linksim.interop.plotber import plotber_curves
    plot = PlotBER("5G LDPC, k = 512")
    for curve in plotber_curves("results/ldpc_awgn_qpsk"):
        plot.add(**curve)                           # ebno_db, ber, is_bler, legend

The curves come from the committed ``results.csv`` of a results directory (no store needed):
one curve per combination of the swept axes other than ``x`` (or of ``series``), points in
increasing ``x``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plotber_curves"]


def plotber_curves(results_dir, metric: str = "bler", x: str = "ebno_db",
                   series=None) -> list[dict]:
    """``[{"ebno_db": float64 [P], "ber": float64 [P], "is_bler": bool, "legend": str}]``.

    Parameters
    ----------
    results_dir : str or Path
        A directory written by ``linksim run`` (its ``results.csv``).
    metric : str
        A rate column of the CSV, e.g. "bler" or "ber"; ``is_bler`` is True for "bler".
    x : str
        The swept axis on the horizontal axis (Sionna calls it ``ebno_db`` whatever it is).
    series : sequence of str or None
        Axes that tell curves apart; None: every swept axis but ``x``.
    """
    from linksim.report.csv_io import read_csv
    from linksim.report.rows import BASE_COUNTS
    path = Path(results_dir) / "results.csv"
    if not path.is_file():
        raise ValueError(f"results_dir: got {str(results_dir)!r}, which has no results.csv; "
                         f"allowed: a directory written by `linksim run`")
    rows = read_csv(path)
    header = list(rows[0]) if rows else []
    # results.csv: point, the swept axes, then the base counts (linksim.report.csv_io).
    end = next((i for i, h in enumerate(header) if h in BASE_COUNTS), len(header))
    axes = header[1:end]
    for name, value in (("x", x), ("metric", metric)):
        if value not in header or (name == "x" and value not in axes):
            allowed = axes if name == "x" else [h for h in header[end:] if h in rows[0]]
            raise ValueError(f"{name}: got {value!r}; allowed: one of {', '.join(allowed)}")
    keys = [a for a in axes if a != x] if series is None else list(series)
    for key in keys:
        if key not in axes:
            raise ValueError(f"series: got {key!r}; allowed: swept axes {', '.join(axes)}")
    curves: dict[tuple, list[dict]] = {}
    for r in rows:
        curves.setdefault(tuple(r[k] for k in keys), []).append(r)
    out = []
    for values, members in curves.items():
        members = sorted((m for m in members if m[metric] is not None), key=lambda m: m[x])
        legend = ", ".join(f"{k}={v}" for k, v in zip(keys, values)) or metric
        out.append({"ebno_db": np.array([float(m[x]) for m in members]),
                    "ber": np.array([float(m[metric]) for m in members]),
                    "is_bler": metric == "bler", "legend": legend})
    return out
