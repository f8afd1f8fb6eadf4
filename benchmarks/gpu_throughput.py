"""Information throughput of the coded link on the Sionna backend (CPU, and CUDA when torch
sees a GPU) beside the Numba engine, measured in the same run. Prints figures and ratios.

    python benchmarks/gpu_throughput.py [--repeat 3] [--quick]

Codes: the README study's (5G NR LDPC k = 512, n = 1024, BG2, QPSK) and a large one
(k = 8448, n = 16896, BG1, QPSK), both over AWGN at Eb/N0 1.5 dB (README code) and 1.0 dB
(large code), whole link (source, encoder, mapper, channel, demapper, decoder, counting).

Decoders: flooding sum-product, 20 iterations, no early stopping, on both engines (the
algorithm both implement identically: Sionna's decoder has no per-frame early stop, so with
it the Numba engine would do less work per frame); the Numba engine's default, layered
normalized min-sum with early stopping, is printed beside it as what a linksim user gets.
Sionna's layered schedule runs one CN group at a time and is far slower on a CPU, so it is
left out.

Figures are information bits (k per frame, the CRC-less payload here) per second of wall
clock, best of ``--repeat`` after a warm-up call, at three batch sizes (frames per
``simulate_batch`` call; the large code's are 16 times smaller, the same bits per call). The device line names the GPU model when there is one. Nothing here
is a test; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import os
import platform

import numpy as np

from timing import best as _best

#: label -> (link parameters, batch sizes in frames per call: about the same bits per call).
CODES = {"README code (512, 1024), 1.5 dB": (dict(k=512, n=1024, ebno_db=1.5), (64, 256, 1024)),
         "large code (8448, 16896), 1.0 dB": (dict(k=8448, n=16896, ebno_db=1.0), (4, 16, 64))}


def _throughput(params, batch, repeat):
    from linksim.systems import build_system
    link = build_system("coded_link", params)
    rng = np.random.default_rng(0)
    seconds = _best(lambda: link.simulate_batch(rng, batch), repeat)
    return batch * params["k"] / seconds / 1e6


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="the smallest batch size, one repeat")
    args = ap.parse_args(argv)
    repeat = 1 if args.quick else args.repeat

    import numba
    import torch
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    print(f"host: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"numba {numba.__version__} ({numba.get_num_threads()} threads), torch "
          f"{torch.__version__} ({torch.get_num_threads()} threads)")
    if "cuda" in devices:
        print(f"GPU: {torch.cuda.get_device_name(0)}")
    else:
        print("GPU: none visible to torch (CUDA figures skipped)")

    common = dict(modulation="qpsk", channel="awgn", decoder="spa", num_iter=20,
                  early_stop=False)
    for label, (code, batches) in CODES.items():
        batches = batches[:1] if args.quick else batches
        print(f"\n{label}: information Mb/s (whole link), spa flooding, 20 iterations")
        header = f"  {'engine':<34s}" + "".join(f"{'batch ' + str(b):>14s}" for b in batches)
        print(header)
        rows = {}
        engines = [("numba (CPU)", dict(backend="numba")),
                   *((f"sionna ({d})", dict(backend="sionna", device=d)) for d in devices)]
        for name, engine in engines:
            rows[name] = [_throughput({**common, **code, **engine}, b, repeat) for b in batches]
            print(f"  {name:<34s}" + "".join(f"{v:>14.3f}" for v in rows[name]))
        nms = [_throughput({**common, **code, "decoder": "nms", "early_stop": True}, b, repeat)
               for b in batches]
        print(f"  {'numba, layered nms + early stop':<34s}" + "".join(f"{v:>14.3f}" for v in nms))
        ref = rows["numba (CPU)"]
        for name in rows:
            if name != "numba (CPU)":
                ratios = "".join(f"{r / s:>13.1f}x" for r, s in zip(ref, rows[name]))
                print(f"  {'numba / ' + name:<34s}" + ratios)


if __name__ == "__main__":
    main()
