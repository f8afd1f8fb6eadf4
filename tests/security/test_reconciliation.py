"""Reconciliation by an LDPC syndrome (linksim.security.reconciliation; notes 001 §5.2, §5.3).

The side information of the base station is simulated as the LLRs of ``q`` through a binary
symmetric channel (crossover p) or BPSK over AWGN. Its conditional entropy per bit, ``H(q | x)``,
is the Slepian-Wolf limit: reconciliation at syndrome rate ``(n - k) / n`` can succeed only if
``H(q | x) < (n - k) / n``. For the AWGN LLRs it is estimated from the samples themselves,
``mean log2(1 + exp(-(1 - 2 q) llr))`` (exact in expectation, the LLRs being true posteriors).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from linksim.fec.ldpc import LDPC5G, LDPCCode
from linksim.security.privacy_amplification import toeplitz_hash, toeplitz_seeds
from linksim.security.reconciliation import (
    Reconciliation,
    choose_code,
    confirm,
    coset_representative,
    efficiency,
    public_message,
    reconcile,
    reconciliation_round,
    syndrome,
    target_syndrome_rate,
    undetected_mismatches,
)


def _gallager(rng, n: int, wc: int, wr: int) -> np.ndarray:
    """Gallager's (wc, wr)-regular parity-check matrix (wc bands, column permutations)."""
    m_band = n // wr
    band = np.zeros((m_band, n), np.uint8)
    for i in range(m_band):
        band[i, i * wr:(i + 1) * wr] = 1
    return np.vstack([band] + [band[:, rng.permutation(n)] for _ in range(wc - 1)])


def _h2(p: float) -> float:
    return -p * math.log2(p) - (1 - p) * math.log2(1 - p)


def _bsc_llr(rng, q, p):
    """LLRs of q from x = q xor Bernoulli(p): +-ln((1-p)/p)."""
    x = q ^ (rng.random(q.shape) < p).astype(np.uint8)
    return (1.0 - 2.0 * x) * math.log((1 - p) / p)


def _awgn_llr(rng, q, snr_db):
    """LLRs of q from y = (1 - 2q) + N(0, sigma^2), sigma^2 = 10^(-snr/10): 2 y / sigma^2."""
    sigma2 = 10 ** (-snr_db / 10)
    y = (1.0 - 2.0 * q) + rng.normal(0.0, math.sqrt(sigma2), q.shape)
    return 2.0 * y / sigma2


def _cond_entropy(q, llr) -> float:
    """Sample estimate of H(q | x) per bit, from the true-posterior LLRs."""
    return float(np.mean(np.logaddexp(0.0, -(1.0 - 2.0 * q) * llr)) / math.log(2))


@pytest.fixture(scope="module")
def small_code():
    """A (3, 6)-regular Gallager code, n = 96 (rank 46: k = 50), without repeated columns.

    A repeated column is a weight-2 codeword; a random n = 96 draw has 0.6 of them on average
    (seed 1 has one, and failed 2 frames of 2000 at 8 dB), seed 4 none (0 of 4000 frames
    failed at 6 dB, SPA 50 iterations).
    """
    h = _gallager(np.random.default_rng(4), 96, 3, 6)
    assert len({bytes(col) for col in h.T}) == 96
    return LDPCCode(h)


# ------------------------------------------------------------------ code-offset = coset
def test_code_offset_keeps_the_syndrome(small_code):
    rng = np.random.default_rng(10)
    q = rng.integers(0, 2, (200, small_code.n), dtype=np.uint8)
    t = public_message(q, small_code, rng)
    np.testing.assert_array_equal(syndrome(t, small_code.pcm), syndrome(q, small_code.pcm))
    # t xor q is a codeword, and t is not q (the offset is random).
    assert not syndrome(t ^ q, small_code.pcm).any()
    assert (t != q).any(axis=1).mean() > 0.99
    # Dense and sparse H give the same syndrome; a literal check of one frame.
    h = small_code.pcm.toarray()
    np.testing.assert_array_equal(syndrome(q, h), syndrome(q, small_code.pcm))
    np.testing.assert_array_equal(syndrome(q[0], h), (h.astype(int) @ q[0]) % 2)


def test_code_offset_is_uniform_on_the_coset():
    """t given q is uniform on q + C, so two blocks of one coset give the same law of t."""
    rng = np.random.default_rng(11)
    h = rng.integers(0, 2, (6, 10), dtype=np.uint8)
    code = LDPCCode(h)
    assert code.k == 4                                                  # 16 codewords
    words = ((np.arange(1 << code.k)[:, None] >> np.arange(code.k)) & 1).astype(np.uint8)
    codebook = code.encode(words)                                       # all of C
    q1 = rng.integers(0, 2, code.n, dtype=np.uint8)
    q2 = q1 ^ codebook[5]                                               # same coset as q1
    q3 = q1 ^ np.eye(code.n, dtype=np.uint8)[np.flatnonzero(h.any(axis=0))[0]]
    assert (syndrome(q3, h) != syndrome(q1, h)).any()                 # another coset
    coset = {bytes(w) for w in q1 ^ codebook}
    assert len(coset) == 1 << code.k                                    # C has 2^k words
    draws = 400 * (1 << code.k)
    hists = []
    for q in (q1, q2):
        t = public_message(np.broadcast_to(q, (draws, code.n)), code, rng)
        seen = [bytes(w) for w in t]
        assert set(seen) == coset                       # exactly the coset, all of it
        keys = {w: i for i, w in enumerate(sorted(coset))}
        counts = np.bincount([keys[w] for w in seen], minlength=len(coset))
        # uniform: chi-square against 400 per word (16 cells); p = 1e-4 cut
        assert stats.chisquare(counts).pvalue > 1e-4, counts
        hists.append(counts)
    # same law for q1 and q2: the two histograms are homogeneous
    assert stats.chi2_contingency(np.array(hists)).pvalue > 1e-4
    # a block of another coset never shares a message with q1's
    t3 = public_message(np.broadcast_to(q3, (200, code.n)), code, rng)
    assert not coset & {bytes(w) for w in t3}


# ------------------------------------------------------- literal syndrome route (LDPCCode)
def test_coset_representative(small_code):
    rng = np.random.default_rng(12)
    q = rng.integers(0, 2, (100, small_code.n), dtype=np.uint8)
    s = syndrome(q, small_code.pcm)
    t = coset_representative(s, small_code.pcm)
    np.testing.assert_array_equal(syndrome(t, small_code.pcm), s)
    assert not t[:, small_code.info_positions].any()    # zero on the information positions
    # H has rank 46 < 48 rows: each band of 16 rows sums to the all-ones row, so a syndrome
    # has the same parity over every band. Break it in band 1 against band 2.
    bad = rng.integers(0, 2, (4, small_code.pcm.shape[0]), dtype=np.uint8)
    same = bad[:, :16].sum(axis=1) % 2 == bad[:, 16:32].sum(axis=1) % 2
    bad[same, 0] ^= 1
    with pytest.raises(ValueError, match=r"^s: got 4 frame\(s\) .*outside the column space"):
        coset_representative(bad, small_code.pcm)


def test_both_routes_decode_identically(small_code):
    """Code offset t and literal-syndrome t' differ by a codeword; BP is symmetric under it."""
    rng = np.random.default_rng(13)
    q = rng.integers(0, 2, (300, small_code.n), dtype=np.uint8)
    llr = _awgn_llr(rng, q, 1.5)                # near the threshold: successes and failures
    t1 = public_message(q, small_code, rng)
    t2 = coset_representative(syndrome(q, small_code.pcm), small_code.pcm)
    assert (t1 != t2).any()
    for options in ({"algorithm": "spa", "num_iter": 50},
                    {"algorithm": "nms", "num_iter": 30, "early_stop": False}):
        q1, ok1 = reconcile(t1, llr, small_code, **options)
        q2, ok2 = reconcile(t2, llr, small_code, **options)
        np.testing.assert_array_equal(q1, q2)
        np.testing.assert_array_equal(ok1, ok2)
        good = (q1 == q).all(axis=1)
        assert 0 < good.sum() < len(q), good.sum()       # both kinds of frame were compared


# ----------------------------------------------------------------- reconciliation works
def test_small_code_strong_and_weak_side_information(small_code):
    rng = np.random.default_rng(14)
    rate = 1 - small_code.k / small_code.n                          # 46/96 = 0.479
    q = rng.integers(0, 2, (100, small_code.n), dtype=np.uint8)
    strong = _awgn_llr(rng, q, 6.0)
    assert _cond_entropy(q, strong) < 0.1 < rate
    res = reconciliation_round(q, strong, small_code, rng, confirm_bits=32, num_iter=50)
    assert res.agreed.all()
    np.testing.assert_array_equal(res.q_hat, q)
    assert res.leaked_bits == small_code.n - small_code.k + 32
    weak = _awgn_llr(rng, q, -3.0)
    assert _cond_entropy(q, weak) > 0.65 > rate
    res = reconciliation_round(q, weak, small_code, rng, confirm_bits=32, num_iter=50)
    assert res.agreed.sum() <= 2, res.agreed.sum()
    assert not undetected_mismatches(q, res.q_hat, res.agreed).any()


def test_5g_bsc_strong_and_weak():
    """(k, n) = (500, 1000), syndrome rate 0.5: BSC p = 0.03 (H = 0.19) vs p = 0.15 (H = 0.61).

    Measured (seed 15, NMS 50 iterations): 100/100 agreed at p = 0.03, 0/100 at p = 0.15. At
    p = 0.15 success needs fewer than about 110 flips in 1000 (the threshold region is
    p ~ 0.09-0.11 for this code), 3.5 standard deviations below the mean of 150.
    """
    code, leak = choose_code(1000, 0.5)
    assert (code.k, code.n, leak) == (500, 1000, 500)
    rng = np.random.default_rng(15)
    q = rng.integers(0, 2, (100, 1000), dtype=np.uint8)
    assert _h2(0.03) < 0.5 * leak / code.n < _h2(0.15)
    res = reconciliation_round(q, _bsc_llr(rng, q, 0.03), code, rng, confirm_bits=32,
                               algorithm="nms", num_iter=50)
    assert res.agreed.all() and res.decoded_ok.all()
    np.testing.assert_array_equal(res.q_hat, q)
    res = reconciliation_round(q, _bsc_llr(rng, q, 0.15), code, rng, confirm_bits=32,
                               algorithm="nms", num_iter=50)
    assert res.agreed.sum() <= 2, res.agreed.sum()
    assert not undetected_mismatches(q, res.q_hat, res.agreed).any()


def test_5g_awgn_bg1_strong_and_weak():
    """(k, n) = (1400, 2000), base graph 1, syndrome rate 0.3, BPSK-AWGN side information.

    H(q | x) = 0.14 at 5 dB, 0.44 at 1 dB. Measured (SPA, 50 iterations, 300 frames): all
    agree at 4 dB and above (H = 0.21), 57/300 at 3 dB (H = 0.28), none at 1 dB.
    """
    code, leak = choose_code(2000, 0.3)
    assert (code.k, code.bg, leak) == (1400, 1, 600)
    rng = np.random.default_rng(16)
    q = rng.integers(0, 2, (60, 2000), dtype=np.uint8)
    strong = _awgn_llr(rng, q, 5.0)
    assert _cond_entropy(q, strong) < 0.15 < 0.3
    res = reconciliation_round(q, strong, code, rng, confirm_bits=16, algorithm="spa",
                               num_iter=50)
    assert res.agreed.all()
    np.testing.assert_array_equal(res.q_hat, q)
    weak = _awgn_llr(rng, q, 1.0)
    assert _cond_entropy(q, weak) > 0.4 > 0.3
    res = reconciliation_round(q, weak, code, rng, confirm_bits=16, algorithm="spa",
                               num_iter=50)
    assert not res.agreed.any()
    assert not undetected_mismatches(q, res.q_hat, res.agreed).any()


def test_perfect_side_information_and_batch_shapes():
    code = LDPC5G(40, 100)
    rng = np.random.default_rng(17)
    q = rng.integers(0, 2, (3, 5, 100), dtype=np.uint8)
    t = public_message(q, code, rng)
    q_hat, ok = reconcile(t, 30.0 * (1.0 - 2.0 * q), code, num_iter=5)
    assert q_hat.shape == q.shape and ok.shape == (3, 5) and ok.all()
    np.testing.assert_array_equal(q_hat, q)
    empty, ok0 = reconcile(t[:0, 0], np.zeros((0, 100)), code)
    assert empty.shape == (0, 100) and ok0.shape == (0,)


def test_argument_errors(small_code):
    rng = np.random.default_rng(18)
    q = rng.integers(0, 2, (2, small_code.n), dtype=np.uint8)
    with pytest.raises(ValueError,
                       match=r"^q: got shape \(2, 95\); allowed: \[\.\.\., n\] with n = 96$"):
        public_message(q[:, 1:], small_code, rng)
    with pytest.raises(ValueError, match=r"^q: got values outside \{0, 1\}"):
        public_message(2 * q, small_code, rng)
    with pytest.raises(TypeError, match=r"^rng: got int"):
        public_message(q, small_code, 3)
    with pytest.raises(ValueError, match=r"^llr: got shape \(2, 5\); allowed: the shape of t"):
        reconcile(q, np.zeros((2, 5)), small_code)
    with pytest.raises(TypeError, match=r"^llr: got dtype int64; allowed: a floating dtype$"):
        reconcile(q, np.zeros(q.shape, np.int64), small_code)
    with pytest.raises(ValueError, match=r"^pcm: got values outside"):
        syndrome(q, 2 * small_code.pcm.toarray())


# ---------------------------------------------------------------------- rate adaptation
@pytest.mark.parametrize("n, rate, k", [(1000, 0.3, 700), (1000, 0.2999, 700),
                                        (1000, 0.3001, 699), (777, 0.2265 + 0.05, 562),
                                        (200, 0.05, 190), (13, 0.07, 12)])
def test_choose_code_leak(n, rate, k):
    code, leak = choose_code(n, rate)
    assert (code.k, code.n, leak) == (k, n, n - k)
    assert leak >= n * rate - 1e-9 and leak - 1 < n * rate
    assert choose_code(n, rate)[0] is code                  # the shared cached code


@pytest.mark.parametrize("n, rate, error, match", [
    (1000, 0.0, ValueError, r"^syndrome_rate: got 0\.0; allowed: a number in \(0, 1\)$"),
    (1000, 1.0, ValueError, r"^syndrome_rate: got 1\.0; allowed: a number in \(0, 1\)$"),
    (1000, 0.001, ValueError, r"^syndrome_rate: got 0\.001 for n=1000 \(k = 999\); allowed: 12"),
    (1000, 0.04, ValueError, r"^syndrome_rate: got 0\.04 for n=1000 \(k = 960\); allowed: .*"
                             r"k/n <= 0\.95 .*rate in \[0\.05, 0\.988\]"),
    (20, 0.5, ValueError, r"^syndrome_rate: got 0\.5 for n=20 \(k = 10\); allowed: 12 <= k"),
    (20000, 0.5, ValueError, r"^syndrome_rate: got 0\.5 for n=20000 \(k = 10000\); allowed: "
                             r"12 <= k <= 8448"),
    (20000, 0.8, ValueError, r"^syndrome_rate: got 0\.8 for n=20000 \(k = 4000, rate 0\.200\); "
                             r"allowed: k <= 3840 where TS 38\.212 §7\.2\.2 picks base graph 2"),
    (12, 0.5, ValueError, r"^n: got 12; allowed: an integer >= 13"),
    (1000.0, 0.5, TypeError, r"^n: got 1000\.0 of type float"),
    (1000, -0.1, ValueError, r"^syndrome_rate: got -0\.1; allowed: a number in \(0, 1\)$"),
    (1000, "0.3", TypeError, r"^syndrome_rate: got '0\.3' of type str"),
])
def test_choose_code_errors(n, rate, error, match):
    with pytest.raises(error, match=match):
        choose_code(n, rate)


# ------------------------------------------------------------------------- confirmation
def test_single_bit_error_detected_with_probability_1_minus_2_to_minus_m():
    """A forced one-bit error in q_hat passes a fresh m-bit hash with probability 2^-m exactly
    (column j of a uniform Toeplitz matrix is m uniform seed bits)."""
    rng = np.random.default_rng(20)
    frames, n = 40000, 64
    q = rng.integers(0, 2, (frames, n), dtype=np.uint8)
    q_hat = q.copy()
    q_hat[np.arange(frames), rng.integers(0, n, frames)] ^= 1
    ok = np.ones(frames, bool)
    for m in (1, 4, 8):
        seeds = toeplitz_seeds(rng, n, m, (frames,))
        agreed = confirm(q_hat, ok, toeplitz_hash(q, seeds), seeds)
        p = 2.0 ** -m
        sd = math.sqrt(frames * p * (1 - p))
        assert abs(agreed.sum() - frames * p) < 5 * sd, (m, agreed.sum(), frames * p)
    seeds = toeplitz_seeds(rng, n, 32, (frames,))
    tag = toeplitz_hash(q, seeds)
    assert not confirm(q_hat, ok, tag, seeds).any()       # expected 40000 * 2^-32 ~ 1e-5
    assert confirm(q, ok, tag, seeds).all()               # the right block always agrees
    ok[::2] = False                                       # the decoder's flag vetoes
    np.testing.assert_array_equal(confirm(q, ok, tag, seeds), ok)
    # one seed for every frame broadcasts
    np.testing.assert_array_equal(confirm(q[:5], ok[:5], toeplitz_hash(q[:5], seeds[0]),
                                          seeds[0]), ok[:5])
    with pytest.raises(ValueError, match=r"^tag, decoded_ok: got shapes \(5, 31\), \(5,\); "
                                         r"allowed: \(5, 32\) and \(5,\)"):
        confirm(q[:5], ok[:5], tag[:5, 1:], seeds[:5])


def test_undetected_mismatch_counting():
    rng = np.random.default_rng(21)
    frames, n = 20000, 50
    q = rng.integers(0, 2, (frames, n), dtype=np.uint8)
    wrong = rng.random(frames) < 0.5
    q_hat = q ^ ((rng.random((frames, n)) < 0.1) & wrong[:, None]).astype(np.uint8)
    wrong = (q_hat != q).any(axis=1)
    seeds = toeplitz_seeds(rng, n, 2, (frames,))
    agreed = confirm(q_hat, np.ones(frames, bool), toeplitz_hash(q, seeds), seeds)
    undetected = undetected_mismatches(q, q_hat, agreed)
    np.testing.assert_array_equal(undetected, agreed & wrong)
    assert agreed[~wrong].all()
    # a wrong block passes a 2-bit hash with probability 1/4
    w = int(wrong.sum())
    assert abs(undetected.sum() - w / 4) < 5 * math.sqrt(w * 3 / 16), (undetected.sum(), w)


def test_hash_catches_what_the_decoder_flag_misses(small_code):
    """Near the threshold BP sometimes converges to another word of the coset (ok, but wrong);
    a 1-bit hash lets about half of them through, a 32-bit hash none."""
    rng = np.random.default_rng(22)
    q = rng.integers(0, 2, (2000, small_code.n), dtype=np.uint8)
    llr = _awgn_llr(rng, q, 1.0)        # measured: 38 such frames of 2000, 17 pass 1 bit
    counts = {}
    for m in (1, 32):
        res = reconciliation_round(q, llr, small_code, np.random.default_rng(23),
                                   confirm_bits=m, num_iter=50)
        wrong_ok = res.decoded_ok & (res.q_hat != q).any(axis=1)
        undetected = undetected_mismatches(q, res.q_hat, res.agreed)
        assert not (undetected & ~wrong_ok).any()
        counts[m] = (int(wrong_ok.sum()), int(undetected.sum()), int(res.agreed.sum()))
    assert counts[1][0] == counts[32][0] >= 10, counts    # same draws of u: same decoding
    w = counts[1][0]                                      # 1-bit hash: Binomial(w, 1/2)
    assert abs(counts[1][1] - w / 2) < 4 * math.sqrt(w / 4) and counts[32][1] == 0, counts


def test_round_draw_order_and_record():
    code = LDPC5G(60, 120)
    q = np.random.default_rng(24).integers(0, 2, (4, 120), dtype=np.uint8)
    res = reconciliation_round(q, 20.0 * (1.0 - 2.0 * q), code, np.random.default_rng(5),
                               confirm_bits=8)
    assert isinstance(res, Reconciliation) and res.leaked_bits == 60 + 8
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(res.public, public_message(q, code, rng))
    np.testing.assert_array_equal(res.seeds, toeplitz_seeds(rng, 120, 8, (4,)))
    np.testing.assert_array_equal(res.tag, toeplitz_hash(q, res.seeds))
    assert res.agreed.all()


# ---------------------------------------------------------------------------- efficiency
def test_efficiency():
    # notes 001 §3.3, 1-bit quantizer: H(Q) = 1, H(Q|X) = 0.2265, I(Q; X) = 0.7735
    h_q, h_qx = 1.0, 0.2265
    i_qx = h_q - h_qx
    assert float(efficiency(h_qx, h_q, i_qx)) == pytest.approx(1.0)       # Slepian-Wolf
    assert float(efficiency(0.3, h_q, i_qx)) == pytest.approx(0.7 / 0.7735)
    # per-bit form, b = 2 bits per symbol, 0.4 leaked bits per quantized bit
    assert float(efficiency(2 * 0.4, 1.9, 1.2)) == pytest.approx((1.9 - 0.8) / 1.2)
    beta = np.array([0.8, 0.9, 0.95, 1.0])
    r = target_syndrome_rate(beta, 1.9, 1.2, 2)
    np.testing.assert_allclose(efficiency(2 * r, 1.9, 1.2), beta)
    np.testing.assert_allclose(r[-1], (1.9 - 1.2) / 2)                    # H(Q|X) / b
    with pytest.raises(ValueError, match=r"^i_qx: got 0\.0; allowed: finite numbers > 0"):
        efficiency(0.3, 1.0, 0.0)
    with pytest.raises(ValueError, match=r"^leak_per_symbol: got -1; allowed: finite numbers >= 0"):
        efficiency(-1, 1.0, 0.5)
    with pytest.raises(ValueError, match=r"^bits_per_symbol: got 0; allowed: an integer >= 1"):
        target_syndrome_rate(0.9, 1.0, 0.5, 0)
