"""The curious users' leakage against the blocklength, from a results directory of the
``ofdm_bc`` system swept over ``n_sym`` (``scenarios/ofdm_bc_leakage.toml``).

    python tools/plot_ofdm_bc_leakage.py [RESULTS_DIR]

Reads ``RESULTS_DIR/results.csv`` (default ``results/ofdm_bc_leakage``) and writes
``figures/leakage_vs_blocklength.{png,pdf}`` there: left, the LLR leakage per secret bit
``1 - E[log2(1 + exp(-x LLR))]`` (a lower bound on the bitwise mutual information) with its
99 % interval over frames; right, the curious users' secret-bit BER and BLER and the
legitimate BLERs with their intervals, all against the codeword length in OFDM symbols.
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="?", default="results/ofdm_bc_leakage")
    args = parser.parse_args(argv)
    folder = Path(args.results)
    csv_path = folder / "results.csv"
    if not csv_path.is_file():
        print(f"results: got {str(folder)!r}; allowed: a results directory with results.csv "
              f"(run scenarios/ofdm_bc_leakage.toml first)", file=sys.stderr)
        return 2
    rows = sorted(_rows(csv_path), key=lambda r: _value(r, "n_sym"))
    if not rows or "derived_eve_leakage_per_secret_bit" not in rows[0] \
            or "n_sym" not in rows[0]:
        print(f"results: got {str(csv_path)!r} without an n_sym axis or "
              f"derived_eve_leakage_per_secret_bit; allowed: the results of the ofdm_bc "
              f"system swept over n_sym", file=sys.stderr)
        return 2
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    n = [_value(r, "n_sym") for r in rows]
    leak = [_value(r, "derived_eve_leakage_per_secret_bit") for r in rows]
    lo = [_value(r, "derived_eve_leakage_per_secret_bit_lo") for r in rows]
    hi = [_value(r, "derived_eve_leakage_per_secret_bit_hi") for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.errorbar(n, leak, yerr=[[v - a for v, a in zip(leak, lo)],
                                 [b - v for v, b in zip(leak, hi)]],
                  marker="o", capsize=3, label="LLR leakage per secret bit (99 % CI)")
    left.axhline(0.0, color="grey", lw=0.8)
    left.set_xscale("log", base=2)
    left.set_xlabel("OFDM symbols per codeword $n_{sym}$")
    left.set_ylabel(r"$1 - E[\log_2(1 + e^{-x\,LLR})]$ (bit)")
    left.set_title("curious users, genie M0 removal")
    left.legend(fontsize=8)
    for name, label in (("eve_ber", "curious users' secret-bit BER"),
                        ("eve_bler", "curious users' BLER"),
                        ("conf_bler", "BLER of Mk at user k"),
                        ("common_bler", "BLER of M0")):
        v = [_value(r, name) for r in rows]
        a = [_value(r, f"{name}_ci_lo") for r in rows]
        b = [_value(r, f"{name}_ci_hi") for r in rows]
        right.errorbar(n, v, yerr=[[max(x - y, 0) for x, y in zip(v, a)],
                                   [max(y - x, 0) for x, y in zip(v, b)]],
                       marker="o", capsize=3, label=label)
    right.set_xscale("log", base=2)
    right.set_yscale("log")
    right.set_xlabel("OFDM symbols per codeword $n_{sym}$")
    right.set_ylabel("rate")
    right.legend(fontsize=8)
    fig.tight_layout()
    out = folder / "figures"
    out.mkdir(exist_ok=True)
    for ext in ("png", "pdf"):
        fig.savefig(out / f"leakage_vs_blocklength.{ext}", dpi=120)
    print(f"wrote {out / 'leakage_vs_blocklength.png'} and .pdf")
    return 0


if __name__ == "__main__":
    sys.exit(main())
