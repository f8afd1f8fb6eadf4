"""R_d and eps_LF against z_Eve (Fig. 5 sweep, P_Sigma = 3 mW, n = 64) for the paper's NA design
run bit-true, the code-aware design predicted, and the code-aware design run bit-true (issue 15).

    python tools/plot_pld_code_design.py [--out DIR]

Reads ``results/pld_bittrue`` (the NA designs), ``results/pld_code_design`` (code-aware
predictions) and ``results/pld_code_design_bittrue`` (the code-aware designs bit-true), each
directory's ``results.csv``, and writes ``fig5_code_aware.{png,pdf}`` into ``--out`` (default
``results/pld_code_design_bittrue/figures``). Bit-true points carry their 99 % Clopper-Pearson
intervals; the paper's own NA promise for its design is drawn grey.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rows(name: str) -> list[dict]:
    path = ROOT / "results" / name / "results.csv"
    if not path.is_file():
        raise SystemExit(f"results: {str(path)!r} is missing; allowed: run "
                         f"scenarios/{name}.toml first")
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def _f(row, key):
    cell = row.get(key, "")
    return float(cell) if cell not in ("", None) else float("nan")


def _fig5(rows, *, p_total=3.0, n=None, extra=None):
    out = [r for r in rows if _f(r, "p_total") == p_total
           and (n is None or int(float(r.get("n", n) or n)) == n)]
    if extra is not None:
        out = [r for r in out if extra(r)]
    return sorted(out, key=lambda r: _f(r, "z_eve_db"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path,
                        default=ROOT / "results/pld_code_design_bittrue/figures")
    args = parser.parse_args(argv)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    na = _fig5(_rows("pld_bittrue"), extra=lambda r: r.get("channel") == "static"
               and r.get("crc_m") == "CRC11" and r.get("code_m") == "ldpc5g")
    predicted = _fig5(_rows("pld_code_design"))
    bittrue = _fig5(_rows("pld_code_design_bittrue"), n=64)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, metric, label in ((axes[0], "r_d", "R_d"), (axes[1], "eps_lf", "eps_LF")):
        x = [_f(r, "z_eve_db") for r in na]
        ax.plot(x, [_f(r, f"pred_na_{metric}") for r in na], color="0.6", ls=":",
                label="paper's NA design, NA promise")
        for rows, color, text in ((na, "C3", "paper's NA design, bit-true"),
                                  (bittrue, "C0", "code-aware design, bit-true")):
            xs = [_f(r, "z_eve_db") for r in rows]
            ys = [_f(r, metric) for r in rows]
            lo = [y - _f(r, f"{metric}_ci_lo") for r, y in zip(rows, ys)]
            hi = [_f(r, f"{metric}_ci_hi") - y for r, y in zip(rows, ys)]
            ax.errorbar(xs, ys, yerr=[lo, hi], color=color, marker="o", ms=4, capsize=3,
                        label=text)
        ax.plot([_f(r, "z_eve_db") for r in predicted], [_f(r, metric) for r in predicted],
                color="C0", ls="--", marker="x", label="code-aware design, predicted")
        ax.set_xlabel("z_Eve (dB)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        if metric == "eps_lf":
            ax.set_yscale("log")
    axes[0].legend(fontsize=8, loc="lower center")
    fig.suptitle("PLD with real codes: P_Sigma = 3 mW, n = 64 (CRC + 5G LDPC, QPSK), "
                 "99 % intervals", fontsize=10)
    fig.tight_layout()
    args.out.mkdir(parents=True, exist_ok=True)
    for ext in ("png", "pdf"):
        fig.savefig(args.out / f"fig5_code_aware.{ext}", dpi=130)
    print(f"wrote {args.out / 'fig5_code_aware.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
