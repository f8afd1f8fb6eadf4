"""Coverage of the BER interval, measured by replication (issue 9).

For each case, ``--runs`` independent runs of one sweep point (each its own seed stream:
``point_index = run``) are simulated with the point's stopping rule, and each run's 95 %
interval is checked against the true BER. The truth is the leave-one-out pooled BER of the
other runs (independent of the run it judges; its own standard error is ~1/sqrt(runs - 1) of a
run's). Reported per method: the coverage, its binomial standard error sqrt(c(1 - c)/runs), and
the median interval width; plus the design effect (cluster variance over binomial variance)
and the batch-to-batch check of it.

Usage: python tools/ber_interval_coverage.py [--runs 200] [--out results/ber_interval_coverage]
Writes coverage.json and coverage.md under --out.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from linksim.sim import StopRule, run_point
from linksim.sim.stats import clopper_pearson, clustered_interval, clustered_variance
from linksim.systems import simulate_batch

CASES = {
    "ldpc_waterfall": {
        "what": "coded_link: 5G LDPC k=512, n=1024, QPSK, AWGN, Eb/N0 1.5 dB, NMS 20 it.; "
                "each run until 100 frame errors",
        "params": {"code": "ldpc5g", "k": 512, "n": 1024, "modulation": "qpsk",
                   "channel": "awgn", "decoder": "nms", "num_iter": 20, "ebno_db": 1.5},
        "stop": {"max_frame_errors": 100, "max_frames": 200_000},
    },
    "qam16_fast_rayleigh": {
        "what": "coded_link: uncoded 16-QAM, 256 bits a frame, fast Rayleigh, Eb/N0 10 dB; "
                "each run 500 frames",
        "params": {"code": "none", "k": 256, "modulation": "16qam", "channel": "rayleigh",
                   "fading": "fast", "ebno_db": 10.0},
        "stop": {"max_frame_errors": 10**9, "max_frames": 500},
    },
}

CONFIDENCE = 0.95


def replicate(params: dict, stop: StopRule, runs: int, seed: int) -> list[dict]:
    """Counts of ``runs`` independent runs of one point (run r uses point index r)."""
    out = []
    for r in range(runs):
        result = run_point(lambda rng, n: simulate_batch("coded_link", params, rng, n),
                           seed=seed, point_index=r, stop=stop)
        out.append(dict(result.counts))
    return out


def summarize(counts: list[dict]) -> dict:
    y = np.array([c["bit_errors"] for c in counts], dtype=np.int64)
    bits = np.array([c["bits"] for c in counts], dtype=np.int64)
    sq = np.array([c["bit_errors_sq"] for c in counts], dtype=np.int64)
    frames = np.array([c["frames"] for c in counts], dtype=np.int64)
    runs = len(counts)
    truth = (y.sum() - y) / (bits.sum() - bits)          # leave-one-out pooled BER
    hits = {"korn-graubard": 0, "clopper-pearson (old)": 0}
    widths = {k: [] for k in hits}
    deff = []
    for i in range(runs):
        for method, (lo, hi) in (
                ("korn-graubard", clustered_interval(y[i], bits[i], sq[i], frames[i], CONFIDENCE)),
                ("clopper-pearson (old)", clopper_pearson(y[i], bits[i], CONFIDENCE))):
            hits[method] += bool(lo <= truth[i] <= hi)
            widths[method].append(hi - lo)
        p = y[i] / bits[i]
        if 0 < p < 1:
            deff.append(clustered_variance(y[i], bits[i], sq[i], frames[i])
                        / (p * (1 - p) / bits[i]))
    ber = y / bits
    pooled = y.sum() / bits.sum()
    # Run-to-run variance of the BER against the binomial variance of a run of mean size.
    run_ratio = float(np.var(ber, ddof=1) / (pooled * (1 - pooled) / bits.mean()))
    methods = {}
    for method, h in hits.items():
        c = h / runs
        methods[method] = {"coverage": c, "se": math.sqrt(max(c * (1 - c), 1e-12) / runs),
                           "median_width": float(np.median(widths[method]))}
    return {"runs": runs, "pooled_ber": float(pooled), "mean_frames": float(frames.mean()),
            "mean_frame_errors": float(np.mean([c["frame_errors"] for c in counts])),
            "design_effect_median": float(np.median(deff)),
            "run_to_run_variance_over_binomial": run_ratio, "methods": methods}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument("--out", default="results/ber_interval_coverage")
    args = parser.parse_args(argv)
    report = {"confidence": CONFIDENCE, "seed": args.seed, "cases": {}}
    for name in args.cases:
        case = CASES[name]
        t0 = time.perf_counter()
        stop = StopRule(batch_size=1000, **case["stop"])
        counts = replicate(case["params"], stop, args.runs, args.seed)
        summary = summarize(counts)
        report["cases"][name] = {"what": case["what"], "params": case["params"],
                                 "stop": case["stop"], **summary}
        print(f"{name}: {json.dumps(summary['methods'])}, deff {summary['design_effect_median']:.1f} "
              f"({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "coverage.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [f"# Coverage of {CONFIDENCE:.0%} BER intervals, by replication", "",
             "Produced by `python tools/ber_interval_coverage.py`; truth = leave-one-out pooled "
             "BER of the other runs; SE = binomial standard error of the coverage.", "",
             "| case | runs | frame errors/run | design effect | run-to-run var / binomial "
             "| method | coverage ± SE | median width |", "|---|---|---|---|---|---|---|---|"]
    for name, c in report["cases"].items():
        for method, m in c["methods"].items():
            lines.append(f"| {name} | {c['runs']} | {c['mean_frame_errors']:.0f} | "
                         f"{c['design_effect_median']:.1f} | "
                         f"{c['run_to_run_variance_over_binomial']:.1f} | {method} | "
                         f"{m['coverage']:.3f} ± {m['se']:.3f} | {m['median_width']:.2e} |")
    lines += ["", *(f"- **{n}**: {c['what']}" for n, c in report["cases"].items())]
    (out / "coverage.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
