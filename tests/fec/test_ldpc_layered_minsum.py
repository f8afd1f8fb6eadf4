"""The specialized layered min-sum kernel (issue 17).

Float: every frame decodes exactly as on the decoder before issue 17 (``baseline=True``: the
generic kernel with the eager refill), over codes, rules, precisions, stopping rules, batch
sizes, known and erased bits. Fixed point: bit for bit the arithmetic its docstring states,
written out here independently, frame by frame in NumPy; and a frame's result does not depend
on the batch or the threads.
"""

import numba
import numpy as np
import pytest
import scipy.sparse as sp

from linksim.fec import cached_code
from linksim.fec.ldpc import layered_minsum
from linksim.fec.ldpc.decoder import KNOWN_LLR, QCGraph, bp_decode, checks_satisfied


def _irregular_graph(seed=5, n_checks=60, n_vars=120):
    """A plain (Z = 1) irregular parity-check matrix with check degrees 1 to 9, so the kernel
    meets degree-1 checks and uneven rows."""
    rng = np.random.default_rng(seed)
    rows, cols = [], []
    for c in range(n_checks):
        deg = 1 if c == 0 else int(rng.integers(2, 10))
        for v in rng.choice(n_vars, deg, replace=False):
            rows.append(c)
            cols.append(v)
    pcm = sp.coo_matrix((np.ones(len(rows), np.uint8), (rows, cols)), shape=(n_checks, n_vars))
    return QCGraph.from_pcm(pcm)


def _assert_same(a, b, what):
    for x, y in zip(a, b):
        assert np.array_equal(x, y), what


@pytest.mark.parametrize("algorithm", ["nms", "oms"])
@pytest.mark.parametrize("precision", ["float32", "float64"])
def test_float_kernel_decodes_every_frame_as_the_baseline(algorithm, precision, decoder_llrs):
    code = cached_code("ldpc5g", 1000, 2000)           # base graph 1
    for ebno_db, frames, seed in ((0.8, 65, 1), (2.5, 130, 2), (4.0, 200, 3)):
        llr = decoder_llrs(code, frames, ebno_db, seed)
        for early_stop in (True, False):
            kw = dict(num_iter=15, algorithm=algorithm, early_stop=early_stop,
                      precision=precision, return_posteriors=True)
            _assert_same(bp_decode(code.graph, llr, **kw),
                         bp_decode(code.graph, llr, baseline=True, **kw),
                         (ebno_db, early_stop))


def test_float_kernel_on_an_irregular_graph_with_known_and_erased_bits():
    graph = _irregular_graph()
    rng = np.random.default_rng(11)
    llr = rng.normal(1.5, 2.0, (97, graph.n_vars)).astype(np.float32)
    llr[:, :5] = np.inf                                # known bits
    llr[:, 5:9] = 0.0                                  # erased
    llr[3, 20:30] = -np.inf
    for algorithm in ("nms", "oms"):
        for early_stop in (True, False):
            kw = dict(num_iter=9, algorithm=algorithm, early_stop=early_stop,
                      return_posteriors=True)
            _assert_same(bp_decode(graph, llr, **kw), bp_decode(graph, llr, baseline=True, **kw),
                         (algorithm, early_stop))


def test_float_kernel_batch_sizes_around_the_lane_count_and_threads(decoder_llrs):
    """Batches below, at and above 64 lanes, and one frame (generic kernel below 32 frames):
    every frame as in one large batch, on 1 and 2 threads."""
    code = cached_code("ldpc5g", 200, 400)
    llr = decoder_llrs(code, 300, 2.0, 4)
    whole = bp_decode(code.graph, llr, algorithm="nms", return_posteriors=True)
    threads = numba.get_num_threads()
    try:
        for n_threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS)}):
            numba.set_num_threads(n_threads)
            start = 0
            for size in (1, 31, 32, 63, 64, 65, 44):
                part = bp_decode(code.graph, llr[start:start + size], algorithm="nms",
                                 return_posteriors=True)
                _assert_same(part, [w[start:start + size] for w in whole], (n_threads, size))
                start += size
    finally:
        numba.set_num_threads(threads)


def _reference_fixed(graph, llr, precision, algorithm, num_iter, early_stop, alpha, beta,
                     llr_max):
    """The fixed-point layered min-sum of layered_minsum's docstring, one frame at a time, in
    int64 NumPy with explicit saturation. Returns hard [B, N], iterations [B], posteriors [B, N]
    in LLR units (float32)."""
    _, frac, in_lim, _, lim = layered_minsum.FIXED_POINT[precision]
    a_num = round(alpha * 256)
    b_off = min(round(beta * 2 ** frac), lim)
    m_max = min(round(llr_max * 2 ** frac), in_lim)
    scaled_llr = np.rint(np.clip(llr, -KNOWN_LLR, KNOWN_LLR).astype(np.float32)
                         * np.float32(2 ** frac))
    channel_q = np.clip(scaled_llr, -in_lim, in_lim).astype(np.int64)
    n_frames = llr.shape[0]
    hard = np.zeros(llr.shape, np.uint8)
    iterations = np.zeros(n_frames, np.int32)
    soft = np.zeros(llr.shape, np.float32)
    checks = [(graph.chk_ptr[c], graph.chk_ptr[c + 1]) for c in range(graph.n_checks)]
    for f in range(n_frames):
        post = channel_q[f].copy()
        msg = np.zeros(graph.n_edges, np.int64)
        for it in range(1, num_iter + 1):
            for lo, hi in checks:
                variables = graph.chk_var[lo:hi]
                q = np.clip(post[variables] - msg[lo:hi], -lim, lim)
                mag = np.abs(q)
                ordered = np.sort(mag)
                min1 = ordered[0]
                min2 = ordered[1] if ordered.size > 1 else lim
                # the edge(s) holding min1 get min2 (on a tie min2 == min1)
                m = np.where(mag == min1, min2, min1)
                if algorithm == "nms":
                    m = (m * a_num) >> 8
                else:
                    m = np.maximum(m - b_off, 0)
                m = np.minimum(m, m_max)
                negative = q < 0
                sign = -1 if np.count_nonzero(negative) % 2 else 1
                r = np.where(negative, -sign * m, sign * m)
                post[variables] = np.clip(q + r, -lim, lim)
                msg[lo:hi] = r
            decision = (post < 0).astype(np.uint8)
            if early_stop and not graph.syndrome(decision).any():
                break
        hard[f], iterations[f] = decision, it
        soft[f] = post / np.float32(2 ** frac)
    return hard, iterations, soft


@pytest.mark.parametrize("precision", ["int16", "int8"])
@pytest.mark.parametrize("algorithm", ["nms", "oms"])
def test_fixed_point_kernel_is_the_documented_arithmetic(precision, algorithm, decoder_llrs):
    """Low SNR (frames run to the cap), the waterfall, high SNR (channel LLRs saturate in int8),
    and alpha/beta off their defaults; hard decisions, iterations and posteriors bit for bit."""
    code = cached_code("ldpc5g", 60, 120)
    for ebno_db, seed, alpha, beta in ((0.0, 1, 0.75, 0.5), (2.5, 2, 0.8, 0.25),
                                       (7.0, 3, 0.75, 0.5)):
        llr = decoder_llrs(code, 40, ebno_db, seed)
        for early_stop in (True, False):
            kw = dict(num_iter=8, algorithm=algorithm, early_stop=early_stop, alpha=alpha,
                      beta=beta, llr_max=20.0)
            got = bp_decode(code.graph, llr, precision=precision, return_posteriors=True, **kw)
            want = _reference_fixed(code.graph, llr, precision, **kw)
            _assert_same(got, want, (ebno_db, early_stop))
    if precision == "int8":     # posteriors beyond the 8-bit range of channel and messages
        _, frac, in_lim, _, _ = layered_minsum.FIXED_POINT["int8"]
        assert np.abs(got[2]).max() > in_lim / 2 ** frac


def test_fixed_point_on_an_irregular_graph_with_known_and_erased_bits():
    graph = _irregular_graph(seed=8)
    rng = np.random.default_rng(12)
    llr = rng.normal(1.0, 3.0, (37, graph.n_vars))      # float64 in: rounded to float32 first
    llr[:, :5] = np.inf
    llr[:, 5:9] = 0.0
    for precision in ("int16", "int8"):
        kw = dict(num_iter=7, algorithm="nms", early_stop=True, alpha=0.75, beta=0.5,
                  llr_max=12.0)
        got = bp_decode(graph, llr, precision=precision, return_posteriors=True, **kw)
        _assert_same(got, _reference_fixed(graph, llr, precision, **kw), precision)


def test_fixed_point_frames_do_not_depend_on_batch_or_threads(decoder_llrs):
    code = cached_code("ldpc5g", 200, 400)
    llr = decoder_llrs(code, 260, 1.8, 6)
    for precision in ("int16", "int8"):
        whole = bp_decode(code.graph, llr, algorithm="nms", precision=precision)
        threads = numba.get_num_threads()
        try:
            numba.set_num_threads(1)
            parts = [bp_decode(code.graph, llr[a:b], algorithm="nms", precision=precision)
                     for a, b in ((0, 5), (5, 70), (70, 260))]
        finally:
            numba.set_num_threads(threads)
        for i in range(2):
            assert np.array_equal(whole[i], np.concatenate([p[i] for p in parts])), precision


def test_fixed_point_early_stop_leaves_valid_codewords_and_decodes_at_high_snr(decoder_llrs):
    """At 3.5 dB nearly every frame stops early; a stopped frame's decisions are a codeword
    (its syndrome was zero) and, the decoders having converged, the float32 decoder's."""
    code = cached_code("ldpc5g", 200, 400)
    llr = decoder_llrs(code, 300, 3.5, 7)
    reference, _ = bp_decode(code.graph, llr, num_iter=20, algorithm="nms")
    for precision in ("int16", "int8"):
        hard, iterations = bp_decode(code.graph, llr, num_iter=20, algorithm="nms",
                                     precision=precision)
        stopped = iterations < 20
        assert stopped.mean() > 0.99, precision
        assert not code.graph.syndrome(hard[stopped]).any()
        assert checks_satisfied(code.graph, hard, iterations, 20, True)[stopped].all()
        same = (hard == reference).all(axis=1)
        assert same.mean() > 0.99, (precision, same.mean())


def test_quantize_rounds_half_to_even_and_saturates():
    # int8 (F = 3): 0.0625 and 0.1875 are 0.5 and 1.5 steps; int16 (F = 5): 0.015625, 0.046875
    llr = np.array([[0.0625, 0.1875, 0.015625, 0.046875, 31.8, -1e30, 0.0, np.float32(1e30)]],
                   np.float32)
    assert layered_minsum.quantize(llr, "int8").tolist() == [[0, 2, 0, 0, 127, -127, 0, 127]]
    assert layered_minsum.quantize(llr, "int16").tolist() == [[2, 6, 0, 2, 1018, -32767, 0,
                                                                32767]]
    assert layered_minsum.quantize(llr, "int8").dtype == np.int8
    with pytest.raises(ValueError, match="^precision: got 'int4'; allowed: int16, int8"):
        layered_minsum.quantize(llr, "int4")


@pytest.mark.parametrize("kw, match", [
    (dict(algorithm="spa", precision="int16"), "^precision: got 'int16' with algorithm='spa'"),
    (dict(algorithm="nms", schedule="flooding", precision="int8"),
     "^precision: got 'int8' with algorithm='nms', schedule='flooding'"),
    (dict(algorithm="nms", precision="int8", baseline=True), "baseline=True; allowed"),
    (dict(algorithm="nms", precision="int4"), "^precision: got 'int4'; allowed: float32, "),
])
def test_fixed_point_only_where_it_exists(kw, match):
    code = cached_code("ldpc5g", 60, 120)
    with pytest.raises(ValueError, match=match):
        bp_decode(code.graph, np.zeros((2, code.graph.n_vars), np.float32), **kw)
