"""The phase transition of strong secrecy at R' = I_E (notes 000 §5.4 E2), from a results
directory of the ``ic_binning`` system swept over ``n`` and ``dummy_rate``
(``scenarios/ic_binning_phase.toml``).

    python tools/plot_ic_binning.py [RESULTS_DIR] [--marginal MARGINAL_DIR]

Reads ``RESULTS_DIR/results.csv`` (default ``results/ic_binning_phase``) and writes
``figures/phase_transition.{png,pdf}`` there: left, the total leakage ``I(W; Y^n)`` against n,
one colour per R', with its 99 % interval over codebooks (error bars, mostly smaller than the
markers), the asymptotic resolvability prediction ``n [min(R + R', I_E) - min(R', I_E)]`` at
the effective rates (dashed; not a bound) and the rigorous finite-n bounds on the
codebook-averaged leakage (dash-dot: ``min(log2 M, SC(M'))``; dotted where positive:
``n I_E - SC(M M') - min(log2 M', n I_E)``, SC the soft-covering bound); right, the same per
channel use, with ``[I_E - R']^+`` thin dotted. With ``--marginal`` (default
``results/ic_binning_marginal`` when it exists), the marginal eavesdropper's leakage is drawn
as open squares beside the genie's.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _value(row: dict, name: str) -> float:
    cell = row.get(name, "")
    return float(cell) if cell not in ("", None) else float("nan")


def _series(rows: list[dict]) -> dict[float, list[dict]]:
    out: dict[float, list[dict]] = {}
    for row in rows:
        out.setdefault(_value(row, "dummy_rate"), []).append(row)
    return {k: sorted(v, key=lambda r: _value(r, "n")) for k, v in sorted(out.items())}


def _check(folder: Path) -> list[dict] | None:
    csv_path = folder / "results.csv"
    if not csv_path.is_file():
        return None
    rows = _rows(csv_path)
    need = ("n", "dummy_rate", "derived_leakage", "derived_prediction_asymptotic")
    if not rows or any(name not in rows[0] for name in need):
        return None
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", default="results/ic_binning_phase")
    parser.add_argument("--marginal", default=None,
                        help="results of the marginal eavesdropper (default "
                             "results/ic_binning_marginal when it exists)")
    args = parser.parse_args(argv)
    folder = Path(args.results)
    rows = _check(folder)
    if rows is None:
        print(f"results: got {str(folder)!r}; allowed: a results directory of the ic_binning "
              f"system swept over n and dummy_rate, with results.csv (run "
              f"scenarios/ic_binning_phase.toml first)", file=sys.stderr)
        return 2
    marginal_dir = Path(args.marginal) if args.marginal else Path("results/ic_binning_marginal")
    marginal = _check(marginal_dir)
    if args.marginal and marginal is None:
        print(f"--marginal: got {args.marginal!r}; allowed: a results directory of the "
              f"ic_binning system with eve = 'marginal'", file=sys.stderr)
        return 2
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    fig, (total, per_use) = plt.subplots(1, 2, figsize=(11, 4.6))
    i_e = _value(rows[0], "derived_i_e")
    rate = f"R = {_value(rows[0], 'rate'):g}, " if "rate" in rows[0] else ""

    def draw(ax, series, per, **style):
        n = [_value(r, "n") for r in series]
        scale = [1 / x if per else 1.0 for x in n]
        v = [_value(r, "derived_leakage") * s for r, s in zip(series, scale)]
        lo = [_value(r, "derived_leakage_lo") * s for r, s in zip(series, scale)]
        hi = [_value(r, "derived_leakage_hi") * s for r, s in zip(series, scale)]
        ax.errorbar(n, v, yerr=[[a - b for a, b in zip(v, lo)], [b - a for a, b in zip(v, hi)]],
                    capsize=3, **style)
        return n, scale

    handles = []
    for k, (dummy, series) in enumerate(_series(rows).items()):
        c = colours[k % len(colours)]
        handles.append(Line2D([], [], color=c, lw=6, alpha=0.6, label=f"R' = {dummy:g}"))
        for ax, per in ((total, False), (per_use, True)):
            n, scale = draw(ax, series, per, marker="o", ms=4, color=c, lw=1.2)
            pred = [_value(r, "derived_prediction_asymptotic") * s
                    for r, s in zip(series, scale)]
            ax.plot(n, pred, color=c, lw=1, ls="--")
            up = [_value(r, "derived_upper_bound") * s for r, s in zip(series, scale)]
            ax.plot(n, up, color=c, lw=0.9, ls="-.")
            low = [_value(r, "derived_lower_bound") * s for r, s in zip(series, scale)]
            if any(x > 0 for x in low):
                ax.plot(n, low, color=c, lw=0.9, ls=(0, (1, 2)))
            if marginal is not None and _series(marginal).get(dummy):
                draw(ax, _series(marginal)[dummy], per, marker="s", ms=6, mfc="none",
                     color=c, ls="none")
        per_use.axhline(max(i_e - dummy, 0.0), color=c, lw=0.6, ls=":", alpha=0.7)
    handles += [
        Line2D([], [], color="k", marker="o", ms=4, lw=1.2, label="genie Eve, measured (99 % CI)"),
        Line2D([], [], color="k", lw=1, ls="--", label="asymptotic prediction (not a bound)"),
        Line2D([], [], color="k", lw=0.9, ls="-.", label="upper bound min(log2 M, SC(M'))"),
        Line2D([], [], color="k", lw=0.9, ls=(0, (1, 2)),
               label="lower bound n I_E - SC(MM') - min(log2 M', n I_E)")]
    if marginal is not None:
        handles.append(Line2D([], [], color="k", marker="s", mfc="none", ls="none",
                              label="marginal Eve, measured (99 % CI)"))
    total.set_xlabel("blocklength $n$")
    total.set_ylabel(r"$I(W; Y_2^n)$ (bit)")
    total.set_title(f"total leakage, {rate}$I_E$ = {i_e:.4f} bit/use; bounds and prediction "
                    "at the effective rates", fontsize=9)
    total.set_ylim(bottom=0)
    per_use.set_xlabel("blocklength $n$")
    per_use.set_ylabel(r"$I(W; Y_2^n) / n$ (bit/use)")
    per_use.set_title(r"per channel use; thin dotted: $[I_E - R']^+$ at the nominal R'",
                      fontsize=9)
    per_use.set_ylim(bottom=0)
    total.legend(handles=handles, fontsize=7, loc="upper left")
    fig.tight_layout()
    out = folder / "figures"
    out.mkdir(exist_ok=True)
    for ext in ("png", "pdf"):
        fig.savefig(out / f"phase_transition.{ext}", dpi=120)
    print(f"wrote {out / 'phase_transition.png'} and .pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
