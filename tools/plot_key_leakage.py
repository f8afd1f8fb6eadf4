"""The eavesdropper's exact key leakage against the key length, from the results of
``scenarios/key_agreement_length.toml``.

    python tools/plot_key_leakage.py [RESULTS_DIR]

Reads ``RESULTS_DIR/results.csv`` (default ``results/key_agreement_length``) and writes
``figures/leakage_vs_key_length.{png,pdf}`` there: left, the leakage ``ell - H(K | E)`` with its
99 % interval over blocks, the line ``ell`` (everything leaked) and the two key-length limits
(the leftover hash lemma's, from the average min-entropy, and the Shannon estimate); right,
the key's statistical distance from uniform with its interval beside the lemma's bound.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path


def _value(row: dict, name: str) -> float:
    cell = row.get(name, "")
    return float(cell) if cell not in ("", None) else float("nan")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", default="results/key_agreement_length")
    args = parser.parse_args(argv)
    folder = Path(args.results)
    csv_path = folder / "results.csv"
    if not csv_path.is_file():
        print(f"results: got {str(folder)!r}; allowed: a results directory with results.csv "
              f"(run scenarios/key_agreement_length.toml first)", file=sys.stderr)
        return 2
    with open(csv_path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or "derived_leakage" not in rows[0] or "key_length" not in rows[0]:
        print(f"results: got {str(csv_path)!r} without key_length or derived_leakage; "
              f"allowed: the results of key_agreement with exact_leakage swept over key_length",
              file=sys.stderr)
        return 2
    rows.sort(key=lambda r: _value(r, "key_length"))
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    ell = [_value(r, "key_length") for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, key, label in ((left, "leakage", r"leakage $\ell - H(K\,|\,E)$ (bit)"),
                           (right, "distance", "distance from uniform")):
        v = [_value(r, f"derived_{key}") for r in rows]
        lo = [_value(r, f"derived_{key}_lo") for r in rows]
        hi = [_value(r, f"derived_{key}_hi") for r in rows]
        ax.errorbar(ell, v, yerr=[[a - b for a, b in zip(v, lo)], [b - a for a, b in zip(v, hi)]],
                    marker="o", capsize=3, label="measured, exact (99 % CI)")
        ax.set_xlabel(r"key length $\ell$ (bit)")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    left.plot(ell, ell, color="grey", ls=":", label=r"$\ell$ (all leaked)")
    right.plot(ell, [_value(r, "derived_distance_bound") for r in rows], color="C3", ls="--",
               label="leftover hash lemma bound")
    for ax in (left, right):
        ax.axvline(_value(rows[0], "derived_key_limit"), color="C3", lw=0.8,
                   label=r"rigorous limit $H_{\min}(E) - $ public")
        ax.axvline(_value(rows[0], "derived_shannon_key_limit"), color="C2", lw=0.8,
                   label=r"Shannon estimate $H(E) - $ public")
        ax.legend(fontsize=8)
    forward = "derived_modulated_key_rate" in rows[0]
    fig.suptitle(f"{'(FW, FW)' if forward else '(BW, BW)'} key, {folder.name}: the "
                 f"eavesdropper's exact leakage (every block enumerated)", fontsize=10)
    out = folder / "figures"
    out.mkdir(exist_ok=True)
    for ext in ("png", "pdf"):
        fig.savefig(out / f"leakage_vs_key_length.{ext}", dpi=150, bbox_inches="tight")
    print(f"wrote {out / 'leakage_vs_key_length.png'} and .pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
