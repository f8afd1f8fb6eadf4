"""Decoder throughput per core, as a table a reader can hold against published figures, and
where the time of early stopping goes. Prints figures only; nothing asserts a time.

    python benchmarks/decoder_throughput.py [--frames 4096] [--repeat 3] [--quick]

Codes (5G NR LDPC, QPSK over AWGN, LLRs generated once per point, decoder only):

* the README code, BG2 (k, n) = (512, 1024), layered normalized min-sum (alpha 0.75), 20
  iterations, early stop;
* (n, k) = (1440, 720), BG2, the same decoder (the code of the AFF3CT comparison);
* BG1 K = 8448, n = 16896 (rate 1/2), 10 iterations, no early stop (the configuration of the
  published AVX-512 decoders, whose code rate may differ).

At Eb/N0 1.5, 2.5 and 3.5 dB, with 1 and 2 Numba threads. "per core" is information bits per
second divided by the threads used. Each line times the current kernel ("new":
``bp_decode(..., refill="lazy")``, the default) and, in the same run, the decoder as it was
before issue 17 ("baseline": ``refill="eager"``, which decodes every frame identically,
tests/fec/test_ldpc_refill.py), with their ratio. The whole README link (random bits and a
real encoder) is timed with both at the end.

**Where the early-stopping time goes.** For each point with early stop the decoder is also
timed with early stop off at a fixed iteration count; the time per frame-iteration t_it of
that run, times the average iterations the early-stopping run used, is what the iterations
themselves cost. The rest of the early-stopping run's time (syndrome checks after every
iteration, writing out and refilling lanes) is printed as its overhead share.
"""

from __future__ import annotations

import argparse

import numba
import numpy as np

from linksim import channel
from linksim.fec import cached_code
from linksim.fec.ldpc.decoder import bp_decode
from linksim.mapping import Constellation

from timing import best as _best

#: label -> (k, n, iterations, early stop)
CODES = {"README (512, 1024) BG2": (512, 1024, 20, True),
         "(1440, 720) BG2": (720, 1440, 20, True),
         "BG1 K=8448 (8448, 16896)": (8448, 16896, 10, False)}
EBNO_DB = (1.5, 2.5, 3.5)


def _llrs(code, n_frames: int, ebno_db: float, seed: int = 0) -> np.ndarray:
    """float32 [F, n] channel LLRs of random codewords, QPSK over AWGN."""
    rng = np.random.default_rng(seed)
    qpsk = Constellation("qpsk")
    u = rng.integers(0, 2, (n_frames, code.k), dtype=np.uint8)
    no = channel.ebno_to_no(ebno_db, 2, coderate=code.k / code.n)
    y = channel.awgn(qpsk.map(code.encode(u)), no, rng)
    return qpsk.demap(y, no).astype(np.float32), u


def _link_rate(ebno_db: float, refill: str, frames: int, repeat: int) -> float:
    """Information Mb/s of the whole README link (random bits, encoder, QPSK, AWGN, demapper,
    decoder, counting) with the decoder's ``refill``."""
    import functools

    import linksim.fec.ldpc.nr5g as nr5g
    from linksim.fec.ldpc.decoder import bp_decode
    from linksim.systems.coded_link.link import CodedLink
    link = CodedLink(k=512, n=1024, ebno_db=ebno_db)
    # The LDPC code calls bp_decode with its default refill; the baseline swaps in the eager
    # one for this measurement only.
    nr5g.bp_decode = functools.partial(bp_decode, refill=refill)
    try:
        seconds = _best(lambda: link.simulate_batch(np.random.default_rng(1), frames), repeat)
    finally:
        nr5g.bp_decode = bp_decode
    return frames * 512 / seconds / 1e6


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=4096, help="frames per timed call (README "
                    "code; the others scale to the same bits)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="1 repeat, a quarter of the frames")
    args = ap.parse_args(argv)
    repeat = 1 if args.quick else args.repeat
    bits = (args.frames // 4 if args.quick else args.frames) * 512
    threads = [t for t in (1, 2) if t <= numba.config.NUMBA_NUM_THREADS]
    print(f"numba {numba.__version__}, threads available {numba.config.NUMBA_NUM_THREADS}; "
          f"decoder only, layered NMS (alpha 0.75), float32; 'new' is the lazy lane refill, "
          f"'baseline' the eager refill (the decoder before issue 17), same run")
    print(f"{'code':<26s} {'iters':>5s} {'ES':>3s} {'prec':>7s} {'Eb/N0':>6s} {'thr':>3s} "
          f"{'new Mb/s':>9s} {'/core':>7s} {'baseline':>9s} {'ratio':>6s} {'avg it':>7s} "
          f"{'BLER':>9s} {'ES overhead':>12s}")
    for label, (k, n, iters, early_stop) in CODES.items():
        code = cached_code("ldpc5g", k, n)
        frames = max(64, bits // k)
        for ebno in EBNO_DB:
            llr, u = _llrs(code, frames, ebno)
            dec = code.derate_match(llr)
            for t in threads:
                numba.set_num_threads(t)
                out = {}

                def run(refill="lazy", num_iter=iters, stop=early_stop):
                    out["hard"], out["it"] = bp_decode(code.graph, dec, num_iter=num_iter,
                                                       algorithm="nms", early_stop=stop,
                                                       refill=refill)
                base = _best(lambda: run("eager"), repeat)
                seconds = _best(run, repeat)
                avg_it = float(np.mean(out["it"]))
                bler = float(np.mean((out["hard"][:, :k] != u).any(axis=1)))
                rate, base_rate = frames * k / seconds / 1e6, frames * k / base / 1e6
                overhead = ""
                if early_stop:
                    fixed = max(1, int(round(avg_it)))
                    t_fixed = _best(lambda: run(num_iter=fixed, stop=False), repeat)
                    share = 1 - t_fixed / (frames * fixed) * frames * avg_it / seconds
                    overhead = f"{100 * share:>11.0f}%"
                print(f"{label:<26s} {iters:>5d} {'on' if early_stop else 'off':>3s} "
                      f"{'float32':>7s} {ebno:>6.1f} {t:>3d} {rate:>9.2f} {rate / t:>7.2f} "
                      f"{base_rate:>9.2f} {rate / base_rate:>5.2f}x {avg_it:>7.2f} "
                      f"{bler:>9.2e} {overhead:>12s}")
    # The lane budget before issue 17 (4 MB a task) left BG1 K = 8448 with 4 lanes.
    import linksim.fec.ldpc.decoder as decoder
    code = cached_code("ldpc5g", 8448, 16896)
    llr, _ = _llrs(code, max(64, bits // 8448), 2.5)
    dec = code.derate_match(llr)
    budget = decoder._TASK_BYTES
    rates = {}
    for label, task_bytes, refill in (("before issue 17 (4 MB budget, eager)", 4 << 20, "eager"),
                                      ("now", budget, "lazy")):
        decoder._TASK_BYTES = task_bytes
        numba.set_num_threads(1)
        seconds = _best(lambda: bp_decode(code.graph, dec, num_iter=10, algorithm="nms",
                                          early_stop=False, refill=refill), repeat)
        rates[label] = dec.shape[0] * 8448 / seconds / 1e6
    decoder._TASK_BYTES = budget
    old, new = rates.values()
    print(f"\nBG1 K=8448, 10 iterations, 2.5 dB, 1 thread: before issue 17 {old:.2f} Mb/s, "
          f"now {new:.2f} Mb/s, ratio {new / old:.1f}x")
    numba.set_num_threads(threads[-1])
    frames = max(256, bits // 512)
    print(f"\nwhole link, README code, NMS-20 with early stop, {threads[-1]} threads, "
          f"{frames} frames per call: information Mb/s")
    for ebno in (1.5, 2.5):
        new, base = (_link_rate(ebno, r, frames, repeat) for r in ("lazy", "eager"))
        print(f"  {ebno:.1f} dB: new {new:.2f}, baseline {base:.2f}, ratio {new / base:.2f}x")


if __name__ == "__main__":
    main()
