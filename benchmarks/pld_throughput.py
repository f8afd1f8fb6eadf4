"""Throughput of the PLD system (seed 003) and of its blocks. Prints figures and ratios.

    python benchmarks/pld_throughput.py [--frames N]

* the bit-true PLD link (cipher + two coded layers + SIC at Bob and Eve), per configuration;
* the abstract receiver (normal-approximation Bernoulli decoders), for comparison;
* the BCH bounded-distance decoder: the Numba kernel against galois's decoder (the reference),
  and BCH construction with the per-process caches cleared (a fresh worker's cost);
* the deceptive cipher: encryption with a fresh key per frame.

Timings are wall-clock on whatever machine runs it (warm-up call first, then best of 3).
Nothing here is a test; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from timing import best as _best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=20000, help="frames per timed call")
    args = ap.parse_args(argv)
    n = args.frames

    from linksim.systems.pld.link import PLDLink
    base = dict(p_m=1.5111, p_total=2.0, d_k=23, z_eve_db=-5.0)
    configs = {
        "bit-true, LDPC NMS-20, gaussian M LLRs": dict(base),
        "bit-true, LDPC NMS-20, joint M LLRs": dict(base, m_llr="joint"),
        "bit-true, BCH bounded distance": dict(base, code_m="bch", code_k="bch"),
        "bit-true, LDPC, quasi-static Rayleigh": dict(base, channel="rayleigh"),
        "abstract (NA Bernoulli decoders)": dict(base, receiver="abstract"),
    }
    print(f"PLD link, -5 dB Table III point (d_M 16, d_K 23, CRC11, n = 64, QPSK), {n} frames")
    rates = {}
    for label, params in configs.items():
        link = PLDLink(**params)
        t = _best(lambda: link.simulate_batch(np.random.default_rng(0), n))
        rates[label] = n / t
        print(f"  {label:<42s} {n / t:>10,.0f} frames/s")
    ref = rates["bit-true, LDPC NMS-20, gaussian M LLRs"]
    print(f"  abstract / bit-true LDPC: {rates['abstract (NA Bernoulli decoders)'] / ref:.1f}x")

    from linksim.fec.bch import BCH
    code = BCH(127, 36)
    rng = np.random.default_rng(1)
    cw = code.encode(rng.integers(0, 2, (n, code.k), dtype=np.uint8))
    err = (rng.random(cw.shape) < 0.06).astype(np.uint8)
    r = cw ^ err
    t_fast = _best(lambda: code.decode(r))
    n_ref = 300
    t_ref = _best(lambda: code.decode_reference(r[:n_ref]), repeat=1)
    print(f"BCH(127, 36), t = {code.t}, 6 % raw errors: Numba {n / t_fast:,.0f} frames/s, "
          f"galois {n_ref / t_ref:,.0f} frames/s, ratio {(n / t_fast) / (n_ref / t_ref):,.0f}x")
    from linksim.fec import bch as bch_mod

    def build_uncached():                 # per-process caches cleared: a fresh worker's cost
        for f in (bch_mod._gf_tables, bch_mod._minimal_poly, bch_mod._mother_code,
                  bch_mod._parity_matrix, bch_mod.bch_dimensions):
            f.cache_clear()
        BCH(127, 36), BCH(124, 47), BCH(1023, 513)

    t_build = _best(build_uncached)
    print(f"BCH construction, uncached, BCH(127, 36) + PLD's BCH(124, 47) + BCH(1023, 513): "
          f"{t_build * 1e3:.1f} ms")

    from linksim.security.cipher import DeceptiveCipher
    cipher = DeceptiveCipher(16, 23)
    p = rng.integers(0, 2, (n, 16), dtype=np.uint8)

    def enc():
        k = np.random.default_rng(int(time.perf_counter_ns())).integers(0, 2, (n, 23),
                                                                         dtype=np.uint8)
        cipher.encrypt(p, k)          # fresh keys each call: HKDF + AES set-up per frame

    t = _best(enc)
    print(f"Deceptive FF1 cipher (d_P 16, d_K 23), fresh key per frame: {n / t:,.0f} frames/s")


if __name__ == "__main__":
    main()
