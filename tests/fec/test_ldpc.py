"""Tests of linksim.fec.ldpc: the 5G NR LDPC code (TS 38.212 §5.2.2, §5.3.2, §5.4.2.1, §7.2.2),
generic LDPC codes (parity-check matrix / alist) and the belief-propagation decoders.

The references used here are written independently of the module under test: the lifting-size
table, the base-graph selection rule, the lifting of a base graph, the circular-buffer read-out
and the de-rate-matching are all re-derived from the standard's text in this file.

LLR convention (DESIGN.md): llr = ln P(0)/P(1), so a transmitted bit c has noiseless LLR
(1 - 2 c) * big.
"""

from __future__ import annotations

import math

import galois
import numba
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linksim.fec.ldpc import (
    KNOWN_LLR,
    LDPC5G,
    LDPCCode,
    QCGraph,
    base_graph,
    bp_decode,
    lifting_sizes,
    read_alist,
    select_base_graph,
    write_alist,
)

# TS 38.212 Table 5.3.2-1, written out: set index i_LS -> lifting sizes Z_c.
LIFTING_TABLE = {
    0: [2, 4, 8, 16, 32, 64, 128, 256],
    1: [3, 6, 12, 24, 48, 96, 192, 384],
    2: [5, 10, 20, 40, 80, 160, 320],
    3: [7, 14, 28, 56, 112, 224],
    4: [9, 18, 36, 72, 144, 288],
    5: [11, 22, 44, 88, 176, 352],
    6: [13, 26, 52, 104, 208],
    7: [15, 30, 60, 120, 240],
}
SET_OF = {z: i for i, zs in LIFTING_TABLE.items() for z in zs}
SHAPE = {1: (46, 68), 2: (42, 52)}
KCOLS = {1: 22, 2: 10}      # systematic block columns of the base graph (K = KCOLS * Z)


# ----------------------------------------------------------------------------- references

def ref_kb(k: int, bg: int) -> int:
    """K_b of §5.2.2 (with the code block size k standing for B)."""
    if bg == 1:
        return 22
    return 10 if k > 640 else 9 if k > 560 else 8 if k > 192 else 6


def ref_lifting(k: int, bg: int) -> tuple[int, int]:
    """Brute force: the minimal Z of Table 5.3.2-1 with K_b * Z >= k, and its set index."""
    kb = ref_kb(k, bg)
    z = min(z for z in SET_OF if kb * z >= k)
    return z, SET_OF[z]


def ref_bg(k: int, n: int) -> int:
    """§7.2.2 with A = k and R = k / n."""
    r = k / n
    return 2 if (k <= 292 or (k <= 3824 and r <= 0.67) or r <= 0.25) else 1


def ref_pcm(bg: int, z: int, i_ls: int) -> sp.csr_matrix:
    """Lift base graph ``bg`` by Z: entry V becomes I(V mod Z), the identity cyclically shifted
    to the right, i.e. row t of the block has its one in column (t + V mod Z) mod Z."""
    v = np.asarray(base_graph(bg))[:, :, i_ls]
    rows, cols = [], []
    for i, j in zip(*np.nonzero(v >= 0)):
        p = int(v[i, j]) % z
        for t in range(z):
            rows.append(i * z + t)
            cols.append(j * z + (t + p) % z)
    m, n = SHAPE[bg]
    return sp.csr_matrix((np.ones(len(rows), np.uint8), (rows, cols)), shape=(m * z, n * z))


def ref_tx_positions(k: int, n: int, z: int, k_ldpc: int, n_ldpc: int) -> np.ndarray:
    """§5.4.2.1 with N_cb = N, rv 0 (k_0 = 0): read d_j = c_{j + 2Z} cyclically, skip fillers."""
    out = []
    j = 0
    n_cb = n_ldpc - 2 * z
    while len(out) < n:
        pos = 2 * z + (j % n_cb)
        if not (k <= pos < k_ldpc):
            out.append(pos)
        j += 1
    return np.array(out, np.int64)


def syndrome(h, cw) -> np.ndarray:
    """H @ c mod 2 for a batch of words cw [B, N] -> [B, M] (int64 arithmetic, no overflow)."""
    h = sp.csr_matrix(h).astype(np.int64)
    return np.asarray(h @ np.asarray(cw, np.int64).T).T % 2


def random_bits(rng, shape) -> np.ndarray:
    return rng.integers(0, 2, shape, dtype=np.uint8)


# The (k, n, bg) of the encoder and decoder tests are selections of LDPC_SIZES in
# tests/fec/conftest.py ("encoder", "noiseless", "graph", "derate").


@pytest.fixture(scope="module")
def code512():
    return LDPC5G(512, 1024)


# ----------------------------------------------------------------------------- tables

def test_base_graph_tables_shapes_and_weights():
    """BG1 is 46 x 68 with 316 non-zero entries, BG2 42 x 52 with 197 (Tables 5.3.2-2/-3), the
    same positions for every i_LS, and every shift V in [0, 384)."""
    for bg, nnz in ((1, 316), (2, 197)):
        b = base_graph(bg)
        assert b.shape == SHAPE[bg] + (8,)
        present = b >= 0
        for i_ls in range(8):
            assert present[:, :, i_ls].sum() == nnz
            assert np.array_equal(present[:, :, i_ls], present[:, :, 0])
        assert b.max() < 384 and set(np.unique(b[b < 0])) == {-1}
        assert not b.flags.writeable
    with pytest.raises(ValueError, match="bg"):
        base_graph(3)


def test_lifting_sizes_table():
    """The 51 values a * 2^j <= 384 of Table 5.3.2-1, sorted by Z, with their set indices."""
    expected = sorted((z, i) for i, zs in LIFTING_TABLE.items() for z in zs)
    assert len(expected) == 51
    assert lifting_sizes() == expected
    for z, i in lifting_sizes():
        a = (2, 3, 5, 7, 9, 11, 13, 15)[i]
        j = round(math.log2(z // a))
        assert a * 2 ** j == z <= 384


@pytest.mark.parametrize("bg", [1, 2])
def test_base_graph_core_and_extension_structure(bg):
    """Rows 0-3 hold the 4 core parity columns: a dual diagonal of shift-0 blocks on columns
    Kc+1..Kc+3 and three entries on column Kc, the outer two with equal shifts (so summing the
    core rows leaves one block). Rows i >= 4 end with an identity on column Kc + i."""
    kc = KCOLS[bg]
    first_col_rows = {1: (0, 1, 3), 2: (0, 2, 3)}[bg]
    b = base_graph(bg)
    for i_ls in range(8):
        v = b[:, :, i_ls]
        assert not np.any(v[:4, kc + 4:] >= 0)
        for j in range(1, 4):
            assert tuple(np.flatnonzero(v[:4, kc + j] >= 0)) == (j - 1, j)
            assert v[j - 1, kc + j] == 0 and v[j, kc + j] == 0
        rows = tuple(np.flatnonzero(v[:4, kc] >= 0))
        assert rows == first_col_rows
        assert v[rows[0], kc] == v[rows[2], kc] != v[rows[1], kc]
        for i in range(4, v.shape[0]):
            assert v[i, kc + i] == 0
            assert not np.any(v[i, kc + i + 1:] >= 0)
        # The lifted core (4Z x 4Z) is invertible over GF(2) for the smallest Z of the set.
        z = LIFTING_TABLE[i_ls][0]
        core = ref_pcm(bg, z, i_ls)[: 4 * z, kc * z:(kc + 4) * z].toarray()
        assert np.linalg.matrix_rank(galois.GF2(core)) == 4 * z


# ----------------------------------------------------------------------------- selection

def test_select_base_graph_boundaries():
    """§7.2.2: BG2 if A <= 292, or A <= 3824 and R <= 0.67, or R <= 0.25; otherwise BG1."""
    cases = [((292, 0.9), 2), ((293, 0.9), 1), ((1000, 0.67), 2), ((1000, 0.68), 1),
             ((4000, 0.25), 2), ((4000, 0.26), 1), ((3824, 0.5), 2), ((3825, 0.5), 1),
             ((3824, 0.68), 1), ((8448, 0.25), 2)]
    for (k, r), bg in cases:
        assert select_base_graph(k, r) == bg, (k, r)
    # The same boundaries through the constructor, with R = k / n.
    for k, n, bg in [(292, 320, 2), (293, 320, 1), (670, 1000, 2), (680, 1000, 1),
                     (3824, 7648, 2), (3825, 7650, 1), (3830, 15320, 2), (3830, 15319, 1),
                     (3000, 12000, 2), (3000, 11538, 2)]:
        code = LDPC5G(k, n)
        assert code.bg == bg == ref_bg(k, n), (k, n)
        assert code.coderate == k / n


@pytest.mark.parametrize("k, kb", [(192, 6), (193, 8), (560, 8), (561, 9), (640, 9), (641, 10),
                                   (12, 6), (3840, 10)])
def test_kb_bg2_boundaries(k, kb):
    """§5.2.2: K_b = 10, 9, 8, 6 for B > 640, > 560, > 192, else; Z_c is the minimal lifting
    size with K_b Z_c >= k; K = 10 Z_c for BG2 whatever K_b was."""
    code = LDPC5G(k, 2 * k, bg=2)
    assert code.bg == 2 and code.k_b == kb
    assert (code.z, code.i_ls) == ref_lifting(k, 2)
    assert code.k_ldpc == 10 * code.z and code.n_filler == code.k_ldpc - k


def test_lifting_size_is_minimal_bruteforce():
    """Z_c (and i_LS) agree with brute force over lifting_sizes() for many k on both graphs."""
    rng = np.random.default_rng(5)
    ks = set(range(12, 200)) | set(rng.integers(12, 3841, 150).tolist())
    ks |= {kb * z + d for z in SET_OF for kb in (6, 8, 9, 10, 22) for d in (-1, 0, 1)}
    brute = sorted(lifting_sizes())
    checked = 0
    for k in sorted(ks):
        for bg in (1, 2):
            if not 12 <= k <= (8448 if bg == 1 else 3840):
                continue
            code = LDPC5G(k, k + 1 + k // 2, bg=bg)
            kb = ref_kb(k, bg)
            z_min, i_min = next((z, i) for z, i in brute if kb * z >= k)
            assert (code.z, code.i_ls) == (z_min, i_min) == ref_lifting(k, bg), (k, bg)
            assert code.k_b == kb
            checked += 1
    assert checked > 500


@pytest.mark.parametrize("bg", [1, 2])
def test_every_lifting_size_constructs_and_encodes(bg):
    """Every one of the 51 lifting sizes of each base graph: construction succeeds (the encoder
    checks the dual-diagonal and extension structure), H matches an independent lifting, and
    the mother codeword satisfies every check."""
    rng = np.random.default_rng(bg)
    seen_sets = set()
    for z, i_ls in lifting_sizes():
        # the k range that selects this Z: (K_b * Z_prev, K_b * Z]
        k = None
        for cand in range(KCOLS[bg] * z, 11, -1):
            if cand <= (8448 if bg == 1 else 3840) and ref_lifting(cand, bg)[0] == z:
                k = cand
                break
        if k is None:
            continue
        n = max(k + 1, int(1.3 * k))
        code = LDPC5G(k, n, bg=bg)
        assert (code.z, code.i_ls) == (z, i_ls)
        assert code.n_ldpc == SHAPE[bg][1] * z and code.n_cb == code.n_ldpc - 2 * z
        assert code.k_ldpc == KCOLS[bg] * z
        seen_sets.add(i_ls)
        if z <= 64 or z in (96, 208, 384):
            assert (code.pcm != ref_pcm(bg, z, i_ls)).nnz == 0
        u = random_bits(rng, (3, k))
        cw = code.mother_codeword(u)
        assert not syndrome(code.pcm, cw).any(), (k, n, bg)
    assert seen_sets == set(range(8))


# ----------------------------------------------------------------------------- encoding

def test_encoder_code_list_covers_requirements(ldpc_sizes):
    """The "encoder" selection spans both graphs, all 8 lifting sets of each, fillers,
    puncturing, repetition."""
    sets = {1: set(), 2: set()}
    filler = punct = rep = False
    for k, n, bg in ldpc_sizes("encoder"):
        code = LDPC5G(k, n, bg)
        sets[code.bg].add(code.i_ls)
        sendable = code.n_cb - code.n_filler
        filler |= code.n_filler > 0
        punct |= n < sendable
        rep |= n > sendable
    assert sets[1] == set(range(8)) and sets[2] == set(range(8))
    assert filler and punct and rep


@pytest.mark.ldpc_sizes("encoder")
def test_mother_codeword_satisfies_pcm(k, n, bg):
    """pcm @ mother_codeword(u) = 0 (mod 2); systematic part = u; fillers are zero; the
    parity-check matrix is the independent lifting of the base graph."""
    rng = np.random.default_rng(k * 7919 + n)
    code = LDPC5G(k, n, bg)
    u = random_bits(rng, (6, k))
    cw = code.mother_codeword(u)
    assert cw.shape == (6, code.n_ldpc) and cw.dtype == np.uint8
    assert not syndrome(code.pcm, cw).any()
    assert np.array_equal(cw[:, :k], u)
    assert not cw[:, k:code.k_ldpc].any()
    assert (code.pcm != ref_pcm(code.bg, code.z, code.i_ls)).nnz == 0
    # Not all-zero parity: the encoder does something.
    assert cw[:, code.k_ldpc:].any()


@pytest.mark.ldpc_sizes("encoder")
def test_encode_reads_the_circular_buffer(k, n, bg):
    """encode(u) = mother codeword read from position 2Z cyclically, fillers skipped (§5.4.2.1).

    The positions read are also identified from the data alone: over 128 random messages each
    mother-codeword bit shows a pattern that only bits computing the same function of u share
    (with small Z an extension parity bit can equal a single systematic bit; filler bits are all
    zero), so each output bit is matched to the set of positions it can be."""
    rng = np.random.default_rng(k + 31 * n)
    code = LDPC5G(k, n, bg)
    u = random_bits(rng, (128, k))
    out = code.encode(u)
    cw = code.mother_codeword(u)
    assert out.shape == (128, n) and out.dtype == np.uint8
    expected = ref_tx_positions(k, n, code.z, code.k_ldpc, code.n_ldpc)
    assert expected[0] == 2 * code.z
    assert np.array_equal(out, cw[:, expected])

    sig_cw = np.packbits(cw, axis=0).T          # [n_ldpc, 16] bytes: one pattern per position
    lookup: dict[bytes, list[int]] = {}
    for pos in range(code.n_ldpc):
        lookup.setdefault(sig_cw[pos].tobytes(), []).append(pos)
    sig_out = np.packbits(out, axis=0).T
    for j in range(n):
        matches = lookup.get(sig_out[j].tobytes(), [])
        assert expected[j] in matches, f"output bit {j} is not mother bit {expected[j]}"
        assert not any(k <= p < code.k_ldpc for p in matches), "a filler bit was sent"
    assert np.array_equal(out[:, 0], cw[:, 2 * code.z])
    assert len(set(expected.tolist())) == min(n, code.n_cb - code.n_filler)
    if n > code.n_cb - code.n_filler:     # repetition: the buffer starts over at 2Z
        period = code.n_cb - code.n_filler
        assert np.array_equal(out[:, period:], out[:, :n - period])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(k=st.integers(12, 8448), extra=st.floats(0.01, 3.0), seed=st.integers(0, 2**31 - 1))
def test_encoder_property(k, extra, seed):
    """Any (k, n) with the standard's base graph: valid codeword, correct read-out."""
    n = -(-k * 100 // 95) + int(extra * k)          # code rates up to the 0.95 limit
    if ref_bg(k, n) == 2 and k > 3840:
        with pytest.raises(ValueError, match="k"):
            LDPC5G(k, n)
        return
    code = LDPC5G(k, n)
    assert code.bg == ref_bg(k, n)
    assert (code.z, code.i_ls) == ref_lifting(k, code.bg)
    rng = np.random.default_rng(seed)
    u = random_bits(rng, (2, k))
    cw = code.mother_codeword(u)
    assert not syndrome(code.pcm, cw).any()
    expected = ref_tx_positions(k, n, code.z, code.k_ldpc, code.n_ldpc)
    assert np.array_equal(code.encode(u), cw[:, expected])


def test_encode_batch_shapes():
    code = LDPC5G(40, 100)
    rng = np.random.default_rng(0)
    u = random_bits(rng, (2, 3, 40))
    c = code.encode(u)
    assert c.shape == (2, 3, 100)
    assert np.array_equal(c.reshape(6, 100), code.encode(u.reshape(6, 40)))
    assert code.encode(u[0, 0]).shape == (100,)
    assert code.mother_codeword(u).shape == (2, 3, code.n_ldpc)
    assert np.array_equal(code.encode(u.astype(bool)), c)


def test_derate_match_scatter_adds(ldpc_sizes):
    """Repeated bits add up, unsent and punctured bits get 0, filler bits are known zeros."""
    rng = np.random.default_rng(3)
    for k, n, bg in ldpc_sizes("derate"):
        code = LDPC5G(k, n, bg)
        llr = rng.normal(0, 3, (4, n)).astype(np.float32)
        got = code.derate_match(llr)
        assert got.shape == (4, code.graph.n_vars) and got.dtype == np.float32
        ref = np.zeros((4, code.graph.n_vars), np.float64)
        pos = ref_tx_positions(k, n, code.z, code.k_ldpc, code.n_ldpc)
        for b in range(4):
            np.add.at(ref[b], pos, llr[b])
        ref[:, k:code.k_ldpc] = KNOWN_LLR
        np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-5)
        assert not got[:, :2 * code.z].any()
        # float64 LLRs are read directly, each rounded to float32 as the float32 path does
        wide = llr.astype(np.float64) + rng.normal(0, 1e-9, llr.shape)
        assert np.array_equal(code.derate_match(wide), code.derate_match(wide.astype(np.float32)))


# ----------------------------------------------------------------------------- decoding

@pytest.mark.ldpc_sizes("noiseless")
@pytest.mark.parametrize("algorithm", ["nms", "oms", "spa"])
@pytest.mark.parametrize("schedule", ["flooding", "layered"])
def test_noiseless_decoding(k, n, bg, algorithm, schedule):
    """LLR = +-20 (and +-inf) from the codeword returns the message, early stop on and off.

    With early stop the layered decoder stops after 1 iteration on these codes. A flooding
    decoder may need 2 or 3: the two punctured systematic block columns (LLR 0) get nothing in
    the first flooding iteration from the checks that hold both of them (and unsent parity bits
    nothing from checks that hold a punctured bit), so some posteriors are still exactly 0,
    decided 0, and the syndrome fails when the true bit is 1. The all-zero message therefore
    stops at 1 iteration on every schedule. (Layered decoding of very high-rate BG2 codes,
    R > ~0.75 with small k, also needs a few iterations for the same reason; not tested here.)"""
    rng = np.random.default_rng(k + n)
    code = LDPC5G(k, n, bg)
    u = random_bits(rng, (12, k))
    u[0] = 0
    c = code.encode(u)
    for big in (20.0, np.inf):
        llr = np.where(c == 0, big, -big)
        for early_stop in (True, False):
            u_hat, iters = code.decode(llr, num_iter=15, algorithm=algorithm, schedule=schedule,
                                       early_stop=early_stop, return_iterations=True)
            assert u_hat.dtype == np.uint8 and u_hat.shape == (12, k)
            assert iters.dtype == np.int32 and iters.shape == (12,)
            assert np.array_equal(u_hat, u)
            if not early_stop:
                assert np.all(iters == 15)
            elif schedule == "layered":
                assert np.all(iters == 1)
            else:
                assert iters[0] == 1 and np.all(iters <= 3)


def test_decode_shapes_and_return_iterations(code512):
    rng = np.random.default_rng(1)
    u = random_bits(rng, (2, 3, 512))
    llr = 10.0 * (1.0 - 2.0 * code512.encode(u))
    u_hat = code512.decode(llr)
    assert u_hat.shape == (2, 3, 512) and u_hat.dtype == np.uint8
    assert np.array_equal(u_hat, u)
    u_hat, iters = code512.decode(llr, return_iterations=True)
    assert iters.shape == (2, 3) and iters.dtype == np.int32
    single, it1 = code512.decode(llr[1, 2], return_iterations=True)
    assert single.shape == (512,) and it1.shape == ()
    assert np.array_equal(single, u[1, 2])


@pytest.mark.parametrize("algorithm, schedule", [("nms", None), ("oms", None), ("spa", None),
                                                 ("spa", "layered"), ("nms", "flooding")])
def test_high_snr_no_frame_errors(code512, algorithm, schedule, awgn_llr):
    """k=512, n=1024 at Eb/N0 = 4 dB (BPSK): zero frame errors in 300 frames."""
    rng = np.random.default_rng(11)
    u = random_bits(rng, (300, 512))
    llr = awgn_llr(rng, code512.encode(u), 4.0, 0.5)
    u_hat = code512.decode(llr, algorithm=algorithm, schedule=schedule)
    assert not (u_hat != u).any(axis=1).sum()


@pytest.mark.parametrize("algorithm", ["nms", "spa"])
def test_very_low_snr_most_frames_fail(code512, algorithm, awgn_llr):
    """At Eb/N0 = -1 dB (below the rate-1/2 Shannon limit of 0.19 dB) almost every frame fails."""
    rng = np.random.default_rng(12)
    u = random_bits(rng, (200, 512))
    llr = awgn_llr(rng, code512.encode(u), -1.0, 0.5)
    fer = (code512.decode(llr, algorithm=algorithm) != u).any(axis=1).mean()
    assert fer > 0.95


def test_spa_float32_and_float64_agree(code512, awgn_llr):
    """Flooding SPA in float32 and float64 on the same LLRs (in the waterfall, Eb/N0 = 1.5 dB,
    where roughly 8 % of frames fail): the decisions agree on at least 499 of 500 frames.
    They need not agree bit for bit on every frame: float32 caps check messages at
    ln((2 - 2^-24) / 2^-24) ~ 17.3 (float64 at llr_max = 20) and rounds tanh/log differently,
    which can flip a frame sitting exactly on the decoding boundary."""
    rng = np.random.default_rng(13)
    u = random_bits(rng, (500, 512))
    llr = awgn_llr(rng, code512.encode(u), 1.5, 0.5)
    h32 = code512.decode(llr, algorithm="spa", precision="float32")
    h64 = code512.decode(llr, algorithm="spa", precision="float64")
    fails32 = (h32 != u).any(axis=1)
    assert 5 <= fails32.sum() <= 150            # the point is in the waterfall
    assert (h32 != h64).any(axis=1).sum() <= 1


@pytest.mark.parametrize("algorithm", ["nms", "spa"])
def test_erasures_are_recovered(code512, algorithm, awgn_llr):
    """At 4 dB with 6 % of the received LLRs set to 0 (erased, like extra puncturing) every frame
    still decodes; noiselessly even 20 % erasures decode."""
    rng = np.random.default_rng(14)
    u = random_bits(rng, (200, 512))
    c = code512.encode(u)
    llr = awgn_llr(rng, c, 4.0, 0.5)
    erased = rng.random(llr.shape) < 0.06
    llr[erased] = 0.0
    assert not (code512.decode(llr, algorithm=algorithm) != u).any()
    clean = np.where(c == 0, 20.0, -20.0).astype(np.float32)
    clean[rng.random(clean.shape) < 0.20] = 0.0
    assert not (code512.decode(clean, algorithm=algorithm) != u).any()


def test_repetition_combines_llrs():
    """k=20, n=500 (about 2.9 passes over the buffer): the repeated LLRs add up, so the code
    decodes at an SNR per sent bit where the single pass (n=128) fails far more often."""
    rng = np.random.default_rng(15)
    u = random_bits(rng, (400, 20))
    fers = {}
    for n in (128, 500):
        code = LDPC5G(20, n)
        c = code.encode(u)
        sigma2 = 1.0 / 10 ** (-4.0 / 10)          # Es/N0 = -4 dB per sent bit
        y = (1.0 - 2.0 * c) + rng.normal(0, math.sqrt(sigma2), c.shape)
        fers[n] = (code.decode(2 * y / sigma2, algorithm="spa") != u).any(axis=1).mean()
    assert fers[500] < 0.05 < fers[128]


# ----------------------------------------------------------------------------- generic codes

HAMMING_H = np.array([[1, 1, 0, 1, 1, 0, 0],
                      [1, 0, 1, 1, 0, 1, 0],
                      [0, 1, 1, 1, 0, 0, 1]], np.uint8)

# The same (7,4) Hamming code written by hand, once without and once with zero padding.
HAMMING_ALIST_UNPADDED = """7 3
3 4
2 2 2 3 1 1 1
4 4 4
1 2
1 3
2 3
1 2 3
1
2
3
1 2 4 5
1 3 4 6
2 3 4 7
"""
HAMMING_ALIST_PADDED = """7 3
3 4
2 2 2 3 1 1 1
4 4 4
1 2 0
1 3 0
2 3 0
1 2 3
1 0 0
2 0 0
3 0 0
1 2 4 5
1 3 4 6
2 3 4 7
"""


def write_unpadded_alist(h: np.ndarray, path) -> None:
    """Independent writer of the unpadded alist variant (each list only as long as its degree)."""
    m, n = h.shape
    lines = [f"{n} {m}", f"{h.sum(0).max()} {h.sum(1).max()}",
             " ".join(str(d) for d in h.sum(0)), " ".join(str(d) for d in h.sum(1))]
    lines += [" ".join(str(i + 1) for i in np.flatnonzero(h[:, j])) for j in range(n)]
    lines += [" ".join(str(j + 1) for j in np.flatnonzero(h[i])) for i in range(m)]
    path.write_text("\n".join(lines) + "\n")


def test_read_alist_hand_written(tmp_path):
    for name, text in (("unpadded", HAMMING_ALIST_UNPADDED), ("padded", HAMMING_ALIST_PADDED)):
        p = tmp_path / f"hamming_{name}.alist"
        p.write_text(text)
        h = read_alist(p)
        assert sp.issparse(h) and h.shape == (3, 7)
        assert np.array_equal(h.toarray(), HAMMING_H)
    bad = tmp_path / "bad.alist"
    bad.write_text(HAMMING_ALIST_UNPADDED.replace("2 3 4 7", "1 3 4 7"))
    with pytest.raises(ValueError, match="path"):
        read_alist(bad)


def test_alist_round_trip(tmp_path, gallager_pcm):
    """write_alist -> read_alist gives H back (irregular 5G matrix and a regular one); the
    written file is the padded variant; an unpadded file written here reads back too."""
    rng = np.random.default_rng(21)
    mats = [LDPC5G(20, 60).pcm.toarray(), gallager_pcm(rng, 96, 3, 6), HAMMING_H]
    for idx, h in enumerate(mats):
        p = tmp_path / f"h{idx}.alist"
        write_alist(h, p)
        assert np.array_equal(read_alist(p).toarray(), h)
        tokens = p.read_text().split()
        n, m, max_c, max_r = map(int, tokens[:4])
        assert (n, m) == (h.shape[1], h.shape[0])
        assert len(tokens) == 4 + n + m + n * max_c + m * max_r     # padded
        q = tmp_path / f"h{idx}_unpadded.alist"
        write_unpadded_alist(h, q)
        assert np.array_equal(read_alist(q).toarray(), h)
    # sparse input too
    p = tmp_path / "sparse.alist"
    write_alist(sp.csr_matrix(mats[1]), p)
    assert np.array_equal(read_alist(p).toarray(), mats[1])


@pytest.mark.parametrize("source", ["gallager", "5g", "alist"])
def test_ldpc_code_encode_and_noiseless_decode(source, tmp_path, gallager_pcm):
    rng = np.random.default_rng(22)
    if source == "gallager":
        h = gallager_pcm(rng, 96, 3, 6)
        code = LDPCCode(h)
    elif source == "5g":
        h = LDPC5G(20, 60).pcm.toarray()           # Z = 4: 168 x 208
        code = LDPCCode(sp.csr_matrix(h))
    else:
        h = gallager_pcm(rng, 120, 3, 6)
        write_alist(h, tmp_path / "code.alist")
        code = LDPCCode(str(tmp_path / "code.alist"))
    rank = int(np.linalg.matrix_rank(galois.GF2(h)))
    assert code.n == h.shape[1] and code.k == h.shape[1] - rank
    assert code.info_positions.shape == (code.k,)
    u = random_bits(rng, (20, code.k))
    c = code.encode(u)
    assert c.shape == (20, code.n) and c.dtype == np.uint8
    assert not syndrome(h, c).any()
    assert np.array_equal(c[:, code.info_positions], u)
    llr = np.where(c == 0, 20.0, -20.0)
    for algorithm in ("spa", "nms", "oms"):
        u_hat, iters = code.decode(llr, algorithm=algorithm, return_iterations=True)
        assert np.array_equal(u_hat, u) and np.all(iters == 1)
        assert np.array_equal(code.decode(llr, algorithm=algorithm, output="codeword"), c)


def test_ldpc_code_decodes_noise(gallager_pcm, awgn_llr):
    """A (3,6)-regular code of length 1200 at Eb/N0 = 4 dB: no frame errors in 100 frames."""
    rng = np.random.default_rng(23)
    code = LDPCCode(gallager_pcm(rng, 1200, 3, 6))
    u = random_bits(rng, (100, code.k))
    llr = awgn_llr(rng, code.encode(u), 4.0, code.k / code.n)
    assert not (code.decode(llr, algorithm="spa") != u).any()


def test_qcgraph_round_trip_and_syndrome(ldpc_sizes):
    rng = np.random.default_rng(24)
    h = (rng.random((30, 70)) < 0.1).astype(np.uint8)
    g = QCGraph.from_pcm(h)
    assert g.z == 1 and (g.n_checks, g.n_vars) == h.shape and g.n_edges == h.sum()
    assert np.array_equal(g.to_pcm().toarray(), h)
    bits = random_bits(rng, (9, 70))
    assert np.array_equal(g.syndrome(bits), syndrome(h, bits))
    assert g.syndrome(bits[0]).shape == (30,)
    # sparse input with explicit duplicates summing to 1 is fine; a 2 is not
    with pytest.raises(ValueError, match="pcm"):
        QCGraph.from_pcm(2 * h)
    with pytest.raises(ValueError, match="bits"):
        g.syndrome(bits[:, :69])

    # 5G graphs (Z > 1): the decoder graph is the used part of H with all-filler block columns
    # removed, and its syndrome is H @ c mod 2 on arbitrary words.
    for k, n, bg in ldpc_sizes("graph"):
        code = LDPC5G(k, n, bg)
        g = code.graph
        assert g.z == code.z and g.n_base_rows == code.n_rows_used
        sub = code.pcm_rows(code.n_rows_used)[:, :g.n_vars].toarray()
        first_full, end_full = -(-k // code.z), code.k_ldpc // code.z
        sub[:, first_full * code.z:end_full * code.z] = 0
        assert np.array_equal(g.to_pcm().toarray(), sub)
        bits = random_bits(rng, (5, g.n_vars))
        assert np.array_equal(g.syndrome(bits), syndrome(sub, bits))
        # and zero on codewords
        cw = code.mother_codeword(random_bits(rng, (3, k)))[:, :g.n_vars]
        assert not g.syndrome(cw).any()
        # from_pcm of the lifted matrix gives back the same matrix
        assert np.array_equal(QCGraph.from_pcm(sub).to_pcm().toarray(), sub)


def tree_pcm(rng, m: int, dc: int) -> np.ndarray:
    """A cycle-free Tanner graph: each of m checks joins one existing variable and dc - 1 new ones."""
    n = 1 + m * (dc - 1)
    h = np.zeros((m, n), np.uint8)
    nxt = 1
    for i in range(m):
        h[i, rng.integers(0, nxt)] = 1
        h[i, nxt:nxt + dc - 1] = 1
        nxt += dc - 1
    return h[:, rng.permutation(n)]


@pytest.mark.parametrize("m, dc", [(6, 3), (5, 4)])
@pytest.mark.parametrize("precision", ["float32", "float64"])
def test_bp_is_exact_on_a_tree(m, dc, precision):
    """On a cycle-free graph BP is exact: sum-product decisions equal the bitwise MAP decisions
    (sign of the a-posteriori LLR, enumerated over all codewords), and min-sum without
    normalization or offset (max-product) returns the ML codeword; both schedules. This checks
    the check-node arithmetic itself (including the SPA's own exp/log), not just convergence."""
    from scipy.special import logsumexp

    rng = np.random.default_rng(100 * m + dc)
    code = LDPCCode(tree_pcm(rng, m, dc))
    msgs = ((np.arange(2 ** code.k)[:, None] >> np.arange(code.k)) & 1).astype(np.uint8)
    cws = code.encode(msgs)                                   # every codeword
    frames = 600
    x = cws[rng.integers(0, len(cws), frames)]
    llr = ((1.0 - 2.0 * x) + rng.normal(0, 1.2, x.shape)) * (2 / 1.44)
    llr = llr.astype(np.float32)
    metric = -(llr.astype(np.float64) @ cws.T.astype(np.float64))   # log P(y | c) + const
    app = np.stack([logsumexp(np.where(cws[:, j] == 0, metric, -np.inf), axis=1)
                    - logsumexp(np.where(cws[:, j] == 1, metric, -np.inf), axis=1)
                    for j in range(code.n)], axis=1)
    clear = np.abs(app) > 1e-4                                # leave exact ties aside
    top2 = np.sort(metric, axis=1)[:, -2:]
    unique_ml = top2[:, 1] - top2[:, 0] > 1e-4
    ml = cws[np.argmax(metric, axis=1)]
    for schedule in ("flooding", "layered"):
        hard, _ = bp_decode(code.graph, llr, num_iter=2 * m + 2, algorithm="spa",
                            schedule=schedule, early_stop=False, precision=precision)
        assert np.array_equal(hard[clear], (app < 0)[clear]), schedule
        for algorithm, kw in (("nms", {"alpha": 1.0}), ("oms", {"beta": 0.0})):
            hard, _ = bp_decode(code.graph, llr, num_iter=2 * m + 2, algorithm=algorithm,
                                schedule=schedule, early_stop=False, precision=precision, **kw)
            assert np.array_equal(hard[unique_ml], ml[unique_ml]), (algorithm, schedule)
    assert clear.mean() > 0.99 and unique_ml.mean() > 0.99
    assert ((app < 0) != x).any()      # the noise is strong enough to matter


def test_bp_decode_direct(gallager_pcm):
    """bp_decode on a plain graph: +-inf LLRs are accepted (known bits); shape checks."""
    rng = np.random.default_rng(25)
    code = LDPCCode(gallager_pcm(rng, 96, 3, 6))
    c = code.encode(random_bits(rng, (4, code.k)))
    llr = np.where(c == 0, np.inf, -np.inf)
    llr[:, :10] = 0.0
    hard, iters = bp_decode(code.graph, llr)
    assert np.array_equal(hard, c) and hard.dtype == np.uint8 and iters.dtype == np.int32
    with pytest.raises(ValueError, match="llr"):
        bp_decode(code.graph, llr[0])
    with pytest.raises(ValueError, match="alpha"):
        bp_decode(code.graph, llr, algorithm="nms", alpha=-1.0)
    with pytest.raises(ValueError, match="llr_max"):
        bp_decode(code.graph, llr, llr_max=0.0)


# ----------------------------------------------------------------------------- errors

def _code():
    return LDPC5G(40, 100)


ERROR_CASES = [
    ("k > n", lambda: LDPC5G(100, 90), ValueError, r"\bn\b.*90"),
    ("n == k", lambda: LDPC5G(100, 100), ValueError, r"\bn\b"),
    ("k < 12", lambda: LDPC5G(11, 100), ValueError, r"\bk\b.*11"),
    ("k > 8448", lambda: LDPC5G(8449, 20000), ValueError, r"\bk\b.*8449"),
    ("BG2 forced, k > 3840", lambda: LDPC5G(3841, 8000, bg=2), ValueError, r"\bk\b.*3841.*3840"),
    ("BG2 auto (R <= 0.25), k > 3840", lambda: LDPC5G(4000, 16000), ValueError, r"\bk\b.*4000"),
    ("float k", lambda: LDPC5G(100.0, 200), TypeError, r"\bk\b"),
    ("fractional k", lambda: LDPC5G(100.5, 200), TypeError, r"\bk\b"),
    ("bool k", lambda: LDPC5G(True, 200), TypeError, r"\bk\b"),
    ("string n", lambda: LDPC5G(100, "200"), TypeError, r"\bn\b"),
    ("bg=3", lambda: LDPC5G(100, 200, bg=3), ValueError, r"\bbg\b.*3"),
    ("bg=True", lambda: LDPC5G(100, 200, bg=True), (TypeError, ValueError), r"\bbg\b"),
    ("u shape", lambda: _code().encode(np.zeros((2, 39), np.uint8)), ValueError, r"\bu\b.*39"),
    ("u scalar", lambda: _code().encode(np.uint8(1)), ValueError, r"\bu\b"),
    ("u value 2", lambda: _code().encode(np.full((2, 40), 2, np.uint8)), ValueError, r"\bu\b"),
    ("u value -1", lambda: _code().encode(-np.ones((2, 40), np.int64)), ValueError, r"\bu\b"),
    ("u float", lambda: _code().encode(np.zeros((2, 40))), TypeError, r"\bu\b"),
    ("mother u shape", lambda: _code().mother_codeword(np.zeros(41, np.uint8)), ValueError, r"\bu\b"),
    ("llr shape", lambda: _code().decode(np.zeros((2, 99))), ValueError, r"\bllr\b.*99"),
    ("llr int dtype", lambda: _code().decode(np.zeros((2, 100), np.int32)), TypeError, r"\bllr\b"),
    ("llr NaN", lambda: _code().decode(np.full((2, 100), np.nan)), ValueError, r"\bllr\b.*NaN"),
    ("num_iter 0", lambda: _code().decode(np.ones((2, 100)), num_iter=0), ValueError, r"num_iter"),
    ("num_iter float", lambda: _code().decode(np.ones((2, 100)), num_iter=2.5), (TypeError, ValueError),
     r"num_iter"),
    ("algorithm", lambda: _code().decode(np.ones((2, 100)), algorithm="foo"), ValueError,
     r"algorithm.*foo"),
    ("schedule", lambda: _code().decode(np.ones((2, 100)), schedule="foo"), ValueError,
     r"schedule.*foo"),
    ("precision", lambda: _code().decode(np.ones((2, 100)), precision="float16"), ValueError,
     r"precision.*float16"),
    ("LDPCCode llr shape", lambda: LDPCCode(HAMMING_H).decode(np.zeros(6)), ValueError, r"\bllr\b"),
    ("LDPCCode u value", lambda: LDPCCode(HAMMING_H).encode(np.full(4, 2)), ValueError, r"\bu\b"),
    ("LDPCCode output", lambda: LDPCCode(HAMMING_H).decode(np.zeros(7), output="x"), ValueError,
     r"output"),
    ("LDPCCode algorithm", lambda: LDPCCode(HAMMING_H).decode(np.zeros(7), algorithm="bp"),
     ValueError, r"algorithm"),
    ("LDPCCode full rank", lambda: LDPCCode(np.eye(5, dtype=np.uint8)), ValueError, r"pcm"),
]


@pytest.mark.parametrize("what, call, exc, pattern", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_name_the_parameter(what, call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


# ----------------------------------------------------------------------------- reproducibility

@pytest.mark.parametrize("algorithm, schedule", [("nms", "layered"), ("oms", "layered"),
                                                 ("spa", "flooding"), ("spa", "layered"),
                                                 ("nms", "flooding")])
def test_decoding_is_deterministic(code512, algorithm, schedule, awgn_llr):
    """Same output twice, and the same whatever the batch around a frame: decoded in two halves,
    one frame at a time, or on one thread. (The decoder packs frames into SIMD lanes whose count
    depends on the batch size and the thread count; a frame's result must not.)"""
    rng = np.random.default_rng(31)
    u = random_bits(rng, (200, 512))
    llr = awgn_llr(rng, code512.encode(u), 1.5, 0.5)

    def dec(x):
        return code512.decode(x, algorithm=algorithm, schedule=schedule, return_iterations=True)

    a, ia = dec(llr)
    b, ib = dec(llr)
    assert np.array_equal(a, b) and np.array_equal(ia, ib)
    h1, i1 = dec(llr[:100])
    h2, i2 = dec(llr[100:])
    assert np.array_equal(np.concatenate([h1, h2]), a)
    assert np.array_equal(np.concatenate([i1, i2]), ia)
    fails = np.flatnonzero((a != u).any(axis=1))
    assert fails.size > 0                      # the point exercises failing frames too
    picks = np.unique(np.concatenate([fails[:10], np.arange(10)]))
    for f in picks:
        hf, itf = dec(llr[f])
        assert np.array_equal(hf, a[f]) and itf == ia[f], f
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        c, ic = dec(llr)
    finally:
        numba.set_num_threads(threads)
    assert np.array_equal(c, a) and np.array_equal(ic, ia)


@pytest.mark.parametrize("k,n", [(20, 21), (40, 42), (100, 105), (8448, 8892)])
def test_rate_above_095_rejected(k, n):
    """TS 38.214 caps the effective rate at 0.95; above it codes can be non-injective."""
    with pytest.raises(ValueError, match=r"n: got .*allowed: rate k/n <= 0.95"):
        LDPC5G(k, n)
    LDPC5G(k, -(-k * 100 // 95))    # the smallest n at the limit is accepted


def test_decode_posteriors_gives_the_decoders_own_soft_output():
    from linksim.fec.code import cached_code
    code = cached_code("ldpc5g", 120, 360)
    rng = np.random.default_rng(4)
    u = rng.integers(0, 2, (40, 120), dtype=np.uint8)
    x = 1.0 - 2.0 * code.encode(u)
    llr = 2 * (x + rng.normal(0, 0.9, x.shape)) / 0.81
    u_hat, ok = code.decode_llr(llr)
    u_post, ok_post, post = code.decode_posteriors(llr)
    assert np.array_equal(u_hat, u_post) and np.array_equal(ok, ok_post)
    assert post.shape == (40, 120) and np.array_equal(post < 0, u_post == 1)
    # the posteriors are more confident than the channel where decoding succeeded
    assert np.abs(post[ok]).mean() > np.abs(llr[ok][:, 60:120]).mean()


@pytest.mark.parametrize("precision", ["float32", "float64"])
@pytest.mark.parametrize("algorithm, schedule", [("spa", "flooding"), ("spa", "layered"),
                                                 ("nms", "flooding")])
def test_generic_kernel_frames_do_not_depend_on_the_lane_count(algorithm, schedule, precision,
                                                                decoder_llrs):
    """A batch's size sets the lanes per task (fewer for small batches): decisions, iterations
    and posteriors must be the same bits whatever it is. With full fast-math the SPA's
    polynomials were contracted into FMAs differently in the SIMD body and the scalar
    remainder of a lane loop, and float32 SPA at 1 dB changed every posterior row and one
    frame's decisions between batches of 640 and of 13."""
    code = LDPC5G(512, 1024)
    llr = decoder_llrs(code, 320, 1.0, 3)
    kw = dict(algorithm=algorithm, schedule=schedule, precision=precision,
              return_posteriors=True)
    whole = bp_decode(code.graph, llr, **kw)
    for size in (1, 13, 33):
        parts = [bp_decode(code.graph, llr[a:a + size], **kw) for a in range(0, 320, size)]
        for i in range(3):
            assert np.array_equal(np.concatenate([p[i] for p in parts]), whole[i]), (size, i)
