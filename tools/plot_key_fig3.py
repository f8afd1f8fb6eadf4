"""Seed 001's Fig. 3 in the (R_1, R_2) plane, from the results of ``scenarios/key_fig3.toml``.

    python tools/plot_key_fig3.py [RESULTS_DIR]

Reads ``RESULTS_DIR/results.csv`` (default ``results/key_fig3``) and writes
``figures/fig3_regions.{png,pdf}`` there: the boundaries R_2^max(R_1) of the AN split with the
public channel (Corollary 3), without it (seed 000's Proposition 2) and time sharing
(Corollary 2), each on the convex hull (solid) and as the union without time sharing
(dotted), and the four pure strategies at full power (Corollary 1) as marked points.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

CURVES = (("an", "AN + public channel (Cor. 3)"), ("nopub", "AN, no public channel"),
          ("ts", "time sharing (Cor. 2)"))
POINTS = (("fw_fw", "(FW,FW)", "v"), ("fw_bw", "(FW,BW)", ">"), ("bw_fw", "(BW,FW)", "<"),
          ("bw_bw", "(BW,BW)", "*"))


def _value(row: dict, name: str) -> float:
    cell = row.get(name, "")
    return float(cell) if cell not in ("", None) else float("nan")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", default="results/key_fig3")
    args = parser.parse_args(argv)
    folder = Path(args.results)
    csv_path = folder / "results.csv"
    if not csv_path.is_file():
        print(f"results: got {str(folder)!r}; allowed: a results directory with results.csv "
              f"(run scenarios/key_fig3.toml first)", file=sys.stderr)
        return 2
    with open(csv_path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    needed = ["r1"] + [f"{c}_{k}" for c, _ in CURVES for k in ("hull", "union")]
    if not rows or any(n not in rows[0] for n in needed):
        print(f"results: got {str(csv_path)!r} without {', '.join(needed)}; allowed: the "
              f"results of the key_region system swept over r1", file=sys.stderr)
        return 2
    rows.sort(key=lambda r: _value(r, "r1"))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 6))
    r1 = [_value(r, "r1") for r in rows]
    for (name, label), color in zip(CURVES, ("C0", "C1", "C2")):
        ax.plot(r1, [_value(r, f"{name}_hull") for r in rows], color=color, label=label)
        ax.plot(r1, [_value(r, f"{name}_union") for r in rows], color=color, ls=":")
    for name, label, marker in POINTS:
        ax.plot(_value(rows[0], f"{name}_r1"), _value(rows[0], f"{name}_r2"), marker=marker,
                ms=10, color="k", ls="none", label=label)
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 3)
    ax.set_xlabel("$R_1$ (bit/use)")
    ax.set_ylabel("$R_2$ (bit/use)")
    ax.set_title(f"key rates, $P$ = {_value(rows[0], 'p1'):g}, "
                 f"$\\alpha$ = ({_value(rows[0], 'alpha1'):g}, {_value(rows[0], 'alpha2'):g})"
                 "\nsolid: convex hull; dotted: union")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    out = folder / "figures"
    out.mkdir(exist_ok=True)
    for ext in ("png", "pdf"):
        fig.savefig(out / f"fig3_regions.{ext}", dpi=150, bbox_inches="tight")
    print(f"wrote {out / 'fig3_regions.png'} and .pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
