"""Is the shared interference pattern's projection enough to make Bob and Eve independent?
(issue 15, the joint model at A and A*)

    python tools/pld_pattern_check.py [--frames N] [--seed S]

The pattern model of :mod:`linksim.systems.pld.joint` assumes that, given the projection
c = <s_M, s_K> / n of the key layer's codeword on the message layer's, the two receivers'
outcomes are independent (each has its own noise). This tool tests that assumption on the
bit-true link itself, with no model in between: it runs the link at A (P_Sigma = 2 mW, d_K = 40)
and A* (3 mW, 64), both at z_Eve = -3 dB (``scenarios/pld_joint.toml``), keeps each frame's
per-dimension agreement pattern and both receivers' outcomes (``PLDLink.simulate_batch``'s
``trace``), and compares

* the measured R_d = P(Eve deceived, Bob not deceived);
* the product of the marginals (the paper's independence);
* sum_j P(T = j) P(Eve deceived | T = j) P(Bob not deceived | T = j): conditional independence
  given a pattern statistic T, for T = the total agreement (c itself) and T = (c, where the
  agreements lie: the first half's minus the second half's, cut at its terciles), a finer
  statistic that says whether the position of the agreements matters beyond their number.

The plug-in conditional sum is unbiased under conditional independence for well-filled classes:
c's tails beyond its 0.5 % and 99.5 % quantiles are pooled (one class each), and each half's
agreement is cut at its sextiles. Its difference from the measured R_d is the dependence the
statistic leaves; its standard error comes from 20 independent groups of frames, each
evaluated with the same classes. Writes ``results/pld_joint/pattern_check.md``.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from linksim.systems.pld.link import PLDLink

ROOT = Path(__file__).resolve().parents[1]
#: (name, P_Sigma, P_M, d_K) of A and A* (scenarios/pld_joint.toml), z_Eve = -3 dB.
POINTS = (("A", 2.0, 1.2424, 40), ("A*", 3.0, 1.607, 64))
GROUPS = 20


def conditional_r_d(key: np.ndarray, eve_deceived: np.ndarray, bob_ok: np.ndarray) -> float:
    """sum_j P(T=j) P(E deceived | j) P(B not deceived | j) over the classes j (int [F])."""
    counts = np.bincount(key)
    e = np.bincount(key, eve_deceived)
    b = np.bincount(key, bob_ok)
    used = counts > 0
    return float(np.sum(e[used] * b[used] / counts[used]) / key.size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2041)
    args = parser.parse_args()
    lines = ["# Conditional independence given the interference pattern (issue 15)", "",
             f"{args.frames} frames per point, seed {args.seed}, {GROUPS} groups for the "
             f"standard errors (tools/pld_pattern_check.py).", "",
             "| point | measured R_d | product of marginals | given c (total agreement) | "
             "measured - given c (s.e.) | given c and the halves' split |",
             "|---|---|---|---|---|---|"]
    for name, p_total, p_m, d_k in POINTS:
        link = PLDLink(p_total=p_total, p_m=p_m, d_k=d_k, z_eve_db=-3.0, d_m=16, n=64,
                       crc_m="CRC11", crc_k="CRC11")
        rng = np.random.default_rng(args.seed)
        agree, bob, eve = [], [], []
        batch = 10_000
        for start in range(0, args.frames, batch):
            trace = {}
            link.simulate_batch(rng, min(batch, args.frames - start), trace=trace)
            # Agreements per real dimension are +-1/2 for QPSK: count them in integers.
            signs = np.rint(2 * trace["agreement"]).astype(np.int16)
            half = signs.shape[1] // 2
            agree.append(np.stack([signs[:, :half].sum(1), signs[:, half:].sum(1)], 1))
            bob.append(trace["bob"])
            eve.append(trace["eve"])
        agree, bob, eve = (np.concatenate(a) for a in (agree, bob, eve))
        e_dec, b_ok = (eve == 1).astype(float), (bob != 1).astype(float)
        total = agree.sum(1)
        lo, hi = np.quantile(total, [0.005, 0.995])
        c_class = (np.clip(total, lo, hi) - lo).astype(np.int64)
        measured = float(np.mean(e_dec * b_ok))
        product = float(e_dec.mean() * b_ok.mean())
        given_c = conditional_r_d(c_class, e_dec, b_ok)
        split = agree[:, 0] - agree[:, 1]
        tercile = np.searchsorted(np.quantile(split, [1 / 3, 2 / 3]), split, side="right")
        halves = conditional_r_d(c_class * 3 + tercile, e_dec, b_ok)
        groups = np.array_split(np.arange(args.frames), GROUPS)
        diffs = [float(np.mean(e_dec[g] * b_ok[g])) - conditional_r_d(c_class[g], e_dec[g],
                                                                      b_ok[g]) for g in groups]
        se = float(np.std(diffs, ddof=1) / math.sqrt(GROUPS))
        lines.append(f"| {name} (P_Sigma = {p_total:g} mW, d_K = {d_k}) | {measured:.5f} | "
                     f"{product:.5f} | {given_c:.5f} | {measured - given_c:+.5f} ({se:.5f}) | "
                     f"{halves:.5f} |")
    text = "\n".join(lines) + "\n"
    (ROOT / "results/pld_joint/pattern_check.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
