"""Runner scaling: speed-up from 1 to 2 workers, and overhead against calling the system directly.

Workload: one sweep point of the coded link (5G LDPC k=512, n=1024, QPSK, AWGN, 2.5 dB, layered
NMS), a fixed number of frames (no error target), batches of 1000 frames.

Measured, in frames per second:
* direct: ``CodedLink.simulate_batch`` in a loop, no runner, no store (Numba uses all cores);
* runner, 1 worker (in-process; Numba uses all cores): the runner's overhead is 1 - this/direct;
* runner, 1 worker with Numba limited to 1 thread, and 2 worker processes with 1 Numba thread
  each: the speed-up of the executor alone;
* runner, 2 worker processes (each with cores // 2 Numba threads, the default).
Never run by the tests; timings depend on the machine and its load.

Usage: python benchmarks/scaling.py [--frames 20000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numba
import numpy as np

from linksim.scenario import parse_scenario
from linksim.sim.executors import make_executor
from linksim.study import run_scenario
from linksim.systems.coded_link import CodedLink

PARAMS = {"code": "ldpc5g", "k": 512, "n": 1024, "modulation": "qpsk", "channel": "awgn",
          "decoder": "nms"}
EBNO_DB = 2.5


def scenario(frames: int, seed: int):
    return parse_scenario({
        "name": "scaling", "system": "coded_link", "seed": seed, "params": PARAMS,
        "sweep": {"axes": {"ebno_db": [EBNO_DB]}},
        "stop": {"max_frame_errors": 10**9, "max_frames": frames, "batch_size": 1000,
                 "first_batch_size": 1000}})


def direct(frames: int) -> float:
    link = CodedLink(ebno_db=EBNO_DB, **PARAMS)
    rng = np.random.default_rng(0)
    link.simulate_batch(rng, 64)
    t0 = time.perf_counter()
    for _ in range(frames // 1000):
        link.simulate_batch(rng, 1000)
    return frames / (time.perf_counter() - t0)


def through_runner(frames: int, workers: int, seed: int) -> float:
    with tempfile.TemporaryDirectory() as tmp, make_executor("local", workers=workers) as ex:
        run_scenario(scenario(2000, seed + 1000), Path(tmp) / "warm", ex, progress=False)
        t0 = time.perf_counter()
        rows = run_scenario(scenario(frames, seed), Path(tmp) / "run", ex, progress=False)
        dt = time.perf_counter() - t0
    assert rows[0]["frames"] == frames
    return frames / dt


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=20000)
    args = parser.parse_args()
    cores = os.cpu_count()
    print(f"# {cores} cores; workload: LDPC k=512 n=1024 QPSK AWGN {EBNO_DB} dB NMS, "
          f"{args.frames} frames")
    d = direct(args.frames)
    print(f"direct simulate_batch (numba {numba.get_num_threads()} threads): {d:9.0f} frames/s")
    r1 = through_runner(args.frames, 1, 1)
    print(f"runner, 1 worker  (numba {numba.get_num_threads()} threads): {r1:9.0f} frames/s   "
          f"overhead {100 * (1 - r1 / d):5.1f} %")
    numba.set_num_threads(1)
    r1s = through_runner(args.frames, 1, 2)
    numba.set_num_threads(cores)
    print(f"runner, 1 worker  (numba 1 thread):  {r1s:9.0f} frames/s")
    r2 = through_runner(args.frames, 2, 3)
    print(f"runner, 2 workers (numba {max(1, cores // 2)} thread each): {r2:9.0f} frames/s   "
          f"speed-up over 1 single-thread worker {r2 / r1s:4.2f}x, over 1 worker using all "
          f"cores {r2 / r1:4.2f}x")


if __name__ == "__main__":
    main()
