"""linksim.series: how sweep points split into curves, and the figures that use it."""

import numpy as np
import pytest
from matplotlib.container import ErrorbarContainer

from linksim.report.figures import plot_metric
from linksim.scenario import load_scenario
from linksim.series import series_axes, split
from linksim.sim.metrics import compute_metrics
from linksim.validate import curve_gaps


def rows_of(scenario: dict, points_axes: list[dict], bler_of) -> list[dict]:
    """Report rows with a BLER that falls with Eb/N0 (``bler_of(axes)``) and a prediction
    slightly below it, as the runner would produce them."""
    rows = []
    for i, axes in enumerate(points_axes):
        p = bler_of(axes)
        frames = 20000
        errors = int(round(p * frames))
        counts = {"frames": frames, "frame_errors": errors, "bits": frames * 64,
                  "bit_errors": errors * 10, "bit_errors_sq": errors * 100}
        rows.append({"point": i, "axes": axes, "params": axes, "counts": counts,
                     **{k: counts[k] for k in ("frames", "frame_errors", "bits", "bit_errors")},
                     "metrics": compute_metrics(counts, scenario["metrics"]),
                     "predictions": {"normal_approximation": {
                         "value": 0.8 * p, "kind": "estimate", "metric": "bler"}}})
    return rows


def test_ldpc_fbl_gap_splits_into_its_two_codes(scenarios_dir):
    """D2's regression: the zip sweep of two code sizes over overlapping Eb/N0 draws two curves
    (and two theory curves), each monotone in Eb/N0, labelled by both k and n, without the
    scenario naming ``series``."""
    sc = load_scenario(scenarios_dir / "ldpc_fbl_gap.toml")
    scenario = sc.to_dict()
    assert "series" not in scenario
    rows = rows_of(scenario, sc.point_axes(),
                   lambda a: 10 ** (-(a["ebno_db"] - 0.5) * (1.0 if a["k"] == 128 else 2.0)) / 2)
    assert series_axes(scenario, rows, "ebno_db") == ["k", "n"]
    fig = plot_metric(rows, "bler", "ebno_db", scenario)
    ax = fig.axes[0]
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 2
    for bar in bars:
        xs = bar.lines[0].get_xdata()
        assert len(xs) == 5 and np.all(np.diff(xs) > 0)
    theory = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(theory) == 2 and all(np.all(np.diff(ln.get_xdata()) > 0) for ln in theory)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "k=128, n=256" in legend and "k=512, n=1024" in legend
    # The gaps to theory follow the same curves: one series per code.
    gaps = curve_gaps(scenario, rows)
    assert {tuple(g["series"].items()) for g in gaps} == {(("k", 128), ("n", 256)),
                                                         (("k", 512), ("n", 1024))}


@pytest.mark.parametrize("mode, axes, x, expected", [
    # cartesian: every other axis
    ("cartesian", {"ebno_db": [1, 2, 1, 2], "k": [1, 1, 2, 2]}, "ebno_db", ["k"]),
    # zip of operating points that move with x: one curve
    ("zip", {"z": [-3, -5, -7], "d_k": [40, 23, 11]}, "z", []),
    # zip whose x repeats: the fewest-valued axis that separates the curves
    ("zip", {"start": [10, 34, 10, 27], "d_m": [16, 16, 24, 24], "p": [9.5, 7, 9.5, 8]},
     "start", ["d_m"]),
    # a held parameter (every value recurs) splits even where x does not repeat
    ("zip", {"ebno_db": [1, 2, 3, 4], "k": [64, 64, 128, 128]}, "ebno_db", ["k"]),
])
def test_default_series_rule(mode, axes, x, expected):
    n = len(next(iter(axes.values())))
    rows = [{"point": i, "axes": {a: v[i] for a, v in axes.items()}} for i in range(n)]
    scenario = {"mode": mode, "axes": axes}
    assert series_axes(scenario, rows, x) == expected
    curves = split(rows, expected)
    for members in curves.values():        # no curve holds two points at one x
        xs = [r["axes"][x] for r in members]
        assert len(xs) == len(set(xs))


def test_named_series_win():
    rows = [{"point": i, "axes": {"x": i % 2, "a": i // 2, "b": i}} for i in range(4)]
    assert series_axes({"mode": "zip", "axes": {}, "series": ["b"]}, rows, "x") == ["b"]
