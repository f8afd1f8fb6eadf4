"""Throughput of the bit-true key pipeline (system "key_agreement") and where its time goes.

    python benchmarks/key_pipeline_throughput.py [--frames N]

At the Fig. 3 point (P = 100, alpha = 0.2, pair 1), blocks of n = 2048 real channel uses, the
target efficiency beta = 0.9, 5G NR LDPC codes (SPA, 50 iterations), a 32-bit confirmation
hash and Toeplitz privacy amplification: (BW, BW) with b = 1 and 2 quantizer bits, and (FW,
FW) with 16-QAM and 64-QAM:

1. blocks per second and agreed key bits per second of ``simulate_batch`` (the whole chain:
   channel draws, quantization or mapping, the code offset, the receiver's LLRs and BP
   decoding, hashes, privacy amplification, the eavesdropper's decoding attempt), and the same
   without her attempt (``eve_attempt = false``); the baseline, measured in the same run, is
   the receiver's BP decoding alone on the chain's own LLRs, so ``chain / decoding`` is the
   cost of everything else;
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

from timing import best as _best


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


CASES = (("BW b=1", dict(quant_bits=1)), ("BW b=2", dict(quant_bits=2)),
         ("FW 16qam", dict(strategy="fw_fw", modulation="16qam")),
         ("FW 64qam", dict(strategy="fw_fw", modulation="64qam")))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    args = parser.parse_args(argv)
    from linksim.security import privacy_amplification, reconciliation
    from linksim.systems.key_agreement import backward, forward
    from linksim.systems.key_agreement.link import KeyLink
    print(f"{'case':>9} {'blocks/s':>9} {'key kb/s':>9} {'no-Eve blocks/s':>16} "
          f"{'decode-only blocks/s':>21} {'chain/decoding':>15}  stage shares")
    for name, extra in CASES:
        link = KeyLink(n_sym=2048, **extra)
        quiet = KeyLink(n_sym=2048, eve_attempt=False, **extra)
        seconds = _best(lambda: link.simulate_batch(np.random.default_rng(1), args.frames))
        no_eve = _best(lambda: quiet.simulate_batch(np.random.default_rng(1), args.frames))
        counts = link.simulate_batch(np.random.default_rng(1), args.frames)
        # baseline: the receiver's decoding alone, on the LLRs the chain builds
        code = link.d["code"]
        got = link.d["blocks"].draw(np.random.default_rng(2), args.frames, code)
        decode = _best(lambda: reconciliation.reconcile(got["t"], got["soft"], code,
                                                        **link.options))
        timer = _Timer()
        for module in (backward.BackwardBlocks, forward.ForwardBlocks):
            timer.wrap(module, "draw", "channel, quantizer or mapper, receiver LLRs")
            timer.wrap(module, "eve_soft", "Eve's LLRs")
        timer.wrap(reconciliation, "reconcile", "BP decoding (receiver and Eve)")
        timer.wrap(privacy_amplification, "toeplitz_hash", "hashes and PA")
        t0 = time.perf_counter()
        link.simulate_batch(np.random.default_rng(6), args.frames)
        total = time.perf_counter() - t0
        timer.restore()
        shares = {k: v / total for k, v in timer.spent.items()}
        shares["rest"] = 1 - sum(shares.values())
        key_bits = link.d["key_length"] * counts["agreed"]
        print(f"{name:>9} {args.frames / seconds:>9.1f} {key_bits / seconds / 1e3:>9.1f} "
              f"{args.frames / no_eve:>16.1f} {args.frames / decode:>21.1f} "
              f"{seconds / decode:>15.2f}  "
              + ", ".join(f"{k} {100 * v:.0f} %" for k, v in shares.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
