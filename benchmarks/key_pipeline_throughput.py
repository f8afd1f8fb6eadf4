"""Throughput of the bit-true key pipeline (system "key_agreement") and where its time goes.

    python benchmarks/key_pipeline_throughput.py [--frames N]

At the Fig. 3 point (P = 100, alpha = 0.2, (BW, BW), pair 1), blocks of n = 2048 channel
uses, the target efficiency beta = 0.9, 5G NR LDPC reconciliation (SPA, 50 iterations), a
32-bit confirmation hash and Toeplitz privacy amplification, for b = 1 and 2 quantizer bits:

1. blocks per second and agreed key bits per second of ``simulate_batch`` (the whole chain:
   channel draws, quantization, code offset, the base station's LLRs and BP decoding, hashes,
   privacy amplification, the eavesdropper's reconciliation attempt); the baseline, measured
   in the same run, is the base station's BP decoding alone on the same LLRs, so ``chain /
   decoding`` is the cost of everything else (the eavesdropper's decoding included);
2. the share of each stage, timed by wrapping the functions the system calls during one
   ``simulate_batch``.

Timings are wall-clock on whatever machine runs it (warm-up first, then best of 3). Nothing
here is a test; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import numpy as np


def _best(fn, repeat=3):
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


class _Timer:
    """Wraps module attributes to add their wall time to a stage."""

    def __init__(self):
        self.spent = defaultdict(float)
        self._saved = []

    def wrap(self, owner, name, stage):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[stage] += time.perf_counter() - t0
        self._saved.append((owner, name, original))
        setattr(owner, name, timed)

    def restore(self):
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    args = parser.parse_args(argv)
    from linksim.security import privacy_amplification, quantizer, reconciliation
    from linksim.systems.key_agreement.link import KeyLink
    print(f"{'b':>2} {'blocks/s':>9} {'key kb/s':>9} {'decode-only blocks/s':>21} "
          f"{'chain/decoding':>15}  stage shares")
    for bits in (1, 2):
        link = KeyLink(n_sym=2048, quant_bits=bits)
        rng = np.random.default_rng(0)
        seconds = _best(lambda: link.simulate_batch(np.random.default_rng(1), args.frames))
        counts = link.simulate_batch(rng, args.frames)
        # baseline: the base station's decoding alone, on the LLRs the chain builds
        n = link.params["n_sym"]
        x = np.random.default_rng(2).standard_normal((args.frames, n)) * 10.0
        y = x + 0.2 * np.random.default_rng(3).standard_normal((args.frames, n)) * 10.0 \
            + np.random.default_rng(4).standard_normal((args.frames, n))
        q = link.d["quantizer"].quantize(y)
        t = reconciliation.public_message(q, link.d["code"], np.random.default_rng(5))
        llr = link.d["quantizer"].llrs(x, link.d["gains"]["bs_var"])
        decode = _best(lambda: reconciliation.reconcile(t, llr, link.d["code"], **link.options))
        timer = _Timer()
        timer.wrap(quantizer.GaussianQuantizer, "quantize", "quantize")
        timer.wrap(quantizer.GaussianQuantizer, "llrs", "LLRs (BS and Eve)")
        timer.wrap(reconciliation, "public_message", "code offset")
        timer.wrap(reconciliation, "reconcile", "BP decoding (BS and Eve)")
        timer.wrap(privacy_amplification, "toeplitz_hash", "hashes and PA")
        t0 = time.perf_counter()
        link.simulate_batch(np.random.default_rng(6), args.frames)
        total = time.perf_counter() - t0
        timer.restore()
        shares = {k: v / total for k, v in timer.spent.items()}
        shares["rest (channel draws, compares)"] = 1 - sum(shares.values())
        key_bits = link.d["key_length"] * counts["agreed"]
        print(f"{bits:>2} {args.frames / seconds:>9.1f} {key_bits / seconds / 1e3:>9.1f} "
              f"{args.frames / decode:>21.1f} {seconds / decode:>15.2f}  "
              + ", ".join(f"{k} {100 * v:.0f} %" for k, v in shares.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
