"""Loss of the fixed-point decoders against float32 at a target BLER, from a committed curve
(issue 17).

Reads ``results.csv`` of ``scenarios/decoder_fixed_point.toml`` (one BLER curve per
``precision``), takes each curve's Eb/N0 at the target by log-linear interpolation
(:func:`linksim.validate.gap_db`, the report's gap rule) and writes, per fixed-point precision,
the loss = Eb/N0(fixed) - Eb/N0(float32) with a 95 % parametric-bootstrap interval: every point
is an independent simulation of independent frames, so each replicate redraws every point's
frame errors as Binomial(frames, measured BLER) and recomputes both crossings. (The points
stopped at a fixed number of errors, so their frame counts are random; at 1000 errors the
binomial redraw at the realized count is accurate to well under the interval's width.)

Usage: python tools/fixed_point_loss.py [--dir results/decoder_fixed_point] [--target 1e-3 1e-4]
Writes loss.md and loss.json (keyed by target) under --dir.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np

from linksim.validate import gap_db, snr_at

REFERENCE = "float32"


def read_curves(path: Path) -> dict[str, dict[str, np.ndarray]]:
    """{precision: {"ebno_db", "frames", "frame_errors"}} from a results.csv, sorted by Eb/N0."""
    curves: dict[str, list] = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            curves.setdefault(row["precision"], []).append(
                (float(row["ebno_db"]), int(row["frames"]), int(row["frame_errors"])))
    out = {}
    for precision, rows in curves.items():
        rows.sort()
        ebno, frames, errors = map(np.array, zip(*rows))
        out[precision] = {"ebno_db": ebno, "frames": frames, "frame_errors": errors}
    return out


def losses(curves, target: float, replicates: int = 2000, seed: int = 0) -> dict[str, dict]:
    """Per fixed-point precision: {"loss_db", "ci_lo", "ci_hi", "ebno_at_target_db",
    "replicates_used"}; the float32 curve's Eb/N0 at the target under "float32".

    Replicates in which a redrawn curve no longer brackets the target (possible only for
    targets near a curve's end) are dropped and counted.
    """
    rng = np.random.default_rng(seed)
    ref = curves[REFERENCE]

    def bler(c, errors=None):
        return (c["frame_errors"] if errors is None else errors) / c["frames"]

    out = {REFERENCE: {"ebno_at_target_db": snr_at(ref["ebno_db"], bler(ref), target)}}
    for precision, curve in curves.items():
        if precision == REFERENCE:
            continue
        loss = gap_db(curve["ebno_db"], bler(curve), ref["ebno_db"], bler(ref), target)
        draws = []
        for _ in range(replicates):
            e_fix = rng.binomial(curve["frames"], bler(curve))
            e_ref = rng.binomial(ref["frames"], bler(ref))
            try:
                draws.append(gap_db(curve["ebno_db"], bler(curve, e_fix), ref["ebno_db"],
                                    bler(ref, e_ref), target))
            except ValueError:
                continue
        lo, hi = np.percentile(draws, [2.5, 97.5])
        out[precision] = {"loss_db": float(loss), "ci_lo": float(lo), "ci_hi": float(hi),
                          "ebno_at_target_db": snr_at(curve["ebno_db"], bler(curve), target),
                          "replicates_used": len(draws)}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="results/decoder_fixed_point")
    ap.add_argument("--target", type=float, nargs="+", default=[1e-3, 1e-4],
                    help="target BLERs (default 1e-3 1e-4)")
    ap.add_argument("--replicates", type=int, default=2000)
    args = ap.parse_args(argv)
    folder = Path(args.dir)
    try:
        curves = read_curves(folder / "results.csv")
        if REFERENCE not in curves:
            raise ValueError(f"no {REFERENCE} curve")
    except (OSError, KeyError, ValueError) as err:
        raise SystemExit(f"--dir: cannot read the curves of {folder / 'results.csv'} ({err!r}); "
                         f"allowed: the output of scenarios/decoder_fixed_point.toml (a "
                         f"precision column with a {REFERENCE} curve)") from None
    results = {f"{t:g}": losses(curves, t, args.replicates) for t in args.target}
    (folder / "loss.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = ["# Fixed-point decoder loss against float32", "",
             "README code (5G NR LDPC k = 512, n = 1024, QPSK, AWGN), layered NMS (alpha 0.75), "
             "20 iterations, early stop; `scenarios/decoder_fixed_point.toml`, computed by "
             "`tools/fixed_point_loss.py` (log-linear interpolation; 95 % parametric bootstrap "
             f"over every point's frame errors, {args.replicates} replicates).", "",
             "| target BLER | float32 Eb/N0 (dB) | precision | Eb/N0 (dB) | loss (dB) | "
             "95 % interval (dB) |", "|---|---|---|---|---|---|"]
    for target, result in results.items():
        for precision, r in result.items():
            if precision == REFERENCE:
                continue
            lines.append(f"| {target} | {result[REFERENCE]['ebno_at_target_db']:.3f} | "
                         f"{precision} | {r['ebno_at_target_db']:.3f} | {r['loss_db']:+.3f} | "
                         f"[{r['ci_lo']:+.3f}, {r['ci_hi']:+.3f}] |")
    (folder / "loss.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
