"""Throughput of the seed-004 bit-true OFDM link (system "ofdm_bc") and where its time goes.

    python benchmarks/ofdm_bc_throughput.py [--frames N]

At the default point of LINK_SCHEMA (K = 3, L = 16 subcarriers, 16 taps, CP 15, n_sym = 32
OFDM symbols per codeword, 16-QAM M0, QPSK confidential layers, 5G LDPC, NMS-20) with a pool
of 8 realizations (one frame = one packet on each):

1. frames (and packets) per second of ``simulate_batch`` for each scheme the link runs, and
   the decoded information rate; the baseline, measured in the same run, is the LDPC
   decoding alone of the same codewords (every decoder call the link makes, replayed on its
   own inputs), so ``link / decoding`` is the cost of everything else;
2. the share of each stage (encoding, QAM mapping, OFDM modulation, multipath channel with
   noise, OFDM demodulation, one-tap equalization, demapping, LDPC decoding at the users and
   at the curious users, the secret-bit LLR combination, the rest), measured by timing every
   call the link makes to those functions during one ``simulate_batch``;
3. the OFDM chain (modulation, channel, demodulation, equalization) batched over frames
   against the same chain called once per frame, on the same samples, with the ratio.

Timings are wall-clock on whatever machine runs it (warm-up first, then best of 3). Nothing
here is a test; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections import defaultdict

import numpy as np

from timing import best as _best

POINT = dict(n_pool=8)


class _Timer:
    """Wraps functions (by owner and attribute name) to add their wall time to a stage."""

    def __init__(self):
        self.spent = defaultdict(float)
        self.calls = []
        self._undo = []

    def wrap(self, owner, name, stage, record=None):
        original = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            out = original(*args, **kwargs)
            self.spent[stage] += time.perf_counter() - t0
            if record is not None:
                self.calls.append((original, args, kwargs))
            return out
        setattr(owner, name, timed)
        self._undo.append((owner, name, original))

    def restore(self):
        for owner, name, original in reversed(self._undo):
            setattr(owner, name, original)
        self._undo.clear()


def _instrument(timer):
    from linksim.fec.ldpc.nr5g import LDPC5G
    from linksim.mapping import Constellation
    from linksim.systems.ofdm_bc import link as mod
    timer.wrap(LDPC5G, "encode", "LDPC encoding")
    timer.wrap(Constellation, "map", "QAM mapping")
    timer.wrap(Constellation, "demap", "demapping")
    timer.wrap(LDPC5G, "decode_llr", "LDPC decoding, intended users", record=True)
    timer.wrap(LDPC5G, "decode_posteriors", "LDPC decoding, curious users", record=True)
    timer.wrap(mod, "ofdm_modulate", "OFDM modulation")
    timer.wrap(mod, "multipath", "multipath channel + noise")
    timer.wrap(mod, "ofdm_demodulate", "OFDM demodulation")
    timer.wrap(mod, "equalize", "one-tap equalization")
    timer.wrap(mod, "_mix_llr", "secret-bit LLR combination")


def throughput(frames: int) -> None:
    from linksim.systems import build_system
    print(f"1. frames per second ({frames} frames, pool of {POINT['n_pool']} realizations: "
          f"{frames * POINT['n_pool']} packets)")
    print(f"{'scheme':>9} {'frames/s':>9} {'packets/s':>10} {'info Mb/s':>10} "
          f"{'decoding s':>11} {'link s':>8} {'link/decoding':>14}")
    for scheme in ("mgre", "gre", "ce", "uni_half"):
        link = build_system("ofdm_bc", {**POINT, "scheme": scheme})
        link.pool                                   # the one-off design, not timed here
        elapsed = _best(lambda: link.simulate_batch(np.random.default_rng(1), frames))
        timer = _Timer()
        _instrument(timer)
        try:
            counts = link.simulate_batch(np.random.default_rng(1), frames)
        finally:
            timer.restore()
        # the baseline: the same decoder calls on the same inputs, alone
        t0 = time.perf_counter()
        for fn, args, kwargs in timer.calls:
            fn(*args, **kwargs)
        decoding = time.perf_counter() - t0
        info = sum(m.k_info for r in link.pool for m in r.messages) * frames
        print(f"{scheme:>9} {frames / elapsed:9.1f} {frames * POINT['n_pool'] / elapsed:10.1f} "
              f"{info / elapsed / 1e6:10.3f} {decoding:11.3f} {elapsed:8.3f} "
              f"{elapsed / decoding:14.2f}")
        assert counts["frames"] == frames


def stages(frames: int) -> None:
    from linksim.systems import build_system
    link = build_system("ofdm_bc", POINT)
    link.simulate_batch(np.random.default_rng(0), 2)            # warm-up
    timer = _Timer()
    _instrument(timer)
    try:
        t0 = time.perf_counter()
        link.simulate_batch(np.random.default_rng(1), frames)
        total = time.perf_counter() - t0
    finally:
        timer.restore()
    spent = dict(timer.spent)
    spent["the rest (bits, bookkeeping, SIC)"] = total - sum(spent.values())
    print(f"\n2. stage shares, scheme mgre, {frames} frames ({total:.2f} s)")
    for stage, sec in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"   {stage:<36} {sec:7.3f} s {100 * sec / total:6.1f} %")


def ofdm_chain(frames: int) -> None:
    from linksim.channel.awgn import complex_normal
    from linksim.channel.multipath import frequency_response, multipath
    from linksim.mimo import equalize
    from linksim.ofdm import ofdm_demodulate, ofdm_modulate
    n_sc, n_sym, cp = 16, 32, 15
    rng = np.random.default_rng(0)
    grid = complex_normal(rng, (frames, n_sym, n_sc), 1.0)
    taps = complex_normal(rng, (frames, n_sc), np.full(n_sc, 1 / n_sc))
    h = frequency_response(taps, n_sc)

    def batched():
        y = multipath(ofdm_modulate(grid, cp), taps, 1.0, np.random.default_rng(1))
        return equalize(ofdm_demodulate(y, n_sc, cp), h[:, None, :], 1.0)

    def per_frame():
        out = []
        for f in range(frames):
            y = multipath(ofdm_modulate(grid[f:f + 1], cp), taps[f:f + 1], 1.0,
                          np.random.default_rng(f))
            out.append(equalize(ofdm_demodulate(y, n_sc, cp), h[f:f + 1, None, :], 1.0))
        return out
    t_batch, t_loop = _best(batched), _best(per_frame)
    print(f"\n3. OFDM chain (modulation, channel, demodulation, equalization), {frames} frames "
          f"of {n_sym} symbols x {n_sc} subcarriers")
    print(f"   batched over frames: {t_batch * 1e3:8.2f} ms ({frames / t_batch:,.0f} frames/s)")
    print(f"   one call per frame:  {t_loop * 1e3:8.2f} ms ({frames / t_loop:,.0f} frames/s)")
    print(f"   per-frame / batched: {t_loop / t_batch:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=200)
    args = parser.parse_args()
    throughput(args.frames)
    stages(args.frames)
    ofdm_chain(args.frames * POINT["n_pool"])


if __name__ == "__main__":
    main()
