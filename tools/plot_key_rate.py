"""Measured net key rates against the power P, (BW, BW) and (FW, FW), beside their predictions,
from the results of ``scenarios/key_agreement_rate.toml`` and ``key_agreement_fw_rate.toml``.

    python tools/plot_key_rate.py [BW_RESULTS] [FW_RESULTS] [--out DIR]

Reads each directory's ``results.csv`` (defaults ``results/key_agreement_rate`` and
``results/key_agreement_fw_rate``) and writes ``key_rate_vs_power.{png,pdf}`` into ``--out``
(default the FW directory's ``figures/``): per series (quantizer bits or QAM), the measured net
key rate with its 99 % interval, the protocol's own prediction (the leftover-hash length from
the Shannon estimate, dashed), the alphabet's ideal-coding rate (quantized or modulated key
rate, dotted), and Corollary 1's ideal rates of (BW, BW) and (FW, FW) (grey).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path


def _value(row: dict, name: str) -> float:
    cell = row.get(name, "")
    return float(cell) if cell not in ("", None) else float("nan")


def _rows(folder: Path, series: str, alphabet_rate: str):
    path = folder / "results.csv"
    if not path.is_file():
        raise SystemExit(f"results: got {str(folder)!r}; allowed: a results directory with "
                         f"results.csv (run its scenario first)")
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    needed = ("p1", series, "derived_net_key_rate", f"derived_{alphabet_rate}")
    if not rows or any(name not in rows[0] for name in needed):
        raise SystemExit(f"results: got {str(path)!r} without {', '.join(needed)}; allowed: "
                         f"key_agreement results swept over p1 and {series}")
    return sorted(rows, key=lambda r: _value(r, "p1"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bw", nargs="?", default="results/key_agreement_rate")
    parser.add_argument("fw", nargs="?", default="results/key_agreement_fw_rate")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    try:
        groups = (("BW", _rows(Path(args.bw), "quant_bits", "quantized_key_rate"), "quant_bits",
                   "quantized_key_rate", "b = {}"),
                  ("FW", _rows(Path(args.fw), "modulation", "modulated_key_rate"), "modulation",
                   "modulated_key_rate", "{}"))
    except SystemExit as err:
        print(err, file=sys.stderr)
        return 2
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(11, 5))
    colour = iter(f"C{i}" for i in range(10))
    for strategy, rows, series, alphabet_rate, fmt in groups:
        p_all = sorted({_value(r, "p1") for r in rows})
        ideal = {_value(r, "p1"): _value(r, "derived_ideal_key_rate") for r in rows}
        ax.plot(p_all, [ideal[p] for p in p_all], color="grey",
                ls="-" if strategy == "BW" else "-.", label=f"({strategy}, {strategy}) ideal, "
                                                            f"Corollary 1")
        for value in dict.fromkeys(r[series] for r in rows):
            sub = [r for r in rows if r[series] == value]
            p = [_value(r, "p1") for r in sub]
            rate = [_value(r, "derived_net_key_rate") for r in sub]
            lo = [_value(r, "derived_net_key_rate_lo") for r in sub]
            hi = [_value(r, "derived_net_key_rate_hi") for r in sub]
            c = next(colour)
            name = f"{strategy} " + fmt.format(value)
            ax.errorbar(p, rate, yerr=[[a - b for a, b in zip(rate, lo)],
                                       [b - a for a, b in zip(rate, hi)]],
                        color=c, marker="o", capsize=3, label=f"{name}: measured (99 % CI)")
            ax.plot(p, [_value(r, "derived_protocol_key_rate") for r in sub], color=c, ls="--",
                    label=f"{name}: protocol prediction")
            ax.plot(p, [_value(r, f"derived_{alphabet_rate}") for r in sub], color=c, ls=":",
                    label=f"{name}: ideal coding of the alphabet")
    ax.set_xscale("log")
    ax.set_xlabel("P = P_1 = P_2 (linear, unit noise)")
    ax.set_ylabel("key rate (bit per real channel use)")
    ax.set_title("Seed 001: bit-true key rates at alpha = 0.2, n = 2048, beta = 0.9")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    out = Path(args.out) if args.out else Path(args.fw) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    for ext in ("png", "pdf"):
        fig.savefig(out / f"key_rate_vs_power.{ext}", dpi=130, bbox_inches="tight")
    print(f"wrote {out / 'key_rate_vs_power.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
