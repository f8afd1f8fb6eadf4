"""Throughput of the coded link: linksim's decoders against Sionna's, on this machine.

Configuration (issue 2): 5G NR LDPC k = 512, n = 1024, QPSK, AWGN, Eb/N0 = 2 dB, 20 iterations.

Measured, in information Mb/s (decoded info bits per wall-clock second):
1. the full linksim link (random bits -> LDPC -> QPSK -> AWGN -> APP demapper -> decoder ->
   counting) for SPA flooding and layered normalized min-sum, with early stop off and on;
2. decoder only, linksim and Sionna, on the *same* frames (one LLR set, generated once);
3. Sionna's own full link (encoder, mapper, AWGN, demapper, decoder) in PyTorch on the CPU.
The ratios printed at the end compare like with like: the same check-node rule and schedule
(SPA flooding vs Sionna's boxplus-phi flooding; offset min-sum layered vs Sionna's
offset-minsum layered, which decide identically frame by frame). Sionna has no normalized
min-sum; layered NMS is set against Sionna's layered offset-minsum (the same work per edge)
and against Sionna's fastest configuration on this machine.

Usage: python benchmarks/ldpc_throughput.py [--frames 20000] [--sionna-frames 2000]
Never run by the tests; timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from linksim import channel
from linksim.mapping import Constellation
from linksim.systems.coded_link import CodedLink

K, N, EBNO_DB, ITERS, BATCH = 512, 1024, 2.0, 20, 2000
CONFIGS = [("spa", "flooding", False), ("spa", "flooding", True),
           ("nms", "layered", False), ("nms", "layered", True),
           ("oms", "layered", False), ("oms", "layered", True)]


def timed(fn, repeat: int = 1) -> float:
    """Best wall time of ``repeat`` calls of ``fn``."""
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def linksim_full_link(decoder: str, early_stop: bool, n_frames: int):
    link = CodedLink(code="ldpc5g", k=K, n=N, modulation="qpsk", channel="awgn", ebno_db=EBNO_DB,
                     decoder=decoder, num_iter=ITERS, early_stop=early_stop)
    link.simulate_batch(np.random.default_rng(0), 64)            # compile / warm up
    rng = np.random.default_rng(1)
    totals = {"frame_errors": 0, "iterations": 0}
    t0 = time.perf_counter()
    for start in range(0, n_frames, BATCH):
        counts = link.simulate_batch(rng, min(BATCH, n_frames - start))
        for key in totals:
            totals[key] += counts[key]
    dt = time.perf_counter() - t0
    return n_frames * K / dt / 1e6, totals["frame_errors"] / n_frames, totals["iterations"] / n_frames


def same_frames(n_frames: int):
    """One set of frames: info bits and their channel LLRs (linksim convention, ln P0/P1)."""
    from linksim.fec.ldpc import LDPC5G
    code = LDPC5G(K, N)
    qpsk = Constellation("qpsk")
    rng = np.random.default_rng(2)
    u = rng.integers(0, 2, (n_frames, K), dtype=np.uint8)
    no = channel.ebno_to_no(EBNO_DB, 2, coderate=K / N)
    y = channel.awgn(qpsk.map(code.encode(u)), no, rng)
    return code, u, qpsk.demap(y, no).astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20000, help="frames per linksim measurement")
    parser.add_argument("--sionna-frames", type=int, default=2000, help="frames per Sionna measurement")
    args = parser.parse_args()
    import numba
    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"numba threads {numba.get_num_threads()}")
    print(f"# link: 5G LDPC k={K} n={N}, QPSK, AWGN, Eb/N0={EBNO_DB} dB, {ITERS} iterations")

    print("\n## 1. linksim, full link")
    print(f"{'decoder':<22}{'early stop':>11}{'info Mb/s':>11}{'BLER':>10}{'avg iter':>10}")
    full = {}
    for decoder, schedule, early_stop in CONFIGS:
        mbps, bler, iters = linksim_full_link(decoder, early_stop, args.frames)
        full[decoder, early_stop] = mbps
        print(f"{decoder + ' ' + schedule:<22}{str(early_stop):>11}{mbps:>11.2f}{bler:>10.2e}{iters:>10.2f}")

    print("\n## 2. decoder only, the same frames")
    code, u, llr = same_frames(args.sionna_frames)
    code.decode(llr[:64], algorithm="spa")
    dec_linksim = {}
    for decoder, schedule, early_stop in CONFIGS:
        box = {}
        dt = timed(lambda: box.update(u_hat=code.decode(llr, num_iter=ITERS, algorithm=decoder,
                                                        early_stop=early_stop)), repeat=2)
        dec_linksim[decoder, early_stop] = llr.shape[0] * K / dt / 1e6
        bler = np.mean(np.any(box["u_hat"] != u, axis=1))
        print(f"linksim {decoder + ' ' + schedule:<22}{str(early_stop):>7}"
              f"{dec_linksim[decoder, early_stop]:>10.2f} Mb/s  BLER {bler:.2e}")

    try:
        import torch
        from sionna.phy.channel import AWGN
        from sionna.phy.fec.ldpc import LDPC5GDecoder, LDPC5GEncoder
        from sionna.phy.mapping import Demapper, Mapper
        from sionna.phy.utils import ebnodb2no
    except ImportError:
        print("\nSionna is not installed (pip install -e '.[sionna]'): no comparison.")
        return

    torch.set_num_threads(os.cpu_count() or 1)
    encoder = LDPC5GEncoder(K, N)
    sionna_dec = {
        "spa": LDPC5GDecoder(encoder, cn_update="boxplus-phi", cn_schedule="flooding", num_iter=ITERS),
        "oms": LDPC5GDecoder(encoder, cn_update="offset-minsum", cn_schedule="layered", num_iter=ITERS),
        "minsum flooding": LDPC5GDecoder(encoder, cn_update="minsum", cn_schedule="flooding",
                                         num_iter=ITERS),
    }
    sionna_sched = {"spa": "flooding", "oms": "layered", "minsum flooding": "flooding"}
    logits = torch.tensor(-llr)            # Sionna's decoder takes ln P(1)/P(0)
    dec_sionna = {}
    sb = 500
    for decoder, dec in sionna_dec.items():
        dec(logits[:8])
        box = {}

        def run():
            box["u_hat"] = torch.cat([dec(logits[i:i + sb]) for i in range(0, len(logits), sb)])
        with torch.no_grad():
            dt = timed(run)
        dec_sionna[decoder] = llr.shape[0] * K / dt / 1e6
        bler = np.mean(np.any(box["u_hat"].numpy().astype(np.uint8) != u, axis=1))
        label = f"{dec._cn_update.__name__}, {sionna_sched[decoder]}"
        print(f"sionna  {label:<29}{dec_sionna[decoder]:>10.2f} Mb/s  BLER {bler:.2e}")

    print("\n## 3. Sionna, full link (its encoder, mapper, AWGN, demapper, decoder), CPU")
    mapper, demapper, awgn = Mapper("qam", 2), Demapper("app", "qam", 2), AWGN()
    no = ebnodb2no(EBNO_DB, 2, K / N)
    full_sionna = {}
    for decoder, dec in sionna_dec.items():
        def chain(batch):
            bits = torch.randint(0, 2, (batch, K), dtype=torch.float32)
            y = awgn(mapper(encoder(bits)), no)
            return dec(demapper(y, no))
        with torch.no_grad():
            chain(8)
            dt = timed(lambda: [chain(sb) for _ in range(max(1, args.sionna_frames // sb))])
        full_sionna[decoder] = max(1, args.sionna_frames // sb) * sb * K / dt / 1e6
        print(f"sionna full link {decoder:<5}{full_sionna[decoder]:>10.2f} Mb/s")

    print("\n## ratios, linksim / Sionna, 20 iterations")
    best = max(dec_sionna, key=dec_sionna.get)
    pairs = [("spa", "spa", "same rule and schedule"), ("oms", "oms", "same rule and schedule"),
             ("nms", "oms", "layered min-sum family"), ("nms", best, f"Sionna's fastest ({best})")]
    for ours, theirs, what in pairs:
        for early_stop in (False, True):
            print(f"{ours} vs {theirs:<16} early_stop={str(early_stop):<5}  full link "
                  f"{full[ours, early_stop] / full_sionna[theirs]:7.1f}x   decoder only "
                  f"{dec_linksim[ours, early_stop] / dec_sionna[theirs]:7.1f}x   ({what})")


if __name__ == "__main__":
    main()
