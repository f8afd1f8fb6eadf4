"""Throughput of the seed-002 AN-MIMO link (system "an_mimo") and where its time goes.

    python benchmarks/an_mimo_throughput.py [--frames N] [--skip-scaling]

Measured at the default point of LINK_SCHEMA (K = 3, N_T = N_R = 4, N_E = 8, d_s = 2,
d_a = 1, QPSK, 5G LDPC k = 128, n = 512, NMS-20), with a pool of 2 channels designed with
10 outer iterations so the one-off design stays short:

1. the pool design time per channel (the first design of a shape, where cvxpy compiles the
   (Q, Lambda) program, timed apart), then frames per second of ``simulate_batch`` for Bob
   LMMSE / Eve LMMSE (the baseline), Eve joint ML, and Bob ZF, with ratios to the baseline;
2. the share of each stage of ``AnMimoLink._frames`` for Eve LMMSE and ML: every stage is
   reproduced with the library calls ``_frames`` makes, on one active triple, with the frames
   that triple gets in a batch of ``--frames``, replaying ``_frames``'s random stream so the
   data (and the counts, which are checked) are the very same; the sum of the stages is
   printed next to the measured ``_frames`` time of the same frames;
3. how the solve time of one (Q, Lambda) program grows with N_T (N_R = N_T, N_E = 2 N_T,
   d_s = N_T // 2, d_a = 1, K = 3, matrix-form LMIs), with the LMI sizes and the growth
   exponent between consecutive N_T.

Timings are wall-clock on whatever machine runs it (warm-up call first, then best of 3).
Nothing here is a test; nothing asserts a time.
"""

from __future__ import annotations

import argparse
import copy
import math
import time

import numpy as np

from timing import best as _best

#: The default point, with a short pool design (the design does not change the link's cost).
POOL = dict(n_channels=2, n_iter=10)
#: Section 3: one seeded draw per N_T, the default setting's powers, noise and CSI error.
SCALING_N_T = (2, 4, 6, 8)
P_TOTAL, NOISE, ZETA, EPS, DISTANCE = 100.0, 1e-11, 0.1, 0.1, 10.0


def _replay(rng: np.random.Generator) -> np.random.Generator:
    """A copy of a generator, so a re-timed stage draws the same numbers (a deep copy keeps
    the seed sequence's spawn count too, which the noise generator's chunks draw from)."""
    return copy.deepcopy(rng)


def _stages(link, pool, c, i, k, n, seed):
    """``link._frames(default_rng(seed), pool, c, i, k, n)`` split into its stages, each
    timed alone on the outputs of the previous ones. Returns ({stage: seconds}, counts)."""
    from linksim.channel.awgn import complex_normal
    from linksim.mimo.detection import ml_llrs
    from linksim.sim.metrics import bit_error_counts
    from linksim.systems.an_mimo.link import LOSS_SCALE, NERR_SCALE
    p, code, const = link.params, link.code, link.constellation
    m, n_sym = const.bits_per_symbol, link.n_sym
    n_users, d_s, d_a = p["k"], p["d_s"], p["d_a"]
    g, g_e = pool.g[c], pool.g_eve[c]
    times = {}
    stream = {"state": np.random.default_rng(seed)}

    def stage(name, fn):
        start, box = stream["state"], {}

        def run():
            rng = _replay(start)
            box["out"] = fn(rng)
            box["end"] = rng
        times[name] = _best(run)
        stream["state"] = box["end"]       # the next stage draws where _frames would
        return box["out"]

    def payload(rng):
        u = rng.integers(0, 2, size=(n, code.k), dtype=np.uint8)
        return u, code.encode(u)

    u, code_bits = stage("payload + LDPC encoding", payload)

    def mapping(rng):
        other = rng.integers(0, 2, size=(n, n_users, d_s, n_sym * m), dtype=np.uint8)
        s = const.map(other)
        s[:, i, k] = const.map(code_bits)
        return s

    s = stage("QAM mapping, all streams", mapping)

    def precoding(rng):
        z = complex_normal(rng, (n, n_users, d_a, n_sym))
        return pool.q[c][None] @ s + pool.lam[c][None] @ z

    x = stage("precoding Q s + Lambda z, AN draws", precoding)

    def channel(rng):
        y = (g[i][None] @ x).sum(axis=1)
        y += complex_normal(rng, y.shape)
        y_e = g_e[i] @ x[:, i]
        y_e += complex_normal(rng, y_e.shape)
        return y, y_e

    y, y_e = stage("channel + noise, Bob and Eve", channel)
    bob = stage(f"Bob's detection ({p['receiver']})", lambda rng: link._detect(
        g[i, i] @ pool.q[c, i], y, pool.cov_bob[c, i], k, p["receiver"]))

    def eve_detection(rng):
        # the LMMSE estimate is made for either detector: the measured SINR count uses it
        lmmse = link._detect(g_e[i] @ pool.q[c, i], y_e, pool.cov_eve[c, i], k, "lmmse")
        if p["eve_detector"] != "ml":
            return lmmse, None
        a_e = np.broadcast_to(g_e[i] @ pool.q[c, i], (n, *g_e[i].shape[:1], d_s))
        cov = np.broadcast_to(pool.cov_eve[c, i], (n, *pool.cov_eve[c, i].shape))
        llr = ml_llrs(a_e, y_e, cov, const)
        return lmmse, llr[:, :, k * m:(k + 1) * m].reshape(n, n_sym * m)

    eve_lmmse, llr_eve_ml = stage(f"Eve's detection ({p['eve_detector']})", eve_detection)

    def demapping(rng):
        llr_bob = const.demap(bob[0], bob[1][:, None])
        if llr_eve_ml is not None:
            return llr_bob, llr_eve_ml
        return llr_bob, const.demap(eve_lmmse[0], eve_lmmse[1][:, None])

    llr_bob, llr_eve = stage("demapping", demapping)
    u_bob, iterations = stage("LDPC decoding, Bob", lambda rng: code.decode(
        llr_bob, num_iter=p["num_iter"], algorithm=p["decoder"], return_iterations=True))
    u_eve = stage("LDPC decoding, Eve", lambda rng: code.decode(
        llr_eve, num_iter=p["num_iter"], algorithm=p["decoder"]))

    def counting(rng):
        out = {}
        for who, (s_hat, _), sinr in (("bob", bob, pool.sinr_bob[c, i, k]),
                                      ("eve", eve_lmmse, pool.sinr_eve[c, i, k])):
            if who == "bob" and p["receiver"] != "lmmse":
                continue
            per_frame = np.rint(np.sum(np.abs(s_hat - s[:, i, k]) ** 2, axis=1) * sinr
                                * NERR_SCALE).astype(np.int64)
            out[f"{who}_nerr"] = int(per_frame.sum())
            out[f"{who}_nerr_sq"] = int(np.dot(per_frame, per_frame))
        out["symbols"] = n * n_sym
        wrong, wrong_e = u_bob != u, u_eve != u
        out["frame_errors"] = int(wrong.any(axis=1).sum())
        out.update(bit_error_counts(wrong))
        out["iterations"] = int(np.sum(iterations, dtype=np.int64))
        out["eve_frame_errors"] = int(wrong_e.any(axis=1).sum())
        eve_bits = bit_error_counts(wrong_e)
        out["eve_bit_errors"] = eve_bits["bit_errors"]
        out["eve_bit_errors_sq"] = eve_bits["bit_errors_sq"]
        sign = 1.0 - 2.0 * code_bits
        loss = np.logaddexp(0.0, -sign * np.clip(llr_eve, -700, 700)) / math.log(2)
        per_frame = np.rint(loss.sum(axis=1) * LOSS_SCALE).astype(np.int64)
        out["eve_llr_loss"] = int(per_frame.sum())
        out["eve_llr_loss_sq"] = int(np.dot(per_frame, per_frame))
        out["code_bits"] = n * code.n
        return out

    return times, stage("counting", counting)


def _solve_scaling():
    """Section 3: mean seconds per (Q, Lambda) solve of adp_design against N_T."""
    from linksim.channel.mimo import estimate_and_truth, path_loss
    from linksim.systems.an_mimo.adp import adp_design
    omega = path_loss(DISTANCE)
    k, d_a = 3, 1
    print(f"\n## 3. (Q, Lambda) program solve time against N_T (N_R = N_T, N_E = 2 N_T, "
          f"d_s = N_T // 2, d_a = {d_a}, K = {k}, matrix form, Clarabel)")
    print("   LMI sizes a + b + N_T (complex Hermitian): alpha d_s+(d_s+d_a)+N_T, beta "
          "2 d_a+N_T, gamma N_E+(d_s+d_a)+N_T, theta N_R+(d_s+d_a)+N_T (x K-1)")
    print(f"   {'N_T':>3} {'alpha':>5} {'beta':>4} {'gamma':>5} {'theta':>5} {'solves':>6} "
          f"{'s/solve':>8} {'1st design s/solve':>18} {'exponent':>8}  statuses")
    previous = None
    for n_t in SCALING_N_T:
        n_r, n_e, d_s = n_t, 2 * n_t, n_t // 2
        rng = np.random.default_rng([0, n_t])
        h_hat, h_true = estimate_and_truth(rng, (k, k, n_r, n_t), ZETA)
        h_eve_hat, h_eve_true = estimate_and_truth(rng, (k, n_e, n_t), ZETA)
        setting = dict(omega_m=omega, omega_i=omega, omega_e=omega, noise_r=NOISE,
                       noise_e=NOISE, p_total=P_TOTAL, d_s=d_s, d_a=d_a, eps=EPS, tol=0.0,
                       check_bounds=False)
        # the first solve of a shape compiles the program (cvxpy): a 1-iteration design first
        first = adp_design(h_hat, h_eve_hat, n_iter=1, **setting)
        design = adp_design(h_hat, h_eve_hat, n_iter=2, h_true=h_true, h_eve_true=h_eve_true,
                            **setting)
        solves = sum(design.statuses.values())
        per_solve = design.solve_seconds / solves
        first_per_solve = first.solve_seconds / sum(first.statuses.values())
        b = d_s + d_a
        exponent = "" if previous is None else \
            f"{math.log(per_solve / previous[1]) / math.log(n_t / previous[0]):8.2f}"
        statuses = ", ".join(f"{s} {v}" for s, v in design.statuses.items())
        print(f"   {n_t:>3} {d_s + b + n_t:>5} {2 * d_a + n_t:>4} {n_e + b + n_t:>5} "
              f"{n_r + b + n_t:>5} {solves:>6} {per_solve:>8.3f} {first_per_solve:>18.3f} "
              f"{exponent:>8}  {statuses}")
        previous = (n_t, per_solve)
    print("   exponent: log(t / t_prev) / log(N_T / N_T_prev); '1st design' includes the "
          "cvxpy compilation (N_T = 4 was compiled in section 1, the default point's shape)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=4000, help="frames per timed call")
    ap.add_argument("--skip-scaling", action="store_true",
                    help="skip section 3 (the program solve time against N_T)")
    args = ap.parse_args(argv)
    n = args.frames

    from linksim.systems import get_system
    from linksim.systems.an_mimo.adp import adp_design
    from linksim.systems.an_mimo.designs import Setting, draw_channels
    from linksim.systems.an_mimo.link import AnMimoLink
    params = get_system("an_mimo").complete(POOL)
    print(f"AN-MIMO link, default point (K {params['k']}, N_T {params['n_t']}, N_R "
          f"{params['n_r']}, N_E {params['n_e']}, d_s {params['d_s']}, d_a {params['d_a']}, "
          f"{params['modulation']}, LDPC ({params['n_code']}, {params['k_info']}), "
          f"{params['decoder']}-{params['num_iter']}), pool of {params['n_channels']} channels, "
          f"{params['n_iter']} design iterations, {n} frames per timed call")

    print("\n## 1. pool design and link throughput")
    s = Setting.from_params(params)
    draw = draw_channels(params["channel_seed"], 0, s, params["zeta"])
    t0 = time.perf_counter()
    # the pool's first design would compile the program; do it here so the pool time is clean
    adp_design(draw.h_hat, draw.h_eve_hat, **s.link(), p_total=s.p_total, d_s=s.d_s,
               d_a=s.d_a, eps=params["zeta"] if params["eps"] is None else params["eps"],
               n_iter=1, form=params["form"])
    t_compile = time.perf_counter() - t0
    base = AnMimoLink(**params)
    t0 = time.perf_counter()
    pool = base.pool
    t_pool = time.perf_counter() - t0
    print(f"   first design of the shape, 1 iteration (cvxpy compiles the program): "
          f"{t_compile:.2f} s")
    print(f"   pool design ({params['scheme']}, {params['n_iter']} iterations): "
          f"{t_pool / params['n_channels']:.2f} s per channel; active (channel, user, stream) "
          f"triples: {len(pool.active)}")
    configs = {"Bob lmmse, Eve lmmse (baseline)": {},
               "Bob lmmse, Eve ml": {"eve_detector": "ml"},
               "Bob zf, Eve lmmse": {"receiver": "zf"}}
    links, rates = {}, {}
    for label, change in configs.items():
        link = AnMimoLink(**{**params, **change})
        # the pool depends on the channels and the design only, which every config shares
        link._pool = pool
        links[label] = link
        t = _best(lambda: link.simulate_batch(np.random.default_rng(0), n))
        rates[label] = n / t
        print(f"   {label:<32s} {n / t:>9,.0f} frames/s")
    ref = rates["Bob lmmse, Eve lmmse (baseline)"]
    print("   ratio to the baseline: " + ", ".join(
        f"{label} {r / ref:.2f}x" for label, r in rates.items() if r != ref))

    c, i, k = (int(v) for v in pool.active[0])
    n_triple = max(1, n // len(pool.active))        # what one triple gets in a batch of n
    print(f"\n## 2. stages of _frames, triple (channel {c}, user {i}, stream {k}), "
          f"{n_triple} frames (a batch of {n} over {len(pool.active)} active triples)")
    for label in ("Bob lmmse, Eve lmmse (baseline)", "Bob lmmse, Eve ml"):
        link = links[label]
        times, counts = _stages(link, pool, c, i, k, n_triple, seed=1)
        t_frames = _best(lambda: link._frames(np.random.default_rng(1), pool, c, i, k,
                                              n_triple))
        same = counts == link._frames(np.random.default_rng(1), pool, c, i, k, n_triple)
        total = sum(times.values())
        print(f"   {label}")
        for name, t in times.items():
            print(f"     {name:<36s} {t:>9.4f} s {100 * t / total:>6.1f} %")
        front = sum(t for name, t in times.items()
                    if "detection" in name or name.startswith(("precoding", "channel")))
        decoding = sum(t for name, t in times.items() if name.startswith("LDPC decoding"))
        print(f"     sum of the stages {total:.4f} s, _frames measured {t_frames:.4f} s "
              f"(sum / measured {total / t_frames:.2f}); counts identical to _frames: {same}")
        print(f"     (detection + precoding + channel) / LDPC decoding: "
              f"{front / decoding:.2f}")

    if not args.skip_scaling:
        _solve_scaling()


if __name__ == "__main__":
    main()
